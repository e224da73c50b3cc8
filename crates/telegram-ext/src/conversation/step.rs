//! What a conversation's handlers are: a [`Check`] paired with a callback whose return type says
//! the next state ([`Next`]), or a nested conversation. Erased into [`Step`] for the engine.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use super::engine::Core;
use crate::application::Application;
use crate::handlers::{BotIdentity, Check, Checked, Match};
use crate::{Context, HandlerError};

/// Where a conversation goes after a callback: the return type of a state callback.
///
/// A callback returning `HandlerResult` (`Result<(), HandlerError>`) stays where it is, like
/// python-telegram-bot's `return None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next<St> {
    /// Keep the current state (before the conversation started: do not start it).
    Stay,
    /// Move to this state.
    To(St),
    /// End the conversation (python-telegram-bot's `ConversationHandler.END`).
    End,
}

/// What a state callback returns: `Ok(Next::To(State::Age))`, or an error for the error
/// handlers (the state is then left as it was).
pub type StepResult<St> = Result<Next<St>, HandlerError>;

/// The boxed future of a step.
pub(crate) type StepFuture<St> = Pin<Box<dyn Future<Output = StepResult<St>> + Send + 'static>>;

/// A callback's success value, read as a transition: [`Next`] itself, or `()` for
/// [`Next::Stay`].
pub trait IntoNext<St> {
    /// The transition.
    fn into_next(self) -> Next<St>;
}

impl<St> IntoNext<St> for Next<St> {
    fn into_next(self) -> Next<St> {
        self
    }
}

impl<St> IntoNext<St> for () {
    fn into_next(self) -> Next<St> {
        Next::Stay
    }
}

/// A state callback: `async fn(Arc<Update>, Context<S>) -> StepResult<St>`, or a plain handler
/// callback returning `HandlerResult` (which stays).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a conversation callback",
    note = "a state callback is `async fn name(update: Arc<Update>, ctx: Context<S>) -> StepResult<St>` (or `-> HandlerResult`, which keeps the state)"
)]
pub trait StateCallback<S, St>: Send + Sync + 'static {
    /// Calls the callback.
    fn call(&self, update: Arc<Update>, ctx: Context<S>) -> StepFuture<St>;
}

#[diagnostic::do_not_recommend]
impl<S, St, F, Fut, R> StateCallback<S, St> for F
where
    F: Fn(Arc<Update>, Context<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: IntoNext<St>,
{
    fn call(&self, update: Arc<Update>, ctx: Context<S>) -> StepFuture<St> {
        let running = self(update, ctx);
        Box::pin(async move { running.await.map(IntoNext::into_next) })
    }
}

/// One handler of a conversation, erased: entry points, a state's handlers and fallbacks are
/// lists of these.
pub(crate) trait Step<S, St>: Send + Sync + 'static {
    /// Does this step want the update? Synchronous, no I/O.
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match>;

    /// Runs the step for the conversation stored at `key`. `Err(HandlerError::Declined)` when
    /// it turns out not to be its update (a nested conversation in another state): the next
    /// matching step is tried.
    fn run(&self, update: Arc<Update>, ctx: Context<S>, key: &str) -> StepFuture<St>;

    /// `false` for `block(false)`: the engine runs it as a task that holds the key.
    fn is_blocking(&self) -> bool;

    /// The update kinds it can match.
    fn update_types(&self) -> Vec<UpdateType>;

    /// Called when `conversation` (the one this step is a handler of) is added to an
    /// application: a nested conversation registers its timeout job, which moves `conversation`.
    fn attach(&self, _app: &Application<S>, _conversation: &Arc<Core<St, S>>)
    where
        S: Send + Sync + 'static,
    {
    }
}

/// What a conversation builder accepts as a handler: any built-in handler
/// (`MessageHandler::new(filter, callback)`, `CommandHandler`, `CallbackQueryHandler`, …) whose
/// callback is a [`StateCallback`], or a nested conversation
/// ([`ConversationHandler::map_to_parent`](super::ConversationHandler::map_to_parent)).
pub trait IntoStep<S, St> {
    /// The erased step.
    #[doc(hidden)]
    fn into_step(self) -> BoxedStep<S, St>;
}

/// An erased step (opaque).
#[doc(hidden)]
pub struct BoxedStep<S, St>(pub(crate) Box<dyn Step<S, St>>);

impl<S, St> IntoStep<S, St> for BoxedStep<S, St> {
    fn into_step(self) -> BoxedStep<S, St> {
        self
    }
}

impl<S, St> std::fmt::Debug for BoxedStep<S, St> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoxedStep")
    }
}

impl<S, St, K, C> IntoStep<S, St> for Checked<K, C>
where
    S: Send + Sync + 'static,
    St: Send + 'static,
    K: Check,
    C: StateCallback<S, St>,
{
    fn into_step(self) -> BoxedStep<S, St> {
        BoxedStep(Box::new(self))
    }
}

impl<S, St, K, C> Step<S, St> for Checked<K, C>
where
    S: Send + Sync + 'static,
    St: Send + 'static,
    K: Check,
    C: StateCallback<S, St>,
{
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match> {
        self.check.check(update, bot)
    }

    fn run(&self, update: Arc<Update>, ctx: Context<S>, _key: &str) -> StepFuture<St> {
        self.callback().call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.blocks()
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.check.update_types()
    }
}
