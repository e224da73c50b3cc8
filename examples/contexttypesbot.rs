//! python-telegram-bot's `contexttypesbot.py`, ported: a button counts its clicks per message,
//! and `/print_users` lists who used the bot. PTB keeps the counts in a custom `chat_data` class
//! and the users in `bot_data`, reached through a custom context; here both live in the
//! application's typed state, reached through `ctx.state`, and the shortcut property of PTB's
//! custom context is a method on that state.
//!
//! `cargo run -p examples --example contexttypesbot` — with `TELEGRAM_BOT_TOKEN` set it polls
//! Telegram; without, it runs offline against the fake Bot API with simulated users.

#[path = "support/ports.rs"]
mod support;

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use telegram_ext::prelude::*;

/// What the bot keeps: clicks per message (by chat and message id), and who used the bot.
#[derive(Default)]
pub(crate) struct BotData {
    clicks_per_message: Mutex<HashMap<(i64, i64), u64>>,
    user_ids: Mutex<BTreeSet<i64>>,
}

impl BotData {
    /// Counts one more click on the message the update is about; returns the new count.
    fn click(&self, message: &MaybeInaccessibleMessage) -> u64 {
        let mut clicks = self
            .clicks_per_message
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let count = clicks
            .entry((message.chat().id, message.message_id()))
            .or_default();
        *count += 1;
        *count
    }
}

type Ctx = Context<BotData>;

fn click_me() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::from_button(InlineKeyboardButton::callback("Click me!", "button"))
}

async fn start(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let reply = ctx.reply_html("This button was clicked <i>0</i> times.")?;
    reply.reply_markup(click_me()).await?;
    Ok(())
}

async fn count_click(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let message = ctx
        .callback_query()?
        .message
        .as_ref()
        .ok_or(MissingPart("message"))?;
    let clicks = ctx.state.click(message);
    ctx.answer()?.await?;
    let text = format!("This button was clicked <i>{clicks}</i> times.");
    let edit = ctx.edit_message_text(text)?.reply_markup(click_me());
    edit.parse_mode(ParseMode::Html).await?;
    Ok(())
}

async fn print_users(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let ids: Vec<String> = ctx
        .state
        .user_ids
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(i64::to_string)
        .collect();
    let text = format!(
        "The following user IDs have used this bot: {}",
        ids.join(", ")
    );
    ctx.reply(text)?.await?;
    Ok(())
}

async fn track_users(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    if let Ok(user) = ctx.user() {
        ctx.state
            .user_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.id);
    }
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application<BotData>, BuildError> {
    let app = builder.state(BotData::default()).build()?;
    // In its own group, so it does not keep the other handlers from seeing the update.
    app.add_handler(TypeHandler::new(|_: &Update| true, track_users), -1);
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CallbackQueryHandler::new(count_click), 0);
    app.add_handler(CommandHandler::new("print_users", print_users)?, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::contexttypesbot).await
}
