//! Typed data end to end: slots read and updated from handlers under concurrent processing,
//! migrations on read, undecodable values reaching the error handlers, laziness.
//!
//! The stores: memory always; SQLite (a temporary file) and Redis (`TELEGRAM_TEST_REDIS_URL`)
//! where available.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use telegram_ext::data::{BotSlot, ChatSlot, ChatUserSlot, DataError, MigrationError, UserSlot};
use telegram_ext::handlers::TypeHandler;
use telegram_ext::{Application, Context, HandlerResult, MemoryStore, Store, Update};
use telegram_store::{Entry, RedisStore, ScanPage, SqliteStore, StoreError, Version};

const COUNTER: ChatSlot<u64> = ChatSlot::new("counter");
const SEEN: UserSlot<u64> = UserSlot::new("seen");
const IN_CHAT: ChatUserSlot<u64> = ChatUserSlot::new("in_chat");
const TOTAL: BotSlot<u64> = BotSlot::new("total");

fn message(id: i64, chat: i64, user: i64) -> Update {
    serde_json::from_value(json!({"update_id": id, "message": {
        "message_id": id, "date": 1, "chat": {"id": chat, "type": "group", "title": "g"},
        "from": {"id": user, "is_bot": false, "first_name": "U"}, "text": "hi"}}))
    .unwrap()
}

fn inline_query(id: i64, user: i64) -> Update {
    serde_json::from_value(json!({"update_id": id, "inline_query": {
        "id": "q", "from": {"id": user, "is_bot": false, "first_name": "U"},
        "query": "", "offset": ""}}))
    .unwrap()
}

fn app_on(store: Arc<dyn Store>) -> Application {
    Application::builder()
        .token("4242:secret")
        .shared_store(store)
        .concurrent_updates(64)
        .build()
        .unwrap()
}

/// An error as the error handlers saw it: its text, and its data key when it is a `DataError`.
type SeenError = (String, Option<String>);

/// The errors the error handlers saw.
#[derive(Clone, Default)]
struct SeenErrors(Arc<Mutex<Vec<SeenError>>>);

impl SeenErrors {
    fn install(&self, app: &Application) {
        let seen = self.clone();
        app.add_error_handler(move |_: Arc<Update>, ctx: Context| {
            let seen = seen.clone();
            async move {
                let error = ctx.error.expect("error handlers get the error");
                let key = error
                    .source_error()
                    .and_then(|e| e.downcast_ref::<DataError>())
                    .and_then(|e| e.key().map(str::to_owned));
                seen.0.lock().unwrap().push((error.to_string(), key));
                Ok(())
            }
        });
    }

    fn take(&self) -> Vec<SeenError> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

async fn count_everything(_: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.update(&COUNTER, |n| *n += 1).await?;
    ctx.update(&SEEN, |n| *n += 1).await?;
    ctx.update(&IN_CHAT, |n| *n += 1).await?;
    ctx.update(&TOTAL, |n| *n += 1).await?;
    Ok(())
}

/// 10 000 updates over 100 chats (and 10 users), processed 64 at a time: every counter exact.
async fn concurrent_increments_are_exact(store: Arc<dyn Store>) {
    const UPDATES: i64 = 10_000;
    let app = app_on(store);
    let errors = SeenErrors::default();
    errors.install(&app);
    app.add_handler(TypeHandler::new(|_: &Update| true, count_everything), 0);
    for id in 0..UPDATES {
        app.submit_update(message(id, -(id % 100) - 1, id % 10 + 1))
            .await;
    }
    app.stop().await;
    assert_eq!(errors.take(), vec![]);

    let data = app.data();
    for chat in 1..=100 {
        assert_eq!(
            data.read(&COUNTER, -chat).await.unwrap(),
            Some(100),
            "chat {chat}"
        );
    }
    for user in 1..=10 {
        assert_eq!(
            data.read(&SEEN, user).await.unwrap(),
            Some(1000),
            "user {user}"
        );
    }
    // Chat -c sees users u with id ≡ c-1 (mod 100) and u ≡ (id mod 10)+1: 100 per pair present.
    let pairs: u64 = futures_sum(&app).await;
    assert_eq!(pairs, UPDATES as u64);
    assert_eq!(data.read(&TOTAL, ()).await.unwrap(), Some(UPDATES as u64));
}

async fn futures_sum(app: &Application) -> u64 {
    let mut sum = 0;
    for chat in 1..=100 {
        for user in 1..=10 {
            sum += app
                .data()
                .read(&IN_CHAT, (-chat, user))
                .await
                .unwrap()
                .unwrap_or(0);
        }
    }
    sum
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_are_exact_in_memory() {
    concurrent_increments_are_exact(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_are_exact_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("data.sqlite")).unwrap();
    concurrent_increments_are_exact(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_are_exact_in_redis() {
    let Ok(url) = std::env::var("TELEGRAM_TEST_REDIS_URL") else {
        #[allow(clippy::print_stdout)] // the skip is said where `cargo test` shows it
        {
            println!("skipped: TELEGRAM_TEST_REDIS_URL is not set");
        }
        return;
    };
    // A fresh namespace per run, so earlier runs' counters do not count.
    let prefix = format!("test-data-{}:", std::process::id());
    let store = RedisStore::connect(&url).await.unwrap().with_prefix(prefix);
    concurrent_increments_are_exact(Arc::new(store)).await;
}

// ---- migrations and undecodable values ------------------------------------------------------

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct ProfileV2 {
    first: String,
    last: String,
    visits: u32,
}

fn split_name(mut v1: Value) -> Result<Value, MigrationError> {
    let name = v1["name"].take();
    let name = name
        .as_str()
        .ok_or_else(|| MigrationError::new("name is not a string"))?;
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    Ok(json!({"first": first, "last": last, "visits": v1["visits"]}))
}

const PROFILE_V2: UserSlot<ProfileV2> = UserSlot::new("profile").migrations(&[split_name]);

async fn visit(_: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.update(&PROFILE_V2, |p| p.visits += 1).await?;
    Ok(())
}

#[tokio::test]
async fn a_v1_value_reads_as_v2_and_is_written_back() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let app = app_on(store.clone());
    let key = app.data().key(&PROFILE_V2, 7);
    assert_eq!(key, "tg:4242:user:7:profile");
    let v1 = br#"{"v":1,"data":{"name":"Ada Lovelace","visits":3}}"#;
    store
        .put(key.as_bytes(), Bytes::from_static(v1), None, None)
        .await
        .unwrap();

    app.add_handler(TypeHandler::new(|_: &Update| true, visit), 0);
    app.submit_update(message(1, -1, 7)).await;
    app.stop().await;

    let expected = ProfileV2 {
        first: "Ada".into(),
        last: "Lovelace".into(),
        visits: 4,
    };
    assert_eq!(
        app.data().read(&PROFILE_V2, 7).await.unwrap(),
        Some(expected)
    );
    let stored: Value =
        serde_json::from_slice(&store.get(key.as_bytes()).await.unwrap().unwrap().value).unwrap();
    assert_eq!(
        stored["v"], 2,
        "the migrated value is stored at the new version"
    );
}

#[tokio::test]
async fn reading_migrates_and_writes_back_without_an_update() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let app = app_on(store.clone());
    let key = app.data().key(&PROFILE_V2, 8);
    let v1 = br#"{"v":1,"data":{"name":"Alan Turing","visits":1}}"#;
    store
        .put(key.as_bytes(), Bytes::from_static(v1), None, None)
        .await
        .unwrap();
    let read = app.data().read(&PROFILE_V2, 8).await.unwrap().unwrap();
    assert_eq!(read.first, "Alan");
    let entry = store.get(key.as_bytes()).await.unwrap().unwrap();
    assert_eq!(entry.version, 2, "written back once");
    assert!(std::str::from_utf8(&entry.value)
        .unwrap()
        .starts_with(r#"{"v":2,"#));
}

#[tokio::test]
async fn an_undecodable_value_reaches_the_error_handler_with_its_key_and_stays() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let app = app_on(store.clone());
    let errors = SeenErrors::default();
    errors.install(&app);
    let key = app.data().key(&PROFILE_V2, 9);
    let bad = Bytes::from_static(br#"{"v":2,"data":{"first":42}}"#);
    store
        .put(key.as_bytes(), bad.clone(), None, None)
        .await
        .unwrap();

    app.add_handler(TypeHandler::new(|_: &Update| true, visit), 0);
    app.submit_update(message(1, -1, 9)).await;
    app.stop().await;

    let seen = errors.take();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].1.as_deref(), Some("tg:4242:user:9:profile"));
    assert!(
        seen[0].0.contains("tg:4242:user:9:profile"),
        "{}",
        seen[0].0
    );
    let entry = store.get(key.as_bytes()).await.unwrap().unwrap();
    assert_eq!(entry.value, bad, "never replaced by a default");
}

#[tokio::test]
async fn a_chat_slot_without_a_chat_is_a_clear_error() {
    let app = app_on(Arc::new(MemoryStore::new()));
    let errors = SeenErrors::default();
    errors.install(&app);
    app.add_handler(
        TypeHandler::new(
            |_: &Update| true,
            |_: Arc<Update>, ctx: Context| async move {
                ctx.update(&COUNTER, |n| *n += 1).await?;
                Ok(())
            },
        ),
        0,
    );
    app.submit_update(inline_query(1, 5)).await;
    app.stop().await;
    let seen = errors.take();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "no chat id for slot `counter` in this update");
}

// ---- laziness ------------------------------------------------------------------------------

/// A memory store that counts the calls made to it.
#[derive(Debug, Default)]
struct Counting {
    inner: MemoryStore,
    calls: AtomicUsize,
}

#[async_trait]
impl Store for Counting {
    async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key).await
    }
    async fn put(
        &self,
        key: &[u8],
        value: Bytes,
        expected: Option<Version>,
        ttl: Option<Duration>,
    ) -> Result<Version, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.put(key, value, expected, ttl).await
    }
    async fn delete(&self, key: &[u8], expected: Version) -> Result<bool, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(key, expected).await
    }
    async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.scan(prefix, after, limit).await
    }
}

#[tokio::test]
async fn a_callback_that_touches_no_slot_reads_nothing() {
    let store = Arc::new(Counting::default());
    let app = app_on(store.clone());
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = handled.clone();
    app.add_handler(
        TypeHandler::new(
            |_: &Update| true,
            move |_: Arc<Update>, _: Context| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            },
        ),
        0,
    );
    for id in 0..50 {
        app.submit_update(message(id, -1, 1)).await;
    }
    app.stop().await;
    assert_eq!(handled.load(Ordering::SeqCst), 50);
    assert_eq!(store.calls.load(Ordering::SeqCst), 0);

    // One update touching one slot: one read, one write.
    app.add_handler(TypeHandler::new(|_: &Update| true, visit), -1);
    app.submit_update(message(99, -1, 1)).await;
    app.stop().await;
    assert_eq!(store.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn write_and_remove_round_trip() {
    let app = app_on(Arc::new(MemoryStore::new()));
    let data = app.data();
    data.write(&COUNTER, -5, &41).await.unwrap();
    assert_eq!(
        data.update(&COUNTER, -5, |n| {
            *n += 1;
            *n
        })
        .await
        .unwrap(),
        42
    );
    assert!(data.remove(&COUNTER, -5).await.unwrap());
    assert!(!data.remove(&COUNTER, -5).await.unwrap());
    assert_eq!(data.read(&COUNTER, -5).await.unwrap(), None);
}
