//! `JobBuilder`: a job's options (id, name, chat, user, data, misfire policy), awaited to add
//! the job. `When`: a point in time given as an instant, a delay or a local date and time.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::Serialize;

use super::core::Core;
use super::id::JobId;
use super::job::{CallbackRef, Job, JobInfo};
use super::misfire::{Misfire, DEFAULT_GRACE};
use super::persist::{self, Record};
use super::schedule::{DayOverflow, Spec};
use super::JobError;

/// A point in time: an instant, a delay from now, or a local date and time (in the queue's
/// default zone).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum When {
    /// This instant.
    At(Timestamp),
    /// This long from now.
    After(Duration),
    /// This wall-clock date and time in the queue's default time zone.
    Local(DateTime),
}

impl When {
    pub(crate) fn resolve(&self, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        match self {
            When::At(at) => Some(*at),
            When::After(delay) => {
                let delay = SignedDuration::try_from(*delay).ok()?;
                now.checked_add(delay).ok()
            }
            When::Local(local) => tz
                .to_ambiguous_zoned(*local)
                .compatible()
                .ok()
                .map(|z| z.timestamp()),
        }
    }
}

impl From<Timestamp> for When {
    fn from(at: Timestamp) -> Self {
        When::At(at)
    }
}

impl From<&Zoned> for When {
    fn from(at: &Zoned) -> Self {
        When::At(at.timestamp())
    }
}

impl From<Zoned> for When {
    fn from(at: Zoned) -> Self {
        When::At(at.timestamp())
    }
}

impl From<Duration> for When {
    fn from(delay: Duration) -> Self {
        When::After(delay)
    }
}

impl From<DateTime> for When {
    fn from(local: DateTime) -> Self {
        When::Local(local)
    }
}

/// The schedule being built: the kind's parameters, with times still to resolve.
#[derive(Debug)]
pub(crate) enum Draft {
    Once(When),
    Repeating {
        interval: Duration,
        first: Option<When>,
        last: Option<When>,
    },
    Ready(Spec),
}

/// A job being added: set its options, then `.await` it to add it to the queue.
///
/// ```
/// # use telegram_ext::{jobs::{Job, Misfire}, Application, Context, HandlerResult};
/// # async fn remind(_job: Job, _ctx: Context) -> HandlerResult { Ok(()) }
/// # async fn demo(app: Application) -> Result<(), telegram_ext::jobs::JobError> {
/// let job = app
///     .job_queue()
///     .run_once(remind, std::time::Duration::from_secs(30))
///     .name("tea")
///     .chat_id(42)
///     .data(&"your tea is ready")
///     .misfire(Misfire::Skip)
///     .await?;
/// assert_eq!(job.name(), "tea");
/// # Ok(()) }
/// ```
#[must_use = "a job is added only when the builder is awaited"]
pub struct JobBuilder<S> {
    core: Arc<Core>,
    callback: CallbackRef,
    draft: Draft,
    id: Option<String>,
    name: Cow<'static, str>,
    chat_id: Option<i64>,
    user_id: Option<i64>,
    data: Result<serde_json::Value, serde_json::Error>,
    misfire: Misfire,
    grace: Duration,
    enabled: bool,
    state: PhantomData<fn(S)>,
}

impl<S> JobBuilder<S> {
    pub(crate) fn new(
        core: Arc<Core>,
        callback: CallbackRef,
        name: Cow<'static, str>,
        draft: Draft,
    ) -> Self {
        JobBuilder {
            core,
            callback,
            draft,
            id: None,
            name,
            chat_id: None,
            user_id: None,
            data: Ok(serde_json::Value::Null),
            misfire: Misfire::default(),
            grace: DEFAULT_GRACE,
            enabled: true,
            state: PhantomData,
        }
    }

    /// The job's id (generated when not given). Adding a job with the id of an existing one
    /// replaces it: a bot that adds its jobs at every start keeps one of each.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The job's name, for lookups (the callback's name by default).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Cow::Owned(name.into());
        self
    }

    /// The chat the job is about.
    pub fn chat_id(mut self, chat_id: i64) -> Self {
        self.chat_id = Some(chat_id);
        self
    }

    /// The user the job is about.
    pub fn user_id(mut self, user_id: i64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// The job's data, stored as JSON (read back with [`Job::data`]). An encoding error is
    /// returned when the builder is awaited.
    pub fn data<T: Serialize + ?Sized>(mut self, data: &T) -> Self {
        self.data = serde_json::to_value(data);
        self
    }

    /// The misfire policy ([`Misfire::Coalesce`] by default).
    pub fn misfire(mut self, misfire: Misfire) -> Self {
        self.misfire = misfire;
        self
    }

    /// How late an occurrence may start and still be on time (1 s by default); see
    /// [`Misfire`].
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Adds the job paused ([`Job::resume`] starts it).
    pub fn paused(mut self) -> Self {
        self.enabled = false;
        self
    }

    /// A repeating job's first run (default: one interval from now). A time in the past is a
    /// missed occurrence (the misfire policy decides); "now" runs at once. No effect on other
    /// kinds of schedule.
    pub fn first(mut self, when: impl Into<When>) -> Self {
        if let Draft::Repeating { first, .. } = &mut self.draft {
            *first = Some(when.into());
        }
        self
    }

    /// A repeating job's last possible run (default: none). No effect on other kinds.
    pub fn last(mut self, when: impl Into<When>) -> Self {
        if let Draft::Repeating { last, .. } = &mut self.draft {
            *last = Some(when.into());
        }
        self
    }

    /// The time zone of a daily or monthly job (default: the queue's, see
    /// [`JobQueueConfig::time_zone`](super::JobQueueConfig::time_zone)). No effect on other
    /// kinds.
    pub fn time_zone(mut self, zone: TimeZone) -> Self {
        if let Draft::Ready(Spec::Daily { tz, .. } | Spec::Monthly { tz, .. }) = &mut self.draft {
            *tz = zone;
        }
        self
    }

    /// What a monthly job on day 29–31 does in a shorter month ([`DayOverflow::Clamp`] by
    /// default: the last day). No effect on other kinds.
    pub fn day_overflow(mut self, rule: DayOverflow) -> Self {
        if let Draft::Ready(Spec::Monthly { overflow, .. }) = &mut self.draft {
            *overflow = rule;
        }
        self
    }

    fn spec(&self, now: Timestamp) -> Result<Spec, JobError> {
        let tz = &self.core.time_zone;
        let resolve = |when: &When| when.resolve(now, tz).ok_or(JobError::NoOccurrence);
        match &self.draft {
            Draft::Once(at) => Ok(Spec::Once { at: resolve(at)? }),
            Draft::Repeating {
                interval,
                first,
                last,
            } => {
                if interval.is_zero() {
                    return Err(JobError::NoOccurrence);
                }
                let first = match first {
                    Some(first) => resolve(first)?,
                    None => resolve(&When::After(*interval))?,
                };
                let last = last.as_ref().map(resolve).transpose()?;
                Ok(Spec::repeating(first, *interval, last))
            }
            Draft::Ready(spec) => Ok(spec.clone()),
        }
    }

    async fn add(self) -> Result<Job, JobError> {
        let now = self.core.clock.now();
        let spec = self.spec(now)?;
        let next_run = spec.first(now).ok_or(JobError::NoOccurrence)?;
        // Persistent jobs' ids are unique across processes; in-memory ones in this process.
        let id = match (self.id, &self.callback) {
            (Some(id), _) => JobId::from(id),
            (None, CallbackRef::Named(_)) => JobId::random128(),
            (None, CallbackRef::Fn(_)) => JobId::random64(),
        };
        let data = self.data.map_err(|source| JobError::Encode {
            id: id.to_string(),
            source,
        })?;
        let info = Arc::new(JobInfo {
            id,
            name: self.name,
            callback: self.callback,
            chat_id: self.chat_id,
            user_id: self.user_id,
            data: JobInfo::keep_data(data),
            spec,
            misfire: self.misfire,
            grace: self.grace,
        });
        if let Some(record) = Record::new(&info, self.enabled, Some(next_run)) {
            if !info.spec.is_data() {
                return Err(JobError::NotPersistable);
            }
            if self.core.registered(&record.callback).is_none() {
                return Err(JobError::UnknownCallback(record.callback));
            }
            persist::add(&self.core, &record).await?;
        }
        Ok(self.core.insert(info, self.enabled, Some(next_run)))
    }
}

impl<S: 'static> IntoFuture for JobBuilder<S> {
    type Output = Result<Job, JobError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.add())
    }
}

impl<S> std::fmt::Debug for JobBuilder<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobBuilder")
            .field("draft", &self.draft)
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
