//! The blocking facade against the fake Bot API server, and its refusal inside a runtime.
#![cfg(feature = "blocking")]

use telegram_test::FakeBotApi;
use telegram_transport::{blocking, Error};
use telegram_types::InputFile;

/// The fake server on a runtime of its own, which keeps serving while the test blocks.
fn server() -> (tokio::runtime::Runtime, FakeBotApi) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(FakeBotApi::start());
    (runtime, server)
}

#[test]
fn sends_and_downloads_without_a_runtime() {
    let (_runtime, server) = server();
    let bot = blocking::Bot::new(server.token())
        .unwrap()
        .with_api_url(server.url());
    let me = bot.get_me().send().unwrap();
    assert!(me.is_bot);

    let chat = server.user("alice").chat_id();
    let sent = bot
        .send_message(chat, "<b>hi</b>")
        .parse_mode(telegram_types::ParseMode::Html)
        .send()
        .unwrap();
    assert_eq!(sent.chat.id, chat);
    let recorded = server.requests_for("sendMessage");
    assert_eq!(recorded[0].str_param("parse_mode"), Some("HTML"));

    let sent = bot
        .send_document(chat, InputFile::bytes("a.txt", b"blocking bytes".to_vec()))
        .send()
        .unwrap();
    let file = bot.get_file(sent.document.unwrap().file_id).send().unwrap();
    let mut downloaded = Vec::new();
    bot.download(&file, &mut downloaded).unwrap();
    assert_eq!(downloaded, b"blocking bytes");
}

#[test]
fn api_errors_come_back_as_errors() {
    let (_runtime, server) = server();
    let bot = blocking::Bot::new(server.token())
        .unwrap()
        .with_api_url(server.url());
    let chat = server.user("alice").chat_id();
    let err = bot.send_message(chat, "").send().unwrap_err();
    assert_eq!(err.error_code(), Some(400));
}

#[tokio::test]
async fn refuses_to_block_inside_a_runtime() {
    let server = FakeBotApi::start().await;
    let bot = blocking::Bot::new(server.token())
        .unwrap()
        .with_api_url(server.url());
    let err = bot.get_me().send().unwrap_err();
    assert!(matches!(err, Error::BlockingInsideRuntime), "{err:?}");
    assert!(matches!(
        bot.call(telegram_types::methods::GetMe::new()),
        Err(Error::BlockingInsideRuntime)
    ));
    // Dropping the last clone here must not panic (its runtime shuts down in the background).
    drop(bot);
}
