//! Jobs: python-telegram-bot's `JobQueue`, with time zones, an explicit misfire policy, and
//! jobs that survive restarts and run once across processes.
//!
//! # Brief overview
//!
//! - [`JobQueue`] (`app.job_queue()`, `ctx.job_queue()`): [`run_once`](JobQueue::run_once),
//!   [`run_repeating`](JobQueue::run_repeating), [`run_daily`](JobQueue::run_daily),
//!   [`run_monthly`](JobQueue::run_monthly), [`run_custom`](JobQueue::run_custom); lookups by
//!   id and name.
//! - [`Job`]: id, name, chat and user ids, serde data, [`next_run`](Job::next_run),
//!   [`pause`](Job::pause) / [`resume`](Job::resume) / [`cancel`](Job::cancel).
//! - A callback is a plain `async fn(Job, Context<S>) -> HandlerResult`. It runs as a tracked
//!   task: its error or panic goes to the error handlers (with an update of kind `"job"` whose
//!   payload names the job), and a graceful stop awaits it. Jobs fire only while the
//!   application runs (between `start` and `stop`); jobs due before are handled by their
//!   misfire policy when it starts.
//! - [`Misfire`]: what a job does about occurrences it missed (default: run once, late).
//! - Wall-clock schedules follow the rules below; a time without a zone is in the queue's
//!   default zone: **UTC unless set** with [`JobQueueConfig::time_zone`].
//! - [`Clock`]: the queue's "now", a wall time advancing with tokio's clock (tests use paused
//!   time).
//!
//! # Wall-clock rules
//!
//! Daily and monthly jobs name a wall-clock time in a time zone (through `jiff`, with its
//! bundled time zone database as a fallback, so a machine without one needs nothing). Twice a
//! year that time may not exist or exist twice:
//!
//! - **Nonexistent** (spring forward: 02:30 on the day Berlin jumps from 02:00 to 03:00): the job
//!   runs once, shifted forward by the length of the gap (02:30 → 03:30 CEST). This is RFC
//!   5545's and jiff's "compatible" rule.
//! - **Ambiguous** (fall back: 02:30 happens twice when Berlin goes from 03:00 back to 02:00):
//!   the job runs once, at the first occurrence (02:30 CEST, not again at 02:30 CET).
//!
//! A monthly job on day 29, 30 or 31 runs on the last day of a month that is shorter
//! ([`DayOverflow::Clamp`], the default), or skips that month ([`DayOverflow::Skip`]). Day `-1`
//! is always the last day of the month. A repeating job's occurrences are `first + k ×
//! interval` (elapsed time, not wall time: an hourly job stays hourly across DST).
//!
//! # Jobs as data
//!
//! A job whose callback is registered by name
//! ([`Application::register_job`](crate::Application::register_job)) and given as
//! [`named`]`("...")` is *persistent*: it is kept in the store, re-armed when the application
//! starts (missed occurrences handled by its misfire policy), and replaced, not duplicated, when
//! a job with the same id is added again. Jobs given a function are kept in this process's
//! memory only.
//!
//! **Key layout**: one key per job, `tg:{bot_id}:job:{job_id}` (`bot_id`: the part of the bot
//! token before the colon, the bot's user id), holding the job as JSON: the callback's
//! registered name, chat and user ids, data, schedule, misfire policy, `enabled`, `next_run`,
//! and the claims in progress.
//!
//! **Several processes** sharing one store run each occurrence once. When a job's time comes,
//! every process that knows it reads the record and tries one compare-and-set write that
//! advances `next_run` past now and adds a *claim* (this process, the occurrences it runs, a
//! lease). One write succeeds; the others see the new `next_run` and wait for it. The winner
//! runs the callback, renewing the lease every third of it, and removes its claim when done. A
//! claim whose lease ran out (its process died or hangs) is taken over by the next process that
//! looks, which runs those occurrences: an occurrence whose process died mid-run runs again
//! (at least once), never zero times, and never twice while its claimer is alive. Each running
//! queue re-reads the store every [`JobQueueConfig::sync_interval`] for jobs other processes
//! added, paused or cancelled.
//!
//! # Overlapping runs
//!
//! Each occurrence starts on time, also when the previous run of the same job is still going:
//! a repeating job whose callback outlasts its interval has overlapping runs (a warning is
//! logged for each), never silently skipped ones. A callback that must not overlap holds a
//! lock ([`KeyedLocks`](crate::processing::KeyedLocks)) or cancels its job.
//!
//! ```no_run
//! use std::time::Duration;
//! use telegram_ext::jobs::{named, Job};
//! use telegram_ext::{Application, Context, HandlerResult};
//!
//! async fn remind(job: Job, ctx: Context) -> HandlerResult {
//!     let text: String = job.data()?;
//!     if let Some(chat) = job.chat_id() {
//!         ctx.bot.send_message(chat, text).await?;
//!     }
//!     Ok(())
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let app = Application::builder().token("123:abc").build()?;
//! app.register_job("remind", remind);
//! app.job_queue()
//!     .run_once(named("remind"), Duration::from_secs(3600))
//!     .id("tea:42")
//!     .chat_id(42)
//!     .data("your tea is ready")
//!     .await?;
//! # Ok(()) }
//! ```

mod builder;
mod clock;
mod core;
mod error;
mod id;
mod job;
mod misfire;
mod persist;
mod precise;
mod runner;
mod schedule;
mod table;
mod timer;

pub use self::builder::{JobBuilder, When};
pub use self::clock::Clock;
pub use self::error::JobError;
pub use self::job::{named, Job, JobCallback, Named};
pub use self::misfire::{Misfire, DEFAULT_GRACE, MAX_CATCH_UP};
pub use self::schedule::{DayOverflow, Schedule, Weekdays};

pub(crate) use self::core::Core;
pub(crate) use self::runner::Runner;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::Time;
use jiff::tz::TimeZone;
use telegram_store::Store;

use self::builder::Draft;
use self::job::{erase, CallbackRef};
use self::schedule::Spec;

/// The default lease of a claim on a persistent job's occurrence.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// How often a running queue re-reads its store by default.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(10);

/// What a job runs: a callback function (the job is kept in memory) or a registered name
/// ([`named`]; the job is persistent).
pub trait IntoJobCallback<S> {
    /// The callback, and the job's default name.
    #[doc(hidden)]
    fn into_callback(self) -> JobTarget;
}

/// What [`IntoJobCallback`] makes: the callback and the job's default name (opaque).
#[doc(hidden)]
#[derive(Clone)]
pub struct JobTarget {
    callback: CallbackRef,
    name: Cow<'static, str>,
}

impl fmt::Debug for JobTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobTarget")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<S, F, Fut> IntoJobCallback<S> for F
where
    S: Send + Sync + 'static,
    F: Fn(Job, crate::Context<S>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = crate::HandlerResult> + Send + 'static,
{
    fn into_callback(self) -> JobTarget {
        let full = std::any::type_name::<F>();
        let name = full.rsplit("::").next().unwrap_or(full);
        JobTarget {
            callback: CallbackRef::Fn(erase(self)),
            name: Cow::Borrowed(name),
        }
    }
}

impl<S> IntoJobCallback<S> for Named {
    fn into_callback(self) -> JobTarget {
        let name = Cow::Owned(self.0.to_string());
        JobTarget {
            callback: CallbackRef::Named(self.0),
            name,
        }
    }
}

/// The job queue's settings: [`ApplicationBuilder::job_queue`](crate::ApplicationBuilder::job_queue).
#[derive(Debug, Clone)]
#[must_use]
pub struct JobQueueConfig {
    pub(crate) store: Option<Arc<dyn Store>>,
    pub(crate) clock: Option<Clock>,
    pub(crate) time_zone: TimeZone,
    pub(crate) lease: Duration,
    pub(crate) sync_interval: Duration,
}

impl Default for JobQueueConfig {
    fn default() -> Self {
        JobQueueConfig {
            store: None,
            clock: None,
            time_zone: TimeZone::UTC,
            lease: DEFAULT_LEASE,
            sync_interval: DEFAULT_SYNC_INTERVAL,
        }
    }
}

impl JobQueueConfig {
    /// The defaults: the application's store, the system clock, UTC, a 60 s lease, a 10 s
    /// sync.
    pub fn new() -> Self {
        JobQueueConfig::default()
    }

    /// Where persistent jobs are kept: by default the application's store
    /// ([`ApplicationBuilder::store`](crate::ApplicationBuilder::store), in memory unless set).
    /// Processes sharing a store share their persistent jobs.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The clock ([`Clock::system`] by default; [`Clock::starting_at`] in tests).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The zone of times given without one (daily and monthly jobs, [`When::Local`]). **UTC**
    /// by default.
    pub fn time_zone(mut self, zone: TimeZone) -> Self {
        self.time_zone = zone;
        self
    }

    /// How long a claim on a persistent job's occurrence lasts without renewal before another
    /// process takes it over (60 s by default; renewed every third of it while running).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(3));
        self
    }

    /// How often the store is re-read for jobs other processes added, paused or cancelled
    /// (10 s by default).
    pub fn sync_interval(mut self, interval: Duration) -> Self {
        self.sync_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The queue for the bot with `bot_token`; `app_store` (the application's store) holds
    /// persistent jobs unless [`store`](Self::store) gave another.
    pub(crate) fn build(self, bot_token: &str, app_store: Arc<dyn Store>) -> Arc<Core> {
        Arc::new(Core::new(
            self.clock.unwrap_or_default(),
            self.time_zone,
            self.store.unwrap_or(app_store),
            &crate::data::Data::prefix_for_token(bot_token),
            self.lease,
            self.sync_interval,
        ))
    }
}

/// The application's job queue: schedules callbacks once, repeatedly, daily, monthly or on a
/// custom schedule. Reached through [`Application::job_queue`](crate::Application::job_queue)
/// and [`Context::job_queue`](crate::Context::job_queue); cheap to clone.
///
/// Every `run_*` method returns a [`JobBuilder`] (id, name, chat, data, misfire policy…);
/// awaiting it adds the job. All jobs share one timer (a heap of deadlines) driven by
/// one task while the application runs; a job's callback typically starts a fraction of a
/// millisecond after its time (the `jobs` bench: median about 0.2 ms on a busy machine).
///
/// ```
/// use std::time::Duration;
/// use jiff::civil::{time, Weekday};
/// use telegram_ext::jobs::{Job, Weekdays};
/// use telegram_ext::{Application, Context, HandlerResult};
///
/// async fn digest(_job: Job, _ctx: Context) -> HandlerResult { Ok(()) }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let app = Application::builder().token("123:abc").build()?;
/// let queue = app.job_queue();
/// queue.run_repeating(digest, Duration::from_secs(600)).name("every 10 min").await?;
/// queue
///     .run_daily(digest, time(8, 30, 0, 0), Weekdays::MONDAY_TO_FRIDAY)
///     .time_zone(jiff::tz::TimeZone::get("Europe/Berlin")?)
///     .await?;
/// queue.run_monthly(digest, -1, time(18, 0, 0, 0)).name("month end").await?;
/// assert_eq!(queue.jobs().len(), 3);
/// assert_eq!(queue.jobs_named("month end").len(), 1);
/// # Ok(()) }
/// ```
pub struct JobQueue<S = ()> {
    core: Arc<Core>,
    state: PhantomData<fn(S)>,
}

impl<S: Send + Sync + 'static> JobQueue<S> {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        JobQueue {
            core,
            state: PhantomData,
        }
    }

    fn builder(&self, callback: impl IntoJobCallback<S>, draft: Draft) -> JobBuilder<S> {
        let target = callback.into_callback();
        JobBuilder::new(self.core.clone(), target.callback, target.name, draft)
    }

    /// Registers `callback` under `name`, for persistent jobs ([`named`]). Registering a name
    /// again replaces its callback.
    pub fn register(&self, name: impl Into<Arc<str>>, callback: impl JobCallback<S>) {
        self.core.register(name.into(), erase(callback));
    }

    /// Runs `callback` once, at `when` (an instant, a delay, or a local date and time). A time
    /// in the past (or now) runs at once when the queue runs (see [`Misfire`] for how late).
    pub fn run_once(
        &self,
        callback: impl IntoJobCallback<S>,
        when: impl Into<When>,
    ) -> JobBuilder<S> {
        self.builder(callback, Draft::Once(when.into()))
    }

    /// Runs `callback` every `interval`, from [`first`](JobBuilder::first) (one interval from
    /// now by default) until [`last`](JobBuilder::last) (never by default). Occurrences are
    /// `first + k × interval`, so late runs do not shift later ones.
    pub fn run_repeating(
        &self,
        callback: impl IntoJobCallback<S>,
        interval: Duration,
    ) -> JobBuilder<S> {
        self.builder(
            callback,
            Draft::Repeating {
                interval,
                first: None,
                last: None,
            },
        )
    }

    /// Runs `callback` every day of `days` at wall-clock `time` in the queue's time zone (or
    /// [`time_zone`](JobBuilder::time_zone)), following the DST rules of [`Schedule`]'s module.
    pub fn run_daily(
        &self,
        callback: impl IntoJobCallback<S>,
        time: Time,
        days: Weekdays,
    ) -> JobBuilder<S> {
        let spec = Spec::Daily {
            time,
            days,
            tz: self.core.time_zone.clone(),
        };
        self.builder(callback, Draft::Ready(spec))
    }

    /// Runs `callback` every month on `day` (1–31, or −1 for the last day) at wall-clock
    /// `time`. A day the month does not have runs on its last day by default
    /// ([`day_overflow`](JobBuilder::day_overflow)). A day outside 1–31 and −1 is clamped
    /// into that range.
    pub fn run_monthly(
        &self,
        callback: impl IntoJobCallback<S>,
        day: i8,
        time: Time,
    ) -> JobBuilder<S> {
        let day = if day < 0 { -1 } else { day.clamp(1, 31) };
        let spec = Spec::Monthly {
            day,
            time,
            tz: self.core.time_zone.clone(),
            overflow: DayOverflow::default(),
        };
        self.builder(callback, Draft::Ready(spec))
    }

    /// Runs `callback` on a [`Schedule`] of your own. Such a job is kept in memory only.
    pub fn run_custom(
        &self,
        callback: impl IntoJobCallback<S>,
        schedule: impl Schedule,
    ) -> JobBuilder<S> {
        self.builder(callback, Draft::Ready(Spec::Custom(Arc::new(schedule))))
    }

    /// Every job this process knows (sorted by id).
    pub fn jobs(&self) -> Vec<Job> {
        self.core.jobs(None)
    }

    /// The jobs named `name`.
    pub fn jobs_named(&self, name: &str) -> Vec<Job> {
        self.core.jobs(Some(name))
    }

    /// The job with this id.
    pub fn job(&self, id: &str) -> Option<Job> {
        self.core.job(id)
    }

    /// Cancels the job with this id, if there is one: whether it was pending (python-telegram-bot's
    /// lookup and `schedule_removal` in one call). See [`Job::cancel`].
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn cancel(&self, id: &str) -> Result<bool, JobError> {
        match self.job(id) {
            Some(job) => job.cancel().await,
            None => Ok(false),
        }
    }

    /// How many jobs this process knows.
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// Whether there is no job.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The queue's clock.
    pub fn clock(&self) -> Clock {
        self.core.clock
    }

    /// The zone of times given without one.
    pub fn time_zone(&self) -> &TimeZone {
        &self.core.time_zone
    }
}

impl<S> Clone for JobQueue<S> {
    fn clone(&self) -> Self {
        JobQueue {
            core: self.core.clone(),
            state: PhantomData,
        }
    }
}

impl<S> fmt::Debug for JobQueue<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}
