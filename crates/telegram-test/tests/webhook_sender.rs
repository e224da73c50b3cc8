//! The fake server as Telegram's webhook sender, against real HTTP receivers on loopback: at
//! most `max_connections` requests at once, one chat's updates one after another,
//! redelivery after a non-2xx answer, a timeout or a dropped connection, and several replicas
//! behind a balancer (round robin, seeded random), one of them dead.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use telegram_test::{Balance, FakeBotApi};
use tokio::sync::Notify;

/// What a receiver does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Status(u16),
    /// Close the connection without an answer.
    Drop,
    /// Never answer (the sender's timeout ends it).
    Hang,
}

/// Decides the answer from (update id, how many times this receiver saw it before).
type Script = Arc<dyn Fn(i64, usize) -> Answer + Send + Sync>;

/// What receivers saw, shared by all the receivers of a test.
#[derive(Debug, Default)]
struct Log {
    /// (receiver, update id, chat id) per request, in arrival order.
    arrivals: Vec<(usize, i64, i64)>,
    /// Requests in flight now, and the most at once.
    in_flight: usize,
    max_in_flight: usize,
    /// Requests in flight per chat now, and the most at once for any chat.
    per_chat: HashMap<i64, usize>,
    max_per_chat: usize,
    /// Attempts per update id.
    seen: HashMap<i64, usize>,
}

#[derive(Clone, Default)]
struct Shared {
    log: Arc<Mutex<Log>>,
    changed: Arc<Notify>,
    /// Requests wait here until the gate opens (when set).
    gate: Option<Arc<Gate>>,
}

/// Holds requests until `open_at` are in flight at once, then lets every request through.
struct Gate {
    open_at: usize,
    open: Mutex<bool>,
    opened: Notify,
}

impl Shared {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().expect("not poisoned")
    }

    /// Records an arrival; returns how many times the update was seen before.
    fn arrive(&self, receiver: usize, id: i64, chat: i64) -> usize {
        let mut log = self.log();
        log.arrivals.push((receiver, id, chat));
        log.in_flight += 1;
        log.max_in_flight = log.max_in_flight.max(log.in_flight);
        let now = {
            let count = log.per_chat.entry(chat).or_default();
            *count += 1;
            *count
        };
        log.max_per_chat = log.max_per_chat.max(now);
        let seen = log.seen.entry(id).or_default();
        *seen += 1;
        let before = *seen - 1;
        if let Some(gate) = &self.gate {
            if log.in_flight >= gate.open_at {
                *gate.open.lock().expect("not poisoned") = true;
                gate.opened.notify_waiters();
            }
        }
        before
    }

    fn leave(&self, chat: i64) {
        let mut log = self.log();
        log.in_flight -= 1;
        *log.per_chat.entry(chat).or_default() -= 1;
    }

    async fn pass_gate(&self) {
        let Some(gate) = &self.gate else { return };
        loop {
            let opened = gate.opened.notified();
            tokio::pin!(opened);
            opened.as_mut().enable();
            if *gate.open.lock().expect("not poisoned") {
                return;
            }
            opened.await;
        }
    }
}

/// Leaves the in-flight counts when the request ends, answered, dropped or cancelled.
struct InFlight {
    shared: Shared,
    chat: i64,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared.leave(self.chat);
        self.shared.changed.notify_waiters();
    }
}

/// A receiver on loopback; returns its URL.
async fn receiver(index: usize, shared: Shared, script: Script) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (shared, script) = (shared.clone(), script.clone());
            let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
                let (shared, script) = (shared.clone(), script.clone());
                async move {
                    let body = request
                        .into_body()
                        .collect()
                        .await
                        .expect("body")
                        .to_bytes();
                    let update: Value = serde_json::from_slice(&body).expect("JSON update");
                    let id = update["update_id"].as_i64().expect("update_id");
                    let chat = update["message"]["chat"]["id"].as_i64().expect("chat");
                    let before = shared.arrive(index, id, chat);
                    let _in_flight = InFlight {
                        shared: shared.clone(),
                        chat,
                    };
                    shared.changed.notify_waiters();
                    shared.pass_gate().await;
                    // Let other requests overlap this one.
                    tokio::task::yield_now().await;
                    match script(id, before) {
                        Answer::Status(status) => {
                            let mut response = http::Response::new(Full::new(Bytes::new()));
                            *response.status_mut() =
                                http::StatusCode::from_u16(status).expect("status");
                            Ok::<_, String>(response)
                        }
                        Answer::Drop => Err("drop the connection".to_owned()),
                        Answer::Hang => std::future::pending().await,
                    }
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    url
}

fn always(status: u16) -> Script {
    Arc::new(move |_, _| Answer::Status(status))
}

async fn set_webhook(server: &FakeBotApi, url: &str, max_connections: u32) {
    let (status, _) = common::call(
        server,
        "setWebhook",
        json!({"url": url, "max_connections": max_connections}),
    )
    .await;
    assert_eq!(status, 200);
}

/// Pushes `per_chat` text messages to each of `chats` chats, chat after chat; returns the
/// update ids per chat, in order.
fn push_messages(server: &FakeBotApi, chats: i64, per_chat: usize) -> BTreeMap<i64, Vec<i64>> {
    let mut ids = BTreeMap::new();
    for chat in 1..=chats {
        for n in 0..per_chat {
            let id = server.push_update(json!({
                "message": {
                    "message_id": n + 1,
                    "date": 0,
                    "chat": {"id": chat, "type": "private"},
                    "text": format!("m{n}"),
                }
            }));
            ids.entry(chat).or_insert_with(Vec::new).push(id);
        }
    }
    ids
}

/// Each chat's arrivals, in arrival order.
fn arrivals_per_chat(log: &Log) -> BTreeMap<i64, Vec<i64>> {
    let mut per_chat: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for &(_, id, chat) in &log.arrivals {
        per_chat.entry(chat).or_default().push(id);
    }
    per_chat
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_max_connections_at_once_and_one_request_per_chat() {
    let server = FakeBotApi::start().await;
    // Requests are held until three are in flight: a sender that never reaches
    // `max_connections` hangs the test; one that goes past it or sends two of a chat at
    // once shows in the maxima.
    let shared = Shared {
        gate: Some(Arc::new(Gate {
            open_at: 3,
            open: Mutex::new(false),
            opened: Notify::new(),
        })),
        ..Shared::default()
    };
    let url = receiver(0, shared.clone(), always(200)).await;
    // Chat after chat: a sender ignoring chats would send chat 1's first three at once.
    let sent = push_messages(&server, 8, 5);
    set_webhook(&server, &url, 3).await;
    server.wait_until_drained().await.expect("all delivered");

    let log = shared.log();
    assert_eq!(
        log.max_in_flight, 3,
        "max_connections is the bound, and reached"
    );
    assert_eq!(log.max_per_chat, 1, "one request per chat at a time");
    assert_eq!(
        arrivals_per_chat(&log),
        sent,
        "each chat's updates in order"
    );
    let stats = server.webhook_stats();
    assert_eq!(
        (stats.delivered, stats.attempts, stats.redeliveries),
        (40, 40, 0)
    );
    assert_eq!(stats.max_in_flight, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_redelivered_before_their_chat_moves_on() {
    let server = FakeBotApi::builder()
        .webhook_timeout(Duration::from_millis(300))
        .webhook_retry_delay(Duration::from_millis(10))
        .start()
        .await;
    let shared = Shared::default();
    let sent = push_messages(&server, 3, 4);
    // The second update of chat 1 is refused once, of chat 2 dropped once, of chat 3 left
    // unanswered once.
    let refused = sent[&1][1];
    let dropped = sent[&2][1];
    let hung = sent[&3][1];
    let script: Script = Arc::new(move |id, before| match (id, before) {
        (id, 0) if id == refused => Answer::Status(500),
        (id, 0) if id == dropped => Answer::Drop,
        (id, 0) if id == hung => Answer::Hang,
        _ => Answer::Status(200),
    });
    let url = receiver(0, shared.clone(), script).await;
    set_webhook(&server, &url, 40).await;
    server.wait_until_drained().await.expect("all delivered");

    let log = shared.log();
    let mut expected = sent.clone();
    for (chat, id) in [(1, refused), (2, dropped), (3, hung)] {
        let ids = expected.get_mut(&chat).expect("chat");
        let at = ids.iter().position(|&x| x == id).expect("sent");
        ids.insert(at, id);
    }
    assert_eq!(
        arrivals_per_chat(&log),
        expected,
        "a failed update is tried again before its chat's next one"
    );
    assert_eq!(log.max_per_chat, 1);
    let stats = server.webhook_stats();
    assert_eq!(stats.delivered, 12);
    assert_eq!(stats.attempts, 15);
    assert_eq!(stats.redeliveries, 3);
    assert_eq!(
        (stats.rejected, stats.connection_errors, stats.timeouts),
        (1, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_behind_a_balancer_get_every_update_even_with_one_dead() {
    for balance in [Balance::RoundRobin, Balance::Random { seed: 15 }] {
        let server = FakeBotApi::builder()
            .webhook_retry_delay(Duration::from_millis(5))
            .start()
            .await;
        let shared = Shared::default();
        let first = receiver(0, shared.clone(), always(200)).await;
        let second = receiver(1, shared.clone(), always(200)).await;
        // A replica that is down: its port refuses connections.
        let dead = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            format!("http://{}/hook", listener.local_addr().expect("addr"))
        };
        let sent = push_messages(&server, 10, 6);
        // The balancer first: no attempt may go to its public address.
        server.balance_webhook([first.clone(), second.clone(), dead.clone()], balance);
        set_webhook(&server, "http://balancer.invalid/hook", 40).await;
        server.wait_until_drained().await.expect("all delivered");

        let log = shared.log();
        assert_eq!(
            arrivals_per_chat(&log),
            sent,
            "{balance:?}: every update, in order"
        );
        let per_receiver = |index| log.arrivals.iter().filter(|a| a.0 == index).count();
        assert!(
            per_receiver(0) > 0 && per_receiver(1) > 0,
            "{balance:?}: both live replicas served"
        );
        let stats = server.webhook_stats();
        assert_eq!(stats.delivered, 60);
        let to_dead = stats.attempts_per_url.get(&dead).copied().unwrap_or(0);
        assert!(to_dead > 0, "{balance:?}: the dead replica was tried");
        assert_eq!(stats.connection_errors, to_dead, "{balance:?}");
        assert_eq!(
            stats.redeliveries, to_dead,
            "{balance:?}: each failure redelivered"
        );
        assert_eq!(stats.attempts, 60 + to_dead);
        assert!(!stats
            .attempts_per_url
            .contains_key("http://balancer.invalid/hook"));
        if balance == Balance::RoundRobin {
            let spread: Vec<u64> = [&first, &second, &dead]
                .iter()
                .map(|url| stats.attempts_per_url[*url])
                .collect();
            let (min, max) = (spread.iter().min(), spread.iter().max());
            assert!(
                max.zip(min).is_some_and(|(max, min)| max - min <= 1),
                "round robin: turns {spread:?}"
            );
        }
        eprintln!("{balance:?}: {stats:?}");
    }
}
