//! Update sources: long polling (`polling.rs`; its backoff is `telegram_transport::Backoff`, the
//! one the bot's retries use) and the webhook server (`webhook.rs`). Each feeds updates to [`Application::process_update`](crate::Application).

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
use telegram_types::batch::MalformedUpdate;
use telegram_types::{Update, UpdateKind};

use crate::{Application, HandlerError};

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
