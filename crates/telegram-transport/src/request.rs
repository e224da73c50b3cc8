//! [`Request`]: a payload on its way, with the client that will send it.
//!
//! `bot.send_message(chat, "hi")` returns a `Request<SendMessage>`; the generated setters
//! (`.parse_mode(..)`, one per optional parameter) work on it whatever the client, and it is
//! sent by `.await` (async [`Bot`]) or by `.send()` (`blocking::Bot`).

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use crate::bot::Bot;
use crate::error::Error;
use crate::payload::Payload;

/// A payload and the client that will send it; set optional parameters, then `.await` it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), telegram_transport::Error> {
/// use telegram_transport::{Bot, MockTransport};
/// use telegram_types::ParseMode;
///
/// let mock = MockTransport::new();
/// mock.respond("sendMessage", serde_json::json!({
///     "message_id": 7, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "hi"
/// }));
/// let bot = Bot::with_transport("123:abc", mock.clone());
/// let request = bot.send_message(42, "<b>hi</b>").parse_mode(ParseMode::Html);
/// assert_eq!(request.as_payload().text, "<b>hi</b>");
/// let sent = request.await?;
/// assert_eq!(sent.message_id, 7);
/// assert_eq!(mock.calls()[0].params["parse_mode"], "HTML");
/// # Ok(())
/// # }
/// ```
///
/// # Cancel safety
///
/// Dropping the future before it completes abandons the call, which Telegram may or may not
/// have executed.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is awaited (or sent, for a blocking bot)"]
pub struct Request<P, C = Bot> {
    client: C,
    pub(crate) payload: P,
    timeout: Option<Duration>,
}

impl<P, C> Request<P, C> {
    /// A request sending `payload` through `client`.
    pub fn new(client: C, payload: P) -> Self {
        Request {
            client,
            payload,
            timeout: None,
        }
    }

    /// The payload as it stands.
    pub fn as_payload(&self) -> &P {
        &self.payload
    }

    /// The payload, to change it in place.
    pub fn as_payload_mut(&mut self) -> &mut P {
        &mut self.payload
    }

    /// The payload, dropping the client.
    pub fn into_payload(self) -> P {
        self.payload
    }

    /// The client that will send the request.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// How long this call may take (each attempt), instead of the transport's default.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub(crate) fn into_parts(self) -> (C, P, Option<Duration>) {
        (self.client, self.payload, self.timeout)
    }
}

/// The future of an awaited [`Request`].
pub type RequestFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

impl<P: Payload> IntoFuture for Request<P, Bot> {
    type Output = Result<P::Response, Error>;
    type IntoFuture = RequestFuture<P::Response>;

    fn into_future(self) -> Self::IntoFuture {
        let (bot, payload, timeout) = self.into_parts();
        Box::pin(async move { crate::bot::execute(&bot, &payload, P::decode, timeout).await })
    }
}
