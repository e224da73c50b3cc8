//! Persistent jobs: kept in the store across a "restart" (a new application on the same
//! store), no duplicates, missed occurrences handled per policy; two applications sharing one
//! store run each occurrence exactly once, also when one of them dies mid-run.
//!
//! The store is a `MemoryStore` shared by the applications under tokio's paused time and a fixed
//! wall clock (deterministic); the restart also runs on a real SQLite file, and the two
//! applications also share a real Redis server (`TELEGRAM_TEST_REDIS_URL`; skipped with a
//! message when unset) in real time, since paused time would jump ahead while a request to
//! either is in flight.

mod jobs_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use jobs_support::{advance, app_at, app_with, record, start, ts, Log};
use telegram_ext::jobs::{named, Job, JobQueueConfig, Misfire};
use telegram_ext::{Application, Context, HandlerResult};
use telegram_store::{MemoryStore, RedisStore, Store};

fn config(store: &Arc<dyn Store>) -> JobQueueConfig {
    JobQueueConfig::new().store(store.clone())
}

fn memory() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new())
}

async fn stored_jobs(store: &Arc<dyn Store>) -> Vec<String> {
    let page = store.scan(b"tg:123:job:", None, 1000).await.unwrap();
    assert!(page.next.is_none());
    page.entries
        .iter()
        .map(|(key, _)| String::from_utf8_lossy(key).into_owned())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_restart_keeps_the_jobs_without_duplicates_and_applies_the_misfire_policy() {
    let store = memory();
    let log = Arc::new(Log::default());

    // First run: three persistent jobs, one runs once, then the process stops.
    let first = app_at("2025-01-01T00:00:00Z", log.clone(), config(&store));
    first.register_job("record", record);
    start(&first).await;
    let queue = first.job_queue();
    for (id, policy) in [("coalesce", Misfire::Coalesce), ("skip", Misfire::Skip)] {
        queue
            .run_repeating(named("record"), Duration::from_secs(60))
            .id(id)
            .name(id)
            .misfire(policy)
            .chat_id(7)
            .data(&"hello")
            .await
            .unwrap();
    }
    queue
        .run_once(named("record"), ts("2025-01-01T00:30:00Z"))
        .id("once")
        .name("once")
        .await
        .unwrap();
    advance(61).await;
    assert_eq!(log.times("coalesce"), ["2025-01-01T00:01:00Z"]);
    first.stop().await;
    drop(first);
    assert_eq!(
        stored_jobs(&store).await,
        ["tg:123:job:coalesce", "tg:123:job:once", "tg:123:job:skip"]
    );

    // The process comes back ten minutes later.
    let second = app_at("2025-01-01T00:11:00Z", log.clone(), config(&store));
    second.register_job("record", record);
    start(&second).await;
    let queue = second.job_queue();
    assert_eq!(queue.len(), 3, "the stored jobs are re-armed");
    let coalesce = queue.job("coalesce").unwrap();
    assert_eq!(coalesce.chat_id(), Some(7));
    assert_eq!(coalesce.data::<String>().unwrap(), "hello");
    advance(1).await;
    assert_eq!(
        log.times("coalesce"),
        ["2025-01-01T00:01:00Z", "2025-01-01T00:11:00Z"],
        "the nine missed occurrences run once, at start"
    );
    assert_eq!(
        log.times("skip"),
        ["2025-01-01T00:01:00Z", "2025-01-01T00:11:00Z"],
        "00:11 is on time"
    );
    assert_eq!(log.scheduled("coalesce")[1], "2025-01-01T00:11:00Z");

    // Adding the same jobs again (as a bot does at every start) replaces them.
    queue
        .run_repeating(named("record"), Duration::from_secs(60))
        .id("coalesce")
        .name("coalesce")
        .await
        .unwrap();
    assert_eq!(queue.len(), 3);
    assert_eq!(stored_jobs(&store).await.len(), 3);

    advance(20 * 60).await;
    assert_eq!(log.times("once"), ["2025-01-01T00:30:00Z"]);
    assert_eq!(
        stored_jobs(&store).await.len(),
        2,
        "the one-shot job is gone from the store"
    );
    assert!(queue.job("once").is_none());

    // Cancelling removes it from the store.
    assert!(queue.job("skip").unwrap().cancel().await.unwrap());
    assert_eq!(stored_jobs(&store).await, ["tg:123:job:coalesce"]);
}

/// State shared by both applications of the scale-out test.
#[derive(Default)]
struct Shared {
    completed: Mutex<HashMap<(String, Timestamp), usize>>,
    /// Per application: whether its callbacks hang from 00:00:05 on (the one that "dies").
    hangs: Mutex<HashMap<&'static str, bool>>,
    started_hanging: AtomicBool,
    /// Notified when a callback starts hanging and after each completed run.
    progress: tokio::sync::Notify,
}

impl Shared {
    /// Waits until `done` holds, checked at each notification (60 s at most: a hang fails).
    async fn wait_until(&self, done: impl Fn(&Self) -> bool) {
        let wait = async {
            loop {
                let notified = self.progress.notified();
                if done(self) {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .expect("the awaited progress happened");
    }
}

struct Node {
    name: &'static str,
    shared: Arc<Shared>,
}

async fn tally(job: Job, ctx: Context<Node>) -> HandlerResult {
    let at = job.scheduled_at().expect("callbacks get the occurrence");
    let hangs = ctx
        .state
        .shared
        .hangs
        .lock()
        .unwrap()
        .get(ctx.state.name)
        .copied();
    if hangs == Some(true) && at >= ts("2025-01-01T00:00:05Z") {
        ctx.state
            .shared
            .started_hanging
            .store(true, Ordering::SeqCst);
        ctx.state.shared.progress.notify_waiters();
        std::future::pending::<()>().await;
    }
    *ctx.state
        .shared
        .completed
        .lock()
        .unwrap()
        .entry((job.id().to_owned(), at))
        .or_default() += 1;
    ctx.state.shared.progress.notify_waiters();
    Ok(())
}

fn node(name: &'static str, shared: &Arc<Shared>, store: &Arc<dyn Store>) -> Application<Node> {
    let state = Node {
        name,
        shared: shared.clone(),
    };
    let config = config(store)
        .lease(Duration::from_secs(3))
        .sync_interval(Duration::from_secs(1));
    let app = app_with("2025-01-01T00:00:00Z", state, config);
    app.register_job("tally", tally);
    app
}

#[tokio::test(start_paused = true)]
async fn two_applications_run_each_of_1000_occurrences_once_even_when_one_dies() {
    two_applications_run_each_occurrence_once(memory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applications_on_redis_run_each_of_1000_occurrences_once_even_when_one_dies() {
    let Ok(url) = std::env::var("TELEGRAM_TEST_REDIS_URL") else {
        #[allow(clippy::print_stdout)] // the skip is said where `cargo test` shows it
        {
            println!("skipped: TELEGRAM_TEST_REDIS_URL is not set");
        }
        return;
    };
    // A fresh namespace per run, so jobs of earlier runs do not count.
    let prefix = format!("test-jobs-{}:", std::process::id());
    let store = RedisStore::connect(&url).await.unwrap().with_prefix(prefix);
    two_applications_run_each_occurrence_once(Arc::new(store)).await;
}

/// 100 jobs of 10 occurrences each, in two applications sharing `store`; from 00:00:05 on one of
/// them hangs in its callbacks, and it dies as soon as one hangs: the other runs the occurrences
/// it had claimed after their lease.
async fn two_applications_run_each_occurrence_once(store: Arc<dyn Store>) {
    let shared = Arc::new(Shared::default());
    shared.hangs.lock().unwrap().insert("a", true);
    let a = node("a", &shared, &store);
    let b = node("b", &shared, &store);
    // 100 jobs, each every second from 00:00:01 to 00:00:10: 1000 occurrences.
    for i in 0..100 {
        a.job_queue()
            .run_repeating(named("tally"), Duration::from_secs(1))
            .id(format!("job-{i:03}"))
            .first(ts("2025-01-01T00:00:01Z"))
            .last(ts("2025-01-01T00:00:10Z"))
            .await
            .unwrap();
    }
    start(&a).await;
    start(&b).await;
    assert_eq!(b.job_queue().len(), 100, "b loaded a's jobs from the store");

    // From 00:00:05 on, a's callbacks hang; a dies as soon as one does, holding its claims.
    shared
        .wait_until(|s| s.started_hanging.load(Ordering::SeqCst))
        .await;
    a.force_stop();
    a.stop().await;
    drop(a);

    shared
        .wait_until(|s| s.completed.lock().unwrap().len() == 1000)
        .await;
    b.stop().await;
    let completed = shared.completed.lock().unwrap().clone();
    assert_eq!(completed.len(), 1000, "every occurrence completed");
    assert!(completed.values().all(|n| *n == 1), "none twice");
    let keys: Vec<_> = completed
        .keys()
        .filter(|(_, at)| *at == ts("2025-01-01T00:00:05Z"))
        .collect();
    assert_eq!(keys.len(), 100);
    assert!(
        stored_jobs(&store).await.is_empty(),
        "ended jobs leave the store"
    );
}

#[tokio::test(start_paused = true)]
async fn pause_resume_and_cancel_reach_every_process_sharing_the_store() {
    let store = memory();
    let shared = Arc::new(Shared::default());
    let a = node("a", &shared, &store);
    let b = node("b", &shared, &store);
    start(&a).await;
    start(&b).await;
    let runs = || shared.completed.lock().unwrap().len();

    // Added in a after both started: b learns of it at its next sync (every second here).
    let job = a
        .job_queue()
        .run_repeating(named("tally"), Duration::from_secs(1))
        .id("tick")
        .misfire(Misfire::Skip)
        .await
        .unwrap();
    advance(2).await;
    let in_b = b.job_queue().job("tick").expect("b synced the job");
    tokio::time::sleep(Duration::from_millis(500)).await; // 00:00:02.5
    assert_eq!(runs(), 2, "00:00:01 and 00:00:02, once each");

    in_b.pause().await.unwrap(); // paused through b
    advance(3).await;
    assert_eq!(runs(), 2, "neither process runs a paused job");
    assert!(!job.is_enabled(), "a saw the pause at its sync");

    // Resumed through a at 00:00:05.5: 00:00:03 and 00:00:04 are missed (Skip drops them),
    // 00:00:05 is within the 1 s grace period and runs.
    job.resume().await.unwrap();
    advance(2).await; // and 00:00:06, 00:00:07
    assert_eq!(runs(), 5);

    assert!(in_b.cancel().await.unwrap(), "cancelled through b");
    advance(3).await;
    assert_eq!(runs(), 5, "a cancelled job runs nowhere");
    assert!(stored_jobs(&store).await.is_empty());
    assert!(
        a.job_queue().job("tick").is_none(),
        "a forgot it at its next sync"
    );
}

/// Real time here: SQLite writes happen on the store's own thread, which tokio's paused clock
/// does not wait for. The assertions depend on no timing: the restart is 30 s before the next
/// occurrence, and the test waits for the runs it expects (a notification per run).
#[tokio::test]
async fn a_restart_on_the_same_sqlite_file_keeps_the_jobs_and_runs_missed_ones_per_policy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite");
    let sqlite = |path: &std::path::Path| -> Arc<dyn Store> {
        Arc::new(telegram_store::SqliteStore::open(path).unwrap())
    };

    // First process: adds a repeating job and a one-shot, and ends before either is due.
    let log = Arc::new(Log::default());
    let first = app_at(
        "2025-01-01T00:00:00Z",
        log.clone(),
        JobQueueConfig::new().store(sqlite(&path)),
    );
    first.register_job("record", record);
    first
        .job_queue()
        .run_repeating(named("record"), Duration::from_secs(60))
        .first(ts("2025-01-01T00:01:00Z"))
        .id("minutely")
        .name("minutely")
        .await
        .unwrap();
    first
        .job_queue()
        .run_once(named("record"), ts("2025-01-01T00:05:00Z"))
        .id("once")
        .name("once")
        .await
        .unwrap();
    drop(first);

    // Second process, 10.5 minutes later, on the same file.
    let second = app_at(
        "2025-01-01T00:10:30Z",
        log.clone(),
        JobQueueConfig::new().store(sqlite(&path)),
    );
    second.register_job("record", record);
    start(&second).await;
    assert_eq!(
        second.job_queue().len(),
        2,
        "both jobs re-armed from the file"
    );
    log.wait_for_runs(2).await;
    second.stop().await;
    assert_eq!(
        log.scheduled("minutely"),
        ["2025-01-01T00:10:00Z"],
        "ten missed occurrences ran once"
    );
    assert_eq!(
        log.scheduled("once"),
        ["2025-01-01T00:05:00Z"],
        "the missed one-shot ran late"
    );
    drop(second);

    // Third process: adds the repeating job again (as a bot does at every start): replaced.
    let third = app_at(
        "2025-01-01T00:10:40Z",
        log.clone(),
        JobQueueConfig::new().store(sqlite(&path)),
    );
    third.register_job("record", record);
    start(&third).await;
    let queue = third.job_queue();
    assert_eq!(queue.len(), 1, "the one-shot is gone from the file");
    queue
        .run_repeating(named("record"), Duration::from_secs(60))
        .id("minutely")
        .name("minutely")
        .await
        .unwrap();
    assert_eq!(queue.len(), 1, "no duplicate");
    third.stop().await;
    let store = sqlite(&path);
    let page = store.scan(b"tg:123:job:", None, 100).await.unwrap();
    assert_eq!(page.entries.len(), 1);
}
