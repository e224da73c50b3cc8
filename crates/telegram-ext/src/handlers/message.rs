//! `MessageHandler`: messages (new, edited, channel posts, business) that pass a filter.

use telegram_types::{Update, UpdateType};

use super::checked::{Check, Checked};
use super::{BotIdentity, Match, MESSAGE_KINDS};
use crate::filters::Filter;

/// What a [`MessageHandler`] checks; the callback and `block` are [`Checked`]'s.
#[derive(Debug)]
pub struct MessageCheck<F> {
    filter: F,
}

/// Handles messages that pass its filter, as python-telegram-bot's `MessageHandler`.
///
/// Looks at every kind of update that carries a message; narrow it with `filters::UpdateType`.
/// Regex matches of the filter land in [`Context::matches`](crate::Context::matches).
pub type MessageHandler<F, C> = Checked<MessageCheck<F>, C>;

impl<F, C> MessageHandler<F, C> {
    /// Handles messages passing `filter` with `callback`.
    pub fn new(filter: F, callback: C) -> Self {
        Checked::from_parts(MessageCheck { filter }, callback)
    }
}

impl<F> Check for MessageCheck<F>
where
    F: Filter,
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

    fn update_types(&self) -> Vec<UpdateType> {
        MESSAGE_KINDS.to_vec()
    }
}
