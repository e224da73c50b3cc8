//! The forced stop: `Application::force_stop` and a second ctrl-c / SIGTERM cut a graceful stop
//! short when a handler or a task will not finish. What was running is cancelled and reported;
//! with polling, nothing unfinished is confirmed: the cancelled updates and those fetched but not
//! started stay with Telegram for the next run.
//!
//! Deterministic: a handler that never returns, notifications and the fake server's offsets;
//! the timeouts only turn a hang into a failure. The signal test sends real SIGTERMs to this
//! test process (its own binary, and the only test here that listens for signals).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use telegram_ext::handlers::TypeHandler;
use telegram_ext::processing::{Concurrent, Keyed, Sequential, UpdateProcessor};
use telegram_ext::{Application, Context, HandlerError, HandlerResult, PollingConfig, Update};
use telegram_test::FakeBotApi;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How long a stop may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Stuck {
    /// Texts of the updates whose handler started, in order.
    started: Mutex<Vec<String>>,
    started_one: Notify,
    /// Update ids reported to the error handler as cancelled.
    cancelled: Mutex<Vec<i64>>,
}

/// Never returns for the first `m0` (a later delivery of it returns); records the others and
/// stops the run at `m2`.
async fn hang_on_first(update: Arc<Update>, ctx: Context<Stuck>) -> HandlerResult {
    let text = update
        .effective_message()
        .and_then(|m| m.text.clone())
        .unwrap_or_default();
    let first = {
        let mut started = ctx.state.started.lock().unwrap();
        started.push(text.clone());
        started.iter().filter(|t| **t == text).count() == 1
    };
    ctx.state.started_one.notify_one();
    match text.as_str() {
        "m0" if first => std::future::pending().await,
        "m2" => ctx.stop_running(),
        _ => {}
    }
    Ok(())
}

/// Never returns.
async fn hang(update: Arc<Update>, ctx: Context<Stuck>) -> HandlerResult {
    hang_on_first(update, ctx).await?;
    std::future::pending().await
}

async fn record_cancelled(update: Arc<Update>, ctx: Context<Stuck>) -> HandlerResult {
    if matches!(ctx.error.as_deref(), Some(HandlerError::Cancelled)) {
        ctx.state.cancelled.lock().unwrap().push(update.update_id);
    }
    Ok(())
}

/// An application whose graceful stop would wait an hour for its tasks.
fn app(server: &FakeBotApi, processor: impl UpdateProcessor) -> Application<Stuck> {
    app_draining(server, processor, Duration::from_secs(3600))
}

/// An application whose graceful stop gives up after `drain`.
fn app_draining(
    server: &FakeBotApi,
    processor: impl UpdateProcessor,
    drain: Duration,
) -> Application<Stuck> {
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Stuck::default())
        .processor(processor)
        .drain_timeout(drain)
        .build()
        .unwrap();
    app.add_error_handler(record_cancelled);
    app
}

fn run(app: &Application<Stuck>, stop_signals: bool) -> JoinHandle<()> {
    let app = app.clone();
    tokio::spawn(async move {
        let config = PollingConfig::default()
            .timeout(Duration::from_secs(1))
            .stop_signals(stop_signals);
        app.run_polling(config).await.unwrap();
    })
}

async fn wait_started(app: &Application<Stuck>, n: usize) {
    loop {
        let started = app.state().started_one.notified();
        if app.state().started.lock().unwrap().len() >= n {
            return;
        }
        started.await;
    }
}

async fn ended(runner: JoinHandle<()>) {
    tokio::time::timeout(HANG, runner)
        .await
        .expect("the stop hung")
        .unwrap();
}

fn started(app: &Application<Stuck>) -> Vec<String> {
    app.state().started.lock().unwrap().clone()
}

/// The ids reported as cancelled, in ascending order (tasks report in any order).
fn cancelled(app: &Application<Stuck>) -> Vec<i64> {
    let mut ids = app.state().cancelled.lock().unwrap().clone();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_update_is_cancelled_and_the_rest_of_the_batch_comes_again() {
    let server = FakeBotApi::start().await;
    let ids = text_updates(&server, "m", 3);
    // The batch's updates one after another; `m0` never ends.
    let app = app(&server, Sequential::new());
    app.add_handler(TypeHandler::new(|_: &Update| true, hang_on_first), 0);

    let runner = run(&app, false);
    wait_started(&app, 1).await;
    app.stop_running();
    app.force_stop();
    ended(runner).await;
    assert_eq!(started(&app), ["m0"]);
    assert_eq!(cancelled(&app), [ids[0]]);
    assert_eq!(
        server.pending_updates(),
        3,
        "m0 was cancelled, m1 and m2 never started: none is confirmed"
    );

    // The next run starts afresh and gets all three.
    let runner = run(&app, false);
    ended(runner).await;
    assert_eq!(started(&app), ["m0", "m0", "m1", "m2"]);
    assert_eq!(cancelled(&app), [ids[0]]);
    assert_eq!(server.pending_updates(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_timeout_cancels_a_stuck_update_and_leaves_the_batch_for_the_next_run() {
    let server = FakeBotApi::start().await;
    let ids = text_updates(&server, "m", 3);
    // Sequential: polling waits inside `submit` for `m0`, which never ends.
    let app = app_draining(&server, Sequential::new(), Duration::from_millis(200));
    app.add_handler(TypeHandler::new(|_: &Update| true, hang_on_first), 0);

    let runner = run(&app, false);
    wait_started(&app, 1).await;
    app.stop_running();
    // No forced stop: the drain timeout alone ends it.
    ended(runner).await;
    assert!(!app.is_force_stopping());
    assert_eq!(started(&app), ["m0"]);
    assert_eq!(cancelled(&app), [ids[0]]);
    assert_eq!(
        server.pending_updates(),
        3,
        "the cancelled m0 and the unstarted m1, m2 come again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_timeout_cancels_admitted_updates_that_never_finish() {
    let server = FakeBotApi::start().await;
    let ids = text_updates(&server, "m", 3);
    // Concurrent: `m0` hangs while `m1` and `m2` finish; `m2` asks for the stop.
    let app = app_draining(&server, Concurrent::new(4), Duration::from_millis(200));
    app.add_handler(TypeHandler::new(|_: &Update| true, hang_on_first), 0);

    let runner = run(&app, false);
    ended(runner).await;
    assert!(!app.is_force_stopping());
    assert_eq!(started(&app).len(), 3);
    assert_eq!(cancelled(&app), [ids[0]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_stop_cancels_the_tasks_a_graceful_one_waits_for() {
    let server = FakeBotApi::start().await;
    let ids = text_updates(&server, "t", 2);
    let app = app(&server, Sequential::new());
    app.add_handler(TypeHandler::new(|_: &Update| true, hang).block(false), 0);

    let runner = run(&app, false);
    wait_started(&app, 2).await;
    assert_eq!(app.running_tasks(), 2);
    // Gracefully, the stop would wait an hour for the two tasks.
    app.stop_running();
    app.force_stop();
    ended(runner).await;
    assert_eq!(cancelled(&app), ids);
    assert_eq!(app.running_tasks(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_waiting_for_their_chat_are_cancelled_with_the_stuck_one() {
    let server = FakeBotApi::start().await;
    let ids = text_updates(&server, "m", 3);
    // One chat: `m1` and `m2` are admitted but queue behind `m0`, which never ends.
    let app = app(&server, Keyed::by_chat(8));
    app.add_handler(TypeHandler::new(|_: &Update| true, hang_on_first), 0);

    let runner = run(&app, false);
    wait_started(&app, 1).await;
    while app.queued() < 2 {
        tokio::task::yield_now().await;
    }
    app.force_stop();
    ended(runner).await;
    assert_eq!(started(&app), ["m0"]);
    assert_eq!(cancelled(&app), ids);
    assert_eq!(
        server.pending_updates(),
        3,
        "cancelled updates are not confirmed: Telegram sends them again"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigterm_forces_the_stop_the_first_began() {
    let server = FakeBotApi::start().await;
    let id = text_update(&server, "m0");
    // `m0` is admitted and never ends, so the graceful stop cannot finish.
    let app = app(&server, Concurrent::new(4));
    app.add_handler(TypeHandler::new(|_: &Update| true, hang_on_first), 0);

    // The run listens for signals before it polls, so once the handler runs a SIGTERM reaches it.
    let runner = run(&app, true);
    wait_started(&app, 1).await;
    sigterm();
    // Acted on, so the next one is not merged into it.
    while !app.is_stopping() {
        tokio::task::yield_now().await;
    }
    assert!(!app.is_force_stopping());
    sigterm();
    ended(runner).await;
    assert!(app.is_force_stopping());
    assert_eq!(cancelled(&app), [id]);
}

/// `n` text updates `{prefix}0`, `{prefix}1`, …, from one chat; their ids.
fn text_updates(server: &FakeBotApi, prefix: &str, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| text_update(server, &format!("{prefix}{i}")))
        .collect()
}

fn text_update(server: &FakeBotApi, text: &str) -> i64 {
    server.push_update(serde_json::json!({"message": {"message_id": 1, "date": 1,
        "chat": {"id": 7, "type": "private"}, "text": text}}))
}

#[cfg(unix)]
fn sigterm() {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", std::process::id())])
        .status()
        .unwrap();
    assert!(status.success());
}
