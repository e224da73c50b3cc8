//! python-telegram-bot's `timerbot.py`, ported: `/set <seconds>` schedules a message to the
//! chat, `/unset` cancels it.
//!
//! The alarm is a persistent job: its callback is registered by name and its data (the seconds)
//! is serde, so it is kept in the application's store, one per chat (the job id is the chat's:
//! setting a new timer replaces the old one). With `TIMERBOT_DB=path` the store is that SQLite
//! file and pending timers survive a restart (a timer whose time passed while the bot was down
//! rings at start, as its misfire policy says); without, it is in memory.
//!
//! `cargo run -p examples --example timerbot` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the fake Bot API with simulated users (the offline run leaves
//! carol's 5 s timer pending: run it again with the same `TIMERBOT_DB` and it rings).

#[path = "support/ports.rs"]
mod support;

use telegram_ext::prelude::*;
use telegram_ext::store::SqliteStore;

async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("Hi! Use /set <seconds> to set a timer")?.await?;
    Ok(())
}

/// The job: in a job's context, `reply` goes to the job's chat.
async fn alarm(job: Job, ctx: Context) -> HandlerResult {
    let text = format!("Beep! {} seconds are over!", job.data::<f64>()?);
    ctx.reply(text)?.await?;
    Ok(())
}

async fn set_timer(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(due) = ctx.args.first().and_then(|arg| arg.parse::<f64>().ok()) else {
        ctx.reply("Usage: /set <seconds>")?.await?;
        return Ok(());
    };
    let Ok(after) = Duration::try_from_secs_f64(due) else {
        ctx.reply("Sorry we can not go back to future!")?.await?;
        return Ok(());
    };
    let chat = ctx.chat_id()?;
    let job_removed = ctx.job_queue().cancel(&chat.to_string()).await?;
    let timer = ctx.job_queue().run_once(named("alarm"), after);
    timer.id(chat.to_string()).chat_id(chat).data(&due).await?;
    let old = job_removed.then_some(" Old one was removed.");
    let text = format!("Timer successfully set!{}", old.unwrap_or_default());
    ctx.reply(text)?.await?;
    Ok(())
}

async fn unset(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let removed = ctx.job_queue().cancel(&ctx.chat_id()?.to_string()).await?;
    let [done, none] = ["Timer successfully cancelled!", "You have no active timer."];
    ctx.reply(if removed { done } else { none })?.await?;
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let app = builder.build()?;
    app.register_job("alarm", alarm);
    app.add_handler(CommandHandler::with_commands(["start", "help"], start)?, 0);
    app.add_handler(CommandHandler::new("set", set_timer)?, 0);
    app.add_handler(CommandHandler::new("unset", unset)?, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = std::env::var_os("TIMERBOT_DB");
    let store = db.map(SqliteStore::open).transpose()?;
    let with_store = |b: ApplicationBuilder<()>| app(store.into_iter().fold(b, |b, s| b.store(s)));
    support::run(with_store, support::timerbot).await
}
