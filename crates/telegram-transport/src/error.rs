//! The errors of this crate: [`Error`], what a [`Bot`](crate::Bot) call can fail with, and
//! [`TransportError`], what a [`Transport`](crate::Transport) can fail with.
//!
//! Retry decisions read the classification, never the message text: [`Error::retry_after`],
//! [`Error::is_flood`], [`Error::is_retryable`], [`TransportError::kind`].

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

/// A boxed error from a lower layer (hyper, rustls, the file system), kept as the source.
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a Bot API call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Telegram answered `"ok": false`.
    #[error("telegram answered {error_code}: {description}")]
    Api {
        /// The error code (the HTTP status, as a rule; 0 when Telegram gave none).
        error_code: i64,
        /// Telegram's description, e.g. `"Forbidden: bot was blocked by the user"`.
        description: String,
        /// Flood control: how long to wait before repeating the request.
        retry_after: Option<Duration>,
        /// The group became this supergroup; repeat the request with this chat id.
        migrate_to_chat_id: Option<i64>,
    },
    /// The request did not complete: connect, TLS, timeout or I/O failure.
    #[error("transport failed")]
    Transport(#[from] TransportError),
    /// The response was not a Bot API answer of the expected shape. `body` is the raw body.
    #[error("cannot decode the {status} response")]
    Decode {
        /// Why decoding failed.
        #[source]
        error: telegram_types::json::Error,
        /// The HTTP status.
        status: u16,
        /// The body as received.
        body: Bytes,
    },
    /// The payload could not be encoded as JSON.
    #[error("cannot encode the request")]
    Encode(#[source] EncodeError),
    /// A local I/O failure: writing a download, starting the blocking bot's runtime.
    #[error("i/o failed")]
    Io(#[source] std::io::Error),
    /// [`telegram_types::File::file_path`] is missing: call `getFile` first.
    #[error("the file has no file_path; getFile returns one")]
    MissingFilePath,
    /// A blocking call was made from inside a tokio runtime, where blocking would stall it.
    #[error("the blocking bot cannot be used inside a tokio runtime; use the async Bot there")]
    BlockingInsideRuntime,
}

/// Why a payload could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The JSON layer refused the value.
    #[error(transparent)]
    Json(#[from] telegram_types::json::Error),
    /// serde_json refused the value (multipart path).
    #[error(transparent)]
    SerdeJson(#[from] serde_json::Error),
    /// A method's parameters must encode as a JSON object.
    #[error("the payload is not a JSON object")]
    NotAnObject,
}

impl Error {
    /// Builds [`Error::Api`] from the response envelope's error.
    pub fn from_response(error: telegram_types::ResponseError) -> Self {
        Error::Api {
            error_code: error.error_code,
            description: error.description,
            retry_after: error
                .retry_after
                .map(|secs| Duration::from_secs(secs.max(0).unsigned_abs())),
            migrate_to_chat_id: error.migrate_to_chat_id,
        }
    }

    /// The API error code, for [`Error::Api`].
    pub fn error_code(&self) -> Option<i64> {
        match self {
            Error::Api { error_code, .. } => Some(*error_code),
            _ => None,
        }
    }

    /// Flood control: how long Telegram asks to wait before repeating (a 429's `retry_after`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A 429 "Too Many Requests" answer.
    pub fn is_flood(&self) -> bool {
        self.error_code() == Some(429)
    }

    /// A 403 because the user blocked the bot.
    ///
    /// The Bot API has no code of its own for this: after the 403 is checked, the description
    /// is matched against Telegram's text ("bot was blocked by the user"), so a change in that
    /// wording would go unnoticed here.
    pub fn is_blocked_by_user(&self) -> bool {
        matches!(self, Error::Api { error_code: 403, description, .. }
            if description.contains("bot was blocked by the user"))
    }

    /// A 401: the token is wrong or revoked.
    pub fn is_unauthorized(&self) -> bool {
        self.error_code() == Some(401)
    }

    /// The group migrated to a supergroup: the new chat id.
    pub fn migrate_to_chat_id(&self) -> Option<i64> {
        match self {
            Error::Api {
                migrate_to_chat_id, ..
            } => *migrate_to_chat_id,
            _ => None,
        }
    }

    /// A server-side failure: an API error code or HTTP status of 500 or above.
    pub fn is_server_error(&self) -> bool {
        match self {
            Error::Api { error_code, .. } => *error_code >= 500,
            Error::Decode { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Whether repeating the same request may succeed: flood control (wait
    /// [`retry_after`](Self::retry_after) first), server errors and transport failures.
    ///
    /// Only a 429 says Telegram did not execute the call. After a server error or a broken
    /// connection the call may have gone through, so repeating a send may send twice.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_retryable(),
            _ => self.is_flood() || self.is_server_error(),
        }
    }
}

/// Why [`HyperTransportBuilder::build`](crate::HyperTransportBuilder::build) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// rustls refused the TLS configuration (a bad root certificate, no usable protocol).
    #[error("invalid tls configuration")]
    Tls(#[from] rustls::Error),
}

/// What a [`Transport`](crate::Transport) can fail with: one opaque error, classified by
/// [`kind`](Self::kind) so callers can decide about retries, with the lower-level cause as its
/// [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<Source>,
}

/// How a transport failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (DNS, refused, connect timeout): the request was not sent.
    Connect,
    /// The TLS handshake failed (bad certificate, no common protocol).
    Tls,
    /// The request or response did not complete in time; the call may have been executed.
    Timeout,
    /// The connection broke mid-exchange; the call may have been executed.
    Io,
    /// An upload's bytes could not be read (a missing file, a failing stream).
    Upload,
    /// The transport does not support this operation.
    Unsupported,
    /// Anything else (a malformed URL, an HTTP protocol error).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "cannot connect",
            TransportErrorKind::Tls => "tls handshake failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::Upload => "cannot read the upload",
            TransportErrorKind::Unsupported => "unsupported by the transport",
            TransportErrorKind::Other => "request failed",
        })
    }
}

impl TransportError {
    /// An error of `kind` caused by `source`.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            source: Some(source.into()),
        }
    }

    /// An error of `kind` with no further cause.
    pub fn from_kind(kind: TransportErrorKind) -> Self {
        TransportError { kind, source: None }
    }

    /// A timeout with no further cause.
    pub fn timeout() -> Self {
        Self::from_kind(TransportErrorKind::Timeout)
    }

    /// How the transport failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// [`TransportErrorKind::Connect`]: the request never left.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// [`TransportErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// [`TransportErrorKind::Tls`].
    pub fn is_tls(&self) -> bool {
        self.kind == TransportErrorKind::Tls
    }

    /// Whether a second attempt may succeed (connect, timeout and I/O failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64, description: &str) -> Error {
        Error::Api {
            error_code: code,
            description: description.to_owned(),
            retry_after: None,
            migrate_to_chat_id: None,
        }
    }

    #[test]
    fn classifies_api_errors() {
        assert!(api(403, "Forbidden: bot was blocked by the user").is_blocked_by_user());
        assert!(!api(403, "Forbidden: bot is not a member").is_blocked_by_user());
        assert!(api(429, "Too Many Requests").is_flood());
        assert!(api(429, "Too Many Requests").is_retryable());
        assert!(api(502, "Bad Gateway").is_retryable());
        assert!(!api(400, "Bad Request").is_retryable());
        assert!(api(401, "Unauthorized").is_unauthorized());
    }

    #[test]
    fn transport_errors_keep_their_kind_and_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = TransportError::new(TransportErrorKind::Connect, io);
        assert!(err.is_connect() && err.is_retryable());
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(err.to_string(), "cannot connect");
        assert!(Error::from(TransportError::timeout()).is_retryable());
    }
}
