//! The shared state behind a server and all its handles: one mutex over [`Data`], a `Notify`
//! that wakes every waiter on change, and the shutdown token. Waiting lives here too
//! ([`State::wait_until`]) so long polls and test waits share one race-free loop.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::chats::ChatStore;
use crate::error::WaitError;
use crate::fault::FaultTable;
use crate::files::FileStore;
use crate::flood::FloodState;
use crate::queue::UpdateQueue;
use crate::request_log::RequestLog;
use crate::webhook::{Sender, WebhookConfig};

/// Everything mutable about a server.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) default_timeout: Duration,
    pub(crate) updates: UpdateQueue,
    pub(crate) log: RequestLog,
    pub(crate) faults: FaultTable,
    pub(crate) flood: FloodState,
    pub(crate) chats: ChatStore,
    pub(crate) files: FileStore,
    pub(crate) webhook: Option<WebhookConfig>,
    /// The webhook sender's state and counters.
    pub(crate) sender: Sender,
    /// Source of unique ids for callback queries, inline queries and media groups.
    pub(crate) serial: u64,
}

impl Data {
    /// A fresh number for ids that must not repeat.
    pub(crate) fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }
}

/// Shared by the HTTP tasks, the webhook task and every handle.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) token: String,
    pub(crate) bot_user: Value,
    pub(crate) webhook_retry_delay: Duration,
    pub(crate) shutdown: CancellationToken,
    data: Mutex<Data>,
    changed: Notify,
}

impl State {
    pub(crate) fn new(token: String, bot_user: Value, webhook_retry_delay: Duration) -> Self {
        Self {
            token,
            bot_user,
            webhook_retry_delay,
            shutdown: CancellationToken::new(),
            data: Mutex::new(Data {
                default_timeout: Duration::from_secs(5),
                updates: UpdateQueue::default(),
                log: RequestLog::default(),
                faults: FaultTable::default(),
                flood: FloodState::default(),
                chats: ChatStore::default(),
                files: FileStore::default(),
                webhook: None,
                sender: Sender::default(),
                serial: 0,
            }),
            changed: Notify::new(),
        }
    }

    /// Reads the data without waking waiters. Never hold the guard across an `.await`.
    pub(crate) fn read(&self) -> MutexGuard<'_, Data> {
        // A panic while holding the lock cannot leave `Data` half-updated in a way that matters
        // to a test double, so a poisoned lock is used as is.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the data, then wakes every waiter.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut Data) -> R) -> R {
        let result = change(&mut self.read());
        self.changed.notify_waiters();
        result
    }

    /// Waits until `check` returns `Some`, the timeout passes or the server shuts down.
    /// `check` runs under the lock after every change and may consume what it finds.
    pub(crate) async fn wait_until<T>(
        &self,
        what: impl FnOnce() -> String,
        timeout: Duration,
        mut check: impl FnMut(&mut Data) -> Option<T>,
    ) -> Result<T, WaitError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before checking, so a change between check and await is not missed.
            notified.as_mut().enable();
            if let Some(found) = check(&mut self.read()) {
                return Ok(found);
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(deadline) => {
                    return Err(WaitError::Timeout { what: what(), timeout });
                }
                () = self.shutdown.cancelled() => {
                    return Err(WaitError::Shutdown { what: what() });
                }
            }
        }
    }
}
