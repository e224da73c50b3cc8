//! Long polling: `getUpdates` in a loop, with the offset confirming what was handled.
//!
//! Offsets: an update is confirmed to Telegram by the *next* `getUpdates` whose offset is past
//! it. Every update of a fetched batch is processed before the next call, and on stop the last
//! offset is confirmed with one more short call, so no update is handled twice or skipped. A
//! forced stop leaves the batch where it is: the updates it did not start are not confirmed, so
//! Telegram sends them to the next run.
//!
//! Failures are classified: a client-side timeout retries at once; 429 waits `retry_after`;
//! 401/404 (bad token) and 409 (another poller, or a webhook) stop with a clear error; anything
//! else backs off exponentially with jitter, capped.

use std::future::IntoFuture;
use std::time::Duration;

use telegram_types::UpdateType;
use tokio_util::sync::CancellationToken;

use super::{Backoff, Failure};
use crate::{Application, RunError};

/// How to poll.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PollingConfig {
    /// Long-poll timeout: how long Telegram holds a `getUpdates` open when there is nothing.
    pub timeout: Duration,
    /// Most updates per call (1–100).
    pub limit: u8,
    /// Update kinds to ask for; `None` = what the registered handlers can handle.
    pub allowed_updates: Option<Vec<UpdateType>>,
    /// Drop the updates that waited at Telegram while the bot was down.
    pub drop_pending_updates: bool,
    /// Backoff for unclassified failures.
    pub backoff: Backoff,
    /// Stop on ctrl-c / SIGTERM (a second one forces the stop).
    pub stop_signals: bool,
}

impl Default for PollingConfig {
    fn default() -> Self {
        PollingConfig {
            timeout: Duration::from_secs(10),
            limit: 100,
            allowed_updates: None,
            drop_pending_updates: false,
            backoff: Backoff::default(),
            stop_signals: true,
        }
    }
}

impl PollingConfig {
    /// Sets the long-poll timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the most updates per call (clamped to 1–100).
    #[must_use]
    pub fn limit(mut self, limit: u8) -> Self {
        self.limit = limit.clamp(1, 100);
        self
    }

    /// Asks only for these kinds of update.
    #[must_use]
    pub fn allowed_updates(mut self, kinds: impl IntoIterator<Item = UpdateType>) -> Self {
        self.allowed_updates = Some(kinds.into_iter().collect());
        self
    }

    /// Drops the updates pending at Telegram before polling starts.
    #[must_use]
    pub fn drop_pending_updates(mut self, drop: bool) -> Self {
        self.drop_pending_updates = drop;
        self
    }

    /// Sets the backoff for unclassified failures.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Whether ctrl-c / SIGTERM stop the application (default true): the first gracefully, a
    /// second at once ([`Application::force_stop`](crate::Application::force_stop)).
    #[must_use]
    pub fn stop_signals(mut self, enabled: bool) -> Self {
        self.stop_signals = enabled;
        self
    }
}

/// Polls until `stop` is cancelled or a fatal error; then confirms the offset.
pub(crate) async fn run_polling_loop<S: Send + Sync + 'static>(
    app: &Application<S>,
    config: &PollingConfig,
    stop: &CancellationToken,
) -> Result<(), RunError> {
    let bot = app.bot();
    // As python-telegram-bot does: make sure no webhook is set (getUpdates would answer 409).
    bot.delete_webhook()
        .drop_pending_updates(config.drop_pending_updates)
        .await
        .map_err(RunError::Api)?;
    let allowed = config
        .allowed_updates
        .clone()
        .unwrap_or_else(|| app.allowed_updates());
    let mut backoff = config.backoff.clone();
    let mut offset: Option<i64> = None;
    let mut confirmed: Option<i64> = None;
    let processor = app.processor().clone();
    let outcome = loop {
        // Backpressure: fetch no more than the processor can admit; fetch nothing while it is
        // full (Telegram keeps the rest).
        if processor.available() == 0 {
            tokio::select! {
                biased;
                () = stop.cancelled() => break Ok(()),
                () = processor.wait_available() => {}
            }
        }
        let limit = processor.available().clamp(1, usize::from(config.limit));
        let mut request = bot
            .get_updates()
            .timeout(config.timeout.as_secs() as i64)
            .limit(limit as i64)
            .allowed_updates(allowed.iter().cloned());
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        let result = tokio::select! {
            biased;
            () = stop.cancelled() => break Ok(()),
            result = request.into_future() => result,
        };
        match result {
            Ok(batch) => {
                confirmed = offset;
                backoff.reset();
                for entry in batch {
                    // A forced stop leaves the rest unconfirmed: Telegram sends them again.
                    if app.is_force_stopping() {
                        break;
                    }
                    match entry {
                        Ok(update) => {
                            offset = Some(update.update_id + 1);
                            app.submit_update(update).await;
                        }
                        Err(malformed) => {
                            tracing::warn!(error = %malformed, "skipping an update that could not be decoded");
                            if let Some(id) = malformed.update_id {
                                offset = Some(offset.map_or(id + 1, |o| o.max(id + 1)));
                            }
                        }
                    }
                }
            }
            Err(error) => {
                let wait = match Failure::classify(&error) {
                    Failure::Timeout => Duration::ZERO,
                    Failure::RetryAfter(wait) => wait,
                    Failure::InvalidToken => break Err(RunError::InvalidToken(error)),
                    Failure::Conflict => break Err(RunError::Conflict(error)),
                    Failure::Transient => backoff.next_delay(),
                };
                tracing::warn!(%error, ?wait, "getUpdates failed; retrying");
                tokio::select! {
                    () = stop.cancelled() => break Ok(()),
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
    };
    if let Some(offset) = offset.filter(|o| Some(*o) != confirmed) {
        confirm_offset(app, offset).await;
    }
    outcome
}

/// Tells Telegram that everything below `offset` was handled.
async fn confirm_offset<S: Send + Sync + 'static>(app: &Application<S>, offset: i64) {
    let result = app
        .bot()
        .get_updates()
        .offset(offset)
        .limit(1)
        .timeout(0)
        .await;
    match result {
        Ok(_) => tracing::debug!(offset, "offset confirmed"),
        Err(error) => {
            tracing::warn!(%error, offset, "could not confirm the offset; the last updates may come again")
        }
    }
}
