//! The stored state of one conversation: `tg:{bot_id}:conv:{name}:{key}` holding
//! `{"state": <the state as JSON>}`, read and written with compare-and-set on its version.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use telegram_store::{Store, StoreError, Version};

use super::turns::Memo;
use super::ConversationError;

/// The stored value.
#[derive(Serialize, Deserialize)]
struct Record<St> {
    state: St,
}

/// A state as read, with the version a write must expect.
pub(crate) struct Current<St> {
    pub(crate) state: St,
    pub(crate) version: Version,
}

/// The conversation states of one conversation in the application's store.
pub(crate) struct Storage {
    store: Arc<dyn Store>,
}

impl Storage {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Storage { store }
    }

    /// The state stored at `key`, if any. `memo` (the key's [`Turn`](super::turns::Turn)) is
    /// what this process last read or wrote there: when the stored bytes are the memo's, its
    /// state is used without decoding; otherwise the bytes are decoded and become the memo.
    pub(crate) async fn load<St: DeserializeOwned + Clone>(
        &self,
        key: &str,
        memo: &mut Option<Memo<St>>,
    ) -> Result<Option<Current<St>>, ConversationError> {
        let entry = self.store.get(key.as_bytes()).await;
        let entry = entry.map_err(|source| store_error(key, source))?;
        let Some(entry) = entry else {
            *memo = None;
            return Ok(None);
        };
        if let Some(known) = memo.as_ref().filter(|m| m.bytes == entry.value) {
            return Ok(Some(Current {
                state: known.state.clone(),
                version: entry.version,
            }));
        }
        *memo = None;
        let record: Record<St> =
            serde_json::from_slice(&entry.value).map_err(|source| ConversationError::Codec {
                key: key.to_owned(),
                source,
            })?;
        *memo = Some(Memo {
            bytes: entry.value,
            state: record.state.clone(),
        });
        Ok(Some(Current {
            state: record.state,
            version: entry.version,
        }))
    }

    /// Writes `state` if the stored version is still `expected`; the new version. `state`
    /// becomes the memo when written (the memo is cleared when not).
    pub(crate) async fn save<St: Serialize>(
        &self,
        key: &str,
        state: St,
        expected: Option<Version>,
        memo: &mut Option<Memo<St>>,
    ) -> Result<Version, ConversationError> {
        *memo = None;
        let bytes: Bytes = serde_json::to_vec(&Record { state: &state })
            .map_err(|source| ConversationError::Codec {
                key: key.to_owned(),
                source,
            })?
            .into();
        let version = self
            .store
            .put(key.as_bytes(), bytes.clone(), expected, None)
            .await
            .map_err(|source| store_error(key, source))?;
        *memo = Some(Memo { bytes, state });
        Ok(version)
    }

    /// Removes the state if the stored version is still `expected`.
    pub(crate) async fn remove<St>(
        &self,
        key: &str,
        expected: Version,
        memo: &mut Option<Memo<St>>,
    ) -> Result<(), ConversationError> {
        *memo = None;
        self.store
            .delete(key.as_bytes(), expected)
            .await
            .map(|_| ())
            .map_err(|source| store_error(key, source))
    }
}

/// A version conflict is another process's transition; anything else is the store's failure.
fn store_error(key: &str, source: StoreError) -> ConversationError {
    match source {
        StoreError::Conflict { .. } => ConversationError::Conflict {
            key: key.to_owned(),
        },
        source => ConversationError::Store {
            key: key.to_owned(),
            source,
        },
    }
}
