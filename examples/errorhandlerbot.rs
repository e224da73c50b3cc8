//! python-telegram-bot's `errorhandlerbot.py`, ported: `/bad_command` fails, and the error
//! handler logs the error and sends the developer a report with the update and the error chain.
//!
//! `cargo run -p examples --example errorhandlerbot` — with `TELEGRAM_BOT_TOKEN` set it polls
//! Telegram (set `DEVELOPER_CHAT_ID` to your chat id: `/start` shows it); without, it runs
//! offline against the fake Bot API, where the developer is a simulated user too.

#[path = "support/ports.rs"]
mod support;

use std::error::Error;

use telegram_ext::prelude::*;

/// Your own chat id, or a developers' group's.
const DEVELOPER_CHAT_ID: i64 = 123_456_789;

async fn error_handler(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let error = ctx.error.as_ref().ok_or(MissingPart("error"))?;
    // Logged first, so it is seen even if the report fails.
    tracing::error!(%error, update_id = update.update_id, "exception while handling an update");
    let mut chain = error.to_string();
    let mut source = error.source_error().and_then(|e| e.source());
    while let Some(cause) = source {
        chain.push_str(&format!("\ncaused by: {cause}"));
        source = cause.source();
    }
    let update_json = serde_json::to_string_pretty(&*update)?;
    let message = format!(
        "An exception was raised while handling an update\n<pre>update = {}</pre>\n\n<pre>{}</pre>",
        escape_html(&update_json),
        escape_html(&chain)
    );
    let report = ctx.bot.send_message(DEVELOPER_CHAT_ID, message);
    report.parse_mode(ParseMode::Html).await?;
    Ok(())
}

async fn bad_command(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    // Telegram refuses an empty message: an error for the error handler.
    ctx.reply("")?.await?;
    Ok(())
}

async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let text = format!(
        "Use /bad_command to cause an error.\nYour chat id is <code>{}</code>.",
        ctx.chat_id()?
    );
    ctx.reply_html(text)?.await?;
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let app = builder.build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CommandHandler::new("bad_command", bad_command)?, 0);
    app.add_error_handler(error_handler);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    support::run(app, |bot| support::errorhandlerbot(bot, DEVELOPER_CHAT_ID)).await
}
