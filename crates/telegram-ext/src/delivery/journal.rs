//! `UpdateJournal`: updates written to the store before Telegram is told they arrived, removed
//! when their processing completed, and replayed at the next start when a crash came between.
//!
//! The sources use it (`sources/`): polling writes each fetched batch, then confirms the offset
//! at once, so the number of updates in flight is no longer capped by `getUpdates`' 100; a
//! webhook with [`Ack::OnReceipt`](crate::Ack) writes the update before its 200. This file
//! owns the keys and the store calls; the replay is `sources/mod.rs`'s.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use telegram_store::{Store, StoreError, Version};
use tokio::sync::oneshot;
use tokio_util::task::TaskTracker;

/// Entries read per page when the journal is replayed.
const REPLAY_PAGE: usize = 256;

/// A durable journal of received updates, in a [`Store`]: an update is written as it arrived
/// (its JSON bytes, malformed ones included) before Telegram is told it was received, and
/// removed when its processing completed; at start, the entries a crash left are replayed, in
/// update id order, before the source's first update.
///
/// Turned on with [`ApplicationBuilder::journal`](crate::ApplicationBuilder::journal); both
/// sources use it:
///
/// - **Polling** writes each fetched batch (one write per update, all at once: the SQLite store
///   commits concurrent writes in one transaction), then confirms the batch to Telegram with
///   the next `getUpdates`, without waiting for the processing. The updates in flight are then
///   bounded by the processor, not by `getUpdates`' limit of 100 from the oldest unfinished
///   one. An update whose write fails is confirmed only when its processing finished.
/// - **Webhook** with [`Ack::OnReceipt`](crate::Ack): the update is written before the 200;
///   when the write fails the request is answered 503 and Telegram sends it again.
///   `Ack::AfterProcessing` needs no journal (an unanswered update is redelivered) and does not
///   write one.
///
/// An update replayed at start that Telegram sends again (the crash came before the offset or
/// the 200 confirmed it) is recognised and not handled twice.
///
/// # Durability
///
/// As durable as the store: on a `SqliteStore` (feature `sqlite`) with
/// `Durability::PowerLoss` (its default) no update is lost on a
/// `SIGKILL` or a power loss once it was confirmed or answered; on the
/// [`MemoryStore`](telegram_store::MemoryStore) (the application's default store) nothing
/// survives a crash: the journal then only costs time. See the [delivery guarantees](crate::delivery).
///
/// # Keys
///
/// `tg:{bot_id}:journal:{update_id}`, holding the update's bytes as received, in the
/// application's store unless [`store`](Self::store) names another. One process owns a
/// journal: replicas sharing a store must not share a journal (each would replay the others'
/// updates); give each its own [`store`](Self::store), or leave the journal off and use
/// [`Ack::AfterProcessing`](crate::Ack).
///
/// ```
/// use telegram_ext::delivery::UpdateJournal;
/// use telegram_ext::Application;
///
/// let app = Application::builder()
///     .token("123:abc")
///     .journal(UpdateJournal::new())
///     .build()?;
/// # let _ = app;
/// # Ok::<(), telegram_ext::BuildError>(())
/// ```
#[derive(Clone, Default)]
pub struct UpdateJournal {
    store: Option<Arc<dyn Store>>,
}

impl UpdateJournal {
    /// A journal in the application's store.
    pub fn new() -> Self {
        UpdateJournal::default()
    }

    /// Keeps the journal in `store` instead of the application's store.
    #[must_use]
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The journal bound to a store and a key prefix (`tg:{bot_id}:`), the application's unless
    /// [`store`](Self::store) was given.
    pub(crate) fn bind(self, store: &Arc<dyn Store>, prefix: &str) -> JournalRecord {
        JournalRecord {
            store: self.store.unwrap_or_else(|| store.clone()),
            prefix: format!("{prefix}journal:").into(),
            removals: TaskTracker::new(),
        }
    }
}

impl fmt::Debug for UpdateJournal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateJournal")
            .field("own_store", &self.store.is_some())
            .finish()
    }
}

/// The journal as the sources use it: a store and the key prefix.
#[derive(Debug, Clone)]
pub(crate) struct JournalRecord {
    store: Arc<dyn Store>,
    prefix: Arc<str>,
    /// Removals of processed updates, run outside the processing slot (a keyed chat's next
    /// update need not wait for the delete); the source waits for them when it stops.
    removals: TaskTracker,
}

/// An update's place in the journal as its processing sees it: written, or still being
/// written (polling starts processing a batch while it is written; only the offset waits for
/// the write).
#[derive(Debug)]
pub(crate) enum Journaled {
    /// In the journal.
    Written(JournalEntry),
    /// Being written: the entry comes when the write ended (`None`: it failed).
    Writing(JournalRecord, oneshot::Receiver<Option<JournalEntry>>),
}

impl From<JournalEntry> for Journaled {
    fn from(entry: JournalEntry) -> Self {
        Journaled::Written(entry)
    }
}

impl Journaled {
    /// Removes the entry once its write ended, in the background (the source waits for it
    /// when it stops: [`JournalRecord::settle`]).
    pub(crate) fn remove_in_background(self) {
        let removals = match &self {
            Journaled::Written(entry) => entry.journal.removals.clone(),
            Journaled::Writing(journal, _) => journal.removals.clone(),
        };
        removals.spawn(self.remove());
    }

    /// Removes the entry once its write ended.
    pub(crate) async fn remove(self) {
        let entry = match self {
            Journaled::Written(entry) => Some(entry),
            Journaled::Writing(_, written) => written.await.ok().flatten(),
        };
        if let Some(entry) = entry {
            entry.remove().await;
        }
    }
}

/// What [`JournalRecord::write`] found.
#[derive(Debug)]
pub(crate) enum Written {
    /// The update is in the journal now; the entry removes it.
    New(JournalEntry),
    /// An entry for this update was there already: it is in flight, or waits to be replayed.
    Present(JournalEntry),
}

/// One update's entry in the journal, to remove when its processing completed.
#[derive(Debug, Clone)]
pub(crate) struct JournalEntry {
    journal: JournalRecord,
    update_id: i64,
    /// The version written; `None` when the entry was found rather than written.
    version: Option<Version>,
}

/// An entry a previous run left: its update's bytes, and the entry to remove.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) update_id: i64,
    pub(crate) bytes: Bytes,
    pub(crate) entry: JournalEntry,
}

impl JournalRecord {
    fn key(&self, update_id: i64) -> String {
        format!("{}{update_id}", self.prefix)
    }

    /// Writes `update_id`'s bytes as received.
    ///
    /// # Errors
    ///
    /// The store's, when it could not write: the update is not durable.
    pub(crate) async fn write(&self, update_id: i64, bytes: Bytes) -> Result<Written, StoreError> {
        let key = self.key(update_id);
        let entry = |version| JournalEntry {
            journal: self.clone(),
            update_id,
            version,
        };
        match self.store.put(key.as_bytes(), bytes, None, None).await {
            Ok(version) => Ok(Written::New(entry(Some(version)))),
            Err(StoreError::Conflict { .. }) => Ok(Written::Present(entry(None))),
            Err(error) => Err(error),
        }
    }

    /// Waits for the removals started so far (the source is stopping).
    pub(crate) async fn settle(&self) {
        self.removals.close();
        self.removals.wait().await;
        self.removals.reopen();
    }

    /// The entries in the journal, in update id order.
    ///
    /// # Errors
    ///
    /// The store's, when a page could not be read.
    pub(crate) async fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let mut pending = Vec::new();
        let mut after: Option<Bytes> = None;
        loop {
            let page = self
                .store
                .scan(self.prefix.as_bytes(), after.as_deref(), REPLAY_PAGE)
                .await?;
            for (key, stored) in page.entries {
                let Some(update_id) = std::str::from_utf8(&key[self.prefix.len()..])
                    .ok()
                    .and_then(|id| id.parse().ok())
                else {
                    tracing::warn!(key = %String::from_utf8_lossy(&key), "a journal key without an update id; left alone");
                    continue;
                };
                pending.push(Pending {
                    update_id,
                    bytes: stored.value,
                    entry: JournalEntry {
                        journal: self.clone(),
                        update_id,
                        version: Some(stored.version),
                    },
                });
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        // Keys sort as text ("10" before "9"): the replay goes by number.
        pending.sort_by_key(|p| p.update_id);
        Ok(pending)
    }
}

impl JournalEntry {
    /// Removes the entry: its update's processing completed. A failure is logged; the update
    /// is then replayed at the next start (and skipped there if the completed-updates record
    /// has it).
    pub(crate) async fn remove(self) {
        let key = self.journal.key(self.update_id);
        let store = &self.journal.store;
        let version = match self.version {
            Some(version) => Ok(Some(version)),
            None => store
                .get(key.as_bytes())
                .await
                .map(|entry| entry.map(|e| e.version)),
        };
        let result = match version {
            Ok(Some(version)) => store.delete(key.as_bytes(), version).await.map(drop),
            Ok(None) => Ok(()),
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::warn!(
                %error,
                update_id = self.update_id,
                "cannot remove a processed update from the journal; it will be replayed at the next start"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telegram_store::MemoryStore;

    fn journal() -> (Arc<dyn Store>, JournalRecord) {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let journal = UpdateJournal::new().bind(&store, "tg:42:");
        (store, journal)
    }

    #[tokio::test]
    async fn entries_come_back_by_update_id_with_their_bytes() {
        let (store, journal) = journal();
        for id in [10, 9, 100] {
            let written = journal.write(id, Bytes::from(format!("{{\"update_id\":{id}}}")));
            assert!(matches!(written.await.unwrap(), Written::New(_)));
        }
        assert!(store.get(b"tg:42:journal:9").await.unwrap().is_some());
        let pending = journal.pending().await.unwrap();
        let ids: Vec<i64> = pending.iter().map(|p| p.update_id).collect();
        assert_eq!(ids, [9, 10, 100]);
        assert_eq!(&pending[0].bytes[..], br#"{"update_id":9}"#);
    }

    #[tokio::test]
    async fn a_second_write_finds_the_entry_and_either_entry_removes_it() {
        let (_, journal) = journal();
        let Written::New(first) = journal.write(7, Bytes::from_static(b"{}")).await.unwrap() else {
            panic!("the first write writes");
        };
        let Written::Present(found) = journal.write(7, Bytes::from_static(b"{}")).await.unwrap()
        else {
            panic!("the second write finds it");
        };
        found.remove().await;
        assert!(journal.pending().await.unwrap().is_empty());
        first.remove().await; // already gone: no error
        assert!(journal.pending().await.unwrap().is_empty());
    }
}
