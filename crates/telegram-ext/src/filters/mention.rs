//! [`Mention`]: messages that mention given users, by `@username` (a `mention` entity) or by id
//! (a `text_mention` entity, for users without a username), as python-telegram-bot's
//! `filters.Mention`.
//!
//! Entity offsets count UTF-16 code units; the slicing that turns them into text lives here.

use std::sync::Arc;

use telegram_types::{MessageEntity, MessageEntityType, Update};

use super::allow_list::normalize_username;
use super::{filter_ops, Filter, FilterResult};

/// One user a [`Mention`] looks for: an id or a username (with or without the leading `@`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MentionTarget {
    /// A user id, found in `text_mention` entities.
    Id(i64),
    /// A username, found in `mention` entities (and in `text_mention` entities of users who
    /// have one).
    Username(String),
}

impl From<i64> for MentionTarget {
    fn from(id: i64) -> Self {
        MentionTarget::Id(id)
    }
}

impl From<&str> for MentionTarget {
    fn from(username: &str) -> Self {
        MentionTarget::Username(username.to_owned())
    }
}

impl From<String> for MentionTarget {
    fn from(username: String) -> Self {
        MentionTarget::Username(username)
    }
}

impl From<&telegram_types::User> for MentionTarget {
    fn from(user: &telegram_types::User) -> Self {
        MentionTarget::Id(user.id)
    }
}

/// Messages (text or caption) that mention one of the given users. Usernames compare without
/// the leading `@` and ignore ASCII case, as Telegram does.
///
/// ```
/// use telegram_ext::filters::{Mention, MentionTarget};
///
/// let about_alice = Mention::usernames(["@alice"]);
/// let about_staff = Mention::new([MentionTarget::from("@alice"), MentionTarget::from(123_i64)]);
/// # let _ = (about_alice, about_staff);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    ids: Arc<[i64]>,
    usernames: Arc<[String]>,
}

impl Mention {
    /// Mentions of any of `targets`.
    pub fn new<I, T>(targets: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<MentionTarget>,
    {
        let mut ids = Vec::new();
        let mut usernames = Vec::new();
        for target in targets {
            match target.into() {
                MentionTarget::Id(id) => ids.push(id),
                MentionTarget::Username(name) => usernames.push(normalize_username(&name)),
            }
        }
        Mention {
            ids: ids.into(),
            usernames: usernames.into(),
        }
    }

    /// Mentions of any of the users with these ids.
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        Self::new(ids)
    }

    /// Mentions of any of these usernames (`"alice"` or `"@alice"`).
    pub fn usernames<I, S>(usernames: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::new(
            usernames
                .into_iter()
                .map(|s| MentionTarget::from(s.as_ref())),
        )
    }

    /// Whether one entity of `text` mentions a target.
    fn mentioned_in(&self, text: &str, entities: &[MessageEntity]) -> bool {
        entities.iter().any(|entity| match &entity.kind {
            MessageEntityType::TextMention => entity.user.as_deref().is_some_and(|user| {
                self.ids.contains(&user.id)
                    || user
                        .username
                        .as_deref()
                        .is_some_and(|name| self.has_username(name))
            }),
            MessageEntityType::Mention => entity
                .text_in(text)
                .is_some_and(|mention| self.has_username(mention)),
            _ => false,
        })
    }

    /// Whether `name` (with or without `@`) is one of the usernames.
    fn has_username(&self, name: &str) -> bool {
        let name = name.strip_prefix('@').unwrap_or(name);
        self.usernames.iter().any(|u| u.eq_ignore_ascii_case(name))
    }
}

impl Filter for Mention {
    fn check(&self, update: &Update) -> FilterResult {
        let Some(message) = update.effective_message() else {
            return FilterResult::No;
        };
        let in_text = message
            .text
            .as_deref()
            .zip(message.entities.as_deref())
            .is_some_and(|(text, entities)| self.mentioned_in(text, entities));
        let in_caption = || {
            message
                .caption
                .as_deref()
                .zip(message.caption_entities.as_deref())
                .is_some_and(|(caption, entities)| self.mentioned_in(caption, entities))
        };
        FilterResult::from_bool(in_text || in_caption())
    }
}

filter_ops!([] Mention);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, no_message, text};
    use super::*;

    #[test]
    fn mention_by_username_ignores_at_sign_and_case() {
        let hi = message(json!({
            "text": "hi @Alice!",
            "entities": [{"type": "mention", "offset": 3, "length": 6}],
        }));
        assert!(Mention::usernames(["alice"]).matches(&hi));
        assert!(Mention::usernames(["@ALICE"]).matches(&hi));
        assert!(!Mention::usernames(["bob"]).matches(&hi));
        assert!(!Mention::ids([1]).matches(&hi));
    }

    #[test]
    fn mention_by_id_uses_text_mention_entities() {
        let hi = message(json!({
            "text": "hi Bob",
            "entities": [{
                "type": "text_mention", "offset": 3, "length": 3,
                "user": {"id": 123, "is_bot": false, "first_name": "Bob"},
            }],
        }));
        assert!(Mention::ids([123]).matches(&hi));
        assert!(
            Mention::new([MentionTarget::from("@x"), MentionTarget::from(123_i64)]).matches(&hi)
        );
        assert!(!Mention::ids([124]).matches(&hi));
        assert!(!Mention::usernames(["bob"]).matches(&hi));
    }

    #[test]
    fn mention_offsets_count_utf16_units() {
        // "🎉" is two UTF-16 units, so "@bob" starts at 3, not at 2.
        let party = message(json!({
            "text": "🎉 @bob",
            "entities": [{"type": "mention", "offset": 3, "length": 4}],
        }));
        assert!(Mention::usernames(["bob"]).matches(&party));
    }

    #[test]
    fn mention_in_a_caption_counts() {
        let photo = message(json!({
            "caption": "@carol",
            "caption_entities": [{"type": "mention", "offset": 0, "length": 6}],
        }));
        assert!(Mention::usernames(["carol"]).matches(&photo));
    }

    #[test]
    fn mention_needs_an_entity() {
        assert!(!Mention::usernames(["alice"]).matches(&text("hi @alice")));
        assert!(!Mention::usernames(["alice"]).matches(&no_message()));
    }
}
