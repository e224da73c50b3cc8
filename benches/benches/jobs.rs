//! The job queue: schedule + cancel throughput (criterion), the memory of 1 M pending jobs
//! (resident set growth, Linux), and the firing lag (due → callback start) with 100 k jobs due
//! within one second (p50 / p99 / max).
//!
//! `cargo bench -p benches --bench jobs -- --warm-up-time 1 --measurement-time 3 --noplot`
//! Targets: ≥ 500 k schedule+cancel per second, 1 M pending jobs in ≤ 300 MB, p99 lag ≤ 2 ms.

#![allow(missing_docs, clippy::print_stdout)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use telegram_ext::jobs::Job;
use telegram_ext::{Application, Context, HandlerResult};
use telegram_transport::{Bot, MockTransport};
use tokio::runtime::Runtime;
use tokio::sync::Notify;

#[derive(Default)]
struct Lags {
    /// Due → start of the callback, in microseconds.
    micros: Mutex<Vec<i64>>,
    done: AtomicUsize,
    expected: AtomicUsize,
    all_done: Notify,
}

async fn noop(_job: Job, _ctx: Context<Arc<Lags>>) -> HandlerResult {
    Ok(())
}

async fn measure(job: Job, ctx: Context<Arc<Lags>>) -> HandlerResult {
    let now = ctx.job_queue().clock().now();
    if let Some(due) = job.scheduled_at() {
        let lag = now.duration_since(due).as_micros();
        ctx.state
            .micros
            .lock()
            .unwrap()
            .push(i64::try_from(lag).unwrap_or(i64::MAX));
    }
    let done = ctx.state.done.fetch_add(1, Ordering::SeqCst) + 1;
    if done == ctx.state.expected.load(Ordering::SeqCst) {
        ctx.state.all_done.notify_one();
    }
    Ok(())
}

fn app(lags: Arc<Lags>) -> Application<Arc<Lags>> {
    let mock = MockTransport::new();
    mock.respond(
        "getMe",
        serde_json::json!({"id": 1, "is_bot": true, "first_name": "Bench", "username": "bench"}),
    );
    Application::builder()
        .bot(Bot::with_transport("1:bench", mock))
        .state(lags)
        .build()
        .expect("the application builds")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn schedule_and_cancel(c: &mut Criterion) {
    let rt = runtime();
    let app = rt.block_on(async { app(Arc::default()) });
    let queue = app.job_queue();
    let mut group = c.benchmark_group("jobs");
    group.throughput(Throughput::Elements(1));
    group.bench_function("schedule_and_cancel", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let job = queue
                        .run_once(noop, Duration::from_secs(3600))
                        .await
                        .expect("added");
                    job.cancel().await.expect("cancelled");
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

/// The resident set size in bytes (Linux; 0 elsewhere).
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn memory_of_pending_jobs() {
    let rt = runtime();
    rt.block_on(async {
        let app = app(Arc::default());
        let queue = app.job_queue();
        let before = rss();
        let start = Instant::now();
        for i in 0..1_000_000u64 {
            queue
                .run_once(noop, Duration::from_secs(3600 + i % 3600))
                .await
                .expect("added");
        }
        let took = start.elapsed();
        let grown = rss().saturating_sub(before);
        println!(
            "jobs/memory: 1000000 pending jobs: resident set +{:.1} MB ({} bytes per job); added in {:.2?}",
            grown as f64 / 1e6,
            grown / 1_000_000,
            took
        );
        assert_eq!(queue.len(), 1_000_000);
    });
}

fn firing_lag() {
    let rt = runtime();
    rt.block_on(async {
        let lags = Arc::new(Lags::default());
        let app = app(lags.clone());
        app.initialize().await.expect("initialized");
        app.start().await.expect("started");
        let queue = app.job_queue();
        let jobs = 100_000usize;
        lags.expected.store(jobs, Ordering::SeqCst);
        // Far enough ahead that adding them all (about 0.6 s) is done before the first is due.
        let base = queue.clock().now() + jiff::SignedDuration::from_secs(3);
        for i in 0..jobs {
            // Spread evenly over one second.
            let due = base + jiff::SignedDuration::from_micros(i64::try_from(i * 10).unwrap_or(0));
            queue.run_once(measure, due).await.expect("added");
        }
        tokio::time::timeout(Duration::from_secs(60), lags.all_done.notified())
            .await
            .expect("every job ran");
        app.stop().await;
        let mut micros = lags.micros.lock().unwrap().clone();
        micros.sort_unstable();
        let pct = |p: f64| micros[((micros.len() as f64 * p) as usize).min(micros.len() - 1)];
        println!(
            "jobs/firing_lag: {} jobs due within 1 s: p50 {} µs, p99 {} µs, max {} µs",
            micros.len(),
            pct(0.50),
            pct(0.99),
            micros[micros.len() - 1]
        );
    });
}

criterion_group!(benches, schedule_and_cancel);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    memory_of_pending_jobs();
    firing_lag();
}
