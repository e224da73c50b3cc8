//! `RedisStore` against a real Redis server: the conformance suite, the documented key layout,
//! namespaces, corrupt keys, index upkeep and a dropped connection.
//!
//! The server's URL comes from `TELEGRAM_TEST_REDIS_URL` (`.ci/run` sets it and starts a
//! server when none answers); without it every test here says it is skipped and passes. Each
//! test works in namespaces of its own (`telegram-store-test:{pid}:{n}:…`), so tests run in
//! parallel and next to other users of the server, and deletes them when it ends, panic or not.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use redis::aio::ConnectionManagerConfig;
use redis::{AsyncCommands, IntoConnectionInfo};
use telegram_store::{conformance, Entry, RedisStore, Store, StoreError};

const URL_VAR: &str = "TELEGRAM_TEST_REDIS_URL";

/// The server's URL, or `None` (and a note) when the tests are to be skipped.
fn redis_url() -> Option<String> {
    let url = std::env::var(URL_VAR).ok().filter(|url| !url.is_empty());
    if url.is_none() {
        eprintln!("skipped: {URL_VAR} is not set");
    }
    url
}

/// Namespaces handed out to one test; their keys are deleted when it drops (a panicking test
/// included).
struct Namespaces {
    url: String,
    used: Mutex<Vec<String>>,
}

impl Namespaces {
    fn new(url: &str) -> Self {
        Namespaces {
            url: url.to_owned(),
            used: Mutex::new(Vec::new()),
        }
    }

    /// A namespace no other test or run uses.
    fn fresh(&self) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let namespace = format!(
            "telegram-store-test:{}:{nanos}:{}:",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        self.used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(namespace.clone());
        namespace
    }

    /// A store on a namespace of its own.
    async fn store(&self) -> RedisStore {
        RedisStore::connect(&self.url)
            .await
            .expect("the test server answers")
            .with_prefix(self.fresh())
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        let used = std::mem::take(
            &mut *self
                .used
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        let Ok(mut conn) = redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection())
        else {
            return;
        };
        for namespace in used {
            // The namespaces hold no glob characters, so the pattern matches exactly them.
            let keys: Vec<Vec<u8>> =
                match redis::Commands::scan_match(&mut conn, format!("{namespace}*")) {
                    Ok(keys) => keys.filter_map(Result::ok).collect(),
                    Err(_) => continue,
                };
            if !keys.is_empty() {
                let _: Result<(), _> = redis::cmd("DEL").arg(keys).exec(&mut conn);
            }
        }
    }
}

/// A plain connection of the test's own, to look under the store and to break things.
async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .expect("a valid URL")
        .get_multiplexed_async_connection()
        .await
        .expect("the test server answers")
}

fn key_in(store: &RedisStore, suffix: &[u8]) -> Vec<u8> {
    [store.prefix(), suffix].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_conforms() {
    let Some(url) = redis_url() else { return };
    let namespaces = Arc::new(Namespaces::new(&url));
    let base = RedisStore::connect(&url)
        .await
        .expect("the test server answers");
    conformance::run_all(|| {
        let store = base.clone().with_prefix(namespaces.fresh());
        async move { Arc::new(store) as Arc<dyn Store> }
    })
    .await;
}

#[tokio::test]
async fn entries_are_hashes_at_the_documented_keys() {
    let Some(url) = redis_url() else { return };
    let namespaces = Namespaces::new(&url);
    let store = namespaces.store().await;
    let mut raw = raw(&url).await;

    store
        .put(
            b"tg:1:chat:7",
            "v".into(),
            None,
            Some(Duration::from_secs(60)),
        )
        .await
        .expect("put");
    let entry_key = key_in(&store, b"k:tg:1:chat:7");
    let (ver, val): (String, Vec<u8>) = redis::cmd("HMGET")
        .arg(&entry_key)
        .arg("ver")
        .arg("val")
        .query_async(&mut raw)
        .await
        .expect("HMGET");
    assert_eq!((ver.as_str(), val.as_slice()), ("1", &b"v"[..]));
    let ttl: i64 = raw.pttl(&entry_key).await.expect("PTTL");
    assert!(
        ttl > 0 && ttl <= 60_000,
        "the entry carries its TTL ({ttl} ms)"
    );
    let indexed: Option<f64> = raw
        .zscore(key_in(&store, b"idx"), b"tg:1:chat:7")
        .await
        .expect("ZSCORE");
    assert_eq!(indexed, Some(0.0), "the key is in the scan index");
    let expiry: Option<f64> = raw
        .zscore(key_in(&store, b"ttl"), b"tg:1:chat:7")
        .await
        .expect("ZSCORE");
    assert!(expiry.is_some(), "a key with a TTL is in the expiry index");

    store
        .put(b"tg:1:chat:7", "w".into(), Some(1), None)
        .await
        .expect("put");
    let ttl: i64 = raw.pttl(&entry_key).await.expect("PTTL");
    assert_eq!(ttl, -1, "a write without TTL clears it");
    let expiry: Option<f64> = raw
        .zscore(key_in(&store, b"ttl"), b"tg:1:chat:7")
        .await
        .expect("ZSCORE");
    assert_eq!(expiry, None, "and leaves the expiry index");
}

#[tokio::test]
async fn namespaces_never_see_each_other() {
    let Some(url) = redis_url() else { return };
    let namespaces = Namespaces::new(&url);
    let one = namespaces.store().await;
    let two = one.clone().with_prefix(namespaces.fresh());

    one.put(b"shared", "one".into(), None, None)
        .await
        .expect("put");
    assert_eq!(two.get(b"shared").await.expect("get"), None);
    let v = two
        .put(b"shared", "two".into(), None, None)
        .await
        .expect("the same key is free in another namespace");
    assert_eq!(v, 1);
    one.put(b"only-one", "x".into(), None, None)
        .await
        .expect("put");

    let listed = two.scan(b"", None, 100).await.expect("scan");
    assert_eq!(
        listed.entries,
        [(
            Bytes::from_static(b"shared"),
            Entry {
                value: "two".into(),
                version: 1
            }
        )]
    );
    assert!(two.delete(b"shared", 1).await.expect("delete"));
    assert_eq!(
        one.get(b"shared").await.expect("get").map(|e| e.value),
        Some(Bytes::from_static(b"one")),
        "a delete in one namespace leaves the other's key"
    );
}

#[tokio::test]
async fn foreign_values_are_corrupt_and_left_alone() {
    let Some(url) = redis_url() else { return };
    let namespaces = Namespaces::new(&url);
    let store = namespaces.store().await;
    let mut raw = raw(&url).await;

    let cases: [(&[u8], &str); 4] = [
        (b"string", "a plain string"),
        (b"half", "a hash without its version"),
        (b"badver", "a hash whose version is not a number"),
        (b"list", "a list"),
    ];
    let _: () = raw
        .set(key_in(&store, b"k:string"), "hello")
        .await
        .expect("SET");
    let _: () = raw
        .hset(key_in(&store, b"k:half"), "val", "x")
        .await
        .expect("HSET");
    let _: () = raw
        .hset_multiple(key_in(&store, b"k:badver"), &[("ver", "abc"), ("val", "x")])
        .await
        .expect("HSET");
    let _: () = raw
        .rpush(key_in(&store, b"k:list"), "x")
        .await
        .expect("RPUSH");

    for (key, what) in cases {
        let corrupt = |result: Result<_, StoreError>, call: &str| {
            assert!(
                matches!(result, Err(StoreError::Corrupt { .. })),
                "{call} on {what} is Corrupt"
            );
        };
        corrupt(store.get(key).await.map(drop), "get");
        corrupt(
            store.put(key, "y".into(), None, None).await.map(drop),
            "put",
        );
        corrupt(
            store.put(key, "y".into(), Some(1), None).await.map(drop),
            "put",
        );
        corrupt(store.delete(key, 1).await.map(drop), "delete");
    }
    let untouched: String = raw.get(key_in(&store, b"k:string")).await.expect("GET");
    assert_eq!(untouched, "hello", "a failed put writes nothing");

    // A scan meeting a foreign value under its index reports it with its key.
    let _: () = raw
        .zadd(key_in(&store, b"idx"), b"string", 0)
        .await
        .expect("ZADD");
    match store.scan(b"", None, 10).await {
        Err(StoreError::Corrupt { key, .. }) => assert_eq!(key, "string"),
        other => panic!("scan over a foreign value: {other:?}"),
    }
}

#[tokio::test]
async fn expired_keys_leave_the_indexes() {
    let Some(url) = redis_url() else { return };
    let namespaces = Namespaces::new(&url);
    let store = namespaces.store().await;
    let mut raw = raw(&url).await;
    let index = key_in(&store, b"idx");
    let ttl_index = key_in(&store, b"ttl");

    // A zero TTL expires the key at once; the write's own purge drops it from both indexes.
    store
        .put(b"gone", "x".into(), None, Some(Duration::ZERO))
        .await
        .expect("put");
    assert_eq!(store.get(b"gone").await.expect("get"), None);
    let sizes: (u64, u64) = (
        raw.zcard(&index).await.expect("ZCARD"),
        raw.zcard(&ttl_index).await.expect("ZCARD"),
    );
    assert_eq!(sizes, (0, 0), "an expired key is purged by the next write");

    // A key re-created after it expired (here: deleted behind the store's back) without a TTL
    // leaves the expiry index; an expiry member out of date (its key kept, without TTL) is
    // dropped from the expiry index alone by the next purge, whatever its place in it.
    store
        .put(b"again", "x".into(), None, Some(Duration::from_secs(60)))
        .await
        .expect("put");
    let _: () = raw.del(key_in(&store, b"k:again")).await.expect("DEL");
    store
        .put(b"again", "y".into(), None, None)
        .await
        .expect("an expired key is created again");
    let stale: Option<f64> = raw.zscore(&ttl_index, b"again").await.expect("ZSCORE");
    assert_eq!(stale, None, "the re-created key has no expiry member");
    let _: () = raw.zadd(&ttl_index, b"again", 0).await.expect("ZADD");
    store
        .put(b"other", "x".into(), None, Some(Duration::ZERO))
        .await
        .expect("put");
    let stale: Option<f64> = raw.zscore(&ttl_index, b"again").await.expect("ZSCORE");
    assert_eq!(stale, None, "the purge drops an expiry member out of date");
    assert_eq!(
        store.get(b"again").await.expect("get").map(|e| e.version),
        Some(1),
        "and leaves its key"
    );
    let _: u64 = raw.del(key_in(&store, b"k:again")).await.expect("DEL");
    let _: u64 = raw.zrem(&index, b"again").await.expect("ZREM");

    // A member whose key vanished behind the store's back (expired before any purge) is
    // skipped by a scan, which removes it.
    store
        .put(b"live", "x".into(), None, None)
        .await
        .expect("put");
    let _: () = raw.zadd(&index, b"ghost", 0).await.expect("ZADD");
    let page = store.scan(b"", None, 10).await.expect("scan");
    let keys: Vec<&[u8]> = page.entries.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, [&b"live"[..]]);
    assert_eq!(page.next, None);
    let ghost: Option<f64> = raw.zscore(&index, b"ghost").await.expect("ZSCORE");
    assert_eq!(ghost, None, "the scan removed the dead member");

    // A dead member just after a full page does not make the page claim a next one.
    let _: () = raw.zadd(&index, b"m-ghost", 0).await.expect("ZADD");
    let page = store.scan(b"", None, 1).await.expect("scan");
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.next, None, "only live keys make a next page");
}

/// A Redis user of the test's own, so that the test can drop exactly its store's connection
/// (`CLIENT KILL USER`) without touching other clients of the server; deleted on drop.
struct OwnUser {
    url: String,
    name: String,
}

impl OwnUser {
    async fn create(url: &str, raw: &mut redis::aio::MultiplexedConnection) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "telegram-store-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let _: () = redis::cmd("ACL")
            .arg(vec!["SETUSER", &name, "on", "nopass", "~*", "&*", "+@all"])
            .query_async(raw)
            .await
            .expect("ACL SETUSER");
        OwnUser {
            url: url.to_owned(),
            name,
        }
    }

    /// The test server's connection settings, logging in as this user.
    fn connection_info(&self) -> redis::ConnectionInfo {
        let info = self
            .url
            .as_str()
            .into_connection_info()
            .expect("a valid URL");
        let settings = info
            .redis_settings()
            .clone()
            .set_username(&self.name)
            .set_password("any");
        info.set_redis_settings(settings)
    }
}

impl Drop for OwnUser {
    fn drop(&mut self) {
        if let Ok(mut conn) =
            redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection())
        {
            let _: Result<(), _> = redis::cmd("ACL")
                .arg("DELUSER")
                .arg(&self.name)
                .exec(&mut conn);
        }
    }
}

#[tokio::test]
async fn a_dropped_connection_fails_one_call_then_reconnects() {
    let Some(url) = redis_url() else { return };
    let namespaces = Namespaces::new(&url);
    let mut raw = raw(&url).await;
    let user = OwnUser::create(&url, &mut raw).await;
    let store =
        RedisStore::connect_with_config(user.connection_info(), ConnectionManagerConfig::new())
            .await
            .expect("the test server answers")
            .with_prefix(namespaces.fresh());
    let v1 = store
        .put(b"k", "before".into(), None, None)
        .await
        .expect("put");

    // Drop the store's connection from the server's side, as a server restart would.
    let killed: i64 = redis::cmd("CLIENT")
        .arg(vec!["KILL", "USER", &user.name])
        .query_async(&mut raw)
        .await
        .expect("CLIENT KILL");
    assert_eq!(killed, 1, "the store holds one connection");

    match store.get(b"k").await {
        Err(StoreError::Unavailable(source)) => {
            assert!(
                source.downcast_ref::<redis::RedisError>().is_some(),
                "the redis error is kept as the source"
            );
        }
        other => panic!("the call on the dropped connection: {other:?}"),
    }
    let entry = store
        .get(b"k")
        .await
        .expect("the next call goes through a new connection");
    assert_eq!(entry.map(|e| e.version), Some(v1));
    store
        .put(b"k", "after".into(), Some(v1), None)
        .await
        .expect("writes go through again");
}

/// A Redis server of the test's own on a free port (memory only), killed on drop.
struct PrivateServer {
    port: u16,
    child: Option<std::process::Child>,
}

impl PrivateServer {
    /// Starts one, or `None` when there is no `redis-server` binary here.
    async fn start() -> Option<Self> {
        let port = free_port();
        let mut server = PrivateServer { port, child: None };
        server.spawn().ok()?;
        server.wait_until_it_answers().await;
        Some(server)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &self.port.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL, as a crash would.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Polls until the server accepts connections (it starts in well under a second; the bound
    /// is for a machine under load).
    async fn wait_until_it_answers(&self) {
        let client = redis::Client::open(self.url()).expect("a valid URL");
        for _ in 0..500 {
            if client.get_multiplexed_async_connection().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the private redis-server did not start");
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    // Bound, then released: nothing else listens there when the server binds it.
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

#[tokio::test]
async fn a_restarted_server_is_reached_again() {
    if redis_url().is_none() {
        return;
    }
    let Some(mut server) = PrivateServer::start().await else {
        eprintln!("skipped: no redis-server binary to restart");
        return;
    };
    // Reconnect attempts every 50 ms, without giving up, so that the first call after the
    // restart waits for the new connection instead of failing.
    let config = ConnectionManagerConfig::new()
        .set_number_of_retries(usize::MAX)
        .set_max_delay(Duration::from_millis(50));
    let store = RedisStore::connect_with_config(server.url(), config)
        .await
        .expect("the private server answers");
    store
        .put(b"k", "before".into(), None, None)
        .await
        .expect("put");

    server.kill();
    assert!(
        matches!(store.get(b"k").await, Err(StoreError::Unavailable(_))),
        "a call while the server is down is Unavailable"
    );
    server.spawn().expect("redis-server starts again");
    server.wait_until_it_answers().await;

    // The server kept nothing (it writes no file); what matters is that the store works again.
    assert_eq!(store.get(b"k").await.expect("get after the restart"), None);
    let v = store
        .put(b"k", "after".into(), None, None)
        .await
        .expect("a write after the restart");
    assert_eq!(v, 1);
}

#[tokio::test]
async fn scripts_are_reloaded_after_the_server_forgot_them() {
    let Some(url) = redis_url() else { return };
    let namespaces = Namespaces::new(&url);
    let store = namespaces.store().await;
    store.put(b"k", "1".into(), None, None).await.expect("put");

    // A restarted server has an empty script cache.
    let mut raw = raw(&url).await;
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut raw)
        .await
        .expect("SCRIPT FLUSH");
    assert_eq!(
        store.get(b"k").await.expect("get").map(|e| e.version),
        Some(1)
    );
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    // Needs no server: a port nothing listens on.
    let port = free_port();
    let config = ConnectionManagerConfig::new().set_number_of_retries(0);
    let result = RedisStore::connect_with_config(format!("redis://127.0.0.1:{port}"), config).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))));
    let bad_url = RedisStore::connect("not a url").await;
    assert!(matches!(bad_url, Err(StoreError::Unavailable(_))));
}
