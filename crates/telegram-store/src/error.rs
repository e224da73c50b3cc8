//! `StoreError`: what a store call can fail with.

use std::error::Error as StdError;

/// What a [`Store`](crate::Store) call can fail with. A backend never panics on what it reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The key's version was not the expected one (someone else wrote it first): read again
    /// and retry.
    #[error("version conflict on key {key:?}")]
    Conflict {
        /// The key, lossily as text.
        key: String,
    },
    /// The backend could not be reached or failed (connection lost, disk full, locked file).
    #[error("store backend unavailable")]
    Unavailable(#[source] Box<dyn StdError + Send + Sync>),
    /// What the backend holds for a key cannot be read as an entry.
    #[error("corrupt value for key {key:?}: {reason}")]
    Corrupt {
        /// The key, lossily as text.
        key: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl StoreError {
    /// A [`Conflict`](Self::Conflict) on `key`.
    pub fn conflict(key: &[u8]) -> Self {
        StoreError::Conflict {
            key: String::from_utf8_lossy(key).into_owned(),
        }
    }

    /// An [`Unavailable`](Self::Unavailable) keeping `source`.
    pub fn unavailable(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        StoreError::Unavailable(source.into())
    }

    /// A [`Corrupt`](Self::Corrupt) for `key`: what the backend holds cannot be read.
    pub fn corrupt(key: &[u8], reason: impl Into<String>) -> Self {
        StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: reason.into(),
        }
    }

    /// Whether this is a version conflict (retry after reading again).
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}
