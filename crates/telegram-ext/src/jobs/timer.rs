//! `Timer`: the one timer structure of all jobs, a binary heap of 16-byte entries (deadline,
//! ticket, slot index), ordered by deadline and then by arming order.
//!
//! Entries are never searched for: disarming a job only forgets its ticket (the slot's
//! `timer`), leaving a *stale* entry that is dropped when it reaches the top, or all at once
//! when stale entries outnumber live ones (so schedule + cancel churn keeps the heap small).
//! Deadlines are kept to the nanosecond: the runner, not the timer, decides how precisely to
//! wait for them (see `runner.rs`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::num::NonZeroU32;
use std::time::Duration;

use tokio::time::Instant;

/// Compaction waits for at least this many stale entries (small heaps are not worth it).
const MIN_STALE: usize = 1024;

/// One armed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    /// Nanoseconds since the timer's epoch.
    at: u64,
    /// Which arming this is; the slot holds the ticket of its live entry.
    pub(crate) ticket: NonZeroU32,
    /// The job's index in the table.
    pub(crate) slot: u32,
}

/// A heap of deadlines with lazy removal.
#[derive(Debug)]
pub(crate) struct Timer {
    epoch: Instant,
    heap: BinaryHeap<Reverse<Entry>>,
    /// Entries whose ticket no slot holds any more.
    stale: usize,
    last_ticket: u32,
}

impl Timer {
    pub(crate) fn new() -> Self {
        Timer {
            epoch: Instant::now(),
            heap: BinaryHeap::new(),
            stale: 0,
            last_ticket: 0,
        }
    }

    /// Adds a deadline for `slot`; the ticket the slot keeps, and whether the deadline is now
    /// the earliest (the runner sleeps until a later one and must look again).
    pub(crate) fn push(&mut self, slot: u32, at: Instant) -> (NonZeroU32, bool) {
        self.last_ticket = self.last_ticket.wrapping_add(1);
        let ticket = NonZeroU32::new(self.last_ticket).unwrap_or(NonZeroU32::MIN);
        let entry = Entry {
            at: self.nanos(at),
            ticket,
            slot,
        };
        let earliest = self.heap.peek().is_none_or(|top| entry < top.0);
        self.heap.push(Reverse(entry));
        (ticket, earliest)
    }

    /// Counts an entry whose slot forgot its ticket.
    pub(crate) fn forget(&mut self) {
        self.stale += 1;
    }

    /// Whether stale entries are many enough to drop them all ([`compact`](Self::compact)).
    pub(crate) fn wants_compaction(&self) -> bool {
        self.stale >= MIN_STALE && self.stale * 2 > self.heap.len()
    }

    /// Keeps the entries `live` says are live.
    pub(crate) fn compact(&mut self, mut live: impl FnMut(&Entry) -> bool) {
        self.heap.retain(|entry| live(&entry.0));
        self.stale = 0;
    }

    /// The earliest entry, if any.
    pub(crate) fn peek(&self) -> Option<Entry> {
        self.heap.peek().map(|entry| entry.0)
    }

    /// Removes the earliest entry; `stale` when no slot held its ticket.
    pub(crate) fn pop(&mut self, stale: bool) {
        if self.heap.pop().is_some() && stale {
            self.stale = self.stale.saturating_sub(1);
        }
    }

    /// The entry's deadline.
    pub(crate) fn deadline(&self, entry: &Entry) -> Instant {
        self.epoch + Duration::from_nanos(entry.at)
    }

    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    /// How many entries, stale ones included.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn pops_in_deadline_then_arming_order_and_compacts_stale_entries() {
        let mut timer = Timer::new();
        let now = Instant::now();
        let (_, first) = timer.push(1, now + Duration::from_secs(5));
        assert!(first);
        let (_, earlier) = timer.push(2, now + Duration::from_secs(3));
        assert!(earlier);
        let (_, later) = timer.push(3, now + Duration::from_secs(3));
        assert!(!later, "a tie is not earlier");
        let order: Vec<u32> = std::iter::from_fn(|| {
            let top = timer.peek()?;
            timer.pop(false);
            Some(top.slot)
        })
        .collect();
        assert_eq!(order, [2, 3, 1]);

        let tickets: Vec<NonZeroU32> = (0..MIN_STALE as u32 * 2)
            .map(|slot| timer.push(slot, now).0)
            .collect();
        // More than half of them stale.
        let live = &tickets[MIN_STALE + 1..];
        for _ in 0..=MIN_STALE {
            timer.forget();
        }
        assert!(timer.wants_compaction());
        timer.compact(|entry| live.contains(&entry.ticket));
        assert_eq!(timer.len(), live.len());
        assert!(!timer.wants_compaction());
    }
}
