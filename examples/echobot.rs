//! The echo bot: `/start` greets, any other text comes back.
//!
//! `cargo run -p examples --example echobot` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the embedded fake Bot API with two simulated users.

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::sync::Arc;

use telegram_ext::handlers::{CommandHandler, MessageHandler};
use telegram_ext::{filters, Context, HandlerResult, Update};

async fn start(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat() else {
        return Ok(());
    };
    let name = update
        .effective_user()
        .map_or("there", |u| u.first_name.as_str());
    ctx.bot
        .send_message(
            chat.id,
            format!("Hi {name}! Send me anything and I will echo it."),
        )
        .await?;
    Ok(())
}

async fn echo(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(message) = update.effective_message() else {
        return Ok(());
    };
    let text = message.text.clone().unwrap_or_default();
    ctx.bot.send_message(message.chat.id, text).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    offline::init_logging();
    let server = match offline::token() {
        Some(_) => None,
        None => Some(telegram_test::FakeBotApi::start().await),
    };
    let app = offline::builder(server.as_ref()).build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(
        MessageHandler::new(filters::TEXT & !filters::COMMAND, echo),
        0,
    );

    offline::run(app, server, |server| async move {
        let alice = server.user("alice");
        let bob = server.user("bob");
        offline::converse(&server, &alice, "/start", 1).await?;
        offline::converse(&server, &alice, "Hello, bot!", 1).await?;
        offline::converse(&server, &bob, "Привет 👋 echo this", 1).await?;
        offline::converse(&server, &alice, "one more", 1).await?;
        println!("\nconversation done; stopping the bot");
        Ok(())
    })
    .await
}
