//! The webhook source: Telegram (the fake server) POSTs updates; bad requests are refused without
//! taking the server down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use telegram_ext::handlers::{Handler, TypeHandler};
use telegram_ext::{Application, Context, HandlerError, HandlerResult, Update, WebhookConfig};
use telegram_test::FakeBotApi;
use tokio::sync::Notify;

#[derive(Default)]
struct Seen {
    ids: Mutex<Vec<i64>>,
    changed: Notify,
    cancelled: Mutex<Vec<i64>>,
    malformed: Mutex<Vec<i64>>,
}

async fn record(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    ctx.state.ids.lock().unwrap().push(update.update_id);
    ctx.state.changed.notify_waiters();
    Ok(())
}

async fn record_and_hang(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    record(update, ctx).await?;
    std::future::pending().await
}

async fn record_cancelled(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    if matches!(ctx.error.as_deref(), Some(HandlerError::Cancelled)) {
        ctx.state.cancelled.lock().unwrap().push(update.update_id);
    }
    Ok(())
}

impl Seen {
    async fn wait_for(&self, count: usize) -> Vec<i64> {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let notified = self.changed.notified();
                let ids = self.ids.lock().unwrap().clone();
                if ids.len() >= count {
                    return ids;
                }
                notified.await;
            }
        })
        .await
        .expect("updates did not arrive")
    }
}

struct Running {
    app: Application<Seen>,
    url: String,
    runner: tokio::task::JoinHandle<Result<(), telegram_ext::RunError>>,
}

/// Serves `/hook` with a handler that records every update.
async fn start(
    server: &FakeBotApi,
    configure: impl FnOnce(WebhookConfig) -> WebhookConfig,
) -> Running {
    start_with(
        server,
        TypeHandler::new(|_: &Update| true, record),
        configure,
    )
    .await
}

async fn start_with(
    server: &FakeBotApi,
    handler: impl Handler<Seen>,
    configure: impl FnOnce(WebhookConfig) -> WebhookConfig,
) -> Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Seen::default())
        .build()
        .unwrap();
    app.add_handler(handler, 0);
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

async fn post(url: &str, secret: Option<&str>, body: impl Into<Bytes>) -> u16 {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::post(url).header("content-type", "application/json");
    if let Some(secret) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    let response = client
        .request(request.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    response.status().as_u16()
}

fn update_json(id: i64) -> String {
    format!(
        r#"{{"update_id":{id},"message":{{"message_id":1,"date":1,"chat":{{"id":5,"type":"private"}},"text":"hi"}}}}"#
    )
}

#[tokio::test]
async fn telegram_delivers_updates_with_the_secret() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| {
        c.secret_token("s3cret").delete_webhook_on_stop(true)
    })
    .await;
    // Register the webhook the way run_webhook would with a public URL.
    running
        .app
        .bot()
        .set_webhook(running.url.clone())
        .secret_token("s3cret")
        .await
        .unwrap();
    let alice = server.user("alice");
    alice.send_text("one").await;
    alice.send_text("two").await;
    let ids = running.app.state().wait_for(2).await;
    assert_eq!(ids.len(), 2);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
    assert!(!server.requests_for("deleteWebhook").is_empty());
}

#[tokio::test]
async fn run_webhook_sets_the_webhook_it_serves() {
    let server = FakeBotApi::start().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Seen::default())
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, record), 0);
    let config = WebhookConfig::new(addr, "/tg")
        .with_listener(listener)
        .webhook_url(format!("http://{addr}/tg"))
        .secret_token("abc")
        .max_connections(10)
        .stop_signals(false);
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_webhook(config).await })
    };
    let set = server.next_request("setWebhook").await.unwrap();
    assert_eq!(set.params["secret_token"], "abc");
    assert_eq!(set.params["max_connections"], 10);
    server.user("bob").send_text("hello").await;
    app.state().wait_for(1).await;
    app.stop_running();
    runner.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_refused() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| c.secret_token("s3cret")).await;
    assert_eq!(post(&running.url, None, update_json(1)).await, 403);
    assert_eq!(post(&running.url, Some("guess"), update_json(2)).await, 403);
    assert_eq!(
        post(&running.url, Some("s3cret"), update_json(3)).await,
        200
    );
    assert_eq!(running.app.state().wait_for(1).await, [3]);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
}

#[tokio::test]
async fn bad_json_gets_400_and_the_next_good_update_is_still_handled() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| c).await;
    assert_eq!(post(&running.url, None, "{not json").await, 400);
    assert_eq!(
        post(&running.url, None, r#"{"no_update_id":true}"#).await,
        400
    );
    assert_eq!(post(&running.url, None, update_json(10)).await, 200);
    assert_eq!(running.app.state().wait_for(1).await, [10]);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
}

async fn record_malformed(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    if let Some(HandlerError::Malformed(malformed)) = ctx.error.as_deref() {
        assert_eq!(malformed.update_id, Some(update.update_id));
        assert_eq!(malformed.raw["message"]["message_id"], "not a number");
        ctx.state.malformed.lock().unwrap().push(update.update_id);
        ctx.state.changed.notify_waiters();
    }
    Ok(())
}

#[tokio::test]
async fn an_update_that_does_not_fit_the_types_is_accepted_and_reported() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| c).await;
    running.app.add_error_handler(record_malformed);
    // Refused, Telegram would redeliver it for ever and hold the chat's next updates back.
    let misfit = r#"{"update_id":11,"message":{"message_id":"not a number"}}"#;
    assert_eq!(post(&running.url, None, misfit).await, 200);
    assert_eq!(post(&running.url, None, update_json(12)).await, 200);
    assert_eq!(running.app.state().wait_for(1).await, [12]);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
    assert_eq!(*running.app.state().malformed.lock().unwrap(), [11]);
}

async fn record_refused(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    if let Some(HandlerError::Malformed(malformed)) = ctx.error.as_deref() {
        assert_eq!(malformed.update_id, Some(update.update_id));
        // serde_json cannot hold it, so it is kept as its text.
        assert!(malformed.raw.as_str().unwrap().contains(r"\ud83d"));
        ctx.state.malformed.lock().unwrap().push(update.update_id);
        ctx.state.changed.notify_waiters();
    }
    Ok(())
}

#[tokio::test]
async fn an_update_the_parser_refuses_is_accepted_and_reported() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| c).await;
    running.app.add_error_handler(record_refused);
    let refused = r#"{"update_id":21,"message":{"message_id":1,"date":1,"chat":{"id":7,"type":"private"},"text":"\ud83d"}}"#;
    assert_eq!(post(&running.url, None, refused).await, 200);
    assert_eq!(post(&running.url, None, update_json(22)).await, 200);
    assert_eq!(running.app.state().wait_for(1).await, [22]);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
    assert_eq!(*running.app.state().malformed.lock().unwrap(), [21]);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| c.max_body_size(1024)).await;
    let huge = format!(
        r#"{{"update_id":1,"message":{{"text":"{}"}}}}"#,
        "x".repeat(4096)
    );
    assert_eq!(post(&running.url, None, huge).await, 413);
    assert_eq!(post(&running.url, None, update_json(2)).await, 200);
    assert_eq!(running.app.state().wait_for(1).await, [2]);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
}

#[tokio::test]
async fn wrong_path_or_method_is_not_found() {
    let server = FakeBotApi::start().await;
    let running = start(&server, |c| c).await;
    let other = running.url.replace("/hook", "/other");
    assert_eq!(post(&other, None, update_json(1)).await, 404);
    running.app.stop_running();
    running.runner.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_forced_stop_reports_every_accepted_update_it_did_not_finish() {
    let server = FakeBotApi::start().await;
    let handler = TypeHandler::new(|_: &Update| true, record_and_hang);
    let Running { app, url, runner } = start_with(&server, handler, |c| c).await;
    app.add_error_handler(record_cancelled);
    for id in 1..=3 {
        assert_eq!(post(&url, None, update_json(id)).await, 200);
    }
    // 1 never finishes; 2 and 3 wait in the queue. Telegram got its 200 for all three, so
    // none can come again: each is reported.
    app.state().wait_for(1).await;
    app.stop_running();
    app.force_stop();
    tokio::time::timeout(Duration::from_secs(30), runner)
        .await
        .expect("the forced stop hung")
        .unwrap()
        .unwrap();
    let mut cancelled = app.state().cancelled.lock().unwrap().clone();
    cancelled.sort_unstable();
    assert_eq!(cancelled, [1, 2, 3]);
    assert_eq!(*app.state().ids.lock().unwrap(), [1]);
}

#[tokio::test]
async fn an_address_in_use_is_a_bind_error_with_its_io_error() {
    let server = FakeBotApi::start().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .build()
        .unwrap();
    let config = WebhookConfig::new(addr, "/hook").stop_signals(false);
    let error = app.run_webhook(config).await.unwrap_err();
    let telegram_ext::RunError::Bind {
        addr: tried,
        source,
    } = &error
    else {
        panic!("not a bind error: {error:?}");
    };
    assert_eq!(*tried, addr);
    assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
}
