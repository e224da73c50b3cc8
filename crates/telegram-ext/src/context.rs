//! `Context`: what a callback gets besides the update.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use telegram_transport::Bot;
use telegram_types::Update;

use crate::data::{Data, DataError, Scope, ScopeIds, Slot};
use crate::filters::RegexMatch;
use crate::{Application, HandlerError};

/// What a callback gets besides the update: the bot, the typed application state, what the
/// handler's check found (command `args`, regex `matches`), the error (in error handlers), and a
/// handle on the application (to stop it, to spawn tracked tasks).
///
/// Cheap to clone: a few `Arc`s. Shortcuts answer the update at hand: [`reply`](Self::reply),
/// [`answer`](Self::answer), [`edit_message_text`](Self::edit_message_text) (`shortcuts.rs`).
///
/// # Examples
///
/// ```
/// use telegram_ext::prelude::*;
///
/// /// Counts presses in the application's state; `/stop` ends the run.
/// struct Presses(std::sync::atomic::AtomicU64);
///
/// async fn pressed(_update: Arc<Update>, ctx: Context<Presses>) -> HandlerResult {
///     let n = ctx.state.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
///     ctx.answer()?.await?;
///     ctx.edit_message_text(format!("pressed {n} times"))?.await?;
///     Ok(())
/// }
///
/// async fn stop_command(_update: Arc<Update>, ctx: Context<Presses>) -> HandlerResult {
///     ctx.reply(format!("stopping; args were {:?}", ctx.args))?.await?;
///     ctx.stop_running();
///     Ok(())
/// }
/// # let _ = (pressed, stop_command);
/// ```
pub struct Context<S = ()> {
    /// The bot, to answer with.
    pub bot: Bot,
    /// The application's typed state (`ApplicationBuilder::state`).
    pub state: Arc<S>,
    /// Command arguments: `/transfer 10 bob` → `["10", "bob"]`.
    pub args: Vec<String>,
    /// Regex captures of the handler's pattern or data filters.
    pub matches: Vec<RegexMatch>,
    /// In an error handler: the error being handled.
    pub error: Option<Arc<HandlerError>>,
    update: Option<Arc<Update>>,
    /// The chat and user whose slots `read` and `update` reach.
    scope: ScopeIds,
    app: Application<S>,
}

impl<S: Send + Sync + 'static> Context<S> {
    pub(crate) fn new(
        app: Application<S>,
        update: Option<Arc<Update>>,
        args: Vec<String>,
        matches: Vec<RegexMatch>,
    ) -> Self {
        let scope = update.as_deref().map(scope_of).unwrap_or_default();
        Context {
            bot: app.bot().clone(),
            state: app.state().clone(),
            args,
            matches,
            error: None,
            update,
            scope,
            app,
        }
    }

    pub(crate) fn for_error(
        app: Application<S>,
        update: Arc<Update>,
        error: Arc<HandlerError>,
    ) -> Self {
        let mut ctx = Context::new(app, Some(update), Vec::new(), Vec::new());
        ctx.error = Some(error);
        ctx
    }

    /// The update this context was made for, if any.
    pub(crate) fn update_ref(&self) -> Option<&Update> {
        self.update.as_deref()
    }

    /// The application this callback runs in.
    pub fn application(&self) -> &Application<S> {
        &self.app
    }

    /// Spawns `future` as a tracked task tied to this update: its error goes to the error
    /// handlers with the update, and `stop` waits for it. See [`Application::create_task`].
    ///
    /// ```
    /// use telegram_ext::prelude::*;
    ///
    /// async fn order(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ///     ctx.reply("Order received")?.await?;
    ///     // The slow part runs on; the handler returns at once.
    ///     let receipt = ctx.reply("Your receipt: …")?;
    ///     ctx.create_task(async move {
    ///         receipt.await?;
    ///         Ok(())
    ///     });
    ///     Ok(())
    /// }
    /// # let _ = order;
    /// ```
    ///
    /// # Comparison to `block(false)`
    ///
    /// `block(false)` runs a whole handler as a task; `create_task` spawns part of a handler's
    /// work (a notification, a slow follow-up) while the handler returns.
    pub fn create_task<F>(&self, future: F)
    where
        F: std::future::Future<Output = crate::HandlerResult> + Send + 'static,
    {
        self.app.create_task(future, self.update.clone());
    }

    /// The application's job queue.
    pub fn job_queue(&self) -> crate::JobQueue<S> {
        self.app.job_queue()
    }

    /// The chat and user whose data [`read`](Self::read) and [`update`](Self::update) reach:
    /// the update's effective chat and user.
    pub fn scope_ids(&self) -> ScopeIds {
        self.scope
    }

    /// Points [`read`](Self::read) and [`update`](Self::update) at another chat and user (a
    /// job's, or an admin command acting for someone else).
    pub fn with_scope_ids(mut self, scope: ScopeIds) -> Self {
        self.scope = scope;
        self
    }

    /// The application's typed data, to reach any slot by id.
    pub fn data(&self) -> &Data {
        self.app.data()
    }

    /// This update's value of `slot` (its chat's, user's, … by the slot's scope), or `None`
    /// when none is stored. Reads the store on each call; nothing is read before.
    ///
    /// # Errors
    ///
    /// [`DataError::NoScope`] when the update has no chat (user) for a chat (user) slot;
    /// [`DataError::Decode`] when the stored value cannot be read — with `?` it reaches the
    /// error handlers, key included.
    pub async fn read<Sc, T>(&self, slot: &Slot<Sc, T>) -> Result<Option<T>, DataError>
    where
        Sc: Scope,
        T: Serialize + DeserializeOwned,
    {
        let id = self.scope_id(slot)?;
        self.app.data().read(slot, id).await
    }

    /// Atomically changes this update's value of `slot` (the default when none is stored):
    /// reads it, runs `change`, writes it with compare-and-set, and retries from a fresh read
    /// when another task or process wrote first. Durable when it returns; returns what `change`
    /// returned. `change` may run more than once: keep it free of side effects.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use telegram_ext::data::ChatSlot;
    /// use telegram_ext::{Context, HandlerResult, Update};
    ///
    /// const MESSAGES: ChatSlot<u64> = ChatSlot::new("messages");
    ///
    /// async fn count(update: Arc<Update>, ctx: Context) -> HandlerResult {
    ///     let n = ctx.update(&MESSAGES, |n| { *n += 1; *n }).await?;
    ///     if let Some(chat) = update.effective_chat() {
    ///         ctx.bot.send_message(chat.id, format!("message #{n} in this chat")).await?;
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read); and [`DataError::Contended`] after 200 lost compare-and-sets.
    pub async fn update<Sc, T, R, F>(&self, slot: &Slot<Sc, T>, change: F) -> Result<R, DataError>
    where
        Sc: Scope,
        T: Default + Serialize + DeserializeOwned,
        F: FnMut(&mut T) -> R,
    {
        let id = self.scope_id(slot)?;
        self.app.data().update(slot, id, change).await
    }

    /// Replaces this update's value of `slot` with `value`.
    ///
    /// # Errors
    ///
    /// As [`update`](Self::update).
    pub async fn write<Sc, T>(&self, slot: &Slot<Sc, T>, value: &T) -> Result<(), DataError>
    where
        Sc: Scope,
        T: Serialize,
    {
        let id = self.scope_id(slot)?;
        self.app.data().write(slot, id, value).await
    }

    /// Removes this update's value of `slot`; `false` when there was none.
    ///
    /// # Errors
    ///
    /// As [`update`](Self::update).
    pub async fn remove<Sc: Scope, T>(&self, slot: &Slot<Sc, T>) -> Result<bool, DataError> {
        let id = self.scope_id(slot)?;
        self.app.data().remove(slot, id).await
    }

    fn scope_id<Sc: Scope, T>(&self, slot: &Slot<Sc, T>) -> Result<Sc::Id, DataError> {
        Sc::id_from(self.scope).ok_or(DataError::NoScope {
            scope: Sc::NAME,
            slot: slot.name(),
        })
    }

    /// Asks the running application to stop (python-telegram-bot's `stop_running`): polling or
    /// the webhook stops, what was fetched is finished, then the shutdown hooks run.
    pub fn stop_running(&self) {
        self.app.stop_running();
    }
}

/// The effective chat and user of `update`.
fn scope_of(update: &Update) -> ScopeIds {
    ScopeIds {
        chat: update.effective_chat().map(|chat| chat.id),
        user: update.effective_user().map(|user| user.id),
    }
}

impl<S> Clone for Context<S> {
    fn clone(&self) -> Self {
        Context {
            bot: self.bot.clone(),
            state: self.state.clone(),
            args: self.args.clone(),
            matches: self.matches.clone(),
            error: self.error.clone(),
            update: self.update.clone(),
            scope: self.scope,
            app: self.app.clone(),
        }
    }
}

impl<S> fmt::Debug for Context<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("args", &self.args)
            .field("matches", &self.matches)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}
