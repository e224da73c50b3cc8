//! Simulated users, chats and the messages in them: stable ids, per-chat message ids, the
//! stored messages `editMessageText` checks. `sim` is the test-facing side of this store.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

/// One chat and its messages.
#[derive(Debug)]
struct ChatState {
    chat: Value,
    next_message_id: i64,
    messages: BTreeMap<i64, Value>,
}

/// Every simulated user and chat of a server.
#[derive(Debug, Default)]
pub(crate) struct ChatStore {
    chats: HashMap<i64, ChatState>,
    users: HashMap<String, Value>,
    groups: HashMap<String, i64>,
}

impl ChatStore {
    /// The user called `name` (created on first use, with its private chat with the bot).
    pub(crate) fn user(&mut self, name: &str) -> Value {
        let id = 100_000_000 + i64::try_from(fnv(name) % 900_000_000).unwrap_or(0);
        self.user_with_id(name, id)
    }

    /// The user called `name`, created on first use with the id `wanted` (or the next free one).
    pub(crate) fn user_with_id(&mut self, name: &str, wanted: i64) -> Value {
        if let Some(user) = self.users.get(name) {
            return user.clone();
        }
        let mut id = wanted;
        while self.chats.contains_key(&id) {
            id += 1;
        }
        let first_name = capitalize(name);
        let user = json!({
            "id": id,
            "is_bot": false,
            "first_name": first_name,
            "username": name,
            "language_code": "en",
        });
        let chat = json!({"id": id, "type": "private", "first_name": first_name, "username": name});
        self.insert_chat(id, chat);
        self.users.insert(name.to_owned(), user.clone());
        user
    }

    /// The supergroup called `name` (created on first use).
    pub(crate) fn group(&mut self, name: &str) -> Value {
        if let Some(id) = self.groups.get(name) {
            if let Some(state) = self.chats.get(id) {
                return state.chat.clone();
            }
        }
        let mut id = -1_001_000_000_000 - i64::try_from(fnv(name) % 999_000_000_000).unwrap_or(0);
        while self.chats.contains_key(&id) {
            id -= 1;
        }
        let chat = json!({"id": id, "type": "supergroup", "title": name});
        self.insert_chat(id, chat.clone());
        self.groups.insert(name.to_owned(), id);
        chat
    }

    fn insert_chat(&mut self, id: i64, chat: Value) {
        self.chats.insert(
            id,
            ChatState {
                chat,
                next_message_id: 1,
                messages: BTreeMap::new(),
            },
        );
    }

    /// Resolves a `chat_id` parameter (number, numeric string or `@username`) to a known chat.
    pub(crate) fn resolve(&self, param: &Value) -> Option<i64> {
        let id = match param {
            Value::Number(n) => n.as_i64()?,
            Value::String(s) if s.starts_with('@') => {
                let name = &s[1..];
                return self.chats.iter().find_map(|(id, state)| {
                    let username = state.chat.get("username").and_then(Value::as_str);
                    let title = state.chat.get("title").and_then(Value::as_str);
                    (username == Some(name) || title == Some(name)).then_some(*id)
                });
            }
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        self.chats.contains_key(&id).then_some(id)
    }

    /// The chat object of a known chat.
    pub(crate) fn chat(&self, id: i64) -> Option<&Value> {
        self.chats.get(&id).map(|state| &state.chat)
    }

    /// Starts a new message in `chat_id`: a fresh `message_id`, `from`, `chat`, `date`.
    /// Returns `None` for an unknown chat.
    pub(crate) fn new_message(&mut self, chat_id: i64, from: &Value) -> Option<Map<String, Value>> {
        let state = self.chats.get_mut(&chat_id)?;
        let message_id = state.next_message_id;
        state.next_message_id += 1;
        let mut message = Map::new();
        message.insert("message_id".to_owned(), Value::from(message_id));
        message.insert("from".to_owned(), from.clone());
        message.insert("chat".to_owned(), state.chat.clone());
        message.insert("date".to_owned(), Value::from(unix_now()));
        Some(message)
    }

    /// Stores (or replaces) a message so later edits and button presses see it.
    pub(crate) fn store(&mut self, message: &Value) {
        let chat_id = message.pointer("/chat/id").and_then(Value::as_i64);
        let message_id = message.get("message_id").and_then(Value::as_i64);
        if let (Some(chat_id), Some(message_id)) = (chat_id, message_id) {
            if let Some(state) = self.chats.get_mut(&chat_id) {
                state.messages.insert(message_id, message.clone());
            }
        }
    }

    /// A stored message.
    pub(crate) fn message(&self, chat_id: i64, message_id: i64) -> Option<&Value> {
        self.chats.get(&chat_id)?.messages.get(&message_id)
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// FNV-1a: a stable hash, so a name maps to the same id in every run.
fn fnv(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `alice` → `Alice`.
fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "User".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_stable_and_message_ids_increase() {
        let mut store = ChatStore::default();
        let alice = store.user("alice");
        assert_eq!(store.user("alice"), alice);
        assert_eq!(alice["first_name"], "Alice");
        let id = alice["id"].as_i64().unwrap_or_default();
        let first = store.new_message(id, &alice).unwrap_or_default();
        let second = store.new_message(id, &alice).unwrap_or_default();
        assert_eq!(first["message_id"], 1);
        assert_eq!(second["message_id"], 2);
    }

    #[test]
    fn chat_ids_resolve_by_number_string_and_name() {
        let mut store = ChatStore::default();
        let group = store.group("devs");
        let id = group["id"].as_i64().unwrap_or_default();
        assert!(id < -1_000_000_000_000);
        assert_eq!(store.resolve(&Value::from(id)), Some(id));
        assert_eq!(store.resolve(&Value::from(id.to_string())), Some(id));
        assert_eq!(store.resolve(&Value::from("@devs")), Some(id));
        assert_eq!(store.resolve(&Value::from(42)), None);
    }
}
