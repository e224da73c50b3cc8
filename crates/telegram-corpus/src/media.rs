//! Files and other message attachments: photos, documents, stickers, voice, video, audio,
//! locations, venues, contacts, dice and polls.
//!
//! File ids look like Telegram's (a type prefix, then base64url), sizes and durations are
//! plausible for the kind of file. The message around an attachment is built in `message.rs`.

use crate::json::{Json, Obj};
use crate::rng::Rng;
use crate::text;
use crate::vocab;
use crate::world::World;

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `len` random base64url characters (ids, tokens, payloads).
pub(crate) fn random_token(rng: &mut Rng, len: usize) -> String {
    (0..len).map(|_| char::from(rng.pick(BASE64URL))).collect()
}

/// A `file_id` with the prefix Telegram uses for the file type.
fn file_id(rng: &mut Rng, prefix: &str) -> String {
    let tail = rng.range(55, 70) as usize;
    format!("{prefix}{}", random_token(rng, tail))
}

/// The `file_id` / `file_unique_id` pair every file object starts with.
fn file(rng: &mut Rng, prefix: &str, unique_prefix: &str) -> Obj {
    let unique = format!("{unique_prefix}{}", random_token(rng, 12));
    Obj::new()
        .with("file_id", file_id(rng, prefix))
        .with("file_unique_id", unique)
}

/// One `PhotoSize`.
fn photo_size(rng: &mut Rng, prefix: &str, width: i64, height: i64) -> Obj {
    let mut o = file(rng, prefix, "AQAD");
    let bytes = (width * height / 9).max(900) + rng.range(0, 4_000);
    o.push("file_size", bytes);
    o.push("width", width);
    o.push("height", height);
    o
}

/// A small thumbnail `PhotoSize`.
fn thumbnail(rng: &mut Rng) -> Json {
    let side = rng.pick(&[90, 180, 320]);
    photo_size(rng, "AAMCAgADGQEAAg", side, side * 3 / 4).into()
}

/// A photo: 2-4 `PhotoSize`s of one image, smallest first.
pub(crate) fn photo(w: &mut World) -> Json {
    let (aw, ah) = w.rng.pick(&[(4, 3), (3, 4), (16, 9), (9, 16), (1, 1)]);
    let n = w.rng.range(2, 4) as usize;
    let longest = [90, 320, 800, 1280, 2560];
    let first = w.rng.index(longest.len() - n + 1);
    let sizes: Vec<Json> = longest[first..first + n]
        .iter()
        .map(|&side| {
            let (width, height) = if aw >= ah {
                (side, side * ah / aw)
            } else {
                (side * aw / ah, side)
            };
            photo_size(&mut w.rng, "AgACAgIAAxkBAAI", width, height).into()
        })
        .collect();
    sizes.into()
}

/// A `Document` with a name (sometimes non-ASCII), MIME type and size.
pub(crate) fn document(w: &mut World) -> Json {
    let (name, mime) = w.rng.pick(&[
        ("report.pdf", "application/pdf"),
        (
            "отчёт за август.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("data (1).csv", "text/csv"),
        ("archive.zip", "application/zip"),
        ("简历.pdf", "application/pdf"),
        ("bot.log", "text/plain"),
        ("IMG_2026.HEIC", "image/heic"),
    ]);
    let mut o = Obj::new();
    o.push_opt("file_name", Some(name));
    o.push("mime_type", mime);
    if w.rng.percent(35) {
        o.push("thumbnail", thumbnail(&mut w.rng));
    }
    let ids = file(&mut w.rng, "BQACAgIAAxkBAAI", "AgAD");
    o.fields.extend(ids.fields);
    o.push("file_size", w.rng.range(200, 40_000_000));
    o.into()
}

/// A `Sticker`: mostly static, some animated or video, rarely a custom emoji sticker.
pub(crate) fn sticker(w: &mut World) -> Json {
    let (kind, animated, video) = *w.rng.weighted(&[
        (("regular", false, false), 55),
        (("regular", true, false), 25),
        (("regular", false, true), 15),
        (("custom_emoji", true, false), 5),
    ]);
    let (width, height) = if kind == "custom_emoji" {
        (100, 100)
    } else {
        (512, w.rng.pick(&[512, 512, 384, 460]))
    };
    let mut o = Obj::new().with("width", width).with("height", height);
    o.push("emoji", w.rng.pick(vocab::EMOJI));
    o.push(
        "set_name",
        w.rng.pick(&[
            "HotCherry",
            "Animals",
            "UtyaDuck",
            "PepeTheFrogStickers",
            "котики_by_SomeBot",
        ]),
    );
    o.push("is_animated", animated);
    o.push("is_video", video);
    o.push("type", kind);
    if kind == "custom_emoji" {
        o.push(
            "custom_emoji_id",
            w.rng
                .range(5_000_000_000_000_000_000, 5_999_999_999_999_999_999)
                .to_string(),
        );
    }
    if w.rng.percent(80) {
        o.push("thumbnail", thumbnail(&mut w.rng));
    }
    let ids = file(&mut w.rng, "CAACAgIAAxkBAAI", "AgAD");
    o.fields.extend(ids.fields);
    o.push("file_size", w.rng.range(3_000, 64_000));
    o.into()
}

/// A `Voice` note.
pub(crate) fn voice(w: &mut World) -> Json {
    let duration = w.rng.geometric(1, 600, 97) as i64;
    let mut o = Obj::new()
        .with("duration", duration)
        .with("mime_type", "audio/ogg");
    let ids = file(&mut w.rng, "AwACAgIAAxkBAAI", "AgAD");
    o.fields.extend(ids.fields);
    o.push("file_size", duration * 4_000 + w.rng.range(0, 2_000));
    o.into()
}

/// A `Video`.
pub(crate) fn video(w: &mut World) -> Json {
    let (width, height) = w
        .rng
        .pick(&[(1280, 720), (720, 1280), (1920, 1080), (640, 360)]);
    let duration = w.rng.range(1, 900);
    let mut o = Obj::new()
        .with("duration", duration)
        .with("width", width)
        .with("height", height);
    if w.rng.percent(40) {
        o.push("file_name", "video.mp4");
    }
    o.push("mime_type", "video/mp4");
    o.push("thumbnail", thumbnail(&mut w.rng));
    let ids = file(&mut w.rng, "BAACAgIAAxkBAAI", "AgAD");
    o.fields.extend(ids.fields);
    o.push("file_size", duration * 250_000 + w.rng.range(0, 100_000));
    o.into()
}

/// An `Animation` (GIF or silent MP4).
pub(crate) fn animation(w: &mut World) -> Json {
    let mut o = Obj::new()
        .with("file_name", "giphy.mp4")
        .with("mime_type", "video/mp4")
        .with("duration", w.rng.range(1, 12))
        .with("width", 480)
        .with("height", w.rng.pick(&[270, 360, 480]));
    o.push("thumbnail", thumbnail(&mut w.rng));
    let ids = file(&mut w.rng, "CgACAgIAAxkBAAI", "AgAD");
    o.fields.extend(ids.fields);
    o.push("file_size", w.rng.range(50_000, 4_000_000));
    o.into()
}

/// An `Audio` track with performer and title.
pub(crate) fn audio(w: &mut World) -> Json {
    let (performer, title) = w.rng.pick(&[
        ("Кино", "Группа крови"),
        ("Daft Punk", "One More Time"),
        ("坂本龍一", "Merry Christmas Mr. Lawrence"),
        ("AC/DC", "Back In Black"),
    ]);
    let duration = w.rng.range(120, 420);
    let mut o = Obj::new()
        .with("duration", duration)
        .with("file_name", format!("{performer} - {title}.mp3"))
        .with("mime_type", "audio/mpeg")
        .with("title", title)
        .with("performer", performer);
    let ids = file(&mut w.rng, "CQACAgIAAxkBAAI", "AgAD");
    o.fields.extend(ids.fields);
    o.push("file_size", duration * 40_000);
    o.into()
}

/// A `Location`, coordinates with six decimals as clients send them.
pub(crate) fn location(w: &mut World, live: bool) -> Json {
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let (lat, lon) = w.rng.pick(&[
        (55.7558, 37.6173),
        (52.52, 13.405),
        (40.7128, -74.006),
        (35.6762, 139.6503),
        (-33.8688, 151.2093),
        (50.4501, 30.5234),
    ]);
    let mut o = Obj::new()
        .with("latitude", round(lat + w.rng.unit() * 0.1 - 0.05))
        .with("longitude", round(lon + w.rng.unit() * 0.1 - 0.05));
    if live || w.rng.percent(30) {
        o.push("horizontal_accuracy", round(w.rng.unit() * 60.0 + 3.0));
    }
    if live {
        o.push(
            "live_period",
            w.rng.pick(&[900, 3_600, 28_800, 0x7FFF_FFFF]),
        );
        o.push("heading", w.rng.range(1, 360));
    }
    o.into()
}

/// A `Venue`.
pub(crate) fn venue(w: &mut World) -> Json {
    let (title, address) = w.rng.pick(&[
        ("Café \"Central\"", "Herrengasse 14, Wien"),
        ("Парк Горького", "ул. Крымский Вал, 9, Москва"),
        ("東京タワー", "東京都港区芝公園4-2-8"),
        ("Blue Bottle Coffee", "66 Mint St, San Francisco"),
    ]);
    let mut o = Obj::new()
        .with("location", location(w, false))
        .with("title", title)
        .with("address", address);
    if w.rng.percent(50) {
        o.push("foursquare_id", random_token(&mut w.rng, 24).to_lowercase());
        o.push("foursquare_type", "food/cafe");
    } else if w.rng.percent(50) {
        o.push(
            "google_place_id",
            format!("ChIJ{}", random_token(&mut w.rng, 23)),
        );
    }
    o.into()
}

/// A shared `Contact`, sometimes with a multi-line vCard.
pub(crate) fn contact(w: &mut World) -> Json {
    let user = w.user();
    let phone = format!("+{}", w.rng.range(10_000_000_000, 99_999_999_999));
    let mut o = Obj::new()
        .with("phone_number", phone.as_str())
        .with("first_name", user.first_name.as_str());
    o.push_opt("last_name", user.last_name.as_deref());
    if w.rng.percent(70) {
        o.push("user_id", user.id);
    }
    if w.rng.percent(30) {
        o.push(
            "vcard",
            format!(
                "BEGIN:VCARD\nVERSION:3.0\nFN:{}\nTEL;MOBILE:{phone}\nEND:VCARD",
                user.full_name()
            ),
        );
    }
    o.into()
}

/// A `Dice` with a value in the range of its emoji.
pub(crate) fn dice(w: &mut World) -> Json {
    let (emoji, max) = w.rng.pick(&[
        ("🎲", 6),
        ("🎯", 6),
        ("🎳", 6),
        ("🏀", 5),
        ("⚽", 5),
        ("🎰", 64),
    ]);
    Obj::new()
        .with("emoji", emoji)
        .with("value", w.rng.range(1, max))
        .into()
}

/// A `Poll` (regular or quiz), open or closed.
pub(crate) fn poll(w: &mut World) -> Json {
    let (question, options) = w.rng.pick(POLLS);
    let quiz = w.rng.percent(25);
    let closed = w.rng.percent(30);
    let mut total = 0;
    let opts: Vec<Json> = options
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let votes = if w.rng.percent(20) {
                0
            } else {
                w.rng.geometric(0, 5_000, 95) as i64
            };
            total += votes;
            Obj::new()
                .with("persistent_id", i.to_string())
                .with("text", *text)
                .with("voter_count", votes)
                .into()
        })
        .collect();
    let mut o = Obj::new()
        .with("id", w.query_id())
        .with("question", question)
        .with("options", opts)
        .with("total_voter_count", total)
        .with("is_closed", closed)
        .with("is_anonymous", w.rng.percent(60))
        .with("type", if quiz { "quiz" } else { "regular" })
        .with("allows_multiple_answers", !quiz && w.rng.percent(25))
        .with("allows_revoting", w.rng.percent(50))
        .with("members_only", w.rng.percent(10));
    if quiz {
        o.push(
            "correct_option_ids",
            vec![Json::from(w.rng.index(options.len()) as i64)],
        );
        if w.rng.percent(50) {
            let explanation = text::caption(w);
            explanation.put(&mut o, "explanation", "explanation_entities");
        }
    }
    if !closed && w.rng.percent(20) {
        o.push("close_date", w.now() + w.rng.range(60, 86_400));
    }
    o.into()
}

const POLLS: &[(&str, &[&str])] = &[
    ("Where do we meet?", &["Café", "Office", "Online 💻"]),
    (
        "Куда идём в субботу?",
        &["В кино", "В парк 🌳", "Остаёмся дома", "Ещё не знаю"],
    ),
    (
        "Best language for bots?",
        &[
            "Rust 🦀",
            "Python 🐍",
            "Go",
            "TypeScript",
            "\"Whatever works\"",
        ],
    ),
    ("周末去哪儿？", &["爬山", "看电影"]),
    (
        "Which release?",
        &[
            "10.1",
            "10.2",
            "10.3",
            "1.0 \\ nightly",
            "none",
            "all",
            "skip",
            "later",
            "never",
            "today",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn array_len(json: &Json) -> usize {
        match json {
            Json::Arr(items) => items.len(),
            _ => panic!("not an array"),
        }
    }

    #[test]
    fn photos_have_two_to_four_growing_sizes() {
        let mut w = World::new(21);
        for _ in 0..500 {
            let photo = photo(&mut w);
            let n = array_len(&photo);
            assert!((2..=4).contains(&n));
            let Json::Arr(sizes) = photo else {
                unreachable!()
            };
            let widths: Vec<i64> = sizes
                .iter()
                .map(|s| match s {
                    Json::Obj(o) => match o.get("width") {
                        Some(Json::Int(w)) => *w,
                        _ => panic!("width"),
                    },
                    _ => panic!("size"),
                })
                .collect();
            assert!(widths.windows(2).all(|p| p[0] < p[1]), "{widths:?}");
        }
    }

    #[test]
    fn file_ids_are_telegram_shaped() {
        let mut rng = Rng::new(22);
        let ids = file(&mut rng, "AgACAgIAAxkBAAI", "AQAD");
        let Some(Json::Str(id)) = ids.get("file_id") else {
            panic!("file_id")
        };
        assert!(id.starts_with("AgACAgIAAxkBAAI") && (70..=85).contains(&id.len()));
        assert!(id.bytes().all(|b| BASE64URL.contains(&b)));
    }

    #[test]
    fn dice_values_fit_their_emoji() {
        let mut w = World::new(23);
        for _ in 0..500 {
            let Json::Obj(d) = dice(&mut w) else {
                panic!("dice")
            };
            let (Some(Json::Str(emoji)), Some(Json::Int(value))) = (d.get("emoji"), d.get("value"))
            else {
                panic!("fields")
            };
            let max = match emoji.as_str() {
                "🎰" => 64,
                "🏀" | "⚽" => 5,
                _ => 6,
            };
            assert!((1..=max).contains(value));
        }
    }
}
