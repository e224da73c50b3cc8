//! [`MockTransport`]: records every call and answers from a script, for tests without a
//! network. For tests over real HTTP, use the fake server of `telegram-test`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::TryStreamExt;
use serde::Serialize;
use telegram_types::UploadSource;

use crate::error::{TransportError, TransportErrorKind};
use crate::transport::{RequestBody, Transport, TransportRequest, TransportResponse};

/// A transport that records calls and answers from a script, method by method.
///
/// Answers scripted for a method are used in order, once each; a call with none left gets a
/// 404 API error. Clones share the record and the script.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use telegram_transport::{Bot, MockTransport};
///
/// let mock = MockTransport::new();
/// mock.respond_error("sendMessage", 403, "Forbidden: bot was blocked by the user");
/// let bot = Bot::with_transport("123:abc", mock.clone());
/// let err = bot.send_message(42, "hi").await.unwrap_err();
/// assert!(err.is_blocked_by_user());
/// assert_eq!(mock.calls_to("sendMessage")[0].params["text"], "hi");
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<RecordedCall>,
    script: HashMap<String, VecDeque<Answer>>,
}

#[derive(Debug)]
enum Answer {
    Response(TransportResponse),
    Fail(TransportErrorKind),
}

/// A call the mock received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// The API method.
    pub method: String,
    /// The parameters: the JSON body, or the multipart text fields (each decoded as JSON when
    /// it is JSON, kept as a string otherwise).
    pub params: serde_json::Value,
    /// The uploaded files.
    pub files: Vec<RecordedFile>,
    /// The call's timeout, when it named one.
    pub timeout: Option<Duration>,
    /// Whether it was a long poll.
    pub long_poll: bool,
}

/// A file part the mock received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedFile {
    /// The part name (the parameter, or the attach name).
    pub name: String,
    /// The file name.
    pub file_name: String,
    /// The bytes.
    pub data: Bytes,
}

impl MockTransport {
    /// A mock with an empty script.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves usable data behind.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, method: &str, answer: Answer) {
        self.state()
            .script
            .entry(method.to_owned())
            .or_default()
            .push_back(answer);
    }

    /// Answers the next call to `method` with `{"ok": true, "result": result}`.
    ///
    /// # Panics
    ///
    /// `result` cannot be encoded as JSON.
    pub fn respond(&self, method: &str, result: impl Serialize) {
        let body = serde_json::json!({ "ok": true, "result": result });
        self.respond_raw(method, 200, body.to_string());
    }

    /// Answers the next call to `method` with an API error.
    pub fn respond_error(&self, method: &str, error_code: u16, description: &str) {
        let body = serde_json::json!({
            "ok": false, "error_code": error_code, "description": description
        });
        self.respond_raw(method, error_code, body.to_string());
    }

    /// Answers the next call to `method` with a 429 asking to wait `retry_after` seconds.
    pub fn respond_flood(&self, method: &str, retry_after: u32) {
        let body = serde_json::json!({
            "ok": false, "error_code": 429,
            "description": format!("Too Many Requests: retry after {retry_after}"),
            "parameters": { "retry_after": retry_after }
        });
        self.respond_raw(method, 429, body.to_string());
    }

    /// Answers the next call to `method` with this status and body, as is.
    pub fn respond_raw(&self, method: &str, status: u16, body: impl Into<Bytes>) {
        let response = TransportResponse {
            status,
            body: body.into(),
        };
        self.push(method, Answer::Response(response));
    }

    /// Fails the next call to `method` with a transport error of `kind`.
    pub fn fail(&self, method: &str, kind: TransportErrorKind) {
        self.push(method, Answer::Fail(kind));
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.state().calls.clone()
    }

    /// The calls to `method` so far, in order.
    pub fn calls_to(&self, method: &str) -> Vec<RecordedCall> {
        self.state()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }
}

#[async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        let (params, files) = read_body(request.body).await?;
        let answer = {
            let mut state = self.state();
            state.calls.push(RecordedCall {
                method: request.method.clone(),
                params,
                files,
                timeout: request.timeout,
                long_poll: request.long_poll,
            });
            state
                .script
                .get_mut(&request.method)
                .and_then(VecDeque::pop_front)
        };
        match answer {
            Some(Answer::Response(response)) => Ok(response),
            Some(Answer::Fail(kind)) => Err(TransportError::new(kind, "scripted failure")),
            None => {
                let body = serde_json::json!({
                    "ok": false, "error_code": 404,
                    "description": format!("Not Found: no scripted answer for {}", request.method)
                });
                Ok(TransportResponse {
                    status: 404,
                    body: body.to_string().into(),
                })
            }
        }
    }
}

async fn read_body(
    body: RequestBody,
) -> Result<(serde_json::Value, Vec<RecordedFile>), TransportError> {
    let multipart = match body {
        RequestBody::Json(bytes) => {
            let params = serde_json::from_slice(&bytes)
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
            return Ok((params, Vec::new()));
        }
        RequestBody::Multipart(multipart) => multipart,
    };
    let params = multipart
        .fields
        .into_iter()
        .map(|(name, text)| {
            let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
            (name, value)
        })
        .collect();
    let mut files = Vec::new();
    for part in multipart.files {
        let upload_error = |e: std::io::Error| TransportError::new(TransportErrorKind::Upload, e);
        let data = match part.source {
            UploadSource::Bytes(bytes) => bytes,
            UploadSource::Path(path) => tokio::fs::read(&path).await.map_err(upload_error)?.into(),
            UploadSource::Stream(stream) => {
                let stream = stream.take().ok_or_else(|| {
                    TransportError::new(TransportErrorKind::Upload, "stream already sent")
                })?;
                let chunks: Vec<Bytes> = stream.try_collect().await.map_err(upload_error)?;
                chunks.concat().into()
            }
        };
        files.push(RecordedFile {
            name: part.name,
            file_name: part.file_name,
            data,
        });
    }
    Ok((serde_json::Value::Object(params), files))
}
