//! The buckets: a [`Stage`] (the global bucket, and the paid-broadcast one) that every counted
//! call passes in FIFO order, and the per-chat [`ChatSlot`]s with their queues, kept in a
//! [`ChatTable`] that frees the idle ones. Freezing after a 429 is decided in `freeze.rs`; the
//! order of the steps in `limiter.rs`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::Quota;
use tokio::time::{sleep_until, Instant};

use super::clock::{TokioClock, TokioInstant};
use super::Rate;

/// Below this many chats the table is only swept on time.
const MIN_SWEEP_LEN: usize = 1024;
/// The longest an idle chat stays in the table when the table is small.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A governor bucket on tokio's clock.
type Bucket =
    governor::RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>;

/// Locks a std mutex; the data behind these locks is a few instants, consistent after any
/// panic, so a poisoned lock is used as is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A bucket every counted call of its kind passes, one call at a time in arrival order.
#[derive(Debug)]
pub(super) struct Stage {
    bucket: Bucket,
    /// FIFO across chats: tokio's mutex hands the lock out in the order it was asked for.
    turn: tokio::sync::Mutex<()>,
    frozen_until: Mutex<Option<Instant>>,
}

impl Stage {
    /// A bucket letting `rate` through, evenly spaced.
    ///
    /// It holds two calls, not one: tokio's timers wake on millisecond ticks, so a call is let
    /// through up to a millisecond after its time; with room for one more, the next call's time
    /// does not move, and the rate stays the configured one (at 200/s a bucket of one would
    /// lose up to a fifth). Two calls may then go back to back, never more.
    pub(super) fn new(rate: Rate) -> Self {
        let interval = rate.interval().max(Duration::from_nanos(1));
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(NonZeroU32::MIN.saturating_add(1));
        Stage {
            bucket: Bucket::direct_with_clock(quota, TokioClock),
            turn: tokio::sync::Mutex::new(()),
            frozen_until: Mutex::new(None),
        }
    }

    /// Waits for this call's turn, any freeze and a free slot in the bucket, then takes it.
    ///
    /// # Cancel safety
    ///
    /// Dropped before it returns, it takes nothing and leaves the queue.
    pub(super) async fn admit(&self) {
        let _turn = self.turn.lock().await;
        loop {
            if let Some(until) = self.frozen_until() {
                sleep_until(until).await;
                continue;
            }
            match self.bucket.check() {
                Ok(()) => return,
                Err(not_until) => sleep_until(not_until.earliest_possible().0).await,
            }
        }
    }

    /// Lets nothing through before `until`.
    pub(super) fn freeze(&self, until: Instant) {
        let mut frozen = lock(&self.frozen_until);
        *frozen = Some(frozen.map_or(until, |old| old.max(until)));
    }

    /// The end of the current freeze, if any.
    pub(super) fn frozen_until(&self) -> Option<Instant> {
        lock(&self.frozen_until).filter(|until| *until > Instant::now())
    }
}

/// When a chat may next be let through.
#[derive(Debug)]
struct Timing {
    /// One interval after the last call let through.
    next_at: Instant,
    /// The end of a freeze after a 429.
    frozen_until: Instant,
}

/// One chat's queue and bucket. The bucket holds one call (evenly spaced calls), so it is
/// just the next instant a call may go, which the queue's head can check without taking it.
#[derive(Debug)]
pub(super) struct ChatSlot {
    interval: Duration,
    /// FIFO within the chat.
    pub(super) turn: tokio::sync::Mutex<()>,
    /// Calls waiting or being let through, for the queue bound.
    queued: AtomicUsize,
    timing: Mutex<Timing>,
}

impl ChatSlot {
    fn new(interval: Duration) -> Self {
        let now = Instant::now();
        ChatSlot {
            interval,
            turn: tokio::sync::Mutex::new(()),
            queued: AtomicUsize::new(0),
            timing: Mutex::new(Timing {
                next_at: now,
                frozen_until: now,
            }),
        }
    }

    /// Joins the queue, unless `max` calls are in it already (then the count in it).
    pub(super) fn enqueue(self: &Arc<Self>, max: usize) -> Result<QueuePlace, usize> {
        let before = self.queued.fetch_add(1, Ordering::AcqRel);
        let place = QueuePlace(Arc::clone(self));
        if before >= max {
            return Err(before);
        }
        Ok(place)
    }

    /// The earliest instant the next call may go.
    pub(super) fn ready_at(&self) -> Instant {
        let timing = lock(&self.timing);
        timing.next_at.max(timing.frozen_until)
    }

    /// Takes the chat's slot if it is free now. Only the queue's head calls this.
    pub(super) fn try_take(&self, now: Instant) -> bool {
        let mut timing = lock(&self.timing);
        if timing.next_at.max(timing.frozen_until) > now {
            return false;
        }
        timing.next_at = now + self.interval;
        true
    }

    /// Lets nothing through before `until`.
    pub(super) fn freeze(&self, until: Instant) {
        let mut timing = lock(&self.timing);
        timing.frozen_until = timing.frozen_until.max(until);
    }

    /// The end of the current freeze, if any.
    pub(super) fn frozen_until(&self) -> Option<Instant> {
        let until = lock(&self.timing).frozen_until;
        (until > Instant::now()).then_some(until)
    }
}

/// A place in a chat's queue; leaving (dropping it) frees the place.
#[derive(Debug)]
pub(super) struct QueuePlace(Arc<ChatSlot>);

impl Drop for QueuePlace {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The chats seen recently.
#[derive(Debug)]
struct Table {
    slots: HashMap<i64, Arc<ChatSlot>>,
    /// Sweep when the table grows to this size …
    sweep_len: usize,
    /// … or at this instant, whichever comes first.
    sweep_at: Instant,
}

/// The per-chat slots. A slot nobody waits on whose bucket is full again (its next call could go
/// now, no freeze) is indistinguishable from a new one, so sweeps drop those: the table holds
/// the chats active in the last interval, not every chat ever sent to.
#[derive(Debug)]
pub(super) struct ChatTable {
    table: Mutex<Table>,
}

impl ChatTable {
    pub(super) fn new() -> Self {
        ChatTable {
            table: Mutex::new(Table {
                slots: HashMap::new(),
                sweep_len: MIN_SWEEP_LEN,
                sweep_at: Instant::now() + SWEEP_EVERY,
            }),
        }
    }

    /// The slot of `chat`, created with `interval` when absent.
    pub(super) fn slot(&self, chat: i64, interval: Duration) -> Arc<ChatSlot> {
        let mut table = lock(&self.table);
        let now = Instant::now();
        if table.slots.len() >= table.sweep_len || now >= table.sweep_at {
            table
                .slots
                .retain(|_, slot| Arc::strong_count(slot) > 1 || slot.ready_at() > now);
            table.sweep_len = MIN_SWEEP_LEN.max(table.slots.len() * 2);
            table.sweep_at = now + SWEEP_EVERY;
        }
        Arc::clone(
            table
                .slots
                .entry(chat)
                .or_insert_with(|| Arc::new(ChatSlot::new(interval))),
        )
    }

    /// The slot of `chat`, if it is in the table.
    pub(super) fn get(&self, chat: i64) -> Option<Arc<ChatSlot>> {
        lock(&self.table).slots.get(&chat).cloned()
    }

    /// How many chats the table holds.
    pub(super) fn len(&self) -> usize {
        lock(&self.table).slots.len()
    }
}
