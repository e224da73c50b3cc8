//! Webhook delivery: while a webhook is set, a background task POSTs each pending update, oldest
//! first and one at a time, to its URL (plain HTTP; `https://` URLs are not supported), with
//! `X-Telegram-Bot-Api-Secret-Token` when a secret is set. An update is dropped only after a 2xx
//! answer; otherwise the error is kept for `getWebhookInfo` and delivery is retried later.
//! The `setWebhook` family of methods lives in `api::updates`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::Request;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::chats::unix_now;
use crate::error::WaitError;
use crate::state::State;

/// The header carrying the webhook secret.
pub(crate) const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// How long one delivery attempt may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook set with `setWebhook`.
#[derive(Debug, Clone)]
pub(crate) struct WebhookConfig {
    pub(crate) url: String,
    pub(crate) secret_token: Option<String>,
    pub(crate) max_connections: u32,
    /// When and why the last delivery failed.
    pub(crate) last_error: Option<(i64, String)>,
}

/// Delivers updates until the server shuts down.
pub(crate) async fn run(state: Arc<State>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    loop {
        let job = state
            .wait_until(
                || "a webhook delivery".to_owned(),
                Duration::from_secs(3600),
                |data| {
                    let hook = data.webhook.as_ref()?;
                    let update = data.updates.peek(1).into_iter().next()?;
                    Some((hook.url.clone(), hook.secret_token.clone(), update))
                },
            )
            .await;
        let (url, secret, update) = match job {
            Ok(job) => job,
            Err(WaitError::Timeout { .. }) => continue,
            Err(_) => return,
        };
        let error = match deliver(&client, &url, secret.as_deref(), update.json).await {
            Ok(()) => {
                state.update(|data| data.updates.remove(update.id));
                continue;
            }
            Err(error) => error,
        };
        tracing::debug!(%url, %error, "fake Bot API: webhook delivery failed; will retry");
        state.update(|data| {
            if let Some(hook) = data.webhook.as_mut() {
                hook.last_error = Some((unix_now(), error));
            }
        });
        tokio::select! {
            () = tokio::time::sleep(state.webhook_retry_delay) => {}
            () = state.shutdown.cancelled() => return,
        }
    }
}

/// One POST; `Err` carries the `last_error_message`.
async fn deliver(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: &str,
    secret: Option<&str>,
    body: String,
) -> Result<(), String> {
    let mut request = Request::post(url).header(CONTENT_TYPE, "application/json");
    if let Some(secret) = secret {
        request = request.header(SECRET_HEADER, secret);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("Bad webhook URL: {e}"))?;
    let response = tokio::time::timeout(DELIVERY_TIMEOUT, client.request(request))
        .await
        .map_err(|_| "Connection timed out".to_owned())?
        .map_err(|e| format!("Connection failed: {e}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("Wrong response from the webhook: {status}"))
    }
}
