//! The webhook against slow and stuck clients: a request head or body that never completes
//! cannot hold a connection, the connection limit holds, and a stop waits for open connections
//! at most the drain timeout (not at all when forced).
//!
//! Real sockets on loopback, so hyper's timers run on real time: the timeouts here are short
//! and the only time assertions are hang guards (a stop that never ends fails the test instead
//! of hanging it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use telegram_ext::handlers::TypeHandler;
use telegram_ext::{Application, Context, HandlerResult, Update, WebhookConfig};
use telegram_test::FakeBotApi;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Longer than any stop or close here may take: past it the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);
/// A timeout the test must never reach.
const FOREVER: Duration = Duration::from_secs(3600);

#[derive(Default)]
struct Handled {
    count: AtomicUsize,
    changed: Notify,
}

async fn count(_: Arc<Update>, ctx: Context<Handled>) -> HandlerResult {
    ctx.state.count.fetch_add(1, Ordering::SeqCst);
    ctx.state.changed.notify_waiters();
    Ok(())
}

impl Handled {
    async fn wait_for(&self, n: usize) {
        tokio::time::timeout(HANG, async {
            loop {
                let changed = self.changed.notified();
                if self.count.load(Ordering::SeqCst) >= n {
                    return;
                }
                changed.await;
            }
        })
        .await
        .expect("the updates were not handled");
    }
}

struct Running {
    app: Application<Handled>,
    addr: std::net::SocketAddr,
    runner: JoinHandle<Result<(), telegram_ext::RunError>>,
}

async fn start(
    server: &FakeBotApi,
    drain_timeout: Duration,
    configure: impl FnOnce(WebhookConfig) -> WebhookConfig,
) -> Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Handled::default())
        .drain_timeout(drain_timeout)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, count), 0);
    let config = configure(
        WebhookConfig::new(addr, "/hook")
            .with_listener(listener)
            .stop_signals(false),
    );
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_webhook(config).await })
    };
    Running { app, addr, runner }
}

/// Ends when the run does; fails the test when that takes longer than `HANG`.
async fn ended(runner: JoinHandle<Result<(), telegram_ext::RunError>>) {
    tokio::time::timeout(HANG, runner)
        .await
        .expect("the stop hung")
        .unwrap()
        .unwrap();
}

fn update_json(id: i64) -> String {
    format!(
        r#"{{"update_id":{id},"message":{{"message_id":1,"date":1,"chat":{{"id":5,"type":"private"}},"text":"hi"}}}}"#
    )
}

/// Posts one update on a fresh connection; the status code.
async fn post(addr: std::net::SocketAddr, id: i64) -> u16 {
    let body = update_json(id);
    let request = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    status_of(&mut stream).await.expect("no answer")
}

/// Reads an answer's status code; `None` when the connection closed without one.
async fn status_of(stream: &mut TcpStream) -> Option<u16> {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let head = String::from_utf8_lossy(&answer);
    head.split(' ').nth(1).and_then(|code| code.parse().ok())
}

/// A slowloris client: sends half a request head, then one more header byte every 50 ms, for
/// ever. Ends when the server closes the connection.
async fn dribble(addr: std::net::SocketAddr) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await;
    let mut buf = [0u8; 64];
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(n) if n > 0 => {} // an error answer; the close follows
                _ => return,
            },
            () = tokio::time::sleep(Duration::from_millis(50)) => {
                if stream.write_all(b"a").await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `n` slowloris clients, connected (the head sent) when this returns; each task ends when the
/// server closes its connection.
async fn dribblers(addr: std::net::SocketAddr, n: usize) -> Vec<JoinHandle<()>> {
    (0..n).map(|_| tokio::spawn(dribble(addr))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_clients_are_closed_good_updates_flow_and_the_stop_is_bounded() {
    let server = FakeBotApi::start().await;
    let drain = Duration::from_secs(2);
    let running = start(&server, drain, |c| {
        c.header_read_timeout(Duration::from_millis(500))
            .connection_limit(512)
    })
    .await;

    // 200 connections dribble headers; good updates are answered meanwhile.
    let slow = dribblers(running.addr, 200).await;
    for id in 1..=20 {
        assert_eq!(post(running.addr, id).await, 200);
    }
    running.app.state().wait_for(20).await;

    // Each slow connection is closed once its head is late (500 ms), though it keeps sending.
    tokio::time::timeout(HANG, futures_util::future::join_all(slow))
        .await
        .expect("the slow connections were never closed");

    // 200 more are dribbling when the stop comes: it waits for them no longer than the drain
    // timeout (here the header timeout closes them first).
    let slow = dribblers(running.addr, 200).await;
    assert_eq!(post(running.addr, 21).await, 200);
    running.app.state().wait_for(21).await;
    running.app.stop_running();
    tokio::time::timeout(drain + Duration::from_secs(1), running.runner)
        .await
        .expect("stop_running did not return within the drain timeout")
        .unwrap()
        .unwrap();
    tokio::time::timeout(HANG, futures_util::future::join_all(slow))
        .await
        .expect("the slow connections outlived the stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stop_waits_for_stuck_connections_at_most_the_drain_timeout() {
    let server = FakeBotApi::start().await;
    // No read timeout would ever close them: only the drain timeout ends the wait.
    let running = start(&server, Duration::from_millis(300), |c| {
        c.header_read_timeout(FOREVER).body_read_timeout(FOREVER)
    })
    .await;
    let slow = dribblers(running.addr, 5).await;
    // An authenticated request announcing 100 bytes of body and sending 5.
    let mut short_body = TcpStream::connect(running.addr).await.unwrap();
    short_body
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"upd")
        .await
        .unwrap();
    assert_eq!(post(running.addr, 1).await, 200);
    running.app.state().wait_for(1).await;

    running.app.stop_running();
    ended(running.runner).await;
    tokio::time::timeout(HANG, futures_util::future::join_all(slow))
        .await
        .expect("the stuck connections were not dropped");
    assert_eq!(status_of(&mut short_body).await, None, "dropped unanswered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_stop_does_not_wait_for_open_connections() {
    let server = FakeBotApi::start().await;
    let running = start(&server, FOREVER, |c| {
        c.header_read_timeout(FOREVER).body_read_timeout(FOREVER)
    })
    .await;
    let slow = dribblers(running.addr, 5).await;
    assert_eq!(post(running.addr, 1).await, 200);
    running.app.state().wait_for(1).await;
    running.app.stop_running();
    running.app.force_stop();
    ended(running.runner).await;
    tokio::time::timeout(HANG, futures_util::future::join_all(slow))
        .await
        .expect("the open connections were not dropped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes() {
    let server = FakeBotApi::start().await;
    let running = start(&server, HANG, |c| {
        c.body_read_timeout(Duration::from_millis(200))
    })
    .await;
    let mut stream = TcpStream::connect(running.addr).await.unwrap();
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"upd")
        .await
        .unwrap();
    let status = tokio::time::timeout(HANG, status_of(&mut stream))
        .await
        .expect("the slow body was never answered");
    assert_eq!(status, Some(408));
    assert_eq!(post(running.addr, 1).await, 200);
    running.app.state().wait_for(1).await;
    running.app.stop_running();
    ended(running.runner).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let server = FakeBotApi::start().await;
    let running = start(&server, HANG, |c| {
        c.connection_limit(2).header_read_timeout(FOREVER)
    })
    .await;
    // Two idle connections take both slots.
    let first = TcpStream::connect(running.addr).await.unwrap();
    let _second = TcpStream::connect(running.addr).await.unwrap();
    let third = tokio::spawn(post(running.addr, 1));
    // Not served while the slots are held (a late answer would fail here, never the reverse).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!third.is_finished(), "served beyond the connection limit");
    assert_eq!(running.app.state().count.load(Ordering::SeqCst), 0);
    drop(first);
    assert_eq!(third.await.unwrap(), 200);
    running.app.state().wait_for(1).await;
    running.app.stop_running();
    ended(running.runner).await;
}
