//! Builders for the updates the handler tests check: JSON in, [`Update`] out, the way Telegram
//! would send it, with one sample per update kind. Test-only; the handlers live in the sibling
//! files.

use std::sync::Arc;

use serde_json::{json, Value};
use telegram_types::Update;

use super::{BotIdentity, Handler};
use crate::{Context, HandlerResult};

/// A callback that does nothing, for handlers whose `check` is under test.
pub(crate) async fn noop(_: Arc<Update>, _: Context) -> HandlerResult {
    Ok(())
}

/// The kinds of [`samples`] that `handler` takes, in sample order.
pub(crate) fn matched_kinds(handler: &impl Handler) -> Vec<&'static str> {
    samples()
        .into_iter()
        .filter(|(_, update)| handler.check(update, &bot()).is_some())
        .map(|(kind, _)| kind)
        .collect()
}

/// The identity of the bot under test: `@TestBot`, stored as Telegram's `getMe` spells it.
pub(crate) fn bot() -> BotIdentity {
    BotIdentity {
        id: 1,
        username: "testbot".to_owned(),
    }
}

/// Decodes `value` as an update; panics (in tests only) when the JSON is not one.
pub(crate) fn update(value: Value) -> Update {
    serde_json::from_value(value).expect("test JSON is a valid update")
}

/// User 42, `@ann`.
pub(crate) fn ann() -> Value {
    json!({"id": 42, "is_bot": false, "first_name": "Ann", "username": "ann"})
}

/// Supergroup -100, `@club`.
pub(crate) fn club() -> Value {
    json!({"id": -100, "type": "supergroup", "title": "Club", "username": "club"})
}

/// A message in a private chat with user 42, with `fields` added to (or replacing) the base.
pub(crate) fn message_json(fields: Value) -> Value {
    let mut message = json!({
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Ann", "username": "ann"},
        "from": ann(),
    });
    if let (Some(base), Value::Object(extra)) = (message.as_object_mut(), fields) {
        base.extend(extra);
    }
    message
}

/// An update of `kind` (`"message"`, `"edited_message"`, …) carrying a message with `fields`.
pub(crate) fn message_of_kind(kind: &str, fields: Value) -> Update {
    update(json!({"update_id": 1, kind: message_json(fields)}))
}

/// A text message whose text starts with a `bot_command` entity covering its first word, as
/// Telegram sends `/start arg`.
pub(crate) fn command_of_kind(kind: &str, text: &str) -> Update {
    let first_word = text.split_whitespace().next().unwrap_or_default();
    let length = first_word.encode_utf16().count();
    message_of_kind(
        kind,
        json!({
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": length}],
        }),
    )
}

/// A new text message starting with a command; see [`command_of_kind`].
pub(crate) fn command(text: &str) -> Update {
    command_of_kind("message", text)
}

/// A plain text message, without entities.
pub(crate) fn text(text: &str) -> Update {
    message_of_kind("message", json!({"text": text}))
}

/// A callback query from a button under a message, with `fields` added.
pub(crate) fn callback_query(fields: Value) -> Update {
    let mut query = json!({
        "id": "q1",
        "from": ann(),
        "chat_instance": "ci",
        "message": message_json(json!({"text": "menu"})),
    });
    if let (Some(base), Value::Object(extra)) = (query.as_object_mut(), fields) {
        base.extend(extra);
    }
    update(json!({"update_id": 1, "callback_query": query}))
}

/// An update of kind `kind` with `payload`.
pub(crate) fn of_kind(kind: &str, payload: Value) -> Update {
    update(json!({"update_id": 1, kind: payload}))
}

/// A chat member update payload (`my_chat_member` / `chat_member`) in the club.
pub(crate) fn chat_member_json() -> Value {
    json!({
        "chat": club(),
        "from": ann(),
        "date": 1_700_000_000,
        "old_chat_member": {"status": "left", "user": ann()},
        "new_chat_member": {"status": "member", "user": ann()},
    })
}

/// A boost payload of the club.
pub(crate) fn chat_boost_json() -> Value {
    json!({
        "chat": club(),
        "boost": {
            "boost_id": "b1",
            "add_date": 1_700_000_000,
            "expiration_date": 1_800_000_000,
            "source": {"source": "premium", "user": ann()},
        },
    })
}

/// A removed boost payload of the club.
pub(crate) fn removed_chat_boost_json() -> Value {
    json!({
        "chat": club(),
        "boost_id": "b1",
        "remove_date": 1_700_000_000,
        "source": {"source": "premium", "user": ann()},
    })
}

/// A reaction by Ann in the club.
pub(crate) fn message_reaction_json() -> Value {
    json!({
        "chat": club(),
        "message_id": 5,
        "user": ann(),
        "date": 1_700_000_000,
        "old_reaction": [],
        "new_reaction": [{"type": "emoji", "emoji": "👍"}],
    })
}

/// Anonymous reaction counts in the club.
pub(crate) fn message_reaction_count_json() -> Value {
    json!({
        "chat": club(),
        "message_id": 5,
        "date": 1_700_000_000,
        "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}],
    })
}

/// One sample update of every kind the handlers know, keyed by the kind's name.
pub(crate) fn samples() -> Vec<(&'static str, Update)> {
    // Every message is the command `/start now`, so command handlers are tested on each kind.
    let start = json!({
        "text": "/start now",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    });
    let kinds = [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_message",
        "edited_business_message",
    ];
    let mut samples: Vec<(&'static str, Update)> = kinds
        .into_iter()
        .map(|kind| (kind, message_of_kind(kind, start.clone())))
        .collect();
    samples.extend([
        (
            "callback_query",
            callback_query(json!({"data": "x", "message": message_json(start)})),
        ),
        (
            "inline_query",
            of_kind(
                "inline_query",
                json!({"id": "i1", "from": ann(), "query": "cats", "offset": "", "chat_type": "private"}),
            ),
        ),
        (
            "chosen_inline_result",
            of_kind(
                "chosen_inline_result",
                json!({"result_id": "r1", "from": ann(), "query": "cats"}),
            ),
        ),
        ("my_chat_member", of_kind("my_chat_member", chat_member_json())),
        ("chat_member", of_kind("chat_member", chat_member_json())),
        (
            "chat_join_request",
            of_kind(
                "chat_join_request",
                json!({"chat": club(), "from": ann(), "user_chat_id": 42, "date": 1_700_000_000}),
            ),
        ),
        ("message_reaction", of_kind("message_reaction", message_reaction_json())),
        (
            "message_reaction_count",
            of_kind("message_reaction_count", message_reaction_count_json()),
        ),
        (
            "poll",
            of_kind(
                "poll",
                json!({
                    "id": "p1", "question": "?", "total_voter_count": 0, "is_closed": false,
                    "is_anonymous": true, "type": "regular", "allows_multiple_answers": false,
                    "allows_revoting": false, "members_only": false,
                    "options": [{"persistent_id": "o1", "text": "yes", "voter_count": 0}],
                }),
            ),
        ),
        (
            "poll_answer",
            of_kind(
                "poll_answer",
                json!({"poll_id": "p1", "user": ann(), "option_ids": [0], "option_persistent_ids": ["o1"]}),
            ),
        ),
        (
            "pre_checkout_query",
            of_kind(
                "pre_checkout_query",
                json!({"id": "pc1", "from": ann(), "currency": "XTR", "total_amount": 5, "invoice_payload": "order-7"}),
            ),
        ),
        (
            "shipping_query",
            of_kind(
                "shipping_query",
                json!({
                    "id": "s1", "from": ann(), "invoice_payload": "order-7",
                    "shipping_address": {"country_code": "DE", "state": "", "city": "Berlin",
                        "street_line1": "A 1", "street_line2": "", "post_code": "10115"},
                }),
            ),
        ),
        ("chat_boost", of_kind("chat_boost", chat_boost_json())),
        ("removed_chat_boost", of_kind("removed_chat_boost", removed_chat_boost_json())),
        (
            "business_connection",
            of_kind(
                "business_connection",
                json!({"id": "bc1", "user": ann(), "user_chat_id": 42, "date": 1_700_000_000, "is_enabled": true}),
            ),
        ),
        (
            "deleted_business_messages",
            of_kind(
                "deleted_business_messages",
                json!({"business_connection_id": "bc1", "chat": club(), "message_ids": [1, 2]}),
            ),
        ),
        (
            "purchased_paid_media",
            of_kind(
                "purchased_paid_media",
                json!({"from": ann(), "paid_media_payload": "media-1"}),
            ),
        ),
        ("future_kind", of_kind("future_kind", json!({"x": 1}))),
    ]);
    samples
}
