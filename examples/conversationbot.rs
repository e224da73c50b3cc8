//! python-telegram-bot's `conversationbot.py`, ported: `/start` asks for a gender on a reply
//! keyboard, then a photo (or `/skip`), a location (or `/skip`) and a short bio; `/cancel` ends
//! it at any step. Each state is a variant of `State`; each callback's return says the next.
//!
//! `cargo run -p examples --example conversationbot` — with `TELEGRAM_BOT_TOKEN` set it polls
//! Telegram; without, it runs offline against the fake Bot API with simulated users.

#[path = "support/ports.rs"]
mod support;

use serde::{Deserialize, Serialize};
use telegram_ext::conversation::{ConversationHandler, Next, StepResult};
use telegram_ext::prelude::*;
use State::{Bio, Gender, Location, Photo};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum State {
    Gender,
    Photo,
    Location,
    Bio,
}

fn first_name(ctx: &Context) -> String {
    ctx.user().map(|u| u.first_name.clone()).unwrap_or_default()
}

async fn start(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let mut keyboard = ReplyKeyboardMarkup::from_rows([["Boy", "Girl", "Other"]]).one_time();
    keyboard.input_field_placeholder = Some("Boy or Girl?".to_owned());
    let text = "Hi! My name is Professor Bot. I will hold a conversation with you. \
        Send /cancel to stop talking to me.\n\nAre you a boy or a girl?";
    ctx.reply(text)?.reply_markup(keyboard).await?;
    Ok(Next::To(Gender))
}

async fn gender(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let text = ctx.message()?.text.clone().unwrap_or_default();
    tracing::info!("Gender of {}: {text}", first_name(&ctx));
    let text = "I see! Please send me a photo of yourself, \
        so I know what you look like, or send /skip if you don't want to.";
    let reply = ctx.reply(text)?;
    reply.reply_markup(ReplyKeyboardRemove::remove()).await?;
    Ok(Next::To(Photo))
}

async fn photo(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let largest = ctx.message()?.photo.as_ref().and_then(|p| p.last());
    let file_id = &largest.ok_or(MissingPart("photo"))?.file_id;
    let file = ctx.bot.get_file(file_id).await?;
    let path = std::env::temp_dir().join("user_photo.jpg");
    let out = tokio::fs::File::create(&path).await?;
    ctx.bot.download(&file, out).await?;
    tracing::info!("Photo of {}: {}", first_name(&ctx), path.display());
    let text = "Gorgeous! Now, send me your location please, or send /skip if you don't want to.";
    ctx.reply(text)?.await?;
    Ok(Next::To(Location))
}

async fn skip_photo(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    tracing::info!("User {} did not send a photo.", first_name(&ctx));
    let text = "I bet you look great! Now, send me your location please, or send /skip.";
    ctx.reply(text)?.await?;
    Ok(Next::To(Location))
}

async fn location(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let message = ctx.message()?;
    let at = message.location.as_ref().ok_or(MissingPart("location"))?;
    let (lat, lon) = (at.latitude, at.longitude);
    tracing::info!("Location of {}: {lat} / {lon}", first_name(&ctx));
    let text = "Maybe I can visit you sometime! At last, tell me something about yourself.";
    ctx.reply(text)?.await?;
    Ok(Next::To(Bio))
}

async fn skip_location(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    tracing::info!("User {} did not send a location.", first_name(&ctx));
    let text = "You seem a bit paranoid! At last, tell me something about yourself.";
    ctx.reply(text)?.await?;
    Ok(Next::To(Bio))
}

async fn bio(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    let text = ctx.message()?.text.clone().unwrap_or_default();
    tracing::info!("Bio of {}: {text}", first_name(&ctx));
    let text = "Thank you! I hope we can talk again some day.";
    ctx.reply(text)?.await?;
    Ok(Next::End)
}

async fn cancel(_update: Arc<Update>, ctx: Context) -> StepResult<State> {
    tracing::info!("User {} canceled the conversation.", first_name(&ctx));
    let reply = ctx.reply("Bye! I hope we can talk again some day.")?;
    reply.reply_markup(ReplyKeyboardRemove::remove()).await?;
    Ok(Next::End)
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let genders = filters::Text::exact(["Boy", "Girl", "Other"]);
    let text = filters::TEXT & !filters::COMMAND;
    let conversation = ConversationHandler::builder("conversation")
        .entry_point(CommandHandler::new("start", start)?)
        .state(Gender, MessageHandler::new(genders, gender))
        .state(Photo, MessageHandler::new(filters::PHOTO, photo))
        .state(Photo, CommandHandler::new("skip", skip_photo)?)
        .state(Location, MessageHandler::new(filters::LOCATION, location))
        .state(Location, CommandHandler::new("skip", skip_location)?)
        .state(Bio, MessageHandler::new(text, bio))
        .fallback(CommandHandler::new("cancel", cancel)?)
        .build()?;
    let app = builder.build()?;
    app.add_handler(conversation, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::conversationbot).await
}
