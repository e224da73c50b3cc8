//! The queue's bookkeeping: every job's slot and the one timer structure (a tokio-util
//! `DelayQueue`) that wakes the runner, behind one mutex held only for map and timer
//! operations (never across an `.await`). Independent of the application's state type.
//!
//! The runner (`runner.rs`) pops due jobs from here; the store side of persistent jobs lives in
//! `persist.rs`.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use telegram_store::Store;
use tokio_util::time::delay_queue::{DelayQueue, Key};

use super::clock::Clock;
use super::job::{ErasedCallback, Job, JobInfo};
use super::misfire::{decide, Decision};
use super::persist::{self, Record};
use super::JobError;

/// How many due jobs the runner takes per lock.
const POP_BATCH: usize = 256;

/// One job as this process knows it.
pub(crate) struct Slot {
    pub(crate) info: Arc<JobInfo>,
    pub(crate) enabled: bool,
    /// The pending occurrence.
    pub(crate) next_run: Option<Timestamp>,
    /// Its entry in the timer, if armed.
    key: Option<Key>,
    /// Runs of this job in progress here (to warn about overlapping runs); allocated at the
    /// first run.
    running: Option<Arc<AtomicUsize>>,
    /// A persistent job whose record is being claimed: its timer stays unarmed meanwhile.
    busy: bool,
}

struct State {
    slots: HashMap<Arc<str>, Slot>,
    timer: DelayQueue<Arc<str>>,
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
                slots: HashMap::new(),
                timer: DelayQueue::new(),
            }),
            registry: RwLock::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the map and the timer consistent with each other
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
        let running = state.slots.remove(&info.id).and_then(|old| {
            remove_timer(&mut state.timer, old.key);
            old.running
        });
        let mut slot = Slot {
            info: info.clone(),
            enabled,
            next_run,
            key: None,
            running,
            busy: false,
        };
        self.arm(&mut state.timer, &mut slot, next_run.filter(|_| enabled));
        state.slots.insert(info.id.clone(), slot);
        Job {
            core: self.clone(),
            info,
            scheduled_at: None,
        }
    }

    fn arm(&self, timer: &mut DelayQueue<Arc<str>>, slot: &mut Slot, at: Option<Timestamp>) {
        remove_timer(timer, slot.key.take());
        if let Some(at) = at {
            slot.key = Some(timer.insert_at(slot.info.id.clone(), self.clock.instant_at(at)));
        }
    }

    /// Up to a batch of due job ids; `Pending` (with the waker registered) when none is due.
    pub(crate) fn poll_due(&self, cx: &mut TaskContext<'_>) -> Poll<Vec<Arc<str>>> {
        let mut state = self.state();
        let state = &mut *state;
        let mut due = Vec::new();
        while due.len() < POP_BATCH {
            match state.timer.poll_expired(cx) {
                Poll::Ready(Some(expired)) => {
                    let id = expired.into_inner();
                    if let Some(slot) = state.slots.get_mut(&id) {
                        slot.key = None;
                    }
                    due.push(id);
                }
                // An empty timer has registered the waker; an insert wakes it.
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
        if due.is_empty() {
            Poll::Pending
        } else {
            Poll::Ready(due)
        }
    }

    /// What a due in-memory job runs now, with its slot advanced to the next occurrence (or
    /// removed when there is none). `None` for a persistent, paused, gone or not yet due job.
    pub(crate) fn fire_local(
        &self,
        id: &str,
    ) -> Option<(Arc<JobInfo>, Decision, Arc<AtomicUsize>)> {
        let mut state = self.state();
        let state = &mut *state;
        let slot = state.slots.get_mut(id)?;
        if slot.info.is_persistent() || !slot.enabled {
            return None;
        }
        let due = slot.next_run?;
        let now = self.clock.now();
        if due > now {
            // Set beyond the timer's range: re-armed closer.
            self.arm(&mut state.timer, slot, Some(due));
            return None;
        }
        let decision = decide(
            &slot.info.spec,
            slot.info.misfire,
            slot.info.grace,
            due,
            now,
        );
        slot.next_run = decision.next;
        let running = slot.running.get_or_insert_with(Arc::default).clone();
        let found = (slot.info.clone(), decision, running);
        match found.1.next {
            Some(next) => self.arm(&mut state.timer, slot, Some(next)),
            None => {
                state.slots.remove(id);
            }
        }
        Some(found)
    }

    /// Marks a persistent job as being claimed; `None` when it is not a persistent job here or
    /// is already being claimed.
    pub(crate) fn begin_claim(&self, id: &str) -> Option<Arc<JobInfo>> {
        let mut state = self.state();
        let slot = state.slots.get_mut(id)?;
        if !slot.info.is_persistent() || slot.busy {
            return None;
        }
        slot.busy = true;
        Some(slot.info.clone())
    }

    /// The running-runs counter of a job.
    pub(crate) fn running(&self, id: &str) -> Arc<AtomicUsize> {
        let mut state = self.state();
        match state.slots.get_mut(id) {
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
        let Some(record) = record else {
            if let Some(slot) = state.slots.get(id).filter(|s| claimed || !s.busy) {
                let key = slot.key;
                remove_timer(&mut state.timer, key);
                state.slots.remove(id);
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
        let slot = state.slots.entry(info.id.clone()).or_insert_with(|| Slot {
            info: Arc::new(info.clone()),
            enabled: record.enabled,
            next_run: record.next_run,
            key: None,
            running: None,
            busy: false,
        });
        if slot.busy && !claimed {
            return;
        }
        slot.busy = false;
        slot.info = Arc::new(info);
        slot.enabled = record.enabled;
        slot.next_run = record.next_run;
        self.arm(&mut state.timer, slot, record.wake());
    }

    /// Re-arms a persistent job at `at` after a store failure.
    pub(crate) fn retry_at(&self, id: &str, at: Timestamp) {
        let mut state = self.state();
        let state = &mut *state;
        if let Some(slot) = state.slots.get_mut(id) {
            slot.busy = false;
            self.arm(&mut state.timer, slot, Some(at));
        }
    }

    /// Re-arms, to look at their records at once, persistent jobs whose claim was cut short
    /// (a forced stop cancelled it): at a new start nothing is being claimed.
    pub(crate) fn reset_claims(&self) {
        let now = self.clock.now();
        let mut state = self.state();
        let state = &mut *state;
        for slot in state.slots.values_mut().filter(|slot| slot.busy) {
            slot.busy = false;
            self.arm(&mut state.timer, slot, Some(now));
        }
    }

    /// Forgets persistent jobs that are not in `present` (cancelled by another process).
    pub(crate) fn retain_persistent(&self, present: &std::collections::HashSet<Arc<str>>) {
        let mut state = self.state();
        let state = &mut *state;
        let gone: Vec<Arc<str>> = state
            .slots
            .iter()
            .filter(|(id, slot)| slot.info.is_persistent() && !slot.busy && !present.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            if let Some(slot) = state.slots.remove(&id) {
                remove_timer(&mut state.timer, slot.key);
            }
        }
    }

    pub(crate) fn next_run(&self, info: &JobInfo) -> Option<Timestamp> {
        let state = self.state();
        state.slots.get(&info.id).and_then(|slot| slot.next_run)
    }

    pub(crate) fn is_enabled(&self, info: &JobInfo) -> bool {
        let state = self.state();
        state.slots.get(&info.id).is_some_and(|slot| slot.enabled)
    }

    pub(crate) async fn set_enabled(&self, info: &JobInfo, enabled: bool) -> Result<(), JobError> {
        if info.is_persistent() {
            let record = persist::update(self, &info.id, |record| record.enabled = enabled).await?;
            self.apply_record(&info.id, record.as_ref(), false);
            return Ok(());
        }
        let mut state = self.state();
        let state = &mut *state;
        if let Some(slot) = state.slots.get_mut(&info.id) {
            slot.enabled = enabled;
            let at = slot.next_run.filter(|_| enabled);
            self.arm(&mut state.timer, slot, at);
        }
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
        let local = match state.slots.remove(&info.id) {
            Some(slot) => {
                remove_timer(&mut state.timer, slot.key);
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
            .slots
            .values()
            .filter(|slot| name.is_none_or(|name| *slot.info.name == *name))
            .map(|slot| Job {
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
        state.slots.get(id).map(|slot| Job {
            core: self.clone(),
            info: slot.info.clone(),
            scheduled_at: None,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.state().slots.len()
    }
}

fn remove_timer(timer: &mut DelayQueue<Arc<str>>, key: Option<Key>) {
    if let Some(key) = key {
        timer.try_remove(&key);
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
