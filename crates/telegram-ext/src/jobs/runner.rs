//! The runner: while the application runs, one task waits on the queue's timer and fires due
//! jobs, another re-reads the store now and then (jobs added, paused or cancelled by other
//! processes). Callbacks run as the application's tracked tasks: their errors and panics go to
//! the error handlers, a graceful stop awaits them.
//!
//! The timer task sleeps until the earliest deadline ([`PreciseSleep`]: to a fraction of a
//! millisecond, where tokio's timer alone ends 1–2 ms late), and is woken early when a job
//! with an earlier deadline is added. It takes due jobs in batches of a few hundred per lock and
//! spawns one task per job.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use jiff::{SignedDuration, Timestamp};
use telegram_types::{Update, UpdateKind};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::core::{Core, Due};
use super::job::{CallbackRef, Job, JobInfo};
use super::persist;
use super::precise::PreciseSleep;
use crate::data::ScopeIds;
use crate::{Application, Context, HandlerError};

/// How long a persistent job waits before retrying after a store failure.
const STORE_RETRY: SignedDuration = SignedDuration::from_secs(5);

/// The running runner's tasks; `None` while the application is not running.
#[derive(Debug, Default)]
pub(crate) struct Runner {
    running: Mutex<Option<(CancellationToken, Vec<JoinHandle<()>>)>>,
}

impl Runner {
    /// Loads the store's jobs, then starts the timer and sync tasks.
    pub(crate) async fn start<S: Send + Sync + 'static>(
        &self,
        app: &Application<S>,
        core: &Arc<Core>,
    ) {
        core.reset_claims();
        if let Err(error) = persist::sync(core).await {
            tracing::warn!(%error, "cannot load the stored jobs; retrying at the next sync");
        }
        let stop = CancellationToken::new();
        let timer = tokio::spawn(fire_loop(app.clone(), core.clone(), stop.clone()));
        let sync = tokio::spawn(sync_loop(core.clone(), stop.clone()));
        let previous = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace((stop, vec![timer, sync]));
        if let Some((stop, _)) = previous {
            stop.cancel();
        }
    }

    /// Stops firing jobs; runs in progress are tracked tasks, awaited by the application's stop.
    pub(crate) async fn stop(&self) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((stop, tasks)) = running {
            stop.cancel();
            for task in tasks {
                if let Err(error) = task.await {
                    tracing::error!(%error, "job runner task failed");
                }
            }
        }
    }
}

async fn fire_loop<S: Send + Sync + 'static>(
    app: Application<S>,
    core: Arc<Core>,
    stop: CancellationToken,
) {
    let mut due = Vec::new();
    let mut sleep = PreciseSleep::start();
    while !stop.is_cancelled() {
        let next = core.take_due(Instant::now(), &mut due);
        for job in due.drain(..) {
            fire(&app, &core, job);
        }
        if next.is_some_and(|at| at <= Instant::now()) {
            // More are due (the batch was full): take them after letting other tasks run.
            tokio::task::yield_now().await;
            continue;
        }
        let timer = async {
            match next {
                Some(at) => sleep.until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            () = core.wake.notified() => {}
            () = timer => {}
        }
    }
}

async fn sync_loop(core: Arc<Core>, stop: CancellationToken) {
    let mut ticks =
        tokio::time::interval_at(Instant::now() + core.sync_interval, core.sync_interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            _ = ticks.tick() => {
                if let Err(error) = persist::sync(&core).await {
                    tracing::warn!(%error, "cannot sync the stored jobs");
                }
            }
        }
    }
}

/// A due job: an in-memory one runs at once; a persistent one is claimed first.
fn fire<S: Send + Sync + 'static>(app: &Application<S>, core: &Arc<Core>, due: Due) {
    let (app2, core) = (app.clone(), core.clone());
    match due {
        Due::Run {
            info,
            runs,
            running,
        } => app.create_task(
            async move {
                run_all(&app2, &core, &info, &runs, &running).await;
                Ok(())
            },
            None,
        ),
        Due::Claim(info) => app.create_task(
            async move {
                fire_persistent(&app2, &core, &info.id).await;
                Ok(())
            },
            None,
        ),
    }
}

async fn fire_persistent<S: Send + Sync + 'static>(
    app: &Application<S>,
    core: &Arc<Core>,
    id: &str,
) {
    let claimed = match persist::claim(core, id).await {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::warn!(job = id, %error, "cannot claim the job's occurrence; retrying");
            let retry = core
                .clock
                .now()
                .saturating_add(STORE_RETRY)
                .unwrap_or(Timestamp::MAX);
            core.retry_at(id, retry);
            return;
        }
    };
    // Armed for the next occurrence now: runs may overlap, as in-memory jobs' do.
    core.apply_record(id, claimed.record.as_ref(), true);
    let (Some(&first), Some(info)) = (
        claimed.runs.first(),
        claimed.record.as_ref().and_then(persist::Record::to_info),
    ) else {
        return;
    };
    let info = Arc::new(info);
    let running = core.running(id);
    let work = run_all(app, core, &info, &claimed.runs, &running);
    let mut work = std::pin::pin!(work);
    let renew_every = core.lease / 3;
    let mut renewals = tokio::time::interval_at(Instant::now() + renew_every, renew_every);
    loop {
        tokio::select! {
            () = &mut work => break,
            _ = renewals.tick() => match persist::renew(core, id, first).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!(job = id, "lost the claim on a running job (lease ran out); another process may run it too"),
                Err(error) => tracing::warn!(job = id, %error, "cannot renew the claim on a running job"),
            },
        }
    }
    match persist::complete(core, id, first).await {
        Ok(record) => core.apply_record(id, record.as_ref(), false),
        Err(error) => {
            tracing::warn!(job = id, %error, "cannot release the claim of a finished run; it is taken over after its lease")
        }
    }
}

/// Runs `runs` (occurrences of one job) one after another.
async fn run_all<S: Send + Sync + 'static>(
    app: &Application<S>,
    core: &Arc<Core>,
    info: &Arc<JobInfo>,
    runs: &[Timestamp],
    running: &Arc<AtomicUsize>,
) {
    for &at in runs {
        run_one(app, core, info, at, running).await;
    }
}

/// Counts a run in progress; uncounts it however the run ends (a cancelled task included).
struct RunGuard<'a>(&'a AtomicUsize);

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn run_one<S: Send + Sync + 'static>(
    app: &Application<S>,
    core: &Arc<Core>,
    info: &Arc<JobInfo>,
    at: Timestamp,
    running: &AtomicUsize,
) {
    let earlier = running.fetch_add(1, Ordering::SeqCst);
    let _guard = RunGuard(running);
    if earlier > 0 {
        tracing::warn!(job = %info.id, running = earlier, "job started while an earlier run of it is still going: the runs overlap");
    }
    let callback = match &info.callback {
        CallbackRef::Fn(callback) => Some(callback.clone()),
        CallbackRef::Named(name) => core.registered(name),
    };
    let job = Job {
        core: core.clone(),
        info: info.clone(),
        scheduled_at: Some(at),
    };
    // The job's chat and user are the context's: `ctx.read(&CHAT_SLOT)` reaches their data.
    let scope = ScopeIds {
        chat: info.chat_id,
        user: info.user_id,
    };
    let ctx = Context::new(app.clone(), None, Vec::new(), Vec::new()).with_scope_ids(scope);
    let ctx = Box::new(ctx);
    let result = match callback.and_then(|callback| callback.call_erased(job, ctx)) {
        Some(run) => AssertUnwindSafe(run)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(HandlerError::from_panic(panic))),
        None => Err(HandlerError::msg(format_args!(
            "job {:?}: its callback is not registered in this application",
            info.id
        ))),
    };
    match result {
        Ok(()) | Err(HandlerError::Stop) => {}
        Err(error) => app.route_error(job_update(info, at), error).await,
    }
}

/// What error handlers get as the update of a job's error: an update of kind `"job"` whose
/// payload names the job (`job_id`, `job_name`, `scheduled_at`).
fn job_update(info: &JobInfo, at: Timestamp) -> Arc<Update> {
    let raw = serde_json::json!({
        "job_id": &*info.id,
        "job_name": &*info.name,
        "scheduled_at": at.to_string(),
    });
    Arc::new(Update {
        update_id: 0,
        kind: UpdateKind::Unknown {
            kind: "job".to_owned(),
            raw: Box::new(raw),
        },
    })
}
