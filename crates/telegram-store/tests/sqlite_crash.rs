//! Durability the hard way: a child process increments counters through `SqliteStore` from
//! many tasks and reports each increment after its call returned; the parent kills it with
//! `SIGKILL` mid-run, reopens the file and checks that it is intact and that every reported
//! increment is there (and nothing that was never attempted).
//!
//! The child is this same test binary, re-executed with `CHILD_DB` set (no harness: `main`
//! picks the role). No sleeps: the parent kills after reading a fixed number of reports.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use telegram_store::{Durability, SqliteStore, Store, StoreError};

/// The database path; set only in the child.
const CHILD_DB: &str = "TELEGRAM_STORE_CRASH_CHILD_DB";
/// `ProcessCrash` or `PowerLoss`; set only in the child.
const CHILD_DURABILITY: &str = "TELEGRAM_STORE_CRASH_CHILD_DURABILITY";
/// Counters the child's tasks share (several tasks per counter, so CAS conflicts happen).
const COUNTERS: usize = 8;
/// Tasks incrementing in the child.
const TASKS: usize = 32;
/// Reported increments the parent reads before it kills the child.
const KILL_AFTER: usize = 2000;

fn main() {
    match std::env::var_os(CHILD_DB) {
        Some(path) => child(Path::new(&path)),
        None => {
            for durability in [Durability::ProcessCrash, Durability::PowerLoss] {
                killed_child_loses_no_returned_increment(durability);
            }
        }
    }
}

fn killed_child_loses_no_returned_increment(durability: Durability) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("crash.db");
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .env(CHILD_DB, &path)
        .env(CHILD_DURABILITY, format!("{durability:?}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts");
    let mut reports = BufReader::new(child.stdout.take().expect("piped stdout"));

    let mut log = Log::default();
    let mut line = String::new();
    while log.returned < KILL_AFTER {
        line.clear();
        let read = reports
            .read_line(&mut line)
            .expect("read the child's reports");
        assert!(
            read > 0,
            "the child ended after {} increments instead of running until killed",
            log.returned
        );
        log.record(&line);
    }
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("reap the child");
    assert_eq!(status.signal(), Some(9), "the child died of SIGKILL");
    // Reports written before the kill are still in the pipe: they count too.
    for line in reports.lines() {
        match line {
            Ok(line) => log.record(&line),
            Err(_) => break, // a line cut by the kill
        }
    }

    assert_eq!(integrity_check(&path), "ok", "the file opens cleanly");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let stored = runtime.block_on(stored_counters(&path, durability));
    for counter in 0..COUNTERS {
        let (value, version) = stored.get(&counter).copied().unwrap_or((0, 0));
        let reported = log.reported.get(&counter).copied().unwrap_or(0);
        let attempted = log.attempted.get(&counter).copied().unwrap_or(0);
        assert_eq!(
            value, version,
            "counter {counter}: one version per increment"
        );
        assert!(
            value >= reported,
            "{durability:?}, counter {counter}: {value} stored, but {reported} was reported written"
        );
        assert!(
            value <= attempted,
            "{durability:?}, counter {counter}: {value} stored, only {attempted} writes attempted"
        );
    }
    eprintln!(
        "{durability:?}: killed after {} returned increments ({} attempts); all on disk",
        log.returned,
        log.attempted.values().sum::<u64>()
    );
}

/// What the child said before it died.
#[derive(Default)]
struct Log {
    /// Increments reported returned.
    returned: usize,
    /// The highest value reported written, per counter.
    reported: BTreeMap<usize, u64>,
    /// Writes started, per counter.
    attempted: BTreeMap<usize, u64>,
    /// Values reported written, to check that no two writes won the same version.
    seen: BTreeSet<(usize, u64)>,
}

impl Log {
    fn record(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        let (Some(kind), Some(counter)) = (words.next(), words.next()) else {
            return;
        };
        let Ok(counter) = counter.parse::<usize>() else {
            return;
        };
        match (kind, words.next().map(str::parse::<u64>)) {
            ("try", _) => *self.attempted.entry(counter).or_default() += 1,
            ("ok", Some(Ok(value))) => {
                self.returned += 1;
                let highest = self.reported.entry(counter).or_default();
                *highest = (*highest).max(value);
                let fresh = self.seen.insert((counter, value));
                assert!(fresh, "counter {counter}: value {value} written twice");
            }
            _ => {} // the last line, cut by the kill
        }
    }
}

fn integrity_check(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).expect("the file opens");
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check runs")
}

/// Each counter's value and version, read through a reopened store.
async fn stored_counters(path: &Path, durability: Durability) -> BTreeMap<usize, (u64, u64)> {
    let store = SqliteStore::builder(path)
        .durability(durability)
        .open()
        .expect("the store reopens");
    let mut stored = BTreeMap::new();
    for counter in 0..COUNTERS {
        if let Some(entry) = store.get(&key(counter)).await.expect("get") {
            stored.insert(counter, (parse(&entry.value), entry.version));
        }
    }
    stored
}

fn key(counter: usize) -> Vec<u8> {
    format!("counter:{counter}").into_bytes()
}

fn parse(value: &[u8]) -> u64 {
    std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("a counter holds a number, not {value:?}"))
}

/// The child: increments until killed, reporting `try N` before each write and `ok N value`
/// after each one that returned.
fn child(path: &Path) {
    let durability = match std::env::var(CHILD_DURABILITY).as_deref() {
        Ok("PowerLoss") => Durability::PowerLoss,
        _ => Durability::ProcessCrash,
    };
    let store = SqliteStore::builder(path)
        .durability(durability)
        .open()
        .expect("the child opens the store");
    let store: Arc<dyn Store> = Arc::new(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..TASKS {
            tasks.spawn(increment_forever(Arc::clone(&store), task % COUNTERS));
        }
        if let Some(Err(error)) = tasks.join_next().await {
            panic!("an incrementing task failed: {error}");
        }
    });
}

async fn increment_forever(store: Arc<dyn Store>, counter: usize) {
    let key = key(counter);
    loop {
        let current = store.get(&key).await.expect("get");
        let (next, expected) = match current {
            Some(entry) => (parse(&entry.value) + 1, Some(entry.version)),
            None => (1, None),
        };
        report(format_args!("try {counter}"));
        match store
            .put(&key, next.to_string().into(), expected, None)
            .await
        {
            Ok(_) => report(format_args!("ok {counter} {next}")),
            Err(StoreError::Conflict { .. }) => {}
            Err(error) => panic!("put failed: {error}"),
        }
    }
}

/// One line on stdout, flushed before the call returns, so the parent can count it.
fn report(line: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // The parent is gone: nobody to report to.
        std::process::exit(0);
    }
}
