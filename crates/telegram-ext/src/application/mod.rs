//! `Application`: the handler groups, the error handlers, the bot and the state, and the
//! lifecycle that runs them against an update source.
//!
//! `builder.rs` configures one, `groups.rs` stores the handlers, `dispatch.rs` runs an update
//! through them (python-telegram-bot's `process_update` semantics), `lifecycle.rs` initializes,
//! runs, stops and shuts down.

mod builder;
mod dispatch;
mod groups;
mod lifecycle;

pub use self::builder::{ApplicationBuilder, Hook, NoHooks, StateNotFixed, WithHooks};

use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use telegram_transport::Bot;
use telegram_types::{Update, UpdateType};
use tokio_util::sync::CancellationToken;

use self::groups::Groups;
use crate::data::Data;
use crate::delivery::{CompletedRecord, JournalRecord, Journaled};
use crate::handlers::{BotIdentity, Callback, Handler};
use crate::jobs::{self, JobCallback, JobQueue};
use crate::processing::{Tasks, UpdateProcessor};
use crate::HandlerError;

/// A bot application: handlers in numbered groups, error handlers, the bot, typed state.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`, usable from any thread of a multi-threaded
/// runtime. Handlers can be added and removed while it runs.
///
/// ```no_run
/// use std::sync::Arc;
/// use telegram_ext::{filters, handlers::{CommandHandler, MessageHandler}, Application, Context, HandlerResult, PollingConfig};
/// use telegram_ext::Update;
///
/// async fn start(update: Arc<Update>, ctx: Context) -> HandlerResult {
///     let chat = update.effective_chat().map(|c| c.id).unwrap_or_default();
///     ctx.bot.send_message(chat, "Hello!").await?;
///     Ok(())
/// }
///
/// async fn echo(update: Arc<Update>, ctx: Context) -> HandlerResult {
///     let Some(message) = update.effective_message() else { return Ok(()) };
///     ctx.bot.send_message(message.chat.id, message.text.clone().unwrap_or_default()).await?;
///     Ok(())
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let app = Application::builder().token(std::env::var("TELEGRAM_BOT_TOKEN")?).build()?;
/// app.add_handler(CommandHandler::new("start", start)?, 0);
/// app.add_handler(MessageHandler::new(filters::TEXT & !filters::COMMAND, echo), 0);
/// app.run_polling(PollingConfig::default()).await?;
/// # Ok(()) }
/// ```
pub struct Application<S = ()> {
    inner: Arc<Inner<S>>,
}

struct Inner<S> {
    bot: Bot,
    state: Arc<S>,
    /// Typed chat / user / bot data in the application's store.
    data: Data,
    groups: Groups<S>,
    error_handlers: RwLock<Arc<Vec<Arc<dyn Callback<S>>>>>,
    identity: RwLock<Arc<BotIdentity>>,
    hooks: builder::Hooks<S>,
    /// Non-blocking handlers and `create_task` futures.
    tasks: Tasks,
    /// Decides when each update's dispatch runs.
    processor: Arc<dyn UpdateProcessor>,
    /// Ids of completed updates, to skip their redeliveries (off unless asked for).
    completed: Option<CompletedRecord>,
    /// The update journal the sources write to and replay (off unless asked for).
    journal: Option<JournalRecord>,
    /// How long `stop` waits for tracked tasks before cancelling them.
    drain_timeout: std::time::Duration,
    /// This run's stop requests; fresh ones at every `start`.
    stop: RwLock<StopTokens>,
    initialized: AtomicBool,
    running: AtomicBool,
    /// The job queue's state, and its runner while the application runs.
    jobs: Arc<jobs::Core>,
    job_runner: jobs::Runner,
}

impl Application<()> {
    /// Starts configuring an application without state.
    pub fn builder() -> ApplicationBuilder<()> {
        ApplicationBuilder::new()
    }
}

impl<S: Send + Sync + 'static> Application<S> {
    /// The bot.
    pub fn bot(&self) -> &Bot {
        &self.inner.bot
    }

    /// The typed state handed to callbacks.
    pub fn state(&self) -> &Arc<S> {
        &self.inner.state
    }

    /// The application's typed data (chat / user / bot slots) in its store
    /// ([`ApplicationBuilder::store`]; in memory by default).
    pub fn data(&self) -> &Data {
        &self.inner.data
    }

    /// Who the bot is (after `initialize`; empty before).
    pub fn bot_identity(&self) -> Arc<BotIdentity> {
        self.inner
            .identity
            .read()
            .map(|i| i.clone())
            .unwrap_or_default()
    }

    /// Adds `handler` to `group`. Groups run in ascending order (negative first); within a group
    /// the first handler whose check passes handles the update.
    pub fn add_handler(&self, handler: impl Handler<S>, group: i32) -> HandlerId {
        handler.added_to(self);
        self.inner.groups.add(Arc::new(handler), group)
    }

    /// Adds several handlers to `group`, in order.
    pub fn add_handlers<I>(&self, handlers: I, group: i32) -> Vec<HandlerId>
    where
        I: IntoIterator<Item = Box<dyn Handler<S>>>,
    {
        handlers
            .into_iter()
            .map(|h| {
                h.added_to(self);
                self.inner.groups.add(Arc::from(h), group)
            })
            .collect()
    }

    /// Removes a handler; `false` when it was not there.
    pub fn remove_handler(&self, id: HandlerId) -> bool {
        self.inner.groups.remove(id)
    }

    /// Adds an error handler: a callback that gets the update and, in `ctx.error`, the error
    /// a handler returned (or its panic). Every error handler sees every error.
    ///
    /// ```
    /// use telegram_ext::prelude::*;
    ///
    /// async fn report(update: Arc<Update>, ctx: Context) -> HandlerResult {
    ///     let Some(error) = &ctx.error else { return Ok(()) };
    ///     tracing::error!(%error, update_id = update.update_id, "a handler failed");
    ///     // Tell the user, when the update has a chat.
    ///     if let Ok(reply) = ctx.reply("Sorry, something went wrong.") {
    ///         reply.await?;
    ///     }
    ///     Ok(())
    /// }
    ///
    /// let app = Application::builder().token("123:abc").build()?;
    /// app.add_error_handler(report);
    /// # Ok::<(), telegram_ext::BuildError>(())
    /// ```
    pub fn add_error_handler(&self, callback: impl Callback<S>) {
        if let Ok(mut handlers) = self.inner.error_handlers.write() {
            let mut list = handlers.as_ref().clone();
            list.push(Arc::new(callback));
            *handlers = Arc::new(list);
        }
    }

    /// The update kinds the registered handlers can handle: what polling asks for when
    /// `allowed_updates` is not given.
    pub fn allowed_updates(&self) -> Vec<UpdateType> {
        self.inner.groups.update_types()
    }

    /// Asks the running application to stop: the sources stop fetching, what was fetched is
    /// still processed and tracked tasks are awaited (see [`stop`](Self::stop)). Callable from
    /// inside a handler.
    pub fn stop_running(&self) {
        self.stop_tokens().requested.cancel();
    }

    /// Stops at once, as a second ctrl-c or SIGTERM does. On top of
    /// [`stop_running`](Self::stop_running), every update the processor admitted (running or
    /// waiting for its turn) and every tracked task is cancelled and reported to the error
    /// handlers as [`HandlerError::Cancelled`](crate::HandlerError::Cancelled). Polling confirms
    /// none of the unfinished updates, so Telegram sends them to the next run; a webhook with
    /// [`Ack::AfterProcessing`](crate::Ack) answers their requests 503 (or drops them), so
    /// Telegram redelivers them; with `Ack::OnReceipt` it already answered 200 for the updates in
    /// its queue, so those are reported as cancelled too, and lost, unless the update journal
    /// ([`ApplicationBuilder::journal`]) keeps them for the next start.
    pub fn force_stop(&self) {
        let tokens = self.stop_tokens();
        tokens.requested.cancel();
        tokens.forced.cancel();
    }

    /// Whether a stop was asked for during this run: [`stop_running`](Self::stop_running), a
    /// signal, or [`force_stop`](Self::force_stop).
    pub fn is_stopping(&self) -> bool {
        self.stop_tokens().requested.is_cancelled()
    }

    /// Whether [`force_stop`](Self::force_stop) was called (or a second signal came) during
    /// this run.
    pub fn is_force_stopping(&self) -> bool {
        self.stop_tokens().forced.is_cancelled()
    }

    fn stop_tokens(&self) -> StopTokens {
        self.inner
            .stop
            .read()
            .map(|tokens| tokens.clone())
            .unwrap_or_default()
    }

    /// The job queue: schedule callbacks once, repeatedly, daily, monthly.
    pub fn job_queue(&self) -> JobQueue<S> {
        JobQueue::new(self.inner.jobs.clone())
    }

    /// Registers a job callback by name: jobs naming it ([`jobs::named`]) are persistent.
    /// See [`JobQueue::register`].
    pub fn register_job(&self, name: &str, callback: impl JobCallback<S>) {
        self.job_queue().register(name, callback);
    }

    /// Tracked tasks still running (non-blocking handlers, `create_task`).
    pub fn running_tasks(&self) -> usize {
        self.inner.tasks.len()
    }

    /// Updates being processed now.
    pub fn in_flight(&self) -> usize {
        self.inner.processor.in_flight()
    }

    /// Updates admitted but waiting for their key (keyed processing).
    pub fn queued(&self) -> usize {
        self.inner.processor.queued()
    }

    /// Per-key queue lengths (keyed processing), for metrics and tests.
    pub fn key_queues(&self) -> Vec<(String, usize)> {
        self.inner.processor.key_queues()
    }

    /// The update processor.
    pub fn processor(&self) -> &Arc<dyn UpdateProcessor> {
        &self.inner.processor
    }

    /// Hands `update` to the processor: returns once it is admitted (for the default sequential
    /// processor, once it is processed). Update sources call this; tests may too.
    ///
    /// A forced stop, or a graceful one whose drain timeout ran out, cancels the update's
    /// processing (reporting it as cancelled), also when it is still waiting for its turn.
    /// With [`completed_updates`](ApplicationBuilder::completed_updates), an update recorded as
    /// completed is skipped, and one that completes is recorded.
    pub async fn submit_update(&self, update: impl Into<Arc<Update>>) {
        self.submit_tracked(update.into(), None, None).await;
    }

    /// [`submit_update`](Self::submit_update), calling `on_completed` when the update's
    /// processing completed (its dispatch returned, or it was skipped as already completed),
    /// and removes its `journaled` entry from the update journal then (in the background). A
    /// cancelled update drops both untouched: the sources leave it unconfirmed, the journal
    /// replays it.
    pub(crate) async fn submit_tracked(
        &self,
        update: Arc<Update>,
        on_completed: Option<OnCompleted>,
        journaled: Option<Journaled>,
    ) {
        let app = self.clone();
        let cancel = self.stop_tokens().updates;
        let work = {
            let update = update.clone();
            Box::pin(async move {
                let completed = tokio::select! {
                    biased;
                    () = cancel.cancelled() => {
                        app.route_error(update, HandlerError::Cancelled).await;
                        false
                    }
                    () = app.process_recorded(update.clone()) => true,
                };
                if let Some(journaled) = journaled.filter(|_| completed) {
                    journaled.remove_in_background();
                }
                if let Some(on_completed) = on_completed.filter(|_| completed) {
                    on_completed();
                }
            })
        };
        self.inner.processor.submit(update, work).await;
    }

    /// The update journal, when the application has one.
    pub(crate) fn journal(&self) -> Option<&JournalRecord> {
        self.inner.journal.as_ref()
    }

    /// Dispatches `update`, unless the completed-updates record has it; records it when done.
    async fn process_recorded(&self, update: Arc<Update>) {
        let Some(record) = &self.inner.completed else {
            return self.process_update(update).await;
        };
        let id = update.update_id;
        if record.contains(id).await {
            tracing::info!(
                update_id = id,
                "update already completed (a redelivery); skipped"
            );
            return;
        }
        self.process_update(update).await;
        record.insert(id).await;
    }

    /// Spawns `future` as a tracked task (python-telegram-bot's `create_task`): its error, or
    /// its panic, goes to the error handlers with `update`; `stop` waits for it (up to the drain
    /// timeout). It never waits for a processing slot, so tasks spawned from tasks cannot
    /// deadlock under a concurrency limit. Inside a callback, [`Context::create_task`] ties the
    /// task to the update being handled.
    ///
    /// ```
    /// use telegram_ext::prelude::*;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), BuildError> {
    /// let app = Application::builder().token("123:abc").build()?;
    /// // A task with no update: its error is logged (no error handler gets it).
    /// app.create_task(async { Ok(()) }, None);
    /// assert!(app.running_tasks() <= 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`Context::create_task`]: crate::Context::create_task
    pub fn create_task<F>(&self, future: F, update: Option<Arc<Update>>)
    where
        F: std::future::Future<Output = crate::HandlerResult> + Send + 'static,
    {
        let app = self.clone();
        let guarded = dispatch::guarded(Box::pin(future));
        let forced = self.stop_tokens().forced;
        self.inner
            .tasks
            .spawn(guarded, forced, move |error| async move {
                app.report_task_error(update, error).await
            });
    }
}

/// Called once when an admitted update's processing completed (see
/// [`Application::submit_tracked`]).
pub(crate) type OnCompleted = Box<dyn FnOnce() + Send>;

/// One run's stop requests: `requested` ends the update sources (a graceful stop), `forced`
/// also cancels what is still running. `updates` cancels the admitted updates: a child of
/// `forced`, also cancelled on its own when the drain timeout runs out; `deadline` is when that
/// happens, fixed at the first look after the stop request (see `lifecycle.rs`).
#[derive(Debug, Clone)]
struct StopTokens {
    requested: CancellationToken,
    forced: CancellationToken,
    updates: CancellationToken,
    deadline: Arc<std::sync::OnceLock<tokio::time::Instant>>,
}

impl Default for StopTokens {
    fn default() -> Self {
        let forced = CancellationToken::new();
        StopTokens {
            requested: CancellationToken::new(),
            updates: forced.child_token(),
            forced,
            deadline: Arc::default(),
        }
    }
}

impl<S> Clone for Application<S> {
    fn clone(&self) -> Self {
        Application {
            inner: self.inner.clone(),
        }
    }
}

impl<S> fmt::Debug for Application<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("bot", &self.inner.bot)
            .finish_non_exhaustive()
    }
}

/// Identifies a registered handler, for [`Application::remove_handler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandlerId(u64);
