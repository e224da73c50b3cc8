//! Message text and its entities, with offsets and lengths in UTF-16 code units.
//!
//! Telegram measures `MessageEntity.offset` and `length` in UTF-16 code units, so a Cyrillic
//! letter counts 1, `👍` counts 2 (a surrogate pair) and `👍🏽` counts 4. [`Text`] appends pieces
//! and measures each one with `encode_utf16`, so every entity covers exactly its piece. The
//! vocabulary mixes languages and scripts and sometimes needs JSON escaping (`"`, `\`, `\n`).

use crate::json::{Json, Obj};
use crate::people::BOT_USERNAME;
use crate::vocab::{self, Lang, CODE, COMMANDS, EMOJI, HASHTAGS, PRE, URLS};
use crate::world::World;

/// Text being built, with the entities found in it so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Text {
    pub(crate) text: String,
    len16: i64,
    entities: Vec<Entity>,
}

/// One `MessageEntity`.
#[derive(Debug, Clone)]
struct Entity {
    offset: i64,
    length: i64,
    kind: &'static str,
    extra: Vec<(&'static str, Json)>,
}

impl Text {
    /// Empty text.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Appends plain text.
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.len16 += utf16_len(s);
    }

    /// Appends `s` covered by an entity of type `kind` with extra fields.
    pub(crate) fn entity(&mut self, kind: &'static str, s: &str, extra: Vec<(&'static str, Json)>) {
        let offset = self.len16;
        self.push(s);
        self.entities.push(Entity {
            offset,
            length: self.len16 - offset,
            kind,
            extra,
        });
    }

    /// Where the next piece will start, for entities that wrap several pieces ([`Text::close`]).
    fn mark(&self) -> i64 {
        self.len16
    }

    /// Adds an entity from `start` (a [`Text::mark`]) to the current end.
    fn close(&mut self, kind: &'static str, start: i64) {
        self.entities.push(Entity {
            offset: start,
            length: self.len16 - start,
            kind,
            extra: vec![],
        });
    }

    /// Starts a new line, unless the text is empty (Telegram trims leading whitespace).
    fn newline(&mut self) {
        if !self.text.is_empty() {
            self.push("\n");
        }
    }

    /// Drops trailing whitespace, as Telegram does; no entity ends in whitespace, so entities
    /// stay valid.
    fn trim_end(&mut self) {
        let trimmed = self.text.trim_end().len();
        self.text.truncate(trimmed);
        self.len16 = utf16_len(&self.text);
    }

    /// The length in UTF-16 code units.
    pub(crate) fn len16(&self) -> i64 {
        self.len16
    }

    /// True when the text has entities.
    pub(crate) fn has_entities(&self) -> bool {
        !self.entities.is_empty()
    }

    /// The `Array of MessageEntity`, ordered as Telegram orders it: by offset, outer first.
    pub(crate) fn entities_json(&self) -> Json {
        let mut entities: Vec<&Entity> = self.entities.iter().collect();
        entities.sort_by_key(|e| (e.offset, -e.length));
        let items: Vec<Json> = entities
            .into_iter()
            .map(|e| {
                let mut o = Obj::new()
                    .with("offset", e.offset)
                    .with("length", e.length)
                    .with("type", e.kind);
                for (k, v) in &e.extra {
                    o.push(k, v.clone());
                }
                Json::from(o)
            })
            .collect();
        items.into()
    }

    /// Adds `text_key` and, when there are entities, `entities_key` to `obj`.
    pub(crate) fn put(&self, obj: &mut Obj, text_key: &'static str, entities_key: &'static str) {
        obj.push(text_key, self.text.as_str());
        if self.has_entities() {
            obj.push(entities_key, self.entities_json());
        }
    }
}

/// The length of `s` in UTF-16 code units, the unit of entity offsets.
pub(crate) fn utf16_len(s: &str) -> i64 {
    s.encode_utf16().count() as i64
}

/// A chat message without entities: a few words to a few paragraphs.
pub(crate) fn plain(w: &mut World) -> Text {
    let mut t = Text::new();
    let words = message_length(w);
    let lang = vocab::language(w);
    sentence(w, &mut t, lang, words);
    t
}

/// A message with formatting and detected entities of many kinds, sometimes nested.
pub(crate) fn rich(w: &mut World) -> Text {
    let mut t = Text::new();
    let lang = vocab::language(w);
    let n = w.rng.geometric(1, 8, 45);
    for i in 0..n {
        let words = w.rng.range(0, 8) as usize;
        if i > 0 || words > 0 {
            if !t.text.is_empty() {
                t.push(" ");
            }
            sentence(w, &mut t, lang, words.max(1));
            t.push(" ");
        }
        entity_piece(w, &mut t, lang);
    }
    if w.rng.percent(60) {
        t.push(" ");
        let words = w.rng.range(1, 12) as usize;
        sentence(w, &mut t, lang, words);
    }
    t.trim_end();
    t
}

/// A short caption, with entities about half the time.
pub(crate) fn caption(w: &mut World) -> Text {
    if w.rng.percent(50) {
        let mut t = Text::new();
        let lang = vocab::language(w);
        let words = w.rng.geometric(1, 30, 80);
        sentence(w, &mut t, lang, words);
        return t;
    }
    let mut t = Text::new();
    let lang = vocab::language(w);
    let words = w.rng.range(1, 6) as usize;
    sentence(w, &mut t, lang, words);
    t.push(" ");
    entity_piece(w, &mut t, lang);
    t.trim_end();
    t
}

/// A bot command at offset 0 (`/start`, `/help@SomeBot`, `/transfer 10 bob`), maybe with args.
pub(crate) fn command(w: &mut World, in_group: bool) -> Text {
    let mut t = Text::new();
    let (name, args) = w.rng.pick(COMMANDS);
    let mut cmd = format!("/{name}");
    if w.rng.percent(if in_group { 50 } else { 5 }) {
        cmd.push('@');
        cmd.push_str(BOT_USERNAME);
    }
    t.entity("bot_command", &cmd, vec![]);
    if args.is_empty() || w.rng.percent(25) {
        return t;
    }
    t.push(" ");
    match args {
        "amount user" => {
            t.push(&w.rng.range(1, 5_000).to_string());
            t.push(" ");
            let user = w.user();
            match &user.username {
                Some(name) if w.rng.percent(60) => t.entity("mention", &format!("@{name}"), vec![]),
                _ => t.push(&user.first_name.to_lowercase()),
            }
        }
        "payload" => {
            let payload = crate::media::random_token(&mut w.rng, 12);
            t.push(&format!("ref_{payload}"));
        }
        "quoted" => {
            t.push("10m \"buy milk\" and \\ call Анна");
        }
        _ => {
            let lang = vocab::language(w);
            let words = w.rng.range(1, 5) as usize;
            sentence(w, &mut t, lang, words);
        }
    }
    t
}

/// A guest-bot summon: a mention of the bot followed by a question.
pub(crate) fn summon(w: &mut World) -> Text {
    let mut t = Text::new();
    t.entity("mention", &format!("@{BOT_USERNAME}"), vec![]);
    t.push(" ");
    let lang = vocab::language(w);
    let words = w.rng.range(2, 12) as usize;
    sentence(w, &mut t, lang, words);
    t.push("?");
    t
}

/// Realistic message length in words: mostly short, sometimes long, rarely huge.
fn message_length(w: &mut World) -> usize {
    let (lo, hi) = *w.rng.weighted(&[
        ((1, 3), 25),
        ((4, 12), 40),
        ((13, 40), 25),
        ((41, 150), 8),
        ((151, 600), 2),
    ]);
    w.rng.range(lo, hi) as usize
}

/// Appends `words` words of `lang` with punctuation, emoji, line breaks, and now and then a
/// quoted phrase or a backslash. Stops before the 4096-unit limit of a message.
fn sentence(w: &mut World, t: &mut Text, lang: Lang, words: usize) {
    let quote_at = w.rng.percent(7).then(|| w.rng.index(words.max(1)));
    let slash_at = w.rng.percent(2).then(|| w.rng.index(words.max(1)));
    let breaks = w.rng.percent(12);
    for i in 0..words {
        if t.len16() > 3_900 {
            break;
        }
        if i > 0 {
            if breaks && w.rng.percent(10) {
                t.push(if w.rng.percent(50) { "\n" } else { "\n\n" });
            } else if w.rng.percent(8) {
                t.push(w.rng.pick(&[",", ".", "!", "?", "…", ":)"]));
                t.push(" ");
            } else {
                t.push(lang.sep);
            }
        }
        if quote_at == Some(i) {
            let word = w.rng.pick(lang.words);
            t.push(&format!("\"{word}\""));
        } else if slash_at == Some(i) {
            t.push(
                w.rng
                    .pick(&["C:\\Users\\bob", "\\d+\\s*", "a\\b", "¯\\_(ツ)_/¯"]),
            );
        } else if w.rng.percent(6) {
            t.push(w.rng.pick(EMOJI));
        } else {
            let word = w.rng.pick(lang.words);
            t.push(word);
        }
        if i + 1 < words && w.rng.per_mille(3) {
            t.push("\t");
        }
    }
}

/// Appends one piece covered by an entity (or, for `bold`, a piece with an entity inside).
fn entity_piece(w: &mut World, t: &mut Text, lang: Lang) {
    let kind = *w.rng.weighted(&[
        ("mention", 10),
        ("hashtag", 8),
        ("cashtag", 2),
        ("url", 10),
        ("email", 3),
        ("phone_number", 2),
        ("bold", 14),
        ("italic", 8),
        ("underline", 3),
        ("strikethrough", 3),
        ("spoiler", 3),
        ("code", 6),
        ("pre", 4),
        ("text_link", 6),
        ("text_mention", 3),
        ("custom_emoji", 4),
        ("blockquote", 3),
        ("expandable_blockquote", 1),
        ("date_time", 1),
        ("nested", 5),
    ]);
    match kind {
        "mention" => {
            let user = w.user();
            let name = user.username.unwrap_or_else(|| BOT_USERNAME.to_owned());
            t.entity("mention", &format!("@{name}"), vec![]);
        }
        "hashtag" => t.entity("hashtag", &format!("#{}", w.rng.pick(HASHTAGS)), vec![]),
        "cashtag" => t.entity(
            "cashtag",
            &format!("${}", w.rng.pick(&["USD", "BTC", "TON", "EUR"])),
            vec![],
        ),
        "url" => t.entity("url", w.rng.pick(URLS), vec![]),
        "email" => t.entity(
            "email",
            w.rng.pick(&[
                "bob@example.com",
                "do-not-reply@telegram.org",
                "anna.k@mail.ru",
            ]),
            vec![],
        ),
        "phone_number" => t.entity(
            "phone_number",
            w.rng
                .pick(&["+1-212-555-0123", "+7 (999) 123-45-67", "+44 20 7946 0958"]),
            vec![],
        ),
        "code" => t.entity("code", w.rng.pick(CODE), vec![]),
        "pre" => {
            let (language, code) = w.rng.pick(PRE);
            let extra = if language.is_empty() {
                vec![]
            } else {
                vec![("language", Json::from(language))]
            };
            t.newline();
            t.entity("pre", code, extra);
            t.push("\n");
        }
        "text_link" => {
            let label = phrase(w, lang);
            let url = w.rng.pick(URLS);
            let url = if url.starts_with("http") {
                url.to_owned()
            } else {
                format!("https://{url}")
            };
            t.entity("text_link", &label, vec![("url", Json::from(url))]);
        }
        "text_mention" => {
            let user = w.user();
            t.entity(
                "text_mention",
                &user.first_name,
                vec![("user", user.to_json())],
            );
        }
        "custom_emoji" => {
            let emoji = w.rng.pick(EMOJI);
            let id = w
                .rng
                .range(5_000_000_000_000_000_000, 5_999_999_999_999_999_999)
                .to_string();
            t.entity(
                "custom_emoji",
                emoji,
                vec![("custom_emoji_id", Json::from(id))],
            );
        }
        "blockquote" | "expandable_blockquote" => {
            t.newline();
            let words = w.rng.range(3, 40) as usize;
            let start = t.mark();
            sentence(w, t, lang, words);
            t.close(kind, start);
            t.push("\n");
        }
        "date_time" => {
            let when = w.now() + w.rng.range(3_600, 86_400 * 7);
            let label = w.rng.pick(&[
                "tomorrow at 10:00",
                "завтра в 10:00",
                "25.08.2026",
                "明天上午十点",
            ]);
            t.entity("date_time", label, vec![("unix_time", Json::from(when))]);
        }
        "nested" => {
            let start = t.mark();
            t.push(&phrase(w, lang));
            t.push(" ");
            let inner = phrase(w, lang);
            t.entity("italic", &inner, vec![]);
            t.close("bold", start);
        }
        style => {
            let label = phrase(w, lang);
            t.entity(style, &label, vec![]);
        }
    }
}

/// One to four words, maybe with an emoji, never with leading or trailing spaces.
fn phrase(w: &mut World, lang: Lang) -> String {
    let n = w.rng.range(1, 4) as usize;
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push_str(lang.sep);
        }
        out.push_str(w.rng.pick(lang.words));
    }
    if w.rng.percent(15) {
        out.push(' ');
        out.push_str(w.rng.pick(EMOJI));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The substring of `text` at UTF-16 `offset..offset + length`.
    fn utf16_slice(text: &str, offset: i64, length: i64) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        let range = offset as usize..(offset + length) as usize;
        String::from_utf16(&units[range]).expect("entity boundaries fall between characters")
    }

    #[test]
    fn entity_offsets_count_utf16_units() {
        let mut t = Text::new();
        t.push("Привет 👍🏽 🇺🇦 ");
        t.entity("bold", "жирный 😀", vec![]);
        t.push(" 中文 ");
        t.entity("italic", "x", vec![]);
        let Json::Arr(entities) = t.entities_json() else {
            panic!("entities are an array")
        };
        let offsets: Vec<_> = entities
            .iter()
            .map(|e| match e {
                Json::Obj(o) => (o.get("offset").cloned(), o.get("length").cloned()),
                _ => panic!("entity is an object"),
            })
            .collect();
        // "Привет " 7, "👍🏽" 4, " " 1, "🇺🇦" 4, " " 1 = 17; "жирный 😀" = 7 + 2 = 9.
        assert_eq!(offsets[0], (Some(Json::Int(17)), Some(Json::Int(9))));
        // 17 + 9 + " 中文 " 4 = 30.
        assert_eq!(offsets[1], (Some(Json::Int(30)), Some(Json::Int(1))));
    }

    #[test]
    fn every_entity_covers_its_own_text() {
        let mut w = World::new(11);
        for i in 0..3_000 {
            let t = match i % 4 {
                0 => rich(&mut w),
                1 => caption(&mut w),
                2 => command(&mut w, i % 8 == 2),
                _ => summon(&mut w),
            };
            assert_eq!(t.len16(), utf16_len(&t.text));
            assert_eq!(t.text.trim(), t.text, "Telegram trims messages");
            for e in &t.entities {
                let s = utf16_slice(&t.text, e.offset, e.length);
                assert!(!s.is_empty(), "empty {} entity in {:?}", e.kind, t.text);
                assert_eq!(s.trim(), s, "{} entity has outer whitespace", e.kind);
                match e.kind {
                    "bot_command" => {
                        assert_eq!(e.offset, 0);
                        assert!(s.starts_with('/'));
                    }
                    "mention" => assert!(s.starts_with('@')),
                    "hashtag" => assert!(s.starts_with('#')),
                    "cashtag" => assert!(s.starts_with('$')),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn texts_need_escaping_and_non_ascii_sometimes() {
        let mut w = World::new(12);
        let texts: Vec<String> = (0..2_000).map(|_| plain(&mut w).text).collect();
        assert!(texts.iter().any(|t| t.contains('"')));
        assert!(texts.iter().any(|t| t.contains('\\')));
        assert!(texts.iter().any(|t| t.contains('\n')));
        assert!(texts
            .iter()
            .any(|t| t.chars().any(|c| ('а'..='я').contains(&c))));
        assert!(texts.iter().any(|t| t.chars().any(|c| c as u32 > 0xFFFF)));
        assert!(texts.iter().all(|t| utf16_len(t) <= 4_096));
        let long = texts.iter().filter(|t| t.chars().count() > 500).count();
        let short = texts.iter().filter(|t| t.chars().count() < 60).count();
        assert!(
            long > 0 && short > texts.len() / 3,
            "long {long}, short {short}"
        );
    }

    #[test]
    fn commands_take_the_documented_shapes() {
        let mut w = World::new(13);
        let texts: Vec<String> = (0..500).map(|i| command(&mut w, i % 2 == 0).text).collect();
        assert!(texts.iter().any(|t| t == "/start"));
        assert!(texts.iter().any(|t| t == "/help@SomeBot"));
        assert!(texts
            .iter()
            .any(|t| t.starts_with("/transfer ") && t.split(' ').count() == 3));
    }
}
