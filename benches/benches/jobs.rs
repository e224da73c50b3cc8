//! The job queue: schedule + cancel throughput (criterion), the memory of 1 M pending jobs
//! (resident set growth, Linux), and the firing lag (due → callback start, the callback's own
//! clock reading minus the occurrence it runs for) with 100 k jobs due within one second, and
//! with 200 jobs 5 ms apart (the timer's precision without a queue of callbacks behind it).
//!
//! `cargo bench -p benches --bench jobs -- --warm-up-time 1 --measurement-time 3 --noplot`
//! (`CARGO_PROFILE_BENCH_LTO=off` in front builds faster; the numbers below were taken so).
//! Targets: ≥ 500 k schedule+cancel per second, 1 M pending jobs in ≤ 300 MB, p99 lag ≤ 2 ms.
//!
//! Measured on 2 cores shared with other builds (load average 3–11: the lag percentiles are
//! noisy, p99 above all):
//! - before (`HashMap<Arc<str>, Slot>`, tokio-util `DelayQueue`), quiet machine: 1.82 M/s;
//!   +548 MB; lag p50 2.26 ms, p99 3.18 ms, max 13 ms.
//! - now (one `Arc<JobInfo>` per job, slots in a vector found through a `HashTable<u32>`, a
//!   heap of 16-byte deadlines, a timer thread for the wake-up): 1.06–1.57 M/s (load 3–10);
//!   +261 MB (stable across runs); at load 2.9–3.7, lag p50 41–153 µs, p99 3.6–10 ms, max
//!   5–14 ms; sparse p50 155–236 µs, p99 1.3–11 ms.
//! - the same heap with tokio's timer alone, interleaved with the runs above (load ~3): lag
//!   p50 0.92–1.23 ms, p99 5.3–28 ms; sparse p50 1.51–1.56 ms.
//!
//! - now, on the quiet machine (load 0.3, five runs of the bench binary): 2.17 M/s; +266.6 MB;
//!   lag p50 45–55 µs, p99 0.59 / 1.42 / 2.12 / 2.23 / 2.43 ms, max 3.7–4.8 ms; sparse p50
//!   184–232 µs, p99 0.39–2.26 ms.
//!
//! The p99 target is met in two runs of five on the quiet machine and missed by up to 0.43 ms
//! in the others; under load the tail is the process waiting for a core (it moves with the
//! load, by 5× between runs minutes apart), not the timer.

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

/// Lag of `jobs` one-shot jobs due `spacing_us` apart from 3 s from now (far enough ahead that
/// adding 100 k of them, about 0.6 s, is done before the first is due).
fn firing_lag(label: &str, jobs: usize, spacing_us: usize) {
    let rt = runtime();
    rt.block_on(async {
        let lags = Arc::new(Lags::default());
        let app = app(lags.clone());
        app.initialize().await.expect("initialized");
        app.start().await.expect("started");
        let queue = app.job_queue();
        lags.expected.store(jobs, Ordering::SeqCst);
        let base = queue.clock().now() + jiff::SignedDuration::from_secs(3);
        for i in 0..jobs {
            let offset = i64::try_from(i * spacing_us).unwrap_or(0);
            let due = base + jiff::SignedDuration::from_micros(offset);
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
            "jobs/{label}: {} jobs, one every {spacing_us} µs: p50 {} µs, p99 {} µs, max {} µs",
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
    // The target: 100 k jobs due within one second (lag = timer precision + the runtime's
    // throughput of callback tasks).
    firing_lag("firing_lag", 100_000, 10);
    // The timer's precision alone: one job every 5 ms, nothing queued behind it.
    firing_lag("firing_lag_sparse", 200, 5_000);
}
