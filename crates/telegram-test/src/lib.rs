//! A fake Telegram Bot API server on loopback, with simulated users, for testing bots offline.
//!
//! # Brief overview
//!
//! - [`FakeBotApi`]: real HTTP on `127.0.0.1` (HTTP/1.1 and HTTP/2), real JSON, like
//!   `api.telegram.org`. Point a bot at [`FakeBotApi::url`] with [`FakeBotApi::token`]. It
//!   serves `/bot<token>/<method>` (JSON, url-encoded form, query string or multipart bodies) and
//!   `/file/bot<token>/<file_path>` downloads, and records every call as a [`RecordedRequest`].
//! - [`SimUser`] / [`SimChat`]: simulated people and groups. `alice.send_text("/start")`
//!   enqueues the update Telegram would send; the bot fetches it with `getUpdates` (long polling
//!   wakes at once) or receives it on its webhook.
//! - Waits: [`FakeBotApi::next_request`], [`FakeBotApi::replies_to`],
//!   [`FakeBotApi::wait_for_offset`]; each times out (default 5 s) with a [`WaitError`] that says
//!   what was awaited, so a broken bot fails the test instead of hanging it.
//! - Faults: [`FakeBotApi::inject`] a [`Fault`] (latency, 429 with `retry_after`, 5xx, dropped
//!   connection, slow body) on a deterministic [`Schedule`].
//! - Flood control: a [`FloodModel`] (global, per-chat and per-group limits, scaled down for
//!   tests) answers 429 with `retry_after` like Telegram when a bot sends too fast;
//!   [`FakeBotApi::flood_chat`] floods one chat on purpose; [`SimUser::block_bot`] makes sends
//!   to a user fail with 403.
//!
//! # Methods
//!
//! Simulated: `getMe`; `getUpdates` (`offset`, `limit`, `timeout`, `allowed_updates`);
//! `setWebhook` / `deleteWebhook` / `getWebhookInfo` (updates are POSTed to the webhook, with
//! `X-Telegram-Bot-Api-Secret-Token`, up to `max_connections` at once and one chat's updates
//! one after another, and redelivered after a non-2xx answer, a timeout or a dropped
//! connection; [`FakeBotApi::balance_webhook`] spreads them over several replicas' URLs and
//! [`FakeBotApi::webhook_stats`] counts them; `getUpdates` answers 409 meanwhile); `getChat`; `sendMessage`; `editMessageText`; `answerCallbackQuery`; `sendPhoto`,
//! `sendDocument`, `sendAudio`, `sendVideo`, `sendVoice`, `sendAnimation`, `sendSticker`,
//! `sendVideoNote` (upload, `attach://`, URL or known `file_id`); `sendMediaGroup`; `getFile`;
//! `sendPoll` and `stopPoll`.
//! Every other Bot API method answers `true`; an unknown method answers 404 `Not Found`, a wrong
//! token 401 `Unauthorized`, bad parameters 400 with Telegram's descriptions
//! (`Bad Request: message text is empty`, `Bad Request: chat not found`, …).
//!
//! Form and multipart text fields arrive as strings; the server parses values that look like
//! JSON objects, arrays or booleans, and integers in `*_id` and counting fields (`offset`,
//! `limit`, `timeout`, …). Text-like fields (`text`, `caption`, `data`, `query`,
//! `callback_query_id`, …) always stay strings.
//!
//! # Example
//!
//! ```no_run
//! use telegram_test::FakeBotApi;
//! # async fn run_my_bot(_api_url: String, _token: String) {}
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), telegram_test::WaitError> {
//! let server = FakeBotApi::start().await;
//! tokio::spawn(run_my_bot(server.url(), server.token()));
//!
//! let alice = server.user("alice");
//! alice.send_text("/start").await;
//!
//! let reply = server.next_request("sendMessage").await?;
//! assert_eq!(reply.chat_id(), Some(alice.id()));
//! assert_eq!(reply.text(), Some("Welcome!"));
//! # Ok(())
//! # }
//! ```
//!
//! # Limits
//!
//! `parse_mode` is not applied (text is echoed as sent); webhooks are plain HTTP; uploaded photos
//! are echoed as one 800×600 size.

mod api;
mod chats;
mod error;
mod fault;
mod files;
mod flood;
mod harness;
mod http;
mod queue;
mod record;
mod request_log;
mod server;
mod sim;
mod state;
mod waits;
mod webhook;

pub use error::{HarnessError, WaitError};
pub use fault::{Fault, Schedule};
pub use flood::FloodModel;
pub use harness::TestBot;
pub use record::{RecordedFile, RecordedRequest};
pub use server::{FakeBotApi, FakeBotApiBuilder};
pub use sim::{ChatTarget, SimChat, SimUser};
pub use webhook::{Balance, WebhookStats};

/// The header a webhook delivery carries the `secret_token` in.
pub const WEBHOOK_SECRET_HEADER: &str = webhook::SECRET_HEADER;
