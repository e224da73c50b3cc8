//! Inline keyboards and inline mode: `/start` offers buttons; a press is answered and the message
//! edited, with the choice read from the regex pattern's capture group in `ctx.matches`; inline
//! queries (`@yourbot text` in any chat) get two article results.
//!
//! `cargo run -p examples --example inline_keyboard` — with `TELEGRAM_BOT_TOKEN` set it polls
//! Telegram (enable inline mode with @BotFather to try the inline query); without, it runs
//! offline against the embedded fake Bot API with a simulated user.

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::sync::Arc;

use telegram_ext::handlers::{CallbackQueryHandler, CommandHandler, InlineQueryHandler, Pattern};
use telegram_ext::{Context, HandlerResult, Update, UpdateKind};
use telegram_types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult, InlineQueryResultArticle,
    InputTextMessageContent,
};

/// A button that sends `data` back to the bot when pressed.
fn button(text: &str, data: &str) -> InlineKeyboardButton {
    let mut button = InlineKeyboardButton::new(text.to_owned());
    button.callback_data = Some(data.to_owned());
    button
}

async fn start(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(chat) = update.effective_chat() else {
        return Ok(());
    };
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![
            button("Option 1", "choice:1"),
            button("Option 2", "choice:2"),
        ],
        vec![button("Option 3", "choice:3")],
    ]);
    ctx.bot
        .send_message(chat.id, "Please choose:")
        .reply_markup(keyboard)
        .await?;
    Ok(())
}

/// Runs for callback data matching `^choice:(\d+)$`; group 1 is the number.
async fn choice(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let UpdateKind::CallbackQuery(query) = &update.kind else {
        return Ok(());
    };
    let n = ctx.matches.first().and_then(|m| m.get(1)).unwrap_or("?");
    // Always answer the query: the client shows a progress bar until then.
    ctx.bot
        .answer_callback_query(&query.id)
        .text(format!("Option {n} it is"))
        .await?;
    if let Some(message) = &query.message {
        ctx.bot
            .edit_message_text()
            .chat_id(message.chat().id)
            .message_id(message.message_id())
            .text(format!("You chose {n}"))
            .await?;
    }
    Ok(())
}

async fn inline_query(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let UpdateKind::InlineQuery(query) = &update.kind else {
        return Ok(());
    };
    let article = |id: &str, title: &str, text: String| -> InlineQueryResult {
        InlineQueryResultArticle::new(
            id.to_owned(),
            title.to_owned(),
            InputTextMessageContent::new(text),
        )
        .into()
    };
    let results = [
        article("shout", "Shout", query.query.to_uppercase()),
        article("whisper", "Whisper", query.query.to_lowercase()),
    ];
    ctx.bot.answer_inline_query(&query.id, results).await?;
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
        CallbackQueryHandler::new(choice).pattern(Pattern::regex(r"^choice:(\d+)$")?),
        0,
    );
    app.add_handler(InlineQueryHandler::new(inline_query), 0);

    offline::run(app, server, |server| async move {
        let alice = server.user("alice");
        let replies = offline::converse(&server, &alice, "/start", 1).await?;
        let keyboard = replies[0]
            .result()
            .cloned()
            .ok_or("sendMessage was not answered")?;
        let rows = keyboard["reply_markup"]["inline_keyboard"].as_array();
        for row in rows.into_iter().flatten() {
            let buttons = row.as_array().into_iter().flatten();
            let labels: Vec<_> = buttons.filter_map(|b| b["text"].as_str()).collect();
            println!("{:>8}  [{}]", "", labels.join("] ["));
        }

        println!("{:>8}: [presses \"Option 2\"]", "Alice");
        alice.press_button(&keyboard, "choice:2").await;
        let answer = server.next_request("answerCallbackQuery").await?;
        let edit = server.next_request("editMessageText").await?;
        let popup = answer.text().unwrap_or("<none>");
        println!("{:>8}: (popup) {popup}", "bot");
        let edited = edit.text().unwrap_or("<no text>");
        println!("{:>8}: (edits its message) {edited}", "bot");

        println!("{:>8}: @bot Hello there", "Alice");
        alice.inline_query("Hello there").await;
        let answer = server.next_request("answerInlineQuery").await?;
        let results = answer.param("results").and_then(|r| r.as_array());
        for result in results.into_iter().flatten() {
            let title = result["title"].as_str().unwrap_or("?");
            let text = result["input_message_content"]["message_text"]
                .as_str()
                .unwrap_or("?");
            println!("{:>8}: (inline result) {title}: {text}", "bot");
        }
        println!("\nconversation done; stopping the bot");
        Ok(())
    })
    .await
}
