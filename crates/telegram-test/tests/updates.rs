//! Getting updates: offsets, long polling, simulated users' updates, raw updates.

mod common;

use serde_json::{json, Value};
use telegram_test::FakeBotApi;

fn updates(body: &Value) -> &Vec<Value> {
    body["result"].as_array().expect("result array")
}

#[tokio::test]
async fn get_updates_confirms_offsets() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    alice.send_text("/start").await;
    alice.send_text("hello").await;
    assert_eq!(server.pending_updates(), 2);

    let (_, body) = common::call(&server, "getUpdates", json!({})).await;
    let batch = updates(&body);
    assert_eq!(batch.len(), 2);
    let first = batch[0]["update_id"].as_i64().expect("id");
    assert_eq!(batch[1]["update_id"], first + 1);
    assert_eq!(batch[0]["message"]["text"], "/start");
    assert_eq!(
        batch[0]["message"]["entities"],
        json!([{"type": "bot_command", "offset": 0, "length": 6}])
    );
    assert!(batch[1]["message"].get("entities").is_none());
    let decoded: telegram_types::Update =
        serde_json::from_value(batch[0].clone()).expect("decodes");
    assert_eq!(decoded.update_id, first);

    let (_, body) = common::call(
        &server,
        "getUpdates",
        json!({"offset": first + 1, "limit": 1}),
    )
    .await;
    assert_eq!(updates(&body).len(), 1);
    assert_eq!(server.confirmed_offset(), first + 1);
    assert_eq!(server.pending_updates(), 1);
    let (_, body) = common::call(&server, "getUpdates", json!({"offset": first + 2})).await;
    assert!(updates(&body).is_empty());
    server.wait_for_offset(first + 2).await.expect("confirmed");
    assert_eq!(server.pending_updates(), 0);
}

#[tokio::test]
async fn long_poll_wakes_when_a_user_sends() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let poll = {
        let server = server.clone();
        tokio::spawn(
            async move { common::call(&server, "getUpdates", json!({"timeout": 30})).await },
        )
    };
    server
        .next_request("getUpdates")
        .await
        .expect("the poll is in flight");
    let sent = alice.send_text("hi").await;
    let (status, body) = poll.await.expect("poll task");
    assert_eq!(status, 200);
    assert_eq!(updates(&body)[0]["message"], sent);
}

#[tokio::test]
async fn short_long_poll_returns_empty() {
    let server = FakeBotApi::start().await;
    let (status, body) = common::call(&server, "getUpdates", json!({"timeout": 1})).await;
    assert_eq!(status, 200);
    assert!(updates(&body).is_empty());
}

#[tokio::test]
async fn simulated_users_produce_edits_callbacks_and_inline_queries() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let group = server.group("devs");
    let mine = alice.in_chat(&group).send_text("hi all").await;
    assert_eq!(mine["chat"]["id"], group.id());
    assert_eq!(mine["chat"]["type"], "supergroup");
    alice.edit_text(&mine, "hi everyone").await;

    let markup = json!({"inline_keyboard": [[{"text": "Yes", "callback_data": "yes:1"}]]});
    let (_, sent) = common::call(
        &server,
        "sendMessage",
        json!({"chat_id": alice.id(), "text": "ok?", "reply_markup": markup}),
    )
    .await;
    let query = alice.press_button(&sent["result"], "yes:1").await;
    alice.inline_query("rust").await;

    let (_, body) = common::call(&server, "getUpdates", json!({})).await;
    let batch = updates(&body);
    assert_eq!(batch.len(), 4);
    assert_eq!(batch[0]["message"]["text"], "hi all");
    assert_eq!(batch[1]["edited_message"]["text"], "hi everyone");
    assert_eq!(batch[2]["callback_query"]["data"], "yes:1");
    assert_eq!(batch[2]["callback_query"]["message"], sent["result"]);
    assert_eq!(batch[2]["callback_query"]["from"]["id"], alice.id());
    assert_eq!(batch[3]["inline_query"]["query"], "rust");
    for update in batch {
        serde_json::from_value::<telegram_types::Update>(update.clone()).expect("decodes");
    }
    let (_, body) = common::call(
        &server,
        "answerCallbackQuery",
        json!({"callback_query_id": query["id"]}),
    )
    .await;
    assert_eq!(body["result"], true);
}

#[tokio::test]
async fn raw_updates_pass_through_verbatim() {
    let server = FakeBotApi::start().await;
    let id = server.push_update(json!({"brand_new_kind": {"x": 1}}));
    server.push_raw_update_json(format!(r#"{{"update_id":{},"message":42}}"#, id + 1));
    let (_, body) = common::call(&server, "getUpdates", json!({})).await;
    assert_eq!(
        body["result"],
        json!([{"update_id": id, "brand_new_kind": {"x": 1}}, {"update_id": id + 1, "message": 42}])
    );
}

#[tokio::test]
async fn allowed_updates_filter_what_is_delivered() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    alice.send_text("text").await;
    alice.inline_query("q").await;
    let (_, body) = common::call(
        &server,
        "getUpdates",
        json!({"allowed_updates": ["inline_query"]}),
    )
    .await;
    let batch = updates(&body);
    assert_eq!(batch.len(), 1);
    assert!(batch[0].get("inline_query").is_some());
}
