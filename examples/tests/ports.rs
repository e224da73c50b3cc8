//! The python-telegram-bot ports, driven through simulated users with `telegram_test::TestBot`,
//! the way the testing guide (`telegram_ext::guide::testing`) teaches: start the bot, let users
//! talk, read the replies once the bot is idle, stop.

// Each port includes the shared `support` module: loaded once per port on purpose.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../contexttypesbot.rs"]
mod contexttypesbot;
#[allow(dead_code)]
#[path = "../conversationbot.rs"]
mod conversationbot;
#[allow(dead_code)]
#[path = "../echobot.rs"]
mod echobot;
#[allow(dead_code)]
#[path = "../errorhandlerbot.rs"]
mod errorhandlerbot;
#[allow(dead_code)]
#[path = "../inlinebot.rs"]
mod inlinebot;
#[allow(dead_code)]
#[path = "../inlinekeyboard.rs"]
mod inlinekeyboard;
#[allow(dead_code)]
#[path = "../nestedconversationbot.rs"]
mod nestedconversationbot;
#[allow(dead_code)]
#[path = "../persistentconversationbot.rs"]
mod persistentconversationbot;
#[allow(dead_code)]
#[path = "../pollbot.rs"]
mod pollbot;
#[allow(dead_code)]
#[path = "../timerbot.rs"]
mod timerbot;

use serde_json::json;
use telegram_test::TestBot;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn echobot_greets_echoes_text_and_ignores_the_rest() -> TestResult {
    let bot = TestBot::start(echobot::app).await?;
    let alice = bot.user("alice");

    alice.send_text("/start").await;
    let greeting = bot.replies(&alice).await?;
    assert_eq!(greeting.len(), 1);
    let text = greeting[0].text().unwrap_or_default();
    assert!(text.starts_with("Hi <a href=\"tg://user?id="), "{text}");
    assert_eq!(greeting[0].str_param("parse_mode"), Some("HTML"));
    assert_eq!(
        greeting[0]
            .param("reply_markup")
            .map(|m| m["force_reply"].clone()),
        Some(true.into())
    );

    alice.send_text("Hello, bot!").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["Hello, bot!"]);

    // A photo is not text, and an unknown command is a command: no reply, decided at once.
    alice.send_photo().await;
    alice.send_text("/unknown").await;
    assert!(bot.replies(&alice).await?.is_empty());

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn inlinekeyboard_answers_the_press_and_edits_its_message() -> TestResult {
    let bot = TestBot::start(inlinekeyboard::app).await?;
    let alice = bot.user("alice");

    alice.send_text("/start").await;
    let keyboard = bot.replies(&alice).await?;
    let message = keyboard[0]
        .result()
        .cloned()
        .ok_or("sendMessage not answered")?;
    let labels = &message["reply_markup"]["inline_keyboard"];
    assert_eq!(labels[0][1]["text"], "Option 2");
    assert_eq!(labels[1][0]["callback_data"], "3");

    alice.press_button(&message, "2").await;
    let answer = bot.next_request("answerCallbackQuery").await?;
    assert!(answer.str_param("callback_query_id").is_some());
    let edit = bot.next_request("editMessageText").await?;
    assert_eq!(edit.text(), Some("Selected option: 2"));
    assert_eq!(edit.int_param("message_id"), message["message_id"].as_i64());
    // The edit is no new message.
    assert!(bot.replies(&alice).await?.is_empty());

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn errorhandlerbot_reports_the_failure_to_the_developer() -> TestResult {
    let bot = TestBot::start(errorhandlerbot::app).await?;
    let developer = bot.server().user_with_id("developer", 123_456_789);
    let alice = bot.user("alice");

    alice.send_text("/start").await;
    let start = bot.reply_texts(&alice).await?;
    assert!(
        start[0].contains(&format!("<code>{}</code>", alice.id())),
        "{start:?}"
    );

    alice.send_text("/bad_command").await;
    let report = bot.replies(&developer).await?;
    assert_eq!(report.len(), 1, "one report to the developer");
    let text = report[0].text().unwrap_or_default();
    assert!(text.contains("message text is empty"), "{text}");
    assert!(
        text.contains("&quot;/bad_command&quot;"),
        "the update, escaped: {text}"
    );
    // The failing reply itself was the bot's attempt, refused by Telegram.
    let attempt = bot.replies(&alice).await?;
    assert_eq!(attempt.len(), 1);
    assert_eq!(attempt[0].status, Some(400));

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn inlinebot_offers_three_transformations_and_skips_empty_queries() -> TestResult {
    let bot = TestBot::start(inlinebot::app).await?;
    let alice = bot.user("alice");

    alice.inline_query("Tom & <Jerry>").await;
    let answer = bot.next_request("answerInlineQuery").await?;
    let results = answer
        .param("results")
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    let texts: Vec<_> = results
        .iter()
        .map(|r| {
            r["input_message_content"]["message_text"]
                .as_str()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        texts,
        [
            "TOM & <JERRY>",
            "<b>Tom &amp; &lt;Jerry&gt;</b>",
            "<i>Tom &amp; &lt;Jerry&gt;</i>"
        ]
    );

    alice.inline_query("").await;
    bot.idle().await?;
    assert_eq!(
        bot.server().requests_for("answerInlineQuery").len(),
        1,
        "no answer to an empty query"
    );

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn pollbot_reports_votes_and_closes_the_poll_after_three() -> TestResult {
    let bot = TestBot::start(pollbot::app).await?;
    let (alice, bob, carol) = (bot.user("alice"), bot.user("bob"), bot.user("carol"));

    alice.send_text("/poll").await;
    let sent = bot.replies(&alice).await?;
    assert_eq!(sent[0].method, "sendPoll");
    assert_eq!(sent[0].param("is_anonymous"), Some(&json!(false)));
    let poll = sent[0].result().cloned().ok_or("sendPoll not answered")?;

    alice.answer_poll(&poll, &[0, 2]).await;
    let vote = bot.reply_texts(&alice).await?;
    assert_eq!(vote.len(), 1);
    assert!(
        vote[0].ends_with(">Alice</a> feels Good and Fantastic!"),
        "{vote:?}"
    );
    bob.answer_poll(&poll, &[1]).await;
    bot.idle().await?;
    assert!(
        bot.server().requests_for("stopPoll").is_empty(),
        "open after two answers"
    );
    carol.answer_poll(&poll, &[3]).await;
    assert!(bot.reply_texts(&alice).await?[1].ends_with("feels Great!"));
    let stop = bot.next_request("stopPoll").await?;
    assert_eq!(stop.int_param("message_id"), poll["message_id"].as_i64());

    // A vote on a poll the bot does not know: no reply.
    let unknown = json!({"poll": {"id": "unknown"}});
    alice.answer_poll(&unknown, &[0]).await;
    assert!(bot.replies(&alice).await?.is_empty());

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn pollbot_closes_a_quiz_after_three_takers_and_copies_user_polls() -> TestResult {
    let bot = TestBot::start(pollbot::app).await?;
    let alice = bot.user("alice");

    alice.send_text("/quiz").await;
    let quiz = bot.replies(&alice).await?[0]
        .result()
        .cloned()
        .ok_or("no quiz")?;
    assert_eq!(quiz["poll"]["type"], "quiz");
    let mut state = quiz["poll"].clone();
    state["total_voter_count"] = json!(2);
    bot.server().push_update(json!({"poll": state.clone()}));
    bot.idle().await?;
    assert!(bot.server().requests_for("stopPoll").is_empty());
    state["total_voter_count"] = json!(3);
    bot.server().push_update(json!({"poll": state}));
    let stop = bot.next_request("stopPoll").await?;
    assert_eq!(stop.int_param("message_id"), quiz["message_id"].as_i64());

    alice.send_text("/preview").await;
    let preview = bot.replies(&alice).await?;
    let markup = preview[0]
        .param("reply_markup")
        .cloned()
        .unwrap_or_default();
    assert_eq!(markup["keyboard"][0][0]["request_poll"], json!({}));
    assert_eq!(markup["one_time_keyboard"], json!(true));
    alice.send_poll("Tea or coffee?", &["Tea", "Coffee"]).await;
    let copy = bot.replies(&alice).await?;
    assert_eq!(copy[0].str_param("question"), Some("Tea or coffee?"));
    assert_eq!(copy[0].param("is_closed"), Some(&json!(true)));
    assert_eq!(
        copy[0].param("reply_markup"),
        Some(&json!({"remove_keyboard": true}))
    );

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn contexttypesbot_counts_clicks_per_message_and_tracks_users() -> TestResult {
    let bot = TestBot::start(contexttypesbot::app).await?;
    let (alice, bob) = (bot.user("alice"), bot.user("bob"));

    alice.send_text("/start").await;
    let first = bot.replies(&alice).await?[0]
        .result()
        .cloned()
        .ok_or("no button")?;
    alice.send_text("/start").await;
    let second = bot.replies(&alice).await?[0]
        .result()
        .cloned()
        .ok_or("no button")?;

    for (message, expected) in [(&first, 1), (&first, 2), (&second, 1)] {
        alice.press_button(message, "button").await;
        let edit = bot.next_request("editMessageText").await?;
        let text = format!("This button was clicked <i>{expected}</i> times.");
        assert_eq!(edit.text(), Some(text.as_str()));
        assert_eq!(edit.int_param("message_id"), message["message_id"].as_i64());
    }

    bob.send_text("/print_users").await;
    let users = bot.reply_texts(&bob).await?;
    let (a, b) = (alice.id().min(bob.id()), alice.id().max(bob.id()));
    assert_eq!(
        users,
        [format!(
            "The following user IDs have used this bot: {a}, {b}"
        )]
    );

    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn timerbot_rings_replaces_and_cancels_timers() -> TestResult {
    let bot = TestBot::start(timerbot::app).await?;
    let (alice, bob) = (bot.user("alice"), bot.user("bob"));

    alice.send_text("/set 0.2").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["Timer successfully set!"]);
    let beep = bot.replies_to(&alice, 1).await?;
    assert_eq!(beep[0].text(), Some("Beep! 0.2 seconds are over!"));

    alice.send_text("/set 60").await;
    alice.send_text("/set 30").await;
    alice.send_text("/unset").await;
    alice.send_text("/unset").await;
    assert_eq!(
        bot.reply_texts(&alice).await?,
        [
            "Timer successfully set!",
            "Timer successfully set! Old one was removed.",
            "Timer successfully cancelled!",
            "You have no active timer.",
        ]
    );

    bob.send_text("/set soon").await;
    bob.send_text("/set -5").await;
    assert_eq!(
        bot.reply_texts(&bob).await?,
        [
            "Usage: /set <seconds>",
            "Sorry we can not go back to future!"
        ]
    );
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn timerbot_with_a_sqlite_file_rings_a_timer_set_before_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("timers.sqlite");
    let with_file = |path| on_sqlite_file(path, timerbot::app);
    let server = telegram_test::FakeBotApi::start().await;
    let first = TestBot::start_on(server.clone(), with_file(path.clone())).await?;
    let carol = first.user("carol");
    carol.send_text("/set 0.5").await;
    assert_eq!(
        first.reply_texts(&carol).await?,
        ["Timer successfully set!"]
    );
    first.stop().await?;
    assert!(beeps(&server, &carol).is_empty(), "stopped before it rang");

    let second = TestBot::start_on(server.clone(), with_file(path)).await?;
    let beep = second.replies_to(&carol, 1).await?;
    assert_eq!(beep[0].text(), Some("Beep! 0.5 seconds are over!"));
    second.stop().await?;
    Ok(())
}

type App = telegram_ext::Application<()>;
type Builder = telegram_ext::ApplicationBuilder<()>;

/// `app` built on a store kept in the SQLite file at `path` (the file a restarted bot reopens).
fn on_sqlite_file(
    path: std::path::PathBuf,
    app: fn(Builder) -> Result<App, telegram_ext::BuildError>,
) -> impl FnOnce(Builder) -> Result<App, telegram_ext::BuildError> {
    move |builder| {
        let store = telegram_ext::store::SqliteStore::open(path).expect("the file opens");
        app(builder.store(store))
    }
}

/// The alarms sent to `user` so far.
fn beeps(
    server: &telegram_test::FakeBotApi,
    user: &telegram_test::SimUser,
) -> Vec<telegram_test::RecordedRequest> {
    server
        .requests_for("sendMessage")
        .into_iter()
        .filter(|r| r.text().is_some_and(|t| t.starts_with("Beep!")))
        .filter(|r| r.param("chat_id").and_then(|c| c.as_i64()) == Some(user.chat_id()))
        .collect()
}

#[tokio::test]
async fn conversationbot_asks_gender_photo_location_bio_and_cancels() -> TestResult {
    let bot = TestBot::start(conversationbot::app).await?;
    let alice = bot.user("alice");
    let bob = bot.user("bob");

    alice.send_text("/start").await;
    let asked = bot.replies(&alice).await?;
    assert!(asked[0]
        .text()
        .unwrap_or("")
        .ends_with("Are you a boy or a girl?"));
    let keyboard = asked[0].param("reply_markup").cloned().unwrap_or_default();
    assert_eq!(keyboard["keyboard"][0][2]["text"], "Other");
    assert_eq!(keyboard["one_time_keyboard"], true);
    assert_eq!(keyboard["input_field_placeholder"], "Boy or Girl?");

    alice.send_text("Robot").await; // not on the keyboard: the state does not move
    assert!(bot.replies(&alice).await?.is_empty());
    alice.send_text("Girl").await;
    let photo_question = bot.replies(&alice).await?;
    assert!(photo_question[0]
        .text()
        .unwrap_or("")
        .starts_with("I see! Please send me a photo"));
    assert_eq!(
        photo_question[0]
            .param("reply_markup")
            .map(|m| m["remove_keyboard"].clone()),
        Some(true.into())
    );
    alice.send_photo().await;
    assert!(bot.reply_texts(&alice).await?[0].starts_with("Gorgeous!"));
    assert_eq!(
        bot.server().requests_for("getFile").len(),
        1,
        "the photo was fetched"
    );
    alice.send_location(48.8584, 2.2945).await;
    assert!(bot.reply_texts(&alice).await?[0].starts_with("Maybe I can visit you"));
    alice.send_text("I write bots.").await;
    assert_eq!(
        bot.reply_texts(&alice).await?,
        ["Thank you! I hope we can talk again some day."]
    );
    alice.send_text("Anything else?").await; // the conversation is over
    assert!(bot.replies(&alice).await?.is_empty());

    // Bob skips the photo, skips the location, then cancels before his bio.
    for text in ["/start", "Boy", "/skip", "/skip", "/cancel"] {
        bob.send_text(text).await;
    }
    let texts = bot.reply_texts(&bob).await?;
    assert_eq!(texts.len(), 5);
    assert!(texts[2].starts_with("I bet you look great!"));
    assert!(texts[3].starts_with("You seem a bit paranoid!"));
    assert_eq!(texts[4], "Bye! I hope we can talk again some day.");
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn persistentconversationbot_keeps_its_state_and_facts_across_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("conversation.sqlite");
    let with_file = |path| on_sqlite_file(path, persistentconversationbot::app);
    let server = telegram_test::FakeBotApi::start().await;
    let first = TestBot::start_on(server.clone(), with_file(path.clone())).await?;
    let alice = first.user("alice");
    alice.send_text("/start").await;
    let greeting = first.reply_texts(&alice).await?;
    assert!(greeting[0].ends_with("Why don't you tell me something about yourself?"));
    alice.send_text("Age").await;
    assert_eq!(
        first.reply_texts(&alice).await?,
        ["Your age? Yes, I would love to hear about that!"]
    );
    first.stop().await?;

    // A new process on the same file: the answer continues the conversation.
    let second = TestBot::start_on(server.clone(), with_file(path)).await?;
    alice.send_text("37").await;
    let neat = "Neat! Just so you know, this is what you already told me:";
    let more = "You can tell me more, or change your opinion on something.";
    assert_eq!(
        second.reply_texts(&alice).await?,
        [format!("{neat}\nage - 37\n{more}")]
    );
    for text in ["Something else...", "Most impressive skill", "Juggling"] {
        alice.send_text(text).await;
    }
    let replies = second.reply_texts(&alice).await?;
    let facts = "\nage - 37\nmost impressive skill - juggling\n";
    assert_eq!(
        replies[1],
        "Your most impressive skill? Yes, I would love to hear about that!"
    );
    assert_eq!(replies[2], format!("{neat}{facts}{more}"));
    alice.send_text("/show_data").await;
    alice.send_text("Done").await;
    assert_eq!(
        second.reply_texts(&alice).await?,
        [
            format!("This is what you already told me: {facts}"),
            format!("I learned these facts about you: {facts}Until next time!"),
        ]
    );
    // Ended: a keyboard answer is nobody's now; /start knows the facts.
    alice.send_text("Age").await;
    assert!(second.replies(&alice).await?.is_empty());
    alice.send_text("/start").await;
    let greeting = second.reply_texts(&alice).await?;
    assert!(greeting[0].contains("You already told me your age, most impressive skill."));
    second.stop().await?;
    Ok(())
}

#[tokio::test]
async fn nestedconversationbot_collects_a_family_through_three_levels_and_stops_from_any(
) -> TestResult {
    let bot = TestBot::start(nestedconversationbot::app).await?;
    let alice = bot.user("alice");
    let last_edit = |bot: &TestBot| {
        let edits = bot.server().requests_for("editMessageText");
        edits
            .last()
            .and_then(|e| e.text().map(str::to_owned))
            .unwrap_or_default()
    };

    alice.send_text("/start").await;
    let menu = bot.replies(&alice).await?;
    assert_eq!(menu.len(), 2);
    let menu = menu[1].result().cloned().ok_or("no menu")?;
    // Second level, then third: a mother named Ada, 61.
    for data in ["adding_member", "parents", "female", "name"] {
        alice.press_button(&menu, data).await;
    }
    alice.send_text("Ada").await;
    let features = bot.replies(&alice).await?;
    assert_eq!(
        features[0].text(),
        Some("Got it! Please select a feature to update.")
    );
    let features = features[0].result().cloned().ok_or("no message")?;
    alice.press_button(&features, "age").await;
    alice.send_text("61").await;
    bot.replies(&alice).await?;
    // Done (third level ends: back to the second level's menu), back (to the top level's).
    alice.press_button(&features, "end").await;
    bot.idle().await?;
    assert!(last_edit(&bot).starts_with("You may add a parent or a child."));
    alice.press_button(&features, "end").await;
    alice.press_button(&features, "showing").await;
    bot.idle().await?;
    assert_eq!(
        last_edit(&bot),
        "Yourself:\nNo information yet.\n\nParents:\nMother: Name: Ada, Age: 61\n\nChildren:\nNo information yet."
    );
    // /stop from the third level ends all three conversations.
    alice.press_button(&features, "end").await;
    for data in ["adding_member", "children", "male"] {
        alice.press_button(&features, data).await;
    }
    alice.send_text("/stop").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["Okay, bye."]);
    alice.press_button(&features, "showing").await; // nothing listens any more
    alice.send_text("/stop").await;
    bot.idle().await?;
    assert!(bot.replies(&alice).await?.is_empty());
    assert!(
        !last_edit(&bot).starts_with("Yourself:"),
        "a button after /stop was handled"
    );
    // /start begins again.
    alice.send_text("/start").await;
    assert_eq!(bot.replies(&alice).await?.len(), 2);
    bot.stop().await?;
    Ok(())
}
