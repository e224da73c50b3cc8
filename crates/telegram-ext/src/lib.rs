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
//! - [`jobs`]: the [`JobQueue`] (once, repeating, daily, monthly, custom; persistent jobs).
//! - [`Context`]: the bot, the state, command args, regex matches, the error in error handlers,
//!   and typed stored data ([`data`]: `ctx.update(&COUNTER, |n| *n += 1)`).
//!
//! # Optional features
//!
//! | Feature   | Default | What it adds |
//! |-----------|---------|--------------|
//! | `webhook` | yes     | [`Application::run_webhook`] and [`WebhookConfig`]: a hyper HTTP/1.1 server, TLS through rustls. Without it, hyper's server side and `subtle` are not compiled (rustls still is, for the client's HTTPS); polling needs none of them. |
//! | `sqlite`  | no      | [`store::SqliteStore`] (forwards `telegram-store/sqlite`): the application's data in an embedded SQLite file. |
//! | `redis`   | no      | [`store::RedisStore`] (forwards `telegram-store/redis`): data shared by several processes. |

#![cfg_attr(docsrs, feature(doc_cfg))]

mod application;
pub mod broadcast;
mod context;
pub mod data;
mod error;
pub mod filters;
pub mod handlers;
pub mod jobs;
pub mod processing;
mod sources;

pub use application::{Application, ApplicationBuilder, HandlerId, Hook};
pub use context::Context;
pub use error::{stop, BuildError, HandlerError, HandlerResult, InvalidCommand, RunError};
pub use jobs::JobQueue;
pub use sources::PollingConfig;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub use sources::WebhookConfig;
pub use telegram_store as store;
pub use telegram_store::{MemoryStore, Store};
pub use telegram_transport::{Backoff, Bot};
pub use telegram_types::{Update, UpdateKind};
