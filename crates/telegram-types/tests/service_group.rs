//! A `Message`'s service fields live in one boxed `MessageService`: decoded into it from the
//! flat JSON object, created only when a service key carries a value, written back flat.

use serde::Deserialize;
use serde_json::json;
use telegram_types::{json, Message};

fn ordinary() -> serde_json::Value {
    json!({"message_id": 5, "date": 1_700_000_000,
           "chat": {"id": -100, "type": "supergroup", "title": "Club"},
           "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
           "text": "hello", "future_field": {"x": [1, null]}})
}

fn decode(value: &serde_json::Value) -> Message {
    let mut bytes = serde_json::to_vec(value).unwrap();
    json::from_slice(&mut bytes).unwrap()
}

#[test]
fn an_ordinary_message_has_no_service_group() {
    let message = decode(&ordinary());
    assert_eq!(message.text.as_deref(), Some("hello"));
    assert!(message.from.is_some());
    assert!(message.service.is_none());
    assert!(message.service().new_chat_members.is_none());
    assert!(message.service().video_chat_started.is_none());
}

#[test]
fn service_keys_fill_the_group() {
    let mut value = ordinary();
    value["new_chat_title"] = json!("Club 2");
    value["new_chat_members"] = json!([{"id": 7, "is_bot": true, "first_name": "Bot"}]);
    value["migrate_to_chat_id"] = json!(-1_001_234);
    let message = decode(&value);
    let service = message.service.as_deref().expect("a service message");
    assert_eq!(service.new_chat_title.as_deref(), Some("Club 2"));
    assert_eq!(service.new_chat_members.as_ref().unwrap()[0].id, 7);
    assert_eq!(message.service().migrate_to_chat_id, Some(-1_001_234));
    // The fields outside the group are untouched.
    assert_eq!(message.text.as_deref(), Some("hello"));
}

#[test]
fn a_null_service_value_creates_no_group() {
    let mut value = ordinary();
    value["pinned_message"] = json!(null);
    assert!(decode(&value).service.is_none());
}

#[test]
fn the_group_is_written_back_flat_and_round_trips() {
    let mut value = ordinary();
    value.as_object_mut().unwrap().remove("future_field");
    value["left_chat_member"] = json!({"id": 8, "is_bot": false, "first_name": "Bo"});
    let message = decode(&value);
    let encoded: serde_json::Value =
        serde_json::from_slice(&json::to_vec(&message).unwrap()).unwrap();
    assert_eq!(encoded["left_chat_member"]["id"], 8);
    assert!(encoded.get("service").is_none(), "{encoded}");
    assert_eq!(decode(&encoded), message);
}

#[test]
fn a_missing_required_field_is_named() {
    let mut value = ordinary();
    value.as_object_mut().unwrap().remove("chat");
    let mut bytes = serde_json::to_vec(&value).unwrap();
    let error = json::from_slice::<Message>(&mut bytes).unwrap_err();
    // Display is one level ("invalid json"); the backend's message is the source.
    let reason = std::error::Error::source(&error).map(ToString::to_string);
    assert!(
        reason.is_some_and(|r| r.contains("missing field `chat`")),
        "{error}"
    );
}

#[test]
fn a_wrong_type_inside_the_group_is_an_error() {
    let mut value = ordinary();
    value["new_chat_title"] = json!(17);
    let mut bytes = serde_json::to_vec(&value).unwrap();
    assert!(json::from_slice::<Message>(&mut bytes).is_err());
}

#[test]
fn decodes_from_a_dom_too() {
    // The batch decoder's per-update fallback reads updates from a DOM, not from bytes.
    let mut value = ordinary();
    value["group_chat_created"] = json!(true);
    let message = Message::deserialize(&value).unwrap();
    assert_eq!(message.service().group_chat_created, Some(true));
    assert_eq!(message, decode(&value));
}
