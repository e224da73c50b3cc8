//! Keys a newer server adds are kept: every generated object holds the keys it does not know in
//! its `extra` map, readable by the bot and written back unchanged on encode. Runs on whichever
//! JSON backend the crate is built with (`cargo test -p telegram-types` for simd-json,
//! `--no-default-features` for serde_json).

use serde_json::{json, Value};
use telegram_types::batch::decode_updates;
use telegram_types::{
    json, ChatMember, Extra, InlineQueryResult, Message, MessageOrigin, Update, UpdateKind, User,
};

/// Decodes `value` through the crate's JSON backend.
fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    let mut bytes = serde_json::to_vec(value).unwrap();
    json::from_slice(&mut bytes).unwrap()
}

/// Encodes `value` through the crate's JSON backend, read back as a DOM.
fn encode<T: serde::Serialize>(value: &T) -> Value {
    serde_json::from_slice(&json::to_vec(value).unwrap()).unwrap()
}

fn text_message(update_id: i64) -> Value {
    json!({"update_id": update_id, "message": {
        "message_id": 5, "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Ann"},
        "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
        "text": "hi"}})
}

fn message(update: &Update) -> &Message {
    match &update.kind {
        UpdateKind::Message(message) => message,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn extra(extra: &Option<Box<Extra>>) -> &Extra {
    extra.as_deref().expect("unknown keys kept")
}

#[test]
fn a_message_keeps_its_unknown_keys_at_every_depth_and_encodes_them_back() {
    let mut raw = text_message(1);
    let future = json!({"kind": "sparkle", "levels": [1, 2, {"deep": null}], "ratio": 0.25});
    raw["message"]["future_field"] = future.clone();
    raw["message"]["future_flag"] = json!(true);
    raw["message"]["chat"]["future_chat_field"] = json!("x");
    raw["message"]["from"]["future_user_field"] = json!(-7);
    let update: Update = decode(&raw);

    let message = message(&update);
    assert_eq!(message.text.as_deref(), Some("hi"));
    let kept = extra(&message.extra);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept["future_field"], future);
    assert_eq!(kept["future_flag"], json!(true));
    assert_eq!(extra(&message.chat.extra)["future_chat_field"], json!("x"));
    let from = message.from.as_deref().unwrap();
    assert_eq!(extra(&from.extra)["future_user_field"], json!(-7));

    assert_eq!(encode(&update), raw, "re-encoding must give the keys back");
}

#[test]
fn an_object_without_unknown_keys_has_no_extra() {
    let update: Update = decode(&text_message(2));
    let message = message(&update);
    assert!(message.extra.is_none());
    assert!(message.chat.extra.is_none());
    assert!(message.from.as_deref().unwrap().extra.is_none());
    assert_eq!(encode(&update), text_message(2));
}

#[test]
fn the_batch_decoder_keeps_unknown_keys_too() {
    let mut first = text_message(3);
    first["message"]["reply_to_message"] = json!({
        "message_id": 4, "date": 1_699_999_999,
        "chat": {"id": 42, "type": "private", "future_chat_field": [1]},
        "future_reply_field": {"a": "b"}});
    let mut malformed = text_message(4);
    malformed["message"]["message_id"] = json!("not a number");
    let mut last = text_message(5);
    last["message"]["future_field"] = json!(5);
    let body =
        serde_json::to_vec(&json!({"ok": true, "result": [first, malformed, last]})).unwrap();

    let updates = decode_updates(&body).unwrap().result.unwrap();
    assert_eq!(updates.len(), 3);
    let reply = message(updates[0].as_ref().unwrap())
        .reply_to_message
        .as_deref()
        .unwrap();
    assert_eq!(extra(&reply.extra)["future_reply_field"], json!({"a": "b"}));
    assert_eq!(extra(&reply.chat.extra)["future_chat_field"], json!([1]));
    assert_eq!(encode(updates[0].as_ref().unwrap()), first);
    assert!(updates[1].is_err());
    // Decoded by the pass that resumes after the malformed update.
    assert_eq!(
        extra(&message(updates[2].as_ref().unwrap()).extra)["future_field"],
        json!(5)
    );
    assert_eq!(encode(updates[2].as_ref().unwrap()), last);
}

#[test]
fn a_service_message_keeps_unknown_keys_on_the_message_not_in_its_group() {
    let mut raw = text_message(6);
    let message_json = raw["message"].as_object_mut().unwrap();
    message_json.remove("text");
    message_json.insert("new_chat_title".into(), json!("Renamed"));
    message_json.insert("future_service_field".into(), json!({"x": 1}));
    let update: Update = decode(&raw);
    let message = message(&update);
    assert_eq!(message.service().new_chat_title.as_deref(), Some("Renamed"));
    assert_eq!(
        extra(&message.extra)["future_service_field"],
        json!({"x": 1})
    );
    assert_eq!(encode(&update), raw);
}

#[test]
fn a_tagged_union_variant_keeps_unknown_keys_but_not_its_tag() {
    let user = json!({"id": 1, "is_bot": false, "first_name": "Ann"});
    // The tag first (streamed into the variant) and the tag last (keys before it buffered).
    for raw in [
        json!({"status": "creator", "user": user, "is_anonymous": false, "future": [1, 2]}),
        json!({"user": user, "future": [1, 2], "is_anonymous": false, "status": "creator"}),
    ] {
        let member: ChatMember = decode(&raw);
        let ChatMember::Owner(owner) = &member else {
            panic!("expected the owner variant, got {member:?}");
        };
        let kept = extra(&owner.extra);
        assert_eq!(
            kept.len(),
            1,
            "the tag is the union's, not an unknown key: {kept:?}"
        );
        assert_eq!(kept["future"], json!([1, 2]));
        assert_eq!(encode(&member), raw);
    }

    let raw = json!({"type": "hidden_user", "date": 1, "sender_user_name": "A", "future": "f"});
    let origin: MessageOrigin = decode(&raw);
    let MessageOrigin::HiddenUser(hidden) = &origin else {
        panic!("expected hidden_user, got {origin:?}");
    };
    assert_eq!(extra(&hidden.extra)["future"], json!("f"));
    assert_eq!(encode(&origin), raw);
}

#[test]
fn a_union_told_apart_by_its_keys_keeps_unknown_keys_but_not_its_tag() {
    // InlineQueryResult's tags repeat ("photo" is both Photo and CachedPhoto): the object is
    // buffered whole and the variant's keys decide.
    let raw = json!({"type": "photo", "id": "1", "photo_file_id": "f", "future": {"a": 1}});
    let result: InlineQueryResult = decode(&raw);
    let InlineQueryResult::CachedPhoto(photo) = &result else {
        panic!("expected a cached photo, got {result:?}");
    };
    let kept = extra(&photo.extra);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept["future"], json!({"a": 1}));
    assert_eq!(encode(&result), raw);
}

#[test]
fn a_value_built_in_code_has_no_extra_and_encodes_only_its_fields() {
    let mut user = User::new(7, false, "Ann");
    assert!(user.extra.is_none());
    assert_eq!(
        encode(&user),
        json!({"id": 7, "is_bot": false, "first_name": "Ann"})
    );
    // A bot may add keys of its own, for a server newer than this crate.
    user.extra = Some(Box::new(Extra::from_iter([(
        "future".to_owned(),
        json!(1),
    )])));
    assert_eq!(
        encode(&user),
        json!({"id": 7, "is_bot": false, "first_name": "Ann", "future": 1})
    );
}
