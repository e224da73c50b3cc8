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
//! - [`conversation`]: multi-step dialogues (python-telegram-bot's `ConversationHandler`),
//!   typed states, stored, correct under concurrency, with timeouts.
//! - [`jobs`]: the [`JobQueue`] (once, repeating, daily, monthly, custom; persistent jobs).
//! - [`Context`]: the bot, the state, command args, regex matches, the error in error handlers,
//!   and typed stored data ([`data`]: `ctx.update(&COUNTER, |n| *n += 1)`).
//! - Shortcuts that answer the update at hand (`ctx.reply(..)`, `ctx.answer()`).
//! - [`prelude`]: one import for a bot; [`types`]: every Bot API type.
//! - Guides: [testing a bot](guide::testing) with `telegram-test`, and
//!   [python-telegram-bot's concepts here](guide::python_telegram_bot).
//!
//! # Example
//!
//! ```no_run
//! use telegram_ext::prelude::*;
//!
//! async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
//!     let keyboard = InlineKeyboardMarkup::from_rows([[
//!         InlineKeyboardButton::callback("Yes", "yes"),
//!         InlineKeyboardButton::callback("No", "no"),
//!     ]]);
//!     ctx.reply("Ready?")?.reply_markup(keyboard).await?;
//!     Ok(())
//! }
//!
//! async fn answer(_update: Arc<Update>, ctx: Context) -> HandlerResult {
//!     ctx.answer()?.await?;
//!     let choice = ctx.callback_query()?.data.clone().unwrap_or_default();
//!     ctx.edit_message_text(format!("You said {choice}"))?.await?;
//!     Ok(())
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let app = Application::builder().token(std::env::var("TELEGRAM_BOT_TOKEN")?).build()?;
//!     app.add_handler(CommandHandler::new("start", start)?, 0);
//!     app.add_handler(CallbackQueryHandler::new(answer), 0);
//!     app.run_polling(PollingConfig::default()).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Optional features
//!
//! | Feature   | Default | What it adds |
//! |-----------|---------|--------------|
//! | `webhook` | yes     | [`Application::run_webhook`] and [`WebhookConfig`]: a hyper HTTP/1.1 server, TLS through rustls. Without it, hyper's server side and `subtle` are not compiled (rustls still is, for the client's HTTPS); polling needs none of them. |
//! | `simd`    | yes     | Responses and updates decode through simd-json (forwards `telegram-transport/simd`); without it, through serde_json. Both decode the same way; CI runs the polling tests on both. |
//! | `sqlite`  | no      | `store::SqliteStore` (forwards `telegram-store/sqlite`): the application's data in an embedded SQLite file. |
//! | `redis`   | no      | `store::RedisStore` (forwards `telegram-store/redis`): data shared by several processes. |

#![cfg_attr(docsrs, feature(doc_cfg))]

mod application;
pub mod broadcast;
mod context;
pub mod conversation;
pub mod data;
pub mod delivery;
mod error;
pub mod filters;
pub mod guide;
pub mod handlers;
pub mod jobs;
pub mod prelude;
pub mod processing;
mod shortcuts;
mod sources;

pub use application::{
    Application, ApplicationBuilder, HandlerId, Hook, NoHooks, StateNotFixed, WithHooks,
};
pub use context::Context;
pub use error::{stop, BuildError, HandlerError, HandlerResult, InvalidCommand, RunError};
pub use jobs::JobQueue;
pub use shortcuts::MissingPart;
pub use sources::PollingConfig;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub use sources::{Ack, WebhookConfig};
pub use telegram_store as store;
pub use telegram_store::{MemoryStore, Store};
pub use telegram_transport::{Backoff, Bot};
/// Every Bot API type (keyboards, `ParseMode`, messages…): `telegram_ext::types::ParseMode`,
/// so one dependency is enough.
pub use telegram_types as types;
pub use telegram_types::{Update, UpdateKind};
