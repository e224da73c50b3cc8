//! `Application`, handlers, filters and the concurrency controls: what python-telegram-bot's
//! `telegram.ext` is, in Rust.
//!
//! # Brief overview
//!
//! - [`Application`] holds handlers in numbered groups, error handlers, the [`Bot`] and typed
//!   state; [`Application::run_polling`] and [`Application::run_webhook`] run it.
//! - [`handlers`]: `CommandHandler`, `MessageHandler`, `CallbackQueryHandler`, … Callbacks are
//!   plain `async fn(Arc<Update>, Context<S>) -> HandlerResult`, checked by the compiler.
//! - [`filters`]: `filters::TEXT & !filters::COMMAND`, combinable with `&`, `|`, `^`, `!`.
//! - [`Context`]: the bot, the state, command args, regex matches, the error in error handlers.

mod application;
mod context;
mod error;
pub mod filters;
pub mod handlers;
pub mod prelude;
pub mod processing;
mod shortcuts;
mod sources;

pub use application::{
    Application, ApplicationBuilder, HandlerId, Hook, NoHooks, StateNotFixed, WithHooks,
};
pub use context::Context;
pub use error::{stop, BuildError, HandlerError, HandlerResult, InvalidCommand, RunError};
pub use shortcuts::MissingPart;
#[cfg(feature = "webhook")]
pub use sources::WebhookConfig;
pub use sources::{Backoff, PollingConfig};
pub use telegram_transport::Bot;
/// Every Bot API type (keyboards, `ParseMode`, messages…): `telegram_ext::types::ParseMode`,
/// so one dependency is enough.
pub use telegram_types as types;
pub use telegram_types::{Update, UpdateKind};
