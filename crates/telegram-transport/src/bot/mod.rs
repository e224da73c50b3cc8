//! [`Bot`]: the typed Bot API client over any [`Transport`].
//!
//! This file holds the handle and its configuration; `execute.rs` sends one call (encoding,
//! retries, decoding), `encode.rs` turns a payload into a JSON or multipart body, `download.rs`
//! streams files. The one-method-per-API-method surface is generated (`src/generated/`).

mod download;
mod encode;
mod execute;

use std::fmt;
use std::sync::Arc;

use telegram_types::Method;

pub(crate) use execute::{execute, send_unlimited};

use crate::error::Error;
use crate::flood::{Limits, RateLimiter};
use crate::hyper_transport::HyperTransport;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The default API server.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

/// A Telegram bot: its token and the transport that carries its calls.
///
/// Cheap to clone (an `Arc` inside); clones share the transport and its connection pool.
/// Every API method is a method here, named in snake_case, taking the required parameters;
/// optional ones are set on the returned [`Request`](crate::Request), which is sent when
/// awaited. `Debug` never prints the token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), telegram_transport::Error> {
/// use telegram_transport::{Bot, MockTransport};
///
/// let mock = MockTransport::new();
/// mock.respond("getMe", serde_json::json!({"id": 1, "is_bot": true, "first_name": "Echo"}));
/// let bot = Bot::with_transport("123:abc", mock);
/// let me = bot.get_me().await?;
/// assert_eq!(me.first_name, "Echo");
/// assert_eq!(format!("{bot:?}"), r#"Bot { api_url: "https://api.telegram.org", .. }"#);
/// # Ok(())
/// # }
/// ```
///
/// # Retries
///
/// By default a 429 is repeated after its `retry_after`, and a 5xx answer or a connection
/// failure of a method safe to repeat ([`SAFE_TO_REPEAT`](crate::SAFE_TO_REPEAT): `get*`,
/// `answer*`, `edit*`, `set*`, `delete*`, …) after a backoff; sends are repeated only when the
/// [`RetryPolicy`] opts in. See it for the limits.
#[derive(Clone)]
pub struct Bot {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    token: String,
    api_url: String,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    limiter: Option<Arc<RateLimiter>>,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("api_url", &self.inner.api_url)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// A bot talking to `api.telegram.org` through a default [`HyperTransport`].
    pub fn new(token: impl Into<String>) -> Self {
        Self::with_transport(token, HyperTransport::new())
    }

    /// A bot using `transport`.
    pub fn with_transport(token: impl Into<String>, transport: impl Transport) -> Self {
        Self::with_shared_transport(token, Arc::new(transport))
    }

    /// A bot using a transport shared with other bots.
    pub fn with_shared_transport(token: impl Into<String>, transport: Arc<dyn Transport>) -> Self {
        Bot {
            inner: Arc::new(Inner {
                token: token.into(),
                api_url: DEFAULT_API_URL.to_owned(),
                transport,
                retry: RetryPolicy::default(),
                limiter: None,
            }),
        }
    }

    /// Sends requests to another API server (a local Bot API server, a fake one in tests):
    /// calls go to `{api_url}/bot{token}/{method}`, files to `{api_url}/file/bot{token}/{path}`.
    #[must_use]
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        let url: String = api_url.into();
        Arc::make_mut(&mut self.inner).api_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// Replaces the retry policy (default: [`RetryPolicy::default`]).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        Arc::make_mut(&mut self.inner).retry = policy;
        self
    }

    /// Passes every call through a new [`RateLimiter`] enforcing `limits` (default: none).
    ///
    /// Sends and edits wait for their chat's and the global bucket; a 429 freezes only the
    /// chat of the call that got it, and the call is repeated by the [`RetryPolicy`]. See
    /// [`RateLimiter`] for the details.
    ///
    /// ```
    /// use telegram_transport::{Bot, Limits};
    ///
    /// let bot = Bot::new("123:abc").with_rate_limit(Limits::telegram());
    /// assert!(bot.rate_limiter().is_some());
    /// ```
    #[must_use]
    pub fn with_rate_limit(self, limits: Limits) -> Self {
        self.with_rate_limiter(Arc::new(RateLimiter::new(limits)))
    }

    /// Passes every call through `limiter`, which other bots (of the same token) may share.
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        Arc::make_mut(&mut self.inner).limiter = Some(limiter);
        self
    }

    /// The rate limiter calls pass through, if any.
    pub fn rate_limiter(&self) -> Option<&Arc<RateLimiter>> {
        self.inner.limiter.as_ref()
    }

    /// The bot's token.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// The API server's base URL.
    pub fn api_url(&self) -> &str {
        &self.inner.api_url
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Sends any payload and decodes its [`Method::Output`].
    ///
    /// The typed methods (`bot.send_message(..)`) are the usual way; `call` takes a payload
    /// built beforehand. For `getUpdates` it decodes the whole batch strictly; the typed
    /// `bot.get_updates()` keeps a malformed update as an `Err` entry instead.
    ///
    /// # Errors
    ///
    /// See [`Error`]: an API error, a transport failure, an undecodable body.
    pub async fn call<P: Method>(&self, payload: P) -> Result<P::Output, Error> {
        execute(
            self,
            &payload,
            crate::payload::decode_envelope::<P::Output>,
            None,
        )
        .await
    }

    pub(crate) fn method_url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.inner.api_url, self.inner.token)
    }

    pub(crate) fn file_url(&self, path: &str) -> String {
        format!(
            "{}/file/bot{}/{}",
            self.inner.api_url,
            self.inner.token,
            path.trim_start_matches('/')
        )
    }
}
