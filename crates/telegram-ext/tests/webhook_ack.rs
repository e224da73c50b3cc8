//! Webhook acknowledgement modes: `Ack::AfterProcessing` answers 200 when the update's dispatch
//! finished (handler errors included), and anything else (a forced stop, the processing timeout)
//! when it did not, so Telegram redelivers; a redelivery of an update in flight joins it.
//! `Ack::OnReceipt` answers when the update is queued, waiting for room when the queue is full.
//!
//! Telegram is played by a plain HTTP client here. Deterministic: handlers wait on gates the
//! test opens, and the test waits on notifications, never on time (the processing timeout is
//! the behaviour under test, not a wait).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use telegram_ext::delivery::CompletedUpdates;
use telegram_ext::handlers::{Handler, TypeHandler};
use telegram_ext::processing::{Concurrent, Sequential, UpdateProcessor};
use telegram_ext::{Ack, Application, Context, HandlerError, HandlerResult, Update, WebhookConfig};
use telegram_test::FakeBotApi;
use tokio::sync::{Notify, Semaphore};

/// How long anything may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);

struct Probe {
    /// Update ids whose handler started, in order.
    started: Mutex<Vec<i64>>,
    started_one: Notify,
    /// Closed until the test opens it: handlers wait here (`gated`).
    gate: Semaphore,
    /// Update ids the error handler saw, with the error's text.
    errors: Mutex<Vec<(i64, String)>>,
    /// Handler runs, all updates together.
    runs: AtomicUsize,
    /// `(chat, sequence number)` in the order handled.
    order: Mutex<Vec<(i64, i64)>>,
}

impl Default for Probe {
    fn default() -> Self {
        Probe {
            started: Mutex::default(),
            started_one: Notify::new(),
            gate: Semaphore::new(0),
            errors: Mutex::default(),
            runs: AtomicUsize::new(0),
            order: Mutex::default(),
        }
    }
}

impl Probe {
    async fn wait_started(&self, n: usize) {
        tokio::time::timeout(HANG, async {
            loop {
                let notified = self.started_one.notified();
                if self.started.lock().unwrap().len() >= n {
                    return;
                }
                notified.await;
            }
        })
        .await
        .expect("the handlers did not start");
    }

    fn open_gate(&self) {
        self.gate.add_permits(Semaphore::MAX_PERMITS / 2);
    }
}

fn every(_: &Update) -> bool {
    true
}

fn note_start(update: &Update, probe: &Probe) {
    probe.runs.fetch_add(1, Ordering::SeqCst);
    probe.started.lock().unwrap().push(update.update_id);
    probe.started_one.notify_waiters();
}

/// Fails every update.
async fn failing(update: Arc<Update>, ctx: Context<Probe>) -> HandlerResult {
    note_start(&update, &ctx.state);
    Err(HandlerError::msg("the handler failed"))
}

/// Waits for the gate.
async fn gated(update: Arc<Update>, ctx: Context<Probe>) -> HandlerResult {
    note_start(&update, &ctx.state);
    let _pass = ctx.state.gate.acquire().await;
    Ok(())
}

/// Records the chat and the message's sequence number (its text), after a short, varying pause
/// so that concurrent updates finish out of arrival order.
async fn ordered(update: Arc<Update>, ctx: Context<Probe>) -> HandlerResult {
    let chat = update.effective_chat().map(|c| c.id).unwrap_or_default();
    let seq: i64 = update
        .effective_message()
        .and_then(|m| m.text.as_deref())
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    // Workload, not a wait: later messages of a chat would overtake earlier ones.
    tokio::time::sleep(Duration::from_millis(((seq * 7 + chat) % 5) as u64)).await;
    ctx.state.order.lock().unwrap().push((chat, seq));
    Ok(())
}

async fn record_error(update: Arc<Update>, ctx: Context<Probe>) -> HandlerResult {
    if let Some(error) = &ctx.error {
        ctx.state
            .errors
            .lock()
            .unwrap()
            .push((update.update_id, error.to_string()));
    }
    Ok(())
}

struct Running {
    app: Application<Probe>,
    url: String,
    runner: tokio::task::JoinHandle<Result<(), telegram_ext::RunError>>,
}

impl Running {
    async fn stopped(self) {
        self.app.stop_running();
        tokio::time::timeout(HANG, self.runner)
            .await
            .expect("the stop hung")
            .unwrap()
            .unwrap();
    }
}

async fn start(
    server: &FakeBotApi,
    processor: impl UpdateProcessor,
    handler: impl Handler<Probe>,
    configure: impl FnOnce(WebhookConfig) -> WebhookConfig,
) -> Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Probe::default())
        .processor(processor)
        .drain_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    app.add_handler(handler, 0);
    app.add_error_handler(record_error);
    let config = configure(
        WebhookConfig::new(listener.local_addr().unwrap(), "/hook")
            .with_listener(listener)
            .stop_signals(false),
    );
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_webhook(config).await })
    };
    Running { app, url, runner }
}

/// POSTs an update: its status, or `None` when the connection ended without an answer.
async fn post(url: impl AsRef<str>, body: String) -> Option<u16> {
    let url = url.as_ref();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = http::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    client
        .request(request)
        .await
        .ok()
        .map(|response| response.status().as_u16())
}

fn update(id: i64, chat: i64, text: &str) -> String {
    format!(
        r#"{{"update_id":{id},"message":{{"message_id":{id},"date":1,"chat":{{"id":{chat},"type":"private"}},"text":"{text}"}}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_processing_answers_200_once_a_failed_handler_was_reported() {
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Sequential::new(),
        TypeHandler::new(every, failing),
        |c| c.ack(Ack::AfterProcessing),
    )
    .await;
    assert_eq!(post(&running.url, update(1, 5, "hi")).await, Some(200));
    // The answer came after the dispatch: the error handler had already seen the error.
    let errors = running.app.state().errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, 1);
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_processing_does_not_answer_2xx_when_a_stuck_handler_is_force_stopped() {
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Concurrent::new(4),
        TypeHandler::new(every, gated),
        |c| c.ack(Ack::AfterProcessing),
    )
    .await;
    let request = tokio::spawn(post(running.url.clone(), update(1, 5, "hi")));
    running.app.state().wait_started(1).await;
    running.app.force_stop();
    let status = tokio::time::timeout(HANG, request)
        .await
        .expect("the request hung")
        .unwrap();
    assert!(
        !status.is_some_and(|s| (200..300).contains(&s)),
        "a cancelled update was answered {status:?}: Telegram would not send it again"
    );
    tokio::time::timeout(HANG, running.runner)
        .await
        .expect("the forced stop hung")
        .unwrap()
        .unwrap();
    let errors = running.app.state().errors.lock().unwrap().clone();
    assert!(errors.iter().any(|(id, _)| *id == 1), "reported cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_receipt_answers_200_before_the_handler_finishes() {
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Concurrent::new(4),
        TypeHandler::new(every, gated),
        |c| c,
    )
    .await;
    assert_eq!(post(&running.url, update(1, 5, "hi")).await, Some(200));
    running.app.state().open_gate();
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_in_flight_waits_for_the_first_run_and_runs_nothing() {
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Concurrent::new(4),
        TypeHandler::new(every, gated),
        |c| c.ack(Ack::AfterProcessing),
    )
    .await;
    let first = tokio::spawn(post(running.url.clone(), update(1, 5, "hi")));
    running.app.state().wait_started(1).await;
    let again = tokio::spawn(post(running.url.clone(), update(1, 5, "hi")));
    // The redelivery is held: it is not answered while the first run is gated.
    let early = tokio::time::timeout(Duration::from_millis(200), async {
        while !again.is_finished() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        early.is_err(),
        "the redelivery was answered before the update finished"
    );
    running.app.state().open_gate();
    assert_eq!(first.await.unwrap(), Some(200));
    assert_eq!(again.await.unwrap(), Some(200));
    assert_eq!(running.app.state().runs.load(Ordering::SeqCst), 1);
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_processing_timeout_answers_504_and_the_redelivery_is_not_run_twice() {
    let server = FakeBotApi::start().await;
    let running = start_recording(&server, |c| {
        c.ack(Ack::AfterProcessing)
            .processing_timeout(Duration::from_millis(100))
    })
    .await;
    // The gate stays shut: the processing outlasts the timeout.
    assert_eq!(post(&running.url, update(1, 5, "hi")).await, Some(504));
    let again = tokio::spawn(post(running.url.clone(), update(1, 5, "hi")));
    running.app.state().open_gate();
    // Whether the redelivery found the run in flight (it joins it) or finished (the
    // completed-updates record skips it), it is answered 200 and nothing runs twice.
    assert_eq!(again.await.unwrap(), Some(200));
    assert_eq!(running.app.state().runs.load(Ordering::SeqCst), 1);
    running.stopped().await;
}

/// A gated handler with the completed-updates record on.
async fn start_recording(
    server: &FakeBotApi,
    configure: impl FnOnce(WebhookConfig) -> WebhookConfig,
) -> Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Probe::default())
        .processor(Concurrent::new(4))
        .completed_updates(CompletedUpdates::new())
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(every, gated), 0);
    let config = configure(
        WebhookConfig::new(listener.local_addr().unwrap(), "/hook")
            .with_listener(listener)
            .stop_signals(false),
    );
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_webhook(config).await })
    };
    Running { app, url, runner }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_of_a_completed_update_is_skipped_with_the_record() {
    let server = FakeBotApi::start().await;
    let running = start_recording(&server, |c| c.ack(Ack::AfterProcessing)).await;
    running.app.state().open_gate();
    assert_eq!(post(&running.url, update(1, 5, "hi")).await, Some(200));
    // Telegram did not see that 200 (say) and sends the update again: it is answered, not run.
    assert_eq!(post(&running.url, update(1, 5, "hi")).await, Some(200));
    assert_eq!(running.app.state().runs.load(Ordering::SeqCst), 1);
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_processing_keeps_each_chats_order_under_concurrent_processing() {
    const CHATS: i64 = 10;
    const PER_CHAT: i64 = 20;
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Concurrent::new(64),
        TypeHandler::new(every, ordered),
        |c| c.ack(Ack::AfterProcessing),
    )
    .await;
    // Telegram's rule: a chat's next update is sent when the previous request ended (and the
    // same update again after a failure).
    let mut chats = tokio::task::JoinSet::new();
    for chat in 1..=CHATS {
        let url = running.url.clone();
        chats.spawn(async move {
            for seq in 0..PER_CHAT {
                let id = chat * 1000 + seq;
                while post(&url, update(id, chat, &seq.to_string())).await != Some(200) {}
            }
        });
    }
    while let Some(done) = chats.join_next().await {
        done.unwrap();
    }
    let order = running.app.state().order.lock().unwrap().clone();
    let mut by_chat: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (chat, seq) in order {
        by_chat.entry(chat).or_default().push(seq);
    }
    for chat in 1..=CHATS {
        assert_eq!(
            by_chat.get(&chat).cloned().unwrap_or_default(),
            (0..PER_CHAT).collect::<Vec<_>>(),
            "chat {chat} out of order or incomplete"
        );
    }
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_without_a_wait() {
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Sequential::new(),
        TypeHandler::new(every, gated),
        |c| c.queue_size(1).queue_wait(Duration::ZERO),
    )
    .await;
    assert_eq!(post(&running.url, update(1, 5, "a")).await, Some(200));
    running.app.state().wait_started(1).await;
    // 1 runs (gated), 2 fills the queue, 3 finds it full.
    assert_eq!(post(&running.url, update(2, 5, "b")).await, Some(200));
    assert_eq!(post(&running.url, update(3, 5, "c")).await, Some(503));
    running.app.state().open_gate();
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_holds_the_request_until_there_is_room() {
    let server = FakeBotApi::start().await;
    let running = start(
        &server,
        Sequential::new(),
        TypeHandler::new(every, gated),
        |c| c.queue_size(1).queue_wait(HANG),
    )
    .await;
    assert_eq!(post(&running.url, update(1, 5, "a")).await, Some(200));
    running.app.state().wait_started(1).await;
    assert_eq!(post(&running.url, update(2, 5, "b")).await, Some(200));
    let third = tokio::spawn(post(running.url.clone(), update(3, 5, "c")));
    running.app.state().open_gate();
    assert_eq!(third.await.unwrap(), Some(200), "held, then queued: no 503");
    running.app.state().wait_started(3).await;
    running.stopped().await;
}
