//! The polling watermark: which fetched updates are unfinished, and the `getUpdates` offset that
//! confirms only what may be confirmed.
//!
//! The offset is the lowest update id that must not be confirmed yet (*held*), or one past the
//! highest fetched when none is held. What is held depends on the [`Confirm`] mode: every
//! unfinished update (the default), none (confirm on fetch), or the unfinished updates not yet
//! in the update journal. Telegram keeps returning every update at or above the offset, so
//! the updates in flight (and those finished above the offset) come back in each batch: they
//! are recognised here and not admitted twice. So are the updates replayed from the journal at
//! start, which Telegram may send again as well. `polling.rs` owns the loop.
//!
//! Memory: what is tracked is the unfinished updates (bounded by the processor) and the
//! finished ones at or above the offset (returned by one `getUpdates`: fewer than 100), plus
//! the replayed updates above it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

use crate::application::OnCompleted;

/// When a fetched update may be confirmed to Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confirm {
    /// When its processing finished (at least once; the default).
    Finished,
    /// At once (the old handling, kept for comparison: a crash loses the fetched, unfinished
    /// updates).
    OnFetch,
    /// Once it is in the update journal (which replays it after a crash), or when it finished
    /// if it could not be written.
    Journaled,
}

/// The fetched updates of one polling run that Telegram has not been told are finished.
#[derive(Debug, Clone)]
pub(crate) struct Watermark {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    tracked: Mutex<Tracked>,
    /// Bumped at every completion: the loop waits on it when a batch brought nothing new.
    completions: watch::Sender<u64>,
    confirm: Confirm,
}

#[derive(Debug, Default)]
struct Tracked {
    /// Admitted (or replayed), not completed (a cancelled update stays here).
    unfinished: BTreeSet<i64>,
    /// The unfinished updates the offset must not pass: a crash would lose them.
    held: BTreeSet<i64>,
    /// Completed, but at or above the offset: Telegram still sends them.
    finished: BTreeSet<i64>,
    /// One past the highest id fetched.
    next: Option<i64>,
}

/// What a fetched update is to this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Not seen before: admit it.
    New,
    /// Seen before (in flight, replayed, or finished and not yet confirmed): skip it.
    Again,
}

impl Tracked {
    fn offset(&self) -> Option<i64> {
        self.held.first().copied().or(self.next)
    }

    /// Forgets finished ids below the offset: Telegram no longer sends them once the offset is
    /// past them, and until then [`Watermark::see`] reads any id below it as seen.
    fn prune(&mut self) {
        if let Some(low) = self.offset() {
            self.finished = self.finished.split_off(&low);
        }
    }
}

impl Watermark {
    /// An empty watermark confirming as `confirm` says.
    pub(crate) fn new(confirm: Confirm) -> Self {
        Watermark {
            shared: Arc::new(Shared {
                tracked: Mutex::default(),
                completions: watch::Sender::new(0),
                confirm,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tracked> {
        // The data stays consistent even if a holder panicked (each change is one step).
        self.shared
            .tracked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The offset for the next `getUpdates`: confirms every update below it.
    pub(crate) fn offset(&self) -> Option<i64> {
        self.lock().offset()
    }

    /// Updates Telegram will send again before any new one: the tracked ones at or above the
    /// offset.
    pub(crate) fn tracked(&self) -> usize {
        let tracked = self.lock();
        let Some(low) = tracked.offset() else {
            return tracked.unfinished.len() + tracked.finished.len();
        };
        tracked.unfinished.range(low..).count() + tracked.finished.range(low..).count()
    }

    /// Records that `update_id` was fetched: [`Seen::New`] the first time (it is now
    /// unfinished), [`Seen::Again`] when it is in flight, replayed, or finished and not yet
    /// confirmed.
    ///
    /// `past` is `update_id + 1` (`None` for `i64::MAX`: no offset can confirm it, and the
    /// caller stops after handling it).
    pub(crate) fn see(&self, update_id: i64, past: Option<i64>) -> Seen {
        let mut tracked = self.lock();
        let below = tracked.offset().is_some_and(|low| update_id < low);
        let seen = below
            || tracked.unfinished.contains(&update_id)
            || tracked.finished.contains(&update_id);
        if let Some(past) = past {
            // Also for an update seen before: a replayed one is in the journal, so the offset
            // may move past it.
            tracked.next = Some(tracked.next.map_or(past, |next| next.max(past)));
        }
        if seen {
            tracked.prune();
            return Seen::Again;
        }
        tracked.unfinished.insert(update_id);
        if self.shared.confirm != Confirm::OnFetch {
            tracked.held.insert(update_id);
        }
        Seen::New
    }

    /// `update_id` is in the journal: the offset may pass it ([`Confirm::Journaled`]).
    pub(crate) fn journaled(&self, update_id: i64) {
        if self.shared.confirm == Confirm::Journaled {
            let mut tracked = self.lock();
            tracked.held.remove(&update_id);
            tracked.prune();
        }
    }

    /// Tracks `update_id`, replayed from the journal, as unfinished, so that Telegram sending
    /// it again is recognised. It is not held (the journal keeps it) and does not move the
    /// offset (updates below it may not have been fetched); returns its completion callback.
    pub(crate) fn replayed(&self, update_id: i64) -> OnCompleted {
        self.lock().unfinished.insert(update_id);
        self.completer(update_id)
    }

    /// Marks `update_id` finished.
    pub(crate) fn finish(&self, update_id: i64) {
        {
            let mut tracked = self.lock();
            if tracked.unfinished.remove(&update_id) {
                tracked.held.remove(&update_id);
                tracked.finished.insert(update_id);
                tracked.prune();
            }
        }
        self.shared
            .completions
            .send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The completion callback for `update_id`, for [`Application::submit_tracked`](crate::Application).
    pub(crate) fn completer(&self, update_id: i64) -> OnCompleted {
        let watermark = self.clone();
        Box::new(move || watermark.finish(update_id))
    }

    /// Completions from now on: `changed()` resolves after the next one.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        let mut receiver = self.shared.completions.subscribe();
        receiver.borrow_and_update();
        receiver
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_stays_at_the_lowest_unfinished_update() {
        let watermark = Watermark::new(Confirm::Finished);
        for id in 10..15 {
            assert_eq!(watermark.see(id, Some(id + 1)), Seen::New);
        }
        assert_eq!(watermark.offset(), Some(10));
        watermark.finish(11);
        watermark.finish(12);
        assert_eq!(watermark.offset(), Some(10), "10 is still running");
        watermark.finish(10);
        assert_eq!(watermark.offset(), Some(13));
        watermark.finish(13);
        watermark.finish(14);
        assert_eq!(watermark.offset(), Some(15));
        assert_eq!(
            watermark.tracked(),
            0,
            "nothing above the watermark is kept"
        );
    }

    #[test]
    fn updates_sent_again_while_in_flight_or_unconfirmed_are_recognised() {
        let watermark = Watermark::new(Confirm::Finished);
        assert_eq!(watermark.see(1, Some(2)), Seen::New);
        assert_eq!(watermark.see(2, Some(3)), Seen::New);
        watermark.finish(2);
        // Both come back while 1 runs: 1 is in flight, 2 finished above the watermark.
        assert_eq!(watermark.see(1, Some(2)), Seen::Again);
        assert_eq!(watermark.see(2, Some(3)), Seen::Again);
        assert_eq!(watermark.tracked(), 2);
        watermark.finish(1);
        // A batch asked for with the old offset may still hold them.
        assert_eq!(watermark.see(1, Some(2)), Seen::Again);
        assert_eq!(watermark.see(2, Some(3)), Seen::Again);
        assert_eq!(watermark.see(3, Some(4)), Seen::New);
    }

    #[test]
    fn a_cancelled_update_is_never_confirmed() {
        let watermark = Watermark::new(Confirm::Finished);
        watermark.see(5, Some(6));
        watermark.see(6, Some(7));
        watermark.finish(6);
        // 5 was cancelled: it never finishes.
        assert_eq!(watermark.offset(), Some(5));
    }

    #[test]
    fn on_fetch_confirms_past_what_was_fetched() {
        let watermark = Watermark::new(Confirm::OnFetch);
        watermark.see(5, Some(6));
        watermark.see(6, Some(7));
        assert_eq!(watermark.offset(), Some(7));
    }

    #[test]
    fn journaled_updates_are_confirmed_before_they_finish() {
        let watermark = Watermark::new(Confirm::Journaled);
        watermark.see(5, Some(6));
        watermark.see(6, Some(7));
        assert_eq!(watermark.offset(), Some(5), "not in the journal yet");
        watermark.journaled(5);
        watermark.journaled(6);
        assert_eq!(watermark.offset(), Some(7));
        assert_eq!(watermark.tracked(), 0);
        // Sent again from a batch asked for with the old offset: still in flight.
        assert_eq!(watermark.see(5, Some(6)), Seen::Again);
    }

    #[test]
    fn an_update_the_journal_could_not_take_is_held_until_it_finishes() {
        let watermark = Watermark::new(Confirm::Journaled);
        watermark.see(5, Some(6));
        watermark.see(6, Some(7));
        watermark.journaled(6); // 5's write failed
        assert_eq!(watermark.offset(), Some(5));
        assert_eq!(watermark.see(6, Some(7)), Seen::Again);
        watermark.finish(5);
        assert_eq!(watermark.offset(), Some(7));
    }

    #[test]
    fn replayed_updates_sent_again_are_recognised_and_gaps_between_them_are_not() {
        let watermark = Watermark::new(Confirm::Journaled);
        let done = watermark.replayed(3);
        let _running = watermark.replayed(5);
        assert_eq!(watermark.offset(), None, "nothing fetched: confirm nothing");
        done();
        // Telegram still has 3..=5 (the crashed run had not confirmed them); 4 never made it
        // into the journal.
        assert_eq!(watermark.see(3, Some(4)), Seen::Again);
        assert_eq!(watermark.see(4, Some(5)), Seen::New);
        assert_eq!(watermark.see(5, Some(6)), Seen::Again);
        assert_eq!(watermark.offset(), Some(4), "4 is not in the journal yet");
        watermark.journaled(4);
        assert_eq!(
            watermark.offset(),
            Some(6),
            "the replayed ones are in the journal"
        );
        assert_eq!(watermark.see(3, Some(4)), Seen::Again);
    }

    #[test]
    fn a_completion_wakes_a_subscriber() {
        let watermark = Watermark::new(Confirm::Finished);
        watermark.see(1, Some(2));
        let completions = watermark.subscribe();
        assert!(!completions.has_changed().unwrap());
        watermark.finish(1);
        assert!(completions.has_changed().unwrap());
    }
}
