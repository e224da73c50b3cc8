//! `MessageHandler`: messages (new, edited, channel posts, business) that pass a filter.

use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match, MESSAGE_KINDS};
use crate::filters::Filter;
use crate::Context;

/// Handles messages that pass its filter, as python-telegram-bot's `MessageHandler`.
///
/// Looks at every kind of update that carries a message; narrow it with `filters::UpdateType`.
/// Regex matches of the filter land in [`Context::matches`].
#[derive(Debug)]
pub struct MessageHandler<F, C> {
    filter: F,
    callback: C,
    block: bool,
}

impl<F, C> MessageHandler<F, C> {
    /// Handles messages passing `filter` with `callback`.
    pub fn new(filter: F, callback: C) -> Self {
        MessageHandler {
            filter,
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

impl<S, F, C> Handler<S> for MessageHandler<F, C>
where
    F: Filter,
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        update.effective_message()?;
        if !MESSAGE_KINDS.contains(&update.kind.update_type()) {
            return None;
        }
        let result = self.filter.check(update);
        result.is_match().then(|| Match {
            args: Vec::new(),
            matches: result.into_matches(),
        })
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        MESSAGE_KINDS.to_vec()
    }
}
