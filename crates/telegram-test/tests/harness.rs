//! `TestBot`: idle means the bot's work is done (tracked tasks included), waits share one cursor,
//! a bot that never settles fails `idle` instead of hanging, and a bad token fails `start`.

use std::time::Duration;

use telegram_ext::prelude::*;
use telegram_test::{FakeBotApi, HarnessError, TestBot, WaitError};
use tokio::sync::Notify;

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn echo_twice(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let text = ctx.message()?.text.clone().unwrap_or_default();
    ctx.reply(format!("1: {text}"))?.await?;
    ctx.reply(format!("2: {text}"))?.await?;
    Ok(())
}

fn echo_app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    let app = builder.build()?;
    app.add_handler(MessageHandler::new(filters::TEXT, echo_twice), 0);
    Ok(app)
}

#[tokio::test]
async fn every_call_is_handed_out_once_whichever_wait_takes_it() -> TestResult {
    let bot = TestBot::start(echo_app).await?;
    let alice = bot.user("alice");
    alice.send_text("a").await;
    let first = bot.next_request("sendMessage").await?;
    assert_eq!(first.text(), Some("1: a"));
    // `replies_to` starts after what `next_request` took…
    let rest = bot.replies_to(&alice, 1).await?;
    assert_eq!(rest[0].text(), Some("2: a"));
    // …and neither is handed out again; the log still has both.
    assert!(bot.replies(&alice).await?.is_empty());
    assert_eq!(bot.server().requests_for("sendMessage").len(), 2);

    alice.send_text("b").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["1: b", "2: b"]);
    bot.stop().await?;
    Ok(())
}

async fn later(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    let reply = ctx.reply("from the task")?;
    ctx.create_task(async move {
        // Yields a few times before sending: idle must wait for the task, not guess.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        reply.await?;
        Ok(())
    });
    Ok(())
}

#[tokio::test]
async fn idle_waits_for_tracked_tasks_and_non_blocking_handlers() -> TestResult {
    let bot = TestBot::start(|builder| {
        let app = builder.build()?;
        app.add_handler(CommandHandler::new("task", later)?, 0);
        app.add_handler(
            MessageHandler::new(filters::TEXT & !filters::COMMAND, echo_twice).block(false),
            0,
        );
        Ok(app)
    })
    .await?;
    let alice = bot.user("alice");
    alice.send_text("/task").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["from the task"]);
    alice.send_text("x").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["1: x", "2: x"]);
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn a_bot_that_never_settles_fails_idle_with_a_timeout() -> TestResult {
    let server = FakeBotApi::builder()
        .default_timeout(Duration::from_millis(200))
        .start()
        .await;
    let bot = TestBot::start_on(server, |builder| {
        let app = builder.state(Notify::new()).build()?;
        let stuck = |_update: Arc<Update>, ctx: Context<Notify>| async move {
            ctx.state.notified().await; // never notified
            Ok(())
        };
        app.add_handler(MessageHandler::new(filters::TEXT, stuck), 0);
        Ok(app)
    })
    .await?;
    bot.user("alice").send_text("hang").await;
    let error = bot
        .idle()
        .await
        .err()
        .ok_or("idle returned while a handler was stuck")?;
    assert!(matches!(error, WaitError::Timeout { .. }), "{error}");
    // Dropped without `stop`: the run is aborted, the test does not hang.
    Ok(())
}

#[tokio::test]
async fn a_rejected_token_fails_start_with_the_run_error() -> TestResult {
    let server = FakeBotApi::start().await;
    let result = TestBot::run(
        server.clone(),
        Application::builder()
            .token("1:wrong")
            .base_url(server.url())
            .build()?,
    )
    .await;
    assert!(matches!(result, Err(HarnessError::Run(_))), "{result:?}");
    Ok(())
}
