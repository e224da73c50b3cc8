//! `ApplicationBuilder`: bot, transport, state and hooks; checked in `build`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use std::time::Duration;
use telegram_store::{MemoryStore, Store};
use telegram_transport::{Bot, Transport};

use super::groups::Groups;
use super::{Application, Inner};
use crate::data::Data;
use crate::delivery::{CompletedUpdates, UpdateJournal};
use crate::jobs::{JobQueueConfig, Runner};
use crate::processing::{Concurrent, Keyed, Sequential, Tasks, UpdateProcessor};
use crate::{BuildError, HandlerResult};

/// A lifecycle hook: an async function of the application.
pub type Hook<S> = Box<
    dyn Fn(Application<S>) -> Pin<Box<dyn Future<Output = HandlerResult> + Send>> + Send + Sync,
>;

pub(crate) struct Hooks<S> {
    pub(crate) post_init: Option<Hook<S>>,
    pub(crate) post_stop: Option<Hook<S>>,
    pub(crate) post_shutdown: Option<Hook<S>>,
}

/// Configures an [`Application`]: `Application::builder().token(t).build()?`.
///
/// `H` records whether a lifecycle hook was set ([`NoHooks`] or [`WithHooks`]): hooks receive the
/// `Application<S>`, whose type [`state`](Self::state) changes, so `state` must come first and
/// calling it after a hook is a compile error instead of silently dropping the hook.
///
/// ```
/// use telegram_ext::prelude::*;
///
/// struct Config { greeting: String }
///
/// let app = Application::builder()
///     .token("123:abc")
///     .state(Config { greeting: "Hi".into() })
///     .post_init(|app: Application<Config>| async move {
///         tracing::info!(greeting = %app.state().greeting, "ready");
///         Ok(())
///     })
///     .build()?;
/// assert_eq!(app.state().greeting, "Hi");
/// # Ok::<(), telegram_ext::BuildError>(())
/// ```
#[must_use]
pub struct ApplicationBuilder<S, H = NoHooks> {
    token: Option<String>,
    bot: Option<Bot>,
    base_url: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    state: Arc<S>,
    store: Option<Arc<dyn Store>>,
    hooks: Hooks<S>,
    processor: Option<Arc<dyn UpdateProcessor>>,
    drain_timeout: Duration,
    job_queue: JobQueueConfig,
    completed: Option<CompletedUpdates>,
    journal: Option<UpdateJournal>,
    hook_state: PhantomData<fn() -> H>,
}

/// An [`ApplicationBuilder`] with no lifecycle hook set yet: [`state`](ApplicationBuilder::state)
/// may still be called.
#[derive(Debug, Clone, Copy)]
pub struct NoHooks;

/// An [`ApplicationBuilder`] with a lifecycle hook set: its state type is fixed.
#[derive(Debug, Clone, Copy)]
pub struct WithHooks;

/// Implemented by [`NoHooks`] only: `state(..)` is callable before any hook.
#[diagnostic::on_unimplemented(
    message = "`state(..)` must be called before `post_init`, `post_stop` and `post_shutdown`",
    label = "a lifecycle hook was already set on this builder",
    note = "hooks receive `Application<S>`, whose type `state` changes: call `.state(..)` first, then set the hooks"
)]
pub trait StateNotFixed {}

impl StateNotFixed for NoHooks {}

/// How long `stop` waits for tracked tasks by default.
const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

impl ApplicationBuilder<()> {
    pub(crate) fn new() -> Self {
        ApplicationBuilder {
            token: None,
            bot: None,
            base_url: None,
            transport: None,
            state: Arc::new(()),
            store: None,
            hooks: Hooks {
                post_init: None,
                post_stop: None,
                post_shutdown: None,
            },
            processor: None,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            job_queue: JobQueueConfig::default(),
            completed: None,
            journal: None,
            hook_state: PhantomData,
        }
    }
}

impl<S: Send + Sync + 'static, H> ApplicationBuilder<S, H> {
    /// The bot token (a bot with the default transport is built from it).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// A ready bot, instead of a token.
    pub fn bot(mut self, bot: Bot) -> Self {
        self.bot = Some(bot);
        self
    }

    /// The Bot API server to talk to (a local Bot API server, or `telegram-test`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The transport to use with the token.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Typed application state, handed to every callback as `ctx.state` (an `Arc<T>`).
    ///
    /// Call it before the lifecycle hooks (a compile error otherwise, see [`StateNotFixed`]).
    pub fn state<T: Send + Sync + 'static>(self, state: T) -> ApplicationBuilder<T, H>
    where
        H: StateNotFixed,
    {
        // No hook can be set here (`H: StateNotFixed`), so there is none to carry over.
        ApplicationBuilder {
            token: self.token,
            bot: self.bot,
            base_url: self.base_url,
            transport: self.transport,
            state: Arc::new(state),
            store: self.store,
            hooks: Hooks {
                post_init: None,
                post_stop: None,
                post_shutdown: None,
            },
            processor: self.processor,
            drain_timeout: self.drain_timeout,
            job_queue: self.job_queue,
            completed: self.completed,
            journal: self.journal,
            hook_state: PhantomData,
        }
    }

    /// The store that keeps the application's typed data ([`crate::data`]): a
    /// [`MemoryStore`] by default (nothing survives the process); `SqliteStore` (feature
    /// `sqlite` of `telegram-store`) for a bot on one machine, `RedisStore` for several
    /// processes.
    ///
    /// ```
    /// use telegram_ext::{Application, MemoryStore};
    ///
    /// let app = Application::builder().token("123:abc").store(MemoryStore::new()).build()?;
    /// # let _ = app;
    /// # Ok::<(), telegram_ext::BuildError>(())
    /// ```
    pub fn store(self, store: impl Store) -> Self {
        self.shared_store(Arc::new(store))
    }

    /// [`store`](Self::store), for a store shared with other parts of the program.
    pub fn shared_store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// Processes up to `limit` updates at once ([`Concurrent`]); python-telegram-bot's
    /// `concurrent_updates(True)` is `Concurrent::DEFAULT_LIMIT` (256). Updates of one chat may
    /// then run at the same time and finish out of order; see
    /// [`ordered_by_chat`](Self::ordered_by_chat).
    pub fn concurrent_updates(self, limit: usize) -> Self {
        self.processor(Concurrent::new(limit))
    }

    /// Processes up to `limit` updates at once, but one chat's updates one after another, in
    /// arrival order: [`Keyed::by_chat`] as a shortcut.
    pub fn ordered_by_chat(self, limit: usize) -> Self {
        self.processor(Keyed::by_chat(limit))
    }

    /// Sets the update processor ([`Sequential`] by default; [`Concurrent`],
    /// [`Keyed`](crate::processing::Keyed), or your own).
    pub fn processor(mut self, processor: impl UpdateProcessor) -> Self {
        self.processor = Some(Arc::new(processor));
        self
    }

    /// How long `stop` waits for tracked tasks before cancelling them (and reporting each as
    /// [`HandlerError::Cancelled`](crate::HandlerError::Cancelled)). 30 s by default.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// The job queue's clock, default time zone (UTC unless set), lease and sync interval.
    /// Persistent jobs are kept in the application's [`store`](Self::store) unless the config
    /// names another.
    pub fn job_queue(mut self, config: JobQueueConfig) -> Self {
        self.job_queue = config;
        self
    }

    /// Records the ids of completed updates in the store, so that an update Telegram delivers
    /// again (after a crash, or to another replica) is skipped when it had completed. Off by
    /// default; see [`CompletedUpdates`] and the [delivery guarantees](crate::delivery).
    pub fn completed_updates(mut self, record: CompletedUpdates) -> Self {
        self.completed = Some(record);
        self
    }

    /// Writes each received update to a durable journal in the store before Telegram is told
    /// it arrived, and replays what a crash left at the next start: polling then confirms a
    /// batch as soon as it is written (the updates in flight are no longer capped at 100), and
    /// a webhook with [`Ack::OnReceipt`](crate::Ack) loses nothing it answered. Off by default;
    /// see [`UpdateJournal`] and the [delivery guarantees](crate::delivery).
    pub fn journal(mut self, journal: UpdateJournal) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Runs after `initialize` (getMe), before updates are fetched.
    pub fn post_init<F, Fut>(mut self, hook: F) -> ApplicationBuilder<S, WithHooks>
    where
        F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.hooks.post_init = Some(boxed_hook(hook));
        self.with_hooks()
    }

    /// Runs after `stop`: updates are no longer fetched and the fetched ones are done.
    pub fn post_stop<F, Fut>(mut self, hook: F) -> ApplicationBuilder<S, WithHooks>
    where
        F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.hooks.post_stop = Some(boxed_hook(hook));
        self.with_hooks()
    }

    /// Runs last, after `shutdown`.
    pub fn post_shutdown<F, Fut>(mut self, hook: F) -> ApplicationBuilder<S, WithHooks>
    where
        F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.hooks.post_shutdown = Some(boxed_hook(hook));
        self.with_hooks()
    }

    /// The same builder, marked as having a hook.
    fn with_hooks(self) -> ApplicationBuilder<S, WithHooks> {
        ApplicationBuilder {
            token: self.token,
            bot: self.bot,
            base_url: self.base_url,
            transport: self.transport,
            state: self.state,
            store: self.store,
            hooks: self.hooks,
            processor: self.processor,
            drain_timeout: self.drain_timeout,
            job_queue: self.job_queue,
            completed: self.completed,
            journal: self.journal,
            hook_state: PhantomData,
        }
    }

    /// Builds the application.
    ///
    /// # Errors
    ///
    /// [`BuildError::NoBot`] when neither a token nor a bot was given.
    pub fn build(self) -> Result<Application<S>, BuildError> {
        let bot = match (self.bot, self.token) {
            (Some(bot), _) => bot,
            (None, Some(token)) => match self.transport {
                Some(transport) => Bot::with_shared_transport(token, transport),
                None => Bot::new(token),
            },
            (None, None) => return Err(BuildError::NoBot),
        };
        let bot = match self.base_url {
            Some(url) => bot.with_api_url(url),
            None => bot,
        };
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let data = Data::new(store, Data::prefix_for_token(bot.token()));
        let jobs = self.job_queue.build(bot.token(), data.store().clone());
        let completed = self
            .completed
            .map(|record| record.bind(data.store(), data.prefix()));
        let journal = self
            .journal
            .map(|journal| journal.bind(data.store(), data.prefix()));
        Ok(Application {
            inner: Arc::new(Inner {
                bot,
                state: self.state,
                data,
                groups: Groups::new(),
                error_handlers: RwLock::new(Arc::new(Vec::new())),
                identity: RwLock::new(Arc::default()),
                hooks: self.hooks,
                tasks: Tasks::default(),
                processor: self
                    .processor
                    .unwrap_or_else(|| Arc::new(Sequential::new())),
                completed,
                journal,
                drain_timeout: self.drain_timeout,
                stop: RwLock::default(),
                initialized: AtomicBool::new(false),
                running: AtomicBool::new(false),
                jobs,
                job_runner: Runner::default(),
            }),
        })
    }
}

fn boxed_hook<S, F, Fut>(hook: F) -> Hook<S>
where
    F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    Box::new(move |app| Box::pin(hook(app)))
}

impl<S, H> fmt::Debug for ApplicationBuilder<S, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationBuilder")
            .field("has_token", &self.token.is_some())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}
