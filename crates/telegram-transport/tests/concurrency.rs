//! Long polls next to other calls, and many concurrent sends under flood control, against the
//! fake Bot API server over loopback HTTP. No sleeps: the server's records are the events.

use std::collections::HashMap;

use telegram_test::{FakeBotApi, Fault, Schedule};
use telegram_transport::{Bot, RetryPolicy};

#[tokio::test]
async fn a_long_poll_does_not_block_a_concurrent_send() {
    let server = FakeBotApi::start().await;
    let bot = Bot::new(server.token()).with_api_url(server.url());
    let alice = server.user("alice");

    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(30).await }
    });
    // The poll is recorded on arrival, while the server holds it.
    let held = server.next_request("getUpdates").await.unwrap();
    assert_eq!(held.int_param("timeout"), Some(30));
    assert_eq!(held.status, None, "the poll is still pending");

    let sent = bot
        .send_message(alice.chat_id(), "while polling")
        .await
        .unwrap();
    assert_eq!(sent.text.as_deref(), Some("while polling"));
    assert!(!poll.is_finished(), "the poll is still held by the server");

    alice.send_text("wake up").await;
    let updates = poll.await.unwrap().unwrap();
    assert_eq!(updates.len(), 1);
    let update = updates[0].as_ref().unwrap();
    assert_eq!(update.kind.key(), "message");
}

#[tokio::test]
async fn a_malformed_update_does_not_fail_the_poll() {
    let server = FakeBotApi::start().await;
    let bot = Bot::new(server.token()).with_api_url(server.url());
    server.user("alice").send_text("first").await;
    let bad_id = server.push_update(serde_json::json!({"message": {"message_id": "not a number"}}));
    server.user("alice").send_text("third").await;
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 3);
    assert!(updates[0].is_ok() && updates[2].is_ok());
    assert_eq!(updates[1].as_ref().unwrap_err().update_id, Some(bad_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_send_arrives_exactly_once_under_flood_control() {
    const SENDS: usize = 500;
    let server = FakeBotApi::start().await;
    let bot = Bot::new(server.token())
        .with_api_url(server.url())
        .with_retry_policy(RetryPolicy::builder().max_retries(10).build());
    let chat = server.user("alice").chat_id();
    server.inject("sendMessage", Fault::RetryAfter(1), Schedule::EveryNth(10));

    let tasks: Vec<_> = (0..SENDS)
        .map(|i| {
            let bot = bot.clone();
            tokio::spawn(async move { bot.send_message(chat, format!("send {i}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    for request in server.requests_for("sendMessage") {
        *seen.entry(request.text().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(seen.len(), SENDS);
    assert!(seen.values().all(|&n| n == 1), "a send was executed twice");
    assert!(server.faulted_requests().len() >= SENDS / 10);
}
