//! python-telegram-bot's `echobot.py`, ported: `/start` greets with a mention and asks for a
//! reply, `/help` helps, any other text comes back.
//!
//! `cargo run -p examples --example echobot` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the fake Bot API with simulated users.

#[path = "support/ports.rs"]
mod support;

use telegram_ext::prelude::*;

async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let greeting = format!("Hi {}!", ctx.user()?.mention_html());
    let markup = ForceReply::selective();
    ctx.reply_html(greeting)?.reply_markup(markup).await?;
    Ok(())
}

async fn help_command(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("Help!")?.await?;
    Ok(())
}

async fn echo(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let text = ctx.message()?.text.clone().unwrap_or_default();
    ctx.reply(text)?.await?;
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let app = builder.build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CommandHandler::new("help", help_command)?, 0);
    let echo_handler = MessageHandler::new(filters::TEXT & !filters::COMMAND, echo);
    app.add_handler(echo_handler, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::echobot).await
}
