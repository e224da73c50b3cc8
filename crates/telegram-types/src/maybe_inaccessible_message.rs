//! `MaybeInaccessibleMessage`: a message, or what is left of one the bot can no longer see.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Chat, InaccessibleMessage, Message};

/// A message the bot can see, or an inaccessible one (Telegram marks those with `date: 0`).
///
/// The two have no tag; an inaccessible message has exactly `chat`, `message_id` and `date`, all
/// of which a `Message` requires too, so the object is decoded once as a `Message` and the date
/// decides. No second pass, no try-each-variant.
// Fields of this type are always boxed (`Option<Box<MaybeInaccessibleMessage>>`), so boxing
// the message inside too would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum MaybeInaccessibleMessage {
    /// A message the bot can see.
    Message(Message),
    /// A message that was deleted or is otherwise out of the bot's reach.
    Inaccessible(InaccessibleMessage),
}

impl MaybeInaccessibleMessage {
    /// The message, when it is accessible.
    pub fn message(&self) -> Option<&Message> {
        match self {
            MaybeInaccessibleMessage::Message(message) => Some(message),
            MaybeInaccessibleMessage::Inaccessible(_) => None,
        }
    }

    /// The chat the message belongs to.
    pub fn chat(&self) -> &Chat {
        match self {
            MaybeInaccessibleMessage::Message(message) => &message.chat,
            MaybeInaccessibleMessage::Inaccessible(message) => &message.chat,
        }
    }

    /// The message's id in its chat.
    pub fn message_id(&self) -> i64 {
        match self {
            MaybeInaccessibleMessage::Message(message) => message.message_id,
            MaybeInaccessibleMessage::Inaccessible(message) => message.message_id,
        }
    }
}

impl Serialize for MaybeInaccessibleMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            MaybeInaccessibleMessage::Message(message) => message.serialize(serializer),
            MaybeInaccessibleMessage::Inaccessible(message) => message.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for MaybeInaccessibleMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let message = Message::deserialize(deserializer)?;
        Ok(if message.date == 0 {
            MaybeInaccessibleMessage::Inaccessible(InaccessibleMessage {
                chat: message.chat,
                message_id: message.message_id,
                date: 0,
                // Its unknown keys are the message's: read as a `Message`, they landed there.
                extra: message.extra,
            })
        } else {
            MaybeInaccessibleMessage::Message(message)
        })
    }
}
