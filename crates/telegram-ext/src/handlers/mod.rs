//! Handlers: a cheap synchronous `check` that decides whether a handler wants an update, then an
//! async `handle` that runs its callback.
//!
//! A callback is a plain async function, checked by the compiler:
//!
//! ```
//! use std::sync::Arc;
//! use telegram_ext::{filters, handlers::MessageHandler, Context, HandlerResult};
//! use telegram_ext::Update;
//!
//! async fn echo(update: Arc<Update>, ctx: Context) -> HandlerResult {
//!     if let Some(message) = update.effective_message() {
//!         let text = message.text.clone().unwrap_or_default();
//!         ctx.bot.send_message(message.chat.id, text).await?;
//!     }
//!     Ok(())
//! }
//!
//! let handler = MessageHandler::new(filters::TEXT & !filters::COMMAND, echo).block(false);
//! # let _ = handler;
//! ```
//!
//! # Handler kinds
//!
//! One per kind of update, as in python-telegram-bot, each in its own file:
//!
//! - messages: [`MessageHandler`] (a filter), [`CommandHandler`] (`/start@bot args`),
//!   [`PrefixHandler`] (`!help`);
//! - buttons and inline mode: [`CallbackQueryHandler`], [`InlineQueryHandler`],
//!   [`ChosenInlineResultHandler`], with an optional [`Pattern`];
//! - chats: [`ChatMemberHandler`], [`ChatJoinRequestHandler`], [`MessageReactionHandler`],
//!   [`ChatBoostHandler`];
//! - polls and payments: [`PollHandler`], [`PollAnswerHandler`], [`PreCheckoutQueryHandler`],
//!   [`ShippingQueryHandler`], [`PaidMediaPurchasedHandler`];
//! - business accounts: [`BusinessConnectionHandler`], [`BusinessMessagesDeletedHandler`];
//! - anything else: [`TypeHandler`] (a predicate on the whole update).
//!
//! Each matches its own update kinds only, reports them in [`Handler::update_types`] (the
//! application's `allowed_updates`), and takes `.block(false)`. Each is a [`Checked`]: a
//! [`Check`] of its own (`MessageCheck`, `CommandCheck`, …) paired with the callback, so the
//! callback, `block` and dispatch live in one place. A [`Check`] of yours makes a handler the
//! same way: `Checked::from_parts(my_check, callback)`.
//!
//! # `block(false)` compared to `create_task`
//!
//! `block(false)` runs the whole callback as a tracked task, so dispatch goes on to the next group
//! at once; its errors still reach the error handlers. `Context::create_task` (in the concurrency
//! layer) spawns just a part of a callback's work. Both are awaited on a graceful stop.

mod allow_list;
mod callback_query;
mod chat_boost;
mod chat_join_request;
mod chat_member;
mod checked;
mod command;
mod inline_query;
mod kind;
mod message;
mod message_reaction;
mod pattern;
mod prefix;
mod subject;
mod type_handler;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use self::callback_query::{CallbackQueryCheck, CallbackQueryHandler};
pub use self::chat_boost::{ChatBoostCheck, ChatBoostHandler, ChatBoostUpdates};
pub use self::chat_join_request::{ChatJoinRequestCheck, ChatJoinRequestHandler};
pub use self::chat_member::{ChatMemberCheck, ChatMemberHandler, ChatMemberUpdates};
pub use self::checked::{Check, Checked};
pub use self::command::{CommandCheck, CommandHandler};
pub use self::inline_query::{InlineQueryCheck, InlineQueryHandler};
pub use self::kind::{
    ChosenInlineResultHandler, ChosenInlineResultKind, Kind, KindCheck, KindHandler, PatternCheck,
    PatternHandler, PatternKind, PollAnswerHandler, PollAnswerKind, PollHandler, PollKind,
    PreCheckoutQueryHandler, PreCheckoutQueryKind, ShippingQueryHandler, ShippingQueryKind,
};
pub use self::message::{MessageCheck, MessageHandler};
pub use self::message_reaction::{
    MessageReactionCheck, MessageReactionHandler, MessageReactionUpdates,
};
pub use self::pattern::Pattern;
pub use self::prefix::{PrefixCheck, PrefixHandler};
pub use self::subject::{
    BusinessConnectionHandler, BusinessConnectionSubject, BusinessMessagesDeletedHandler,
    BusinessMessagesDeletedSubject, PaidMediaPurchasedHandler, PaidMediaPurchasedSubject, Subject,
    SubjectCheck, SubjectHandler,
};
pub use self::type_handler::{TypeCheck, TypeHandler};
pub use crate::error::InvalidCommand;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use crate::filters::RegexMatch;
use crate::{Context, HandlerResult};

/// The boxed future a handler's `handle` returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = HandlerResult> + Send + 'static>>;

/// What a handler's `check` found: command arguments, regex captures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    /// Command arguments (`/cmd a b` → `["a", "b"]`).
    pub args: Vec<String>,
    /// Regex captures of data filters and patterns.
    pub matches: Vec<RegexMatch>,
}

/// Who the bot is, as `getMe` said: command handlers need the username for `/cmd@botname`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BotIdentity {
    /// The bot's user id.
    pub id: i64,
    /// The bot's username, without `@`.
    pub username: String,
}

/// Something that may handle an update. Groups of the application store `Box<dyn Handler<S>>`.
pub trait Handler<S = ()>: Send + Sync + 'static {
    /// Does this handler want the update? Synchronous, cheap, no I/O.
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match>;

    /// Runs the callback; the match from `check` is already in the context.
    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture;

    /// Whether dispatch waits for this handler (`true`, the default) or runs it as a tracked task.
    fn is_blocking(&self) -> bool {
        true
    }

    /// The kinds of update this handler can match, for computing `allowed_updates`.
    fn update_types(&self) -> Vec<UpdateType>;

    /// Called once when the handler is added to an application, before it sees any update: a
    /// handler that needs the application's services (a conversation registers its timeout
    /// job) sets them up here. Does nothing by default.
    fn added_to(&self, _app: &crate::Application<S>)
    where
        S: Send + Sync + 'static,
    {
    }
}

/// A callback: `async fn(Arc<Update>, Context<S>) -> HandlerResult`.
///
/// Implemented for every function and closure of that shape; there is nothing to implement by
/// hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler callback",
    note = "a callback is `async fn name(update: Arc<Update>, ctx: Context<S>) -> HandlerResult`, with `S` the application's state type (`()` by default)"
)]
pub trait Callback<S>: Send + Sync + 'static {
    /// Calls the callback.
    fn call(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture;
}

// `do_not_recommend`: on a wrong signature the compiler reports this trait's message (the
// signature a callback needs) instead of the `Fn` bound it failed deep inside.
#[diagnostic::do_not_recommend]
impl<S, F, Fut> Callback<S> for F
where
    F: Fn(Arc<Update>, Context<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn call(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        Box::pin(self(update, ctx))
    }
}

/// The update kinds that carry a message (what message filters and command handlers look at).
pub(crate) const MESSAGE_KINDS: &[UpdateType] = &[
    UpdateType::Message,
    UpdateType::EditedMessage,
    UpdateType::ChannelPost,
    UpdateType::EditedChannelPost,
    UpdateType::BusinessMessage,
    UpdateType::EditedBusinessMessage,
];
