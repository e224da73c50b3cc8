//! `Update`: one incoming update, dispatched on its one non-`update_id` key.
//!
//! [`UpdateKind`] (generated) has a variant per kind in the spec and an `Unknown` variant for kinds
//! added after this version: a new kind never fails the decode, and its `update_id` still counts.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::serde_support::Key;
use crate::{Chat, MaybeInaccessibleMessage, Message, UpdateKind, User};

/// An incoming update.
///
/// ```
/// use telegram_types::{json, Update, UpdateKind};
///
/// let mut body = br#"{"update_id":1,"message":{"message_id":5,"date":1700000000,
///     "chat":{"id":42,"type":"private","first_name":"Ann"},"from":{"id":42,"is_bot":false,"first_name":"Ann"},
///     "text":"hi"}}"#.to_vec();
/// let update: Update = json::from_slice(&mut body)?;
/// assert!(matches!(update.kind, UpdateKind::Message(_)));
/// assert_eq!(update.effective_chat().map(|c| c.id), Some(42));
/// assert_eq!(update.effective_message().and_then(|m| m.text.as_deref()), Some("hi"));
/// # Ok::<(), json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The update's identifier; `getUpdates` offsets count from it.
    pub update_id: i64,
    /// What the update carries.
    pub kind: UpdateKind,
}

impl Update {
    /// The message this update is about, whatever its kind: new, edited, channel post, business
    /// message, or the (accessible) message of a callback query. As python-telegram-bot's
    /// `Update.effective_message`.
    pub fn effective_message(&self) -> Option<&Message> {
        match &self.kind {
            UpdateKind::Message(m)
            | UpdateKind::EditedMessage(m)
            | UpdateKind::ChannelPost(m)
            | UpdateKind::EditedChannelPost(m)
            | UpdateKind::BusinessMessage(m)
            | UpdateKind::EditedBusinessMessage(m)
            | UpdateKind::GuestMessage(m) => Some(m),
            UpdateKind::CallbackQuery(q) => q
                .message
                .as_deref()
                .and_then(MaybeInaccessibleMessage::message),
            _ => None,
        }
    }

    /// The chat the update happened in, if any. As python-telegram-bot's `Update.effective_chat`.
    pub fn effective_chat(&self) -> Option<&Chat> {
        if let Some(message) = self.effective_message() {
            return Some(&message.chat);
        }
        match &self.kind {
            UpdateKind::CallbackQuery(q) => {
                q.message.as_deref().map(MaybeInaccessibleMessage::chat)
            }
            UpdateKind::MyChatMember(m) | UpdateKind::ChatMember(m) => Some(&m.chat),
            UpdateKind::ChatJoinRequest(r) => Some(&r.chat),
            UpdateKind::MessageReaction(r) => Some(&r.chat),
            UpdateKind::MessageReactionCount(r) => Some(&r.chat),
            UpdateKind::ChatBoost(b) => Some(&b.chat),
            UpdateKind::RemovedChatBoost(b) => Some(&b.chat),
            UpdateKind::DeletedBusinessMessages(d) => Some(&d.chat),
            UpdateKind::PollAnswer(a) => a.voter_chat.as_deref(),
            _ => None,
        }
    }

    /// The user who caused the update, if any. As python-telegram-bot's `Update.effective_user`.
    pub fn effective_user(&self) -> Option<&User> {
        match &self.kind {
            UpdateKind::Message(m)
            | UpdateKind::EditedMessage(m)
            | UpdateKind::ChannelPost(m)
            | UpdateKind::EditedChannelPost(m)
            | UpdateKind::BusinessMessage(m)
            | UpdateKind::EditedBusinessMessage(m)
            | UpdateKind::GuestMessage(m) => m.from.as_deref(),
            UpdateKind::CallbackQuery(q) => Some(&q.from),
            UpdateKind::InlineQuery(q) => Some(&q.from),
            UpdateKind::ChosenInlineResult(r) => Some(&r.from),
            UpdateKind::ShippingQuery(q) => Some(&q.from),
            UpdateKind::PreCheckoutQuery(q) => Some(&q.from),
            UpdateKind::PurchasedPaidMedia(p) => Some(&p.from),
            UpdateKind::PollAnswer(a) => a.user.as_deref(),
            UpdateKind::MyChatMember(m) | UpdateKind::ChatMember(m) => Some(&m.from),
            UpdateKind::ChatJoinRequest(r) => Some(&r.from),
            UpdateKind::MessageReaction(r) => r.user.as_deref(),
            UpdateKind::BusinessConnection(c) => Some(&c.user),
            _ => None,
        }
    }
}

impl Serialize for Update {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("update_id", &self.update_id)?;
        self.kind.serialize_entry(&mut map)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Update {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(UpdateVisitor)
    }
}

struct UpdateVisitor;

impl<'de> Visitor<'de> for UpdateVisitor {
    type Value = Update;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an update object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Update, A::Error> {
        let mut update_id = None;
        let mut known = None;
        // An unknown key is a new kind of update, or a new field beside a known kind; a known
        // kind wins, so a future top-level field never hides the message it came with.
        let mut unknown = None;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if key == "update_id" {
                update_id = Some(map.next_value::<i64>()?);
            } else if known.is_some() {
                map.next_value::<IgnoredAny>()?;
            } else if let Some(kind) = UpdateKind::deserialize_known(&key, &mut map)? {
                known = Some(kind);
            } else if unknown.is_none() {
                let raw = Box::new(map.next_value()?);
                unknown = Some(UpdateKind::Unknown {
                    kind: key.into_owned(),
                    raw,
                });
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let kind = known.or(unknown);
        let update_id = update_id.ok_or_else(|| de::Error::missing_field("update_id"))?;
        let kind = kind
            .ok_or_else(|| de::Error::custom(format_args!("update {update_id} carries nothing")))?;
        Ok(Update { update_id, kind })
    }
}
