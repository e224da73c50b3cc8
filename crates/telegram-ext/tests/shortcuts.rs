//! Context shortcuts against the fake server: a reply goes where the update came from (forum
//! topic, business connection), and a shortcut on an update without the part it needs is a clear
//! error for the error handlers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use serde_json::json;
use telegram_ext::prelude::*;
use telegram_test::TestBot;

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn hello(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("hello")?.await?;
    Ok(())
}

#[tokio::test]
async fn reply_goes_to_the_topic_of_the_message() -> TestResult {
    let bot = TestBot::start(|builder| {
        let app = builder.build()?;
        app.add_handler(MessageHandler::new(filters::TEXT, hello), 0);
        Ok(app)
    })
    .await?;
    let group = bot.group("forum");
    let alice = bot.user("alice");
    bot.server().push_update(json!({"message": {
        "message_id": 10, "date": 0, "text": "hi", "chat": group.chat(), "from": alice.user(),
        "is_topic_message": true, "message_thread_id": 7,
    }}));
    let replies = bot.replies(&group).await?;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].int_param("message_thread_id"), Some(7));
    assert_eq!(replies[0].str_param("business_connection_id"), None);

    // A plain message of the group: no thread.
    alice.in_chat(&group).send_text("hi again").await;
    let replies = bot.replies(&group).await?;
    assert_eq!(replies[0].int_param("message_thread_id"), None);
    bot.stop().await?;
    Ok(())
}

async fn answer_anything(_update: Arc<Update>, ctx: Context<Mutex<Vec<String>>>) -> HandlerResult {
    ctx.answer()?.await?;
    Ok(())
}

async fn record_error(_update: Arc<Update>, ctx: Context<Mutex<Vec<String>>>) -> HandlerResult {
    let error = ctx
        .error
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ctx.state
        .lock()
        .map_err(|_| HandlerError::msg("poisoned"))?
        .push(error);
    Ok(())
}

#[tokio::test]
async fn a_shortcut_without_its_part_is_an_error_for_the_error_handlers() -> TestResult {
    let bot = TestBot::start(|builder| {
        let app = builder.state(Mutex::new(Vec::new())).build()?;
        app.add_handler(MessageHandler::new(filters::TEXT, answer_anything), 0);
        app.add_error_handler(record_error);
        Ok(app)
    })
    .await?;
    let alice = bot.user("alice");
    alice.send_text("not a button").await;
    assert!(bot.replies(&alice).await?.is_empty());
    let errors = bot
        .app()
        .state()
        .lock()
        .map(|e| e.clone())
        .unwrap_or_default();
    assert_eq!(errors, ["the update has no callback query"]);
    assert!(bot.server().requests_for("answerCallbackQuery").is_empty());
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn hooks_set_after_state_run_with_that_state() -> TestResult {
    let bot = TestBot::start(|builder| {
        builder
            .state(AtomicU32::new(0))
            .post_init(|app: Application<AtomicU32>| async move {
                app.state().fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .post_stop(|app: Application<AtomicU32>| async move {
                app.state().fetch_add(10, Ordering::SeqCst);
                Ok(())
            })
            .post_shutdown(|app: Application<AtomicU32>| async move {
                app.state().fetch_add(100, Ordering::SeqCst);
                Ok(())
            })
            .build()
    })
    .await?;
    let app = bot.app().clone();
    assert_eq!(
        app.state().load(Ordering::SeqCst),
        1,
        "post_init ran before polling"
    );
    bot.stop().await?;
    assert_eq!(
        app.state().load(Ordering::SeqCst),
        111,
        "every hook ran once"
    );
    Ok(())
}
