//! python-telegram-bot's `pollbot.py`, ported: `/poll` sends a poll and reports each vote,
//! closing it after three; `/quiz` sends a quiz, closed after three takers; `/preview` asks the
//! user for a poll of their own and sends back a closed copy. The polls the bot sent are kept in
//! the application's typed state (python-telegram-bot's `bot_data`).
//!
//! `cargo run -p examples --example pollbot` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the fake Bot API with simulated users.

#[path = "support/ports.rs"]
mod support;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use telegram_ext::prelude::*;
use telegram_ext::types::{InputPollOption, PollAnswer, PollType};

/// A poll the bot sent: its chat id, message id, options, and how many answered.
struct SentPoll(i64, i64, Vec<String>, u32);

/// The polls the bot sent, by poll id.
#[derive(Default)]
pub(crate) struct Polls(Mutex<HashMap<String, SentPoll>>);

type Ctx = Context<Polls>;

fn polls(ctx: &Ctx) -> MutexGuard<'_, HashMap<String, SentPoll>> {
    ctx.state.0.lock().unwrap_or_else(PoisonError::into_inner)
}

fn remember(ctx: &Ctx, message: &Message, questions: &[&str]) -> Result<(), MissingPart> {
    let poll = message.poll.as_ref().ok_or(MissingPart("poll"))?;
    let questions = questions.iter().map(|q| q.to_string()).collect();
    let sent = SentPoll(message.chat.id, message.message_id, questions, 0);
    polls(ctx).insert(poll.id.clone(), sent);
    Ok(())
}

async fn start(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let text = "Please select /poll to get a Poll, /quiz to get a Quiz or /preview to generate a preview for your poll";
    ctx.reply(text)?.await?;
    Ok(())
}

async fn poll(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let questions = ["Good", "Really good", "Fantastic", "Great"];
    let options = questions.map(InputPollOption::from);
    let request = ctx.bot.send_poll(ctx.chat_id()?, "How are you?", options);
    let message = request.is_anonymous(false).allows_multiple_answers(true);
    remember(&ctx, &message.await?, &questions)?;
    Ok(())
}

/// Counts `answer` in; the chat, the chosen options and, at the third answer, the message to close.
fn tally(ctx: &Ctx, answer: &PollAnswer) -> Option<(i64, String, Option<i64>)> {
    let mut polls = polls(ctx);
    let SentPoll(chat_id, message_id, questions, answers) = polls.get_mut(&answer.poll_id)?;
    let chosen = answer
        .option_ids
        .iter()
        .filter_map(|&i| questions.get(i as usize));
    let chosen = chosen.cloned().collect::<Vec<_>>().join(" and ");
    *answers += 1;
    Some((*chat_id, chosen, (*answers == 3).then_some(*message_id)))
}

async fn receive_poll_answer(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let Some((chat_id, chosen, close)) = tally(&ctx, ctx.poll_answer()?) else {
        return Ok(());
    };
    let text = format!("{} feels {chosen}!", ctx.user()?.mention_html());
    let report = ctx.bot.send_message(chat_id, text);
    report.parse_mode(ParseMode::Html).await?;
    if let Some(message_id) = close {
        ctx.bot.stop_poll(chat_id, message_id).await?;
    }
    Ok(())
}

async fn quiz(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let options = ["1", "2", "4", "20"].map(InputPollOption::from);
    let question = "How many eggs do you need for a cake?";
    let request = ctx.bot.send_poll(ctx.chat_id()?, question, options);
    let message = request.kind(PollType::Quiz).correct_option_ids([2]);
    remember(&ctx, &message.await?, &[])?;
    Ok(())
}

async fn receive_quiz_answer(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let poll = ctx.poll()?;
    // The bot also hears of closed polls; and a quiz closes after three takers.
    if poll.is_closed || poll.total_voter_count != 3 {
        return Ok(());
    }
    let quiz = polls(&ctx).get(&poll.id).map(|q| (q.0, q.1));
    if let Some((chat_id, message_id)) = quiz {
        ctx.bot.stop_poll(chat_id, message_id).await?;
    }
    Ok(())
}

async fn preview(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    // No poll type: the user chooses between a poll and a quiz.
    let button = KeyboardButton::request_poll("Press me!", None);
    let markup = ReplyKeyboardMarkup::from_button(button).one_time();
    let text = "Press the button to let the bot generate a preview for your poll";
    ctx.reply(text)?.reply_markup(markup).await?;
    Ok(())
}

async fn receive_poll(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    let poll = ctx.message()?.poll.as_ref().ok_or(MissingPart("poll"))?;
    let options = poll
        .options
        .iter()
        .map(|o| InputPollOption::new(o.text.clone()));
    // A closed copy: only the question and options matter.
    let request = ctx
        .bot
        .send_poll(ctx.chat_id()?, poll.question.clone(), options);
    request
        .is_closed(true)
        .reply_markup(ReplyKeyboardRemove::remove())
        .await?;
    Ok(())
}

async fn help_handler(_update: Arc<Update>, ctx: Ctx) -> HandlerResult {
    ctx.reply("Use /quiz, /poll or /preview to test this bot.")?
        .await?;
    Ok(())
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application<Polls>, BuildError> {
    let app = builder.state(Polls::default()).build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CommandHandler::new("poll", poll)?, 0);
    app.add_handler(CommandHandler::new("quiz", quiz)?, 0);
    app.add_handler(CommandHandler::new("preview", preview)?, 0);
    app.add_handler(CommandHandler::new("help", help_handler)?, 0);
    app.add_handler(MessageHandler::new(filters::POLL, receive_poll), 0);
    app.add_handler(PollAnswerHandler::new(receive_poll_answer), 0);
    app.add_handler(PollHandler::new(receive_quiz_answer), 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::pollbot).await
}
