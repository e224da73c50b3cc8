//! [`SimUser`]: a simulated person who sends the bot messages, edits them, presses inline
//! buttons and asks inline queries. Each action enqueues an update like Telegram would.

use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::entities::entities_for;
use super::SimChat;
use crate::chats::unix_now;
use crate::state::Data;
use crate::FakeBotApi;

/// A simulated user, made by [`FakeBotApi::user`]. Cheap to clone.
///
/// The user posts in its private chat with the bot, or in a group after
/// [`in_chat`](Self::in_chat). Every action enqueues one update and returns the object inside it
/// (the `Message`, `CallbackQuery` or `InlineQuery` JSON), so tests can refer to it later.
#[derive(Debug, Clone)]
pub struct SimUser {
    pub(crate) server: FakeBotApi,
    pub(crate) user: Value,
    pub(crate) chat: Value,
}

impl SimUser {
    /// Blocks the bot: its sends to this user fail with 403 `Forbidden: bot was blocked by
    /// the user`, as Telegram answers.
    pub fn block_bot(&self) {
        self.server
            .refuse_chat(self.id(), "Forbidden: bot was blocked by the user");
    }

    /// Deletes the account: sends to this user fail with 403 `Forbidden: user is deactivated`.
    pub fn deactivate(&self) {
        self.server
            .refuse_chat(self.id(), "Forbidden: user is deactivated");
    }

    /// The user id (stable: derived from the name).
    #[must_use]
    pub fn id(&self) -> i64 {
        self.user
            .get("id")
            .and_then(Value::as_i64)
            .unwrap_or_default()
    }

    /// The `User` object updates carry in `from`.
    #[must_use]
    pub fn user(&self) -> &Value {
        &self.user
    }

    /// The chat this user posts in.
    #[must_use]
    pub fn chat(&self) -> &Value {
        &self.chat
    }

    /// The id of the chat this user posts in (its own id for the private chat).
    #[must_use]
    pub fn chat_id(&self) -> i64 {
        self.chat
            .get("id")
            .and_then(Value::as_i64)
            .unwrap_or_default()
    }

    /// The same user posting in `chat` instead.
    #[must_use]
    pub fn in_chat(&self, chat: &SimChat) -> SimUser {
        SimUser {
            server: self.server.clone(),
            user: self.user.clone(),
            chat: chat.chat.clone(),
        }
    }

    /// Sends `text`; enqueues a `message` update and returns the message. Text starting with
    /// `/` gets a `bot_command` entity.
    pub async fn send_text(&self, text: impl Into<String>) -> Value {
        self.post(text.into(), None)
    }

    /// Sends `text` as a reply to `message`; enqueues a `message` update and returns it.
    pub async fn reply_to(&self, message: &Value, text: impl Into<String>) -> Value {
        self.post(text.into(), Some(message))
    }

    fn post(&self, text: String, reply_to: Option<&Value>) -> Value {
        self.enqueue_message(|message, _| {
            let entities = entities_for(&text);
            message.insert("text".to_owned(), Value::String(text));
            if !entities.is_empty() {
                message.insert("entities".to_owned(), Value::Array(entities));
            }
            if let Some(original) = reply_to {
                message.insert("reply_to_message".to_owned(), original.clone());
            }
        })
    }

    /// Sends a small photo (fake JPEG bytes the bot can download); returns the message.
    pub async fn send_photo(&self) -> Value {
        const FAKE_JPEG: &[u8] = &[
            0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9,
        ];
        self.enqueue_message(|message, data| {
            let file = data.files.insert(
                "photos",
                Bytes::from_static(FAKE_JPEG),
                None,
                Some("image/jpeg".to_owned()),
            );
            message.insert(
                "photo".to_owned(),
                json!([{
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "file_size": file.data.len(),
                    "width": 1,
                    "height": 1,
                }]),
            );
        })
    }

    /// Sends a document with these bytes (the bot can download them); returns the message.
    pub async fn send_document(
        &self,
        file_name: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Value {
        let file_name = file_name.into();
        let bytes = bytes.into();
        self.enqueue_message(|message, data| {
            let file = data
                .files
                .insert("documents", bytes, Some(file_name.clone()), None);
            message.insert(
                "document".to_owned(),
                json!({
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "file_name": file_name,
                    "file_size": file.data.len(),
                }),
            );
        })
    }

    /// Creates a message from this user in its chat, lets `fill` add content, stores it and
    /// enqueues it as a `message` update.
    fn enqueue_message(&self, fill: impl FnOnce(&mut Map<String, Value>, &mut Data)) -> Value {
        let chat_id = self.chat_id();
        self.server.state().update(|data| {
            let mut message = data
                .chats
                .new_message(chat_id, &self.user)
                .unwrap_or_default();
            fill(&mut message, data);
            let message = Value::Object(message);
            data.chats.store(&message);
            data.updates.push(json!({"message": message}));
            message
        })
    }

    /// Edits this user's `message` to `text`; enqueues an `edited_message` update and returns the
    /// edited message.
    pub async fn edit_text(&self, message: &Value, text: impl Into<String>) -> Value {
        let text = text.into();
        let mut edited = message.clone();
        if let Value::Object(map) = &mut edited {
            map.remove("entities");
            let entities = entities_for(&text);
            if !entities.is_empty() {
                map.insert("entities".to_owned(), Value::Array(entities));
            }
            map.insert("text".to_owned(), Value::String(text));
            map.insert("edit_date".to_owned(), Value::from(unix_now()));
        }
        self.server.state().update(|data| {
            data.chats.store(&edited);
            data.updates.push(json!({"edited_message": edited}));
        });
        edited
    }

    /// Presses an inline button with callback `data` under the bot's `message`; enqueues a
    /// `callback_query` update and returns the query. The query carries the message as the server
    /// stores it now (after any edits), like Telegram.
    pub async fn press_button(&self, message: &Value, data: impl Into<String>) -> Value {
        let data = data.into();
        self.server.state().update(|store| {
            let chat_id = message.pointer("/chat/id").and_then(Value::as_i64).unwrap_or_default();
            let current = message
                .get("message_id")
                .and_then(Value::as_i64)
                .and_then(|id| store.chats.message(chat_id, id))
                .cloned()
                .unwrap_or_else(|| message.clone());
            let query = json!({
                "id": format!("{}", 4_000_000_000_000_000_u64 + store.next_serial()),
                "from": self.user,
                "message": current,
                "chat_instance": format!("{}", chat_id.unsigned_abs().wrapping_mul(31).wrapping_add(7)),
                "data": data,
            });
            store.updates.push(json!({"callback_query": query}));
            query
        })
    }

    /// Asks the bot an inline query; enqueues an `inline_query` update and returns the query.
    pub async fn inline_query(&self, query: impl Into<String>) -> Value {
        let query = query.into();
        self.server.state().update(|data| {
            let inline = json!({
                "id": format!("{}", 5_000_000_000_000_000_u64 + data.next_serial()),
                "from": self.user,
                "query": query,
                "offset": "",
                "chat_type": "sender",
            });
            data.updates.push(json!({"inline_query": inline}));
            inline
        })
    }
}
