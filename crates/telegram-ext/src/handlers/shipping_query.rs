//! `ShippingQueryHandler`: the shipping address a buyer gave for an invoice with a flexible price.

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles shipping queries, as python-telegram-bot's `ShippingQueryHandler`. The callback
/// answers with `answerShippingQuery`.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::ShippingQueryHandler, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn ship(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = ShippingQueryHandler::new(ship).block(false);
/// # let _ = handler;
/// ```
pub struct ShippingQueryHandler<C> {
    callback: C,
    block: bool,
}

impl<C> std::fmt::Debug for ShippingQueryHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShippingQueryHandler")
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> ShippingQueryHandler<C> {
    /// Handles every shipping query with `callback`.
    pub fn new(callback: C) -> Self {
        ShippingQueryHandler {
            callback,
            block: true,
        }
    }

    /// `false`: run the callback as a tracked task, without holding up dispatch.
    #[must_use]
    pub fn block(mut self, block: bool) -> Self {
        self.block = block;
        self
    }
}

impl<S, C> Handler<S> for ShippingQueryHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        matches!(update.kind, UpdateKind::ShippingQuery(_)).then(Match::default)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::ShippingQuery]
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

    #[test]
    fn matches_shipping_query_updates_only() {
        let handler = ShippingQueryHandler::new(noop);
        for (kind, update) in samples() {
            assert_eq!(
                handler.check(&update, &bot()).is_some(),
                kind == "shipping_query",
                "{kind}"
            );
        }
        assert_eq!(
            Handler::<()>::update_types(&handler),
            [UpdateType::ShippingQuery]
        );
    }

    #[test]
    fn block_is_configurable() {
        assert!(Handler::<()>::is_blocking(&ShippingQueryHandler::new(noop)));
        assert!(!Handler::<()>::is_blocking(
            &ShippingQueryHandler::new(noop).block(false)
        ));
    }
}
