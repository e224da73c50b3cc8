//! `TypeHandler`: any update a predicate accepts.

use telegram_types::{Update, UpdateType};

use super::checked::{Check, Checked};
use super::{BotIdentity, Match};

/// What a [`TypeHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct TypeCheck<P> {
    predicate: P,
}

/// Handles every update its predicate accepts, as python-telegram-bot's `TypeHandler`.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::TypeHandler, Context, HandlerResult};
/// use telegram_ext::{Update, UpdateKind};
///
/// async fn audit(update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     tracing::info!(update_id = update.update_id, "seen");
///     Ok(())
/// }
/// let every_update = TypeHandler::new(|_: &Update| true, audit);
/// let polls_only = TypeHandler::new(|u: &Update| matches!(u.kind, UpdateKind::Poll(_)), audit);
/// # let _ = (every_update, polls_only);
/// ```
pub type TypeHandler<P, C> = Checked<TypeCheck<P>, C>;

impl<P> std::fmt::Debug for TypeCheck<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypeHandler").finish_non_exhaustive()
    }
}

impl<P, C> TypeHandler<P, C> {
    /// Handles updates for which `predicate` is true.
    pub fn new(predicate: P, callback: C) -> Self {
        Checked::from_parts(TypeCheck { predicate }, callback)
    }
}

impl<P> Check for TypeCheck<P>
where
    P: Fn(&Update) -> bool + Send + Sync + 'static,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        (self.predicate)(update).then(Match::default)
    }

    fn update_types(&self) -> Vec<UpdateType> {
        // A predicate may accept anything: ask Telegram for every kind.
        UpdateType::ALL.to_vec()
    }
}
