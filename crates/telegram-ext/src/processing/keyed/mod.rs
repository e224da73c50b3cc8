//! `Keyed`: updates with the same key run in arrival order, different keys concurrently, all
//! under one global limit.
//!
//! This file owns the per-key queues and the rule deciding when a queued update starts. The
//! trait lives in `processing/mod.rs`; locks for shared state (several keys held across awaits)
//! live in `processing/locks.rs`.
//!
//! # How it works
//!
//! Every admitted update holds one global slot (a tokio [`Semaphore`] permit) from `submit` until
//! it is done, whether it runs or waits for its key. Under one std mutex, never held across an
//! await, the update's id is pushed on the queue of each of its keys at once; it runs when it is
//! at the front of every one of them. Ids grow in arrival order on every queue, so the oldest
//! update is always at the front of all its queues: no cycle, no deadlock. When an update is
//! done, a drop guard (run even if the work panics) pops it from its queues, removes queues left
//! empty and starts the updates that are now at every front.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use telegram_types::Update;
use tokio::runtime::Handle;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;

use super::{BoxFuture, UpdateProcessor};

/// Extracts an update's keys; an empty `Vec` means "no key": the update runs unordered.
pub type KeyFn<K> = Arc<dyn Fn(&Update) -> Vec<K> + Send + Sync>;

/// Processes updates with the same key in arrival order and updates with different keys
/// concurrently, with at most `limit` updates admitted and not finished.
///
/// - The key is anything a closure derives from the update (it may capture state); built-ins:
///   [`by_chat`](Keyed::by_chat), [`by_user`](Keyed::by_user) and
///   [`by_chat_and_user`](Keyed::by_chat_and_user).
/// - An update with several keys (a transfer between two chats, say) is queued atomically on all
///   of them and runs when it is first in every queue: it is ordered with each key's updates and
///   cannot deadlock.
/// - An update without a key runs as soon as it is admitted, in no particular order.
/// - The global slot is taken before anything is spawned, and an update waiting for its key holds
///   one, so `submit` waits once `limit` updates are running or queued: a flood cannot pile up.
///   `submit` never waits for a key, so one busy chat never stalls the others' intake.
/// - Idle keys are removed: the queue map holds only keys with an unfinished update.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// use serde_json::json;
/// use telegram_ext::processing::{Keyed, UpdateProcessor};
/// use telegram_ext::Update;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // One chat's updates in order; up to 64 updates admitted at once.
/// let keyed = Keyed::by_chat(64);
///
/// let update: Update = serde_json::from_value(json!({
///     "update_id": 1,
///     "message": {"message_id": 1, "date": 0, "text": "hi",
///                 "chat": {"id": 7, "type": "private", "first_name": "Ann"}},
/// }))
/// .expect("a valid update");
/// assert_eq!(keyed.keys(&update), vec![7]);
///
/// keyed.submit(Arc::new(update), Box::pin(async { /* dispatch the update */ })).await;
/// keyed.drain().await;
/// assert!(keyed.key_queues().is_empty());
///
/// // Any key, from any closure: here one queue per language, users without one unordered.
/// let by_language = Keyed::new(64, |update: &Update| {
///     update.effective_user().and_then(|u| u.language_code.clone()).into_iter().collect()
/// });
/// # let _ = by_language;
/// # }
/// ```
///
/// # Panics
///
/// `submit` panics when called outside a tokio runtime, as `tokio::spawn` does.
pub struct Keyed<K> {
    limit: usize,
    key_fn: KeyFn<K>,
    slots: Arc<Semaphore>,
    shared: Arc<Shared<K>>,
}

impl<K> Keyed<K>
where
    K: Hash + Eq + Clone + fmt::Debug + Send + Sync + 'static,
{
    /// Up to `limit` updates admitted at once (at least 1), keyed by `key_fn`.
    pub fn new<F>(limit: usize, key_fn: F) -> Self
    where
        F: Fn(&Update) -> Vec<K> + Send + Sync + 'static,
    {
        let limit = limit.max(1);
        Keyed {
            limit,
            key_fn: Arc::new(key_fn),
            slots: Arc::new(Semaphore::new(limit)),
            shared: Arc::new(Shared {
                tasks: TaskTracker::new(),
                state: Mutex::new(State::default()),
                running: AtomicUsize::new(0),
            }),
        }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The keys `update` is queued on, duplicates removed, in the key function's order.
    pub fn keys(&self, update: &Update) -> Vec<K> {
        let mut keys = (self.key_fn)(update);
        let mut i = 0;
        while i < keys.len() {
            if keys[..i].contains(&keys[i]) {
                keys.remove(i);
            } else {
                i += 1;
            }
        }
        keys
    }
}

impl Keyed<i64> {
    /// Keyed by the effective chat's id; updates without a chat run unordered.
    pub fn by_chat(limit: usize) -> Self {
        Keyed::new(limit, |update: &Update| {
            update
                .effective_chat()
                .map(|chat| chat.id)
                .into_iter()
                .collect()
        })
    }

    /// Keyed by the effective user's id; updates without a user run unordered.
    pub fn by_user(limit: usize) -> Self {
        Keyed::new(limit, |update: &Update| {
            update
                .effective_user()
                .map(|user| user.id)
                .into_iter()
                .collect()
        })
    }
}

impl Keyed<(i64, i64)> {
    /// Keyed by `(chat id, user id)`: one user's updates in one chat run in order. Updates
    /// without both run unordered.
    pub fn by_chat_and_user(limit: usize) -> Self {
        Keyed::new(limit, |update: &Update| {
            match (update.effective_chat(), update.effective_user()) {
                (Some(chat), Some(user)) => vec![(chat.id, user.id)],
                _ => Vec::new(),
            }
        })
    }
}

impl<K> fmt::Debug for Keyed<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyed")
            .field("limit", &self.limit)
            .field("available", &self.slots.available_permits())
            .field("in_flight", &self.shared.running.load(Ordering::SeqCst))
            .field("queued", &self.shared.lock().waiting.len())
            .finish_non_exhaustive()
    }
}

impl<K> UpdateProcessor for Keyed<K>
where
    K: Hash + Eq + Clone + fmt::Debug + Send + Sync + 'static,
{
    fn submit(&self, update: Arc<Update>, work: BoxFuture<'static, ()>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let keys = self.keys(&update);
            drop(update);
            let Ok(slot) = self.slots.clone().acquire_owned().await else {
                return;
            };
            let job = Job {
                id: 0,
                keys,
                work,
                slot,
                handle: Handle::current(),
            };
            if job.keys.is_empty() {
                Shared::start(&self.shared, job);
                return;
            }
            // Keeps the tracker busy until the job is spawned or queued behind a running update,
            // so `drain` cannot slip between the two.
            let _admitting = self.shared.tasks.token();
            let ready = self.shared.lock().enqueue(job);
            if let Some(job) = ready {
                Shared::start(&self.shared, job);
            }
        })
    }

    fn available(&self) -> usize {
        self.slots.available_permits()
    }

    fn wait_available(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Taking a slot and giving it back at once returns as soon as one is free.
            let _slot = self.slots.acquire().await;
        })
    }

    fn drain(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            loop {
                // A queued update is started by a finishing one before that one leaves the
                // tracker, so the tracker is empty only once the queues are.
                self.shared.tasks.close();
                self.shared.tasks.wait().await;
                self.shared.tasks.reopen();
                if self.shared.lock().is_idle() {
                    return;
                }
                tokio::task::yield_now().await;
            }
        })
    }

    fn in_flight(&self) -> usize {
        self.shared.running.load(Ordering::SeqCst)
    }

    fn queued(&self) -> usize {
        self.shared.lock().waiting.len()
    }

    fn key_queues(&self) -> Vec<(String, usize)> {
        let state = self.shared.lock();
        state
            .queues
            .iter()
            .map(|(key, queue)| (format!("{key:?}"), queue.len()))
            .collect()
    }
}

/// What the processor and its running tasks share.
struct Shared<K> {
    tasks: TaskTracker,
    state: Mutex<State<K>>,
    /// Updates running now (keyed or not).
    running: AtomicUsize,
}

/// The per-key queues, under one mutex so a multi-key update is queued atomically.
struct State<K> {
    /// Ids of unfinished updates per key, in arrival order; the front one runs or is next.
    queues: HashMap<K, VecDeque<u64>>,
    /// Updates waiting for (one of) their keys.
    waiting: HashMap<u64, Job<K>>,
    next_id: u64,
}

/// An admitted update: its work and the global slot it holds.
struct Job<K> {
    id: u64,
    keys: Vec<K>,
    work: BoxFuture<'static, ()>,
    slot: OwnedSemaphorePermit,
    handle: Handle,
}

/// Finishes a running update when dropped: after the work, or while unwinding from its panic.
struct Finish<K>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
{
    shared: Arc<Shared<K>>,
    id: u64,
    keys: Vec<K>,
    /// Released after the successors are started (fields drop after `Drop::drop`).
    _slot: OwnedSemaphorePermit,
}

impl<K> Shared<K> {
    fn lock(&self) -> MutexGuard<'_, State<K>> {
        // The state stays consistent even if a thread panicked while holding the lock: every
        // critical section finishes its updates before calling out (no user code runs under it).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<K> Shared<K>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
{
    /// Spawns `job` as a tracked task that finishes it (advances its queues) when dropped.
    ///
    /// `Finish` lives inside the tracked future, and tokio-util's `TrackedFuture` drops its
    /// future before its tracker token: the successors `Finish` spawns join the tracker before
    /// the finished task leaves it, so the tracker never looks empty while an update is queued.
    fn start(shared: &Arc<Self>, job: Job<K>) {
        let Job {
            id,
            keys,
            work,
            slot,
            handle,
        } = job;
        shared.running.fetch_add(1, Ordering::SeqCst);
        let finish = Finish {
            shared: shared.clone(),
            id,
            keys,
            _slot: slot,
        };
        shared.tasks.spawn_on(
            async move {
                let _finish = finish;
                work.await;
            },
            &handle,
        );
    }
}

impl<K> Default for State<K> {
    fn default() -> Self {
        State {
            queues: HashMap::new(),
            waiting: HashMap::new(),
            next_id: 0,
        }
    }
}

impl<K> State<K>
where
    K: Hash + Eq + Clone,
{
    /// Queues `job` on all its keys; returns it if it is first on every one (it runs now).
    fn enqueue(&mut self, mut job: Job<K>) -> Option<Job<K>> {
        job.id = self.next_id;
        self.next_id += 1;
        for key in &job.keys {
            self.queues
                .entry(key.clone())
                .or_default()
                .push_back(job.id);
        }
        if self.is_ready(job.id, &job.keys) {
            Some(job)
        } else {
            self.waiting.insert(job.id, job);
            None
        }
    }

    /// Pops the finished update `id` from its queues and returns the updates now first on
    /// every queue of theirs.
    fn finish(&mut self, id: u64, keys: &[K]) -> Vec<Job<K>> {
        let mut fronts = Vec::new();
        for key in keys {
            let Some(queue) = self.queues.get_mut(key) else {
                continue;
            };
            debug_assert_eq!(
                queue.front(),
                Some(&id),
                "a running update is first on its queues"
            );
            queue.pop_front();
            match queue.front() {
                Some(&next) => fronts.push(next),
                None => {
                    self.queues.remove(key);
                }
            }
        }
        fronts.sort_unstable();
        fronts.dedup();
        let ready: Vec<u64> = fronts
            .into_iter()
            .filter(|next| {
                self.waiting
                    .get(next)
                    .is_some_and(|job| self.is_ready(*next, &job.keys))
            })
            .collect();
        ready
            .into_iter()
            .filter_map(|next| self.waiting.remove(&next))
            .collect()
    }

    fn is_ready(&self, id: u64, keys: &[K]) -> bool {
        keys.iter()
            .all(|key| self.queues.get(key).and_then(VecDeque::front) == Some(&id))
    }

    fn is_idle(&self) -> bool {
        self.queues.is_empty() && self.waiting.is_empty()
    }
}

impl<K> Drop for Finish<K>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
{
    fn drop(&mut self) {
        self.shared.running.fetch_sub(1, Ordering::SeqCst);
        if self.keys.is_empty() {
            return;
        }
        let ready = self.shared.lock().finish(self.id, &self.keys);
        // Spawned with the lock released: a spawn refused by a runtime shutting down drops the
        // job at once, and its own `Finish` takes the lock again.
        for job in ready {
            Shared::start(&self.shared, job);
        }
    }
}

#[cfg(test)]
mod tests;
