//! `MessageOrBool`: what the `edit*` methods return.

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Message;

/// The edited message, or `true` when the edited message was an inline message (which the bot
/// cannot see).
#[derive(Debug, Clone, PartialEq)]
pub enum MessageOrBool {
    /// The edited message.
    Message(Box<Message>),
    /// `true` for an inline message.
    Bool(bool),
}

impl Serialize for MessageOrBool {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            MessageOrBool::Message(message) => message.serialize(serializer),
            MessageOrBool::Bool(value) => serializer.serialize_bool(*value),
        }
    }
}

impl<'de> Deserialize<'de> for MessageOrBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MessageOrBoolVisitor;
        impl<'de> Visitor<'de> for MessageOrBoolVisitor {
            type Value = MessageOrBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message or a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<MessageOrBool, E> {
                Ok(MessageOrBool::Bool(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MessageOrBool, A::Error> {
                Message::deserialize(MapAccessDeserializer::new(map))
                    .map(|m| MessageOrBool::Message(Box::new(m)))
            }
        }
        deserializer.deserialize_any(MessageOrBoolVisitor)
    }
}
