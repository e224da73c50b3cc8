//! Each kind of failure, over real loopback HTTP against the fake Bot API server.

use std::time::Duration;

use telegram_test::{FakeBotApi, Fault, Schedule};
use telegram_transport::{Bot, Error, MockTransport, RetryPolicy, TransportErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn setup() -> (FakeBotApi, Bot, i64) {
    let server = FakeBotApi::start().await;
    let bot = Bot::new(server.token()).with_api_url(server.url());
    let chat = server.user("alice").chat_id();
    (server, bot, chat)
}

#[tokio::test]
async fn api_errors_keep_code_and_description() {
    let (_server, bot, chat) = setup().await;
    let err = bot.send_message(chat, "").await.unwrap_err();
    let Error::Api {
        error_code,
        description,
        ..
    } = &err
    else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(*error_code, 400);
    assert_eq!(description, "Bad Request: message text is empty");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let (server, _, _) = setup().await;
    let bot = Bot::new("1:wrong").with_api_url(server.url());
    let err = bot.get_me().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
}

#[tokio::test]
async fn blocked_by_the_user_is_recognised() {
    let mock = MockTransport::new();
    mock.respond_error("sendMessage", 403, "Forbidden: bot was blocked by the user");
    let bot = Bot::with_transport("1:a", mock);
    let err = bot.send_message(1, "hi").await.unwrap_err();
    assert!(err.is_blocked_by_user());
    assert_eq!(err.error_code(), Some(403));
}

#[tokio::test]
async fn a_flood_is_retried_after_retry_after_then_succeeds() {
    let (server, bot, chat) = setup().await;
    server.inject("sendMessage", Fault::RetryAfter(1), Schedule::Times(1));
    let sent = bot.send_message(chat, "once").await.unwrap();
    assert_eq!(sent.text.as_deref(), Some("once"));
    assert_eq!(server.requests_for("sendMessage").len(), 1);
    assert_eq!(server.faulted_requests().len(), 1);
}

#[tokio::test]
async fn a_flood_longer_than_the_total_wait_is_returned() {
    let (server, bot, chat) = setup().await;
    let bot = bot.with_retry_policy(
        RetryPolicy::builder()
            .max_total_wait(Duration::ZERO)
            .build(),
    );
    server.inject("sendMessage", Fault::RetryAfter(7), Schedule::Times(1));
    let err = bot.send_message(chat, "x").await.unwrap_err();
    assert!(err.is_flood());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn a_safe_method_is_retried_on_a_server_error_and_a_send_is_not() {
    // The default policy: its backoff (100..200 ms, then 200..400 ms) is waited for real.
    let (server, bot, chat) = setup().await;
    server.inject("getChat", Fault::ServerError(500), Schedule::Times(2));
    server.inject("sendMessage", Fault::ServerError(500), Schedule::Times(1));
    let got = bot.get_chat(chat).await.unwrap();
    assert_eq!(got.id, chat);
    let err = bot.send_message(chat, "once").await.unwrap_err();
    assert!(err.is_server_error(), "{err:?}");
    let faulted: Vec<String> = server
        .faulted_requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(faulted, ["getChat", "getChat", "sendMessage"]);
    assert_eq!(server.requests_for("getChat").len(), 1);
    assert!(server.requests_for("sendMessage").is_empty());
}

#[tokio::test]
async fn a_safe_method_is_retried_after_a_dropped_connection() {
    let (server, bot, chat) = setup().await;
    server.inject("getChat", Fault::DropConnection, Schedule::Times(1));
    bot.get_chat(chat).await.unwrap();
    assert_eq!(server.faulted_requests().len(), 1);
    assert_eq!(server.requests_for("getChat").len(), 1);
}

#[tokio::test]
async fn server_errors_are_not_retried_by_default() {
    let (server, bot, chat) = setup().await;
    server.inject("sendMessage", Fault::ServerError(502), Schedule::Times(1));
    let err = bot.send_message(chat, "x").await.unwrap_err();
    assert!(err.is_server_error() && err.is_retryable(), "{err:?}");
    assert_eq!(server.faulted_requests().len(), 1);
    assert!(server.requests_for("sendMessage").is_empty());
}

#[tokio::test]
async fn server_errors_are_retried_when_opted_in() {
    let (server, bot, chat) = setup().await;
    let policy = RetryPolicy::builder()
        .retry_server_errors(true)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build();
    let bot = bot.with_retry_policy(policy);
    server.inject("sendMessage", Fault::ServerError(500), Schedule::Times(2));
    bot.send_message(chat, "third time").await.unwrap();
    assert_eq!(server.faulted_requests().len(), 2);
    assert_eq!(server.requests_for("sendMessage").len(), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let (server, bot, chat) = setup().await;
    server.inject("sendMessage", Fault::DropConnection, Schedule::Times(1));
    let err = bot.send_message(chat, "x").await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Io, "{transport:?}");
    assert!(err.is_retryable());
    // Not retried by default: the call may have gone through.
    assert_eq!(server.faulted_requests().len(), 1);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let (server, bot, chat) = setup().await;
    server.inject(
        "sendMessage",
        Fault::Latency(Duration::from_secs(30)),
        Schedule::Always,
    );
    let err = bot
        .send_message(chat, "x")
        .request_timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.is_timeout()),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let bot = Bot::new("1:a").with_api_url(url);
    let err = bot.get_me().await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.is_connect()),
        "{err:?}"
    );
}

/// A one-shot HTTP server answering every request with `status` and `body`, as is.
async fn raw_server(status: &'static str, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let mut read = 0;
                // Read until the end of the headers and the JSON body (small, one segment).
                while !request[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut request[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_undecodable_body_is_kept_in_the_error() {
    let url = raw_server("200 OK", "<html>not json</html>").await;
    let bot = Bot::new("1:a").with_api_url(url);
    let err = bot.get_me().await.unwrap_err();
    let Error::Decode { status, body, .. } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(*status, 200);
    assert_eq!(&body[..], b"<html>not json</html>");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_gateway_error_page_is_a_server_error() {
    let url = raw_server("502 Bad Gateway", "<html>bad gateway</html>").await;
    let bot = Bot::new("1:a").with_api_url(url);
    let err = bot.get_me().await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 502, .. }), "{err:?}");
    assert!(err.is_server_error() && err.is_retryable());
}
