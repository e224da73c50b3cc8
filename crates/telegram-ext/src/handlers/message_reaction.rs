//! `MessageReactionHandler`: changed reactions to messages — by a user (`message_reaction`) or
//! anonymous counts (`message_reaction_count`) — optionally only in some chats or by some
//! users.

use telegram_types::{Chat, Update, UpdateKind, UpdateType, User};

use super::allow_list::{allows, AllowList};
use super::checked::{Check, Checked};
use super::{BotIdentity, Match};

/// Which reaction updates a [`MessageReactionHandler`] takes; usually written as
/// `MessageReactionHandler::MESSAGE_REACTION_UPDATED`, `MESSAGE_REACTION_COUNT_UPDATED` or
/// `MESSAGE_REACTION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageReactionUpdates {
    /// A user changed their reaction (`message_reaction`).
    Updated,
    /// The anonymous reaction counts changed (`message_reaction_count`).
    CountUpdated,
    /// Both.
    Any,
}

impl MessageReactionUpdates {
    fn update_types(self) -> &'static [UpdateType] {
        match self {
            MessageReactionUpdates::Updated => &[UpdateType::MessageReaction],
            MessageReactionUpdates::CountUpdated => &[UpdateType::MessageReactionCount],
            MessageReactionUpdates::Any => &[
                UpdateType::MessageReaction,
                UpdateType::MessageReactionCount,
            ],
        }
    }
}

/// What a [`MessageReactionHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct MessageReactionCheck {
    types: MessageReactionUpdates,
    chats: AllowList,
    users: AllowList,
}

/// Handles message reaction updates, as python-telegram-bot's `MessageReactionHandler`.
/// Telegram sends them only to chat admins that list them in `allowed_updates`, which the
/// application does from [`update_types`](super::Handler::update_types).
///
/// By default both kinds ([`MESSAGE_REACTION`](Self::MESSAGE_REACTION), as in
/// python-telegram-bot); pick one with [`message_reaction_types`](Self::message_reaction_types).
/// With any of the lists ([`chat_ids`](Self::chat_ids), [`chat_usernames`](Self::chat_usernames),
/// [`user_ids`](Self::user_ids), [`user_usernames`](Self::user_usernames)), an update passes
/// when its chat or its user is listed in one of them. Anonymous counts have no user, so the
/// user lists never let them through.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::MessageReactionHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn reacted(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let in_club = MessageReactionHandler::new(reacted)
///     .message_reaction_types(MessageReactionHandler::MESSAGE_REACTION_UPDATED)
///     .chat_usernames(["@club"]);
/// # let _ = in_club;
/// ```
pub type MessageReactionHandler<C> = Checked<MessageReactionCheck, C>;

impl MessageReactionHandler<()> {
    /// Reactions changed by a user (`message_reaction`).
    pub const MESSAGE_REACTION_UPDATED: MessageReactionUpdates = MessageReactionUpdates::Updated;
    /// Anonymous reaction counts (`message_reaction_count`).
    pub const MESSAGE_REACTION_COUNT_UPDATED: MessageReactionUpdates =
        MessageReactionUpdates::CountUpdated;
    /// Both; the default.
    pub const MESSAGE_REACTION: MessageReactionUpdates = MessageReactionUpdates::Any;
}

impl std::fmt::Debug for MessageReactionCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageReactionHandler")
            .field("types", &self.types)
            .field("chats", &self.chats)
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}

impl<C> MessageReactionHandler<C> {
    /// Handles both kinds of reaction update with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            MessageReactionCheck {
                types: MessageReactionUpdates::Any,
                chats: AllowList::default(),
                users: AllowList::default(),
            },
            callback,
        )
    }

    /// Which reaction updates to handle.
    #[must_use]
    pub fn message_reaction_types(mut self, types: MessageReactionUpdates) -> Self {
        self.check.types = types;
        self
    }

    /// Reactions in chats with these ids.
    #[must_use]
    pub fn chat_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.check.chats.add_ids(ids);
        self
    }

    /// Reactions in chats with these usernames (with or without `@`, any case).
    #[must_use]
    pub fn chat_usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.check.chats.add_usernames(usernames);
        self
    }

    /// Reactions by users with these ids.
    #[must_use]
    pub fn user_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.check.users.add_ids(ids);
        self
    }

    /// Reactions by users with these usernames (with or without `@`, any case).
    #[must_use]
    pub fn user_usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.check.users.add_usernames(usernames);
        self
    }
}

impl Check for MessageReactionCheck {
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        use MessageReactionUpdates::{Any, CountUpdated, Updated};
        let (chat, user): (&Chat, Option<&User>) = match (&update.kind, self.types) {
            (UpdateKind::MessageReaction(r), Updated | Any) => (&r.chat, r.user.as_deref()),
            (UpdateKind::MessageReactionCount(r), CountUpdated | Any) => (&r.chat, None),
            _ => return None,
        };
        allows(&[
            (&self.chats, Some(chat.id), chat.username.as_deref()),
            (
                &self.users,
                user.map(|u| u.id),
                user.and_then(|u| u.username.as_deref()),
            ),
        ])
        .then(Match::default)
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
            (
                MessageReactionHandler::MESSAGE_REACTION_UPDATED,
                vec!["message_reaction"],
            ),
            (
                MessageReactionHandler::MESSAGE_REACTION_COUNT_UPDATED,
                vec!["message_reaction_count"],
            ),
            (
                MessageReactionHandler::MESSAGE_REACTION,
                vec!["message_reaction", "message_reaction_count"],
            ),
        ];
        for (types, expected) in table {
            let handler = MessageReactionHandler::new(noop).message_reaction_types(types);
            assert_eq!(matched_kinds(&handler), expected, "{types:?}");
            assert_eq!(
                Handler::<()>::update_types(&handler),
                types.update_types().to_vec()
            );
        }
        assert_eq!(matched_kinds(&MessageReactionHandler::new(noop)).len(), 2);
    }

    #[test]
    fn chat_lists_pass_both_kinds_and_user_lists_only_user_reactions() {
        let by_chat = MessageReactionHandler::new(noop).chat_ids([-100]);
        assert_eq!(matched_kinds(&by_chat).len(), 2);
        let by_chat_name = MessageReactionHandler::new(noop).chat_usernames(["CLUB"]);
        assert_eq!(matched_kinds(&by_chat_name).len(), 2);
        let by_user = MessageReactionHandler::new(noop).user_ids([42]);
        assert_eq!(matched_kinds(&by_user), ["message_reaction"]);
        let by_user_name = MessageReactionHandler::new(noop).user_usernames(["@ann"]);
        assert_eq!(matched_kinds(&by_user_name), ["message_reaction"]);
        let nobody = MessageReactionHandler::new(noop)
            .chat_ids([1])
            .user_usernames(["bob"]);
        assert!(matched_kinds(&nobody).is_empty());
    }
}
