//! The cast: users, bots and chats that recur across a corpus, and their `User`/`Chat` JSON.
//!
//! A real bot sees the same people and chats again and again, so the cast is drawn once per
//! corpus ([`Cast::new`]) and the generators pick from it. Messages live in `message.rs`; member
//! status objects in `members.rs`.

use crate::json::{Json, Obj};
use crate::rng::Rng;

/// The bot receiving the updates: its username appears in `/help@SomeBot`.
pub(crate) const BOT_USERNAME: &str = "SomeBot";

/// Telegram's service account, the sender of automatic forwards from a linked channel.
const TELEGRAM_ID: i64 = 777_000;

/// The fake sender of messages by anonymous group administrators.
const GROUP_ANONYMOUS_BOT_ID: i64 = 1_087_968_824;

/// A user or bot account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: i64,
    pub(crate) is_bot: bool,
    pub(crate) first_name: String,
    pub(crate) last_name: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) language_code: Option<&'static str>,
    pub(crate) is_premium: bool,
}

impl User {
    /// The `User` object, fields in Telegram's order.
    pub(crate) fn to_json(&self) -> Json {
        let mut o = Obj::new()
            .with("id", self.id)
            .with("is_bot", self.is_bot)
            .with("first_name", self.first_name.as_str());
        o.push_opt("last_name", self.last_name.as_deref());
        o.push_opt("username", self.username.as_deref());
        o.push_opt("language_code", self.language_code);
        o.push_true("is_premium", self.is_premium);
        o.into()
    }

    /// First and last name, as clients show it.
    pub(crate) fn full_name(&self) -> String {
        match &self.last_name {
            Some(last) => format!("{} {last}", self.first_name),
            None => self.first_name.clone(),
        }
    }

    /// The private chat between this user and the bot.
    pub(crate) fn private_chat(&self) -> Chat {
        Chat {
            id: self.id,
            kind: ChatKind::Private,
            title: None,
            username: self.username.clone(),
            first_name: Some(self.first_name.clone()),
            last_name: self.last_name.clone(),
            is_forum: false,
        }
    }
}

/// The four values of `Chat.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChatKind {
    Private,
    Group,
    Supergroup,
    Channel,
}

impl ChatKind {
    /// The `type` string.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Group => "group",
            Self::Supergroup => "supergroup",
            Self::Channel => "channel",
        }
    }
}

/// A chat: private, group, supergroup (maybe a forum) or channel.
#[derive(Debug, Clone)]
pub(crate) struct Chat {
    pub(crate) id: i64,
    pub(crate) kind: ChatKind,
    pub(crate) title: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) is_forum: bool,
}

impl Chat {
    /// The `Chat` object, fields in Telegram's order (`type` last).
    pub(crate) fn to_json(&self) -> Json {
        let mut o = Obj::new().with("id", self.id);
        o.push_opt("title", self.title.as_deref());
        o.push_opt("username", self.username.as_deref());
        o.push_opt("first_name", self.first_name.as_deref());
        o.push_opt("last_name", self.last_name.as_deref());
        o.push_true("is_forum", self.is_forum);
        o.push("type", self.kind.as_str());
        o.into()
    }
}

/// Everyone and every chat a corpus talks about.
#[derive(Debug, Clone)]
pub(crate) struct Cast {
    /// Human users; the first ones are the most active.
    pub(crate) users: Vec<User>,
    /// Other bots (inline bots, managed bots).
    pub(crate) bots: Vec<User>,
    /// The bot that receives the updates.
    pub(crate) me: User,
    /// Basic groups and supergroups.
    pub(crate) groups: Vec<Chat>,
    /// Channels.
    pub(crate) channels: Vec<Chat>,
    /// Telegram's service account (automatic forwards).
    pub(crate) telegram: User,
    /// The fake sender of anonymous administrators' messages.
    pub(crate) group_anonymous_bot: User,
}

impl Cast {
    /// Draws a cast of 80 users, 6 bots, 14 groups and 5 channels.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        let users = (0..80).map(|_| random_user(rng)).collect();
        let bots = BOT_NAMES
            .iter()
            .map(|(name, username)| User {
                id: rng.range(5_000_000_000, 8_499_999_999),
                is_bot: true,
                first_name: (*name).to_owned(),
                last_name: None,
                username: Some((*username).to_owned()),
                language_code: None,
                is_premium: false,
            })
            .collect();
        let me = User {
            id: rng.range(6_000_000_000, 8_499_999_999),
            is_bot: true,
            first_name: "Some Bot".to_owned(),
            last_name: None,
            username: Some(BOT_USERNAME.to_owned()),
            language_code: None,
            is_premium: false,
        };
        let mut groups = Vec::new();
        for (i, title) in GROUP_TITLES.iter().enumerate() {
            let kind = if i % 4 == 3 {
                ChatKind::Group
            } else {
                ChatKind::Supergroup
            };
            let id = match kind {
                ChatKind::Group => -rng.range(4_000_000_000, 4_999_999_999),
                _ => -1_000_000_000_000 - rng.range(1_100_000_000, 2_999_999_999),
            };
            groups.push(Chat {
                id,
                kind,
                title: Some((*title).to_owned()),
                username: (kind == ChatKind::Supergroup && rng.percent(40))
                    .then(|| username_like(rng, title)),
                first_name: None,
                last_name: None,
                is_forum: kind == ChatKind::Supergroup && i % 3 == 0,
            });
        }
        let channels = CHANNEL_TITLES
            .iter()
            .map(|title| Chat {
                id: -1_000_000_000_000 - rng.range(1_100_000_000, 2_999_999_999),
                kind: ChatKind::Channel,
                title: Some((*title).to_owned()),
                username: rng.percent(70).then(|| username_like(rng, title)),
                first_name: None,
                last_name: None,
                is_forum: false,
            })
            .collect();
        let service = |id: i64, first_name: &str, username: Option<&str>| User {
            id,
            is_bot: username.is_some(),
            first_name: first_name.to_owned(),
            last_name: None,
            username: username.map(str::to_owned),
            language_code: None,
            is_premium: false,
        };
        Self {
            users,
            bots,
            me,
            groups,
            channels,
            telegram: service(TELEGRAM_ID, "Telegram", None),
            group_anonymous_bot: service(
                GROUP_ANONYMOUS_BOT_ID,
                "Group",
                Some("GroupAnonymousBot"),
            ),
        }
    }

    /// A user, the active ones more often (a rough power law).
    pub(crate) fn user<'a>(&'a self, rng: &mut Rng) -> &'a User {
        let n = self.users.len();
        let i = if rng.percent(60) {
            rng.index(n / 8)
        } else {
            rng.index(n)
        };
        &self.users[i]
    }

    /// A user other than `not`.
    pub(crate) fn other_user<'a>(&'a self, rng: &mut Rng, not: i64) -> &'a User {
        loop {
            let user = self.user(rng);
            if user.id != not {
                return user;
            }
        }
    }

    /// A group or supergroup.
    pub(crate) fn group<'a>(&'a self, rng: &mut Rng) -> &'a Chat {
        rng.pick_ref(&self.groups)
    }

    /// A supergroup (boosts, forums and anonymous admins need one).
    pub(crate) fn supergroup<'a>(&'a self, rng: &mut Rng) -> &'a Chat {
        loop {
            let chat = self.group(rng);
            if chat.kind == ChatKind::Supergroup {
                return chat;
            }
        }
    }

    /// A channel.
    pub(crate) fn channel<'a>(&'a self, rng: &mut Rng) -> &'a Chat {
        rng.pick_ref(&self.channels)
    }

    /// Another bot (inline bot, managed bot).
    pub(crate) fn bot<'a>(&'a self, rng: &mut Rng) -> &'a User {
        rng.pick_ref(&self.bots)
    }
}

/// A user whose name, username and language agree.
fn random_user(rng: &mut Rng) -> User {
    let lang = *rng.weighted(&[
        (Lang::En, 40),
        (Lang::Ru, 20),
        (Lang::Uk, 6),
        (Lang::De, 5),
        (Lang::Es, 6),
        (Lang::PtBr, 5),
        (Lang::Zh, 7),
        (Lang::Ja, 4),
        (Lang::Ar, 4),
        (Lang::Fa, 3),
    ]);
    let (firsts, lasts, code) = names(lang);
    let mut first_name = (rng.pick(firsts)).to_owned();
    if rng.percent(4) {
        first_name.push(' ');
        first_name.push_str(rng.pick(&["🚀", "🌸", "👍🏽", "🇺🇦", "✨", "🐱"]));
    }
    if rng.percent(1) {
        first_name = format!(
            "{first_name} \"{}\"",
            rng.pick(&["Doc", "Ace", "The \\ Slash"])
        );
    }
    let last_name = rng.percent(65).then(|| (rng.pick(lasts)).to_owned());
    let username = rng.percent(70).then(|| username_like(rng, &first_name));
    let id = if rng.percent(60) {
        rng.range(100_000_000, 2_147_483_647)
    } else {
        rng.range(5_000_000_000, 8_499_999_999)
    };
    User {
        id,
        is_bot: false,
        first_name,
        last_name,
        username,
        language_code: rng.percent(85).then_some(code),
        is_premium: rng.percent(12),
    }
}

/// A username (5-32 of `[A-Za-z0-9_]`) loosely derived from a name.
fn username_like(rng: &mut Rng, name: &str) -> String {
    let mut out: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_lowercase();
    if out.len() < 3 {
        out = (rng.pick(&["user", "anon", "neo", "pixel", "kotik"])).to_owned();
    }
    match rng.below(3) {
        0 => out.push('_'),
        1 => out = format!("the{out}"),
        _ => {}
    }
    let digits = rng.range(10, 99_999);
    format!("{out}{digits}")
}

#[derive(Debug, Clone, Copy)]
enum Lang {
    En,
    Ru,
    Uk,
    De,
    Es,
    PtBr,
    Zh,
    Ja,
    Ar,
    Fa,
}

/// First names, last names and the IETF tag for a language.
fn names(
    lang: Lang,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
) {
    match lang {
        Lang::En => (
            &[
                "Alice", "Bob", "Charlie", "Dana", "Eve", "Frank", "Grace", "Heidi", "Ivan",
                "Judy", "Mallory", "Oscar", "Peggy", "Trent", "Victor", "Walter",
            ],
            &[
                "Smith", "Johnson", "Williams", "Brown", "O'Connor", "Miller", "Davis", "Wilson",
            ],
            "en",
        ),
        Lang::Ru => (
            &[
                "Алексей",
                "Мария",
                "Дмитрий",
                "Анна",
                "Сергей",
                "Ольга",
                "Иван",
                "Екатерина",
            ],
            &[
                "Иванов",
                "Смирнова",
                "Кузнецов",
                "Попова",
                "Соколов",
                "Лебедева",
            ],
            "ru",
        ),
        Lang::Uk => (
            &["Олександр", "Оксана", "Богдан", "Ірина", "Тарас"],
            &["Шевченко", "Коваленко", "Бондаренко", "Ткаченко"],
            "uk",
        ),
        Lang::De => (
            &["Jürgen", "Käthe", "Lukas", "Mia", "Jörg"],
            &["Müller", "Schröder", "Groß", "Weiß"],
            "de",
        ),
        Lang::Es => (
            &["José", "María", "Sofía", "Mateo", "Lucía"],
            &["García", "Martínez", "Núñez", "Rodríguez"],
            "es",
        ),
        Lang::PtBr => (
            &["João", "Ana", "Luís", "Beatriz"],
            &["Silva", "Conceição", "Araújo", "Gonçalves"],
            "pt-br",
        ),
        Lang::Zh => (
            &["伟", "芳", "秀英", "明", "小龙"],
            &["王", "李", "张", "刘"],
            "zh-hans",
        ),
        Lang::Ja => (
            &["さくら", "太郎", "ゆうき", "花子"],
            &["佐藤", "鈴木", "高橋"],
            "ja",
        ),
        Lang::Ar => (&["محمد", "فاطمة", "علي", "ليلى"], &["حسن", "الأحمد"], "ar"),
        Lang::Fa => (&["رضا", "مریم", "سارا"], &["محمدی", "حسینی"], "fa"),
    }
}

const BOT_NAMES: &[(&str, &str)] = &[
    ("GIF Search", "gif"),
    ("Wikipedia", "wiki"),
    ("Vote Bot", "vote"),
    ("Weather ☀️", "weather_forecast_bot"),
    ("Shop Helper", "shop_helper_bot"),
    ("Мой Бот", "moi_pomoshnik_bot"),
];

const GROUP_TITLES: &[&str] = &[
    "Rust Beginners",
    "Книжный клуб",
    "开发者交流群",
    "Family 🏡",
    "The \"Quotes\" Club",
    "Mountain Hikers 🏔️",
    "Berlin Expats",
    "Python \\ Rust \\ Go",
    "日本語の勉強会",
    "Футбол ⚽ по средам",
    "Crypto Signals 📈",
    "Board Games Night",
    "Design Feedback",
    "Наш двор",
];

const CHANNEL_TITLES: &[&str] = &[
    "Tech News Daily",
    "Новости 24/7",
    "Daily Memes 😂",
    "科技频道",
    "Release Notes",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_covers_every_chat_type() {
        let cast = Cast::new(&mut Rng::new(1));
        let kinds: Vec<_> = cast
            .groups
            .iter()
            .chain(&cast.channels)
            .map(|c| c.kind)
            .collect();
        assert!(kinds.contains(&ChatKind::Group));
        assert!(kinds.contains(&ChatKind::Supergroup));
        assert!(kinds.contains(&ChatKind::Channel));
        assert!(cast.groups.iter().any(|c| c.is_forum));
        assert_eq!(cast.users[0].private_chat().kind, ChatKind::Private);
    }

    #[test]
    fn usernames_are_valid() {
        let cast = Cast::new(&mut Rng::new(2));
        let chats = cast
            .groups
            .iter()
            .chain(&cast.channels)
            .filter_map(|c| c.username.as_ref());
        for name in cast
            .users
            .iter()
            .filter_map(|u| u.username.as_ref())
            .chain(chats)
        {
            assert!((5..=32).contains(&name.len()), "{name}");
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn users_mix_optional_fields() {
        let cast = Cast::new(&mut Rng::new(3));
        assert!(cast.users.iter().any(|u| u.language_code.is_some()));
        assert!(cast.users.iter().any(|u| u.language_code.is_none()));
        assert!(cast.users.iter().any(|u| u.is_premium));
        assert!(cast.users.iter().any(|u| u.username.is_some()));
        assert!(cast.users.iter().any(|u| u.username.is_none()));
        assert!(cast.users.iter().any(|u| u.id > i64::from(u32::MAX)));
    }
}
