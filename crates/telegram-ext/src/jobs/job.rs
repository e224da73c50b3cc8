//! `Job`: a handle on one scheduled job (what callbacks get, what `run_*` returns), and the
//! callback types. The queue's bookkeeping lives in `core.rs`.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde::de::DeserializeOwned;

use super::core::Core;
use super::id::JobId;
use super::misfire::Misfire;
use super::schedule::Spec;
use super::JobError;
use crate::handlers::HandlerFuture;
use crate::{Context, HandlerResult};

/// A job callback: `async fn(Job, Context<S>) -> HandlerResult`.
///
/// Implemented for every function and closure of that shape. Its error (or panic) goes to the
/// application's error handlers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a job callback",
    note = "a job callback is `async fn name(job: Job, ctx: Context<S>) -> HandlerResult`, with `S` the application's state type (`()` by default)"
)]
pub trait JobCallback<S>: Send + Sync + 'static {
    /// Calls the callback.
    fn call(&self, job: Job, ctx: Context<S>) -> HandlerFuture;
}

impl<S, F, Fut> JobCallback<S> for F
where
    F: Fn(Job, Context<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn call(&self, job: Job, ctx: Context<S>) -> HandlerFuture {
        Box::pin(self(job, ctx))
    }
}

/// A callback registered by name with
/// [`Application::register_job`](crate::Application::register_job): a job that names its
/// callback this way is persistent (kept in the store, re-armed after a restart, run by one
/// process of several).
///
/// ```
/// use telegram_ext::jobs::named;
/// let callback = named("remind");
/// # let _ = callback;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named(pub(crate) Arc<str>);

/// Names a registered callback: `queue.run_once(named("remind"), after)`.
pub fn named(name: impl Into<Arc<str>>) -> Named {
    Named(name.into())
}

/// A job callback with the application's state type erased: the queue's bookkeeping does not
/// depend on it.
pub(crate) trait ErasedJobCallback: Send + Sync {
    /// Calls the callback with `ctx`, a boxed `Context<S>`; `None` when it is not one.
    fn call_erased(&self, job: Job, ctx: Box<dyn Any + Send>) -> Option<HandlerFuture>;
}

struct Typed<F, S>(F, PhantomData<fn(S)>);

impl<F: JobCallback<S>, S: Send + Sync + 'static> ErasedJobCallback for Typed<F, S> {
    fn call_erased(&self, job: Job, ctx: Box<dyn Any + Send>) -> Option<HandlerFuture> {
        let ctx = ctx.downcast::<Context<S>>().ok()?;
        Some(self.0.call(job, *ctx))
    }
}

/// An erased callback. A function item or a closure capturing nothing is zero-sized: it is
/// kept as a `'static` reference that costs no allocation, so a million jobs of `remind` do
/// not hold a million reference counts; anything else is shared behind one `Arc`.
#[derive(Clone)]
pub(crate) enum ErasedCallback {
    Static(&'static dyn ErasedJobCallback),
    Shared(Arc<dyn ErasedJobCallback>),
}

impl std::ops::Deref for ErasedCallback {
    type Target = dyn ErasedJobCallback;

    fn deref(&self) -> &Self::Target {
        match self {
            ErasedCallback::Static(callback) => *callback,
            ErasedCallback::Shared(callback) => &**callback,
        }
    }
}

pub(crate) fn erase<S: Send + Sync + 'static, F: JobCallback<S>>(callback: F) -> ErasedCallback {
    let typed = Typed(callback, PhantomData);
    if std::mem::size_of::<Typed<F, S>>() == 0 && !std::mem::needs_drop::<F>() {
        // Boxing a zero-sized value allocates nothing, so leaking it leaks nothing.
        ErasedCallback::Static(Box::leak(Box::new(typed)))
    } else {
        ErasedCallback::Shared(Arc::new(typed))
    }
}

/// Which callback a job runs.
#[derive(Clone)]
pub(crate) enum CallbackRef {
    /// A function given when the job was added: the job lives in this process's memory.
    Fn(ErasedCallback),
    /// A registered name: the job is persistent.
    Named(Arc<str>),
}

/// What a job is: fixed when it is added (a replaced job is a new `JobInfo`).
#[derive(Clone)]
pub(crate) struct JobInfo {
    pub(crate) id: JobId,
    pub(crate) name: Cow<'static, str>,
    pub(crate) callback: CallbackRef,
    pub(crate) chat_id: Option<i64>,
    pub(crate) user_id: Option<i64>,
    /// `None` for `null` (most jobs): a `Value` inline would cost 32 bytes per job.
    pub(crate) data: Option<Box<serde_json::Value>>,
    pub(crate) spec: Spec,
    pub(crate) misfire: Misfire,
    pub(crate) grace: Duration,
}

/// What a job without data reads.
static NO_DATA: serde_json::Value = serde_json::Value::Null;

impl JobInfo {
    /// `data` as kept in a `JobInfo`.
    pub(crate) fn keep_data(data: serde_json::Value) -> Option<Box<serde_json::Value>> {
        (!data.is_null()).then(|| Box::new(data))
    }

    /// The job's data (`null` when none was given).
    pub(crate) fn data(&self) -> &serde_json::Value {
        self.data.as_deref().unwrap_or(&NO_DATA)
    }

    pub(crate) fn is_persistent(&self) -> bool {
        matches!(self.callback, CallbackRef::Named(_))
    }
}

/// A scheduled job: its id, name, chat and user ids and data, and the controls (pause, resume,
/// cancel). Callbacks get one (with [`scheduled_at`](Self::scheduled_at) set to the occurrence
/// they run for); the queue's `run_*` methods return one.
///
/// Cheap to clone. The handle stays valid after the job ends: [`next_run`](Self::next_run) is
/// then `None`.
#[derive(Clone)]
pub struct Job {
    pub(crate) core: Arc<Core>,
    pub(crate) info: Arc<JobInfo>,
    pub(crate) scheduled_at: Option<Timestamp>,
}

impl Job {
    /// The job's id: unique in the queue (and in its store), given by you or generated.
    pub fn id(&self) -> &str {
        &self.info.id
    }

    /// The job's name (for [`JobQueue::jobs_named`](super::JobQueue::jobs_named)); the
    /// callback's name by default.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The chat the job is about, if any.
    pub fn chat_id(&self) -> Option<i64> {
        self.info.chat_id
    }

    /// The user the job is about, if any.
    pub fn user_id(&self) -> Option<i64> {
        self.info.user_id
    }

    /// The job's data as JSON (`null` when none was given).
    pub fn data_json(&self) -> &serde_json::Value {
        self.info.data()
    }

    /// The job's data, decoded.
    ///
    /// # Errors
    ///
    /// [`JobError::Data`] when it is not a `T`.
    pub fn data<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        T::deserialize(self.info.data()).map_err(JobError::Data)
    }

    /// In a callback: the occurrence this run is for (a late run's original time). `None` on
    /// handles not given to a callback.
    pub fn scheduled_at(&self) -> Option<Timestamp> {
        self.scheduled_at
    }

    /// Whether the job is kept in the store (its callback is [`named`]).
    pub fn is_persistent(&self) -> bool {
        self.info.is_persistent()
    }

    /// The misfire policy.
    pub fn misfire(&self) -> Misfire {
        self.info.misfire
    }

    /// When the job runs next, as this process knows it; `None` once it has ended or was
    /// cancelled (or, in the process that is not running it, until the next sync).
    pub fn next_run(&self) -> Option<Timestamp> {
        self.core.next_run(&self.info)
    }

    /// Whether the job is enabled (not paused). `false` once it has ended.
    pub fn is_enabled(&self) -> bool {
        self.core.is_enabled(&self.info)
    }

    /// Pauses the job: occurrences whose time comes while it is paused do not run. A persistent
    /// job is paused in every process sharing the store.
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn pause(&self) -> Result<(), JobError> {
        self.core.set_enabled(&self.info, false).await
    }

    /// Resumes a paused job. Its pending occurrence, if its time passed meanwhile, is treated
    /// as missed: the misfire policy decides (by default it runs at once, once). A one-shot job
    /// resumed after its time therefore runs at once by default, and not at all under
    /// [`Misfire::Skip`] (once past the grace period).
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn resume(&self) -> Result<(), JobError> {
        self.core.set_enabled(&self.info, true).await
    }

    /// Cancels the job: it does not run again (a run in progress finishes). Returns `false`
    /// when it had already ended or been cancelled (or replaced by a job with the same id).
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn cancel(&self) -> Result<bool, JobError> {
        self.core.cancel(&self.info).await
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.info.id)
            .field("name", &self.info.name)
            .field("chat_id", &self.info.chat_id)
            .field("user_id", &self.info.user_id)
            .field("schedule", &self.info.spec)
            .field("scheduled_at", &self.scheduled_at)
            .finish_non_exhaustive()
    }
}
