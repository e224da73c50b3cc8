//! `Ack::AfterProcessing`, the hard way: a bot process serves a webhook with slow handlers and is
//! killed with `SIGKILL` mid-run while a Telegram stand-in in the parent delivers 2 000 updates
//! (at most 40 requests at once, one chat's next update after the previous request ended, the
//! same update again after a non-2xx answer or a failed connection); a new process on the same
//! port takes over. Every update must have been answered, and twice only if its request had not
//! been answered 2xx at the kill (at most one per chat: the one in flight).
//!
//! The completions are the replies the fake Bot API (in the parent) recorded; the child is this
//! test binary re-executed with `CHILD_URL` set (no harness). No sleeps to wait for an effect:
//! the parent kills after reading a fixed number of `done` lines and waits for the stand-in to
//! see every update answered. Mutation check: `TELEGRAM_EXT_CRASH_ON_RECEIPT=1` runs the
//! children with `Ack::OnReceipt`; the updates queued and answered at the kill are then lost
//! and this test fails.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use telegram_ext::handlers::TypeHandler;
use telegram_ext::processing::Concurrent;
use telegram_ext::types::ChatAction;
use telegram_ext::{Ack, Application, Context, HandlerResult, Update, WebhookConfig};
use telegram_test::{FakeBotApi, Fault, Schedule};
use tokio::sync::Semaphore;

/// The fake server's URL; set only in the child.
const CHILD_URL: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_URL";
/// The bot token; set only in the child.
const CHILD_TOKEN: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_TOKEN";
/// The port the child serves on; set only in the child.
const CHILD_PORT: &str = "TELEGRAM_EXT_WEBHOOK_CRASH_CHILD_PORT";
/// Set (to anything) to run the children with `Ack::OnReceipt`: the mutation check.
const ON_RECEIPT: &str = "TELEGRAM_EXT_CRASH_ON_RECEIPT";

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
}

fn after_processing_loses_nothing_and_repeats_only_the_unanswered(
    runtime: &tokio::runtime::Runtime,
) {
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

    let mut first = spawn_child(&server, port);
    let answered = Arc::new(Mutex::new(BTreeSet::new()));
    let sender = runtime.spawn(telegram(url, chats, answered.clone()));
    let mut reports = BufReader::new(first.stdout.take().expect("piped stdout"));
    let mut done = 0;
    let mut line = String::new();
    while done < KILL_AFTER {
        line.clear();
        let read = reports
            .read_line(&mut line)
            .expect("read the child's reports");
        assert!(read > 0, "the first child ended before it was killed");
        done += usize::from(line.starts_with("done "));
    }
    first.kill().expect("SIGKILL the child");
    assert_eq!(first.wait().expect("reap").signal(), Some(9));
    let answered_at_kill = answered.lock().unwrap().clone();
    assert!(
        answered_at_kill.len() < CHATS * PER_CHAT,
        "the kill came after the end"
    );

    let mut second = spawn_child(&server, port);
    runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(300), sender).await })
        .expect("every update is answered 2xx in the end")
        .expect("the stand-in ran");
    second.kill().expect("stop the second child");
    second.wait().expect("reap the second child");

    let mut replies: BTreeMap<i64, usize> = BTreeMap::new();
    for request in server.requests_for("sendMessage") {
        let id = request
            .text()
            .and_then(|text| text.strip_prefix("done "))
            .and_then(|id| id.parse().ok())
            .expect("a reply names its update");
        *replies.entry(id).or_default() += 1;
    }
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
    let twice: Vec<i64> = replies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    for id in &twice {
        assert!(
            !answered_at_kill.contains(id),
            "update {id} was answered 2xx before the kill and handled again"
        );
    }
    assert!(
        twice.len() <= CHATS,
        "more than one update per chat in flight"
    );
    eprintln!(
        "webhook AfterProcessing: killed with {} of {} updates answered 2xx; {} handled twice (in flight at the kill, at most one per chat); all handled",
        answered_at_kill.len(),
        CHATS * PER_CHAT,
        twice.len()
    );
    runtime.block_on(server.shutdown());
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

fn spawn_child(server: &FakeBotApi, port: u16) -> Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .env(CHILD_URL, server.url())
        .env(CHILD_TOKEN, server.token())
        .env(CHILD_PORT, port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts")
}

/// The child: serves the webhook until killed.
fn child(url: &str) {
    let token = std::env::var(CHILD_TOKEN).expect("the parent sets the token");
    let port: u16 = std::env::var(CHILD_PORT)
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("the parent sets the port");
    let ack = match std::env::var_os(ON_RECEIPT) {
        Some(_) => Ack::OnReceipt,
        None => Ack::AfterProcessing,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let app = Application::builder()
            .token(token)
            .base_url(url)
            .processor(Concurrent::new(64))
            .build()
            .expect("the child's application");
        app.add_handler(TypeHandler::new(|_: &Update| true, answer), 0);
        let config = WebhookConfig::new(([127, 0, 0, 1], port).into(), "/hook")
            .ack(ack)
            .stop_signals(false);
        app.run_webhook(config).await.expect("the webhook runs");
    });
}

async fn answer(update: Arc<Update>, ctx: Context) -> HandlerResult {
    let id = update.update_id;
    let chat = update.effective_chat().map(|c| c.id).unwrap_or_default();
    ctx.bot.send_chat_action(chat, ChatAction::Typing).await?;
    ctx.bot.send_message(chat, format!("done {id}")).await?;
    let _ = writeln!(std::io::stdout().lock(), "done {id}");
    Ok(())
}
