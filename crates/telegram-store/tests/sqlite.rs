//! The conformance suite on [`SqliteStore`] (real files in a temporary directory), and what
//! only a file can do wrong: reopening, foreign or damaged files, corrupt rows.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use telegram_store::{conformance, Durability, SqliteStore, Store, StoreError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = AtomicUsize::new(0);
    conformance::run_all(|| {
        let path = dir.path().join(format!(
            "store-{}.db",
            files.fetch_add(1, Ordering::Relaxed)
        ));
        async move {
            let store = SqliteStore::builder(path)
                .durability(Durability::ProcessCrash)
                .open()
                .expect("opens");
            Arc::new(store) as Arc<dyn Store>
        }
    })
    .await;
}

fn open(path: &std::path::Path) -> SqliteStore {
    SqliteStore::builder(path)
        .durability(Durability::ProcessCrash)
        .open()
        .expect("opens")
}

#[tokio::test]
async fn reopened_file_keeps_values_versions_and_expiry() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bot.db");
    let store = open(&path);
    let v1 = store
        .put(b"kept", "1".into(), None, None)
        .await
        .expect("put");
    store
        .put(b"kept", "2".into(), Some(v1), None)
        .await
        .expect("put");
    store
        .put(
            b"expires",
            "x".into(),
            None,
            Some(Duration::from_secs(3600)),
        )
        .await
        .expect("put");
    drop(store);

    let store = open(&path);
    let kept = store.get(b"kept").await.expect("get").expect("kept");
    assert_eq!((&kept.value[..], kept.version), (&b"2"[..], 2));
    assert!(store.get(b"expires").await.expect("get").is_some());
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let expires_at: i64 = raw
        .query_row(
            "SELECT expires_at FROM entries WHERE key = CAST('expires' AS BLOB)",
            [],
            |row| row.get(0),
        )
        .expect("the row");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64;
    assert!(
        (now + 3_500_000..=now + 3_600_000).contains(&expires_at),
        "expiry is stored as absolute unix milliseconds"
    );
    // Its time passes behind the store's back (as across a restart past the TTL): absent.
    raw.execute(
        "UPDATE entries SET expires_at = 1 WHERE key = CAST('expires' AS BLOB)",
        [],
    )
    .expect("update");
    assert_eq!(store.get(b"expires").await.expect("get"), None);
    assert!(store.get(b"kept").await.expect("get").is_some());
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("notes.db");
    let garbage: Vec<u8> = (0..8192_u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).expect("write");
    let error = SqliteStore::open(&path).expect_err("not a database");
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    assert!(
        std::error::Error::source(&error).is_some(),
        "the SQLite error is kept as the source"
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        garbage,
        "the file is untouched"
    );
}

#[tokio::test]
async fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("app.db");
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (7);")
        .expect("their schema");
    drop(raw);
    let before = std::fs::read(&path).expect("read");
    let error = SqliteStore::open(&path).expect_err("a foreign database");
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert!(
        matches!(error, StoreError::Unavailable(_))
            && source
                .as_deref()
                .is_some_and(|s| s.contains("another database")),
        "{error:?}"
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "the file is untouched"
    );
}

#[tokio::test]
async fn a_newer_layout_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bot.db");
    drop(open(&path));
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.pragma_update(None, "user_version", 2).expect("bump");
    drop(raw);
    let error = SqliteStore::open(&path).expect_err("a newer layout");
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert!(
        source
            .as_deref()
            .is_some_and(|s| s.contains("schema version 2")),
        "{source:?}"
    );
}

#[tokio::test]
async fn an_unreadable_row_is_corrupt_and_other_keys_still_work() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bot.db");
    let store = open(&path);
    store
        .put(b"a", "fine".into(), None, None)
        .await
        .expect("put");
    store
        .put(b"b", "soon bad".into(), None, None)
        .await
        .expect("put");
    store
        .put(b"c", "fine".into(), None, None)
        .await
        .expect("put");
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.execute("UPDATE entries SET version = -5 WHERE key = x'62'", [])
        .expect("damage the row");
    drop(raw);

    let corrupt = |result: Result<_, StoreError>| matches!(result, Err(StoreError::Corrupt { ref key, .. }) if key == "b");
    assert!(corrupt(store.get(b"b").await.map(drop)), "get");
    assert!(corrupt(store.scan(b"", None, 10).await.map(drop)), "scan");
    assert!(
        corrupt(store.put(b"b", "x".into(), Some(1), None).await.map(drop)),
        "put"
    );
    assert!(corrupt(store.delete(b"b", 1).await.map(drop)), "delete");
    let a = store.get(b"a").await.expect("get").expect("a");
    assert_eq!(a.value, "fine");
    store
        .put(b"c", "still writable".into(), Some(1), None)
        .await
        .expect("a write next to the corrupt row succeeds");
}

/// Another connection holds the write lock: writes wait for it, reads go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_do_not_wait_for_the_write_lock() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bot.db");
    let store = Arc::new(open(&path));
    let v1 = store
        .put(b"k", "committed".into(), None, None)
        .await
        .expect("put");

    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.execute_batch(
        "BEGIN IMMEDIATE; UPDATE entries SET value = x'6e6f74207965742c', version = 2;",
    )
    .expect("hold the write lock with an uncommitted change");
    let write = tokio::spawn({
        let store = Arc::clone(&store);
        async move { store.put(b"other", "queued".into(), None, None).await }
    });

    let read = store
        .get(b"k")
        .await
        .expect("a read while the lock is held");
    assert_eq!(
        read.map(|e| (e.value, e.version)),
        Some(("committed".into(), v1)),
        "a read sees the last committed state"
    );
    let scanned = store.scan(b"", None, 10).await.expect("a scan");
    assert_eq!(scanned.entries.len(), 1);
    assert!(!write.is_finished(), "the write waits for the lock");

    raw.execute_batch("ROLLBACK").expect("release the lock");
    write
        .await
        .expect("joins")
        .expect("the queued write commits");
    assert!(store.get(b"other").await.expect("get").is_some());
}

#[tokio::test]
async fn a_directory_that_does_not_exist_is_unavailable() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let error = SqliteStore::open(dir.path().join("missing/bot.db")).expect_err("no directory");
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}
