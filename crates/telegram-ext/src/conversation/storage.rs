//! The stored state of one conversation: `tg:{bot_id}:conv:{name}:{key}` holding
//! `{"state": <the state as JSON>}`, read and written with compare-and-set on its version.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use telegram_store::{Store, StoreError, Version};

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

    /// The state stored at `key`, if any.
    pub(crate) async fn load<St: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Current<St>>, ConversationError> {
        let entry = self
            .store
            .get(key.as_bytes())
            .await
            .map_err(|source| store_error(key, source))?;
        let Some(entry) = entry else {
            return Ok(None);
        };
        let record: Record<St> =
            serde_json::from_slice(&entry.value).map_err(|source| ConversationError::Codec {
                key: key.to_owned(),
                source,
            })?;
        Ok(Some(Current {
            state: record.state,
            version: entry.version,
        }))
    }

    /// Writes `state` if the stored version is still `expected`; the new version.
    pub(crate) async fn save<St: Serialize>(
        &self,
        key: &str,
        state: &St,
        expected: Option<Version>,
    ) -> Result<Version, ConversationError> {
        let bytes =
            serde_json::to_vec(&Record { state }).map_err(|source| ConversationError::Codec {
                key: key.to_owned(),
                source,
            })?;
        self.store
            .put(key.as_bytes(), bytes.into(), expected, None)
            .await
            .map_err(|source| store_error(key, source))
    }

    /// Removes the state if the stored version is still `expected`.
    pub(crate) async fn remove(
        &self,
        key: &str,
        expected: Version,
    ) -> Result<(), ConversationError> {
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
