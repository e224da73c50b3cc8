//! A finish line for the end-to-end benches: handlers count their runs, and the timer waits
//! until the last one (bounded, so a stuck run fails the bench instead of hanging it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// Counts finished runs and wakes the timer at the last one.
#[derive(Debug)]
pub(crate) struct Done {
    count: AtomicUsize,
    target: usize,
    deadline: Duration,
    all: Notify,
}

impl Done {
    /// Waits for `target` runs, at most `deadline`.
    pub(crate) fn new(target: usize, deadline: Duration) -> Done {
        Done {
            count: AtomicUsize::new(0),
            target,
            deadline,
            all: Notify::new(),
        }
    }

    /// One run finished.
    pub(crate) fn one(&self) {
        if self.count.fetch_add(1, Ordering::SeqCst) + 1 == self.target {
            // Stores a permit if the timer is not waiting yet.
            self.all.notify_one();
        }
    }

    /// Until the last run finished; panics past the deadline.
    pub(crate) async fn wait(&self) {
        tokio::time::timeout(self.deadline, self.all.notified())
            .await
            .expect("every run finishes before the deadline");
    }
}
