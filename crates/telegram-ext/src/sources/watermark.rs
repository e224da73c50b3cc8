//! The polling watermark: which fetched updates are unfinished, and the `getUpdates` offset that
//! confirms only finished ones.
//!
//! The offset is the lowest update id fetched and not finished (or one past the highest fetched
//! when none is unfinished). Telegram keeps returning every update at or above it, so the
//! updates in flight (and those finished above the watermark) come back in each batch: they are
//! recognised here and not admitted twice. `polling.rs` owns the loop.
//!
//! Memory: what is tracked is at or above the watermark and was returned by one `getUpdates`
//! (at most `limit` updates from the watermark on), so it stays below 100 ids.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

use crate::application::OnCompleted;

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
    /// Confirm what was fetched instead of what finished (the old handling, kept for
    /// comparison; a crash loses the fetched, unfinished updates).
    on_fetch: bool,
}

#[derive(Debug, Default)]
struct Tracked {
    /// Admitted, not completed (a cancelled update stays here: it is never confirmed).
    unfinished: BTreeSet<i64>,
    /// Completed, but above the lowest unfinished update: Telegram still sends them.
    finished: BTreeSet<i64>,
    /// One past the highest id seen.
    next: Option<i64>,
}

/// What a fetched update is to this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Not seen before: admit it.
    New,
    /// Seen before (in flight, or finished and not yet confirmed): skip it.
    Again,
}

impl Tracked {
    fn offset(&self, on_fetch: bool) -> Option<i64> {
        match on_fetch {
            true => self.next,
            false => self.unfinished.first().copied().or(self.next),
        }
    }

    /// Forgets finished ids below the watermark: Telegram no longer sends them once the offset
    /// is past them, and until then [`Watermark::see`] reads any id below it as seen.
    fn prune(&mut self) {
        if let Some(low) = self.offset(false) {
            self.finished = self.finished.split_off(&low);
        }
    }
}

impl Watermark {
    /// An empty watermark; `on_fetch` confirms on fetch (see [`PollingConfig::confirm_on_fetch`](crate::PollingConfig::confirm_on_fetch)).
    pub(crate) fn new(on_fetch: bool) -> Self {
        Watermark {
            shared: Arc::new(Shared {
                tracked: Mutex::default(),
                completions: watch::Sender::new(0),
                on_fetch,
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
        self.lock().offset(self.shared.on_fetch)
    }

    /// Updates Telegram will send again before any new one: the unfinished and the finished
    /// ones at or above the watermark.
    pub(crate) fn tracked(&self) -> usize {
        let tracked = self.lock();
        match self.shared.on_fetch {
            true => 0,
            false => tracked.unfinished.len() + tracked.finished.len(),
        }
    }

    /// Records that `update_id` was fetched: [`Seen::New`] the first time (it is now
    /// unfinished), [`Seen::Again`] when it is in flight, or finished and not yet confirmed.
    ///
    /// `past` is `update_id + 1` (`None` for `i64::MAX`: no offset can confirm it, and the
    /// caller stops after handling it).
    pub(crate) fn see(&self, update_id: i64, past: Option<i64>) -> Seen {
        let mut tracked = self.lock();
        let below = tracked.offset(false).is_some_and(|low| update_id < low);
        if below || tracked.unfinished.contains(&update_id) || tracked.finished.contains(&update_id)
        {
            return Seen::Again;
        }
        tracked.unfinished.insert(update_id);
        if let Some(past) = past {
            tracked.next = Some(tracked.next.map_or(past, |next| next.max(past)));
        }
        Seen::New
    }

    /// Marks `update_id` finished.
    pub(crate) fn finish(&self, update_id: i64) {
        {
            let mut tracked = self.lock();
            if tracked.unfinished.remove(&update_id) {
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
        let watermark = Watermark::new(false);
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
        let watermark = Watermark::new(false);
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
        let watermark = Watermark::new(false);
        watermark.see(5, Some(6));
        watermark.see(6, Some(7));
        watermark.finish(6);
        // 5 was cancelled: it never finishes.
        assert_eq!(watermark.offset(), Some(5));
    }

    #[test]
    fn on_fetch_confirms_past_what_was_fetched() {
        let watermark = Watermark::new(true);
        watermark.see(5, Some(6));
        watermark.see(6, Some(7));
        assert_eq!(watermark.offset(), Some(7));
    }

    #[test]
    fn a_completion_wakes_a_subscriber() {
        let watermark = Watermark::new(false);
        watermark.see(1, Some(2));
        let completions = watermark.subscribe();
        assert!(!completions.has_changed().unwrap());
        watermark.finish(1);
        assert!(completions.has_changed().unwrap());
    }
}
