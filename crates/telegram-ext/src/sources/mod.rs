//! Update sources: long polling (`polling.rs`; its backoff is `telegram_transport::Backoff`, the
//! one the bot's retries use) and the webhook server (`webhook.rs`). Each feeds updates to [`Application::process_update`](crate::Application).
//!
//! Shared here: decoding one update's JSON, reporting a malformed update, classifying a failed
//! call, and replaying the update journal ([`UpdateJournal`](crate::delivery::UpdateJournal))
//! at start.

mod fetch;
mod polling;
mod watermark;
#[cfg(feature = "webhook")]
mod webhook;

pub(crate) use self::polling::run_polling_loop;
pub use self::polling::PollingConfig;
#[cfg(feature = "webhook")]
pub(crate) use self::webhook::serve_webhook;
#[cfg(feature = "webhook")]
pub use self::webhook::{Ack, WebhookConfig};

use std::sync::Arc;

use telegram_transport::Error;
use telegram_types::batch::{update_id_in, update_id_of, MalformedUpdate, UpdateResult};
use telegram_types::{Update, UpdateKind};

use crate::application::OnCompleted;
use crate::delivery::Journaled;
use crate::{Application, HandlerError, RunError};

/// Replays the update journal, when the application has one: the updates a crash left in it
/// (received, not processed), in update id order, each as it was received, before the source's
/// first update. `track` is told each replayed id and gives its completion callback (polling's
/// watermark uses it to recognise the update when Telegram sends it again). Returns the
/// replayed ids. A stop during the replay leaves the rest in the journal.
///
/// # Errors
///
/// [`RunError::Journal`] when the journal cannot be read.
pub(crate) async fn replay_journal<S: Send + Sync + 'static>(
    app: &Application<S>,
    mut track: impl FnMut(i64) -> Option<OnCompleted>,
) -> Result<Vec<i64>, RunError> {
    let Some(journal) = app.journal() else {
        return Ok(Vec::new());
    };
    let pending = journal.pending().await.map_err(RunError::Journal)?;
    if !pending.is_empty() {
        tracing::info!(
            updates = pending.len(),
            "replaying the updates a previous run left in the journal"
        );
    }
    let mut replayed = Vec::with_capacity(pending.len());
    for entry in pending {
        if app.is_cancelling_updates() {
            break;
        }
        replayed.push(entry.update_id);
        let on_completed = track(entry.update_id);
        match decode_update(&entry.bytes) {
            Some(Ok(update)) => {
                app.submit_tracked(Arc::new(update), on_completed, Some(entry.entry.into()))
                    .await;
            }
            Some(Err(malformed)) => {
                report_malformed(app, malformed).await;
                finish_unprocessed(Some(entry.entry.into()), on_completed).await;
            }
            None => {
                tracing::error!(
                    update_id = entry.update_id,
                    "a journal entry is not an update; removed"
                );
                finish_unprocessed(Some(entry.entry.into()), on_completed).await;
            }
        }
    }
    Ok(replayed)
}

/// Completes an update that does not go through the processor (a malformed one, reported
/// inline): removes its journal entry, then calls its completion callback.
pub(crate) async fn finish_unprocessed(
    journaled: Option<Journaled>,
    on_completed: Option<OnCompleted>,
) {
    if let Some(journaled) = journaled {
        journaled.remove().await;
    }
    if let Some(on_completed) = on_completed {
        on_completed();
    }
}

/// One update's JSON (a webhook body, or a journal entry) as an update; as a
/// [`MalformedUpdate`] when it is a JSON object with an `update_id` that does not fit the types
/// or that the parser refuses; `None` when it is not JSON, or JSON that is no update at all.
pub(crate) fn decode_update(body: &[u8]) -> Option<UpdateResult> {
    // The simd decoder works in place and leaves the buffer unspecified: decode a copy, so the
    // body is still there to keep when the update does not fit.
    let mut bytes = body.to_vec();
    let error = match telegram_types::json::from_slice::<Update>(&mut bytes) {
        Ok(update) => return Some(Ok(update)),
        Err(error) => error,
    };
    let (update_id, raw) = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(raw) => {
            raw.get("update_id")?;
            (update_id_of(&raw), raw)
        }
        // Valid grammar serde_json refuses (nesting past its limit, a lone surrogate, 1e400):
        // still an update when the scanner finds its id; kept as text, as polling keeps it.
        Err(_) => {
            let id = update_id_in(body)?;
            let text = String::from_utf8_lossy(body).into_owned();
            (Some(id), serde_json::Value::String(text))
        }
    };
    // The decode error's Display is one level; its source says what did not fit.
    let error = std::error::Error::source(&error)
        .map_or_else(|| error.to_string(), |cause| format!("{error}: {cause}"));
    Some(Err(MalformedUpdate {
        update_id,
        error,
        raw,
    }))
}

/// Hands an update that could not be decoded to the error handlers, as
/// [`HandlerError::Malformed`], with a stand-in [`Update`]: its id (0 when unreadable) and its
/// first key besides `update_id` as an [`UpdateKind::Unknown`] holding that key's raw value.
/// Both sources do this, so a bot sees a malformed update the same way whichever way it came.
pub(crate) async fn report_malformed<S: Send + Sync + 'static>(
    app: &Application<S>,
    malformed: MalformedUpdate,
) {
    tracing::warn!(error = %malformed, "an update could not be decoded; reporting it");
    let (kind, raw) = malformed
        .raw
        .as_object()
        .and_then(|object| object.iter().find(|(key, _)| *key != "update_id"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .unwrap_or_default();
    let update = Update {
        update_id: malformed.update_id.unwrap_or_default(),
        kind: UpdateKind::Unknown {
            kind,
            raw: Box::new(raw),
        },
    };
    app.route_error(Arc::new(update), HandlerError::Malformed(malformed))
        .await;
}

/// What to do after a failed call to Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The long poll timed out on our side: ask again at once.
    Timeout,
    /// Flood control: wait this long.
    RetryAfter(std::time::Duration),
    /// 401 / 404: the token is wrong; stop.
    InvalidToken,
    /// 409: another poller or a webhook; stop.
    Conflict,
    /// Anything else: back off and try again.
    Transient,
}

impl Failure {
    pub(crate) fn classify(error: &Error) -> Failure {
        if let Some(wait) = error.retry_after() {
            return Failure::RetryAfter(wait);
        }
        match error.error_code() {
            Some(401) | Some(404) => return Failure::InvalidToken,
            Some(409) => return Failure::Conflict,
            _ => {}
        }
        match error {
            Error::Transport(transport) if transport.is_timeout() => Failure::Timeout,
            _ => Failure::Transient,
        }
    }
}
