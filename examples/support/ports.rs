//! Shared by the python-telegram-bot ports (`echobot.rs`, `inlinekeyboard.rs`, …): run a port's
//! application against Telegram when `TELEGRAM_BOT_TOKEN` is set, or offline with
//! `telegram_test::TestBot` and the port's scripted users below, printing the conversation.
//!
//! Not counted in the ports' line counts (`cargo xtask loc`): it is the offline scaffolding.

#![allow(dead_code, clippy::print_stdout)]

#[path = "offline.rs"]
mod offline;

use std::error::Error;
use std::future::Future;

use serde_json::Value;
use telegram_ext::{Application, ApplicationBuilder, BuildError, PollingConfig};
use telegram_test::{RecordedRequest, SimUser, TestBot};

/// What a script returns.
pub(crate) type Outcome = Result<(), Box<dyn Error>>;

/// Builds the application with `build` and polls Telegram until ctrl-c, or, offline, plays
/// `script` against it on the fake server.
pub(crate) async fn run<S, B, F, Fut>(build: B, script: F) -> Outcome
where
    S: Send + Sync + 'static,
    B: FnOnce(ApplicationBuilder<()>) -> Result<Application<S>, BuildError>,
    F: FnOnce(TestBot<S>) -> Fut,
    Fut: Future<Output = Outcome>,
{
    offline::init_logging();
    if let Some(token) = offline::token() {
        println!("polling Telegram; press ctrl-c to stop");
        let app = build(Application::builder().token(token))?;
        app.run_polling(PollingConfig::default()).await?;
        return Ok(());
    }
    let bot = TestBot::start(build).await?;
    println!(
        "no TELEGRAM_BOT_TOKEN set: running offline against the fake Bot API at {}\n",
        bot.server().url()
    );
    script(bot).await?;
    println!("\nconversation done; the bot stopped");
    Ok(())
}

/// The name a user is printed under.
fn name(user: &SimUser) -> String {
    user.user()["first_name"]
        .as_str()
        .unwrap_or("user")
        .to_owned()
}

/// Prints what `user` does.
pub(crate) fn says(user: &SimUser, what: &str) {
    println!("{:>9}: {what}", name(user));
}

/// Prints one call of the bot.
pub(crate) fn print_reply(reply: &RecordedRequest) {
    let text = reply
        .text()
        .or_else(|| reply.str_param("question"))
        .unwrap_or("<no text>");
    let what = match reply.method.as_str() {
        "sendMessage" => String::new(),
        method => format!("({method}) "),
    };
    println!(
        "{:>9}: {what}{}",
        "bot",
        text.replace('\n', "\n           ")
    );
    if let Some(rows) = reply
        .param("reply_markup")
        .and_then(|m| m.get("inline_keyboard").or_else(|| m.get("keyboard")))
        .and_then(Value::as_array)
    {
        for row in rows {
            let labels: Vec<_> = row
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["text"].as_str())
                .collect();
            println!("{:>9}  [{}]", "", labels.join("] ["));
        }
    }
}

/// `user` sends `text`; prints it and every reply the bot makes to it (once the bot is idle).
pub(crate) async fn converse<S: Send + Sync + 'static>(
    bot: &TestBot<S>,
    user: &SimUser,
    text: &str,
) -> Result<Vec<RecordedRequest>, Box<dyn Error>> {
    says(user, text);
    user.send_text(text).await;
    let replies = bot.replies(user).await?;
    replies.iter().for_each(print_reply);
    if replies.is_empty() {
        println!("{:>9}  (no reply)", "");
    }
    Ok(replies)
}

/// Prints and returns every reply the bot made to `user` once it is idle.
pub(crate) async fn show_replies<S: Send + Sync + 'static>(
    bot: &TestBot<S>,
    user: &SimUser,
) -> Result<Vec<RecordedRequest>, Box<dyn Error>> {
    let replies = bot.replies(user).await?;
    replies.iter().for_each(print_reply);
    if replies.is_empty() {
        println!("{:>9}  (no reply)", "");
    }
    Ok(replies)
}

/// The message a reply created (its `result`), to press its buttons.
pub(crate) fn sent(reply: &RecordedRequest) -> Result<Value, Box<dyn Error>> {
    Ok(reply
        .result()
        .cloned()
        .ok_or("the reply was not answered")?)
}

/// The message the bot's last `sendMessage` created, to press its buttons.
pub(crate) fn last_sent<S: Send + Sync + 'static>(
    bot: &TestBot<S>,
) -> Result<Value, Box<dyn Error>> {
    let requests = bot.server().requests_for("sendMessage");
    sent(requests.last().ok_or("no message")?)
}

/// `user` presses the button with `data` under `message`; prints the answer and the edit.
pub(crate) async fn press<S: Send + Sync + 'static>(
    bot: &TestBot<S>,
    user: &SimUser,
    message: &Value,
    data: &str,
) -> Result<Option<RecordedRequest>, Box<dyn Error>> {
    says(user, &format!("[presses the button \"{data}\"]"));
    user.press_button(message, data).await;
    bot.idle().await?;
    let answer = bot.server().requests_for("answerCallbackQuery");
    let popup = answer.last().and_then(|a| a.text()).unwrap_or("");
    println!("{:>9}: (answers the button) {popup}", "bot");
    let edit = bot.server().requests_for("editMessageText").pop();
    if let Some(edit) = &edit {
        println!(
            "{:>9}: (edits its message) {}",
            "bot",
            edit.text().unwrap_or("")
        );
    }
    Ok(edit)
}

/// The echo bot's script.
pub(crate) async fn echobot(bot: TestBot) -> Outcome {
    let (alice, bob) = (bot.user("alice"), bot.user("bob"));
    converse(&bot, &alice, "/start").await?;
    converse(&bot, &alice, "/help").await?;
    converse(&bot, &alice, "Hello, bot!").await?;
    converse(&bot, &bob, "Привет 👋 echo this").await?;
    Ok(bot.stop().await?)
}

/// The inline keyboard bot's script.
pub(crate) async fn inlinekeyboard(bot: TestBot) -> Outcome {
    let alice = bot.user("alice");
    let replies = converse(&bot, &alice, "/start").await?;
    let message = sent(replies.first().ok_or("no keyboard")?)?;
    press(&bot, &alice, &message, "2").await?;
    converse(&bot, &alice, "/help").await?;
    Ok(bot.stop().await?)
}

/// The error handler bot's script: the developer gets the report.
pub(crate) async fn errorhandlerbot(bot: TestBot, developer_chat_id: i64) -> Outcome {
    let developer = bot.server().user_with_id("developer", developer_chat_id);
    let alice = bot.user("alice");
    converse(&bot, &alice, "/start").await?;
    converse(&bot, &alice, "/bad_command").await?;
    println!("\n{:>9}:", "developer");
    bot.replies(&developer).await?.iter().for_each(print_reply);
    Ok(bot.stop().await?)
}

/// The inline bot's script.
pub(crate) async fn inlinebot(bot: TestBot) -> Outcome {
    let alice = bot.user("alice");
    converse(&bot, &alice, "/start").await?;
    says(&alice, "@bot Tom & <Jerry>");
    alice.inline_query("Tom & <Jerry>").await;
    let answer = bot.next_request("answerInlineQuery").await?;
    let results = answer.param("results").and_then(Value::as_array);
    for result in results.into_iter().flatten() {
        let title = result["title"].as_str().unwrap_or("?");
        let text = result["input_message_content"]["message_text"]
            .as_str()
            .unwrap_or("?");
        println!("{:>9}: (inline result) {title}: {text}", "bot");
    }
    Ok(bot.stop().await?)
}

/// The poll bot's script: three votes close the poll; a user's poll comes back closed.
pub(crate) async fn pollbot<S: Send + Sync + 'static>(bot: TestBot<S>) -> Outcome {
    let (alice, bob, carol) = (bot.user("alice"), bot.user("bob"), bot.user("carol"));
    converse(&bot, &alice, "/start").await?;
    let replies = converse(&bot, &alice, "/poll").await?;
    let poll = sent(replies.first().ok_or("no poll")?)?;
    for (user, options) in [(&alice, &[0, 2][..]), (&bob, &[1]), (&carol, &[3])] {
        says(user, &format!("[votes for options {options:?}]"));
        user.answer_poll(&poll, options).await;
        bot.replies(&alice).await?.iter().for_each(print_reply);
    }
    if !bot.server().requests_for("stopPoll").is_empty() {
        println!("{:>9}: (stops the poll after three answers)", "bot");
    }
    converse(&bot, &alice, "/preview").await?;
    says(&alice, "[sends a poll: \"Tea or coffee?\"]");
    alice.send_poll("Tea or coffee?", &["Tea", "Coffee"]).await;
    bot.replies(&alice).await?.iter().for_each(print_reply);
    Ok(bot.stop().await?)
}

/// The context types bot's script: clicks are counted per message.
pub(crate) async fn contexttypesbot<S: Send + Sync + 'static>(bot: TestBot<S>) -> Outcome {
    let (alice, bob) = (bot.user("alice"), bot.user("bob"));
    let replies = converse(&bot, &alice, "/start").await?;
    let message = sent(replies.first().ok_or("no button")?)?;
    press(&bot, &alice, &message, "button").await?;
    press(&bot, &alice, &message, "button").await?;
    converse(&bot, &bob, "/start").await?;
    converse(&bot, &bob, "/print_users").await?;
    Ok(bot.stop().await?)
}

/// The timer bot's script: an alarm rings, timers are replaced and cancelled; carol's is left
/// pending (with `TIMERBOT_DB`, the next run rings it).
pub(crate) async fn timerbot<S: Send + Sync + 'static>(bot: TestBot<S>) -> Outcome {
    let (alice, bob, carol) = (bot.user("alice"), bot.user("bob"), bot.user("carol"));
    converse(&bot, &alice, "/start").await?;
    converse(&bot, &alice, "/set 1").await?;
    // The alarm, a second later.
    bot.replies_to(&alice, 1)
        .await?
        .iter()
        .for_each(print_reply);
    converse(&bot, &alice, "/set 60").await?;
    converse(&bot, &alice, "/set 30").await?;
    converse(&bot, &alice, "/unset").await?;
    converse(&bot, &bob, "/unset").await?;
    converse(&bot, &bob, "/set soon").await?;
    converse(&bot, &bob, "/set -5").await?;
    converse(&bot, &carol, "/set 5").await?;
    Ok(bot.stop().await?)
}

/// The conversation bot's script: Alice answers every question, Bob skips and cancels.
pub(crate) async fn conversationbot(bot: TestBot) -> Outcome {
    let (alice, bob) = (bot.user("alice"), bot.user("bob"));
    converse(&bot, &alice, "/start").await?;
    converse(&bot, &alice, "Girl").await?;
    says(&alice, "[sends a photo]");
    alice.send_photo().await;
    show_replies(&bot, &alice).await?;
    says(&alice, "[shares a location: 48.8584, 2.2945]");
    alice.send_location(48.8584, 2.2945).await;
    show_replies(&bot, &alice).await?;
    converse(&bot, &alice, "I write bots in Rust.").await?;
    converse(&bot, &bob, "/start").await?;
    converse(&bot, &bob, "Boy").await?;
    converse(&bot, &bob, "/skip").await?;
    converse(&bot, &bob, "/cancel").await?;
    Ok(bot.stop().await?)
}

/// The persistent conversation bot's script: Alice tells two facts, one of her own category,
/// and ends; `/show_data` lists them.
pub(crate) async fn persistentconversationbot<S: Send + Sync + 'static>(
    bot: TestBot<S>,
) -> Outcome {
    let alice = bot.user("alice");
    for text in [
        "/start",
        "Age",
        "37",
        "Something else...",
        "Most impressive skill",
        "Juggling",
        "Done",
        "/show_data",
    ] {
        converse(&bot, &alice, text).await?;
    }
    Ok(bot.stop().await?)
}

/// The nested conversation bot's script: Alice adds a mother with a name and an age, adds
/// herself, shows the data, and stops from the third level.
pub(crate) async fn nestedconversationbot(bot: TestBot) -> Outcome {
    let alice = bot.user("alice");
    let menu = converse(&bot, &alice, "/start").await?;
    let menu = sent(menu.last().ok_or("no menu")?)?;
    for data in ["adding_member", "parents", "female", "name"] {
        press(&bot, &alice, &menu, data).await?;
    }
    converse(&bot, &alice, "Ada").await?;
    let features = last_sent(&bot)?;
    press(&bot, &alice, &features, "age").await?;
    converse(&bot, &alice, "61").await?;
    let features = last_sent(&bot)?;
    for data in ["end", "end", "adding_self", "male", "name"] {
        press(&bot, &alice, &features, data).await?;
    }
    converse(&bot, &alice, "Alice").await?;
    let features = last_sent(&bot)?;
    press(&bot, &alice, &features, "end").await?;
    press(&bot, &alice, &features, "showing").await?;
    press(&bot, &alice, &features, "end").await?;
    press(&bot, &alice, &features, "adding_member").await?;
    converse(&bot, &alice, "/stop").await?;
    Ok(bot.stop().await?)
}
