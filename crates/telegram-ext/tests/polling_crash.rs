//! At-least-once polling, the hard way: a bot process handles 2 000 updates from the fake Bot
//! API (running here, in the parent) with slow handlers and is killed with `SIGKILL` mid-run; a
//! new process polls the same server until every update is confirmed. Every update must have
//! been answered at least once, and twice only if it could not be known finished at the kill.
//!
//! Each handler does its slow work (a `sendChatAction` the server holds back 20 ms), then
//! replies; the completions are the replies the fake server recorded (`sendMessage`
//! "done {update_id}"), which survive the kill. The child is this test binary re-executed with `CHILD_URL` set (no
//! harness: `main` picks the role); it prints `start {id}` when a handler starts and `done {id}`
//! when its reply returned. No sleeps: the parent kills after reading a fixed number of `done`
//! lines, and waits on the server for the rest.
//!
//! Three runs:
//! - the watermark alone: an update answered twice must be one the first process started and
//!   the offset it had confirmed at the kill did not cover (in flight, or finished above the
//!   watermark);
//! - the watermark and [`CompletedUpdates`] in a SQLite file the two processes share: an update
//!   answered twice must be one in flight at the kill (started, not recorded completed);
//! - the [`UpdateJournal`] in a SQLite file the two processes share (polling confirms a batch
//!   once it is written, so at the kill Telegram no longer has most unfinished updates: the
//!   second process must replay them): an update answered twice must be one in flight at the
//!   kill (started, still in the journal).
//!
//! The second process is stopped gracefully (`SIGTERM`) once the server has nothing pending:
//! with the journal, an update confirmed is not yet an update handled.
//!
//! Mutation check: `TELEGRAM_EXT_CRASH_CONFIRM_ON_FETCH=1` makes the children confirm on fetch
//! (the old offset handling); the updates fetched and unfinished at the kill are then lost and
//! this test fails.

mod crash_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use telegram_ext::delivery::{CompletedUpdates, UpdateJournal};
use telegram_ext::handlers::TypeHandler;
use telegram_ext::processing::Concurrent;
use telegram_ext::store::SqliteStore;
use telegram_ext::types::ChatAction;
use telegram_ext::{Application, Context, HandlerResult, PollingConfig, Update};
use telegram_test::{FakeBotApi, Fault, Schedule};

use crash_support::{answers, ids_under, stop_gracefully};

/// The fake server's URL; set only in the child.
const CHILD_URL: &str = "TELEGRAM_EXT_CRASH_CHILD_URL";
/// The bot token; set only in the child.
const CHILD_TOKEN: &str = "TELEGRAM_EXT_CRASH_CHILD_TOKEN";
/// The SQLite file the children share; set in the children of the second and third runs.
const CHILD_STORE: &str = "TELEGRAM_EXT_CRASH_CHILD_STORE";
/// What the children keep in it: `completed` (the completed-updates record) or `journal`.
const CHILD_KEEP: &str = "TELEGRAM_EXT_CRASH_CHILD_KEEP";
/// Set (to anything) to make the children confirm on fetch: the mutation check.
const CONFIRM_ON_FETCH: &str = "TELEGRAM_EXT_CRASH_CONFIRM_ON_FETCH";

/// Updates pushed before the first child starts.
const UPDATES: usize = 2_000;
/// Chats they come from.
const CHATS: usize = 40;
/// Updates processed at once in a child.
const CONCURRENCY: usize = 32;
/// How long the server holds back every `sendChatAction` answer: the slow part of the handler,
/// before its reply (the recorded completion).
const WORK: Duration = Duration::from_millis(20);
/// `done` lines the parent reads before it kills the first child.
const KILL_AFTER: usize = 600;

fn main() {
    if let Ok(url) = std::env::var(CHILD_URL) {
        return child(&url);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    watermark_alone_loses_nothing_and_repeats_only_the_unconfirmed(&runtime);
    completed_record_repeats_only_the_updates_in_flight_at_the_kill(&runtime);
    journal_replays_what_was_confirmed_and_repeats_only_the_updates_in_flight(&runtime);
}

/// What the children keep in a SQLite file they share, besides the watermark.
#[derive(Debug, Clone, Copy)]
enum Keep {
    /// The completed-updates record.
    Completed,
    /// The update journal.
    Journal,
}

impl Keep {
    /// The kind of key it writes (`tg:{bot_id}:{kind}:{update_id}`), and the env value.
    fn kind(self) -> &'static str {
        match self {
            Keep::Completed => "completed",
            Keep::Journal => "journal",
        }
    }
}

fn watermark_alone_loses_nothing_and_repeats_only_the_unconfirmed(
    runtime: &tokio::runtime::Runtime,
) {
    let run = crash_and_restart(runtime, None);
    let unconfirmed: BTreeSet<i64> = run
        .first
        .started
        .iter()
        .copied()
        .filter(|id| *id >= run.offset_at_kill)
        .collect();
    for id in &run.twice {
        assert!(
            unconfirmed.contains(id),
            "update {id} was answered twice, but the offset confirmed at the kill ({}) covered it or the first process never started it",
            run.offset_at_kill
        );
    }
    let in_flight = run.first.in_flight().len();
    eprintln!(
        "watermark alone: killed after {} replies; {} started and unconfirmed at the kill ({} in flight, {} finished above the watermark); {} updates answered twice; all {UPDATES} answered",
        run.first.done.len(),
        unconfirmed.len(),
        in_flight,
        unconfirmed.len() - in_flight.min(unconfirmed.len()),
        run.twice.len(),
    );
}

fn completed_record_repeats_only_the_updates_in_flight_at_the_kill(
    runtime: &tokio::runtime::Runtime,
) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("completed.db");
    let run = crash_and_restart(runtime, Some((&path, Keep::Completed)));
    let recorded = run.kept_at_kill.expect("the record was read at the kill");
    let in_flight: BTreeSet<i64> = run
        .first
        .started
        .iter()
        .copied()
        .filter(|id| !recorded.contains(id))
        .collect();
    for id in &run.twice {
        assert!(
            in_flight.contains(id),
            "update {id} was answered twice, but it was recorded completed before the kill or never started"
        );
    }
    eprintln!(
        "watermark + completed record: killed after {} replies; {} recorded completed, {} in flight at the kill (started, not recorded); {} updates answered twice; all {UPDATES} answered",
        run.first.done.len(),
        recorded.len(),
        in_flight.len(),
        run.twice.len(),
    );
}

fn journal_replays_what_was_confirmed_and_repeats_only_the_updates_in_flight(
    runtime: &tokio::runtime::Runtime,
) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("journal.db");
    let run = crash_and_restart(runtime, Some((&path, Keep::Journal)));
    let journaled = run.kept_at_kill.expect("the journal was read at the kill");
    let in_flight: BTreeSet<i64> = run
        .first
        .started
        .intersection(&journaled)
        .copied()
        .collect();
    for id in &run.twice {
        assert!(
            in_flight.contains(id),
            "update {id} was answered twice, but it was not in flight at the kill (started and still in the journal)"
        );
    }
    let confirmed_unfinished = journaled
        .iter()
        .filter(|id| **id < run.offset_at_kill)
        .count();
    eprintln!(
        "journal: killed after {} replies; offset confirmed at the kill {}; {} in the journal at the kill ({} of them confirmed to Telegram: only the journal had them), {} in flight (started, in the journal); {} updates answered twice; all {UPDATES} answered",
        run.first.done.len(),
        run.offset_at_kill,
        journaled.len(),
        confirmed_unfinished,
        in_flight.len(),
        run.twice.len(),
    );
    assert!(
        confirmed_unfinished > 0,
        "nothing confirmed was left unfinished at the kill: the replay was not exercised"
    );
}

/// What one crash-and-restart run left.
struct Run {
    /// What the first child said before it died.
    first: Log,
    /// The offset the fake server had confirmed when the first child was dead.
    offset_at_kill: i64,
    /// Update ids in the completed-updates record or the journal at the kill (with a store
    /// only).
    kept_at_kill: Option<BTreeSet<i64>>,
    /// Update ids answered more than once.
    twice: BTreeSet<i64>,
}

/// Pushes the updates, runs a child until `KILL_AFTER` replies and kills it, runs a second until
/// the server has nothing pending and stops it gracefully, and checks that every update was
/// answered.
fn crash_and_restart(runtime: &tokio::runtime::Runtime, store: Option<(&Path, Keep)>) -> Run {
    let server = runtime.block_on(
        FakeBotApi::builder()
            .default_timeout(Duration::from_secs(300))
            .start(),
    );
    server.inject("sendChatAction", Fault::Latency(WORK), Schedule::Always);
    let chats: Vec<i64> = (0..CHATS)
        .map(|c| server.user(&format!("user{c}")).id())
        .collect();
    let ids: Vec<i64> = (0..UPDATES)
        .map(|i| server.push_update(message(i, chats[i % chats.len()])))
        .collect();

    let mut first = spawn_child(&server, store);
    let mut reports = BufReader::new(first.stdout.take().expect("piped stdout"));
    let mut log = Log::default();
    let mut line = String::new();
    while log.done.len() < KILL_AFTER {
        line.clear();
        let read = reports
            .read_line(&mut line)
            .expect("read the child's reports");
        assert!(read > 0, "the first child ended before it was killed");
        log.record(&line);
    }
    first.kill().expect("SIGKILL the child");
    let status = first.wait().expect("reap the child");
    assert_eq!(status.signal(), Some(9), "the child died of SIGKILL");
    for line in reports.lines() {
        match line {
            Ok(line) => log.record(&line),
            Err(_) => break, // a line cut by the kill
        }
    }
    let offset_at_kill = server.confirmed_offset();
    assert!(
        server.pending_updates() > 0 && log.done.len() < UPDATES,
        "the kill came after the end: nothing to check"
    );
    let kept_at_kill =
        store.map(|(path, keep)| runtime.block_on(ids_under(path, &server.token(), keep.kind())));

    let second = spawn_child(&server, store);
    runtime
        .block_on(server.wait_until_drained())
        .expect("the second child confirms every update");
    stop_gracefully(second, Duration::from_secs(300));

    let answers = answers(&server);
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !answers.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} updates were never answered (lost at the kill), e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    let twice = answers
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    runtime.block_on(server.shutdown());
    Run {
        first: log,
        offset_at_kill,
        kept_at_kill,
        twice,
    }
}

fn message(i: usize, chat: i64) -> serde_json::Value {
    json!({"message": {"message_id": i, "date": 1,
        "chat": {"id": chat, "type": "private"}, "text": format!("m{i}")}})
}

fn spawn_child(server: &FakeBotApi, store: Option<(&Path, Keep)>) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .env(CHILD_URL, server.url())
        .env(CHILD_TOKEN, server.token())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some((path, keep)) = store {
        command.env(CHILD_STORE, path).env(CHILD_KEEP, keep.kind());
    }
    command.spawn().expect("the child starts")
}

/// What a child said before it died.
#[derive(Default)]
struct Log {
    started: BTreeSet<i64>,
    done: BTreeSet<i64>,
}

impl Log {
    fn record(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        let (Some(kind), Some(Ok(id))) = (words.next(), words.next().map(str::parse::<i64>)) else {
            return; // the last line, cut by the kill
        };
        match kind {
            "start" => {
                self.started.insert(id);
            }
            "done" => {
                self.done.insert(id);
            }
            _ => {}
        }
    }

    /// Started, and the reply had not returned.
    fn in_flight(&self) -> BTreeSet<i64> {
        self.started.difference(&self.done).copied().collect()
    }
}

/// The child: polls until killed (or stopped by `SIGTERM`), answering each update after a slow
/// `sendChatAction`.
fn child(url: &str) {
    let token = std::env::var(CHILD_TOKEN).expect("the parent sets the token");
    let store: Option<PathBuf> = std::env::var_os(CHILD_STORE).map(PathBuf::from);
    if std::env::var_os("TELEGRAM_EXT_CRASH_TRACE").is_some() {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let mut builder = Application::builder()
            .token(token)
            .base_url(url)
            .processor(Concurrent::new(CONCURRENCY));
        if let Some(path) = store {
            let store = SqliteStore::open(path).expect("the store's file opens");
            builder = builder.shared_store(Arc::new(store));
            builder = match std::env::var(CHILD_KEEP).as_deref() {
                Ok("journal") => builder.journal(UpdateJournal::new()),
                _ => builder.completed_updates(CompletedUpdates::new()),
            };
        }
        let app = builder.build().expect("the child's application");
        app.add_handler(TypeHandler::new(|_: &Update| true, answer), 0);
        let config = PollingConfig::default()
            .timeout(Duration::from_secs(1))
            .confirm_on_fetch(std::env::var_os(CONFIRM_ON_FETCH).is_some());
        app.run_polling(config).await.expect("polling runs");
    });
}

async fn answer(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let id = update.update_id;
    report("start", id);
    let chat = update.effective_chat().map(|c| c.id).unwrap_or_default();
    // The slow work, then the reply: an update whose reply the server recorded had finished
    // its work.
    ctx.bot.send_chat_action(chat, ChatAction::Typing).await?;
    ctx.bot.send_message(chat, format!("done {id}")).await?;
    report("done", id);
    Ok(())
}

/// One line to the parent; stdout is line-buffered, so each line leaves whole.
fn report(kind: &str, id: i64) {
    let _ = writeln!(std::io::stdout().lock(), "{kind} {id}");
}
