//! `PaidMediaPurchasedHandler`: a user bought paid media the bot sent with a payload,
//! optionally only some users.

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles paid media purchases, as python-telegram-bot's `PaidMediaPurchasedHandler`.
///
/// Without lists, every purchase. With [`user_ids`](Self::user_ids) or
/// [`usernames`](Self::usernames), a purchase passes when the buyer is listed by id or by
/// username.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::PaidMediaPurchasedHandler, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn purchased(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = PaidMediaPurchasedHandler::new(purchased).user_ids([42]).usernames(["@ann"]);
/// # let _ = handler;
/// ```
pub struct PaidMediaPurchasedHandler<C> {
    callback: C,
    users: AllowList,
    block: bool,
}

impl<C> std::fmt::Debug for PaidMediaPurchasedHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaidMediaPurchasedHandler")
            .field("users", &self.users)
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> PaidMediaPurchasedHandler<C> {
    /// Handles every purchase with `callback`.
    pub fn new(callback: C) -> Self {
        PaidMediaPurchasedHandler {
            callback,
            users: AllowList::default(),
            block: true,
        }
    }

    /// Purchases by users with these ids.
    #[must_use]
    pub fn user_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.users.add_ids(ids);
        self
    }

    /// Purchases by users with these usernames (with or without `@`, any case).
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

impl<S, C> Handler<S> for PaidMediaPurchasedHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::PurchasedPaidMedia(purchase) = &update.kind else {
            return None;
        };
        allows(&[(
            &self.users,
            Some(purchase.from.id),
            purchase.from.username.as_deref(),
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
        vec![UpdateType::PurchasedPaidMedia]
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
            .find(|(kind, _)| *kind == "purchased_paid_media")
            .map(|(_, update)| update)
            .expect("a sample update of the kind")
    }

    #[test]
    fn without_lists_every_update_of_the_kind_matches() {
        let handler = PaidMediaPurchasedHandler::new(noop);
        for (kind, update) in samples() {
            assert_eq!(
                handler.check(&update, &bot()).is_some(),
                kind == "purchased_paid_media",
                "{kind}"
            );
        }
        assert_eq!(
            Handler::<()>::update_types(&handler),
            [UpdateType::PurchasedPaidMedia]
        );
    }

    #[test]
    fn listed_ids_or_usernames_pass_and_others_do_not() {
        let by_id = PaidMediaPurchasedHandler::new(noop).user_ids([42]);
        assert!(by_id.check(&sample(), &bot()).is_some());
        let by_name = PaidMediaPurchasedHandler::new(noop).usernames(["@ANN"]);
        assert!(by_name.check(&sample(), &bot()).is_some());
        let other = PaidMediaPurchasedHandler::new(noop)
            .user_ids([7])
            .usernames(["nobody"]);
        assert!(other.check(&sample(), &bot()).is_none());
    }
}
