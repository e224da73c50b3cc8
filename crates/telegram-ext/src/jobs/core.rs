//! The queue's bookkeeping: every job's slot (`table.rs`) and the one timer structure of all
//! jobs (`timer.rs`, a heap of deadlines) that wakes the runner, behind one mutex held only for
//! table and timer operations (never across an `.await`). Independent of the application's
//! state type.
//!
//! Memory per pending in-memory job (what `benches/benches/jobs.rs` measures): one allocation,
//! the job's `JobInfo` in its `Arc` (the id inline in it, the callback of a function item a
//! `'static` reference), one slot in the table's vector, about 5 bytes of hash index, and one
//! 16-byte timer entry: about 260 bytes of resident memory per job in all (the bench: +261 MB
//! for 1 M pending jobs, against +548 MB with a `HashMap<Arc<str>, Slot>` and a tokio-util
//! `DelayQueue`). A job handle (`Job`) shares the `JobInfo`.
//!
//! The runner (`runner.rs`) takes due jobs from here; the store side of persistent jobs lives in
//! `persist.rs`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use telegram_store::Store;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::clock::Clock;
use super::job::{ErasedCallback, Job, JobInfo};
use super::misfire::decide;
use super::persist::{self, Record};
use super::table::{Slot, Table};
use super::timer::Timer;
use super::JobError;

/// How many due jobs the runner takes per lock.
const POP_BATCH: usize = 256;

struct State {
    table: Table,
    timer: Timer,
}

/// A due job, as the runner gets it.
pub(crate) enum Due {
    /// An in-memory job: these occurrences run now.
    Run {
        info: Arc<JobInfo>,
        runs: Vec<Timestamp>,
        running: Arc<AtomicUsize>,
    },
    /// A persistent job, marked as being claimed: the runner claims it in the store.
    Claim(Arc<JobInfo>),
}

/// The job queue's shared state.
pub(crate) struct Core {
    pub(crate) clock: Clock,
    pub(crate) time_zone: TimeZone,
    pub(crate) store: Arc<dyn Store>,
    /// `tg:{bot_id}:job:`
    pub(crate) prefix: String,
    /// This process's name in claims.
    pub(crate) owner: Arc<str>,
    pub(crate) lease: Duration,
    pub(crate) sync_interval: Duration,
    state: Mutex<State>,
    registry: RwLock<HashMap<Arc<str>, ErasedCallback>>,
    /// Notified when a deadline earlier than every other is armed: the runner, asleep until
    /// a later one, looks again.
    pub(crate) wake: Notify,
}

impl Core {
    pub(crate) fn new(
        clock: Clock,
        time_zone: TimeZone,
        store: Arc<dyn Store>,
        bot_prefix: &str,
        lease: Duration,
        sync_interval: Duration,
    ) -> Self {
        Core {
            clock,
            time_zone,
            store,
            prefix: format!("{bot_prefix}job:"),
            owner: format!("{:032x}", rand::random::<u128>()).into(),
            lease,
            sync_interval,
            state: Mutex::new(State {
                table: Table::default(),
                timer: Timer::new(),
            }),
            registry: RwLock::default(),
            wake: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the table and the timer consistent with each other
        // before anything that can panic, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn register(&self, name: Arc<str>, callback: ErasedCallback) {
        let mut registry = self
            .registry
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        registry.insert(name, callback);
    }

    pub(crate) fn registered(&self, name: &str) -> Option<ErasedCallback> {
        let registry = self.registry.read().unwrap_or_else(PoisonError::into_inner);
        registry.get(name).cloned()
    }

    /// Adds (or replaces) a job and arms its timer.
    pub(crate) fn insert(
        self: &Arc<Self>,
        info: Arc<JobInfo>,
        enabled: bool,
        next_run: Option<Timestamp>,
    ) -> Job {
        let mut state = self.state();
        let state = &mut *state;
        let index = match state.table.find(&info.id) {
            Some(index) => {
                if let Some(slot) = state.table.get_mut(index) {
                    // A replaced job keeps its running-runs counter.
                    slot.info = info.clone();
                    slot.enabled = enabled;
                    slot.next_run = next_run;
                    slot.busy = false;
                }
                index
            }
            None => state.table.insert(Slot {
                info: info.clone(),
                next_run,
                running: None,
                timer: None,
                enabled,
                busy: false,
            }),
        };
        self.arm(state, index, next_run.filter(|_| enabled));
        Job {
            core: self.clone(),
            info,
            scheduled_at: None,
        }
    }

    /// Sets (or, with `None`, clears) the timer of the job at `index`.
    fn arm(&self, state: &mut State, index: u32, at: Option<Timestamp>) {
        let Some(slot) = state.table.get_mut(index) else {
            return;
        };
        if slot.timer.take().is_some() {
            state.timer.forget();
        }
        if let Some(at) = at {
            let (ticket, earliest) = state.timer.push(index, self.clock.instant_at(at));
            slot.timer = Some(ticket);
            if earliest {
                self.wake.notify_one();
            }
        }
        tidy(state);
    }

    /// Removes the job at `index` and its timer.
    fn remove(&self, state: &mut State, index: u32) {
        if let Some(slot) = state.table.remove(index) {
            if slot.timer.is_some() {
                state.timer.forget();
            }
        }
        tidy(state);
    }

    /// Takes the jobs due at `now` (up to a batch): in-memory ones advanced to their next
    /// occurrence (or removed when there is none), persistent ones marked as being claimed.
    /// Returns the next deadline (`now` or earlier when the batch was full).
    pub(crate) fn take_due(&self, now: Instant, due: &mut Vec<Due>) -> Option<Instant> {
        let mut state = self.state();
        let state = &mut *state;
        let wall = self.clock.wall_at(now);
        loop {
            let top = state.timer.peek()?;
            let live = state
                .table
                .get(top.slot)
                .is_some_and(|slot| slot.timer == Some(top.ticket));
            if !live {
                state.timer.pop(true);
                continue;
            }
            let at = state.timer.deadline(&top);
            if at > now || due.len() >= POP_BATCH {
                return Some(at);
            }
            state.timer.pop(false);
            if let Some(slot) = state.table.get_mut(top.slot) {
                slot.timer = None;
            }
            self.fire(state, top.slot, wall, due);
        }
    }

    /// A job whose timer fired at wall time `now`.
    fn fire(&self, state: &mut State, index: u32, now: Timestamp, due: &mut Vec<Due>) {
        let Some(slot) = state.table.get_mut(index) else {
            return;
        };
        if slot.info.is_persistent() {
            if !slot.busy {
                slot.busy = true;
                due.push(Due::Claim(slot.info.clone()));
            }
            return;
        }
        let Some(at) = slot.next_run.filter(|_| slot.enabled) else {
            return;
        };
        if at > now {
            // Set beyond the timer's range: re-armed closer.
            self.arm(state, index, Some(at));
            return;
        }
        let decision = decide(&slot.info.spec, slot.info.misfire, slot.info.grace, at, now);
        slot.next_run = decision.next;
        let running = slot.running.get_or_insert_with(Arc::default).clone();
        let info = slot.info.clone();
        match decision.next {
            Some(next) => self.arm(state, index, Some(next)),
            None => self.remove(state, index),
        }
        if !decision.runs.is_empty() {
            due.push(Due::Run {
                info,
                runs: decision.runs,
                running,
            });
        }
    }

    /// The running-runs counter of a job.
    pub(crate) fn running(&self, id: &str) -> Arc<AtomicUsize> {
        let mut state = self.state();
        let slot = state
            .table
            .find(id)
            .and_then(|index| state.table.get_mut(index));
        match slot {
            Some(slot) => slot.running.get_or_insert_with(Arc::default).clone(),
            None => Arc::default(),
        }
    }

    /// Brings a persistent job's slot in line with its record (`None`: the job is gone) and
    /// arms its timer for the record's next moment of interest. A slot being claimed is left
    /// alone unless `claimed` (the claimer itself reports).
    pub(crate) fn apply_record(&self, id: &str, record: Option<&Record>, claimed: bool) {
        let mut state = self.state();
        let state = &mut *state;
        let found = state.table.find(id);
        let Some(record) = record else {
            let idle = |index| state.table.get(index).is_some_and(|s| claimed || !s.busy);
            if let Some(index) = found.filter(|&index| idle(index)) {
                self.remove(state, index);
            }
            return;
        };
        let Some(info) = record.to_info() else {
            return;
        };
        if self.registered(&record.callback).is_none() {
            tracing::debug!(job = id, callback = %record.callback, "job callback not registered here; left to other processes");
            return;
        }
        let info = Arc::new(info);
        let index = match found {
            Some(index) => index,
            None => state.table.insert(Slot {
                info: info.clone(),
                next_run: record.next_run,
                running: None,
                timer: None,
                enabled: record.enabled,
                busy: false,
            }),
        };
        let Some(slot) = state.table.get_mut(index) else {
            return;
        };
        if slot.busy && !claimed {
            return;
        }
        slot.busy = false;
        slot.info = info;
        slot.enabled = record.enabled;
        slot.next_run = record.next_run;
        self.arm(state, index, record.wake());
    }

    /// Re-arms a persistent job at `at` after a store failure.
    pub(crate) fn retry_at(&self, id: &str, at: Timestamp) {
        let mut state = self.state();
        let state = &mut *state;
        let Some(index) = state.table.find(id) else {
            return;
        };
        if let Some(slot) = state.table.get_mut(index) {
            slot.busy = false;
        }
        self.arm(state, index, Some(at));
    }

    /// Re-arms, to look at their records at once, persistent jobs whose claim was cut short
    /// (a forced stop cancelled it): at a new start nothing is being claimed.
    pub(crate) fn reset_claims(&self) {
        let now = self.clock.now();
        let mut state = self.state();
        let state = &mut *state;
        let busy: Vec<u32> = state
            .table
            .iter()
            .filter(|(_, slot)| slot.busy)
            .map(|(index, _)| index)
            .collect();
        for index in busy {
            if let Some(slot) = state.table.get_mut(index) {
                slot.busy = false;
            }
            self.arm(state, index, Some(now));
        }
    }

    /// Forgets persistent jobs that are not in `present` (cancelled by another process).
    pub(crate) fn retain_persistent(&self, present: &HashSet<&str>) {
        let mut state = self.state();
        let state = &mut *state;
        let gone: Vec<u32> = state
            .table
            .iter()
            .filter(|(_, slot)| {
                slot.info.is_persistent() && !slot.busy && !present.contains(&*slot.info.id)
            })
            .map(|(index, _)| index)
            .collect();
        for index in gone {
            self.remove(state, index);
        }
    }

    /// The slot of the job with `info`'s id, read under the lock.
    fn read_slot<T>(&self, info: &JobInfo, read: impl FnOnce(&Slot) -> T) -> Option<T> {
        let state = self.state();
        let index = state.table.find(&info.id)?;
        state.table.get(index).map(read)
    }

    pub(crate) fn next_run(&self, info: &JobInfo) -> Option<Timestamp> {
        self.read_slot(info, |slot| slot.next_run).flatten()
    }

    pub(crate) fn is_enabled(&self, info: &JobInfo) -> bool {
        self.read_slot(info, |slot| slot.enabled).unwrap_or(false)
    }

    pub(crate) async fn set_enabled(&self, info: &JobInfo, enabled: bool) -> Result<(), JobError> {
        if info.is_persistent() {
            let record = persist::update(self, &info.id, |record| record.enabled = enabled).await?;
            self.apply_record(&info.id, record.as_ref(), false);
            return Ok(());
        }
        let mut state = self.state();
        let state = &mut *state;
        let Some(index) = state.table.find(&info.id) else {
            return Ok(());
        };
        let Some(slot) = state.table.get_mut(index) else {
            return Ok(());
        };
        slot.enabled = enabled;
        let at = slot.next_run.filter(|_| enabled);
        self.arm(state, index, at);
        Ok(())
    }

    pub(crate) async fn cancel(&self, info: &JobInfo) -> Result<bool, JobError> {
        let stored = if info.is_persistent() {
            persist::delete(self, &info.id).await?
        } else {
            false
        };
        let mut state = self.state();
        let state = &mut *state;
        let local = match state.table.find(&info.id) {
            Some(index) => {
                self.remove(state, index);
                true
            }
            None => false,
        };
        Ok(stored || local)
    }

    /// Every job this process knows, as handles.
    pub(crate) fn jobs(self: &Arc<Self>, name: Option<&str>) -> Vec<Job> {
        let state = self.state();
        let mut jobs: Vec<Job> = state
            .table
            .iter()
            .filter(|(_, slot)| name.is_none_or(|name| *slot.info.name == *name))
            .map(|(_, slot)| Job {
                core: self.clone(),
                info: slot.info.clone(),
                scheduled_at: None,
            })
            .collect();
        jobs.sort_by(|a, b| a.info.id.cmp(&b.info.id));
        jobs
    }

    pub(crate) fn job(self: &Arc<Self>, id: &str) -> Option<Job> {
        let state = self.state();
        let index = state.table.find(id)?;
        state.table.get(index).map(|slot| Job {
            core: self.clone(),
            info: slot.info.clone(),
            scheduled_at: None,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.state().table.len()
    }
}

/// Drops the timer's stale entries once they outnumber the live ones.
fn tidy(state: &mut State) {
    if state.timer.wants_compaction() {
        let table = &state.table;
        state.timer.compact(|entry| {
            table
                .get(entry.slot)
                .is_some_and(|slot| slot.timer == Some(entry.ticket))
        });
    }
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobQueue")
            .field("prefix", &self.prefix)
            .field("time_zone", &self.time_zone.iana_name())
            .field("jobs", &self.len())
            .finish_non_exhaustive()
    }
}
