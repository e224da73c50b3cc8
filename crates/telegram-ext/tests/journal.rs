//! The update journal against the fake Bot API, in one process: what a previous run left is
//! replayed first, in update id order, as it was written (a malformed update reported as
//! malformed); Telegram's own copies of replayed updates are not handled again; polling confirms
//! a batch once it is written, not when it was processed; a webhook answers 503 when the
//! journal cannot be written. The crash itself (a `SIGKILL` between write and processing) is
//! `polling_crash` and `webhook_crash`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use telegram_ext::data::Data;
use telegram_ext::delivery::UpdateJournal;
use telegram_ext::handlers::TypeHandler;
use telegram_ext::processing::Concurrent;
use telegram_ext::store::{Entry, ScanPage, StoreError, Version};
use telegram_ext::{
    Ack, Application, Context, HandlerError, HandlerResult, MemoryStore, PollingConfig, Store,
    Update, WebhookConfig,
};
use telegram_test::FakeBotApi;
use tokio::sync::{Notify, Semaphore};

/// What the handlers saw.
#[derive(Default)]
struct Seen {
    ids: Mutex<Vec<i64>>,
    malformed: Mutex<Vec<i64>>,
    changed: Notify,
    /// Handlers wait here for a permit when `gate` is set.
    gate: Option<Semaphore>,
}

impl Seen {
    fn gated() -> Self {
        Seen {
            gate: Some(Semaphore::new(0)),
            ..Seen::default()
        }
    }

    /// The handled ids once there are `count` of them.
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
        .expect("the updates were not handled in time")
    }
}

async fn record(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    if let Some(gate) = &ctx.state.gate {
        gate.acquire().await.expect("never closed").forget();
    }
    ctx.state.ids.lock().unwrap().push(update.update_id);
    ctx.state.changed.notify_waiters();
    Ok(())
}

async fn record_malformed(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    if let Some(HandlerError::Malformed(malformed)) = ctx.error.as_deref() {
        assert_eq!(malformed.raw["message"]["message_id"], "not a number");
        ctx.state.malformed.lock().unwrap().push(update.update_id);
    }
    Ok(())
}

fn app(server: &FakeBotApi, store: Arc<dyn Store>, seen: Seen) -> Application<Seen> {
    app_with(server, store, seen, Concurrent::new(1))
}

fn app_with(
    server: &FakeBotApi,
    store: Arc<dyn Store>,
    seen: Seen,
    processor: Concurrent,
) -> Application<Seen> {
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(seen)
        .shared_store(store)
        .journal(UpdateJournal::new())
        .processor(processor)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, record), 0);
    app.add_error_handler(record_malformed);
    app
}

fn message(id: i64, chat: i64) -> serde_json::Value {
    json!({"update_id": id, "message": {"message_id": id, "date": 1,
        "chat": {"id": chat, "type": "private"}, "text": format!("m{id}")}})
}

fn journal_key(server: &FakeBotApi, update_id: i64) -> String {
    format!(
        "{}journal:{update_id}",
        Data::prefix_for_token(&server.token())
    )
}

/// Leaves `bytes` in the journal, as a run that crashed would have.
async fn leave_in_journal(server: &FakeBotApi, store: &Arc<dyn Store>, id: i64, bytes: &str) {
    store
        .put(
            journal_key(server, id).as_bytes(),
            Bytes::copy_from_slice(bytes.as_bytes()),
            None,
            None,
        )
        .await
        .unwrap();
}

async fn journal_len(server: &FakeBotApi, store: &Arc<dyn Store>) -> usize {
    let prefix = format!("{}journal:", Data::prefix_for_token(&server.token()));
    let page = store.scan(prefix.as_bytes(), None, 1_000).await.unwrap();
    page.entries.len()
}

fn polling() -> PollingConfig {
    PollingConfig::default()
        .timeout(Duration::from_secs(1))
        .stop_signals(false)
}

#[tokio::test]
async fn polling_replays_the_journal_first_by_id_and_skips_telegrams_copies_of_it() {
    let server = FakeBotApi::start().await;
    let chat = server.user("ann").id();
    // Telegram still has all three: the crashed run had written 1 and 2 but not confirmed them.
    let ids: Vec<i64> = (0..3)
        .map(|i| {
            server.push_update(json!({"message": {"message_id": i, "date": 1,
            "chat": {"id": chat, "type": "private"}, "text": format!("m{i}")}}))
        })
        .collect();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    for id in [ids[1], ids[0]] {
        leave_in_journal(&server, &store, id, &message(id, chat).to_string()).await;
    }
    // And one Telegram no longer has (confirmed before the crash), malformed as received.
    let misfit = ids[2] + 100;
    let misfit_bytes =
        format!(r#"{{"update_id":{misfit},"message":{{"message_id":"not a number"}}}}"#);
    leave_in_journal(&server, &store, misfit, &misfit_bytes).await;

    let app = app(&server, store.clone(), Seen::default());
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling()).await })
    };
    let handled = app.state().wait_for(3).await;
    app.stop_running();
    runner.await.unwrap().unwrap();

    assert_eq!(
        *app.state().ids.lock().unwrap(),
        ids,
        "replayed first, by id, and Telegram's copies of them skipped"
    );
    assert_eq!(handled, ids);
    assert_eq!(*app.state().malformed.lock().unwrap(), [misfit]);
    assert_eq!(server.confirmed_offset(), ids[2] + 1);
    assert_eq!(journal_len(&server, &store).await, 0, "processed: removed");
}

#[tokio::test]
async fn polling_confirms_a_batch_once_it_is_written_not_when_it_is_processed() {
    let server = FakeBotApi::start().await;
    let chat = server.user("ann").id();
    // More than `getUpdates` returns at once: the watermark alone would confirm none of them
    // while the first is unfinished, and never fetch past the first 100.
    let ids: Vec<i64> = (0..150)
        .map(|i| {
            server.push_update(json!({"message": {"message_id": i, "date": 1,
            "chat": {"id": chat, "type": "private"}, "text": format!("m{i}")}}))
        })
        .collect();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let app = app_with(&server, store.clone(), Seen::gated(), Concurrent::new(200));
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling()).await })
    };
    let last = *ids.last().unwrap();
    server.wait_for_offset(last + 1).await.unwrap();
    assert!(
        app.state().ids.lock().unwrap().is_empty(),
        "nothing finished"
    );
    assert_eq!(
        journal_len(&server, &store).await,
        150,
        "all in the journal"
    );

    app.state().gate.as_ref().unwrap().add_permits(150);
    app.state().wait_for(150).await;
    app.stop_running();
    runner.await.unwrap().unwrap();
    assert_eq!(journal_len(&server, &store).await, 0);
}

/// A webhook (`Ack::OnReceipt`, journal in `store`) on a free port; its URL.
async fn serve(
    server: &FakeBotApi,
    store: Arc<dyn Store>,
    seen: Seen,
) -> (
    Application<Seen>,
    String,
    tokio::task::JoinHandle<Result<(), telegram_ext::RunError>>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = app(server, store, seen);
    let config = WebhookConfig::new(listener.local_addr().unwrap(), "/hook")
        .with_listener(listener)
        .ack(Ack::OnReceipt)
        .stop_signals(false);
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_webhook(config).await })
    };
    (app, url, runner)
}

async fn post(url: &str, body: String) -> u16 {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = http::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    client.request(request).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn webhook_replays_the_journal_and_answers_telegrams_copy_of_a_replayed_update_unhandled() {
    let server = FakeBotApi::start().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // The crashed run had written 10 and 11; its 200 for 11 never reached Telegram.
    for id in [11, 10] {
        leave_in_journal(&server, &store, id, &message(id, 5).to_string()).await;
    }
    let (app, url, runner) = serve(&server, store.clone(), Seen::default()).await;
    assert_eq!(app.state().wait_for(2).await, [10, 11]);
    assert_eq!(post(&url, message(11, 5).to_string()).await, 200);
    assert_eq!(post(&url, message(12, 5).to_string()).await, 200);
    // One at a time, in order: an 11 handled again would come before 12.
    assert_eq!(app.state().wait_for(3).await, [10, 11, 12]);
    app.stop_running();
    runner.await.unwrap().unwrap();
    assert_eq!(*app.state().ids.lock().unwrap(), [10, 11, 12]);
    assert_eq!(journal_len(&server, &store).await, 0);
}

#[tokio::test]
async fn webhook_writes_before_the_200_and_skips_a_redelivery_of_an_update_in_flight() {
    let server = FakeBotApi::start().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (app, url, runner) = serve(&server, store.clone(), Seen::gated()).await;
    assert_eq!(post(&url, message(20, 5).to_string()).await, 200);
    assert!(
        store
            .get(journal_key(&server, 20).as_bytes())
            .await
            .unwrap()
            .is_some(),
        "in the journal when answered"
    );
    // Telegram did not get the 200 (a dropped connection) and sends it again: still in the
    // journal, so it is not queued a second time.
    assert_eq!(post(&url, message(20, 5).to_string()).await, 200);
    assert_eq!(post(&url, message(21, 5).to_string()).await, 200);
    app.state().gate.as_ref().unwrap().add_permits(3);
    assert_eq!(app.state().wait_for(2).await, [20, 21]);
    app.stop_running();
    runner.await.unwrap().unwrap();
    assert_eq!(*app.state().ids.lock().unwrap(), [20, 21]);
    assert_eq!(journal_len(&server, &store).await, 0);
}

/// A store whose writes fail: the disk is full.
#[derive(Debug, Default)]
struct DiskFull {
    inner: MemoryStore,
}

#[async_trait]
impl Store for DiskFull {
    async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        self.inner.get(key).await
    }

    async fn put(
        &self,
        _key: &[u8],
        _value: Bytes,
        _expected: Option<Version>,
        _ttl: Option<Duration>,
    ) -> Result<Version, StoreError> {
        Err(StoreError::unavailable("disk full"))
    }

    async fn delete(&self, key: &[u8], expected: Version) -> Result<bool, StoreError> {
        self.inner.delete(key, expected).await
    }

    async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        self.inner.scan(prefix, after, limit).await
    }
}

#[tokio::test]
async fn webhook_answers_503_when_the_journal_cannot_be_written() {
    let server = FakeBotApi::start().await;
    let (app, url, runner) = serve(&server, Arc::new(DiskFull::default()), Seen::default()).await;
    assert_eq!(post(&url, message(30, 5).to_string()).await, 503);
    app.stop_running();
    runner.await.unwrap().unwrap();
    assert!(
        app.state().ids.lock().unwrap().is_empty(),
        "not queued: Telegram sends it again"
    );
}

#[tokio::test]
async fn polling_holds_back_an_update_the_journal_cannot_take_until_it_finished() {
    let server = FakeBotApi::start().await;
    let chat = server.user("ann").id();
    let first = server.push_update(json!({"message": {"message_id": 1, "date": 1,
        "chat": {"id": chat, "type": "private"}, "text": "m"}}));
    let app = app_with(
        &server,
        Arc::new(DiskFull::default()),
        Seen::gated(),
        Concurrent::new(10),
    );
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling()).await })
    };
    // Fetched (the next getUpdates asks again from it), not confirmed while unfinished.
    let _ = server.next_request("getUpdates").await.unwrap();
    let again = server.next_request("getUpdates").await.unwrap();
    assert_eq!(
        again.params["offset"], first,
        "held at the unwritten update"
    );
    app.state().gate.as_ref().unwrap().add_permits(1);
    app.state().wait_for(1).await;
    server.wait_for_offset(first + 1).await.unwrap();
    app.stop_running();
    runner.await.unwrap().unwrap();
}
