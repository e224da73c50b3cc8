//! Webhook delivery, as Telegram does it: while a webhook is set, a background task POSTs the
//! pending updates (plain HTTP; `https://` URLs are not supported), with
//! `X-Telegram-Bot-Api-Secret-Token` when a secret is set.
//!
//! - At most `max_connections` (from `setWebhook`) requests are in flight at once.
//! - One chat's updates go one after another: the next waits until the previous request ended
//!   (updates of different chats go in parallel).
//! - An update leaves the queue only after a 2xx answer. A non-2xx answer, no answer within the
//!   delivery timeout or a connection that fails or closes without an answer is kept for
//!   `getWebhookInfo` and the update is redelivered after the retry delay, before any later
//!   update of its chat.
//! - A load balancer in front of several replicas is stood in for by
//!   [`FakeBotApi::balance_webhook`]: each attempt goes to one of its targets ([`Balance`]).
//!
//! Which update goes next and the counters live in `sender.rs`; the balancer in `balance.rs`;
//! the `setWebhook` family of methods in `api::updates`.

mod balance;
mod sender;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::Request;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::task::JoinSet;

pub use self::balance::Balance;
use self::balance::Balancer;
pub(crate) use self::sender::Sender;
pub use self::sender::WebhookStats;
use self::sender::{Job, Outcome};
use crate::error::WaitError;
use crate::state::State;
use crate::FakeBotApi;

/// The header carrying the webhook secret.
pub(crate) const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A webhook set with `setWebhook`.
#[derive(Debug, Clone)]
pub(crate) struct WebhookConfig {
    pub(crate) url: String,
    pub(crate) secret_token: Option<String>,
    pub(crate) max_connections: u32,
    /// When and why the last delivery failed.
    pub(crate) last_error: Option<(i64, String)>,
}

/// Starts requests as the sender allows until the server shuts down; each runs in a task of
/// its own (at most `max_connections` of them).
pub(crate) async fn run(state: Arc<State>) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut attempts = JoinSet::new();
    loop {
        let next = state.wait_until(
            || "a webhook delivery".to_owned(),
            Duration::from_secs(3600),
            |data| {
                data.sender
                    .next_job(&mut data.updates, data.webhook.as_ref())
            },
        );
        tokio::select! {
            job = next => match job {
                Ok(job) => {
                    attempts.spawn(attempt(Arc::clone(&state), client.clone(), job));
                }
                Err(WaitError::Timeout { .. }) => {}
                Err(_) => return,
            },
            Some(_) = attempts.join_next(), if !attempts.is_empty() => {}
        }
    }
}

/// One request, then its bookkeeping; a failed update's chat stays blocked for the retry
/// delay, then the update is the next of its chat to go.
async fn attempt(state: Arc<State>, client: HttpClient, job: Job) {
    let outcome = post(&client, &job).await;
    let failed = state.update(|data| {
        data.sender
            .finish(&job, outcome, &mut data.updates, data.webhook.as_mut())
    });
    if failed {
        tokio::select! {
            () = tokio::time::sleep(state.webhook_retry_delay) => {}
            () = state.shutdown.cancelled() => return,
        }
        state.update(|data| data.sender.retry(&job));
    }
}

/// One POST of `job`'s update.
async fn post(client: &HttpClient, job: &Job) -> Outcome {
    let mut request = Request::post(&job.url).header(CONTENT_TYPE, "application/json");
    if let Some(secret) = &job.secret {
        request = request.header(SECRET_HEADER, secret);
    }
    let request = match request.body(Full::new(Bytes::from(job.body.clone()))) {
        Ok(request) => request,
        Err(error) => return Outcome::ConnectionFailed(format!("bad webhook URL: {error}")),
    };
    match tokio::time::timeout(job.timeout, client.request(request)).await {
        Err(_) => Outcome::TimedOut,
        Ok(Err(error)) => Outcome::ConnectionFailed(error.to_string()),
        Ok(Ok(response)) if response.status().is_success() => Outcome::Delivered,
        Ok(Ok(response)) => Outcome::Rejected(response.status().as_u16()),
    }
}

impl FakeBotApi {
    /// Stands in for a load balancer in front of several replicas of a bot: from now on each
    /// webhook delivery attempt (redeliveries included) goes to one of `targets`, picked as
    /// `balance` says, instead of the URL given to `setWebhook` (which still has to be set:
    /// it is the balancer's public address). No targets: back to the `setWebhook` URL.
    pub fn balance_webhook<I>(&self, targets: I, balance: Balance)
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let targets = targets.into_iter().map(Into::into).collect();
        self.state()
            .update(|data| data.sender.balancer = Balancer::new(targets, balance));
    }

    /// What the webhook sender did so far: attempts, deliveries, redeliveries and why
    /// attempts failed.
    #[must_use]
    pub fn webhook_stats(&self) -> WebhookStats {
        self.state().read().sender.stats()
    }
}
