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
//! else backs off exponentially with jitter, capped ([`Backoff`], the transport's).
//!
//! # Who owns a 429 on `getUpdates`
//!
//! The transport, first: the bot's [`RetryPolicy`](telegram_transport::RetryPolicy) waits
//! `retry_after` and repeats the call (by default up to 3 times and 60 s in all), inside the
//! one `getUpdates` future this loop awaits, so a stop still ends the wait at once. This loop
//! sees the 429 only when the policy gives up on it (a longer `retry_after`, its retries used
//! up, or [`RetryPolicy::none`](telegram_transport::RetryPolicy::none)), and then waits
//! `retry_after` itself before the next call. The backoff is never used for a 429.
//!
//! # Updates that cannot be decoded
//!
//! They go to the error handlers as [`HandlerError::Malformed`](crate::HandlerError::Malformed)
//! and the offset moves past them. One whose `update_id` cannot be read (even as a string or a
//! float holding an integer) cannot be moved past: when a batch leaves the offset where it was,
//! the loop backs off instead of asking again at once, and logs it once per stall.
//!
//! # Offset confirmation on stop
//!
//! The last offset is confirmed with a short `getUpdates`, retried with backoff until the drain
//! deadline (tried once after a forced stop): a failed confirmation would bring the handled
//! updates back in the next run.

use std::future::IntoFuture;
use std::time::Duration;

use telegram_transport::Backoff;
use telegram_types::batch::UpdateResult;
use telegram_types::UpdateType;
use tokio_util::sync::CancellationToken;

use super::{report_malformed, Failure};
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
    let mut offsets = Offsets::default();
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
        if let Some(offset) = offsets.next {
            request = request.offset(offset);
        }
        let result = tokio::select! {
            biased;
            () = stop.cancelled() => break Ok(()),
            result = request.into_future() => result,
        };
        let wait = match result {
            Ok(batch) => {
                offsets.confirmed = offsets.next;
                let fetched = batch.len();
                if let Err(error) = handle_batch(app, batch, &mut offsets).await {
                    break Err(error);
                }
                match offsets.stalled(fetched) {
                    // Telegram keeps sending what we cannot move past: wait, or this is a hot loop.
                    true => backoff.next_delay(),
                    false => {
                        backoff.reset();
                        continue;
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
                wait
            }
        };
        tokio::select! {
            () = stop.cancelled() => break Ok(()),
            () = tokio::time::sleep(wait) => {}
        }
    };
    if let Some(offset) = offsets.next.filter(|o| Some(*o) != offsets.confirmed) {
        confirm_offset(app, offset).await;
    }
    outcome
}

/// Where polling stands: the offset of the next call, the one Telegram last saw, and whether
/// the last batch moved neither.
#[derive(Debug, Default)]
struct Offsets {
    next: Option<i64>,
    confirmed: Option<i64>,
    /// Whether the "cannot move past" warning was logged for the current stall.
    stall_logged: bool,
}

impl Offsets {
    /// Moves the next offset past `update_id`.
    ///
    /// # Errors
    ///
    /// [`RunError::OffsetOverflow`] for `update_id = i64::MAX`: no offset is past it.
    fn pass(&mut self, update_id: i64) -> Result<(), RunError> {
        let past = update_id
            .checked_add(1)
            .ok_or(RunError::OffsetOverflow { update_id })?;
        self.next = Some(self.next.map_or(past, |o| o.max(past)));
        Ok(())
    }

    /// Whether a batch of `fetched` updates left the offset where it was: every update in it
    /// was one whose `update_id` could not be read, so the next call gets them again. Logs the
    /// first time only, until the offset moves.
    fn stalled(&mut self, fetched: usize) -> bool {
        let stalled = fetched > 0 && self.next == self.confirmed;
        if !stalled {
            self.stall_logged = false;
        } else if !self.stall_logged {
            self.stall_logged = true;
            tracing::error!(
                offset = ?self.next,
                fetched,
                "getUpdates keeps returning updates whose update_id cannot be read; backing off"
            );
        }
        stalled
    }
}

/// Submits a batch's updates and reports its malformed ones, moving the offset past each.
///
/// # Errors
///
/// [`RunError::OffsetOverflow`] once an update with `update_id = i64::MAX` was submitted.
async fn handle_batch<S: Send + Sync + 'static>(
    app: &Application<S>,
    batch: Vec<UpdateResult>,
    offsets: &mut Offsets,
) -> Result<(), RunError> {
    for entry in batch {
        // A forced stop, or a drain timeout that ran out, leaves the rest unconfirmed: Telegram
        // sends them again.
        if app.is_cancelling_updates() {
            break;
        }
        match entry {
            Ok(update) => {
                let passed = offsets.pass(update.update_id);
                app.submit_update(update).await;
                passed?;
            }
            Err(malformed) => {
                if let Some(id) = malformed.update_id {
                    offsets.pass(id)?;
                } else if offsets.stall_logged {
                    // Reported when the stall began; Telegram only sends it again.
                    continue;
                }
                report_malformed(app, malformed).await;
            }
        }
    }
    Ok(())
}

/// Tells Telegram that everything below `offset` was handled: retried with backoff until it
/// succeeds or the drain deadline passes (tried once after a forced stop); otherwise the updates
/// it confirms come again in the next run.
async fn confirm_offset<S: Send + Sync + 'static>(app: &Application<S>, offset: i64) {
    let deadline = app.drain_deadline();
    let forced = app.forced_stop_token();
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
    loop {
        let result = app
            .bot()
            .get_updates()
            .offset(offset)
            .limit(1)
            .timeout(0)
            .await;
        let error = match result {
            Ok(_) => return tracing::debug!(offset, "offset confirmed"),
            Err(error) => error,
        };
        let retry_at = tokio::time::Instant::now() + backoff.next_delay();
        if forced.is_cancelled() || retry_at >= deadline {
            return tracing::warn!(
                %error,
                offset,
                "could not confirm the offset; the last updates may come again"
            );
        }
        tracing::debug!(%error, offset, "offset confirmation failed; retrying");
        tokio::select! {
            () = forced.cancelled() => {}
            () = tokio::time::sleep_until(retry_at) => {}
        }
    }
}
