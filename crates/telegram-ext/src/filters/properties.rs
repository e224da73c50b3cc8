//! How a message was sent and who sent it: forwarded, a reply, via a bot, in a topic, protected,
//! from a premium user, … One unit-struct filter per property, plus [`ALL`] (every update).
//!
//! What the message carries lives in `content.rs`; allow-lists of users and chats in `user.rs`
//! and `chat.rs`.

use telegram_types::Update;

use super::content::message_filters;
use super::{filter_ops, Filter, FilterResult};

/// Every update, with or without a message (python-telegram-bot's `filters.ALL`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct All;

/// Every update, with or without a message (python-telegram-bot's `filters.ALL`).
pub const ALL: All = All;

impl Filter for All {
    fn check(&self, _update: &Update) -> FilterResult {
        FilterResult::Yes
    }
}

/// Updates whose effective user has Telegram Premium (`User.is_premium`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PremiumUser;

/// Updates whose effective user has Telegram Premium (`User.is_premium`).
pub const PREMIUM_USER: PremiumUser = PremiumUser;

impl Filter for PremiumUser {
    fn check(&self, update: &Update) -> FilterResult {
        FilterResult::from_bool(update.effective_user().is_some_and(|u| u.is_premium))
    }
}

/// Updates whose effective user added the bot to their attachment menu
/// (`User.added_to_attachment_menu`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct UserAttachment;

/// Updates whose effective user added the bot to their attachment menu
/// (`User.added_to_attachment_menu`).
pub const USER_ATTACHMENT: UserAttachment = UserAttachment;

impl Filter for UserAttachment {
    fn check(&self, update: &Update) -> FilterResult {
        FilterResult::from_bool(
            update
                .effective_user()
                .is_some_and(|u| u.added_to_attachment_menu),
        )
    }
}

filter_ops!([] All, [] PremiumUser, [] UserAttachment);

message_filters! {
    /// Forwarded messages (`forward_origin` is set).
    FORWARDED: Forwarded = |m| m.forward_origin.is_some();
    /// Replies to a message in the same chat (`reply_to_message` is set).
    REPLY: Reply = |m| m.reply_to_message.is_some();
    /// Replies to a message in another chat or forum topic (`external_reply` is set).
    EXTERNAL_REPLY: ExternalReply = |m| m.external_reply.is_some();
    /// Replies that quote part of the original message (`quote` is set).
    QUOTE: Quote = |m| m.quote.is_some();
    /// Messages sent via an inline bot (`via_bot` is set).
    VIA_BOT: ViaBot = |m| m.via_bot.is_some();
    /// Messages sent to a forum topic.
    IS_TOPIC_MESSAGE: IsTopicMessage = |m| m.is_topic_message;
    /// Channel posts automatically forwarded to the connected discussion group.
    IS_AUTOMATIC_FORWARD: IsAutomaticForward = |m| m.is_automatic_forward;
    /// Messages whose media is covered by a spoiler animation.
    HAS_MEDIA_SPOILER: HasMediaSpoiler = |m| m.has_media_spoiler;
    /// Messages that can't be forwarded or saved.
    HAS_PROTECTED_CONTENT: HasProtectedContent = |m| m.has_protected_content;
    /// Messages sent by an implicit action (an away or greeting business message, a scheduled
    /// message).
    IS_FROM_OFFLINE: IsFromOffline = |m| m.is_from_offline;
    /// Messages with a message effect (`effect_id` is set).
    EFFECT_ID: EffectId = |m| m.effect_id.is_some();
    /// Messages from a user who boosted the chat (`sender_boost_count` is set).
    SENDER_BOOST_COUNT: SenderBoostCount = |m| m.sender_boost_count.is_some();
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{message, no_message, text, update};
    use super::*;
    use crate::filters::BoxedFilter;

    fn user() -> Value {
        json!({"id": 7, "is_bot": true, "first_name": "Bot", "username": "some_bot"})
    }

    fn origin() -> Value {
        json!({"type": "user", "date": 1, "sender_user": user()})
    }

    fn cases() -> Vec<(&'static str, BoxedFilter, Value)> {
        vec![
            (
                "FORWARDED",
                FORWARDED.boxed(),
                json!({"forward_origin": origin()}),
            ),
            (
                "REPLY",
                REPLY.boxed(),
                json!({"reply_to_message": {
                    "message_id": 0, "date": 1, "chat": {"id": 42, "type": "private"},
                }}),
            ),
            (
                "EXTERNAL_REPLY",
                EXTERNAL_REPLY.boxed(),
                json!({"external_reply": {"origin": origin()}}),
            ),
            (
                "QUOTE",
                QUOTE.boxed(),
                json!({"quote": {"text": "q", "position": 0}}),
            ),
            ("VIA_BOT", VIA_BOT.boxed(), json!({"via_bot": user()})),
            (
                "IS_TOPIC_MESSAGE",
                IS_TOPIC_MESSAGE.boxed(),
                json!({"is_topic_message": true}),
            ),
            (
                "IS_AUTOMATIC_FORWARD",
                IS_AUTOMATIC_FORWARD.boxed(),
                json!({"is_automatic_forward": true}),
            ),
            (
                "HAS_MEDIA_SPOILER",
                HAS_MEDIA_SPOILER.boxed(),
                json!({"has_media_spoiler": true}),
            ),
            (
                "HAS_PROTECTED_CONTENT",
                HAS_PROTECTED_CONTENT.boxed(),
                json!({"has_protected_content": true}),
            ),
            (
                "IS_FROM_OFFLINE",
                IS_FROM_OFFLINE.boxed(),
                json!({"is_from_offline": true}),
            ),
            (
                "EFFECT_ID",
                EFFECT_ID.boxed(),
                json!({"effect_id": "5104841245755180586"}),
            ),
            (
                "SENDER_BOOST_COUNT",
                SENDER_BOOST_COUNT.boxed(),
                json!({"sender_boost_count": 2}),
            ),
            (
                "PREMIUM_USER",
                PREMIUM_USER.boxed(),
                json!({"from": {"id": 42, "is_bot": false, "first_name": "Ann", "is_premium": true}}),
            ),
            (
                "USER_ATTACHMENT",
                USER_ATTACHMENT.boxed(),
                json!({"from": {
                    "id": 42, "is_bot": false, "first_name": "Ann", "added_to_attachment_menu": true,
                }}),
            ),
        ]
    }

    #[test]
    fn each_filter_passes_its_property_and_not_plain_text() {
        for (name, filter, fields) in cases() {
            assert!(
                filter.matches(&message(fields.clone())),
                "{name} on {fields}"
            );
            assert!(!filter.matches(&text("hello")), "{name} on plain text");
            assert!(
                !filter.matches(&no_message()),
                "{name} on an update without message"
            );
        }
    }

    #[test]
    fn all_passes_every_update() {
        assert!(ALL.matches(&text("hi")));
        assert!(ALL.matches(&no_message()));
        let poll = update(json!({"update_id": 3, "some_future_kind": {"x": 1}}));
        assert!(ALL.matches(&poll));
    }

    #[test]
    fn premium_user_looks_at_the_effective_user_beyond_messages() {
        let query = update(json!({
            "update_id": 1,
            "inline_query": {
                "id": "q", "query": "", "offset": "",
                "from": {"id": 1, "is_bot": false, "first_name": "P", "is_premium": true},
            }
        }));
        assert!(PREMIUM_USER.matches(&query));
    }
}
