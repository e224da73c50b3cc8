//! python-telegram-bot's `inlinekeyboard.py`, ported: `/start` sends three buttons; a press is
//! answered and the message edited to show the choice.
//!
//! `cargo run -p examples --example inlinekeyboard` — with `TELEGRAM_BOT_TOKEN` set it polls
//! Telegram; without, it runs offline against the fake Bot API with a simulated user.

#[path = "support/ports.rs"]
mod support;

use telegram_ext::prelude::*;

async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let keyboard = InlineKeyboardMarkup::from_rows([
        vec![
            InlineKeyboardButton::callback("Option 1", "1"),
            InlineKeyboardButton::callback("Option 2", "2"),
        ],
        vec![InlineKeyboardButton::callback("Option 3", "3")],
    ]);
    ctx.reply("Please choose:")?.reply_markup(keyboard).await?;
    Ok(())
}

async fn button(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    // Always answer a callback query: some clients show a progress bar until then.
    ctx.answer()?.await?;
    let choice = ctx.callback_query()?.data.clone().unwrap_or_default();
    ctx.edit_message_text(format!("Selected option: {choice}"))?
        .await?;
    Ok(())
}

async fn help_command(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("Use /start to test this bot.")?.await?;
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let app = builder.build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CallbackQueryHandler::new(button), 0);
    app.add_handler(CommandHandler::new("help", help_command)?, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::inlinekeyboard).await
}
