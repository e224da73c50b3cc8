//! Tracked tasks: non-blocking handlers and `create_task` futures, awaited on stop and
//! cancelled (and reported) when the drain timeout runs out or the stop is forced.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::HandlerError;

/// Every task the application spawns on the user's behalf.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    tracker: TaskTracker,
    /// Cancels the tasks running when the drain timeout ran out; replaced right after, so
    /// tasks spawned later run.
    timed_out: std::sync::RwLock<CancellationToken>,
}

impl Tasks {
    /// Spawns `future`; its error (or [`HandlerError::Cancelled`], when the drain timeout runs
    /// out or `forced` is cancelled) goes to `on_error`, inside the same tracked task so a stop
    /// waits for it.
    pub(crate) fn spawn<F, E, EF>(&self, future: F, forced: CancellationToken, on_error: E)
    where
        F: Future<Output = Result<(), HandlerError>> + Send + 'static,
        E: FnOnce(HandlerError) -> EF + Send + 'static,
        EF: Future<Output = ()> + Send + 'static,
    {
        let timed_out = self.timed_out.read().map(|c| c.clone()).unwrap_or_default();
        self.tracker.spawn(async move {
            let result = tokio::select! {
                biased;
                () = forced.cancelled() => Err(HandlerError::Cancelled),
                () = timed_out.cancelled() => Err(HandlerError::Cancelled),
                result = future => result,
            };
            if let Err(error) = result {
                on_error(error).await;
            }
        });
    }

    /// Tasks still running.
    pub(crate) fn len(&self) -> usize {
        self.tracker.len()
    }

    /// Waits for every task (including tasks spawned while waiting) up to `timeout` or until
    /// `forced` is cancelled (which cancels the tasks itself); then cancels the rest and waits
    /// for their reports. Returns how many were cancelled.
    pub(crate) async fn drain(&self, timeout: Duration, forced: &CancellationToken) -> usize {
        self.tracker.close();
        let finished = tokio::select! {
            finished = tokio::time::timeout(timeout, self.tracker.wait()) => finished.is_ok(),
            () = forced.cancelled() => false,
        };
        let mut cancelled = 0;
        if !finished {
            cancelled = self.tracker.len();
            self.cancel_running();
            self.tracker.wait().await;
        }
        self.tracker.reopen();
        cancelled
    }

    fn cancel_running(&self) {
        if let Ok(mut token) = self.timed_out.write() {
            token.cancel();
            *token = CancellationToken::new();
        }
    }
}
