//! [`Checked`]: the piece every built-in handler shares — a [`Check`] (which updates the handler
//! wants, and what it found in them) and a callback, with `block`. Each handler kind is a check
//! plus a type alias: `MessageHandler<F, C>` is `Checked<MessageCheck<F>, C>`, so `block`,
//! `is_blocking` and the forwarding `handle` are written once, here.

use std::fmt;
use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// The deciding half of a handler: does it want this update, and which kinds of update can it
/// want. Synchronous and cheap, no I/O. Pair a check with a callback in [`Checked`] to make a
/// [`Handler`].
pub trait Check: Send + Sync + 'static {
    /// What the handler found when it wants `update` (command args, regex captures), else `None`.
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match>;

    /// The kinds of update this check can accept, for computing `allowed_updates`.
    fn update_types(&self) -> Vec<UpdateType>;
}

/// A [`Check`] and the callback it guards: the handler every built-in kind is an alias of.
pub struct Checked<K, C> {
    pub(crate) check: K,
    callback: C,
    block: bool,
}

impl<K, C> Checked<K, C> {
    /// Runs `callback` for the updates `check` accepts; blocking by default.
    pub fn from_parts(check: K, callback: C) -> Self {
        Checked {
            check,
            callback,
            block: true,
        }
    }

    /// `false`: run the callback as a tracked task, without holding up dispatch.
    pub fn block(mut self, block: bool) -> Self {
        self.block = block;
        self
    }

    /// The check, to read its settings.
    pub fn check_part(&self) -> &K {
        &self.check
    }

    /// The callback (conversations call it with their own result type).
    pub(crate) fn callback(&self) -> &C {
        &self.callback
    }

    /// Whether dispatch waits for the callback.
    pub(crate) fn blocks(&self) -> bool {
        self.block
    }

    /// The same callback and `block` with another check (a builder that changes the check's
    /// type, as `filter` does).
    pub(crate) fn map_check<L>(self, change: impl FnOnce(K) -> L) -> Checked<L, C> {
        Checked {
            check: change(self.check),
            callback: self.callback,
            block: self.block,
        }
    }
}

impl<S, K, C> Handler<S> for Checked<K, C>
where
    K: Check,
    C: Callback<S>,
{
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match> {
        self.check.check(update, bot)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.check.update_types()
    }
}

/// The check's `Debug` (named after the handler: `CommandHandler { commands: .. }`), then
/// `block`.
impl<K: fmt::Debug, C> fmt::Debug for Checked<K, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.check.fmt(f)?;
        write!(f, " (block: {})", self.block)
    }
}
