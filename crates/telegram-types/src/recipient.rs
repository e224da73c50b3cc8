//! `Recipient`: the Bot API's "Integer or String" chat identifier.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A chat to send to: its numeric id, or the `@username` of a public channel or supergroup.
///
/// Anything that names a chat converts into one, so methods take `impl Into<Recipient>`:
///
/// ```
/// use telegram_types::Recipient;
///
/// assert_eq!(Recipient::from(-1001234567890), Recipient::Id(-1001234567890));
/// assert_eq!(Recipient::from("@rustlang"), Recipient::Username("@rustlang".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// A chat id.
    Id(i64),
    /// A public username, with its `@`.
    Username(String),
}

impl From<i64> for Recipient {
    fn from(id: i64) -> Self {
        Recipient::Id(id)
    }
}

impl From<&str> for Recipient {
    fn from(username: &str) -> Self {
        Recipient::Username(username.to_owned())
    }
}

impl From<String> for Recipient {
    fn from(username: String) -> Self {
        Recipient::Username(username)
    }
}

impl From<&crate::Chat> for Recipient {
    fn from(chat: &crate::Chat) -> Self {
        Recipient::Id(chat.id)
    }
}

impl From<&crate::User> for Recipient {
    fn from(user: &crate::User) -> Self {
        Recipient::Id(user.id)
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Id(id) => write!(f, "{id}"),
            Recipient::Username(name) => f.write_str(name),
        }
    }
}

impl Serialize for Recipient {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Recipient::Id(id) => serializer.serialize_i64(*id),
            Recipient::Username(name) => serializer.serialize_str(name),
        }
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecipientVisitor;
        impl Visitor<'_> for RecipientVisitor {
            type Value = Recipient;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a chat id or a @username")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Recipient, E> {
                Ok(Recipient::Id(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Recipient, E> {
                i64::try_from(v)
                    .map(Recipient::Id)
                    .map_err(|_| E::custom("chat id out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Recipient, E> {
                // Telegram accepts ids written as strings too.
                Ok(v.parse()
                    .map_or_else(|_| Recipient::Username(v.to_owned()), Recipient::Id))
            }
        }
        deserializer.deserialize_any(RecipientVisitor)
    }
}
