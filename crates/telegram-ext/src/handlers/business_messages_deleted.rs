//! `BusinessMessagesDeletedHandler`: messages deleted from a connected business account,
//! optionally only in some chats.

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles deleted business messages, as python-telegram-bot's
/// `BusinessMessagesDeletedHandler`.
///
/// Without lists, every update. With [`chat_ids`](Self::chat_ids) or
/// [`usernames`](Self::usernames), an update passes when its chat is listed by id or by
/// username.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::BusinessMessagesDeletedHandler, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn deleted(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = BusinessMessagesDeletedHandler::new(deleted).chat_ids([-100]).usernames(["@club"]);
/// # let _ = handler;
/// ```
pub struct BusinessMessagesDeletedHandler<C> {
    callback: C,
    chats: AllowList,
    block: bool,
}

impl<C> std::fmt::Debug for BusinessMessagesDeletedHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessMessagesDeletedHandler")
            .field("chats", &self.chats)
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> BusinessMessagesDeletedHandler<C> {
    /// Handles every deletion with `callback`.
    pub fn new(callback: C) -> Self {
        BusinessMessagesDeletedHandler {
            callback,
            chats: AllowList::default(),
            block: true,
        }
    }

    /// Deletions in chats with these ids.
    #[must_use]
    pub fn chat_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.chats.add_ids(ids);
        self
    }

    /// Deletions in chats with these usernames (with or without `@`, any case).
    #[must_use]
    pub fn usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.chats.add_usernames(usernames);
        self
    }

    /// `false`: run the callback as a tracked task, without holding up dispatch.
    #[must_use]
    pub fn block(mut self, block: bool) -> Self {
        self.block = block;
        self
    }
}

impl<S, C> Handler<S> for BusinessMessagesDeletedHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::DeletedBusinessMessages(deleted) = &update.kind else {
            return None;
        };
        allows(&[(
            &self.chats,
            Some(deleted.chat.id),
            deleted.chat.username.as_deref(),
        )])
        .then(Match::default)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::DeletedBusinessMessages]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{bot, samples};
    use super::*;
    use crate::HandlerResult;

    async fn noop(_: Arc<Update>, _: Context) -> HandlerResult {
        Ok(())
    }

    fn sample() -> Update {
        samples()
            .into_iter()
            .find(|(kind, _)| *kind == "deleted_business_messages")
            .map(|(_, update)| update)
            .expect("a sample update of the kind")
    }

    #[test]
    fn without_lists_every_update_of_the_kind_matches() {
        let handler = BusinessMessagesDeletedHandler::new(noop);
        for (kind, update) in samples() {
            assert_eq!(
                handler.check(&update, &bot()).is_some(),
                kind == "deleted_business_messages",
                "{kind}"
            );
        }
        assert_eq!(
            Handler::<()>::update_types(&handler),
            [UpdateType::DeletedBusinessMessages]
        );
    }

    #[test]
    fn listed_ids_or_usernames_pass_and_others_do_not() {
        let by_id = BusinessMessagesDeletedHandler::new(noop).chat_ids([-100]);
        assert!(by_id.check(&sample(), &bot()).is_some());
        let by_name = BusinessMessagesDeletedHandler::new(noop).usernames(["@CLUB"]);
        assert!(by_name.check(&sample(), &bot()).is_some());
        let other = BusinessMessagesDeletedHandler::new(noop)
            .chat_ids([7])
            .usernames(["nobody"]);
        assert!(other.check(&sample(), &bot()).is_none());
    }
}
