//! `ApplicationBuilder`: bot, transport, state and hooks; checked in `build`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use std::time::Duration;
use telegram_store::{MemoryStore, Store};
use telegram_transport::{Bot, Transport};

use super::groups::Groups;
use super::{Application, Inner};
use crate::data::Data;
use crate::jobs::{JobQueueConfig, Runner};
use crate::processing::{Concurrent, Sequential, Tasks, UpdateProcessor};
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
#[must_use]
pub struct ApplicationBuilder<S> {
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
}

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
        }
    }
}

impl<S: Send + Sync + 'static> ApplicationBuilder<S> {
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
    pub fn state<T: Send + Sync + 'static>(self, state: T) -> ApplicationBuilder<T> {
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
    /// `concurrent_updates(True)` is `Concurrent::DEFAULT_LIMIT` (256).
    pub fn concurrent_updates(self, limit: usize) -> Self {
        self.processor(Concurrent::new(limit))
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

    /// Runs after `initialize` (getMe), before updates are fetched.
    pub fn post_init<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.hooks.post_init = Some(boxed_hook(hook));
        self
    }

    /// Runs after `stop`: updates are no longer fetched and the fetched ones are done.
    pub fn post_stop<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.hooks.post_stop = Some(boxed_hook(hook));
        self
    }

    /// Runs last, after `shutdown`.
    pub fn post_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Application<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.hooks.post_shutdown = Some(boxed_hook(hook));
        self
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

impl<S> fmt::Debug for ApplicationBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationBuilder")
            .field("has_token", &self.token.is_some())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}
