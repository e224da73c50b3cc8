//! python-telegram-bot's `persistentconversationbot.py`, ported: a conversation that collects
//! facts about the user (age, favourite colour, siblings, or a category of their own) from a
//! reply keyboard until "Done", and `/show_data` to list them. The conversation's state and the
//! facts (PTB's `user_data`, here a typed user slot) live in a SQLite file, so a restarted bot
//! picks up where it left off (PTB uses a pickle file).
//!
//! `cargo run -p examples --example persistentconversationbot` — the file is
//! `persistentconversationbot.sqlite` in the current directory, or `$CONVERSATIONBOT_DB`; with
//! `TELEGRAM_BOT_TOKEN` set it polls Telegram; without, it runs offline against the fake Bot API
//! with simulated users (run it twice: the second run remembers the first's facts).

#[path = "support/ports.rs"]
mod support;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use telegram_ext::conversation::{ConversationHandler, Next, StepResult};
use telegram_ext::data::UserSlot;
use telegram_ext::filters::Text;
use telegram_ext::prelude::*;
use telegram_ext::store::SqliteStore;
use State::{Choosing, TypingChoice, TypingReply};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum State {
    Choosing,
    TypingReply,
    TypingChoice,
}

/// What the user told the bot, by category; "choice" holds the category being answered.
pub(crate) const USER_DATA: UserSlot<BTreeMap<String, String>> = UserSlot::new("user_data");

fn markup() -> ReplyKeyboardMarkup {
    let rows = [
        vec!["Age", "Favourite colour"],
        vec!["Number of siblings", "Something else..."],
        vec!["Done"],
    ];
    ReplyKeyboardMarkup::from_rows(rows).one_time()
}

fn facts_to_str(user_data: &BTreeMap<String, String>) -> String {
    let facts = user_data.iter().filter(|(key, _)| *key != "choice");
    let lines: Vec<_> = facts.map(|(k, v)| format!("{k} - {v}")).collect();
    format!("\n{}\n", lines.join("\n"))
}

async fn start(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let user_data = ctx.read(&USER_DATA).await?.unwrap_or_default();
    let keys: Vec<_> = user_data.keys().map(String::as_str).collect();
    let reply_text = if keys.is_empty() {
        "Hi! My name is Doctor Botter. I will hold a more complex conversation with you. \
        Why don't you tell me something about yourself?"
            .to_owned()
    } else {
        format!(
            "Hi! My name is Doctor Botter. You already told me your {}. Why don't you tell me \
            something more about yourself? Or change anything I already know.",
            keys.join(", ")
        )
    };
    ctx.reply(reply_text)?.reply_markup(markup()).await?;
    Ok(Next::To(Choosing))
}

async fn regular_choice(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let text = ctx.message()?.text.as_deref().unwrap_or("").to_lowercase();
    let known = ctx.update(&USER_DATA, |user_data| {
        user_data.insert("choice".to_owned(), text.clone());
        user_data.get(&text).cloned()
    });
    let reply_text = match known.await? {
        Some(facts) => format!("Your {text}? I already know the following about that: {facts}"),
        None => format!("Your {text}? Yes, I would love to hear about that!"),
    };
    ctx.reply(reply_text)?.await?;
    Ok(Next::To(TypingReply))
}

async fn custom_choice(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let text = r#"Alright, please send me the category first, for example "Most impressive skill""#;
    ctx.reply(text)?.await?;
    Ok(Next::To(TypingChoice))
}

async fn received_information(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let text = ctx.message()?.text.as_deref().unwrap_or("").to_lowercase();
    let user_data = ctx.update(&USER_DATA, |user_data| {
        let category = user_data.remove("choice").unwrap_or_default();
        user_data.insert(category, text.clone());
        user_data.clone()
    });
    let reply_text = format!(
        "Neat! Just so you know, this is what you already told me:{}\
        You can tell me more, or change your opinion on something.",
        facts_to_str(&user_data.await?)
    );
    ctx.reply(reply_text)?.reply_markup(markup()).await?;
    Ok(Next::To(Choosing))
}

async fn show_data(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let user_data = ctx.read(&USER_DATA).await?.unwrap_or_default();
    let facts = facts_to_str(&user_data);
    let text = format!("This is what you already told me: {facts}");
    ctx.reply(text)?.await?;
    Ok(())
}

async fn done(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let user_data = ctx.update(&USER_DATA, |user_data| {
        user_data.remove("choice");
        user_data.clone()
    });
    let facts = facts_to_str(&user_data.await?);
    let text = format!("I learned these facts about you: {facts}Until next time!");
    let reply = ctx.reply(text)?;
    reply.reply_markup(ReplyKeyboardRemove::remove()).await?;
    Ok(Next::End)
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let regular = Text::exact(["Age", "Favourite colour", "Number of siblings"]);
    let something_else = Text::exact(["Something else..."]);
    let typing = || filters::TEXT & !(filters::COMMAND | Text::exact(["Done"]));
    let reply = MessageHandler::new(typing(), received_information);
    let conversation = ConversationHandler::builder("my_conversation")
        .entry_point(CommandHandler::new("start", start)?)
        .state(Choosing, MessageHandler::new(regular, regular_choice))
        .state(Choosing, MessageHandler::new(something_else, custom_choice))
        .state(TypingChoice, MessageHandler::new(typing(), regular_choice))
        .state(TypingReply, reply)
        .fallback(MessageHandler::new(Text::exact(["Done"]), done))
        .build()?;
    let app = builder.build()?;
    app.add_handler(conversation, 0);
    app.add_handler(CommandHandler::new("show_data", show_data)?, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::var_os("CONVERSATIONBOT_DB");
    let store = SqliteStore::open(path.unwrap_or("persistentconversationbot.sqlite".into()))?;
    support::run(|b| app(b.store(store)), support::persistentconversationbot).await
}
