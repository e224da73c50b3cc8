//! The echo bot behind a webhook: Telegram POSTs each update to our HTTP server instead of the
//! bot polling for it. `run_webhook` calls `setWebhook` with the public URL and a secret token,
//! and refuses requests that do not carry that secret.
//!
//! `cargo run -p examples --example webhook` — without `TELEGRAM_BOT_TOKEN` it runs offline: it
//! listens on a free port of 127.0.0.1 and the embedded fake Bot API POSTs two simulated users'
//! messages to it.
//!
//! With `TELEGRAM_BOT_TOKEN` set it serves Telegram until ctrl-c, configured by:
//! - `LISTEN_ADDR`: where to listen, e.g. `0.0.0.0:8080`;
//! - `WEBHOOK_URL`: the public HTTPS URL Telegram POSTs to, ending in `/telegram`
//!   (e.g. `https://bot.example.com/telegram` behind a TLS-terminating proxy, which forwards
//!   to `LISTEN_ADDR`);
//! - `WEBHOOK_SECRET`: a random token Telegram sends back with every update (1–256 characters
//!   of `A-Z`, `a-z`, `0-9`, `_` and `-`).

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::sync::Arc;

use telegram_ext::handlers::{CommandHandler, MessageHandler};
use telegram_ext::{filters, Context, HandlerResult, Update, WebhookConfig};

/// The path Telegram POSTs updates to.
const PATH: &str = "/telegram";

async fn start(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat() else {
        return Ok(());
    };
    ctx.bot
        .send_message(
            chat.id,
            "Hi! I came in through a webhook. Send me anything.",
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

/// An environment variable that must be set.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} to run the webhook against Telegram"))
}

/// From the environment for Telegram; offline, a free port on loopback.
fn webhook_config(offline: bool) -> Result<WebhookConfig, Box<dyn std::error::Error>> {
    if offline {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        return Ok(WebhookConfig::new(addr, PATH)
            .with_listener(listener)
            .webhook_url(format!("http://{addr}{PATH}"))
            .secret_token("offline-secret"));
    }
    Ok(WebhookConfig::new(env("LISTEN_ADDR")?.parse()?, PATH)
        .webhook_url(env("WEBHOOK_URL")?)
        .secret_token(env("WEBHOOK_SECRET")?))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    offline::init_logging();
    let server = match offline::token() {
        Some(_) => None,
        None => Some(telegram_test::FakeBotApi::start().await),
    };
    let config = webhook_config(server.is_some())?;
    let app = offline::builder(server.as_ref()).build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(
        MessageHandler::new(filters::TEXT & !filters::COMMAND, echo),
        0,
    );

    offline::run_webhook(app, server, config, |server| async move {
        let set = server.next_request("setWebhook").await?;
        let url = set.str_param("url").unwrap_or("?");
        println!("{:>8}: [setWebhook {url}, with a secret token]\n", "bot");
        let alice = server.user("alice");
        let bob = server.user("bob");
        offline::converse(&server, &alice, "/start", 1).await?;
        offline::converse(&server, &alice, "Hello over HTTP!", 1).await?;
        offline::converse(&server, &bob, "Hi from bob", 1).await?;
        println!("\nconversation done; stopping the bot");
        Ok(())
    })
    .await
}
