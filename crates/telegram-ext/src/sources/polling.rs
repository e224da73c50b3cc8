//! Long polling: `getUpdates` in a loop, with the offset confirming what was handled.
//!
//! Offsets (at least once): an update is confirmed to Telegram by the *next* `getUpdates` whose
//! offset is past it, and the offset sent is the watermark (`watermark.rs`): the lowest update
//! fetched and not finished. A crash, a SIGKILL or a forced stop therefore leaves every
//! unfinished update with Telegram, which sends it to the next run. Updates at or above the
//! watermark come back in every batch while they run; they are recognised and not handled
//! twice. When a batch brings nothing new the loop waits for an update to finish instead of
//! asking again at once. On stop, the admitted updates are awaited (until the drain deadline),
//! then what finished is confirmed with one more short call. See [`crate::delivery`] for the
//! guarantees and their cost; [`PollingConfig::confirm_on_fetch`] restores the old handling
//! (confirm what was fetched).
//!
//! With the update journal ([`UpdateJournal`](crate::delivery::UpdateJournal)), each batch's new
//! updates are written to it (all at once), and then confirmed by the next `getUpdates` without
//! waiting for their processing: the watermark holds back only an update whose write failed.
//! What a crash left in the journal is replayed before the first `getUpdates`; Telegram sends
//! some of it again when the crash came before the offset confirmed it, and the watermark
//! recognises those.
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

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::join_all;
use futures_util::FutureExt;
use telegram_transport::Backoff;
use telegram_types::batch::UpdateResult;
use telegram_types::UpdateType;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::fetch::{fetch, Fetched};
use super::watermark::{Confirm, Seen, Watermark};
use super::{finish_unprocessed, replay_journal, report_malformed, Failure};
use crate::delivery::{Journaled, Written};
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
    /// Confirm an update as soon as it was fetched instead of when its processing finished
    /// (see [`confirm_on_fetch`](Self::confirm_on_fetch)).
    pub confirm_on_fetch: bool,
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
            confirm_on_fetch: false,
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

    /// Confirms each update to Telegram as soon as it was fetched (the next `getUpdates` moves
    /// past it), as python-telegram-bot does, instead of when its processing finished (the
    /// default, false). Fetching is then never held back by a slow update, but a crash or a
    /// kill loses the updates fetched and not yet finished. See [`crate::delivery`].
    ///
    /// With an update journal ([`ApplicationBuilder::journal`](crate::ApplicationBuilder::journal))
    /// this has no effect: an update is confirmed once it is in the journal.
    #[must_use]
    pub fn confirm_on_fetch(mut self, enabled: bool) -> Self {
        self.confirm_on_fetch = enabled;
        self
    }
}

/// Polls until `stop` is cancelled or a fatal error; then waits for the admitted updates and
/// confirms what finished.
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
    let journal = app.journal().cloned();
    let watermark = Watermark::new(match (&journal, config.confirm_on_fetch) {
        (Some(_), _) => Confirm::Journaled,
        (None, true) => Confirm::OnFetch,
        (None, false) => Confirm::Finished,
    });
    // What a crash left in the journal runs first; Telegram may still send some of it (the
    // crash came before the offset confirmed it): the watermark recognises those.
    replay_journal(app, |id| Some(watermark.replayed(id))).await?;
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
        // The tracked updates come back first: ask for room beyond them.
        let limit = watermark
            .tracked()
            .saturating_add(processor.available())
            .clamp(1, usize::from(config.limit));
        let offset = watermark.offset();
        let mut request = bot
            .get_updates()
            .timeout(config.timeout.as_secs() as i64)
            .limit(limit as i64)
            .allowed_updates(allowed.iter().cloned());
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        // Completions from here on wake a loop whose batch brings nothing new.
        let mut completions = watermark.subscribe();
        let result = tokio::select! {
            biased;
            () = stop.cancelled() => break Ok(()),
            result = fetch(request, journal.is_some()) => result,
        };
        let wait = match result {
            Ok(batch) => {
                offsets.confirmed = offset;
                let batch = match handle_batch(app, batch, &watermark, &mut offsets).await {
                    Ok(batch) => batch,
                    Err(error) => break Err(error),
                };
                if batch.is_stalled() {
                    // Telegram keeps sending what we cannot move past: wait, or this is a hot loop.
                    offsets.log_stall(batch.fetched);
                    backoff.next_delay()
                } else {
                    offsets.stall_logged = false;
                    backoff.reset();
                    if batch.new == 0 && batch.again > 0 && watermark.offset() == offset {
                        // Only updates still running came back, and the offset stays: asking
                        // again now would get them again. Wait until one finishes.
                        tokio::select! {
                            () = stop.cancelled() => break Ok(()),
                            _ = completions.changed() => {}
                        }
                    }
                    continue;
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
    // What was admitted finishes (or is cancelled at the drain deadline or by a forced stop:
    // `lifecycle.rs` sees to that), so the last confirmation covers all that finished.
    processor.drain().await;
    if let Some(offset) = watermark.offset().filter(|o| Some(*o) != offsets.confirmed) {
        confirm_offset(app, offset).await;
    }
    outcome
}

/// Where polling stands besides the watermark: the offset Telegram last saw, and whether the
/// current stall was logged.
#[derive(Debug, Default)]
struct Offsets {
    confirmed: Option<i64>,
    /// Whether the "cannot move past" warning was logged for the current stall.
    stall_logged: bool,
}

impl Offsets {
    /// Logs a stall the first time only, until the offset moves.
    fn log_stall(&mut self, fetched: usize) {
        if !self.stall_logged {
            self.stall_logged = true;
            tracing::error!(
                offset = ?self.confirmed,
                fetched,
                "getUpdates keeps returning updates whose update_id cannot be read; backing off"
            );
        }
    }
}

/// What one batch held.
#[derive(Debug, Default)]
struct Batch {
    fetched: usize,
    /// Updates admitted (or reported, when malformed) for the first time.
    new: usize,
    /// Updates this run had seen: in flight, or finished and not yet confirmed.
    again: usize,
}

impl Batch {
    /// Whether every update in it was one whose `update_id` could not be read, so the next
    /// call gets them again.
    fn is_stalled(&self) -> bool {
        self.fetched > 0 && self.new == 0 && self.again == 0
    }
}

/// Submits a batch's new updates and reports its malformed ones; skips those seen before.
/// With the update journal, the new ones are written to it first (all at once), so the next
/// `getUpdates` may confirm them.
///
/// # Errors
///
/// [`RunError::OffsetOverflow`] once an update with `update_id = i64::MAX` was submitted.
async fn handle_batch<S: Send + Sync + 'static>(
    app: &Application<S>,
    batch: Vec<Fetched>,
    watermark: &Watermark,
    offsets: &mut Offsets,
) -> Result<Batch, RunError> {
    let mut counts = Batch {
        fetched: batch.len(),
        ..Batch::default()
    };
    let mut fresh = Vec::with_capacity(batch.len());
    for Fetched { entry, raw } in batch {
        // A forced stop, or a drain timeout that ran out, leaves the rest unconfirmed: Telegram
        // sends them again.
        if app.is_cancelling_updates() {
            break;
        }
        let id = match &entry {
            Ok(update) => Some(update.update_id),
            Err(malformed) => malformed.update_id,
        };
        let Some(id) = id else {
            if !offsets.stall_logged {
                // Reported when the stall began; Telegram only sends it again.
                if let Err(malformed) = entry {
                    report_malformed(app, malformed).await;
                }
            }
            continue;
        };
        if watermark.see(id, id.checked_add(1)) == Seen::Again {
            tracing::trace!(
                update_id = id,
                "update sent again while unconfirmed; skipped"
            );
            counts.again += 1;
            continue;
        }
        counts.new += 1;
        fresh.push((id, entry, raw));
    }
    let (writes, mut journaled) = journal_writes(app, &fresh, watermark);
    // Processing starts while the batch is written; only the next `getUpdates` (the offset)
    // waits for the writes.
    let submit = async {
        for (id, entry, _) in fresh {
            if app.is_cancelling_updates() {
                break;
            }
            let journaled = journaled.next().flatten();
            match entry {
                Ok(update) => {
                    app.submit_tracked(update.into(), Some(watermark.completer(id)), journaled)
                        .await;
                }
                Err(malformed) => {
                    report_malformed(app, malformed).await;
                    finish_unprocessed(journaled, Some(watermark.completer(id))).await;
                }
            }
            if id == i64::MAX {
                return Err(RunError::OffsetOverflow { update_id: id });
            }
        }
        Ok(())
    };
    let ((), submitted) = tokio::join!(join_all(writes).map(drop), submit);
    submitted.map(|()| counts)
}

/// The journal writes of a batch's new updates (to run all at once), each letting the
/// watermark confirm its update when it succeeded, and each update's [`Journaled`] for its
/// processing (`None`: no journal, or no bytes to write). An update that could not be written
/// is held back as without a journal: confirmed when it finished.
#[allow(clippy::type_complexity)]
fn journal_writes<'a, S: Send + Sync + 'static>(
    app: &'a Application<S>,
    fresh: &[(i64, UpdateResult, Option<Bytes>)],
    watermark: &'a Watermark,
) -> (
    Vec<impl Future<Output = ()> + 'a>,
    std::vec::IntoIter<Option<Journaled>>,
) {
    let Some(journal) = app.journal() else {
        return (Vec::new(), Vec::new().into_iter());
    };
    let mut writes = Vec::with_capacity(fresh.len());
    let mut journaled = Vec::with_capacity(fresh.len());
    for (id, _, raw) in fresh {
        let (id, Some(bytes)) = (*id, raw.clone()) else {
            journaled.push(None);
            continue;
        };
        let (written, entry) = oneshot::channel();
        journaled.push(Some(Journaled::Writing(journal.clone(), entry)));
        writes.push(async move {
            let entry = match journal.write(id, bytes).await {
                Ok(Written::New(entry) | Written::Present(entry)) => {
                    watermark.journaled(id);
                    Some(entry)
                }
                Err(error) => {
                    tracing::warn!(%error, update_id = id, "cannot write the update to the journal; confirming it when it finished");
                    None
                }
            };
            let _ = written.send(entry);
        });
    }
    (writes, journaled.into_iter())
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
