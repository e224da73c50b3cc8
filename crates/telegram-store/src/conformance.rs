//! The conformance suite: what every [`Store`] backend must do, written once and run by each
//! backend's tests (`tests/memory.rs`, `tests/sqlite.rs`, `tests/redis.rs`).
//!
//! The backends own their storage; this module owns only the contract's checks. Each check
//! takes a fresh, empty store, panics (with the property that failed) when the backend breaks
//! the contract, and uses real time only where expiry is the subject.
//!
//! ```
//! use std::sync::Arc;
//! use telegram_store::{conformance, MemoryStore, Store};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! conformance::run_all(|| async { Arc::new(MemoryStore::new()) as Arc<dyn Store> }).await;
//! # }
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::{Entry, Store, StoreError, Version};

/// Concurrent writers in [`concurrent_increments_lose_nothing`].
pub const WRITERS: usize = 64;
/// Increments each of those writers makes.
pub const INCREMENTS_PER_WRITER: u64 = 8;
/// The short TTL of [`ttl_expires`]: long enough to read the key back before it expires on a
/// loaded machine, short enough to keep the suite fast.
pub const SHORT_TTL: Duration = Duration::from_millis(300);

/// Runs every check, each on a fresh store from `make`.
///
/// `make` must return a new, empty store each time (a new file, a new key prefix, a new map).
///
/// # Panics
///
/// When the backend breaks the contract (the message names the property) or returns an error
/// where none is expected.
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    basics(make().await).await;
    compare_and_set_conflicts(make().await).await;
    empty_value_is_not_absent(make().await).await;
    concurrent_increments_lose_nothing(make().await).await;
    ttl_expires(make().await).await;
    scan_pages_through_prefix(make().await).await;
    scan_after_cursor(make().await).await;
    large_value_round_trip(make().await).await;
    binary_and_unicode_keys(make().await).await;
    prefix_edge_cases(make().await).await;
}

/// Get, put and delete on one key, with the versions they produce.
pub async fn basics(store: Arc<dyn Store>) {
    let key = b"basics:key";
    assert_eq!(get(&*store, key).await, None, "a fresh store holds nothing");

    let v1 = put(&*store, key, "one", None).await;
    assert_eq!(v1, 1, "a key's first version is 1");
    assert_eq!(get(&*store, key).await, Some(entry("one", 1)));

    let v2 = put(&*store, key, "two", Some(v1)).await;
    assert_eq!(v2, 2, "each write adds one to the version");
    assert_eq!(get(&*store, key).await, Some(entry("two", 2)));

    assert!(
        delete(&*store, key, v2).await,
        "deleting an existing key says so"
    );
    assert_eq!(get(&*store, key).await, None, "a deleted key is absent");
    assert!(
        !delete(&*store, key, v2).await,
        "deleting an absent key says it was not there"
    );

    let again = put(&*store, key, "again", None).await;
    assert_eq!(again, 1, "a re-created key starts again at version 1");
    assert_eq!(get(&*store, key).await, Some(entry("again", 1)));

    put(&*store, b"basics:other", "other", None).await;
    assert_eq!(
        get(&*store, key).await,
        Some(entry("again", 1)),
        "writing one key leaves another alone"
    );
}

/// Stale versions are refused and leave the key as it was.
pub async fn compare_and_set_conflicts(store: Arc<dyn Store>) {
    let key = b"cas:key";
    let v1 = put(&*store, key, "one", None).await;
    let v2 = put(&*store, key, "two", Some(v1)).await;

    let stale = store.put(key, "stale".into(), Some(v1), None).await;
    assert_conflict(stale, "a put with a stale version");
    let exists = store.put(key, "exists".into(), None, None).await;
    assert_conflict(exists, "a put expecting absence on an existing key");
    let ahead = store.put(key, "ahead".into(), Some(v2 + 1), None).await;
    assert_conflict(ahead, "a put with a version from the future");
    let stale_delete = store.delete(key, v1).await;
    assert_conflict(stale_delete, "a delete with a stale version");
    assert_eq!(
        get(&*store, key).await,
        Some(entry("two", v2)),
        "refused writes change nothing"
    );

    let missing = store.put(b"cas:missing", "x".into(), Some(1), None).await;
    assert_conflict(missing, "a put expecting a version on an absent key");
    assert_eq!(
        get(&*store, b"cas:missing").await,
        None,
        "a refused put creates nothing"
    );
}

/// An empty value is a value: present, versioned, distinct from an absent key.
pub async fn empty_value_is_not_absent(store: Arc<dyn Store>) {
    let key = b"empty";
    let v1 = put(&*store, key, "", None).await;
    assert_eq!(
        get(&*store, key).await,
        Some(entry("", v1)),
        "an empty value reads back as present"
    );
    let again = store.put(key, Bytes::new(), None, None).await;
    assert_conflict(
        again,
        "a put expecting absence on a key holding an empty value",
    );
}

/// [`WRITERS`] tasks increment one counter [`INCREMENTS_PER_WRITER`] times each with
/// read-modify-write, retrying on conflict; the total is exact and every write bumped the
/// version once.
pub async fn concurrent_increments_lose_nothing(store: Arc<dyn Store>) {
    let key: &'static [u8] = b"counter";
    put(&*store, key, "0", None).await;
    let start = Arc::new(Barrier::new(WRITERS));
    let mut writers = JoinSet::new();
    for _ in 0..WRITERS {
        let store = Arc::clone(&store);
        let start = Arc::clone(&start);
        writers.spawn(async move {
            start.wait().await;
            let mut conflicts = 0_u64;
            for _ in 0..INCREMENTS_PER_WRITER {
                conflicts += increment(&*store, key).await;
            }
            conflicts
        });
    }
    let mut conflicts = 0;
    while let Some(done) = writers.join_next().await {
        conflicts += done.expect("a writer task panicked");
    }
    let total = WRITERS as u64 * INCREMENTS_PER_WRITER;
    let stored = get(&*store, key).await.expect("the counter exists");
    assert_eq!(
        parse_count(&stored.value),
        total,
        "no increment is lost ({conflicts} conflicts retried)"
    );
    assert_eq!(
        stored.version,
        total + 1,
        "every successful write adds exactly one version"
    );
}

/// A key written with a TTL reads back until it expires, then is absent everywhere: `get`,
/// `scan`, a put expecting its version, a delete; a write without TTL keeps its key.
pub async fn ttl_expires(store: Arc<dyn Store>) {
    let started = Instant::now();
    put_ttl(&*store, b"ttl:short", "short", None, SHORT_TTL).await;
    put_ttl(&*store, b"ttl:cleared", "ttl", None, SHORT_TTL).await;
    let cleared = match store
        .put(b"ttl:cleared", "kept".into(), Some(1), None)
        .await
    {
        Ok(version) => version,
        // A machine so slow that the TTL ended already: the key is absent, create it.
        Err(StoreError::Conflict { .. }) if started.elapsed() >= SHORT_TTL => {
            put(&*store, b"ttl:cleared", "kept", None).await
        }
        Err(error) => panic!("clearing a TTL failed: {error}"),
    };
    put_ttl(
        &*store,
        b"ttl:long",
        "long",
        None,
        Duration::from_secs(3600),
    )
    .await;
    put(&*store, b"ttl:none", "none", None).await;
    let written = Instant::now();

    let short = get(&*store, b"ttl:short").await;
    // Only a read that surely ended before the TTL ran out proves the key was kept until then.
    if started.elapsed() + Duration::from_millis(50) < SHORT_TTL {
        assert_eq!(
            short,
            Some(entry("short", 1)),
            "a key is there before its TTL ends"
        );
    }

    // Backends round expiry to the millisecond (or their clock's tick); wait a margin past it.
    tokio::time::sleep_until(written + SHORT_TTL + Duration::from_millis(100)).await;

    assert_eq!(
        get(&*store, b"ttl:short").await,
        None,
        "an expired key is absent"
    );
    assert_eq!(
        get(&*store, b"ttl:cleared").await,
        Some(entry("kept", cleared)),
        "a later write without TTL keeps its key"
    );
    assert_eq!(get(&*store, b"ttl:long").await, Some(entry("long", 1)));
    assert_eq!(get(&*store, b"ttl:none").await, Some(entry("none", 1)));
    let listed = scan_all(&*store, b"ttl:", 10).await;
    let keys: Vec<&[u8]> = listed.iter().map(|(key, _)| key.as_ref()).collect();
    assert_eq!(
        keys,
        [&b"ttl:cleared"[..], b"ttl:long", b"ttl:none"],
        "a scan skips expired keys"
    );

    let stale = store.put(b"ttl:short", "x".into(), Some(1), None).await;
    assert_conflict(stale, "a put expecting the version of an expired key");
    assert!(
        !delete(&*store, b"ttl:short", 1).await,
        "deleting an expired key says it was not there"
    );
    assert_eq!(
        put(&*store, b"ttl:short", "new", None).await,
        1,
        "an expired key can be created again, at version 1"
    );
}

/// 1000 keys under a prefix, between keys just outside it, read back 7 at a time: each key
/// exactly once, in byte order, nothing from outside the prefix.
pub async fn scan_pages_through_prefix(store: Arc<dyn Store>) {
    let prefix = b"scan:";
    let inside: Vec<Vec<u8>> = (0..1000)
        .map(|i| format!("scan:{i:04}").into_bytes())
        .collect();
    // Sorting neighbours: `scan9` and `scan;` sort after `scan:`, `scan` and `sca` before.
    let outside: [&[u8]; 5] = [b"scan", b"sca", b"scan;", b"scan9", b"scao:"];
    put_many(&store, inside.iter().map(Vec::as_slice)).await;
    put_many(&store, outside.iter().copied()).await;

    let mut seen = Vec::new();
    let mut after: Option<Bytes> = None;
    let mut pages = 0;
    loop {
        let page = store
            .scan(prefix, after.as_deref(), 7)
            .await
            .expect("scan succeeds");
        assert!(page.entries.len() <= 7, "a page holds at most `limit` keys");
        for (key, stored) in &page.entries {
            assert_eq!(
                stored.value.as_ref(),
                key.as_ref(),
                "a scanned entry holds its key's value"
            );
        }
        seen.extend(page.entries.into_iter().map(|(key, _)| key.to_vec()));
        pages += 1;
        assert!(pages <= 1000, "the scan ends");
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen, inside,
        "every key under the prefix exactly once, in order, and nothing else"
    );
    assert!(pages >= 1000 / 7, "pages are not larger than asked");
}

/// `after` starts a scan strictly after a key, whether or not that key exists; an `after`
/// before the prefix starts at the prefix, one past it gives nothing.
pub async fn scan_after_cursor(store: Arc<dyn Store>) {
    let keys: [&[u8]; 5] = [b"c:a", b"c:b", b"c:c", b"c:d", b"c:e"];
    put_many(&store, keys.iter().copied()).await;
    put_many(&store, [&b"b:z"[..], b"d:a"]).await;

    let from = |after: &'static [u8]| {
        let store = Arc::clone(&store);
        async move {
            let page = store
                .scan(b"c:", Some(after), 100)
                .await
                .expect("scan succeeds");
            assert_eq!(page.next, None, "a page under its limit completes the scan");
            page.entries
                .into_iter()
                .map(|(key, _)| key.to_vec())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        from(b"c:b").await,
        [b"c:c".to_vec(), b"c:d".to_vec(), b"c:e".to_vec()],
        "after an existing key"
    );
    assert_eq!(
        from(b"c:bb").await,
        [b"c:c".to_vec(), b"c:d".to_vec(), b"c:e".to_vec()],
        "after a key that does not exist"
    );
    assert_eq!(from(b"a").await.len(), 5, "after a key before the prefix");
    assert_eq!(from(b"c:").await.len(), 5, "after the prefix itself");
    assert!(from(b"c:e").await.is_empty(), "after the last key");
    assert!(from(b"d").await.is_empty(), "after the prefix's range");

    let first = store.scan(b"c:", None, 2).await.expect("scan succeeds");
    let next = first.next.expect("a full page has a next cursor");
    let second = store
        .scan(b"c:", Some(&next), 2)
        .await
        .expect("scan succeeds");
    assert_eq!(
        second.entries.first().map(|(key, _)| key.as_ref()),
        Some(&b"c:c"[..]),
        "the next cursor continues where the page ended"
    );
}

/// A 1 MiB value goes in and out byte for byte, and can be replaced by another.
pub async fn large_value_round_trip(store: Arc<dyn Store>) {
    let big = |seed: u64| -> Bytes {
        // Not a repeated byte: a backend that truncates or reorders shows it.
        let mut state = seed;
        (0..1 << 20)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 56) as u8
            })
            .collect::<Vec<u8>>()
            .into()
    };
    let first = big(1);
    let v1 = store
        .put(b"big", first.clone(), None, None)
        .await
        .expect("a 1 MiB put succeeds");
    let read = get(&*store, b"big").await.expect("the big value exists");
    assert!(
        read.value == first,
        "a 1 MiB value reads back byte for byte"
    );

    let second = big(2);
    let v2 = store
        .put(b"big", second.clone(), Some(v1), None)
        .await
        .expect("replacing a 1 MiB value succeeds");
    let read = get(&*store, b"big").await.expect("the big value exists");
    assert!(
        read.value == second && read.version == v2,
        "a replaced 1 MiB value reads back byte for byte"
    );
    let scanned = scan_all(&*store, b"big", 1).await;
    assert!(
        scanned.len() == 1 && scanned[0].1.value == second,
        "a scan returns the whole 1 MiB value"
    );
}

/// Keys are bytes: NUL, 0xFF, invalid UTF-8 and unicode keys are all distinct, read back and
/// scan in byte order.
pub async fn binary_and_unicode_keys(store: Arc<dyn Store>) {
    let keys: Vec<Vec<u8>> = vec![
        vec![0x00],
        vec![0x00, 0x00],
        vec![0x01],
        b"a".to_vec(),
        b"a\0".to_vec(),
        b"a\0b".to_vec(),
        vec![0xC3, 0x28],             // invalid UTF-8
        vec![0xF0, 0x28, 0x8C, 0xBC], // invalid UTF-8
        vec![0x80],                   // a lone continuation byte
        "чат:42:профиль".as_bytes().to_vec(),
        "日本語".as_bytes().to_vec(),
        "🦀".as_bytes().to_vec(),
        "e\u{301}".as_bytes().to_vec(), // é decomposed: not the same key as the composed one
        "\u{e9}".as_bytes().to_vec(),
        vec![0xFF],
        vec![0xFF, 0x00],
        vec![0xFF, 0xFF],
    ];
    for (i, key) in keys.iter().enumerate() {
        put(&*store, key, &i.to_string(), None).await;
    }
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(
            get(&*store, key).await,
            Some(entry(&i.to_string(), 1)),
            "key {key:?} reads back its own value"
        );
    }
    let mut sorted = keys.clone();
    sorted.sort();
    let scanned: Vec<Vec<u8>> = scan_all(&*store, b"", 5)
        .await
        .into_iter()
        .map(|(key, _)| key.to_vec())
        .collect();
    assert_eq!(
        scanned, sorted,
        "an empty prefix lists every key, in byte order"
    );
    let crab: Vec<Vec<u8>> = scan_all(&*store, "🦀".as_bytes(), 5)
        .await
        .into_iter()
        .map(|(key, _)| key.to_vec())
        .collect();
    assert_eq!(crab, ["🦀".as_bytes().to_vec()], "a unicode prefix");
}

/// Prefixes whose last bytes are 0xFF (no simple "next prefix" exists) and prefixes of 0x00.
pub async fn prefix_edge_cases(store: Arc<dyn Store>) {
    let keys: [&[u8]; 11] = [
        b"a\xFE\xFF",
        b"a\xFF",
        b"a\xFF\x00",
        b"a\xFF\xFF",
        b"a\xFF\xFF\x01",
        b"b",
        b"b\x00",
        b"\xFF",
        b"\xFF\xFF",
        b"\xFF\xFF\xFF",
        b"\x00",
    ];
    put_many(&store, keys.iter().copied()).await;
    let listed = |prefix: &'static [u8]| {
        let store = Arc::clone(&store);
        async move {
            scan_all(&*store, prefix, 2)
                .await
                .into_iter()
                .map(|(key, _)| key.to_vec())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(b"a\xFF").await,
        [
            b"a\xFF".to_vec(),
            b"a\xFF\x00".to_vec(),
            b"a\xFF\xFF".to_vec(),
            b"a\xFF\xFF\x01".to_vec()
        ],
        "a prefix ending in 0xFF stops before the next byte"
    );
    assert_eq!(
        listed(b"a\xFF\xFF").await,
        [b"a\xFF\xFF".to_vec(), b"a\xFF\xFF\x01".to_vec()],
        "a prefix ending in two 0xFF"
    );
    assert_eq!(
        listed(b"\xFF").await,
        [
            b"\xFF".to_vec(),
            b"\xFF\xFF".to_vec(),
            b"\xFF\xFF\xFF".to_vec()
        ],
        "a prefix of only 0xFF runs to the end of the key space"
    );
    assert_eq!(
        listed(b"\xFF\xFF\xFF\xFF").await,
        Vec::<Vec<u8>>::new(),
        "a prefix longer than every key"
    );
    assert_eq!(
        listed(b"\x00").await,
        [b"\x00".to_vec()],
        "a prefix of 0x00"
    );
    assert_eq!(
        listed(b"b").await,
        [b"b".to_vec(), b"b\x00".to_vec()],
        "a key equal to the prefix is under it"
    );
}

/// One read-modify-write increment of a decimal counter, retried on conflict. Returns the
/// number of conflicts it met.
async fn increment(store: &dyn Store, key: &[u8]) -> u64 {
    let mut conflicts = 0;
    loop {
        let current = get(store, key).await.expect("the counter exists");
        let next = (parse_count(&current.value) + 1).to_string();
        match store
            .put(key, next.into(), Some(current.version), None)
            .await
        {
            Ok(_) => return conflicts,
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(error) => panic!("increment failed: {error}"),
        }
    }
}

fn parse_count(value: &[u8]) -> u64 {
    std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("the counter holds a number, not {value:?}"))
}

/// Writes each key with its own bytes as the value, 32 at a time.
async fn put_many<'a>(store: &Arc<dyn Store>, keys: impl IntoIterator<Item = &'a [u8]>) {
    let mut writes = JoinSet::new();
    for key in keys {
        if writes.len() == 32 {
            writes.join_next().await;
        }
        let store = Arc::clone(store);
        let key = Bytes::copy_from_slice(key);
        writes.spawn(async move {
            store
                .put(&key, key.clone(), None, None)
                .await
                .unwrap_or_else(|error| panic!("put {key:?} failed: {error}"));
        });
    }
    while let Some(done) = writes.join_next().await {
        done.expect("a put task panicked");
    }
}

/// Every live key under `prefix`, page by page.
async fn scan_all(store: &dyn Store, prefix: &[u8], limit: usize) -> Vec<(Bytes, Entry)> {
    let mut all = Vec::new();
    let mut after: Option<Bytes> = None;
    loop {
        let page = store
            .scan(prefix, after.as_deref(), limit)
            .await
            .expect("scan succeeds");
        all.extend(page.entries);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let unique: BTreeMap<&[u8], ()> = all.iter().map(|(key, _)| (key.as_ref(), ())).collect();
    assert_eq!(unique.len(), all.len(), "a scan returns each key once");
    all
}

async fn get(store: &dyn Store, key: &[u8]) -> Option<Entry> {
    store
        .get(key)
        .await
        .unwrap_or_else(|error| panic!("get {key:?} failed: {error}"))
}

async fn put(store: &dyn Store, key: &[u8], value: &str, expected: Option<Version>) -> Version {
    store
        .put(
            key,
            Bytes::copy_from_slice(value.as_bytes()),
            expected,
            None,
        )
        .await
        .unwrap_or_else(|error| panic!("put {key:?} failed: {error}"))
}

async fn put_ttl(
    store: &dyn Store,
    key: &[u8],
    value: &str,
    expected: Option<Version>,
    ttl: Duration,
) -> Version {
    store
        .put(
            key,
            Bytes::copy_from_slice(value.as_bytes()),
            expected,
            Some(ttl),
        )
        .await
        .unwrap_or_else(|error| panic!("put {key:?} with a TTL failed: {error}"))
}

async fn delete(store: &dyn Store, key: &[u8], expected: Version) -> bool {
    store
        .delete(key, expected)
        .await
        .unwrap_or_else(|error| panic!("delete {key:?} failed: {error}"))
}

fn entry(value: &str, version: Version) -> Entry {
    Entry {
        value: Bytes::copy_from_slice(value.as_bytes()),
        version,
    }
}

fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("{what} must be a conflict, got {other:?}"),
    }
}
