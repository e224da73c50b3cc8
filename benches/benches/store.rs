//! Durable read-modify-write per second: `get`, then a compare-and-set `put` of the value plus
//! one (retried on a conflict), at 1 and 64 concurrent tasks, on each store backend, with a
//! naive SQLite baseline in the same run.
//!
//! **Keys**: each task increments its own key (64 tasks, 64 keys), so no write conflicts and
//! the figure is the store's throughput, not the retry rate; the retry loop is there anyway.
//! The keys exist before timing starts.
//!
//! Contenders (every SQLite file in WAL mode, on the disk `target/` is on):
//! - `memory`: [`MemoryStore`].
//! - `sqlite/ProcessCrash`, `sqlite/PowerLoss`: [`SqliteStore`] at each [`Durability`]
//!   (`synchronous = NORMAL` / `FULL`): group commit, a read pool.
//! - `naive/ProcessCrash`, `naive/PowerLoss`: rusqlite used directly the obvious way, at the
//!   same `synchronous`: one connection behind a mutex, used on tokio's blocking threads; the
//!   read is a `SELECT`, the write an `UPDATE … WHERE version = ?` in its own transaction
//!   (autocommit), so one commit per write.
//! - Redis: to be added with the `redis` backend (the spot is marked in `store`).
//!
//! One tokio runtime with two workers (the machine's cores). Throughput is in RMW per second.
//!
//! `cargo bench -p benches --bench store -- --warm-up-time 1 --measurement-time 3 --noplot`
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rusqlite::{params, Connection, OptionalExtension};
use telegram_store::{Durability, MemoryStore, SqliteStore, Store, StoreError};
use tokio::sync::Barrier;

/// Concurrent tasks measured.
const CONCURRENCY: [usize; 2] = [1, 64];
/// Keys incremented: one per task at the highest concurrency.
const KEYS: usize = 64;

fn store(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a directory on disk");

    let mut contenders: Vec<(String, Arc<dyn Store>)> =
        vec![("memory".to_owned(), Arc::new(MemoryStore::new()))];
    for durability in [Durability::ProcessCrash, Durability::PowerLoss] {
        let path = dir.path().join(format!("store-{durability:?}.db"));
        let sqlite = SqliteStore::builder(path)
            .durability(durability)
            .open()
            .expect("opens");
        contenders.push((format!("sqlite/{durability:?}"), Arc::new(sqlite)));
    }
    // Redis goes here: push ("redis", RedisStore connected to `TELEGRAM_TEST_REDIS_URL`),
    // and it runs through `rmw_store` like the others.

    let mut group = c.benchmark_group("store/rmw");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    for (name, store) in &contenders {
        runtime.block_on(fill(&**store));
        for tasks in CONCURRENCY {
            group.bench_with_input(BenchmarkId::new(name, tasks), &tasks, |b, &tasks| {
                b.iter_custom(|iters| runtime.block_on(rmw_store(store, tasks, iters)));
            });
        }
    }
    for durability in [Durability::ProcessCrash, Durability::PowerLoss] {
        let naive = Arc::new(Naive::open(
            &dir.path().join(format!("naive-{durability:?}.db")),
            durability,
        ));
        let name = format!("naive/{durability:?}");
        for tasks in CONCURRENCY {
            group.bench_with_input(BenchmarkId::new(&name, tasks), &tasks, |b, &tasks| {
                b.iter_custom(|iters| runtime.block_on(rmw_naive(&naive, tasks, iters)));
            });
        }
    }
    group.finish();
}

/// The counters, at 0.
async fn fill(store: &dyn Store) {
    for key in 0..KEYS {
        if store.get(&key_of(key)).await.expect("get").is_none() {
            store
                .put(&key_of(key), "0".into(), None, None)
                .await
                .expect("put");
        }
    }
}

/// `iters` increments spread over `tasks` tasks; the time from all started to all done.
async fn rmw_store(store: &Arc<dyn Store>, tasks: usize, iters: u64) -> Duration {
    run_tasks(tasks, iters, |key, count| {
        let store = Arc::clone(store);
        async move {
            for _ in 0..count {
                increment(&*store, &key_of(key)).await;
            }
        }
    })
    .await
}

async fn rmw_naive(naive: &Arc<Naive>, tasks: usize, iters: u64) -> Duration {
    run_tasks(tasks, iters, |key, count| {
        let naive = Arc::clone(naive);
        async move {
            for _ in 0..count {
                naive.increment(key_of(key)).await;
            }
        }
    })
    .await
}

/// Runs `work(key, count)` on `tasks` tasks (task i on key i) sharing `iters` increments;
/// times them from a common start.
async fn run_tasks<F, Fut>(tasks: usize, iters: u64, work: F) -> Duration
where
    F: Fn(usize, u64) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let start = Arc::new(Barrier::new(tasks + 1));
    let mut running = tokio::task::JoinSet::new();
    for task in 0..tasks {
        let count = iters / tasks as u64 + u64::from((task as u64) < iters % tasks as u64);
        let job = work(task, count);
        let start = Arc::clone(&start);
        running.spawn(async move {
            start.wait().await;
            job.await;
        });
    }
    start.wait().await;
    let began = Instant::now();
    while let Some(done) = running.join_next().await {
        done.expect("a task panicked");
    }
    began.elapsed()
}

async fn increment(store: &dyn Store, key: &[u8]) {
    loop {
        let current = store.get(key).await.expect("get").expect("filled");
        let next = parse(&current.value) + 1;
        match store
            .put(key, next.to_string().into(), Some(current.version), None)
            .await
        {
            Ok(_) => return,
            Err(StoreError::Conflict { .. }) => continue,
            Err(error) => panic!("put: {error}"),
        }
    }
}

fn key_of(key: usize) -> Vec<u8> {
    format!("bench:counter:{key}").into_bytes()
}

fn parse(value: &[u8]) -> u64 {
    std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.parse().ok())
        .expect("a counter")
}

/// The baseline: rusqlite the obvious way, one commit per write.
struct Naive {
    conn: Arc<Mutex<Connection>>,
}

impl Naive {
    fn open(path: &Path, durability: Durability) -> Self {
        let conn = Connection::open(path).expect("opens");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("WAL");
        let synchronous = match durability {
            Durability::PowerLoss => "FULL",
            _ => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", synchronous)
            .expect("synchronous");
        conn.execute_batch(
            "CREATE TABLE entries (key BLOB PRIMARY KEY, value BLOB NOT NULL,
             version INTEGER NOT NULL) WITHOUT ROWID",
        )
        .expect("schema");
        for key in 0..KEYS {
            conn.execute(
                "INSERT INTO entries VALUES (?1, ?2, 1)",
                params![key_of(key), b"0".as_slice()],
            )
            .expect("fill");
        }
        Naive {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    async fn increment(&self, key: Vec<u8>) {
        loop {
            let conn = Arc::clone(&self.conn);
            let read_key = key.clone();
            let (value, version) = tokio::task::spawn_blocking(move || {
                let conn = conn.lock().expect("not poisoned");
                conn.prepare_cached("SELECT value, version FROM entries WHERE key = ?1")
                    .and_then(|mut select| {
                        select
                            .query_row([&read_key], |row| {
                                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?))
                            })
                            .optional()
                    })
                    .expect("select")
                    .expect("filled")
            })
            .await
            .expect("joins");
            let next = (parse(&value) + 1).to_string();
            let conn = Arc::clone(&self.conn);
            let write_key = key.clone();
            let written = tokio::task::spawn_blocking(move || {
                let conn = conn.lock().expect("not poisoned");
                conn.prepare_cached(
                    "UPDATE entries SET value = ?1, version = version + 1
                     WHERE key = ?2 AND version = ?3",
                )
                .and_then(|mut update| update.execute(params![next.as_bytes(), write_key, version]))
                .expect("update")
            })
            .await
            .expect("joins");
            if written == 1 {
                return;
            }
        }
    }
}

criterion_group!(benches, store);
criterion_main!(benches);
