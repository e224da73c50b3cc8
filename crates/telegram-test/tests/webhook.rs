//! Webhooks: delivery with the secret header, retry after a failure, 409 for getUpdates.

mod common;

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use telegram_test::{FakeBotApi, WEBHOOK_SECRET_HEADER};
use tokio::sync::mpsc;

/// A receiver that answers each delivery with the next status of `statuses` (then 200) and
/// reports (secret header, body, status) on the channel.
async fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<(Option<String>, Value, u16)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel(16);
    let statuses = std::sync::Arc::new(std::sync::Mutex::new(statuses.into_iter()));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            let statuses = statuses.clone();
            let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
                let tx = tx.clone();
                let status = statuses.lock().expect("lock").next().unwrap_or(200);
                async move {
                    let secret = request
                        .headers()
                        .get(WEBHOOK_SECRET_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let body = request
                        .into_body()
                        .collect()
                        .await
                        .expect("body")
                        .to_bytes();
                    let body: Value = serde_json::from_slice(&body).expect("JSON update");
                    tx.send((secret, body, status))
                        .await
                        .expect("test listening");
                    let mut response = http::Response::new(Full::new(Bytes::new()));
                    *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    (url, rx)
}

#[tokio::test]
async fn updates_are_posted_with_the_secret_and_retried_after_errors() {
    let server = FakeBotApi::start().await;
    let (url, mut deliveries) = receiver(vec![500]).await;
    let (status, _) = common::call(
        &server,
        "setWebhook",
        json!({"url": url, "secret_token": "s3cret_-X"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(server.webhook_url(), Some(url.clone()));

    let sent = server.user("alice").send_text("/start").await;
    let (secret, body, status) = deliveries.recv().await.expect("first attempt");
    assert_eq!((secret.as_deref(), status), (Some("s3cret_-X"), 500));
    assert_eq!(body["message"], sent);
    let (_, retried, status) = deliveries.recv().await.expect("retry");
    assert_eq!((status, &retried), (200, &body));
    server.wait_until_drained().await.expect("delivered");

    let (_, info) = common::call(&server, "getWebhookInfo", json!({})).await;
    assert_eq!(info["result"]["url"], url);
    assert_eq!(info["result"]["pending_update_count"], 0);
    assert!(info["result"]["last_error_message"]
        .as_str()
        .expect("error kept")
        .contains("500"));
}

#[tokio::test]
async fn get_updates_conflicts_while_a_webhook_is_set() {
    let server = FakeBotApi::start().await;
    common::call(
        &server,
        "setWebhook",
        json!({"url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    let (status, body) = common::call(&server, "getUpdates", json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(
        body["description"],
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    );
    common::call(
        &server,
        "deleteWebhook",
        json!({"drop_pending_updates": true}),
    )
    .await;
    let (status, _) = common::call(&server, "getUpdates", json!({})).await;
    assert_eq!(status, 200);
}
