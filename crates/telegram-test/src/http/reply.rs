//! Building HTTP answers: the `{"ok":…}` envelope, error bodies, file downloads, and the slowly
//! streamed body of the `SlowBody` fault.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use serde_json::{json, Value};

/// The response body type of the fake server.
pub(crate) type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Bytes per chunk when a body is streamed slowly.
const SLOW_CHUNK: usize = 64;

/// An error envelope: `{"ok":false,"error_code":…,"description":…[,"parameters":{"retry_after":…}]}`.
pub(crate) fn failure(code: u16, description: &str, retry_after: Option<u32>) -> Value {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let (Some(seconds), Value::Object(map)) = (retry_after, &mut body) {
        map.insert("parameters".to_owned(), json!({"retry_after": seconds}));
    }
    body
}

/// A JSON answer with this status, streamed slowly when `chunk_delay` is set.
pub(crate) fn json(status: u16, body: String, chunk_delay: Option<Duration>) -> Response<Body> {
    let bytes = Bytes::from(body);
    let len = bytes.len();
    let body = match chunk_delay {
        None => Full::new(bytes).boxed_unsync(),
        Some(delay) => slow(bytes, delay),
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

/// A JSON error answer with the status equal to `code`.
pub(crate) fn error(code: u16, description: &str) -> Response<Body> {
    json(code, failure(code, description, None).to_string(), None)
}

/// A file download.
pub(crate) fn file(data: Bytes, content_type: Option<&str>) -> Response<Body> {
    let len = data.len();
    let mut response = Response::new(Full::new(data).boxed_unsync());
    let content_type = content_type
        .and_then(|ct| HeaderValue::from_str(ct).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

/// A body that yields `SLOW_CHUNK`-byte chunks, sleeping `delay` before each.
fn slow(bytes: Bytes, delay: Duration) -> Body {
    let stream = futures_util::stream::unfold(bytes, move |mut rest| async move {
        if rest.is_empty() {
            return None;
        }
        tokio::time::sleep(delay).await;
        let chunk = rest.split_to(rest.len().min(SLOW_CHUNK));
        Some((Ok::<_, Infallible>(Frame::data(chunk)), rest))
    });
    StreamBody::new(stream).boxed_unsync()
}
