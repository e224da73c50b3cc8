//! Guides, rendered from `docs/*.md`: testing a bot, python-telegram-bot's concepts in this
//! crate, and its `ConversationHandler` next to ours. Their examples are compiled and run as doc tests.

#[doc = include_str!("../docs/testing.md")]
pub mod testing {}

#[doc = include_str!("../docs/ptb.md")]
pub mod python_telegram_bot {}

#[doc = include_str!("../docs/conversations.md")]
pub mod conversations {}
