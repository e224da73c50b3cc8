//! Fixtures the criterion benches share: corpus bodies and outgoing payloads.
//!
//! The benches themselves are in `benches/*.rs`; run them with `cargo bench -p benches`.

use telegram_corpus::{get_updates_response, CorpusConfig, Mix};
use telegram_types::methods::{SendMediaGroup, SendMessage};
use telegram_types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMedia, InputMediaPhoto,
    MessageEntity, MessageEntityType, ParseMode,
};

/// A realistic `getUpdates` response body with `updates` updates (same bytes for every bench).
pub fn get_updates_body(updates: usize) -> Vec<u8> {
    get_updates_response(&CorpusConfig {
        mix: Mix::Realistic,
        ..CorpusConfig::new(7, updates)
    })
}

/// A `sendMessage` payload with entities and a 2×2 inline keyboard, as bots send all day.
pub fn send_message_payload(i: usize) -> SendMessage {
    let text = format!("Привет, {i}! Your balance is *42* 💰 — tap a button below to continue.");
    let entities = vec![
        MessageEntity::new(MessageEntityType::Bold, 0, 6),
        MessageEntity::new(MessageEntityType::Code, 30, 2),
    ];
    let button = |label: &str, data: &str| InlineKeyboardButton {
        callback_data: Some(data.to_owned()),
        ..InlineKeyboardButton::new(label.to_owned())
    };
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button("Yes", "answer:yes"), button("No", "answer:no")],
        vec![button("« Back", "nav:back"), button("Help", "nav:help")],
    ]);
    SendMessage::new(100_000_000 + i as i64, text)
        .entities(entities)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .disable_notification(true)
}

/// A `sendMediaGroup` payload of 5 photos by file id, with captions.
pub fn media_group_payload() -> SendMediaGroup {
    let media = (0..5).map(|i| {
        InputMedia::from(InputMediaPhoto {
            caption: Some(format!("Photo {i} of 5 📷")),
            ..InputMediaPhoto::new(InputFile::file_id(format!(
                "AgACAgIAAxkBAAIBZ2V{i}xyzABCDEF"
            )))
        })
    });
    SendMediaGroup::new(-1_001_234_567_890, media)
}
