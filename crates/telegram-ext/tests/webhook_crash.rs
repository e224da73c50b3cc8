//! The webhook's delivery guarantees, the hard way: a bot process serves a webhook with slow
//! handlers and is killed with `SIGKILL` mid-run while a Telegram stand-in in the parent
//! delivers 2 000 updates (at most 40 requests at once, one chat's next update after the
//! previous request ended, the same update again after a non-2xx answer or a failed
//! connection); a new process on the same port takes over, and is stopped gracefully
//! (`SIGTERM`) once every update was answered 2xx. Every update must have been handled. Two
//! runs:
//!
//! - `Ack::AfterProcessing`: handled twice only if its request had not been answered 2xx at the
//!   kill (at most one per chat: the one in flight).
//! - `Ack::OnReceipt` with the [`UpdateJournal`] in a SQLite file the two processes share (200
//!   once the update is in the journal; the second process replays what the first left):
//!   handled twice only if it was in flight at the kill (its handler started, its entry still
//!   in the journal): a replayed update Telegram sends again is not handled again.
//!
//! The completions are the replies the fake Bot API (in the parent) recorded; the child is this
//! test binary re-executed with `CHILD_URL` set (no harness). No sleeps to wait for an effect:
//! the parent kills after reading a fixed number of `done` lines and waits for the stand-in to
//! see every update answered. Mutation check: `TELEGRAM_EXT_CRASH_ON_RECEIPT=1` runs the
//! first run's children with `Ack::OnReceipt` and no journal; the updates queued and answered
//! at the kill are then lost and this test fails.

mod crash_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use telegram_ext::delivery::UpdateJournal;
use telegram_ext::handlers::TypeHandler;
use telegram_ext::processing::Concurrent;
use telegram_ext::store::SqliteStore;
use telegram_ext::types::ChatAction;
use telegram_ext::{Ack, Application, Context, HandlerResult, Update, WebhookConfig};
use telegram_test::{FakeBotApi, Fault, Schedule};
use tokio::sync::Semaphore;

use crash_support::{answers, ids_under, stop_gracefully};

/// The fake server's URL; set only in the child.
const CHILD_URL: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_URL";
/// The bot token; set only in the child.
const CHILD_TOKEN: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_TOKEN";
/// The port the child serves on; set only in the child.
const CHILD_PORT: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_PORT";
/// Set (to anything) to run the first run's children with `Ack::OnReceipt`: the mutation check.
const ON_RECEIPT: &str = "TELEGRAM_EXT_CRASH_ON_RECEIPT";
/// The SQLite file of the journal; set in the children of the journal run.
const CHILD_JOURNAL: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_JOURNAL";

const CHATS: usize = 40;
const PER_CHAT: usize = 50;
/// Requests the stand-in has open at once (Telegram's default `max_connections`).
const MAX_CONNECTIONS: usize = 40;
/// The slow part of a handler, before its reply.
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
    after_processing_loses_nothing_and_repeats_only_the_unanswered(&runtime);
    on_receipt_with_a_journal_loses_nothing_and_repeats_only_the_journaled(&runtime);
}

fn after_processing_loses_nothing_and_repeats_only_the_unanswered(
    runtime: &tokio::runtime::Runtime,
) {
    let run = crash_and_restart(runtime, None);
    for id in &run.twice {
        assert!(
            !run.answered_at_kill.contains(id),
            "update {id} was answered 2xx before the kill and handled again"
        );
    }
    assert!(
        run.twice.len() <= CHATS,
        "more than one update per chat in flight"
    );
    eprintln!(
        "webhook AfterProcessing: killed with {} of {} updates answered 2xx; {} handled twice (in flight at the kill, at most one per chat); all handled",
        run.answered_at_kill.len(),
        CHATS * PER_CHAT,
        run.twice.len()
    );
}

fn on_receipt_with_a_journal_loses_nothing_and_repeats_only_the_journaled(
    runtime: &tokio::runtime::Runtime,
) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("journal.db");
    let run = crash_and_restart(runtime, Some(&path));
    let journaled = run
        .journaled_at_kill
        .expect("the journal was read at the kill");
    // Handled by the first process and replayed by the second; not replayed and also taken
    // from Telegram's redelivery.
    let in_flight: BTreeSet<i64> = journaled
        .intersection(&run.started_by_first)
        .copied()
        .collect();
    for id in &run.twice {
        assert!(
            in_flight.contains(id),
            "update {id} was handled twice, but it was not in flight at the kill (started by the first process, still in the journal)"
        );
    }
    let answered_unhandled = journaled.intersection(&run.answered_at_kill).count();
    eprintln!(
        "webhook OnReceipt + journal: killed with {} of {} updates answered 2xx; {} in the journal at the kill ({} of them answered 2xx: only the journal had them), {} in flight (started, in the journal); {} handled twice; all handled",
        run.answered_at_kill.len(),
        CHATS * PER_CHAT,
        journaled.len(),
        answered_unhandled,
        in_flight.len(),
        run.twice.len()
    );
    assert!(
        answered_unhandled > 0,
        "no update answered 2xx was unprocessed at the kill: the replay was not exercised"
    );
}

/// What one crash-and-restart run left.
struct Run {
    /// The updates the stand-in had seen answered 2xx when the first child was dead.
    answered_at_kill: BTreeSet<i64>,
    /// The updates whose handler the first child started.
    started_by_first: BTreeSet<i64>,
    /// The update ids in the journal at the kill (journal run only).
    journaled_at_kill: Option<BTreeSet<i64>>,
    /// Update ids handled more than once.
    twice: BTreeSet<i64>,
}

/// Runs a child (with the journal in the SQLite file at `journal`, if given) while the stand-in
/// delivers, kills it after `KILL_AFTER` replies, runs a second until every update was answered
/// 2xx and stops it gracefully; checks that every update was handled.
fn crash_and_restart(runtime: &tokio::runtime::Runtime, journal: Option<&Path>) -> Run {
    let server = runtime.block_on(
        FakeBotApi::builder()
            .default_timeout(Duration::from_secs(300))
            .start(),
    );
    server.inject("sendChatAction", Fault::Latency(WORK), Schedule::Always);
    let chats: Vec<i64> = (0..CHATS)
        .map(|c| server.user(&format!("user{c}")).id())
        .collect();
    // The port stays the same across the two children, as a webhook URL does.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");

    let mut first = spawn_child(&server, port, journal);
    let answered = Arc::new(Mutex::new(BTreeSet::new()));
    let sender = runtime.spawn(telegram(url, chats, answered.clone()));
    let mut reports = BufReader::new(first.stdout.take().expect("piped stdout"));
    let mut done = 0;
    let mut started_by_first = BTreeSet::new();
    let mut line = String::new();
    while done < KILL_AFTER {
        line.clear();
        let read = reports
            .read_line(&mut line)
            .expect("read the child's reports");
        assert!(read > 0, "the first child ended before it was killed");
        done += usize::from(line.starts_with("done "));
        started_by_first.extend(started(&line));
    }
    first.kill().expect("SIGKILL the child");
    assert_eq!(first.wait().expect("reap").signal(), Some(9));
    // The lines written before the kill (a line cut by it ends the read).
    for line in reports.lines().map_while(Result::ok) {
        started_by_first.extend(started(&line));
    }
    let answered_at_kill = answered.lock().unwrap().clone();
    assert!(
        answered_at_kill.len() < CHATS * PER_CHAT,
        "the kill came after the end"
    );

    let journaled_at_kill =
        journal.map(|path| runtime.block_on(ids_under(path, &server.token(), "journal")));

    let second = spawn_child(&server, port, journal);
    runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(300), sender).await })
        .expect("every update is answered 2xx in the end")
        .expect("the stand-in ran");
    stop_gracefully(second, Duration::from_secs(300));

    let replies = answers(&server);
    let all: Vec<i64> = (0..CHATS * PER_CHAT).map(update_id).collect();
    let missing: Vec<i64> = all
        .iter()
        .copied()
        .filter(|id| !replies.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} updates answered 2xx were never handled, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    let twice = replies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    runtime.block_on(server.shutdown());
    Run {
        answered_at_kill,
        started_by_first,
        journaled_at_kill,
        twice,
    }
}

/// The update a child's `start {id}` line names.
fn started(line: &str) -> Option<i64> {
    line.trim().strip_prefix("start ")?.parse().ok()
}

fn update_id(i: usize) -> i64 {
    1_000 + i as i64
}

/// Telegram's webhook sender, in miniature: each chat's updates one after another, at most
/// `MAX_CONNECTIONS` requests open, the same update again until it is answered 2xx (a brief
/// pause between attempts while no process listens). Records the updates answered 2xx.
async fn telegram(url: String, chats: Vec<i64>, answered: Arc<Mutex<BTreeSet<i64>>>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut senders = tokio::task::JoinSet::new();
    for (c, chat) in chats.into_iter().enumerate() {
        let (client, connections, answered, url) = (
            client.clone(),
            connections.clone(),
            answered.clone(),
            url.clone(),
        );
        senders.spawn(async move {
            for seq in 0..PER_CHAT {
                let id = update_id(seq * CHATS + c);
                let body = serde_json::json!({"update_id": id, "message": {"message_id": id,
                    "date": 1, "chat": {"id": chat, "type": "private"}, "text": seq.to_string()}})
                .to_string();
                loop {
                    let ok = {
                        let _open = connections.acquire().await.expect("never closed");
                        let request = http::Request::post(url.as_str())
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from(body.clone())))
                            .expect("a valid request");
                        matches!(client.request(request).await, Ok(r) if r.status().is_success())
                    };
                    if ok {
                        answered.lock().unwrap().insert(id);
                        break;
                    }
                    // Not a wait for an effect: Telegram too waits before trying again.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        });
    }
    while let Some(sent) = senders.join_next().await {
        sent.expect("a chat's sender panicked");
    }
}

fn spawn_child(server: &FakeBotApi, port: u16, journal: Option<&Path>) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .env(CHILD_URL, server.url())
        .env(CHILD_TOKEN, server.token())
        .env(CHILD_PORT, port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(path) = journal {
        command.env(CHILD_JOURNAL, path);
    }
    command.spawn().expect("the child starts")
}

/// The child: serves the webhook until killed (or stopped by `SIGTERM`).
fn child(url: &str) {
    let token = std::env::var(CHILD_TOKEN).expect("the parent sets the token");
    let port: u16 = std::env::var(CHILD_PORT)
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("the parent sets the port");
    let journal: Option<PathBuf> = std::env::var_os(CHILD_JOURNAL).map(PathBuf::from);
    let ack = match (&journal, std::env::var_os(ON_RECEIPT)) {
        (None, None) => Ack::AfterProcessing,
        _ => Ack::OnReceipt,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let mut builder = Application::builder()
            .token(token)
            .base_url(url)
            .processor(Concurrent::new(64));
        if let Some(path) = journal {
            let store = SqliteStore::open(path).expect("the journal's file opens");
            builder = builder
                .shared_store(Arc::new(store))
                .journal(UpdateJournal::new());
        }
        let app = builder.build().expect("the child's application");
        app.add_handler(TypeHandler::new(|_: &Update| true, answer), 0);
        let config = WebhookConfig::new(([127, 0, 0, 1], port).into(), "/hook").ack(ack);
        app.run_webhook(config).await.expect("the webhook runs");
    });
}

async fn answer(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let id = update.update_id;
    let chat = update.effective_chat().map(|c| c.id).unwrap_or_default();
    let _ = writeln!(std::io::stdout().lock(), "start {id}");
    ctx.bot.send_chat_action(chat, ChatAction::Typing).await?;
    ctx.bot.send_message(chat, format!("done {id}")).await?;
    let _ = writeln!(std::io::stdout().lock(), "done {id}");
    Ok(())
}
