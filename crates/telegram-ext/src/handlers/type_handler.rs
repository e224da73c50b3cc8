//! `TypeHandler`: any update a predicate accepts.

use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match};
use crate::Context;

/// Handles every update its predicate accepts, as python-telegram-bot's `TypeHandler`.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::TypeHandler, Context, HandlerResult};
/// use telegram_types::{Update, UpdateKind};
///
/// async fn audit(update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     tracing::info!(update_id = update.update_id, "seen");
///     Ok(())
/// }
/// let every_update = TypeHandler::new(|_: &Update| true, audit);
/// let polls_only = TypeHandler::new(|u: &Update| matches!(u.kind, UpdateKind::Poll(_)), audit);
/// # let _ = (every_update, polls_only);
/// ```
pub struct TypeHandler<P, C> {
    predicate: P,
    callback: C,
    block: bool,
}

impl<P, C> std::fmt::Debug for TypeHandler<P, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypeHandler")
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<P, C> TypeHandler<P, C> {
    /// Handles updates for which `predicate` is true.
    pub fn new(predicate: P, callback: C) -> Self {
        TypeHandler {
            predicate,
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

impl<S, P, C> Handler<S> for TypeHandler<P, C>
where
    P: Fn(&Update) -> bool + Send + Sync + 'static,
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        (self.predicate)(update).then(Match::default)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        // A predicate may accept anything: ask Telegram for every kind.
        UpdateType::ALL.to_vec()
    }
}
