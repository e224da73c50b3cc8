//! What nearly every bot imports: `use telegram_ext::prelude::*;`.
//!
//! The application and its builder, the context and callback result, the common handlers and
//! filters, the markup every bot sends (buttons, keyboards, `ParseMode`) and `Arc` for the
//! callback signature. Anything else is in [`crate::types`] (all Bot API types) or
//! [`crate::handlers`].
//!
//! ```
//! use telegram_ext::prelude::*;
//!
//! async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
//!     let keyboard = InlineKeyboardMarkup::from_button(InlineKeyboardButton::callback("Go", "go"));
//!     ctx.reply("Ready?")?.reply_markup(keyboard).await?;
//!     Ok(())
//! }
//! # let _ = start;
//! ```

pub use std::sync::Arc;
pub use std::time::Duration;

pub use crate::filters;
pub use crate::handlers::{
    CallbackQueryHandler, ChosenInlineResultHandler, CommandHandler, InlineQueryHandler,
    MessageHandler, Pattern, PollAnswerHandler, PollHandler, PrefixHandler, TypeHandler,
};
pub use crate::jobs::{named, Job};
pub use crate::{
    stop, Application, ApplicationBuilder, Bot, BuildError, Context, HandlerError, HandlerResult,
    MissingPart, PollingConfig, Update, UpdateKind,
};
pub use telegram_types::{
    escape_html, CallbackQuery, Chat, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup,
    InlineQueryResult, InlineQueryResultArticle, InputTextMessageContent, KeyboardButton,
    KeyboardButtonPollType, MaybeInaccessibleMessage, Message, ParseMode, ReplyKeyboardMarkup,
    ReplyKeyboardRemove, ReplyMarkup, User,
};
