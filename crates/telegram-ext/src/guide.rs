//! Guides, rendered from `docs/*.md`: testing a bot, and python-telegram-bot's concepts in this
//! crate. Their examples are compiled and run as doc tests.

#[doc = include_str!("../docs/testing.md")]
pub mod testing {}

#[doc = include_str!("../docs/ptb.md")]
pub mod python_telegram_bot {}
