//! Data that survives a restart: a per-chat message counter and a user profile, kept in a
//! SQLite file.
//!
//! `cargo run -p examples --example persistence` — run it twice: the second run remembers the
//! first (the counter goes on, the bot still knows your name). The file is
//! `$PERSISTENCE_DB`, or `telegram-rs-persistence.sqlite` in the temporary directory; delete it
//! to start over. Offline against the fake Bot API unless `TELEGRAM_BOT_TOKEN` is set.

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use telegram_ext::data::{ChatSlot, UserSlot};
use telegram_ext::handlers::{CommandHandler, MessageHandler};
use telegram_ext::store::SqliteStore;
use telegram_ext::{filters, Context, HandlerResult, Update};

/// What the bot knows of a user.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Profile {
    name: Option<String>,
    messages: u64,
}

const MESSAGES: ChatSlot<u64> = ChatSlot::new("messages");
const PROFILE: UserSlot<Profile> = UserSlot::new("profile");

/// `/name Ada`: remembers the user's name.
async fn set_name(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat() else {
        return Ok(());
    };
    let name = ctx.args.join(" ");
    if name.is_empty() {
        ctx.bot
            .send_message(chat.id, "Usage: /name <your name>")
            .await?;
        return Ok(());
    }
    ctx.update(&PROFILE, |p| p.name = Some(name.clone()))
        .await?;
    ctx.bot
        .send_message(chat.id, format!("I will remember you as {name}."))
        .await?;
    Ok(())
}

/// Any text: counts it in the chat and for the user, and says so.
async fn count(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat() else {
        return Ok(());
    };
    let in_chat = ctx
        .update(&MESSAGES, |n| {
            *n += 1;
            *n
        })
        .await?;
    let profile = ctx
        .update(&PROFILE, |p| {
            p.messages += 1;
            (p.name.clone(), p.messages)
        })
        .await?;
    let who = profile
        .0
        .unwrap_or_else(|| "stranger (tell me: /name …)".to_owned());
    let text = format!(
        "Hello {who}! Message #{in_chat} in this chat, your #{} ever.",
        profile.1
    );
    ctx.bot.send_message(chat.id, text).await?;
    Ok(())
}

fn database_path() -> PathBuf {
    std::env::var_os("PERSISTENCE_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("telegram-rs-persistence.sqlite"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    offline::init_logging();
    let path = database_path();
    println!("data kept in {}", path.display());
    let server = match offline::token() {
        Some(_) => None,
        None => Some(telegram_test::FakeBotApi::start().await),
    };
    let app = offline::builder(server.as_ref())
        .store(SqliteStore::open(&path)?)
        .build()?;
    app.add_handler(CommandHandler::new("name", set_name)?, 0);
    app.add_handler(
        MessageHandler::new(filters::TEXT & !filters::COMMAND, count),
        0,
    );

    offline::run(app, server, |server| async move {
        let alice = server.user("alice");
        let bob = server.user("bob");
        offline::converse(&server, &alice, "hi", 1).await?;
        offline::converse(&server, &alice, "/name Alice", 1).await?;
        offline::converse(&server, &alice, "hi again", 1).await?;
        offline::converse(&server, &bob, "hello", 1).await?;
        println!("\ndone; run me again: I will remember");
        Ok(())
    })
    .await
}
