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

    /// Sends `text` in the forum topic `thread_id` of its chat (a topic message, as in a forum
    /// supergroup); returns the message.
    pub async fn send_text_in_topic(&self, thread_id: i64, text: impl Into<String>) -> Value {
        let text = text.into();
        self.enqueue_message(|message, _| {
            let entities = entities_for(&text);
            message.insert("text".to_owned(), Value::String(text));
            if !entities.is_empty() {
                message.insert("entities".to_owned(), Value::Array(entities));
            }
            message.insert("message_thread_id".to_owned(), json!(thread_id));
            message.insert("is_topic_message".to_owned(), json!(true));
        })
    }

    /// Shares a location; returns the message.
    pub async fn send_location(&self, latitude: f64, longitude: f64) -> Value {
        self.enqueue_message(|message, _| {
            message.insert(
                "location".to_owned(),
                json!({"latitude": latitude, "longitude": longitude}),
            );
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

    /// Votes for `option_ids` in the poll `message` carries (the bot's `sendPoll` result);
    /// enqueues a `poll_answer` update (as Telegram does for non-anonymous polls) and returns
    /// the answer.
    pub async fn answer_poll(&self, message: &Value, option_ids: &[i64]) -> Value {
        let poll_id = message.pointer("/poll/id").cloned().unwrap_or(Value::Null);
        let persistent: Vec<String> = option_ids.iter().map(i64::to_string).collect();
        self.server.state().update(|data| {
            let answer = json!({
                "poll_id": poll_id,
                "user": self.user,
                "option_ids": option_ids,
                "option_persistent_ids": persistent,
            });
            data.updates.push(json!({"poll_answer": answer}));
            answer
        })
    }

    /// Sends a poll of their own (a regular, anonymous one) with `question` and `options`;
    /// enqueues a `message` update and returns the message.
    pub async fn send_poll(&self, question: &str, options: &[&str]) -> Value {
        let options: Vec<Value> = options
            .iter()
            .enumerate()
            .map(
                |(i, text)| json!({"persistent_id": i.to_string(), "text": text, "voter_count": 0}),
            )
            .collect();
        self.enqueue_message(|message, data| {
            let poll = json!({
                "id": format!("{}", 6_000_000_000_000_000_u64 + data.next_serial()),
                "question": question,
                "options": options,
                "total_voter_count": 0,
                "is_closed": false,
                "is_anonymous": true,
                "type": "regular",
                "allows_multiple_answers": false,
                "allows_revoting": false,
                "members_only": false,
            });
            message.insert("poll".to_owned(), poll);
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
