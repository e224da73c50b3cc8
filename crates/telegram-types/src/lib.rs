//! Every Telegram Bot API type and method payload, generated from the Bot API 10.3 spec, and the
//! JSON layer that decodes them fast and never loses an update.
//!
//! # Brief overview
//!
//! - [`Update`] / [`UpdateKind`]: what `getUpdates` and webhooks deliver. A kind this version
//!   does not know is [`UpdateKind::Unknown`], never a decode failure.
//! - Every object type at the crate root ([`Message`], [`Chat`], [`User`], …), generated from
//!   the spec; unions are enums told apart by their tag, each with an `Unknown` variant.
//! - One departure from the spec's shape: a [`Message`]'s 54 service-message fields
//!   (`new_chat_members`, `pinned_message`, `successful_payment`, …) live in one boxed
//!   [`MessageService`], `message.service` (`None` on ordinary messages), so that every
//!   `Message` stays small; `message.service()` reads them without unwrapping. On the wire the
//!   object stays flat.
//! - Nothing newer is lost: every object keeps the keys this version does not know in its `extra`
//!   field (an [`Extra`] map, `None` when there are none, so it costs one pointer), readable by
//!   the bot and written back on encode.
//! - Older servers decode too: a field the spec marks required but whose type is a boolean or a
//!   list reads as `false` / empty when absent (Telegram adds such fields in new versions; the
//!   rule is the generator's, `xtask/src/lib.rs`).
//! - [`methods`]: one payload per API method, implementing [`Method`].
//! - [`json`]: `from_slice` / `to_vec` through simd-json (feature `simd`, default) or serde_json.
//! - [`batch::decode_updates`]: the `getUpdates` decoder that keeps a malformed update's id.
//! - [`Response`]: the `{"ok", "result", …}` envelope.
//!
//! # Features
//!
//! | feature | default | what it does |
//! | --- | --- | --- |
//! | `simd` | yes | the JSON layer uses simd-json; without it, serde_json |
//!
//! # Regenerating
//!
//! `src/generated/` is written by `cargo xtask codegen` from `shared/bot-api/api.json`; a test
//! fails when the committed files are stale. Hand-written types live outside that folder.

pub mod batch;
mod entity;
mod generated;
pub mod input_file;
pub mod json;
mod keyboards;
mod maybe_inaccessible_message;
mod mention;
mod message_or_bool;
mod method;
mod object;
mod parse_mode;
mod poll_options;
mod recipient;
mod response;
mod serde_support;
mod update;

pub use generated::enums::*;
pub use generated::methods;
pub use generated::types::*;
pub use generated::update_kind::UpdateKind;
pub use input_file::{InputFile, Upload, UploadSource};
pub use maybe_inaccessible_message::MaybeInaccessibleMessage;
pub use mention::escape_html;
pub use message_or_bool::MessageOrBool;
pub use method::Method;
pub use object::Extra;
pub use parse_mode::ParseMode;
pub use recipient::Recipient;
pub use response::{Response, ResponseError};
pub use update::Update;
