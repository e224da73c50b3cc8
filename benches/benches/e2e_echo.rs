//! End to end echo: N updates fetched by long polling from the fake Bot API, each answered by
//! one `sendMessage` that the server holds back 50 ms (an injected `Fault::Latency`).
//!
//! Modes: the `Application` with the `Sequential` processor, with `Sequential` and a
//! `block(false)` handler, with `Concurrent(256)` and with `Keyed::by_chat(256)`; and a raw
//! hyper-util client running the same fetch-and-reply loop, the lower bound.
//!
//! The raw loop **pipelines**: it posts `getUpdates` (offset, limit 100) again as soon as a
//! batch is decoded, spawning one task per reply, and stops fetching once it has seen all N
//! updates (it knows N; a bot does not); the time ends when every reply's answer is back. That is
//! what `Concurrent` does too (polling refetches while the processor has free slots), so the
//! lower bound is not inflated by a per-batch barrier. It does not keep a chat's replies in
//! order, neither does `Concurrent`; `Keyed` does, so on workload B its bound is the busiest
//! chat's replies one after another: 100 × 50 ms = 5 s.
//!
//! Workloads: A, 200 users × 1 message (N = 200); B, 10 chats × 100 messages (N = 1000),
//! pushed round robin (m0 of every chat, then m1, …), the order messages would arrive in.
//! `Sequential` takes N × 50 ms (10 s on A, 50 s on B), so it runs on reduced sizes only: A with
//! 20 users × 1, B with 10 chats × 2 (N = 20, 1 s each).
//!
//! Each iteration starts a fresh server with the updates pre-pushed and the fault injected
//! (untimed), then times from starting the app (`run_polling`: `getMe`, then `getUpdates`) or
//! the raw loop until the handler (or raw reply task) has received all N `sendMessage` answers.
//! Stopping the app and the server is untimed. Server, app and timer share one tokio runtime with
//! two workers (the machine's cores).
//!
//! Two more modes keep a per-chat counter in a SQLite file (`ctx.update` before each reply,
//! durable at the process-crash level, a fresh file per run): `Concurrent(256)` and
//! `Keyed(chat)` with SQLite, to compare with the same modes without it.
//!
//! Once, outside timing, `Keyed` runs workload B and every chat's `sendMessage` texts are
//! checked to be in the order sent.
//!
//! `cargo bench -p benches --bench e2e_echo`
//!
//! `E2E_ECHO_REPORT=1 cargo bench -p benches --bench e2e_echo` skips criterion and runs each
//! mode per workload in a fresh child process (this executable, `E2E_ECHO_REPORT_ONE` set), 1 to
//! 20 times (enough for the CPU ticks to resolve), printing the mean wall time, the user and
//! system CPU time of the timed part (from `/proc/self/stat`: the same process-wide counters
//! `getrusage(RUSAGE_SELF)` reads, in 10 ms ticks; the workspace forbids the `unsafe` a libc call
//! needs) and the peak RSS (`VmHWM`). The fake server runs in the same process, so its CPU time
//! and memory are in every figure, the raw loop's too.

#![allow(missing_docs)] // criterion_group! generates undocumented functions
#![allow(clippy::print_stdout)] // the `E2E_ECHO_REPORT=1` resource report prints a table

#[path = "support/done.rs"]
mod done;
#[path = "support/raw_client.rs"]
mod raw_client;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use hyper::Uri;
use serde_json::json;
use telegram_ext::data::ChatSlot;
use telegram_ext::handlers::MessageHandler;
use telegram_ext::processing::{Concurrent, Keyed, Sequential};
use telegram_ext::store::SqliteStore;
use telegram_ext::{filters, Application, Context, HandlerResult, PollingConfig, Update};
use telegram_test::{FakeBotApi, Fault, Schedule};
use telegram_types::methods::SendMessage;
use telegram_types::Message;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use done::Done;
use raw_client::{post, raw_client};

/// What the server holds back every `sendMessage` answer by.
const LATENCY: Duration = Duration::from_millis(50);
/// Slots of `Concurrent` and `Keyed`.
const LIMIT: usize = 256;
/// No run may take longer than this; a stuck run fails instead of hanging the bench.
const DEADLINE: Duration = Duration::from_secs(120);

/// The same pool settings `HyperTransportBuilder` defaults to.

#[derive(Debug, Clone, Copy)]
struct Workload {
    name: &'static str,
    chats: usize,
    per_chat: usize,
}

impl Workload {
    fn n(self) -> usize {
        self.chats * self.per_chat
    }
}

const A: Workload = Workload {
    name: "A 200 chats x 1",
    chats: 200,
    per_chat: 1,
};
const A_SMALL: Workload = Workload {
    name: "A 20 chats x 1",
    chats: 20,
    per_chat: 1,
};
const B: Workload = Workload {
    name: "B 10 chats x 100",
    chats: 10,
    per_chat: 100,
};
const B_SMALL: Workload = Workload {
    name: "B 10 chats x 2",
    chats: 10,
    per_chat: 2,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Raw,
    Sequential,
    NonBlocking,
    Concurrent,
    Keyed,
    ConcurrentSqlite,
    KeyedSqlite,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Raw => "raw hyper-util",
            Mode::Sequential => "Sequential",
            Mode::NonBlocking => "block(false)",
            Mode::Concurrent => "Concurrent(256)",
            Mode::Keyed => "Keyed(chat)",
            Mode::ConcurrentSqlite => "Concurrent(256)+SQLite counter",
            Mode::KeyedSqlite => "Keyed(chat)+SQLite counter",
        }
    }

    fn counts_in_sqlite(self) -> bool {
        matches!(self, Mode::ConcurrentSqlite | Mode::KeyedSqlite)
    }
}

/// Every mode with the workload it runs on for `workload` (Sequential on the reduced one).
fn plan(workload: Workload) -> Vec<(Mode, Workload)> {
    let small = if workload.name == A.name {
        A_SMALL
    } else {
        B_SMALL
    };
    vec![
        (Mode::Raw, workload),
        (Mode::Sequential, small),
        (Mode::NonBlocking, workload),
        (Mode::Concurrent, workload),
        (Mode::ConcurrentSqlite, workload),
        (Mode::Keyed, workload),
        (Mode::KeyedSqlite, workload),
    ]
}

async fn echo(update: Arc<Update>, ctx: Context<Done>) -> HandlerResult {
    let Some(message) = update.effective_message() else {
        return Ok(());
    };
    let text = message.text.clone().unwrap_or_default();
    ctx.bot.send_message(message.chat.id, text).await?;
    ctx.state.one();
    Ok(())
}

const MESSAGES: ChatSlot<u64> = ChatSlot::new("messages");

/// `echo`, after counting the message in its chat's stored counter.
async fn echo_counting(update: Arc<Update>, ctx: Context<Done>) -> HandlerResult {
    ctx.update(&MESSAGES, |n| *n += 1).await?;
    echo(update, ctx).await
}

/// A fresh server with `workload`'s updates queued, round robin over the chats, and the latency
/// on every `sendMessage`. Texts are the message's index in its chat.
async fn prepare(workload: Workload) -> FakeBotApi {
    let server = FakeBotApi::start().await;
    server.inject("sendMessage", Fault::Latency(LATENCY), Schedule::Always);
    let users: Vec<_> = (0..workload.chats)
        .map(|i| server.user(&format!("user{i}")))
        .collect();
    for m in 0..workload.per_chat {
        for user in &users {
            user.send_text(m.to_string()).await;
        }
    }
    assert_eq!(server.pending_updates(), workload.n());
    server
}

/// One untimed-setup, timed run of `mode` on `workload`; returns the timed part and the server
/// (still running, for checks).
async fn run(mode: Mode, workload: Workload) -> (Duration, FakeBotApi) {
    let server = prepare(workload).await;
    let elapsed = match mode {
        Mode::Raw => run_raw(&server, workload.n()).await,
        _ => run_app(mode, &server, workload.n()).await,
    };
    (elapsed, server)
}

async fn run_app(mode: Mode, server: &FakeBotApi, n: usize) -> Duration {
    let builder = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Done::new(n, DEADLINE));
    let builder = match mode {
        Mode::Sequential | Mode::NonBlocking => builder.processor(Sequential::new()),
        Mode::Concurrent | Mode::ConcurrentSqlite => builder.processor(Concurrent::new(LIMIT)),
        Mode::Keyed | Mode::KeyedSqlite => builder.processor(Keyed::by_chat(LIMIT)),
        Mode::Raw => unreachable!("the raw loop has no application"),
    };
    let directory = tempfile::tempdir().expect("a temporary directory");
    let builder = if mode.counts_in_sqlite() {
        let store = SqliteStore::open(directory.path().join("counters.sqlite"))
            .expect("the SQLite store opens");
        builder.store(store)
    } else {
        builder
    };
    let app = builder.build().expect("the application builds");
    let blocking = mode != Mode::NonBlocking;
    if mode.counts_in_sqlite() {
        app.add_handler(MessageHandler::new(filters::TEXT, echo_counting), 0);
    } else {
        app.add_handler(MessageHandler::new(filters::TEXT, echo).block(blocking), 0);
    }
    let polling = PollingConfig::default()
        .timeout(Duration::from_secs(10))
        .stop_signals(false);

    let started = Instant::now();
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(polling).await })
    };
    app.state().wait().await;
    let elapsed = started.elapsed();

    app.stop_running();
    runner
        .await
        .expect("the polling task does not panic")
        .expect("polling ends cleanly");
    elapsed
}

/// The lower bound: pipelined `getUpdates`, one spawned task per reply (see the module docs).
async fn run_raw(server: &FakeBotApi, n: usize) -> Duration {
    let client = raw_client();
    let base = format!("{}/bot{}", server.url(), server.token());
    let get_updates: Uri = format!("{base}/getUpdates").parse().expect("a valid URL");
    let send_message: Uri = format!("{base}/sendMessage").parse().expect("a valid URL");

    let started = Instant::now();
    let mut replies = JoinSet::new();
    let mut offset: Option<i64> = None;
    let mut fetched = 0;
    while fetched < n {
        let body = match offset {
            Some(offset) => json!({"offset": offset, "limit": 100, "timeout": 10}),
            None => json!({"limit": 100, "timeout": 10}),
        };
        let body = serde_json::to_vec(&body).expect("encodes").into();
        let updates: Vec<Update> = post(&client, get_updates.clone(), body).await;
        for update in updates {
            offset = Some(update.update_id + 1);
            fetched += 1;
            let Some(message) = update.effective_message() else {
                continue;
            };
            let payload =
                SendMessage::new(message.chat.id, message.text.clone().unwrap_or_default());
            let body: Bytes = telegram_types::json::to_vec(&payload)
                .expect("sendMessage encodes")
                .into();
            let (client, uri) = (client.clone(), send_message.clone());
            replies.spawn(async move {
                let _: Message = post(&client, uri, body).await;
            });
        }
    }
    tokio::time::timeout(DEADLINE, async {
        while let Some(reply) = replies.join_next().await {
            reply.expect("a reply task does not panic");
        }
    })
    .await
    .expect("all replies arrive before the deadline");
    started.elapsed()
}

/// `Keyed(chat)` on workload B answers every chat in the order its messages came; every mode
/// answers every message of workload A exactly once.
async fn check() {
    let (_, server) = run(Mode::Keyed, B).await;
    let mut per_chat: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for call in server.requests_for("sendMessage") {
        per_chat
            .entry(call.chat_id().expect("a chat_id"))
            .or_default()
            .push(call.text().expect("a text").to_owned());
    }
    let in_order: Vec<String> = (0..B.per_chat).map(|m| m.to_string()).collect();
    assert_eq!(per_chat.len(), B.chats);
    for (chat, texts) in &per_chat {
        assert_eq!(texts, &in_order, "Keyed(chat) kept chat {chat}'s order");
    }
    server.shutdown().await;

    for (mode, workload) in plan(A) {
        let (_, server) = run(mode, workload).await;
        let calls = server.requests_for("sendMessage");
        assert_eq!(
            calls.len(),
            workload.n(),
            "{} replies once each",
            mode.name()
        );
        server.shutdown().await;
    }
}

/// Runs the future on a worker, not on the `block_on` thread, as a bot's tasks would run.
async fn on_workers<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(future).await.expect("the task does not panic")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn e2e_echo(c: &mut Criterion) {
    let rt = runtime();
    rt.block_on(on_workers(check()));

    for workload in [A, B] {
        let mut group = c.benchmark_group(format!("e2e_echo/{}", workload.name));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_millis(500));
        for (mode, size) in plan(workload) {
            // About ten iterations: a quarter of a second or less for the fast modes, one run per sample
            // for Sequential (1 s) and Keyed on B (5 s).
            let expected = match (mode, size.per_chat) {
                (Mode::Sequential, _) => LATENCY * size.n() as u32,
                (Mode::Keyed | Mode::KeyedSqlite, per_chat) if per_chat > 1 => {
                    LATENCY * per_chat as u32
                }
                _ => Duration::from_millis(250),
            };
            group.measurement_time(expected * 11);
            group.throughput(Throughput::Elements(size.n() as u64));
            group.bench_function(BenchmarkId::new(mode.name(), size.n()), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += rt.block_on(on_workers(async move {
                            let (elapsed, server) = run(mode, size).await;
                            server.shutdown().await;
                            elapsed
                        }));
                    }
                    total
                })
            });
        }
        group.finish();
    }
}

// ---- E2E_ECHO_REPORT=1: CPU time and peak memory, one run per mode ---------------------------

/// User and system CPU time of the whole process so far (all threads), from `/proc/self/stat`.
fn cpu_times() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // CLK_TCK is 100 on Linux.
    let ticks = |i: usize| Duration::from_millis(fields[i].parse::<u64>().expect("ticks") * 10);
    (ticks(11), ticks(12))
}

/// A `/proc/self/status` line's value in kB.
fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a kB value")
}

/// Runs of a mode in its report: enough for the 10 ms CPU ticks to resolve, at most ~2 s.
fn report_runs(mode: Mode, size: Workload) -> usize {
    match (mode, size.n()) {
        (Mode::Sequential, _) => 3,
        (Mode::Keyed | Mode::KeyedSqlite, n) if n > 200 => 1,
        (_, n) if n > 200 => 5,
        _ => 20,
    }
}

/// Every (mode, workload) in its own child process (this executable again, with
/// `E2E_ECHO_REPORT_ONE=<workload>/<mode>`), so each peak RSS starts from a fresh heap.
fn report() {
    println!(
        "{:<18} {:<16} {:>5} {:>4} {:>9} {:>9} {:>8} {:>11} {:>9} {:>9}",
        "workload",
        "mode",
        "N",
        "runs",
        "wall ms",
        "user ms",
        "sys ms",
        "CPU us/rep",
        "RSS0 MiB",
        "HWM MiB"
    );
    let exe = std::env::current_exe().expect("the bench executable");
    for (w, workload) in [A, B].into_iter().enumerate() {
        for (m, _) in plan(workload).into_iter().enumerate() {
            let status = std::process::Command::new(&exe)
                .env_remove("E2E_ECHO_REPORT")
                .env("E2E_ECHO_REPORT_ONE", format!("{w}/{m}"))
                .status()
                .expect("the child runs");
            assert!(status.success(), "the report child succeeds");
        }
    }
    println!("wall and CPU are per run (mean over `runs`); CPU is user+sys of the whole process,");
    println!(
        "fake server, client and tokio runtime included, in 10 ms ticks summed over the runs."
    );
    println!("RSS0: after the runtime, server and queued updates exist; HWM: peak over all runs.");
}

fn report_one(which: &str) {
    let (w, m) = which.split_once('/').expect("<workload>/<mode>");
    let workload = [A, B][w.parse::<usize>().expect("a workload index")];
    let (mode, size) = plan(workload)[m.parse::<usize>().expect("a mode index")];
    let runs = report_runs(mode, size);
    let rt = runtime();
    let (mut wall, mut user, mut sys) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut rss0 = None;
    for _ in 0..runs {
        // Setup and teardown untimed and outside the CPU window, as in the criterion bench.
        let server = rt.block_on(on_workers(prepare(size)));
        rss0.get_or_insert_with(|| status_kb("VmRSS:"));
        let (user0, sys0) = cpu_times();
        wall += rt.block_on(on_workers({
            let server = server.clone();
            async move {
                match mode {
                    Mode::Raw => run_raw(&server, size.n()).await,
                    _ => run_app(mode, &server, size.n()).await,
                }
            }
        }));
        let (user1, sys1) = cpu_times();
        user += user1 - user0;
        sys += sys1 - sys0;
        rt.block_on(server.shutdown());
    }
    let rss0 = rss0.unwrap_or_default();
    let hwm = status_kb("VmHWM:");
    let per_run = |d: Duration| d.as_secs_f64() * 1e3 / runs as f64;
    println!(
        "{:<18} {:<16} {:>5} {:>4} {:>9.1} {:>9.1} {:>8.1} {:>11.0} {:>9.1} {:>9.1}",
        size.name,
        mode.name(),
        size.n(),
        runs,
        per_run(wall),
        per_run(user),
        per_run(sys),
        (user + sys).as_secs_f64() * 1e6 / (runs * size.n()) as f64,
        rss0 as f64 / 1024.0,
        hwm as f64 / 1024.0,
    );
}

criterion::criterion_group!(benches, e2e_echo);

fn main() {
    if std::env::var_os("E2E_ECHO_REPORT").is_some_and(|v| v == "1") {
        report();
        return;
    }
    if let Some(which) = std::env::var_os("E2E_ECHO_REPORT_ONE") {
        report_one(which.to_str().expect("ASCII"));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
