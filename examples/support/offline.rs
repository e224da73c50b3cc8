//! Shared by the examples: run a bot against Telegram when `TELEGRAM_BOT_TOKEN` is set, or
//! offline against the embedded fake Bot API with simulated users, printing the conversation.

#![allow(dead_code, clippy::print_stdout)]

use std::future::Future;
use std::time::Duration;

use telegram_ext::{Application, PollingConfig, RunError, WebhookConfig};
use telegram_test::{FakeBotApi, RecordedRequest};

/// The token, when one is set.
pub(crate) fn token() -> Option<String> {
    std::env::var("TELEGRAM_BOT_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Builds the application for the real API or the fake server.
pub(crate) fn builder(server: Option<&FakeBotApi>) -> telegram_ext::ApplicationBuilder<()> {
    match (token(), server) {
        (Some(token), _) => Application::builder().token(token),
        (None, Some(server)) => Application::builder()
            .token(server.token())
            .base_url(server.url()),
        (None, None) => unreachable!("offline runs always have a server"),
    }
}

/// Runs `app` against Telegram with long polling (until ctrl-c), or offline: polls the fake
/// server in the background while `script` plays the users' side, then stops the bot.
pub(crate) async fn run<S, F, Fut>(
    app: Application<S>,
    server: Option<FakeBotApi>,
    script: F,
) -> Result<(), Box<dyn std::error::Error>>
where
    S: Send + Sync + 'static,
    F: FnOnce(FakeBotApi) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let Some(server) = server else {
        println!("polling Telegram; press ctrl-c to stop");
        app.run_polling(PollingConfig::default()).await?;
        return Ok(());
    };
    let config = PollingConfig::default()
        .timeout(Duration::from_secs(1))
        .stop_signals(false);
    play(
        app,
        server,
        |app| async move { app.run_polling(config).await },
        script,
    )
    .await
}

/// Runs `app` behind the webhook `config` describes: for Telegram until ctrl-c, or offline,
/// where the fake server POSTs the updates `script` makes to it, then the bot stops.
pub(crate) async fn run_webhook<S, F, Fut>(
    app: Application<S>,
    server: Option<FakeBotApi>,
    config: WebhookConfig,
    script: F,
) -> Result<(), Box<dyn std::error::Error>>
where
    S: Send + Sync + 'static,
    F: FnOnce(FakeBotApi) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let Some(server) = server else {
        println!(
            "serving the webhook on {}; press ctrl-c to stop",
            config.listen
        );
        app.run_webhook(config).await?;
        return Ok(());
    };
    let config = config.stop_signals(false);
    play(
        app,
        server,
        |app| async move { app.run_webhook(config).await },
        script,
    )
    .await
}

/// Runs the bot with `source` in the background while `script` plays the users' side, then
/// stops it.
async fn play<S, R, RFut, F, Fut>(
    app: Application<S>,
    server: FakeBotApi,
    source: R,
    script: F,
) -> Result<(), Box<dyn std::error::Error>>
where
    S: Send + Sync + 'static,
    R: FnOnce(Application<S>) -> RFut,
    RFut: Future<Output = Result<(), RunError>> + Send + 'static,
    F: FnOnce(FakeBotApi) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    println!(
        "no TELEGRAM_BOT_TOKEN set: running offline against the fake Bot API at {}\n",
        server.url()
    );
    let runner = tokio::spawn(source(app.clone()));
    let outcome = script(server.clone()).await;
    app.stop_running();
    runner.await??;
    // The server lives until the bot has confirmed its last offset.
    drop(server);
    outcome
}

/// Prints a user's message and the bot's replies to it.
pub(crate) async fn converse(
    server: &FakeBotApi,
    user: &telegram_test::SimUser,
    text: &str,
    replies: usize,
) -> Result<Vec<RecordedRequest>, Box<dyn std::error::Error>> {
    println!(
        "{:>8}: {text}",
        user.user()["first_name"].as_str().unwrap_or("user")
    );
    user.send_text(text).await;
    let answers = server.replies_to(user, replies).await?;
    for answer in &answers {
        let text = answer.text().unwrap_or("<no text>");
        println!("{:>8}: {}", "bot", text.replace('\n', "\n          "));
    }
    Ok(answers)
}
