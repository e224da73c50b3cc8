//! `ChatMemberHandler`: changes of membership — the bot's own (`my_chat_member`: added, removed,
//! blocked) or other members' (`chat_member`) — optionally only in some chats.

use telegram_types::{Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::checked::{Check, Checked};
use super::{BotIdentity, Match};

/// Which membership changes a [`ChatMemberHandler`] takes; usually written as
/// `ChatMemberHandler::MY_CHAT_MEMBER`, `CHAT_MEMBER` or `ANY_CHAT_MEMBER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatMemberUpdates {
    /// The bot's own status changed (`my_chat_member`).
    MyChatMember,
    /// Another member's status changed (`chat_member`); Telegram sends these only to admins
    /// that list `chat_member` in `allowed_updates`.
    ChatMember,
    /// Both.
    Any,
}

impl ChatMemberUpdates {
    fn update_types(self) -> &'static [UpdateType] {
        match self {
            ChatMemberUpdates::MyChatMember => &[UpdateType::MyChatMember],
            ChatMemberUpdates::ChatMember => &[UpdateType::ChatMember],
            ChatMemberUpdates::Any => &[UpdateType::MyChatMember, UpdateType::ChatMember],
        }
    }
}

/// What a [`ChatMemberHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct ChatMemberCheck {
    types: ChatMemberUpdates,
    chats: AllowList,
}

/// Handles chat member updates, as python-telegram-bot's `ChatMemberHandler`.
///
/// By default only the bot's own status changes ([`MY_CHAT_MEMBER`](Self::MY_CHAT_MEMBER), as
/// in python-telegram-bot); pick others with [`chat_member_types`](Self::chat_member_types).
/// [`chat_ids`](Self::chat_ids) keeps only changes in those chats.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::ChatMemberHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn greet(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let members = ChatMemberHandler::new(greet)
///     .chat_member_types(ChatMemberHandler::CHAT_MEMBER)
///     .chat_ids([-100123]);
/// # let _ = members;
/// ```
pub type ChatMemberHandler<C> = Checked<ChatMemberCheck, C>;

impl ChatMemberHandler<()> {
    /// The bot's own status changes (`my_chat_member`); the default.
    pub const MY_CHAT_MEMBER: ChatMemberUpdates = ChatMemberUpdates::MyChatMember;
    /// Other members' status changes (`chat_member`).
    pub const CHAT_MEMBER: ChatMemberUpdates = ChatMemberUpdates::ChatMember;
    /// Both kinds of change.
    pub const ANY_CHAT_MEMBER: ChatMemberUpdates = ChatMemberUpdates::Any;
}

impl std::fmt::Debug for ChatMemberCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatMemberHandler")
            .field("types", &self.types)
            .field("chats", &self.chats)
            .finish_non_exhaustive()
    }
}

impl<C> ChatMemberHandler<C> {
    /// Handles changes of the bot's own status with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            ChatMemberCheck {
                types: ChatMemberUpdates::MyChatMember,
                chats: AllowList::default(),
            },
            callback,
        )
    }

    /// Which changes to handle.
    #[must_use]
    pub fn chat_member_types(mut self, types: ChatMemberUpdates) -> Self {
        self.check.types = types;
        self
    }

    /// Only changes in chats with these ids (adds to the ids given before).
    #[must_use]
    pub fn chat_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.check.chats.add_ids(ids);
        self
    }
}

impl Check for ChatMemberCheck {
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let change = match (&update.kind, self.types) {
            (
                UpdateKind::MyChatMember(c),
                ChatMemberUpdates::MyChatMember | ChatMemberUpdates::Any,
            )
            | (UpdateKind::ChatMember(c), ChatMemberUpdates::ChatMember | ChatMemberUpdates::Any) => {
                c
            }
            _ => return None,
        };
        allows(&[(&self.chats, Some(change.chat.id), None)]).then(Match::default)
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
            (ChatMemberHandler::MY_CHAT_MEMBER, vec!["my_chat_member"]),
            (ChatMemberHandler::CHAT_MEMBER, vec!["chat_member"]),
            (
                ChatMemberHandler::ANY_CHAT_MEMBER,
                vec!["my_chat_member", "chat_member"],
            ),
        ];
        for (types, expected) in table {
            let handler = ChatMemberHandler::new(noop).chat_member_types(types);
            assert_eq!(matched_kinds(&handler), expected, "{types:?}");
            assert_eq!(
                Handler::<()>::update_types(&handler),
                types.update_types().to_vec()
            );
        }
        assert_eq!(
            matched_kinds(&ChatMemberHandler::new(noop)),
            ["my_chat_member"]
        );
    }

    #[test]
    fn chat_ids_restrict_the_chats() {
        let club = ChatMemberHandler::new(noop).chat_ids([-100]);
        assert_eq!(matched_kinds(&club), ["my_chat_member"]);
        let elsewhere = ChatMemberHandler::new(noop).chat_ids([-200]);
        assert!(matched_kinds(&elsewhere).is_empty());
    }
}
