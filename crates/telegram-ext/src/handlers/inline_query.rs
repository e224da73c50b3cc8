//! `InlineQueryHandler`: inline queries (`@yourbot cats`), optionally only those whose text
//! passes a [`Pattern`] or that come from some kinds of chat.

use telegram_types::{InlineQueryChatType, Update, UpdateKind, UpdateType};

use super::checked::{Check, Checked};
use super::{BotIdentity, Match, Pattern};

/// What a [`InlineQueryHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct InlineQueryCheck {
    pattern: Option<Pattern>,
    chat_types: Option<Vec<InlineQueryChatType>>,
}

/// Handles inline queries, as python-telegram-bot's `InlineQueryHandler`.
///
/// With [`pattern`](Self::pattern), only queries whose `query` text passes it (a regex's
/// captures land in [`Context::matches`](crate::Context::matches); the empty query is tested like any other). With
/// [`chat_types`](Self::chat_types), only queries sent from those kinds of chat; a query
/// without a chat type (sent from a secret chat, or by an old client) then never matches.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::{InlineQueryHandler, Pattern}, Context, HandlerResult};
/// use telegram_ext::types::{InlineQueryChatType, Update};
///
/// async fn search(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = InlineQueryHandler::new(search)
///     .pattern(Pattern::regex(r"^gif (.+)$")?)
///     .chat_types([InlineQueryChatType::Private, InlineQueryChatType::Sender]);
/// # let _ = handler;
/// # Ok::<(), regex::Error>(())
/// ```
pub type InlineQueryHandler<C> = Checked<InlineQueryCheck, C>;

impl std::fmt::Debug for InlineQueryCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineQueryHandler")
            .field("pattern", &self.pattern)
            .field("chat_types", &self.chat_types)
            .finish_non_exhaustive()
    }
}

impl<C> InlineQueryHandler<C> {
    /// Handles every inline query with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            InlineQueryCheck {
                pattern: None,
                chat_types: None,
            },
            callback,
        )
    }

    /// Only queries whose text passes `pattern`.
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<Pattern>) -> Self {
        self.check.pattern = Some(pattern.into());
        self
    }

    /// Only queries sent from chats of these types.
    #[must_use]
    pub fn chat_types(mut self, chat_types: impl IntoIterator<Item = InlineQueryChatType>) -> Self {
        self.check.chat_types = Some(chat_types.into_iter().collect());
        self
    }
}

impl Check for InlineQueryCheck {
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::InlineQuery(query) = &update.kind else {
            return None;
        };
        if let Some(allowed) = &self.chat_types {
            if !query
                .chat_type
                .as_ref()
                .is_some_and(|t| allowed.contains(t))
            {
                return None;
            }
        }
        let Some(pattern) = &self.pattern else {
            return Some(Match::default());
        };
        let matches = pattern.captures(&query.query)?;
        Some(Match {
            args: Vec::new(),
            matches,
        })
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::InlineQuery]
    }
}

#[cfg(test)]
mod tests {
    use crate::handlers::Handler;
    use serde_json::json;

    use super::super::test_support::{ann, bot, noop, of_kind, text};
    use super::*;

    fn query(text: &str, chat_type: Option<&str>) -> Update {
        let mut query = json!({"id": "i1", "from": ann(), "query": text, "offset": ""});
        if let Some(chat_type) = chat_type {
            query["chat_type"] = json!(chat_type);
        }
        of_kind("inline_query", query)
    }

    #[test]
    fn without_options_every_inline_query_matches() {
        let handler = InlineQueryHandler::new(noop);
        assert!(handler.check(&query("", None), &bot()).is_some());
        assert!(handler.check(&text("cats"), &bot()).is_none());
    }

    #[test]
    fn pattern_tests_the_query_text_and_keeps_captures() {
        let handler = InlineQueryHandler::new(noop)
            .pattern(Pattern::regex(r"^gif (\w+)$").expect("test pattern compiles"));
        let found = handler
            .check(&query("gif cats", None), &bot())
            .expect("the pattern matches");
        assert_eq!(found.matches[0].get(1), Some("cats"));
        assert!(handler.check(&query("cats", None), &bot()).is_none());
    }

    #[test]
    fn chat_types_restrict_where_the_query_comes_from() {
        let handler = InlineQueryHandler::new(noop)
            .chat_types([InlineQueryChatType::Private, InlineQueryChatType::Sender]);
        assert!(handler
            .check(&query("x", Some("private")), &bot())
            .is_some());
        assert!(handler.check(&query("x", Some("sender")), &bot()).is_some());
        assert!(handler.check(&query("x", Some("group")), &bot()).is_none());
        assert!(handler.check(&query("x", None), &bot()).is_none());
    }
}
