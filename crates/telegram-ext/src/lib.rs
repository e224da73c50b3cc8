//! `Application`, handlers, filters and the concurrency controls: what python-telegram-bot's
//! `telegram.ext` is, in Rust.

pub mod filters;
