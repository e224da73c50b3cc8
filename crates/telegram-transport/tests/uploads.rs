//! Multipart uploads (path, bytes, stream, media groups) and downloads, against the fake
//! Bot API server over loopback HTTP.

use bytes::Bytes;
use futures_util::stream;
use telegram_test::FakeBotApi;
use telegram_transport::Bot;
use telegram_types::{InputFile, InputMedia, InputMediaDocument, InputMediaPhoto};

async fn setup() -> (FakeBotApi, Bot, i64) {
    let server = FakeBotApi::start().await;
    let bot = Bot::new(server.token()).with_api_url(server.url());
    let chat = server.user("alice").chat_id();
    (server, bot, chat)
}

fn temp_file(name: &str, data: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("telegram-transport-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

#[tokio::test]
async fn a_path_upload_is_streamed_under_the_parameter_name() {
    let (server, bot, chat) = setup().await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let path = temp_file("report.pdf", &data);
    bot.send_document(chat, InputFile::path(&path))
        .caption("the report")
        .await
        .unwrap();
    let request = server.next_request("sendDocument").await.unwrap();
    let file = request.file("document").expect("a part named `document`");
    assert_eq!(file.file_name.as_deref(), Some("report.pdf"));
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(file.data.len(), data.len());
    assert!(file.data == data);
    assert_eq!(request.text(), None);
    assert_eq!(request.str_param("caption"), Some("the report"));
    assert_eq!(request.chat_id(), Some(chat));
}

#[tokio::test]
async fn a_bytes_upload_is_sent_as_a_part() {
    let (server, bot, chat) = setup().await;
    bot.send_photo(chat, InputFile::bytes("cat.jpg", b"JPEG bytes".to_vec()))
        .await
        .unwrap();
    let request = server.next_request("sendPhoto").await.unwrap();
    assert_eq!(&request.file("photo").unwrap().data[..], b"JPEG bytes");
}

#[tokio::test]
async fn a_stream_upload_is_sent_chunk_by_chunk() {
    let (server, bot, chat) = setup().await;
    let chunks = stream::iter(
        ["one ", "two ", "three"]
            .into_iter()
            .map(|s| Ok(Bytes::from_static(s.as_bytes()))),
    );
    bot.send_document(chat, InputFile::stream("words.txt", Box::pin(chunks)))
        .await
        .unwrap();
    let request = server.next_request("sendDocument").await.unwrap();
    assert_eq!(
        &request.file("document").unwrap().data[..],
        b"one two three"
    );
}

#[tokio::test]
async fn a_media_group_sends_nested_uploads_as_attach_parts() {
    let (server, bot, chat) = setup().await;
    let media = vec![
        InputMedia::Photo(InputMediaPhoto::new(InputFile::bytes(
            "a.jpg",
            b"A".to_vec(),
        ))),
        InputMedia::Photo(InputMediaPhoto::new(InputFile::bytes(
            "b.jpg",
            b"B".to_vec(),
        ))),
    ];
    let sent = bot.send_media_group(chat, media).await.unwrap();
    assert_eq!(sent.len(), 2);
    let request = server.next_request("sendMediaGroup").await.unwrap();
    let media = request.param("media").unwrap();
    assert_eq!(media[0]["media"], "attach://file0");
    assert_eq!(media[1]["media"], "attach://file1");
    assert_eq!(&request.file("file0").unwrap().data[..], b"A");
    assert_eq!(&request.file("file1").unwrap().data[..], b"B");
}

#[tokio::test]
async fn a_document_group_with_a_thumbnail_names_every_part() {
    let (server, bot, chat) = setup().await;
    let mut doc = InputMediaDocument::new(InputFile::bytes("a.txt", b"doc".to_vec()));
    doc.thumbnail = Some(InputFile::bytes("t.jpg", b"thumb".to_vec()));
    let other = InputMediaDocument::new(InputFile::bytes("b.txt", b"doc2".to_vec()));
    bot.send_media_group(
        chat,
        [InputMedia::Document(doc), InputMedia::Document(other)],
    )
    .await
    .unwrap();
    let request = server.next_request("sendMediaGroup").await.unwrap();
    let fields: Vec<&str> = request.files.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["file0", "file1", "file2"]);
    assert_eq!(
        request.param("media").unwrap()[0]["thumbnail"],
        "attach://file1"
    );
}

#[tokio::test]
async fn an_uploaded_file_downloads_back() {
    let (_server, bot, chat) = setup().await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let sent = bot
        .send_document(chat, InputFile::bytes("data.bin", data.clone()))
        .await
        .unwrap();
    let file_id = sent.document.unwrap().file_id;
    let file = bot.get_file(file_id).await.unwrap();
    let mut downloaded = Vec::new();
    let written = bot.download(&file, &mut downloaded).await.unwrap();
    assert_eq!(written, data.len() as u64);
    assert!(downloaded == data);
}

#[tokio::test]
async fn a_missing_download_is_an_api_error() {
    let (_server, bot, _) = setup().await;
    let err = bot
        .download_path("documents/nope.bin", tokio::io::sink())
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(404), "{err:?}");
}

#[tokio::test]
async fn a_missing_file_fails_before_anything_is_sent() {
    let (server, bot, chat) = setup().await;
    let err = bot
        .send_document(chat, InputFile::path("/no/such/file.txt"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, telegram_transport::Error::Transport(e)
            if e.kind() == telegram_transport::TransportErrorKind::Upload),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}
