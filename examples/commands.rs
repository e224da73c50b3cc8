//! Commands: `/start`, `/help`, `/transfer <amount> <recipient>` reading its arguments from
//! `ctx.args`, a catch-all for unknown commands, and an error handler that logs.
//!
//! `cargo run -p examples --example commands` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the embedded fake Bot API with a simulated user.

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::sync::Arc;

use telegram_ext::handlers::{CommandHandler, MessageHandler};
use telegram_ext::{filters, Context, HandlerResult, Update};

const HELP: &str = "Commands:\n\
    /start - say hello\n\
    /help - show this list\n\
    /transfer <amount> <recipient> - send coins";

const TRANSFER_USAGE: &str = "Usage: /transfer <amount> <recipient>, e.g. /transfer 10 bob";

/// Answers the message `update` carries with `text`.
async fn reply(update: &Update, ctx: &Context, text: impl Into<String>) -> HandlerResult {
    if let Some(chat) = update.effective_chat() {
        ctx.bot.send_message(chat.id, text).await?;
    }
    Ok(())
}

async fn start(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let name = update
        .effective_user()
        .map_or("there", |u| u.first_name.as_str());
    reply(
        &update,
        &ctx,
        format!("Hi {name}! Send /help to see what I can do."),
    )
    .await
}

async fn help(update: Arc<Update>, ctx: Context) -> HandlerResult {
    reply(&update, &ctx, HELP).await
}

/// `/transfer 10 bob`: `ctx.args` holds the words after the command, `["10", "bob"]`.
async fn transfer(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let [amount, recipient] = ctx.args.as_slice() else {
        return reply(&update, &ctx, TRANSFER_USAGE).await;
    };
    let Ok(amount) = amount.parse::<u64>() else {
        let text = format!("{amount:?} is not an amount.\n{TRANSFER_USAGE}");
        return reply(&update, &ctx, text).await;
    };
    let text = format!("Sent {amount} coins to {recipient}.");
    reply(&update, &ctx, text).await
}

async fn unknown(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let command = update
        .effective_message()
        .and_then(|m| m.text.as_deref())
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or("That");
    reply(
        &update,
        &ctx,
        format!("Sorry, I don't know {command}.\n{HELP}"),
    )
    .await
}

/// Sees every error a handler returns (or its panic).
async fn log_error(update: Arc<Update>, ctx: Context) -> HandlerResult {
    if let Some(error) = &ctx.error {
        tracing::error!(update_id = update.update_id, %error, "a handler failed");
    }
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
    app.add_handler(CommandHandler::new("help", help)?, 0);
    app.add_handler(CommandHandler::new("transfer", transfer)?, 0);
    // Within a group the first matching handler wins, so this catch-all, added last, only sees
    // commands the handlers above did not take. (In a later group it would see every command.)
    app.add_handler(MessageHandler::new(filters::COMMAND, unknown), 0);
    app.add_error_handler(log_error);

    offline::run(app, server, |server| async move {
        let alice = server.user("alice");
        for text in [
            "/start",
            "/help",
            "/transfer 10 bob",
            "/transfer oops",
            "/frobnicate",
        ] {
            offline::converse(&server, &alice, text, 1).await?;
        }
        println!("\nconversation done; stopping the bot");
        Ok(())
    })
    .await
}
