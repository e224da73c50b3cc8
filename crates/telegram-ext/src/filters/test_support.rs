//! Builders for the updates the filter tests check: JSON in, [`Update`] out, the way Telegram
//! would send it. Test-only; the filters themselves live in the sibling files.

use serde_json::{json, Value};
use telegram_types::Update;

/// Decodes `value` as an update; panics (in tests only) when the JSON is not one.
pub(crate) fn update(value: Value) -> Update {
    serde_json::from_value(value).expect("test JSON is a valid update")
}

/// A message in a private chat with user 42, with `fields` added to (or replacing) the base.
pub(crate) fn message_json(fields: Value) -> Value {
    let mut message = json!({
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Ann", "username": "ann"},
        "from": {"id": 42, "is_bot": false, "first_name": "Ann", "username": "ann"},
    });
    if let (Some(base), Value::Object(extra)) = (message.as_object_mut(), fields) {
        base.extend(extra);
    }
    message
}

/// An update of `kind` (`"message"`, `"edited_channel_post"`, …) carrying a message with `fields`.
pub(crate) fn message_of_kind(kind: &str, fields: Value) -> Update {
    update(json!({"update_id": 1, kind: message_json(fields)}))
}

/// A new message with `fields`.
pub(crate) fn message(fields: Value) -> Update {
    message_of_kind("message", fields)
}

/// A plain text message.
pub(crate) fn text(text: &str) -> Update {
    message(json!({"text": text}))
}

/// An update without any message: a callback query from an inline message.
pub(crate) fn no_message() -> Update {
    update(json!({
        "update_id": 1,
        "callback_query": {
            "id": "q",
            "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
            "chat_instance": "c",
            "inline_message_id": "m",
            "data": "x",
        }
    }))
}

/// A minimal file object (`file_id`, `file_unique_id`) with `fields` added.
pub(crate) fn file(fields: Value) -> Value {
    let mut file = json!({"file_id": "f", "file_unique_id": "u"});
    if let (Some(base), Value::Object(extra)) = (file.as_object_mut(), fields) {
        base.extend(extra);
    }
    file
}
