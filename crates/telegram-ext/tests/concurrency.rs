//! The concurrency controls end to end: non-blocking handlers, concurrent and keyed processing,
//! backpressure into polling, tracked tasks, the bank race and its fix, and the graceful stop.
//! Deterministic: barriers, notifications and counters, never sleeps.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use telegram_ext::handlers::{MessageHandler, TypeHandler};
use telegram_ext::processing::KeyedLocks;
use telegram_ext::{
    filters, Application, Context, HandlerError, HandlerResult, PollingConfig, Update,
};
use telegram_test::FakeBotApi;
use tokio::sync::{Barrier, Notify};

fn update(id: i64, chat: i64) -> Update {
    serde_json::from_value(json!({"update_id": id, "message": {
        "message_id": id, "date": 1, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": false, "first_name": "U"}, "text": format!("m{id}")}}))
    .unwrap()
}

/// Counts work in flight and remembers the most seen at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

// ---- B is not held behind A -------------------------------------------------------------

struct TwoUsers {
    alice_started: Notify,
    release_alice: Notify,
    log: Mutex<Vec<String>>,
}

async fn reply(update: Arc<Update>, ctx: Context<TwoUsers>) -> HandlerResult {
    let user = update
        .effective_user()
        .map(|u| u.first_name.clone())
        .unwrap_or_default();
    ctx.state.log.lock().unwrap().push(format!("{user} start"));
    if user == "Alice" {
        let released = ctx.state.release_alice.notified();
        ctx.state.alice_started.notify_one();
        released.await;
    }
    ctx.state.log.lock().unwrap().push(format!("{user} end"));
    let chat = update.effective_chat().unwrap().id;
    ctx.bot.send_message(chat, format!("hi {user}")).await?;
    Ok(())
}

async fn two_users_app(
    server: &FakeBotApi,
    concurrent: bool,
    block: bool,
) -> Application<TwoUsers> {
    let mut builder = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(TwoUsers {
            alice_started: Notify::new(),
            release_alice: Notify::new(),
            log: Mutex::new(Vec::new()),
        });
    if concurrent {
        builder = builder.concurrent_updates(8);
    }
    let app = builder.build().unwrap();
    app.add_handler(MessageHandler::new(filters::TEXT, reply).block(block), 0);
    app
}

fn polling() -> PollingConfig {
    PollingConfig::default()
        .timeout(Duration::from_secs(1))
        .stop_signals(false)
}

async fn user_b_is_answered_while_a_is_slow(concurrent: bool, block: bool) {
    let server = FakeBotApi::start().await;
    let app = two_users_app(&server, concurrent, block).await;
    let (alice, bob) = (server.user("alice"), server.user("bob"));
    alice.send_text("slow please").await;
    bob.send_text("quick").await;
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling()).await })
    };
    app.state().alice_started.notified().await;
    // Bob's reply arrives while Alice's callback is still blocked.
    let to_bob = server
        .replies_to(&bob, 1)
        .await
        .expect("bob is answered while alice waits");
    assert_eq!(to_bob[0].text(), Some("hi Bob"));
    assert!(server
        .requests_for("sendMessage")
        .iter()
        .all(|r| r.text() != Some("hi Alice")));
    app.state().release_alice.notify_one();
    server.replies_to(&alice, 1).await.unwrap();
    app.stop_running();
    runner.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_blocking_handlers_do_not_hold_other_users_back() {
    user_b_is_answered_while_a_is_slow(false, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_do_not_hold_other_users_back() {
    user_b_is_answered_while_a_is_slow(true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_processing_holds_b_behind_a() {
    let server = FakeBotApi::start().await;
    let app = two_users_app(&server, false, true).await;
    let (alice, bob) = (server.user("alice"), server.user("bob"));
    alice.send_text("slow please").await;
    bob.send_text("quick").await;
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling()).await })
    };
    app.state().alice_started.notified().await;
    app.state().release_alice.notify_one();
    server.replies_to(&bob, 1).await.unwrap();
    app.stop_running();
    runner.await.unwrap().unwrap();
    // Bob never started before Alice had finished.
    assert_eq!(
        *app.state().log.lock().unwrap(),
        ["Alice start", "Alice end", "Bob start", "Bob end"]
    );
    let texts: Vec<_> = server
        .requests_for("sendMessage")
        .iter()
        .map(|r| r.text().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["hi Alice", "hi Bob"]);
}

// ---- The concurrency limit ----------------------------------------------------------------

struct Limited {
    in_flight: InFlight,
    barrier: Barrier,
    done: AtomicUsize,
}

async fn wait_for_the_others(_: Arc<Update>, ctx: Context<Limited>) -> HandlerResult {
    ctx.state.in_flight.enter();
    // Every round of n handlers meets here: n are in flight at once.
    ctx.state.barrier.wait().await;
    ctx.state.in_flight.leave();
    ctx.state.done.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_n_runs_exactly_n_at_once() {
    const N: usize = 5;
    let server = FakeBotApi::start().await;
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Limited {
            in_flight: InFlight::default(),
            barrier: Barrier::new(N),
            done: AtomicUsize::new(0),
        })
        .concurrent_updates(N)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, wait_for_the_others), 0);
    for id in 0..(4 * N) as i64 {
        app.submit_update(update(id, id)).await;
        assert!(app.in_flight() <= N);
    }
    app.stop().await;
    assert_eq!(app.state().done.load(Ordering::SeqCst), 4 * N);
    assert_eq!(app.state().in_flight.peak.load(Ordering::SeqCst), N);
}

// ---- Backpressure -----------------------------------------------------------------------

struct Flood {
    in_flight: InFlight,
    seen: Mutex<HashSet<i64>>,
    duplicates: AtomicUsize,
    expected: usize,
}

async fn absorb(update: Arc<Update>, ctx: Context<Flood>) -> HandlerResult {
    ctx.state.in_flight.enter();
    tokio::task::yield_now().await;
    ctx.state.in_flight.leave();
    let count = {
        let mut seen = ctx.state.seen.lock().unwrap();
        if !seen.insert(update.update_id) {
            ctx.state.duplicates.fetch_add(1, Ordering::SeqCst);
        }
        seen.len()
    };
    if count == ctx.state.expected {
        ctx.stop_running();
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_fetches_no_more_than_the_processor_can_take() {
    const LIMIT: usize = 4;
    const UPDATES: usize = 10_000;
    let server = FakeBotApi::start().await;
    for i in 0..UPDATES {
        server.push_update(json!({"message": {"message_id": i, "date": 1,
            "chat": {"id": (i % 50) as i64, "type": "private"}, "text": "x"}}));
    }
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Flood {
            in_flight: InFlight::default(),
            seen: Mutex::default(),
            duplicates: AtomicUsize::new(0),
            expected: UPDATES,
        })
        .concurrent_updates(LIMIT)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, absorb), 0);
    app.run_polling(polling()).await.unwrap();
    let state = app.state();
    assert_eq!(state.seen.lock().unwrap().len(), UPDATES);
    assert_eq!(state.duplicates.load(Ordering::SeqCst), 0);
    assert!(state.in_flight.peak.load(Ordering::SeqCst) <= LIMIT);
    // Each getUpdates asks for the updates still unconfirmed (they come back first, and are
    // skipped) plus the free capacity, within Telegram's 1–100; what is admitted is bounded by
    // the processor (the peak above).
    let limits: Vec<i64> = server
        .requests_for("getUpdates")
        .iter()
        .filter_map(|r| r.params["limit"].as_i64())
        .collect();
    assert!(!limits.is_empty());
    assert!(
        limits.iter().all(|l| (1..=100).contains(l)),
        "limits asked: {limits:?}"
    );
    assert_eq!(server.pending_updates(), 0);
}

// ---- Nested tasks under a small limit -----------------------------------------------------

#[derive(Default)]
struct Nested {
    deepest: AtomicUsize,
}

async fn spawn_three_levels(_: Arc<Update>, ctx: Context<Nested>) -> HandlerResult {
    let level1 = ctx.clone();
    ctx.create_task(async move {
        let level2 = level1.clone();
        level1.create_task(async move {
            let state = level2.state.clone();
            level2.create_task(async move {
                state.deepest.fetch_add(1, Ordering::SeqCst);
                Ok(())
            });
            Ok(())
        });
        Ok(())
    });
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_tasks_three_deep_complete_under_a_limit_of_two() {
    let server = FakeBotApi::start().await;
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Nested::default())
        .concurrent_updates(2)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, spawn_three_levels), 0);
    for id in 0..10 {
        app.submit_update(update(id, id)).await;
    }
    app.stop().await;
    assert_eq!(app.state().deepest.load(Ordering::SeqCst), 10);
    assert_eq!(app.running_tasks(), 0);
}

// ---- The bank -----------------------------------------------------------------------------

const ACCOUNTS: usize = 20;
const START_BALANCE: i64 = 1_000;
const TRANSFERS: usize = 10_000;

struct Bank {
    balances: Vec<AtomicI64>,
    transfers: Vec<(usize, usize, i64)>,
    locks: Option<KeyedLocks<usize>>,
}

impl Bank {
    fn new(locked: bool) -> Self {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let transfers = (0..TRANSFERS)
            .map(|_| {
                let from = (next() % ACCOUNTS as u64) as usize;
                let to = (from + 1 + (next() % (ACCOUNTS as u64 - 1)) as usize) % ACCOUNTS;
                (from, to, (next() % 50) as i64 + 1)
            })
            .collect();
        Bank {
            balances: (0..ACCOUNTS)
                .map(|_| AtomicI64::new(START_BALANCE))
                .collect(),
            transfers,
            locks: locked.then(KeyedLocks::new),
        }
    }

    fn total(&self) -> i64 {
        self.balances.iter().map(|b| b.load(Ordering::SeqCst)).sum()
    }
}

/// Reads both balances, awaits (a database call, say), writes both back.
async fn transfer(update: Arc<Update>, ctx: Context<Bank>) -> HandlerResult {
    let bank = &ctx.state;
    let (from, to, amount) = bank.transfers[update.update_id as usize];
    let _guard = match &bank.locks {
        Some(locks) => Some(locks.lock_many([from, to]).await),
        None => None,
    };
    let from_balance = bank.balances[from].load(Ordering::SeqCst);
    tokio::task::yield_now().await;
    let to_balance = bank.balances[to].load(Ordering::SeqCst);
    tokio::task::yield_now().await;
    bank.balances[from].store(from_balance - amount, Ordering::SeqCst);
    bank.balances[to].store(to_balance + amount, Ordering::SeqCst);
    Ok(())
}

async fn run_bank(locked: bool) -> i64 {
    let server = FakeBotApi::start().await;
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Bank::new(locked))
        .concurrent_updates(64)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, transfer), 0);
    for id in 0..TRANSFERS as i64 {
        app.submit_update(update(id, id % 20)).await;
    }
    app.stop().await;
    app.state().total()
}

// A current-thread runtime interleaves the tasks at each await in a fixed order, so the race
// (and its absence) is deterministic.
#[tokio::test]
async fn naive_concurrent_transfers_lose_money() {
    let total = run_bank(false).await;
    assert_ne!(
        total,
        ACCOUNTS as i64 * START_BALANCE,
        "the race did not show"
    );
}

#[tokio::test]
async fn keyed_locks_conserve_the_total() {
    assert_eq!(run_bank(true).await, ACCOUNTS as i64 * START_BALANCE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keyed_locks_conserve_the_total_on_many_threads() {
    assert_eq!(run_bank(true).await, ACCOUNTS as i64 * START_BALANCE);
}

// ---- Graceful stop ------------------------------------------------------------------------

struct Draining {
    handled: AtomicUsize,
    release: Notify,
    released: AtomicBool,
    follow_ups: AtomicUsize,
    cancelled: AtomicUsize,
    expected: usize,
}

async fn slow_follow_up(_: Arc<Update>, ctx: Context<Draining>) -> HandlerResult {
    let task_ctx = ctx.clone();
    ctx.create_task(async move {
        let state = task_ctx.state.clone();
        loop {
            let notified = state.release.notified();
            if state.released.load(Ordering::SeqCst) {
                break;
            }
            notified.await;
        }
        // Spawned during the drain: awaited too.
        let inner = state.clone();
        task_ctx.create_task(async move {
            inner.follow_ups.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        Ok(())
    });
    if ctx.state.handled.fetch_add(1, Ordering::SeqCst) + 1 == ctx.state.expected {
        ctx.stop_running();
    }
    Ok(())
}

async fn count_cancelled(_: Arc<Update>, ctx: Context<Draining>) -> HandlerResult {
    if matches!(ctx.error.as_deref(), Some(HandlerError::Cancelled)) {
        ctx.state.cancelled.fetch_add(1, Ordering::SeqCst);
    }
    Ok(())
}

fn draining_app(server: &FakeBotApi, expected: usize, drain: Duration) -> Application<Draining> {
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Draining {
            handled: AtomicUsize::new(0),
            release: Notify::new(),
            released: AtomicBool::new(false),
            follow_ups: AtomicUsize::new(0),
            cancelled: AtomicUsize::new(0),
            expected,
        })
        .concurrent_updates(4)
        .drain_timeout(drain)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, slow_follow_up), 0);
    app.add_error_handler(count_cancelled);
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_finishes_fetched_updates_and_awaits_every_task() {
    let server = FakeBotApi::start().await;
    let user = server.user("alice");
    for i in 0..20 {
        user.send_text(format!("m{i}")).await;
    }
    let app = draining_app(&server, 20, Duration::from_secs(60));
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling()).await })
    };
    // All 20 handled and stop requested; the tasks still wait.
    while app.state().handled.load(Ordering::SeqCst) < 20 || app.running_tasks() < 20 {
        tokio::task::yield_now().await;
    }
    assert!(!runner.is_finished());
    app.state().released.store(true, Ordering::SeqCst);
    app.state().release.notify_waiters();
    runner.await.unwrap().unwrap();
    assert_eq!(app.state().follow_ups.load(Ordering::SeqCst), 20);
    assert_eq!(app.running_tasks(), 0);
    let last = server.requests_for("sendMessage").len(); // none; the bot only reads
    assert_eq!(last, 0);
    assert_eq!(
        server.pending_updates(),
        0,
        "the final offset was confirmed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_timeout_cancels_and_reports_what_is_left() {
    let server = FakeBotApi::start().await;
    let user = server.user("alice");
    for i in 0..5 {
        user.send_text(format!("m{i}")).await;
    }
    let app = draining_app(&server, 5, Duration::from_millis(200));
    app.run_polling(polling()).await.unwrap();
    assert_eq!(app.state().handled.load(Ordering::SeqCst), 5);
    assert_eq!(app.state().cancelled.load(Ordering::SeqCst), 5);
    assert_eq!(app.state().follow_ups.load(Ordering::SeqCst), 0);
    assert_eq!(app.running_tasks(), 0);
}
