//! The [`Transport`] trait, [`HyperTransport`] (the hyper + rustls default), and [`Bot`], the
//! typed Telegram Bot API client.
//!
//! # Brief overview
//!
//! - [`Bot`]: one method per API method (`bot.send_message(chat, "hi")`), generated from the
//!   spec; optional parameters are set on the returned [`Request`], sent when awaited. Any
//!   payload also goes through [`Bot::call`]. Files download with [`Bot::download`].
//! - [`Error`]: API errors keep `error_code`, `description`, `retry_after`,
//!   `migrate_to_chat_id`; transport failures are classified ([`TransportErrorKind`]); an
//!   undecodable body is kept.
//! - [`RateLimiter`]: opt-in flood control ([`Bot::with_rate_limit`] with [`Limits`]):
//!   per-chat and global buckets, sends and edits counted, a 429 freezing only its chat.
//! - [`RetryPolicy`]: 429s are retried after their `retry_after` by default; server errors
//!   only on request.
//! - [`Transport`]: moves one call (JSON or multipart body, timeout, long-poll flag) and returns
//!   the status and raw body. [`HyperTransport`] is the default: pooled, HTTP/2 by ALPN,
//!   TCP_NODELAY, bundled webpki roots, a separate pool for long polls. [`MockTransport`]
//!   records calls and answers from a script.
//! - [`blocking::Bot`]: the same methods for code without an async runtime.
//!
//! # Examples
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), telegram_transport::Error> {
//! use telegram_transport::{Bot, MockTransport};
//! use telegram_types::ParseMode;
//!
//! // `Bot::new(token)` talks to api.telegram.org; here a mock answers instead.
//! let mock = MockTransport::new();
//! mock.respond("sendMessage", serde_json::json!({
//!     "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "hi"
//! }));
//! let bot = Bot::with_transport("123:abc", mock);
//! let message = bot.send_message(42, "<b>hi</b>").parse_mode(ParseMode::Html).await?;
//! assert_eq!(message.chat.id, 42);
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | default | what it does |
//! | --- | --- | --- |
//! | `simd` | yes | decode responses through simd-json (`telegram-types/simd`) |
//! | `blocking` | yes | [`blocking::Bot`] |
//!
//! # Regenerating
//!
//! `src/generated/` (the `Bot` methods, the `Request` setters, the [`Payload`] impls) is
//! written by `cargo xtask codegen` from the Bot API spec; a test fails when it is stale.

#[cfg(feature = "blocking")]
pub mod blocking;
mod bot;
mod error;
mod flood;
mod generated;
mod hyper_transport;
mod mock;
mod payload;
mod request;
mod retry;
mod transport;

pub use async_trait::async_trait;
pub use bot::{Bot, DEFAULT_API_URL};
pub use error::{BuildError, EncodeError, Error, TransportError, TransportErrorKind};
pub use flood::{Limits, Rate, RateLimiter};
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
pub use mock::{MockTransport, RecordedCall, RecordedFile};
pub use payload::{decode_envelope, Decoded, Payload};
pub use request::{Request, RequestFuture};
pub use retry::{is_safe_to_repeat, Backoff, RetryPolicy, RetryPolicyBuilder, SAFE_TO_REPEAT};
pub use transport::{
    DownloadResponse, DownloadStream, EncodedMultipart, FilePart, Multipart, RequestBody,
    Transport, TransportRequest, TransportResponse,
};
