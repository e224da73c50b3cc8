//! `ChatBoostHandler`: boosts added to (`chat_boost`) or removed from (`removed_chat_boost`) a
//! chat the bot administers, optionally only in some chats.

use telegram_types::{Chat, Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::checked::{Check, Checked};
use super::{BotIdentity, Match};

/// Which boost updates a [`ChatBoostHandler`] takes; usually written as
/// `ChatBoostHandler::CHAT_BOOST`, `REMOVED_CHAT_BOOST` or `ANY_CHAT_BOOST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatBoostUpdates {
    /// A boost was added or changed (`chat_boost`).
    ChatBoost,
    /// A boost was removed (`removed_chat_boost`).
    RemovedChatBoost,
    /// Both.
    Any,
}

impl ChatBoostUpdates {
    fn update_types(self) -> &'static [UpdateType] {
        match self {
            ChatBoostUpdates::ChatBoost => &[UpdateType::ChatBoost],
            ChatBoostUpdates::RemovedChatBoost => &[UpdateType::RemovedChatBoost],
            ChatBoostUpdates::Any => &[UpdateType::ChatBoost, UpdateType::RemovedChatBoost],
        }
    }
}

/// What a [`ChatBoostHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct ChatBoostCheck {
    types: ChatBoostUpdates,
    chats: AllowList,
}

/// Handles chat boost updates, as python-telegram-bot's `ChatBoostHandler`.
///
/// By default only added boosts ([`CHAT_BOOST`](Self::CHAT_BOOST), as in
/// python-telegram-bot); pick others with [`chat_boost_types`](Self::chat_boost_types). With
/// [`chat_ids`](Self::chat_ids) or [`chat_usernames`](Self::chat_usernames), only boosts of
/// chats listed by id or by username.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::ChatBoostHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn thank(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let boosts = ChatBoostHandler::new(thank)
///     .chat_boost_types(ChatBoostHandler::ANY_CHAT_BOOST)
///     .chat_usernames(["@mychannel"]);
/// # let _ = boosts;
/// ```
pub type ChatBoostHandler<C> = Checked<ChatBoostCheck, C>;

impl ChatBoostHandler<()> {
    /// Added or changed boosts (`chat_boost`); the default.
    pub const CHAT_BOOST: ChatBoostUpdates = ChatBoostUpdates::ChatBoost;
    /// Removed boosts (`removed_chat_boost`).
    pub const REMOVED_CHAT_BOOST: ChatBoostUpdates = ChatBoostUpdates::RemovedChatBoost;
    /// Both.
    pub const ANY_CHAT_BOOST: ChatBoostUpdates = ChatBoostUpdates::Any;
}

impl std::fmt::Debug for ChatBoostCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatBoostHandler")
            .field("types", &self.types)
            .field("chats", &self.chats)
            .finish_non_exhaustive()
    }
}

impl<C> ChatBoostHandler<C> {
    /// Handles added boosts with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            ChatBoostCheck {
                types: ChatBoostUpdates::ChatBoost,
                chats: AllowList::default(),
            },
            callback,
        )
    }

    /// Which boost updates to handle.
    #[must_use]
    pub fn chat_boost_types(mut self, types: ChatBoostUpdates) -> Self {
        self.check.types = types;
        self
    }

    /// Only boosts of chats with these ids.
    #[must_use]
    pub fn chat_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.check.chats.add_ids(ids);
        self
    }

    /// Only boosts of chats with these usernames (with or without `@`, any case).
    #[must_use]
    pub fn chat_usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.check.chats.add_usernames(usernames);
        self
    }
}

impl Check for ChatBoostCheck {
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        use ChatBoostUpdates::{Any, ChatBoost, RemovedChatBoost};
        let chat: &Chat = match (&update.kind, self.types) {
            (UpdateKind::ChatBoost(boost), ChatBoost | Any) => &boost.chat,
            (UpdateKind::RemovedChatBoost(removed), RemovedChatBoost | Any) => &removed.chat,
            _ => return None,
        };
        allows(&[(&self.chats, Some(chat.id), chat.username.as_deref())]).then(Match::default)
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.types.update_types().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{matched_kinds, noop};
    use super::*;
    use crate::handlers::Handler;

    #[test]
    fn selector_picks_the_update_kinds() {
        let table = [
            (ChatBoostHandler::CHAT_BOOST, vec!["chat_boost"]),
            (
                ChatBoostHandler::REMOVED_CHAT_BOOST,
                vec!["removed_chat_boost"],
            ),
            (
                ChatBoostHandler::ANY_CHAT_BOOST,
                vec!["chat_boost", "removed_chat_boost"],
            ),
        ];
        for (types, expected) in table {
            let handler = ChatBoostHandler::new(noop).chat_boost_types(types);
            assert_eq!(matched_kinds(&handler), expected, "{types:?}");
            assert_eq!(
                Handler::<()>::update_types(&handler),
                types.update_types().to_vec()
            );
        }
        assert_eq!(matched_kinds(&ChatBoostHandler::new(noop)), ["chat_boost"]);
    }

    #[test]
    fn chat_lists_restrict_the_chats() {
        let any = ChatBoostHandler::new(noop).chat_boost_types(ChatBoostHandler::ANY_CHAT_BOOST);
        let by_id = ChatBoostHandler::new(noop)
            .chat_boost_types(ChatBoostHandler::ANY_CHAT_BOOST)
            .chat_ids([-100]);
        let by_name = ChatBoostHandler::new(noop)
            .chat_boost_types(ChatBoostHandler::ANY_CHAT_BOOST)
            .chat_usernames(["@Club"]);
        let other = any.chat_ids([-5]).chat_usernames(["elsewhere"]);
        assert_eq!(matched_kinds(&by_id).len(), 2);
        assert_eq!(matched_kinds(&by_name).len(), 2);
        assert!(matched_kinds(&other).is_empty());
    }
}
