//! Conversations: python-telegram-bot's `ConversationHandler`, with the state a Rust enum,
//! each transition in a callback's return type, correct under concurrent processing, stored in
//! the application's store, with timeouts that fire on their own.
//!
//! # Brief overview
//!
//! - [`ConversationHandler`]`<St>`: a [`Handler`] like the others, made by
//!   [`ConversationHandler::builder`]: entry points, handlers per state, fallbacks,
//!   [`allow_reentry`](ConversationBuilder::allow_reentry), a name (its storage namespace), a
//!   [`ConversationKey`] (per chat, user, chat and user — the default —, message, topic), a
//!   [`timeout`](ConversationBuilder::timeout).
//! - A state callback is `async fn(Arc<Update>, Context<S>) -> StepResult<St>`: it returns
//!   [`Next::Stay`], [`Next::To`]`(state)` or [`Next::End`]. A plain `HandlerResult` callback
//!   stays. Any built-in handler takes such a callback (`MessageHandler::new(filter, age)`).
//! - Nested conversations: [`ConversationHandler::map_to_parent`] turns a child into a
//!   handler of the parent's state; the child's end (or a state it maps) moves the parent.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use telegram_ext::conversation::{ConversationHandler, Next, StepResult};
//! use telegram_ext::prelude::*;
//!
//! #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
//! enum Ask { Name, Age }
//!
//! async fn start(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
//!     ctx.reply("Your name?")?.await?;
//!     Ok(Next::To(Ask::Name))
//! }
//! async fn name(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
//!     ctx.reply("Your age?")?.await?;
//!     Ok(Next::To(Ask::Age))
//! }
//! async fn age(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
//!     ctx.reply("Thanks!")?.await?;
//!     Ok(Next::End)
//! }
//! async fn cancel(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
//!     ctx.reply("Bye.")?.await?;
//!     Ok(Next::End)
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let text = filters::TEXT & !filters::COMMAND;
//! let conversation = ConversationHandler::builder("profile")
//!     .entry_point(CommandHandler::new("start", start)?)
//!     .state(Ask::Name, MessageHandler::new(text.clone(), name))
//!     .state(Ask::Age, MessageHandler::new(text, age))
//!     .fallback(CommandHandler::new("cancel", cancel)?)
//!     .build()?;
//! let app = Application::builder().token("123:abc").build()?;
//! app.add_handler(conversation, 0);
//! # Ok(()) }
//! ```
//!
//! # What it guarantees
//!
//! - **One update of a conversation at a time.** The handler takes a per-key turn (a fair
//!   async lock per conversation key, as [`KeyedLocks`](crate::processing::KeyedLocks) has,
//!   which also keeps the key's last state) before it reads the state and gives it back
//!   after the transition is written, so under `Concurrent(256)` two answers of one user cannot
//!   both see the old state: no skipped or interleaved transition. Conversations of different
//!   keys run in parallel.
//! - **`block(false)` handlers: the next update waits.** Such a handler's callback runs as a
//!   tracked task that keeps the key's turn until its transition is written; dispatch goes on
//!   with other updates, and the conversation's next update waits for the pending transition
//!   (python-telegram-bot's `WAITING`, without the separate `WAITING` handlers: the update is
//!   handled by the state the pending transition leads to).
//! - **Stored.** The state lives in the application's store
//!   ([`ApplicationBuilder::store`](crate::ApplicationBuilder::store); memory by default)
//!   under `tg:{bot_id}:conv:{name}:{key}` as `{"state": <St as JSON>}`, read when an update
//!   arrives (always: the state last read or written is kept per key only to skip decoding the
//!   same bytes again, so processes sharing a store agree) and written with
//!   compare-and-set on its version: a transition that lost a race with another process is
//!   reported ([`ConversationError::Conflict`]) instead of silently overwriting. A conversation
//!   survives a restart.
//! - **Timeouts fire on their own.** A timeout is a persistent job of the application's
//!   [`JobQueue`](crate::JobQueue) with its deadline (re-armed after a restart, run once across
//!   processes); each handled update resets it; it goes to [`Next::End`] or to the state you
//!   choose ([`timeout_to`](ConversationBuilder::timeout_to),
//!   [`on_timeout`](ConversationBuilder::on_timeout)). An entry point that ends at once arms
//!   none. A timeout whose conversation moved since it was armed does nothing. A nested
//!   conversation's timeout moves its parent as its end does, when `map_to_parent` maps it.
//! - **Setups that cannot work do not build**: no entry point, a state without handlers, a
//!   per-message key with a handler that is not a callback-query handler, a timeout action
//!   without a timeout ([`ConversationError`]). A timeout always has a job queue: every
//!   application has one, and adding the conversation registers its job callback.
//!
//! # How an update is handled
//!
//! The dispatcher asks the conversation's synchronous `check` whether *any* of its handlers
//! could want the update (no I/O there). In `handle`, the conversation takes the key's turn,
//! reads the state, and tries, in order: the entry points (when not in a conversation, or with
//! `allow_reentry`), the state's handlers, the fallbacks. When none wants it, the
//! conversation *declines* ([`HandlerError::Declined`](crate::HandlerError::Declined)) and the
//! dispatcher tries the group's next handler, exactly as if `check` had said no.
//!
//! # For python-telegram-bot users
//!
//! The [conversations guide](crate::guide::conversations) puts python-telegram-bot's
//! `ConversationHandler` and this one side by side.

mod builder;
mod engine;
mod error;
mod key;
mod nested;
mod step;
mod storage;
mod timeout;
mod turns;

pub use self::builder::ConversationBuilder;
pub use self::error::ConversationError;
pub use self::key::ConversationKey;
pub use self::nested::Nested;
pub use self::step::{BoxedStep, IntoNext, IntoStep, Next, StateCallback, StepResult};
pub use self::timeout::{TimedOut, TimeoutCallback};

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use telegram_types::{Update, UpdateType};

use self::engine::{Core, ExitMap};
use self::timeout::Parent;
use crate::application::Application;
use crate::handlers::{BotIdentity, Handler, HandlerFuture, Match};
use crate::Context;

/// What a conversation's state type needs: stored as JSON, compared, hashed, printed in logs.
/// Implemented for every type that has these.
pub trait ConversationState:
    Serialize + DeserializeOwned + Clone + Eq + Hash + fmt::Debug + Send + Sync + 'static
{
}

impl<T> ConversationState for T where
    T: Serialize + DeserializeOwned + Clone + Eq + Hash + fmt::Debug + Send + Sync + 'static
{
}

/// A multi-step dialogue: python-telegram-bot's `ConversationHandler`. See the
/// [module docs](self).
pub struct ConversationHandler<St, S = ()> {
    core: Arc<Core<St, S>>,
}

impl<St, S> ConversationHandler<St, S>
where
    St: ConversationState,
    S: Send + Sync + 'static,
{
    /// Starts a conversation named `name`: its storage namespace
    /// (`tg:{bot_id}:conv:{name}:…`) and its timeout job's name, so keep it stable.
    pub fn builder(name: impl Into<String>) -> ConversationBuilder<St, S> {
        ConversationBuilder::new(name.into())
    }

    /// This conversation as a handler of a parent conversation's state; `map` says which of
    /// its transitions end it and move the parent (see [`Nested`]).
    pub fn map_to_parent<P, F>(self, map: F) -> Nested<St, P, S>
    where
        F: Fn(&Next<St>) -> Option<Next<P>> + Send + Sync + 'static,
    {
        Nested::new(self.core, Arc::new(map))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.core.name
    }

    /// The state of the conversation `key` (a [`ConversationKey`] string, e.g.
    /// `"{chat_id}:{user_id}"`), read from `app`'s store: for tests and admin tools.
    ///
    /// # Errors
    ///
    /// The store's, or a state that does not decode.
    pub async fn state_of(
        &self,
        app: &Application<S>,
        key: &str,
    ) -> Result<Option<St>, ConversationError> {
        let store_key = format!("{}conv:{}:{}", app.data().prefix(), self.core.name, key);
        let storage = storage::Storage::new(app.data().store().clone());
        let current = storage.load::<St>(&store_key, &mut None).await?;
        Ok(current.map(|c| c.state))
    }
}

impl<St, S> Core<St, S>
where
    St: ConversationState,
    S: Send + Sync + 'static,
{
    /// Registers the timeout job callbacks of this conversation and of the ones nested in it.
    pub(crate) fn attach(self: &Arc<Self>, app: &Application<S>) {
        self.register_timeout::<St>(app, None);
        self.attach_steps(app);
    }

    /// [`attach`](Self::attach) for a conversation nested in `parent`: its timeout, when `map`
    /// maps it, moves the parent too.
    pub(crate) fn attach_nested<P: ConversationState>(
        self: &Arc<Self>,
        app: &Application<S>,
        parent: Arc<Core<P, S>>,
        map: Arc<ExitMap<St, Next<P>>>,
    ) {
        self.register_timeout(app, Some(Parent { core: parent, map }));
        self.attach_steps(app);
    }

    fn attach_steps(self: &Arc<Self>, app: &Application<S>) {
        let all = self
            .entry
            .iter()
            .chain(self.states.values().flatten())
            .chain(&self.fallbacks);
        for step in all {
            step.attach(app, self);
        }
    }
}

impl<St, S> Clone for ConversationHandler<St, S> {
    fn clone(&self) -> Self {
        ConversationHandler {
            core: self.core.clone(),
        }
    }
}

impl<St, S> Handler<S> for ConversationHandler<St, S>
where
    St: ConversationState,
    S: Send + Sync + 'static,
{
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match> {
        self.core.could_handle(update, bot).then(Match::default)
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        let core = self.core.clone();
        Box::pin(async move { core.process::<()>(update, ctx, None).await.map(|_| ()) })
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.core.update_types.clone()
    }

    fn added_to(&self, app: &Application<S>) {
        self.core.attach(app);
    }
}

impl<St, S> fmt::Debug for ConversationHandler<St, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationHandler")
            .field("name", &self.core.name)
            .field("key", &self.core.key)
            .finish_non_exhaustive()
    }
}
