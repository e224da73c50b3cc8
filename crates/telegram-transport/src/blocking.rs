//! [`blocking::Bot`](Bot): the same methods as the async [`Bot`](crate::Bot), sent by
//! [`Request::send`] on a small runtime the blocking bot owns. For scripts and programs without
//! an async runtime; inside one, use the async bot (a blocking call there is refused with
//! [`Error::BlockingInsideRuntime`] rather than stalling the runtime).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use telegram_types::{File, Method};
use tokio::runtime::Runtime;

use crate::error::Error;
use crate::payload::Payload;
use crate::request::Request;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// A bot whose calls block: `bot.send_message(42, "hi").send()?`.
///
/// Cheap to clone; clones share the runtime (one worker thread driving the connections) and
/// the transport.
///
/// ```
/// use telegram_transport::{blocking, MockTransport};
///
/// let mock = MockTransport::new();
/// mock.respond("getMe", serde_json::json!({"id": 1, "is_bot": true, "first_name": "Echo"}));
/// let bot = blocking::Bot::with_transport("123:abc", mock)?;
/// assert_eq!(bot.get_me().send()?.first_name, "Echo");
/// # Ok::<(), telegram_transport::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Bot {
    bot: crate::Bot,
    runtime: Arc<OwnedRuntime>,
}

/// The runtime, shut down without blocking when the last clone goes (dropping a runtime the
/// usual way inside an async context panics).
#[derive(Debug)]
struct OwnedRuntime(Option<Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Bot {
    /// A blocking bot talking to `api.telegram.org` through the default transport.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the runtime could not start.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        Self::from_async(crate::Bot::new(token))
    }

    /// A blocking bot using `transport`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the runtime could not start.
    pub fn with_transport(
        token: impl Into<String>,
        transport: impl Transport,
    ) -> Result<Self, Error> {
        Self::from_async(crate::Bot::with_transport(token, transport))
    }

    /// A blocking bot sending through `bot`'s transport and configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the runtime could not start.
    pub fn from_async(bot: crate::Bot) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("telegram-blocking")
            .enable_all()
            .build()
            .map_err(Error::Io)?;
        Ok(Bot {
            bot,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// Sends requests to another API server; see [`crate::Bot::with_api_url`].
    #[must_use]
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.bot = self.bot.with_api_url(api_url);
        self
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.bot = self.bot.with_retry_policy(policy);
        self
    }

    /// The async bot underneath.
    pub fn as_async(&self) -> &crate::Bot {
        &self.bot
    }

    /// Sends any payload; see [`crate::Bot::call`].
    ///
    /// # Errors
    ///
    /// As [`crate::Bot::call`], plus [`Error::BlockingInsideRuntime`].
    pub fn call<P: Method>(&self, payload: P) -> Result<P::Output, Error> {
        self.block_on(self.bot.call(payload))?
    }

    /// Downloads `file` into `writer`; see [`crate::Bot::download`].
    ///
    /// # Errors
    ///
    /// As [`crate::Bot::download`], plus [`Error::BlockingInsideRuntime`].
    pub fn download(&self, file: &File, writer: impl std::io::Write + Unpin) -> Result<u64, Error> {
        let path = file.file_path.as_deref().ok_or(Error::MissingFilePath)?;
        self.download_path(path, writer)
    }

    /// Downloads the file at `file_path` into `writer`; see [`crate::Bot::download_path`].
    ///
    /// # Errors
    ///
    /// As [`crate::Bot::download_path`], plus [`Error::BlockingInsideRuntime`].
    pub fn download_path(
        &self,
        file_path: &str,
        writer: impl std::io::Write + Unpin,
    ) -> Result<u64, Error> {
        self.block_on(self.bot.download_path(file_path, SyncWriter(writer)))?
    }

    fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInsideRuntime);
        }
        let runtime = self
            .runtime
            .0
            .as_ref()
            .expect("the runtime lives until the last clone is dropped");
        Ok(runtime.block_on(future))
    }
}

/// A `std::io::Write` as an `AsyncWrite`: each chunk is written at once, blocking the blocking
/// bot's own thread (the one in `block_on`), which is what a blocking download means.
struct SyncWriter<W>(W);

impl<W: std::io::Write + Unpin> tokio::io::AsyncWrite for SyncWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.get_mut().0.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(self.get_mut().0.flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<P: Payload> Request<P, Bot> {
    /// Sends the request and waits for the answer.
    ///
    /// # Errors
    ///
    /// As awaiting the async request, plus [`Error::BlockingInsideRuntime`] when called from
    /// inside a tokio runtime.
    pub fn send(self) -> Result<P::Response, Error> {
        let (bot, payload, timeout) = self.into_parts();
        bot.block_on(crate::bot::execute(&bot.bot, &payload, P::decode, timeout))?
    }
}
