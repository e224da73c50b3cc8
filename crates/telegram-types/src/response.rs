//! `Response<T>`: the envelope every Bot API answer comes in.

use serde::{Deserialize, Serialize};

use crate::ResponseParameters;

/// The Bot API's answer envelope: `{"ok": true, "result": …}` or
/// `{"ok": false, "error_code": …, "description": …, "parameters": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response<T> {
    /// Whether the request succeeded.
    pub ok: bool,
    /// The result, when `ok`.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub result: Option<T>,
    /// The error code, when not `ok` (the HTTP status, as a rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    /// A human-readable description of the error (or, rarely, of a success).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why the request failed and what to do: `retry_after`, `migrate_to_chat_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ResponseParameters>,
}

fn none<T>() -> Option<T> {
    None
}

/// A response with `ok: false`, or with `ok: true` but no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("telegram answered {error_code}: {description}")]
pub struct ResponseError {
    /// The error code (0 when Telegram gave none).
    pub error_code: i64,
    /// Telegram's description of the error.
    pub description: String,
    /// Seconds to wait before repeating the request (flood control).
    pub retry_after: Option<i64>,
    /// The supergroup the group migrated to.
    pub migrate_to_chat_id: Option<i64>,
}

impl<T> Response<T> {
    /// A successful response carrying `result`.
    pub fn success(result: T) -> Self {
        Response {
            ok: true,
            result: Some(result),
            error_code: None,
            description: None,
            parameters: None,
        }
    }

    /// The result, or the error the envelope describes.
    ///
    /// # Errors
    ///
    /// `ok` is false, or `ok` is true but the result is missing.
    pub fn into_result(self) -> Result<T, ResponseError> {
        match (self.ok, self.result) {
            (true, Some(result)) => Ok(result),
            (ok, _) => {
                let parameters = self.parameters.unwrap_or_default();
                Err(ResponseError {
                    error_code: self.error_code.unwrap_or(0),
                    description: self.description.unwrap_or_else(|| {
                        if ok {
                            "response has no result".to_owned()
                        } else {
                            "no description".to_owned()
                        }
                    }),
                    retry_after: parameters.retry_after,
                    migrate_to_chat_id: parameters.migrate_to_chat_id,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn error_envelope_keeps_its_parameters() {
        let mut body = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#.to_vec();
        let response: Response<bool> = json::from_slice(&mut body).unwrap();
        let err = response.into_result().unwrap_err();
        assert_eq!(err.error_code, 429);
        assert_eq!(err.retry_after, Some(3));
        assert_eq!(err.migrate_to_chat_id, None);
    }

    #[test]
    fn ok_without_result_is_an_error() {
        let mut body = br#"{"ok":true}"#.to_vec();
        let response: Response<bool> = json::from_slice(&mut body).unwrap();
        assert_eq!(
            response.into_result().unwrap_err().description,
            "response has no result"
        );
    }
}
