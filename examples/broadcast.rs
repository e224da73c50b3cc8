//! A resumable broadcast at the highest rate Telegram allows: one message to every chat, each
//! chat's progress in a store, blocked users reported, progress printed while it runs.
//!
//! Offline (the default) it runs against the fake Bot API with its flood model on, scaled down
//! (200 messages/s overall, 5/s per chat) so it ends in seconds: 1 000 simulated users, some of
//! whom blocked the bot or deleted their account. The broadcast is stopped half-way (as when
//! the bot is restarted) and started again with the same id: it resumes, and nobody gets the
//! message twice. The fake server refuses anything over its limits with a 429; the limiter
//! keeps the count at zero.
//!
//! ```text
//! cargo run -p examples --example broadcast
//! TELEGRAM_BOT_TOKEN=123:abc BROADCAST_CHATS=111,222 cargo run -p examples --example broadcast
//! ```
//!
//! Against Telegram the limits are Telegram's ([`Limits::telegram`]) and the store is in
//! memory here; a bot keeps it in its SQLite or Redis store so a restarted process resumes.
#![allow(clippy::print_stdout)] // a command-line report

#[path = "support/offline.rs"]
mod offline;

use std::sync::Arc;
use std::time::Duration;

use telegram_ext::broadcast::{Broadcast, BroadcastProgress, BroadcastReport};
use telegram_store::{MemoryStore, Store};
use telegram_test::{FakeBotApi, FloodModel};
use telegram_transport::{Bot, Limits, Rate};
use tokio::sync::watch;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    offline::init_logging();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    match offline::token() {
        Some(token) => live(token, store).await,
        None => simulated(store).await,
    }
}

/// Sends to the chats in `BROADCAST_CHATS` through Telegram.
async fn live(token: String, store: Arc<dyn Store>) -> Result<(), AnyError> {
    let chats: Vec<i64> = std::env::var("BROADCAST_CHATS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    let bot = Bot::new(token).with_rate_limit(Limits::telegram());
    let report = run(Broadcast::new(bot, store, "example", chats)).await?;
    print_report(&report);
    Ok(())
}

/// The scaled-down limits, for the fake server and the limiter alike.
const GLOBAL_PER_SECOND: u32 = 200;
const CHAT_PER_SECOND: u32 = 5;

/// 1 000 simulated users; stopped half-way, then resumed.
async fn simulated(store: Arc<dyn Store>) -> Result<(), AnyError> {
    let server = FakeBotApi::builder()
        .flood_model(
            FloodModel::telegram()
                .global(GLOBAL_PER_SECOND, Duration::from_secs(1))
                .private_chat(CHAT_PER_SECOND, Duration::from_secs(1)),
        )
        .start()
        .await;
    let users: Vec<_> = (0..1000)
        .map(|i| server.user(&format!("user{i}")))
        .collect();
    for user in users.iter().step_by(40) {
        user.block_bot();
    }
    for user in users.iter().skip(7).step_by(250) {
        user.deactivate();
    }
    let chats: Vec<i64> = users.iter().map(|user| user.id()).collect();
    let bot = Bot::new(server.token())
        .with_api_url(server.url())
        .with_rate_limit(
            Limits::telegram()
                .global(Rate::per_second(GLOBAL_PER_SECOND))
                .private_chat(Rate::per_second(CHAT_PER_SECOND)),
        );

    println!(
        "broadcasting to {} chats at up to {GLOBAL_PER_SECOND}/s",
        chats.len()
    );
    let first = Broadcast::new(bot.clone(), Arc::clone(&store), "release", chats.clone());
    let stop = first.stop_token();
    let mut progress = first.progress();
    let halfway = tokio::spawn(async move {
        let _ = progress.wait_for(|p| p.sent >= 400).await;
        stop.cancel();
    });
    let report = run(first).await?;
    halfway.await?;
    println!(
        "stopped: {} sent, {} left\n",
        report.progress.sent, report.progress.remaining
    );

    println!("started again with the same id");
    let report = run(Broadcast::new(bot, store, "release", chats)).await?;
    print_report(&report);
    let delivered = server
        .requests_for("sendMessage")
        .iter()
        .filter(|r| r.status == Some(200))
        .count();
    println!(
        "the server delivered {delivered} messages and answered {} with 429",
        server.flood_refusals()
    );
    Ok(())
}

/// Runs `broadcast`, printing its progress twice a second.
async fn run(broadcast: Broadcast) -> Result<BroadcastReport, AnyError> {
    let progress = broadcast.progress();
    let printer = tokio::spawn(print_progress(progress));
    let report = broadcast
        .run(|bot: Bot, chat: i64| async move {
            bot.send_message(chat, "Version 2.0 is out: see what's new with /news")
                .await
        })
        .await?;
    printer.abort();
    Ok(report)
}

async fn print_progress(mut progress: watch::Receiver<BroadcastProgress>) {
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let p = progress.borrow_and_update().clone();
        println!(
            "  sent {:>4}  blocked {:>3}  failed {:>2}  remaining {:>4}  {:>5.1} msg/s",
            p.sent, p.blocked, p.failed, p.remaining, p.rate
        );
    }
}

fn print_report(report: &BroadcastReport) {
    let p = &report.progress;
    println!(
        "done: {} of {} sent, {} blocked, {} failed, {} uncertain",
        p.sent, p.total, p.blocked, p.failed, p.uncertain
    );
    for (chat, why) in report.blocked.iter().take(3) {
        println!("  not delivered to {chat}: {why}");
    }
    if report.blocked.len() > 3 {
        println!("  … and {} more", report.blocked.len() - 3);
    }
}
