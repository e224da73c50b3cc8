//! `PollAnswerHandler`: a user's changed answer in a non-anonymous poll the bot sent.

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles poll answers, as python-telegram-bot's `PollAnswerHandler`. Telegram sends them only
/// for non-anonymous polls the bot sent itself.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::PollAnswerHandler, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn vote(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = PollAnswerHandler::new(vote).block(false);
/// # let _ = handler;
/// ```
pub struct PollAnswerHandler<C> {
    callback: C,
    block: bool,
}

impl<C> std::fmt::Debug for PollAnswerHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollAnswerHandler")
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> PollAnswerHandler<C> {
    /// Handles every poll answer with `callback`.
    pub fn new(callback: C) -> Self {
        PollAnswerHandler {
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

impl<S, C> Handler<S> for PollAnswerHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        matches!(update.kind, UpdateKind::PollAnswer(_)).then(Match::default)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::PollAnswer]
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
    fn matches_poll_answer_updates_only() {
        let handler = PollAnswerHandler::new(noop);
        for (kind, update) in samples() {
            assert_eq!(
                handler.check(&update, &bot()).is_some(),
                kind == "poll_answer",
                "{kind}"
            );
        }
        assert_eq!(
            Handler::<()>::update_types(&handler),
            [UpdateType::PollAnswer]
        );
    }

    #[test]
    fn block_is_configurable() {
        assert!(Handler::<()>::is_blocking(&PollAnswerHandler::new(noop)));
        assert!(!Handler::<()>::is_blocking(
            &PollAnswerHandler::new(noop).block(false)
        ));
    }
}
