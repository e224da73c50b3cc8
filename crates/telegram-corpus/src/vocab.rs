//! The vocabulary of generated text: words in several languages and scripts, emoji (many
//! outside the BMP), commands, URLs and code snippets, some of them needing JSON escaping.
//!
//! How words become messages and entities is `text.rs`'s business.

use crate::world::World;

/// A vocabulary and the separator between its words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lang {
    pub(crate) words: &'static [&'static str],
    pub(crate) sep: &'static str,
}

const EN: Lang = Lang {
    words: EN_WORDS,
    sep: " ",
};
const RU: Lang = Lang {
    words: RU_WORDS,
    sep: " ",
};
const ZH: Lang = Lang {
    words: ZH_WORDS,
    sep: "",
};
const JA: Lang = Lang {
    words: JA_WORDS,
    sep: "",
};
const AR: Lang = Lang {
    words: AR_WORDS,
    sep: " ",
};

/// A language for one message: mostly English and Russian.
pub(crate) fn language(w: &mut World) -> Lang {
    *w.rng
        .weighted(&[(EN, 55), (RU, 25), (ZH, 8), (JA, 6), (AR, 6)])
}

/// Commands and the shape of their arguments.
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    ("start", "payload"),
    ("start", ""),
    ("help", ""),
    ("transfer", "amount user"),
    ("settings", ""),
    ("weather", "words"),
    ("remind", "quoted"),
    ("search", "words"),
    ("cancel", ""),
    ("stats", ""),
];

/// Emoji, many outside the BMP (surrogate pairs), with skin tones, flags and ZWJ sequences.
pub(crate) const EMOJI: &[&str] = &[
    "😀",
    "😂",
    "👍",
    "👍🏽",
    "🇺🇦",
    "🇩🇪",
    "❤️",
    "🔥",
    "🎉",
    "🙏🏻",
    "👨‍💻",
    "🏳️‍🌈",
    "🤔",
    "✅",
    "⚡",
    "☕",
    "👨‍👩‍👧‍👦",
    "🥲",
    "💯",
    "🚀",
];

pub(crate) const HASHTAGS: &[&str] = &[
    "rust",
    "новости",
    "开发",
    "weekend",
    "2026",
    "golang",
    "помощь",
    "release",
];

pub(crate) const URLS: &[&str] = &[
    "https://telegram.org",
    "https://core.telegram.org/bots/api#update",
    "https://example.com/search?q=rust+serde&lang=en",
    "t.me/durov",
    "https://ru.wikipedia.org/wiki/Телеграм",
    "github.com/rust-lang/rust/issues/12345",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
];

pub(crate) const CODE: &[&str] = &[
    "cargo build --release",
    "let x = \"hi\";",
    "C:\\Users\\bob\\bot.toml",
    "println!(\"{}\", x)",
    "SELECT * FROM users;",
    "git rebase -i HEAD~3",
];

pub(crate) const PRE: &[(&str, &str)] = &[
    ("rust", "fn main() {\n    println!(\"Привет, мир! 👋\");\n}"),
    ("python", "for i in range(3):\n\tprint(f\"{i}\\n\")"),
    ("json", "{\"ok\": true, \"path\": \"C:\\\\tmp\"}"),
    ("", "$ ls -la\ntotal 0"),
];

const EN_WORDS: &[&str] = &[
    "hello", "thanks", "the", "a", "is", "it", "bot", "please", "what", "time", "meeting", "today",
    "tomorrow", "can", "you", "send", "me", "file", "photo", "link", "price", "order", "working",
    "broken", "fixed", "great", "idea", "let's", "go", "see", "you", "later", "ok", "sure", "no",
    "yes", "maybe", "weekend", "coffee", "deploy", "server", "release", "version", "update",
    "check", "this", "out", "awesome", "sorry", "late", "where", "are", "we", "how", "much",
    "does", "cost", "question", "answer", "test", "again", "lol", "nice",
];

const RU_WORDS: &[&str] = &[
    "привет",
    "спасибо",
    "как",
    "дела",
    "что",
    "это",
    "бот",
    "пожалуйста",
    "сегодня",
    "завтра",
    "встреча",
    "когда",
    "можно",
    "файл",
    "фото",
    "ссылка",
    "цена",
    "заказ",
    "работает",
    "сломалось",
    "починили",
    "отлично",
    "идея",
    "давай",
    "увидимся",
    "позже",
    "хорошо",
    "да",
    "нет",
    "может",
    "выходные",
    "кофе",
    "сервер",
    "релиз",
    "ёлка",
    "щётка",
    "объявление",
    "подъезд",
    "ура",
];

const ZH_WORDS: &[&str] = &[
    "你好",
    "谢谢",
    "今天",
    "明天",
    "会议",
    "机器人",
    "文件",
    "照片",
    "价格",
    "订单",
    "好的",
    "没问题",
    "为什么",
    "服务器",
    "发布",
    "咖啡",
    "周末",
    "。",
    "，",
];

const JA_WORDS: &[&str] = &[
    "こんにちは",
    "ありがとう",
    "今日",
    "明日",
    "会議",
    "ボット",
    "写真",
    "ファイル",
    "値段",
    "注文",
    "大丈夫",
    "です",
    "ね",
    "。",
];

const AR_WORDS: &[&str] = &[
    "مرحبا",
    "شكرا",
    "اليوم",
    "غدا",
    "اجتماع",
    "بوت",
    "صورة",
    "ملف",
    "سعر",
    "طلب",
    "نعم",
    "لا",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_never_look_like_auto_detected_entities() {
        for lang in [EN, RU, ZH, JA, AR] {
            assert!(!lang.words.is_empty());
            for word in lang.words {
                assert!(
                    !word.contains(['@', '#', '$', '/', ' ']),
                    "{word:?} would need an entity"
                );
            }
        }
    }

    #[test]
    fn emoji_include_surrogate_pairs_and_sequences() {
        assert!(EMOJI.iter().any(|e| e.chars().any(|c| c as u32 > 0xFFFF)));
        assert!(EMOJI.iter().any(|e| e.encode_utf16().count() >= 4));
        assert!(EMOJI.contains(&"👍🏽") && EMOJI.contains(&"🇺🇦"));
    }
}
