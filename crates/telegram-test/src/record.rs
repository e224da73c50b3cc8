//! What the fake server remembers about each API call it received: [`RecordedRequest`] and its
//! uploaded [`RecordedFile`]s. Recording happens in `http`; waiting for records lives in `waits`.

use std::time::Instant;

use bytes::Bytes;
use serde_json::Value;

use crate::fault::Fault;

/// One API call as the fake server received it.
///
/// `params` is always a JSON object. JSON bodies are kept as sent. Query-string, form and
/// multipart text fields arrive as strings; values that look like JSON objects, arrays or
/// booleans are parsed, and so are integers in id-like fields (`chat_id`, `message_id`,
/// `offset`, …) — see [`FakeBotApi`](crate::FakeBotApi) for the exact rule. Text-like fields
/// (`text`, `caption`, `data`, `query`, …) always stay strings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method name as the client spelled it in the URL (`sendMessage`).
    pub method: String,
    /// The call's parameters, a JSON object.
    pub params: Value,
    /// Files uploaded as multipart parts, in arrival order.
    pub files: Vec<RecordedFile>,
    /// The HTTP version the request came in with.
    pub http_version: http::Version,
    /// When the request arrived, on tokio's clock (virtual under paused time).
    pub received_at: Instant,
    /// The fault injected into this call, if any.
    pub fault: Option<Fault>,
    /// The HTTP status answered; `None` while the call is still running (a long poll).
    pub status: Option<u16>,
    /// The JSON envelope answered (`{"ok":…}`); `None` while running or when no body was sent.
    pub response: Option<Value>,
}

impl RecordedRequest {
    /// The `text` parameter, if it is a string.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        self.str_param("text")
    }

    /// The `chat_id` parameter as a number (a numeric string is accepted too).
    #[must_use]
    pub fn chat_id(&self) -> Option<i64> {
        self.int_param("chat_id")
    }

    /// A parameter by name.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }

    /// A string parameter by name.
    #[must_use]
    pub fn str_param(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Value::as_str)
    }

    /// An integer parameter by name; a numeric string is accepted too.
    #[must_use]
    pub fn int_param(&self, name: &str) -> Option<i64> {
        match self.params.get(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// The uploaded file in the multipart part named `field`.
    #[must_use]
    pub fn file(&self, field: &str) -> Option<&RecordedFile> {
        self.files.iter().find(|f| f.field == field)
    }

    /// The `result` of the answer, when the call succeeded.
    #[must_use]
    pub fn result(&self) -> Option<&Value> {
        self.response.as_ref()?.get("result")
    }
}

/// A file uploaded in a multipart request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedFile {
    /// The multipart field (part) name.
    pub field: String,
    /// The file name the client gave, if any.
    pub file_name: Option<String>,
    /// The part's content type, if any.
    pub content_type: Option<String>,
    /// The file's bytes.
    pub data: Bytes,
}
