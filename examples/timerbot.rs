//! The timer bot (python-telegram-bot's `timerbot`): `/set <seconds>` schedules a message to
//! the chat, `/unset` cancels it.
//!
//! The alarm is a persistent job: its callback is registered by name and its data (the
//! seconds) is serde, so it is kept in the application's store, one per chat (the job id is
//! the chat's: setting a new timer replaces the old one). With `TIMERBOT_DB=path` the store is
//! that SQLite file and pending timers survive a restart (a timer whose time passed while the
//! bot was down rings at start); without, it is in memory.
//!
//! `cargo run -p examples --example timerbot` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the embedded fake Bot API with two simulated users (the
//! offline run leaves carol's 5 s timer pending: run it again with the same `TIMERBOT_DB` and
//! the alarm from the first run rings in the second, late, as its misfire policy says).

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use telegram_ext::handlers::CommandHandler;
use telegram_ext::jobs::{named, Job};
use telegram_ext::store::SqliteStore;
use telegram_ext::{Context, HandlerResult, Update};

const USAGE: &str = "Usage: /set <seconds>";

/// The job id of `chat`'s timer: one timer per chat.
fn timer_id(chat: i64) -> String {
    format!("timer:{chat}")
}

async fn reply(update: &Update, ctx: &Context, text: impl Into<String>) -> HandlerResult {
    if let Some(chat) = update.effective_chat() {
        ctx.bot.send_message(chat.id, text).await?;
    }
    Ok(())
}

async fn start(update: Arc<Update>, ctx: Context) -> HandlerResult {
    reply(
        &update,
        &ctx,
        format!("Hi! Use /set <seconds> to set a timer.\n{USAGE}"),
    )
    .await
}

/// The job: tells the chat its time is up.
async fn alarm(job: Job, ctx: Context) -> HandlerResult {
    let seconds: u64 = job.data()?;
    if let Some(chat) = job.chat_id() {
        ctx.bot
            .send_message(chat, format!("Beep! {seconds} seconds are over!"))
            .await?;
    }
    Ok(())
}

/// `/set 30`: (re)places this chat's timer.
async fn set_timer(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat().map(|c| c.id) else {
        return Ok(());
    };
    let seconds = match ctx.args.as_slice() {
        [seconds] => seconds.parse::<u64>().ok(),
        _ => None,
    };
    let Some(seconds) = seconds else {
        return reply(&update, &ctx, USAGE).await;
    };
    let queue = ctx.job_queue();
    let replaced = queue.job(&timer_id(chat)).is_some();
    queue
        .run_once(named("alarm"), Duration::from_secs(seconds))
        .id(timer_id(chat))
        .name("alarm")
        .chat_id(chat)
        .data(&seconds)
        .await?;
    let mut text = String::from("Timer successfully set!");
    if replaced {
        text.push_str(" Old one was removed.");
    }
    reply(&update, &ctx, text).await
}

/// `/unset`: cancels this chat's timer.
async fn unset(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat().map(|c| c.id) else {
        return Ok(());
    };
    let cancelled = match ctx.job_queue().job(&timer_id(chat)) {
        Some(job) => job.cancel().await?,
        None => false,
    };
    let text = if cancelled {
        "Timer successfully cancelled!"
    } else {
        "You have no active timer."
    };
    reply(&update, &ctx, text).await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    offline::init_logging();
    let server = match offline::token() {
        Some(_) => None,
        None => Some(telegram_test::FakeBotApi::start().await),
    };
    let builder = offline::builder(server.as_ref());
    let builder = match std::env::var_os("TIMERBOT_DB") {
        Some(path) => {
            println!("timers kept in {}", PathBuf::from(&path).display());
            builder.store(SqliteStore::open(PathBuf::from(path))?)
        }
        None => builder,
    };
    let app = builder.build()?;
    app.register_job("alarm", alarm);
    app.add_handler(CommandHandler::with_commands(["start", "help"], start)?, 0);
    app.add_handler(CommandHandler::new("set", set_timer)?, 0);
    app.add_handler(CommandHandler::new("unset", unset)?, 0);

    offline::run(app, server, |server| async move {
        let alice = server.user("alice");
        let bob = server.user("bob");
        offline::converse(&server, &alice, "/start", 1).await?;
        offline::converse(&server, &alice, "/set 1", 1).await?;
        // The alarm, a second later.
        for beep in server.replies_to(&alice, 1).await? {
            println!("{:>8}: {}", "bot", beep.text().unwrap_or_default());
        }
        offline::converse(&server, &alice, "/set 60", 1).await?;
        offline::converse(&server, &alice, "/set 30", 1).await?;
        offline::converse(&server, &alice, "/unset", 1).await?;
        offline::converse(&server, &bob, "/unset", 1).await?;
        offline::converse(&server, &bob, "/set soon", 1).await?;
        // Left pending: with TIMERBOT_DB, a second run rings it (at start if it is due).
        let carol = server.user("carol");
        offline::converse(&server, &carol, "/set 5", 1).await?;
        println!("\nconversation done; stopping the bot");
        Ok(())
    })
    .await
}
