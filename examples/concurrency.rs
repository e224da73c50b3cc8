//! One slow handler, four ways to process updates: how long 100 messages take, and which
//! modes keep each chat's replies in order.
//!
//! The handler echoes the text; every `sendMessage` takes 50 ms (latency injected into the fake
//! Bot API), like a real network call. 10 users each send 10 messages before the bot starts.
//!
//! - **Sequential** (the default): one update at a time, so 100 × 50 ms.
//! - **`block(false)`**: the processor is still sequential, but the handler runs as a task, so
//!   the next update starts at once. Nothing bounds or orders those tasks.
//! - **`Concurrent(256)`** (`concurrent_updates(256)`): up to 256 updates at once, in no order.
//! - **`Keyed::by_chat(256)`**: different chats at once, each chat's updates in arrival order:
//!   10 × 50 ms here, and every chat's replies in the order its messages were sent.
//!
//! `cargo run -p examples --example concurrency` — always offline, against the embedded fake Bot
//! API, a fresh one per mode.

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::sync::Arc;
use std::time::{Duration, Instant};

use telegram_ext::handlers::MessageHandler;
use telegram_ext::processing::{Concurrent, Keyed, Sequential};
use telegram_ext::{filters, Application, Context, HandlerResult, PollingConfig, Update};
use telegram_test::{FakeBotApi, Fault, Schedule};

const USERS: usize = 10;
const MESSAGES: usize = 10;
const LATENCY: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sequential,
    NonBlocking,
    Concurrent,
    Keyed,
}

impl Mode {
    const ALL: [Mode; 4] = [
        Mode::Sequential,
        Mode::NonBlocking,
        Mode::Concurrent,
        Mode::Keyed,
    ];

    fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "Sequential",
            Mode::NonBlocking => "block(false)",
            Mode::Concurrent => "Concurrent(256)",
            Mode::Keyed => "Keyed::by_chat(256)",
        }
    }

    /// Does the mode promise each chat's replies in order?
    fn keeps_order(self) -> bool {
        matches!(self, Mode::Sequential | Mode::Keyed)
    }

    /// The echo bot, set up for this mode.
    fn app(self, server: &FakeBotApi) -> Result<Application, Box<dyn std::error::Error>> {
        let builder = Application::builder()
            .token(server.token())
            .base_url(server.url());
        let builder = match self {
            Mode::Sequential | Mode::NonBlocking => builder.processor(Sequential::new()),
            Mode::Concurrent => builder.processor(Concurrent::new(256)),
            Mode::Keyed => builder.processor(Keyed::by_chat(256)),
        };
        let app = builder.build()?;
        let echo = MessageHandler::new(filters::TEXT, echo).block(self != Mode::NonBlocking);
        app.add_handler(echo, 0);
        Ok(app)
    }
}

/// Slow because the server takes 50 ms to answer each `sendMessage`.
async fn echo(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let Some(message) = update.effective_message() else {
        return Ok(());
    };
    let text = message.text.clone().unwrap_or_default();
    ctx.bot.send_message(message.chat.id, text).await?;
    Ok(())
}

/// Runs the workload under `mode` against a fresh server: the wall time until every update was
/// handled, and whether each chat's replies came in the order its messages were sent.
async fn measure(mode: Mode) -> Result<(Duration, bool), Box<dyn std::error::Error>> {
    let server = FakeBotApi::start().await;
    server.set_default_timeout(Duration::from_secs(30));
    server.inject("sendMessage", Fault::Latency(LATENCY), Schedule::Always);
    let users: Vec<_> = (0..USERS)
        .map(|i| server.user(&format!("user{i}")))
        .collect();
    let sent: Vec<String> = (0..MESSAGES).map(|n| format!("message {n}")).collect();
    for text in &sent {
        for user in &users {
            user.send_text(text.as_str()).await;
        }
    }

    let app = mode.app(&server)?;
    let polling = PollingConfig::default()
        .timeout(Duration::from_secs(1))
        .stop_signals(false);
    let started = Instant::now();
    let runner = tokio::spawn({
        let app = app.clone();
        async move { app.run_polling(polling).await }
    });
    let mut in_order = true;
    for user in &users {
        let replies = server.replies_to(user, MESSAGES).await?;
        in_order &= replies
            .iter()
            .map(|r| r.text())
            .eq(sent.iter().map(|t| Some(t.as_str())));
    }
    // Every reply has arrived; stopping waits until they are answered, too.
    app.stop_running();
    runner.await??;
    Ok((started.elapsed(), in_order))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    offline::init_logging();
    println!(
        "{USERS} users x {MESSAGES} messages, {} ms per sendMessage\n",
        LATENCY.as_millis()
    );
    println!("{:<20} {:>10}  per-chat order", "mode", "wall time");
    for mode in Mode::ALL {
        let (elapsed, in_order) = measure(mode).await?;
        let order = match (in_order, mode.keeps_order()) {
            (true, true) => "kept",
            (true, false) => "kept (by chance: not guaranteed)",
            (false, _) => "mixed",
        };
        println!("{:<20} {:>8.2?}  {order}", mode.name(), elapsed);
        if mode.keeps_order() && !in_order {
            return Err(format!("{} mixed up a chat's replies", mode.name()).into());
        }
    }
    Ok(())
}
