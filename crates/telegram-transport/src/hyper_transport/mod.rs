//! [`HyperTransport`], the default [`Transport`]: hyper 1 through hyper-util's pooled client,
//! rustls with the bundled webpki roots, HTTP/2 by ALPN where offered, keep-alive, TCP_NODELAY,
//! and a separate pool for long polls. Its configuration lives in `builder.rs`.

mod builder;

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyDataStream, BodyExt, Empty, Full, StreamBody};
use hyper::body::Frame;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;

pub use builder::HyperTransportBuilder;

use crate::error::{TransportError, TransportErrorKind};
use crate::transport::{
    DownloadResponse, RequestBody, Transport, TransportRequest, TransportResponse,
};

type RequestBodyType = UnsyncBoxBody<Bytes, io::Error>;
type HttpsClient = Client<HttpsConnector<HttpConnector>, RequestBodyType>;

/// The default transport: hyper + rustls, pooled, HTTP/2 where the server offers it.
///
/// Cheap to clone (the pools are shared). Long polls (`getUpdates` with a timeout) go through
/// a pool of their own, so a 30-second poll never holds a connection `sendMessage` needs.
/// Plain `http://` URLs work too (a local Bot API server, the fake server of `telegram-test`).
///
/// ```
/// use telegram_transport::{Bot, HyperTransport};
///
/// let transport = HyperTransport::builder().pool_max_idle_per_host(8).build()?;
/// let bot = Bot::with_transport("123:abc", transport);
/// # let _ = bot;
/// # Ok::<(), telegram_transport::BuildError>(())
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: HttpsClient,
    long_poll: HttpsClient,
    request_timeout: Duration,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransport {
    /// The transport with the default configuration (see [`HyperTransportBuilder`]).
    pub fn new() -> Self {
        HyperTransportBuilder::default()
            .build()
            .expect("the default configuration is valid: ring supports the default protocols")
    }

    /// Starts a configuration.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    async fn exchange(
        &self,
        request: TransportRequest,
    ) -> Result<TransportResponse, TransportError> {
        let client = if request.long_poll {
            &self.long_poll
        } else {
            &self.client
        };
        let builder = hyper::Request::post(request.url.as_str());
        let http_request = match request.body {
            RequestBody::Json(bytes) => builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(http::header::CONTENT_LENGTH, bytes.len())
                .body(
                    Full::new(bytes)
                        .map_err(|never| match never {})
                        .boxed_unsync(),
                ),
            RequestBody::Multipart(multipart) => {
                let encoded = multipart.encode().await?;
                let mut builder =
                    builder.header(http::header::CONTENT_TYPE, encoded.content_type.as_str());
                if let Some(length) = encoded.content_length {
                    builder = builder.header(http::header::CONTENT_LENGTH, length);
                }
                builder.body(StreamBody::new(encoded.body.map_ok(Frame::data)).boxed_unsync())
            }
        }
        .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
        let response = client.request(http_request).await.map_err(classify)?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(classify_hyper)?
            .to_bytes();
        Ok(TransportResponse { status, body })
    }
}

#[async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        let timeout = request.timeout.unwrap_or(self.request_timeout);
        tokio::time::timeout(timeout, self.exchange(request))
            .await
            .map_err(|_| TransportError::timeout())?
    }

    async fn download(&self, url: String) -> Result<DownloadResponse, TransportError> {
        let request = hyper::Request::get(url.as_str())
            .body(Empty::new().map_err(|never| match never {}).boxed_unsync())
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
        let response = tokio::time::timeout(self.request_timeout, self.client.request(request))
            .await
            .map_err(|_| TransportError::timeout())?
            .map_err(classify)?;
        let status = response.status().as_u16();
        let body =
            BodyDataStream::new(response.into_body()).map(|chunk| chunk.map_err(classify_hyper));
        Ok(DownloadResponse {
            status,
            body: Box::pin(body),
        })
    }
}

/// Classifies an error of the pooled client.
fn classify(error: hyper_util::client::legacy::Error) -> TransportError {
    let fallback = if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Io
    };
    let kind = kind_of(&error, fallback);
    TransportError::new(kind, error)
}

/// Classifies an error of a response body.
fn classify_hyper(error: hyper::Error) -> TransportError {
    let kind = kind_of(&error, TransportErrorKind::Io);
    TransportError::new(kind, error)
}

/// Walks the source chain (and the errors wrapped inside `io::Error`s, which `source` skips):
/// TLS failures and failing upload bodies have their own kinds; anything else is `fallback`.
fn kind_of(error: &(dyn StdError + 'static), fallback: TransportErrorKind) -> TransportErrorKind {
    let mut pending: Vec<&(dyn StdError + 'static)> = vec![error];
    let mut kind = fallback;
    while let Some(e) = pending.pop() {
        if e.is::<rustls::Error>() {
            return TransportErrorKind::Tls;
        }
        if let Some(hyper_error) = e.downcast_ref::<hyper::Error>() {
            if hyper_error.is_user() {
                // The only user-side failure a well-formed request can meet: the body stream.
                kind = TransportErrorKind::Upload;
            }
            if hyper_error.is_timeout() {
                kind = TransportErrorKind::Timeout;
            }
        }
        if let Some(io_error) = e.downcast_ref::<io::Error>() {
            // A connect timeout stays `Connect`: the request never left.
            if io_error.kind() == io::ErrorKind::TimedOut
                && kind == fallback
                && fallback != TransportErrorKind::Connect
            {
                kind = TransportErrorKind::Timeout;
            }
            if let Some(inner) = io_error.get_ref() {
                pending.push(inner);
            }
        }
        if let Some(source) = e.source() {
            pending.push(source);
        }
    }
    kind
}
