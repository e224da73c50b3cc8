//! Core methods over real loopback HTTP: getMe, tokens, sendMessage, errors, edits, body formats.

mod common;

use serde_json::json;
use telegram_test::FakeBotApi;

#[tokio::test]
async fn get_me_answers_the_bot_user_for_the_right_token_only() {
    let server = FakeBotApi::builder()
        .token("42:SECRET")
        .bot_username("MyBot")
        .start()
        .await;
    let (status, body) = common::call(&server, "getMe", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["result"]["id"], 42);
    assert_eq!(body["result"]["is_bot"], true);
    assert_eq!(body["result"]["username"], "MyBot");
    assert_eq!(body["result"], server.bot_user());

    let (status, body) = common::call_with_token(&server, "42:WRONG", "getMe", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );
}

#[tokio::test]
async fn unknown_methods_are_not_found_and_unsimulated_ones_answer_true() {
    let server = FakeBotApi::start().await;
    let (status, body) = common::call(&server, "makeCoffee", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 404, "description": "Not Found"})
    );
    let (status, body) = common::call(&server, "setMyCommands", json!({"commands": []})).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"ok": true, "result": true}));
}

#[tokio::test]
async fn send_message_is_recorded_and_answers_a_message() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let markup = json!({"inline_keyboard": [[{"text": "Yes", "callback_data": "yes:1"}]]});
    let (status, body) = common::call(
        &server,
        "sendMessage",
        json!({"chat_id": alice.id(), "text": "hello", "reply_markup": markup}),
    )
    .await;
    assert_eq!(status, 200);
    let message = &body["result"];
    assert_eq!(message["message_id"], 1);
    assert_eq!(message["chat"]["id"], alice.id());
    assert_eq!(message["from"], server.bot_user());
    assert_eq!(message["text"], "hello");
    assert_eq!(message["reply_markup"], markup);
    assert!(message["date"].as_i64().unwrap_or_default() > 0);
    let decoded: telegram_types::Message =
        serde_json::from_value(message.clone()).expect("the answer decodes as a Message");
    assert_eq!(decoded.message_id, 1);

    let request = server.next_request("sendMessage").await.expect("recorded");
    assert_eq!(request.chat_id(), Some(alice.id()));
    assert_eq!(request.text(), Some("hello"));
    assert_eq!(request.status, Some(200));
    let (_, second) = common::call(
        &server,
        "sendMessage",
        json!({"chat_id": alice.id(), "text": "again"}),
    )
    .await;
    assert_eq!(second["result"]["message_id"], 2);
    assert_eq!(server.requests_for("sendMessage").len(), 2);
}

#[tokio::test]
async fn bad_parameters_answer_400_like_telegram() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let (status, body) = common::call(&server, "sendMessage", json!({"chat_id": alice.id()})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 400, "description": "Bad Request: message text is empty"})
    );
    let (_, body) = common::call(&server, "sendMessage", json!({"chat_id": 1, "text": "x"})).await;
    assert_eq!(body["description"], "Bad Request: chat not found");
    let (_, body) = common::call(&server, "sendMessage", json!({"text": "x"})).await;
    assert_eq!(body["description"], "Bad Request: chat_id is empty");
}

#[tokio::test]
async fn edit_message_text_checks_the_message_exists() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let (_, sent) = common::call(
        &server,
        "sendMessage",
        json!({"chat_id": alice.id(), "text": "v1"}),
    )
    .await;
    let id = sent["result"]["message_id"].clone();
    let (status, edited) = common::call(
        &server,
        "editMessageText",
        json!({"chat_id": alice.id(), "message_id": id, "text": "v2"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(edited["result"]["text"], "v2");
    assert!(edited["result"]["edit_date"].is_i64());
    let (status, body) = common::call(
        &server,
        "editMessageText",
        json!({"chat_id": alice.id(), "message_id": 99, "text": "v2"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["description"],
        "Bad Request: message to edit not found"
    );
    let (_, body) = common::call(
        &server,
        "editMessageText",
        json!({"inline_message_id": "abc", "text": "v2"}),
    )
    .await;
    assert_eq!(body["result"], true);
}

#[tokio::test]
async fn form_and_query_parameters_are_typed() {
    let server = FakeBotApi::start().await;
    let group = server.group("devs");
    let url = format!(
        "{}/bot{}/sendMessage?chat_id={}&text=1%2B1",
        server.url(),
        server.token(),
        group.id()
    );
    let (status, _) = common::get(&url).await;
    assert_eq!(status, 200);
    let request = server.next_request("sendMessage").await.expect("recorded");
    assert_eq!(request.chat_id(), Some(group.id()));
    assert_eq!(request.params["chat_id"], group.id());
    assert_eq!(request.text(), Some("1+1"));

    let body = format!(
        "chat_id={}&text=42&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D",
        group.id()
    );
    let request = http::Request::post(format!(
        "{}/bot{}/sendMessage",
        server.url(),
        server.token()
    ))
    .header("content-type", "application/x-www-form-urlencoded")
    .body(http_body_util::Full::new(bytes::Bytes::from(body)))
    .expect("request");
    let (status, _) = common::send(&common::client(), request)
        .await
        .expect("answer");
    assert_eq!(status, 200);
    let request = server.next_request("sendMessage").await.expect("recorded");
    assert_eq!(request.text(), Some("42"));
    assert_eq!(
        request.params["reply_markup"],
        json!({"inline_keyboard": []})
    );
}

#[tokio::test]
async fn replies_to_collects_sends_to_one_chat_in_order() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let bob = server.user("bob");
    for (chat, text) in [(alice.id(), "a1"), (bob.id(), "b1"), (alice.id(), "a2")] {
        common::call(
            &server,
            "sendMessage",
            json!({"chat_id": chat, "text": text}),
        )
        .await;
    }
    common::call(
        &server,
        "sendChatAction",
        json!({"chat_id": alice.id(), "action": "typing"}),
    )
    .await;
    let replies = server.replies_to(&alice, 2).await.expect("two replies");
    let texts: Vec<_> = replies.iter().map(|r| r.text()).collect();
    assert_eq!(texts, [Some("a1"), Some("a2")]);
    assert_eq!(
        server.replies_to(bob.id(), 1).await.expect("one")[0].text(),
        Some("b1")
    );
}

// Paused time: the wait's timeout is virtual, so it ends exactly when due.
#[tokio::test(start_paused = true)]
async fn waits_time_out_quickly_with_a_clear_error() {
    let server = FakeBotApi::start().await;
    server.set_default_timeout(std::time::Duration::from_millis(50));
    let started = tokio::time::Instant::now();
    let error = server
        .next_request("sendMessage")
        .await
        .expect_err("nothing was sent");
    assert_eq!(started.elapsed(), std::time::Duration::from_millis(50));
    assert!(
        error.to_string().contains("the next sendMessage request"),
        "{error}"
    );
    assert!(server.replies_to(1_i64, 1).await.is_err());
}

#[tokio::test]
async fn http2_prior_knowledge_is_served_and_recorded() {
    let server = FakeBotApi::start().await;
    let client: common::Http =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .http2_only(true)
            .build_http();
    let request = http::Request::post(format!("{}/bot{}/getMe", server.url(), server.token()))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    let (status, _) = common::send(&client, request).await.expect("answer");
    assert_eq!(status, 200);
    let request = server.next_request("getMe").await.expect("recorded");
    assert_eq!(request.http_version, http::Version::HTTP_2);
}

#[tokio::test]
async fn shutdown_ends_waits_and_refuses_connections() {
    let server = FakeBotApi::start().await;
    let waiting = {
        let server = server.clone();
        tokio::spawn(async move { server.next_request("sendMessage").await })
    };
    server.shutdown().await;
    let error = waiting
        .await
        .expect("wait task")
        .expect_err("server stopped");
    assert!(
        matches!(error, telegram_test::WaitError::Shutdown { .. }),
        "{error}"
    );
    let request = http::Request::post(format!("{}/bot{}/getMe", server.url(), server.token()))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    assert!(common::send(&common::client(), request).await.is_err());
}
