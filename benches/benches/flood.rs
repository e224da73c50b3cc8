//! Flood control, two questions.
//!
//! - **Rate**: a broadcast of 500 messages to 500 chats through the limiter against the fake
//!   server enforcing 500 sends/s overall (5/s per chat): the time it takes, as throughput
//!   (criterion's elements/s) and as the ratio achieved / allowed printed after the group. The
//!   target is 0.95 or more, with no 429 (checked on every iteration).
//! - **Overhead**: `sendMessage` round trips on an unlimited fake server, 64 in flight to 64
//!   chats, by `Bot` without and with a limiter whose limits are too high to ever wait: what the
//!   limiter costs a call (reading the chat off the payload, the chat's queue, the global
//!   bucket). The target is within 5 %.
//!
//! Server and clients share one tokio runtime with two workers, as in the transport bench.
//!
//! `cargo bench -p benches --bench flood -- --warm-up-time 1 --measurement-time 3 --noplot`

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use telegram_ext::broadcast::Broadcast;
use telegram_store::MemoryStore;
use telegram_test::{FakeBotApi, FloodModel};
use telegram_transport::{Bot, Limits, Rate};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// The enforced overall rate, per second.
const ALLOWED: u32 = 500;
/// Chats (one message each) in a broadcast.
const CHATS: usize = 500;
/// Calls in flight in the overhead bench.
const IN_FLIGHT: usize = 64;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn rate(c: &mut Criterion) {
    let rt = &runtime();
    let ratios = Arc::new(Mutex::new(Vec::new()));
    let mut group = c.benchmark_group("flood/broadcast");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CHATS as u64));
    group.bench_function(
        BenchmarkId::new(format!("{CHATS} chats"), format!("{ALLOWED}/s allowed")),
        |b| {
            let ratios = Arc::clone(&ratios);
            b.iter_custom(move |iters| {
                let elapsed = rt.block_on(on_workers(broadcasts(iters)));
                let achieved = (CHATS as f64 * iters as f64) / elapsed.as_secs_f64();
                ratios
                    .lock()
                    .expect("ratios")
                    .push(achieved / f64::from(ALLOWED));
                elapsed
            })
        },
    );
    group.finish();
    let ratios = ratios.lock().expect("ratios");
    let mean = ratios.iter().sum::<f64>() / ratios.len().max(1) as f64;
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "flood/broadcast: achieved / allowed rate: mean {mean:.3}, min {min:.3} over {} samples; zero 429s",
        ratios.len()
    );
}

/// `iters` broadcasts, each to fresh chats on a fresh enforcing server, timed from the first
/// send to the last answer.
async fn broadcasts(iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let server = FakeBotApi::builder()
            .flood_model(
                FloodModel::telegram()
                    .global(ALLOWED, Duration::from_secs(1))
                    .private_chat(5, Duration::from_secs(1)),
            )
            .start()
            .await;
        let chats: Vec<i64> = (0..CHATS)
            .map(|i| server.user(&format!("u{i}")).id())
            .collect();
        let bot = Bot::new(server.token())
            .with_api_url(server.url())
            .with_rate_limit(
                Limits::telegram()
                    .global(Rate::per_second(ALLOWED))
                    .private_chat(Rate::per_second(5)),
            );
        let broadcast = Broadcast::new(bot, Arc::new(MemoryStore::new()), "bench", chats);
        let started = Instant::now();
        let report = broadcast
            .run(|bot: Bot, chat: i64| async move { bot.send_message(chat, "news").await })
            .await
            .expect("the broadcast runs");
        total += started.elapsed();
        assert_eq!(report.progress.sent, CHATS);
        assert_eq!(server.flood_refusals(), 0, "the limiter let a 429 through");
        server.shutdown().await;
    }
    total
}

fn overhead(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group(format!("flood/limiter overhead/{IN_FLIGHT} in flight"));
    group.throughput(Throughput::Elements(IN_FLIGHT as u64));
    group.bench_function(BenchmarkId::new("sendMessage", "Bot"), |b| {
        b.iter_custom(|iters| rt.block_on(on_workers(round_trips(iters, false))))
    });
    group.bench_function(BenchmarkId::new("sendMessage", "Bot with limiter"), |b| {
        b.iter_custom(|iters| rt.block_on(on_workers(round_trips(iters, true))))
    });
    group.finish();
}

/// Times `iters` batches of `IN_FLIGHT` concurrent sends to as many chats, after one untimed
/// batch that opens the pooled connections.
async fn round_trips(iters: u64, limited: bool) -> Duration {
    let server = FakeBotApi::start().await;
    let chats: Vec<i64> = (0..IN_FLIGHT)
        .map(|i| server.user(&format!("u{i}")).id())
        .collect();
    let mut bot = Bot::new(server.token()).with_api_url(server.url());
    if limited {
        // Limits no call ever waits for: what is left is the limiter's own work.
        let never = Rate::per_second(u32::MAX);
        bot = bot.with_rate_limit(Limits::telegram().global(never).private_chat(never));
    }
    batch(&bot, &chats).await;
    let started = Instant::now();
    for _ in 0..iters {
        batch(&bot, &chats).await;
    }
    let elapsed = started.elapsed();
    server.shutdown().await;
    elapsed
}

async fn batch(bot: &Bot, chats: &[i64]) {
    let mut tasks = JoinSet::new();
    for chat in chats {
        let (bot, chat) = (bot.clone(), *chat);
        tasks.spawn(async move { bot.send_message(chat, "news").await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a request task panicked")
            .expect("sendMessage succeeds");
    }
}

/// Runs `future` on the runtime's two workers rather than on the bench thread.
async fn on_workers<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    tokio::spawn(future).await.expect("the bench task panicked")
}

criterion_group!(benches, rate, overhead);
criterion_main!(benches);
