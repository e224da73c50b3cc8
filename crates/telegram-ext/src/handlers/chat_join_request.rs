//! `ChatJoinRequestHandler`: requests to join a chat the bot administers, optionally only for
//! some chats or from some users.

use telegram_types::{Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::checked::{Check, Checked};
use super::{BotIdentity, Match};

/// What a [`ChatJoinRequestHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct ChatJoinRequestCheck {
    chats: AllowList,
    users: AllowList,
}

/// Handles chat join requests, as python-telegram-bot's `ChatJoinRequestHandler`.
///
/// Without lists, every request. With [`chat_ids`](Self::chat_ids) or
/// [`usernames`](Self::usernames), a request passes when its chat's id is listed *or* the
/// requesting user's username is (python-telegram-bot's `chat_id` and `username`).
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::ChatJoinRequestHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn review(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let club_requests = ChatJoinRequestHandler::new(review).chat_ids([-100123]);
/// # let _ = club_requests;
/// ```
pub type ChatJoinRequestHandler<C> = Checked<ChatJoinRequestCheck, C>;

impl std::fmt::Debug for ChatJoinRequestCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatJoinRequestHandler")
            .field("chats", &self.chats)
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}

impl<C> ChatJoinRequestHandler<C> {
    /// Handles every join request with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            ChatJoinRequestCheck {
                chats: AllowList::default(),
                users: AllowList::default(),
            },
            callback,
        )
    }

    /// Requests to join chats with these ids.
    #[must_use]
    pub fn chat_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.check.chats.add_ids(ids);
        self
    }

    /// Requests from users with these usernames (with or without `@`, any case).
    #[must_use]
    pub fn usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.check.users.add_usernames(usernames);
        self
    }
}

impl Check for ChatJoinRequestCheck {
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::ChatJoinRequest(request) = &update.kind else {
            return None;
        };
        allows(&[
            (&self.chats, Some(request.chat.id), None),
            (&self.users, None, request.from.username.as_deref()),
        ])
        .then(Match::default)
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::ChatJoinRequest]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{bot, noop, samples};
    use super::*;
    use crate::handlers::Handler;

    fn request() -> Update {
        samples()
            .into_iter()
            .find(|(kind, _)| *kind == "chat_join_request")
            .map(|(_, update)| update)
            .expect("a sample join request")
    }

    #[test]
    fn without_lists_every_request_matches() {
        assert!(ChatJoinRequestHandler::new(noop)
            .check(&request(), &bot())
            .is_some());
    }

    #[test]
    fn chat_id_or_requester_username_passes() {
        let by_chat = ChatJoinRequestHandler::new(noop).chat_ids([-100]);
        assert!(by_chat.check(&request(), &bot()).is_some());
        let by_user = ChatJoinRequestHandler::new(noop).usernames(["@ANN"]);
        assert!(by_user.check(&request(), &bot()).is_some());
        let neither = ChatJoinRequestHandler::new(noop)
            .chat_ids([-200])
            .usernames(["bob", "club"]);
        assert!(neither.check(&request(), &bot()).is_none());
    }
}
