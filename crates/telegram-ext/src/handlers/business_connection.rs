//! `BusinessConnectionHandler`: the bot connected to, disconnected from, or changed in a
//! business account, optionally only for some users.

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles business connection updates, as python-telegram-bot's
/// `BusinessConnectionHandler`.
///
/// Without lists, every update. With [`user_ids`](Self::user_ids) or
/// [`usernames`](Self::usernames), an update passes when the business account's user is
/// listed by id or by username.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::BusinessConnectionHandler, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn connected(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = BusinessConnectionHandler::new(connected).user_ids([42]).usernames(["@ann"]);
/// # let _ = handler;
/// ```
pub struct BusinessConnectionHandler<C> {
    callback: C,
    users: AllowList,
    block: bool,
}

impl<C> std::fmt::Debug for BusinessConnectionHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessConnectionHandler")
            .field("users", &self.users)
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> BusinessConnectionHandler<C> {
    /// Handles every business connection update with `callback`.
    pub fn new(callback: C) -> Self {
        BusinessConnectionHandler {
            callback,
            users: AllowList::default(),
            block: true,
        }
    }

    /// Connections of users with these ids.
    #[must_use]
    pub fn user_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.users.add_ids(ids);
        self
    }

    /// Connections of users with these usernames (with or without `@`, any case).
    #[must_use]
    pub fn usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.users.add_usernames(usernames);
        self
    }

    /// `false`: run the callback as a tracked task, without holding up dispatch.
    #[must_use]
    pub fn block(mut self, block: bool) -> Self {
        self.block = block;
        self
    }
}

impl<S, C> Handler<S> for BusinessConnectionHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::BusinessConnection(connection) = &update.kind else {
            return None;
        };
        allows(&[(
            &self.users,
            Some(connection.user.id),
            connection.user.username.as_deref(),
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
        vec![UpdateType::BusinessConnection]
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
            .find(|(kind, _)| *kind == "business_connection")
            .map(|(_, update)| update)
            .expect("a sample update of the kind")
    }

    #[test]
    fn without_lists_every_update_of_the_kind_matches() {
        let handler = BusinessConnectionHandler::new(noop);
        for (kind, update) in samples() {
            assert_eq!(
                handler.check(&update, &bot()).is_some(),
                kind == "business_connection",
                "{kind}"
            );
        }
        assert_eq!(
            Handler::<()>::update_types(&handler),
            [UpdateType::BusinessConnection]
        );
    }

    #[test]
    fn listed_ids_or_usernames_pass_and_others_do_not() {
        let by_id = BusinessConnectionHandler::new(noop).user_ids([42]);
        assert!(by_id.check(&sample(), &bot()).is_some());
        let by_name = BusinessConnectionHandler::new(noop).usernames(["@ANN"]);
        assert!(by_name.check(&sample(), &bot()).is_some());
        let other = BusinessConnectionHandler::new(noop)
            .user_ids([7])
            .usernames(["nobody"]);
        assert!(other.check(&sample(), &bot()).is_none());
    }
}
