//! Files: multipart uploads, getFile and downloads, media groups with `attach://`.

mod common;

use serde_json::json;
use telegram_test::FakeBotApi;

#[tokio::test]
async fn uploaded_photo_is_recorded_and_downloadable() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let bytes: &[u8] = b"\xFF\xD8not really a jpeg\xFF\xD9";
    let chat = alice.id().to_string();
    let (status, body) = common::call_multipart(
        &server,
        "sendPhoto",
        &[("chat_id", &chat), ("caption", "look")],
        &[("photo", "cat.jpg", bytes)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["caption"], "look");
    let photo = body["result"]["photo"]
        .as_array()
        .expect("sizes")
        .last()
        .expect("a size")
        .clone();
    assert_eq!(photo["file_size"], bytes.len());

    let request = server.next_request("sendPhoto").await.expect("recorded");
    assert_eq!(request.chat_id(), Some(alice.id()));
    let file = request.file("photo").expect("uploaded part");
    assert_eq!(file.file_name.as_deref(), Some("cat.jpg"));
    assert_eq!(&file.data[..], bytes);

    let (_, info) = common::call(&server, "getFile", json!({"file_id": photo["file_id"]})).await;
    let path = info["result"]["file_path"].as_str().expect("file_path");
    let (status, downloaded) = common::get(&server.file_url(path)).await;
    assert_eq!(status, 200);
    assert_eq!(&downloaded[..], bytes);

    let (status, _) = common::get(&server.file_url("photos/missing.jpg")).await;
    assert_eq!(status, 404);
    let (status, body) = common::call(&server, "getFile", json!({"file_id": "nope"})).await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: invalid file_id"))
    );
}

#[tokio::test]
async fn documents_reuse_file_ids_and_reject_unknown_ones() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let sent = alice.send_document("notes.txt", &b"hello"[..]).await;
    let file_id = sent["document"]["file_id"].clone();
    let (status, body) = common::call(
        &server,
        "sendDocument",
        json!({"chat_id": alice.id(), "document": file_id}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["document"]["file_id"], file_id);
    assert_eq!(body["result"]["document"]["file_name"], "notes.txt");
    let (status, body) = common::call(
        &server,
        "sendDocument",
        json!({"chat_id": alice.id(), "document": "bogus"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["description"],
        "Bad Request: wrong file identifier/HTTP URL specified"
    );
    let (_, body) = common::call(&server, "sendDocument", json!({"chat_id": alice.id()})).await;
    assert_eq!(
        body["description"],
        "Bad Request: there is no document in the request"
    );
}

#[tokio::test]
async fn media_group_resolves_attach_references() {
    let server = FakeBotApi::start().await;
    let alice = server.user("alice");
    let media = json!([
        {"type": "photo", "media": "attach://one", "caption": "first"},
        {"type": "document", "media": "attach://two"},
    ])
    .to_string();
    let chat = alice.id().to_string();
    let (status, body) = common::call_multipart(
        &server,
        "sendMediaGroup",
        &[("chat_id", &chat), ("media", &media)],
        &[("one", "1.jpg", b"one"), ("two", "2.pdf", b"two")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let messages = body["result"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["media_group_id"], messages[1]["media_group_id"]);
    assert_eq!(messages[0]["caption"], "first");
    assert_eq!(messages[1]["document"]["file_name"], "2.pdf");
    assert_eq!(
        messages[1]["message_id"],
        messages[0]["message_id"].as_i64().expect("id") + 1
    );

    let request = server
        .next_request("sendMediaGroup")
        .await
        .expect("recorded");
    assert!(request.params["media"].is_array());
    assert_eq!(request.files.len(), 2);

    let (status, body) = common::call_multipart(
        &server,
        "sendMediaGroup",
        &[("chat_id", &chat), ("media", &media)],
        &[("one", "1.jpg", b"one")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
}
