//! `Concurrent`: up to `limit` updates processed at once, in no particular order.

use std::sync::Arc;

use telegram_types::Update;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use super::{BoxFuture, UpdateProcessor};

/// Processes up to `limit` updates at once (python-telegram-bot's `concurrent_updates`; `true`
/// there means 256, [`Concurrent::DEFAULT_LIMIT`] here).
///
/// The slot is taken before the work is spawned, so a flood waits in `submit` (and, through
/// [`available`](UpdateProcessor::available), in the update source) instead of piling up tasks.
#[derive(Debug)]
pub struct Concurrent {
    limit: usize,
    slots: Arc<Semaphore>,
    tasks: TaskTracker,
}

impl Concurrent {
    /// python-telegram-bot's default when `concurrent_updates(True)`.
    pub const DEFAULT_LIMIT: usize = 256;

    /// Up to `limit` updates at once (at least 1).
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Concurrent {
            limit,
            slots: Arc::new(Semaphore::new(limit)),
            tasks: TaskTracker::new(),
        }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl Default for Concurrent {
    fn default() -> Self {
        Concurrent::new(Self::DEFAULT_LIMIT)
    }
}

impl UpdateProcessor for Concurrent {
    fn submit(&self, _update: Arc<Update>, work: BoxFuture<'static, ()>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let Ok(slot) = self.slots.clone().acquire_owned().await else {
                return;
            };
            self.tasks.spawn(async move {
                work.await;
                drop(slot);
            });
        })
    }

    fn available(&self) -> usize {
        self.slots.available_permits()
    }

    fn wait_available(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Taking a slot and giving it back at once returns as soon as one is free.
            let _slot = self.slots.acquire().await;
        })
    }

    fn drain(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.tasks.close();
            self.tasks.wait().await;
            self.tasks.reopen();
        })
    }

    fn in_flight(&self) -> usize {
        self.limit - self.slots.available_permits()
    }
}
