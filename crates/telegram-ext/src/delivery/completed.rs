//! `CompletedUpdates`: a record, in the store, of the update ids whose processing completed, so an
//! update Telegram delivers again after a crash is recognised and skipped.
//!
//! The polling watermark and the webhook's in-flight table (`sources/`) recognise an update that
//! comes back while this process still holds it; this record covers the rest: a redelivery to a
//! new process, or to another replica sharing the store.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use telegram_store::{Store, StoreError};

/// How long Telegram keeps an update it could not deliver: a record kept at least this long
/// outlives every redelivery.
pub const TELEGRAM_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// Records the ids of updates whose processing completed, in a [`Store`] with a TTL, so that a
/// redelivered update that had in fact completed is skipped instead of handled again.
///
/// Turned on with [`ApplicationBuilder::completed_updates`](crate::ApplicationBuilder::completed_updates).
/// Before an update is dispatched its id is looked up; when it is there the update is skipped
/// (it counts as completed: polling confirms it, a webhook answers 200). When the dispatch
/// returns, the id is written with the TTL (48 h by default, never less than Telegram's 24 h).
///
/// # Keys
///
/// `tg:{bot_id}:completed:{update_id}`, empty values, in the application's store unless
/// [`store`](Self::store) names another. Several processes sharing the store share the record.
///
/// # What it does not cover
///
/// - The record is written after the dispatch returned: a crash between a handler's effect and
///   that write runs the update again. A handler that must be exactly-once writes its effect
///   and its own marker in one store write.
/// - Two deliveries of one update racing at the same time (two replicas) both find no record
///   and both run; Telegram does not do that for one webhook, and one poller holds the update.
/// - A store that fails on the lookup is read as "not completed": the update runs (at least
///   once wins over at most once). A failed write is logged.
///
/// ```
/// use std::time::Duration;
/// use telegram_ext::delivery::CompletedUpdates;
/// use telegram_ext::Application;
///
/// let app = Application::builder()
///     .token("123:abc")
///     .completed_updates(CompletedUpdates::new().ttl(Duration::from_secs(72 * 3600)))
///     .build()?;
/// # let _ = app;
/// # Ok::<(), telegram_ext::BuildError>(())
/// ```
#[derive(Clone, Default)]
pub struct CompletedUpdates {
    ttl: Option<Duration>,
    store: Option<Arc<dyn Store>>,
}

impl CompletedUpdates {
    /// The default TTL: twice Telegram's retention.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(48 * 60 * 60);

    /// A record in the application's store, kept [`DEFAULT_TTL`](Self::DEFAULT_TTL).
    pub fn new() -> Self {
        CompletedUpdates::default()
    }

    /// Keeps each id this long; raised to [`TELEGRAM_RETENTION`] (24 h) when shorter, since a
    /// record that expires before Telegram stops redelivering would miss redeliveries.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl.max(TELEGRAM_RETENTION));
        self
    }

    /// Keeps the record in `store` instead of the application's store.
    #[must_use]
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The TTL each id is written with.
    pub fn time_to_live(&self) -> Duration {
        self.ttl.unwrap_or(Self::DEFAULT_TTL)
    }

    /// The record bound to a store and a key prefix (`tg:{bot_id}:`), the application's unless
    /// [`store`](Self::store) was given.
    pub(crate) fn bind(self, store: &Arc<dyn Store>, prefix: &str) -> CompletedRecord {
        CompletedRecord {
            ttl: self.time_to_live(),
            store: self.store.unwrap_or_else(|| store.clone()),
            prefix: format!("{prefix}completed:").into(),
        }
    }
}

impl fmt::Debug for CompletedUpdates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletedUpdates")
            .field("ttl", &self.time_to_live())
            .field("own_store", &self.store.is_some())
            .finish()
    }
}

/// The record as the application uses it: a store, the key prefix and the TTL.
#[derive(Debug, Clone)]
pub(crate) struct CompletedRecord {
    ttl: Duration,
    store: Arc<dyn Store>,
    prefix: Arc<str>,
}

impl CompletedRecord {
    fn key(&self, update_id: i64) -> String {
        format!("{}{update_id}", self.prefix)
    }

    /// Whether `update_id` completed before. A failing store reads as "no".
    pub(crate) async fn contains(&self, update_id: i64) -> bool {
        match self.store.get(self.key(update_id).as_bytes()).await {
            Ok(entry) => entry.is_some(),
            Err(error) => {
                tracing::warn!(%error, update_id, "cannot read the completed-updates record; handling the update");
                false
            }
        }
    }

    /// Records that `update_id` completed. Another process having recorded it first is fine.
    pub(crate) async fn insert(&self, update_id: i64) {
        let key = self.key(update_id);
        match self
            .store
            .put(key.as_bytes(), Bytes::new(), None, Some(self.ttl))
            .await
        {
            Ok(_) | Err(StoreError::Conflict { .. }) => {}
            Err(error) => tracing::warn!(
                %error,
                update_id,
                "cannot record a completed update; a redelivery of it would be handled again"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telegram_store::MemoryStore;

    #[test]
    fn the_ttl_never_drops_below_telegrams_retention() {
        let short = CompletedUpdates::new().ttl(Duration::from_secs(60));
        assert_eq!(short.time_to_live(), TELEGRAM_RETENTION);
        assert_eq!(
            CompletedUpdates::new().time_to_live(),
            CompletedUpdates::DEFAULT_TTL
        );
    }

    #[tokio::test]
    async fn an_inserted_id_is_found_under_the_bots_prefix() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let record = CompletedUpdates::new().bind(&store, "tg:42:");
        assert!(!record.contains(7).await);
        record.insert(7).await;
        record.insert(7).await; // a second insert (another replica) is no error
        assert!(record.contains(7).await);
        assert!(!record.contains(8).await);
        assert!(store.get(b"tg:42:completed:7").await.unwrap().is_some());
    }
}
