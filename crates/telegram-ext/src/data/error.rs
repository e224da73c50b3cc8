//! `DataError`: what reading or writing a slot can fail with.

use telegram_store::StoreError;

use crate::data::DecodeError;

/// What reading or writing a [`Slot`](crate::data::Slot) can fail with. Returned from a callback
/// with `?`, it reaches the error handlers; [`key`](Self::key) says which stored value it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The callback's update has no chat (or user) for a chat (or user) slot, e.g. a chat slot
    /// read while handling an inline query.
    #[error("no {scope} id for slot `{slot}` in this update")]
    NoScope {
        /// The slot's scope (`chat`, `user`, `chat_user`).
        scope: &'static str,
        /// The slot's name.
        slot: &'static str,
    },
    /// The stored value cannot be read as the slot's type (even after migrating).
    #[error("cannot read the stored value at `{key}`")]
    Decode {
        /// The value's key in the store.
        key: String,
        /// What was wrong.
        #[source]
        source: DecodeError,
    },
    /// The value cannot be turned into JSON.
    #[error("cannot encode the value for `{key}`")]
    Encode {
        /// The value's key in the store.
        key: String,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// The store failed.
    #[error("store failed at `{key}`")]
    Store {
        /// The value's key in the store.
        key: String,
        /// What the store said.
        #[source]
        source: StoreError,
    },
    /// Other writers kept winning the compare-and-set for this many attempts.
    #[error("gave up on `{key}` after {attempts} version conflicts")]
    Contended {
        /// The value's key in the store.
        key: String,
        /// Attempts made.
        attempts: u32,
    },
}

impl DataError {
    /// The key of the stored value concerned (`None` for [`NoScope`](Self::NoScope)).
    pub fn key(&self) -> Option<&str> {
        match self {
            DataError::NoScope { .. } => None,
            DataError::Decode { key, .. }
            | DataError::Encode { key, .. }
            | DataError::Store { key, .. }
            | DataError::Contended { key, .. } => Some(key),
        }
    }
}
