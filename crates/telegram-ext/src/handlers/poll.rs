//! `PollHandler`: new states of polls (votes counted, closed) the bot sent or stopped.

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles poll state updates, as python-telegram-bot's `PollHandler`. Telegram sends them only
/// for polls the bot sent itself and polls it stopped.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::PollHandler, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn poll_state(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = PollHandler::new(poll_state).block(false);
/// # let _ = handler;
/// ```
pub struct PollHandler<C> {
    callback: C,
    block: bool,
}

impl<C> std::fmt::Debug for PollHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollHandler")
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> PollHandler<C> {
    /// Handles every poll update with `callback`.
    pub fn new(callback: C) -> Self {
        PollHandler {
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

impl<S, C> Handler<S> for PollHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        matches!(update.kind, UpdateKind::Poll(_)).then(Match::default)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::Poll]
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
    fn matches_poll_updates_only() {
        let handler = PollHandler::new(noop);
        for (kind, update) in samples() {
            assert_eq!(
                handler.check(&update, &bot()).is_some(),
                kind == "poll",
                "{kind}"
            );
        }
        assert_eq!(Handler::<()>::update_types(&handler), [UpdateType::Poll]);
    }

    #[test]
    fn block_is_configurable() {
        assert!(Handler::<()>::is_blocking(&PollHandler::new(noop)));
        assert!(!Handler::<()>::is_blocking(
            &PollHandler::new(noop).block(false)
        ));
    }
}
