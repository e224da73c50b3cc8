//! [`SimChat`]: a simulated supergroup users can post in.

use serde_json::Value;

use crate::FakeBotApi;

/// A simulated supergroup, made by [`FakeBotApi::group`]. Users post in it through
/// [`SimUser::in_chat`](crate::SimUser::in_chat).
#[derive(Debug, Clone)]
pub struct SimChat {
    pub(crate) server: FakeBotApi,
    pub(crate) chat: Value,
}

impl SimChat {
    /// The chat id (negative, `-100…` like a real supergroup).
    #[must_use]
    pub fn id(&self) -> i64 {
        self.chat
            .get("id")
            .and_then(Value::as_i64)
            .unwrap_or_default()
    }

    /// The `Chat` object as updates carry it.
    #[must_use]
    pub fn chat(&self) -> &Value {
        &self.chat
    }

    /// The chat's title (the name it was made with).
    #[must_use]
    pub fn title(&self) -> &str {
        self.chat
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The server this chat lives on.
    #[must_use]
    pub fn server(&self) -> &FakeBotApi {
        &self.server
    }
}
