//! python-telegram-bot's `inlinebot.py`, ported: `@yourbot text` in any chat offers the text in
//! capitals, bold and italic. Enable inline mode with @BotFather first.
//!
//! `cargo run -p examples --example inlinebot` — with `TELEGRAM_BOT_TOKEN` set it polls
//! Telegram; without, it runs offline against the fake Bot API with a simulated user.

#[path = "support/ports.rs"]
mod support;

use telegram_ext::prelude::*;

async fn start(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("Hi!")?.await?;
    Ok(())
}

async fn help_command(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("Help!")?.await?;
    Ok(())
}

/// One result: a title, and the message sent when it is chosen.
fn article(title: &str, text: String, parse_mode: Option<ParseMode>) -> InlineQueryResult {
    let mut content = InputTextMessageContent::new(text);
    content.parse_mode = parse_mode;
    let id = format!("{title}-{}", content.message_text.len());
    InlineQueryResultArticle::new(id, title, content).into()
}

async fn inline_query(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let UpdateKind::InlineQuery(query) = &update.kind else {
        return Ok(());
    };
    if query.query.is_empty() {
        return Ok(());
    }
    let escaped = escape_html(&query.query);
    let results = [
        article("Caps", query.query.to_uppercase(), None),
        article("Bold", format!("<b>{escaped}</b>"), Some(ParseMode::Html)),
        article("Italic", format!("<i>{escaped}</i>"), Some(ParseMode::Html)),
    ];
    ctx.bot
        .answer_inline_query(query.id.clone(), results)
        .await?;
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let app = builder.build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CommandHandler::new("help", help_command)?, 0);
    app.add_handler(InlineQueryHandler::new(inline_query), 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::inlinebot).await
}
