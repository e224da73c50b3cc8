//! Tracked tasks: non-blocking handlers and `create_task` futures, awaited on stop and
//! cancelled (and reported) when the drain timeout runs out.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::HandlerError;

/// Every task the application spawns on the user's behalf.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    tracker: TaskTracker,
    cancel: std::sync::RwLock<CancellationToken>,
}

impl Tasks {
    /// Spawns `future`; its error (or [`HandlerError::Cancelled`], when the drain timeout
    /// cancels it) goes to `on_error`, inside the same tracked task so a stop waits for it.
    pub(crate) fn spawn<F, E, EF>(&self, future: F, on_error: E)
    where
        F: Future<Output = Result<(), HandlerError>> + Send + 'static,
        E: FnOnce(HandlerError) -> EF + Send + 'static,
        EF: Future<Output = ()> + Send + 'static,
    {
        let cancel = self.cancel.read().map(|c| c.clone()).unwrap_or_default();
        self.tracker.spawn(async move {
            let result = tokio::select! {
                result = future => result,
                () = cancel.cancelled() => Err(HandlerError::Cancelled),
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

    /// Waits for every task (including tasks spawned while waiting) up to `timeout`; then
    /// cancels the rest and waits for their reports. Returns how many were cancelled.
    pub(crate) async fn drain(&self, timeout: Duration) -> usize {
        self.tracker.close();
        let mut cancelled = 0;
        if tokio::time::timeout(timeout, self.tracker.wait())
            .await
            .is_err()
        {
            cancelled = self.tracker.len();
            self.cancel_all();
            self.tracker.wait().await;
        }
        self.tracker.reopen();
        cancelled
    }

    /// Cancels every running task now (a forced stop).
    pub(crate) fn cancel_all(&self) {
        if let Ok(mut token) = self.cancel.write() {
            token.cancel();
            *token = CancellationToken::new();
        }
    }
}
