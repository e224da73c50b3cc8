//! Fault injection: latency, 429, 5xx, dropped connections, slow bodies, schedules.

mod common;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use serde_json::json;
use telegram_test::{FakeBotApi, Fault, Schedule};

// Paused time: the latency is virtual, so the answer comes exactly that much later, however
// loaded the machine.
#[tokio::test(start_paused = true)]
async fn latency_delays_the_answer_but_runs_the_call() {
    let server = FakeBotApi::start().await;
    server.inject(
        "getMe",
        Fault::Latency(Duration::from_millis(200)),
        Schedule::Times(1),
    );
    let started = tokio::time::Instant::now();
    let (status, _) = common::call(&server, "getMe", json!({})).await;
    assert_eq!(status, 200);
    let elapsed = started.elapsed();
    assert!(
        (Duration::from_millis(200)..Duration::from_millis(300)).contains(&elapsed),
        "{elapsed:?}"
    );
    assert_eq!(server.requests_for("getMe").len(), 1);
    assert!(server.faulted_requests().is_empty());
}

#[tokio::test]
async fn retry_after_answers_429_without_running_the_call() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    server.inject("sendMessage", Fault::RetryAfter(7), Schedule::Times(1));
    let params = json!({"chat_id": alice.id(), "text": "hi"});
    let (status, body) = common::call(&server, "sendMessage", params.clone()).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7",
               "parameters": {"retry_after": 7}})
    );
    assert!(server.requests_for("sendMessage").is_empty());
    assert_eq!(server.faulted_requests().len(), 1);
    assert_eq!(
        server.faulted_requests()[0].fault,
        Some(Fault::RetryAfter(7))
    );
    let (status, body) = common::call(&server, "sendMessage", params).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["message_id"], 1);
}

#[tokio::test]
async fn server_errors_answer_the_status_with_a_json_body() {
    let server = FakeBotApi::start().await;
    server.inject("getMe", Fault::ServerError(502), Schedule::Always);
    let (status, body) = common::call(&server, "getMe", json!({})).await;
    assert_eq!(status, 502);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 502, "description": "Bad Gateway"})
    );
    server.clear_faults();
    assert_eq!(common::call(&server, "getMe", json!({})).await.0, 200);
}

#[tokio::test]
async fn dropped_connections_give_the_client_a_connection_error() {
    let server = FakeBotApi::start().await;
    server.inject("getMe", Fault::DropConnection, Schedule::Times(1));
    let request = http::Request::post(format!("{}/bot{}/getMe", server.url(), server.token()))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let result = common::send(&common::client(), request).await;
    assert!(
        result.is_err(),
        "expected a connection error, got {result:?}"
    );
    assert_eq!(server.faulted_requests().len(), 1);
    assert!(server.requests().is_empty());
    assert_eq!(common::call(&server, "getMe", json!({})).await.0, 200);
}

#[tokio::test]
async fn every_nth_hits_exactly_those_calls() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    server.inject("sendMessage", Fault::RetryAfter(1), Schedule::EveryNth(3));
    let mut statuses = Vec::new();
    for i in 0..7 {
        let params = json!({"chat_id": alice.id(), "text": format!("m{i}")});
        statuses.push(common::call(&server, "sendMessage", params).await.0);
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200, 429, 200]);
    assert_eq!(server.requests_for("sendMessage").len(), 5);
    assert_eq!(server.faulted_requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn slow_body_streams_the_full_answer() {
    let server = FakeBotApi::start().await;
    server.inject(
        "getMe",
        Fault::SlowBody {
            chunk_delay: Duration::from_millis(20),
        },
        Schedule::Always,
    );
    let started = tokio::time::Instant::now();
    let (status, body) = common::call(&server, "getMe", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], server.bot_user());
    // The body is over 64 bytes, so at least two delayed chunks (virtual time: exact).
    assert!(started.elapsed() >= Duration::from_millis(40));
}
