//! Text, captions and commands: [`TEXT`] / [`Text::exact`], [`CAPTION`] / [`Caption::exact`],
//! and [`COMMAND`].
//!
//! Patterns over the text live in `regex.rs`, entities in `entity.rs` and `mention.rs`.

use std::sync::Arc;

use telegram_types::{MessageEntity, MessageEntityType, Update};

use super::{filter_ops, Filter, FilterResult};

/// Messages with text: any text ([`TEXT`], [`Text::any`]) or one of a set of strings
/// ([`Text::exact`], python-telegram-bot's `filters.Text(["a", "b"])`). Commands are text too;
/// use `TEXT & !COMMAND` for plain text.
///
/// ```
/// use telegram_ext::filters::{self, Text};
///
/// let menu = Text::exact(["Start", "Help"]);
/// let plain = filters::TEXT & !filters::COMMAND;
/// # let _ = (menu, plain);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    strings: Option<Arc<[String]>>,
}

/// Messages with text, commands included (python-telegram-bot's `filters.TEXT`).
pub const TEXT: Text = Text::ANY;

impl Text {
    /// Any text; the same as [`TEXT`].
    pub const ANY: Text = Text { strings: None };

    /// Any text; the same as [`TEXT`].
    pub fn any() -> Self {
        Self::ANY
    }

    /// Text equal to one of `strings` (exact, case-sensitive).
    pub fn exact<I, S>(strings: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Text {
            strings: Some(strings.into_iter().map(Into::into).collect()),
        }
    }
}

impl Filter for Text {
    fn check(&self, update: &Update) -> FilterResult {
        let text = update.effective_message().and_then(|m| m.text.as_deref());
        FilterResult::from_bool(text.is_some_and(|t| one_of(&self.strings, t)))
    }
}

/// Messages with a caption: any caption ([`CAPTION`], [`Caption::any`]) or one of a set of
/// strings ([`Caption::exact`], python-telegram-bot's `filters.Caption(["a", "b"])`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caption {
    strings: Option<Arc<[String]>>,
}

/// Messages with a caption (python-telegram-bot's `filters.CAPTION`).
pub const CAPTION: Caption = Caption::ANY;

impl Caption {
    /// Any caption; the same as [`CAPTION`].
    pub const ANY: Caption = Caption { strings: None };

    /// Any caption; the same as [`CAPTION`].
    pub fn any() -> Self {
        Self::ANY
    }

    /// A caption equal to one of `strings` (exact, case-sensitive).
    pub fn exact<I, S>(strings: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Caption {
            strings: Some(strings.into_iter().map(Into::into).collect()),
        }
    }
}

impl Filter for Caption {
    fn check(&self, update: &Update) -> FilterResult {
        let caption = update
            .effective_message()
            .and_then(|m| m.caption.as_deref());
        FilterResult::from_bool(caption.is_some_and(|c| one_of(&self.strings, c)))
    }
}

/// Whether `value` is allowed: any value without a list, else one of the list.
fn one_of(strings: &Option<Arc<[String]>>, value: &str) -> bool {
    match strings {
        None => true,
        Some(strings) => strings.iter().any(|s| s == value),
    }
}

/// Messages with a bot command. [`COMMAND`] (the default) wants the text to *start* with the
/// command (its first entity is a `bot_command` at offset 0), as python-telegram-bot's
/// `filters.COMMAND`; [`Command::ANYWHERE`] accepts a command anywhere in the text
/// (`filters.Command(only_start=False)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Command {
    only_start: bool,
}

/// Messages whose text starts with a bot command (python-telegram-bot's `filters.COMMAND`).
pub const COMMAND: Command = Command::START;

impl Command {
    /// Text starting with a bot command; the same as [`COMMAND`].
    pub const START: Command = Command { only_start: true };

    /// Text with a bot command anywhere.
    pub const ANYWHERE: Command = Command { only_start: false };

    /// [`Command::START`] when `only_start`, else [`Command::ANYWHERE`].
    pub fn only_start(only_start: bool) -> Self {
        Command { only_start }
    }
}

impl Default for Command {
    fn default() -> Self {
        Self::START
    }
}

impl Filter for Command {
    fn check(&self, update: &Update) -> FilterResult {
        let Some(entities) = update
            .effective_message()
            .filter(|m| m.text.is_some())
            .and_then(|m| m.entities.as_deref())
        else {
            return FilterResult::No;
        };
        let is_command = |e: &MessageEntity| e.kind == MessageEntityType::BotCommand;
        let pass = if self.only_start {
            entities
                .first()
                .is_some_and(|e| is_command(e) && e.offset == 0)
        } else {
            entities.iter().any(is_command)
        };
        FilterResult::from_bool(pass)
    }
}

filter_ops!([] Text, [] Caption, [] Command);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, no_message, text};
    use super::*;

    fn command_at(text: &str, offset: usize, length: usize) -> Update {
        message(json!({
            "text": text,
            "entities": [{"type": "bot_command", "offset": offset, "length": length}],
        }))
    }

    #[test]
    fn text_passes_any_text_and_nothing_else() {
        assert!(TEXT.matches(&text("hello")));
        assert!(Text::any().matches(&text("hello")));
        assert!(!TEXT.matches(&message(json!({"caption": "c"}))));
        assert!(!TEXT.matches(&no_message()));
    }

    #[test]
    fn text_exact_passes_only_listed_strings() {
        let menu = Text::exact(["Start", "Help"]);
        assert!(menu.matches(&text("Start")));
        assert!(menu.matches(&text("Help")));
        assert!(!menu.matches(&text("start")));
        assert!(!menu.matches(&text("Start now")));
    }

    #[test]
    fn caption_passes_captions_and_not_text() {
        let captioned = message(json!({"caption": "look"}));
        assert!(CAPTION.matches(&captioned));
        assert!(Caption::exact(["look"]).matches(&captioned));
        assert!(!Caption::exact(["other"]).matches(&captioned));
        assert!(!CAPTION.matches(&text("look")));
    }

    #[test]
    fn command_needs_a_bot_command_at_offset_zero() {
        assert!(COMMAND.matches(&command_at("/start now", 0, 6)));
        assert!(!COMMAND.matches(&command_at("say /start", 4, 6)));
        assert!(!COMMAND.matches(&text("/start without entities")));
    }

    #[test]
    fn command_anywhere_accepts_a_command_later_in_the_text() {
        assert!(Command::ANYWHERE.matches(&command_at("say /start", 4, 6)));
        assert!(Command::only_start(false).matches(&command_at("/start", 0, 6)));
        assert!(!Command::ANYWHERE.matches(&text("no command")));
    }

    #[test]
    fn command_only_looks_at_the_first_entity() {
        let bold_then_command = message(json!({
            "text": "/start",
            "entities": [
                {"type": "bold", "offset": 0, "length": 6},
                {"type": "bot_command", "offset": 0, "length": 6},
            ],
        }));
        assert!(!COMMAND.matches(&bold_then_command));
    }

    #[test]
    fn text_and_not_command_is_plain_text() {
        let plain = TEXT & !COMMAND;
        assert!(plain.matches(&text("hello")));
        assert!(!plain.matches(&command_at("/start", 0, 6)));
    }
}
