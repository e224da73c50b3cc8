//! `Sequential`: one update after another, the default (as python-telegram-bot's).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use telegram_types::Update;

use super::{BoxFuture, UpdateProcessor};

/// Processes one update at a time: `submit` returns when the update is done.
///
/// It puts no limit on fetching: the source waits for each batch to be processed before it
/// fetches the next, so at most one batch is held.
#[derive(Debug, Default)]
pub struct Sequential {
    in_flight: AtomicUsize,
}

impl Sequential {
    /// The sequential processor.
    pub fn new() -> Self {
        Sequential::default()
    }
}

impl UpdateProcessor for Sequential {
    fn submit(&self, _update: Arc<Update>, work: BoxFuture<'static, ()>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.in_flight.store(1, Ordering::SeqCst);
            work.await;
            self.in_flight.store(0, Ordering::SeqCst);
        })
    }

    fn available(&self) -> usize {
        usize::MAX
    }

    fn wait_available(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    fn drain(&self) -> BoxFuture<'_, ()> {
        // Every submitted update was finished before `submit` returned.
        Box::pin(async {})
    }

    fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}
