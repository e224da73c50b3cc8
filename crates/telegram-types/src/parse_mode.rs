//! `ParseMode`: how Telegram parses entities out of a message's text or caption.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The markup a text or caption is written in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParseMode {
    /// `MarkdownV2`.
    MarkdownV2,
    /// `HTML`.
    Html,
    /// `Markdown`, the legacy mode.
    Markdown,
    /// A mode this version of the library does not know.
    Other(String),
}

impl ParseMode {
    /// The mode as Telegram names it.
    pub fn as_str(&self) -> &str {
        match self {
            ParseMode::MarkdownV2 => "MarkdownV2",
            ParseMode::Html => "HTML",
            ParseMode::Markdown => "Markdown",
            ParseMode::Other(other) => other,
        }
    }
}

impl ParseMode {
    /// The mode for Telegram's name; unknown names become `Other`.
    pub fn from_api(value: &str) -> Self {
        match value {
            "MarkdownV2" => ParseMode::MarkdownV2,
            "HTML" => ParseMode::Html,
            "Markdown" => ParseMode::Markdown,
            other => ParseMode::Other(other.to_owned()),
        }
    }
}

impl From<&str> for ParseMode {
    fn from(value: &str) -> Self {
        ParseMode::from_api(value)
    }
}

impl Serialize for ParseMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ParseMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::serde_support::deserialize_str_with(deserializer, ParseMode::from_api)
    }
}
