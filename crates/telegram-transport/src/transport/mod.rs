//! The [`Transport`] trait: moves one Bot API call and returns the raw answer.
//!
//! A transport knows nothing of methods' types: [`Bot`](crate::Bot) encodes the payload into a
//! [`TransportRequest`] and decodes the [`TransportResponse`]; retries are the bot's too. The
//! default is [`HyperTransport`](crate::HyperTransport); [`MockTransport`](crate::MockTransport)
//! scripts answers in tests. The multipart encoder ([`Multipart::encode`]) is here for any
//! transport to reuse.

mod multipart;

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;

pub use multipart::{EncodedMultipart, FilePart, Multipart};

use crate::error::{TransportError, TransportErrorKind};

/// Moves one Bot API call: sends the body to the URL and returns the status and the raw body.
///
/// Object safe: [`Bot`](crate::Bot) holds an `Arc<dyn Transport>`. Implement it to add
/// behaviour around the default (logging, metrics, a proxy) or to replace HTTP entirely:
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
/// use telegram_transport::{async_trait, Transport, TransportError, TransportRequest, TransportResponse};
///
/// #[derive(Debug)]
/// struct Timed<T>(T);
///
/// #[async_trait]
/// impl<T: Transport> Transport for Timed<T> {
///     async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
///         let (method, started) = (request.method.clone(), Instant::now());
///         let response = self.0.send(request).await;
///         tracing::info!(%method, elapsed = ?started.elapsed(), "api call");
///         response
///     }
/// }
/// ```
#[async_trait]
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends one API call and returns the HTTP status and body, whatever the status.
    ///
    /// # Errors
    ///
    /// The exchange did not complete; [`TransportError::kind`] says how.
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError>;

    /// Starts a file download (`GET url`) and returns the status and the body as a stream.
    ///
    /// The default answers [`TransportErrorKind::Unsupported`].
    ///
    /// # Errors
    ///
    /// The request did not complete; [`TransportError::kind`] says how.
    async fn download(&self, url: String) -> Result<DownloadResponse, TransportError> {
        let _ = url;
        Err(TransportError::from_kind(TransportErrorKind::Unsupported))
    }
}

/// One API call, as the transport moves it.
#[derive(Clone)]
pub struct TransportRequest {
    /// The API method name, e.g. `"sendMessage"` (for logs and metrics).
    pub method: String,
    /// The full URL, `{api_url}/bot{token}/{method}`. Holds the token: never log it.
    pub url: String,
    /// The parameters.
    pub body: RequestBody,
    /// How long the whole exchange may take; `None` means the transport's default.
    pub timeout: Option<Duration>,
    /// A long poll (`getUpdates` with a timeout): answered only when updates arrive or the poll
    /// times out, so it should not hold a connection other calls need.
    pub long_poll: bool,
}

impl fmt::Debug for TransportRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportRequest")
            .field("method", &self.method)
            .field("body", &self.body)
            .field("timeout", &self.timeout)
            .field("long_poll", &self.long_poll)
            .finish_non_exhaustive()
    }
}

/// The parameters of a call.
#[derive(Debug, Clone)]
pub enum RequestBody {
    /// `application/json`: the encoded payload.
    Json(Bytes),
    /// `multipart/form-data`: text fields and files.
    Multipart(Multipart),
}

impl RequestBody {
    /// Whether the body can be sent again: false when it streams an upload that is read once.
    pub fn is_replayable(&self) -> bool {
        match self {
            RequestBody::Json(_) => true,
            RequestBody::Multipart(m) => m.is_replayable(),
        }
    }
}

/// What came back: the HTTP status and the raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, as received.
    pub body: Bytes,
}

/// The body of a download, chunk by chunk.
pub type DownloadStream = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;

/// A download under way: the status and the body still to be read.
pub struct DownloadResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body.
    pub body: DownloadStream,
}

impl fmt::Debug for DownloadResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadResponse")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}
