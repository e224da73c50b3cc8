//! Inline keyboards (`InlineKeyboardMarkup`) on the bot's messages and channel posts.
//!
//! The `callback_data` of the buttons is returned too, so a callback query can carry data that
//! one of its message's buttons really has.

use crate::json::{Json, Obj};
use crate::world::World;

/// An inline keyboard of 1-3 rows of 1-3 buttons, and the `callback_data` of its buttons.
pub(crate) fn inline_keyboard(w: &mut World) -> (Json, Vec<String>) {
    let mut data = Vec::new();
    let rows = w.rng.geometric(1, 3, 40);
    let item = w.rng.range(1, 500);
    let keyboard: Vec<Json> = (0..rows)
        .map(|row| {
            let buttons = w.rng.geometric(1, 3, 45);
            let buttons: Vec<Json> = (0..buttons)
                .map(|col| button(w, item, row * 3 + col, &mut data).into())
                .collect();
            Json::from(buttons)
        })
        .collect();
    (Obj::new().with("inline_keyboard", keyboard).into(), data)
}

/// One `InlineKeyboardButton`: mostly callback buttons, sometimes links and other kinds.
fn button(w: &mut World, item: i64, position: usize, data: &mut Vec<String>) -> Obj {
    match *w.rng.weighted(&[
        ("callback", 75),
        ("url", 13),
        ("switch", 5),
        ("copy", 4),
        ("styled", 3),
    ]) {
        "url" => {
            let (label, url) = w.rng.pick(&[
                ("Open site 🌐", "https://example.com/item?id=42&ref=bot"),
                ("Читать далее", "https://t.me/some_channel/123"),
                ("GitHub", "https://github.com/rust-lang/rust"),
            ]);
            Obj::new().with("text", label).with("url", url)
        }
        "switch" => Obj::new()
            .with("text", "🔎 Search")
            .with("switch_inline_query_current_chat", ""),
        "copy" => {
            let code = crate::media::random_token(&mut w.rng, 10);
            let copy = Obj::new().with("text", code);
            Obj::new()
                .with("text", "📋 Copy code")
                .with("copy_text", copy)
        }
        kind => {
            let (label, value) = callback(w, item, position);
            data.push(value.clone());
            let mut o = Obj::new().with("text", label).with("callback_data", value);
            if kind == "styled" {
                o.push("style", w.rng.pick(&["danger", "success", "primary"]));
            }
            o
        }
    }
}

/// A callback button's label and data (at most 64 bytes, as the Bot API allows).
fn callback(w: &mut World, item: i64, position: usize) -> (&'static str, String) {
    let patterns: &[(&str, &str)] = &[
        ("✅ Yes", "yes"),
        ("❌ No", "no"),
        ("Next ▶️", "page"),
        ("« Back", "back"),
        ("👍 17", "vote:up"),
        ("Подтвердить", "confirm"),
        ("购买", "buy:item"),
        ("🇬🇧 English", "lang:en"),
        ("🇷🇺 Русский", "lang:ru"),
        ("Settings ⚙️", "menu:settings"),
    ];
    let (label, prefix) = patterns[(position + w.rng.index(patterns.len())) % patterns.len()];
    let value = match prefix {
        "lang:en" | "lang:ru" | "menu:settings" => prefix.to_owned(),
        "page" => format!("page:{}", w.rng.range(2, 20)),
        _ => format!("{prefix}:{item}"),
    };
    (label, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_data_fits_64_bytes_and_is_returned() {
        let mut w = World::new(41);
        let mut with_data = 0;
        for _ in 0..500 {
            let (keyboard, data) = inline_keyboard(&mut w);
            let mut out = String::new();
            keyboard.write(&mut out);
            for d in &data {
                assert!(d.len() <= 64);
                assert!(out.contains(&format!("\"callback_data\":\"{d}\"")));
            }
            with_data += usize::from(!data.is_empty());
        }
        assert!(with_data > 400);
    }
}
