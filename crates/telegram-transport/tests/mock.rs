//! `MockTransport`: recorded calls and scripted answers, no network.

use std::time::Duration;

use telegram_transport::{Bot, Error, MockTransport, RetryPolicy, TransportErrorKind};
use telegram_types::methods::{GetUpdates, SendMessage};
use telegram_types::InputFile;

fn message(text: &str) -> serde_json::Value {
    serde_json::json!({"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": text})
}

#[tokio::test]
async fn records_each_call_with_its_parameters() {
    let mock = MockTransport::new();
    mock.respond("sendMessage", message("hi"));
    let bot = Bot::with_transport("1:a", mock.clone());
    bot.send_message(42, "hi")
        .disable_notification(true)
        .await
        .unwrap();
    let calls = mock.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "sendMessage");
    assert_eq!(
        calls[0].params,
        serde_json::json!({"chat_id": 42, "text": "hi", "disable_notification": true})
    );
    assert!(!calls[0].long_poll);
}

#[tokio::test]
async fn call_sends_a_prebuilt_payload() {
    let mock = MockTransport::new();
    mock.respond("sendMessage", message("built"));
    let bot = Bot::with_transport("1:a", mock.clone());
    let sent = bot.call(SendMessage::new(42, "built")).await.unwrap();
    assert_eq!(sent.text.as_deref(), Some("built"));
}

#[tokio::test]
async fn a_long_poll_is_flagged_with_a_deadline_past_its_timeout() {
    let mock = MockTransport::new();
    mock.respond("getUpdates", serde_json::json!([]));
    mock.respond("getUpdates", serde_json::json!([]));
    let bot = Bot::with_transport("1:a", mock.clone());
    bot.get_updates().timeout(30).await.unwrap();
    bot.call(GetUpdates::new().timeout(5)).await.unwrap();
    let calls = mock.calls();
    assert!(calls[0].long_poll && calls[1].long_poll);
    assert!(calls[0].timeout.unwrap() > Duration::from_secs(30));
    assert!(calls[1].timeout.unwrap() > Duration::from_secs(5));
}

#[tokio::test]
async fn flood_then_success_is_retried() {
    let mock = MockTransport::new();
    mock.respond_raw(
        "sendMessage",
        429,
        r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 0","parameters":{"retry_after":0}}"#,
    );
    mock.respond("sendMessage", message("hi"));
    let bot = Bot::with_transport("1:a", mock.clone());
    bot.send_message(42, "hi").await.unwrap();
    assert_eq!(mock.calls_to("sendMessage").len(), 2);
}

#[tokio::test]
async fn no_retry_policy_returns_the_first_flood() {
    let mock = MockTransport::new();
    mock.respond_flood("sendMessage", 0);
    let bot = Bot::with_transport("1:a", mock.clone()).with_retry_policy(RetryPolicy::none());
    assert!(bot.send_message(42, "hi").await.unwrap_err().is_flood());
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test]
async fn a_stream_upload_is_never_replayed() {
    let mock = MockTransport::new();
    mock.respond_flood("sendDocument", 0);
    let bot = Bot::with_transport("1:a", mock.clone());
    let stream = futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"data"))]);
    let err = bot
        .send_document(42, InputFile::stream("a.txt", Box::pin(stream)))
        .await
        .unwrap_err();
    assert!(err.is_flood());
    assert_eq!(mock.calls().len(), 1);
    assert_eq!(&mock.calls()[0].files[0].data[..], b"data");
}

#[tokio::test]
async fn transport_failures_of_a_send_are_retried_only_when_opted_in() {
    let mock = MockTransport::new();
    mock.fail("sendChatAction", TransportErrorKind::Connect);
    let bot = Bot::with_transport("1:a", mock.clone());
    let err = bot.send_chat_action(42, "typing").await.unwrap_err();
    assert!(matches!(&err, Error::Transport(e) if e.is_connect()));
    assert_eq!(mock.calls().len(), 1);

    mock.fail("sendChatAction", TransportErrorKind::Io);
    mock.respond("sendChatAction", serde_json::json!(true));
    let policy = RetryPolicy::builder()
        .retry_server_errors(true)
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build();
    let bot = bot.with_retry_policy(policy);
    assert!(bot.send_chat_action(42, "typing").await.unwrap());
    assert_eq!(mock.calls().len(), 3);
}

#[tokio::test]
async fn transport_failures_of_a_safe_method_are_retried_by_default() {
    let mock = MockTransport::new();
    mock.fail("getMe", TransportErrorKind::Connect);
    mock.respond(
        "getMe",
        serde_json::json!({"id": 1, "is_bot": true, "first_name": "B"}),
    );
    let bot = Bot::with_transport("1:a", mock.clone());
    assert_eq!(bot.get_me().await.unwrap().first_name, "B");
    assert_eq!(mock.calls().len(), 2);
}

#[tokio::test]
async fn an_unscripted_call_is_a_404() {
    let bot = Bot::with_transport("1:a", MockTransport::new());
    assert_eq!(bot.get_me().await.unwrap_err().error_code(), Some(404));
}

#[test]
fn debug_never_prints_the_token() {
    let bot = Bot::with_transport("123456:SECRET", MockTransport::new());
    assert!(!format!("{bot:?}").contains("SECRET"));
    let request = bot.send_message(1, "x");
    assert!(!format!("{request:?}").contains("SECRET"));
}
