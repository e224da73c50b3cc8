//! Telling a chat's flood from the whole bot's: [`FloodLog`] remembers the recent 429s and
//! says when enough different chats got one that the global bucket must be frozen too.
//!
//! Telegram's 429 does not say which limit was hit. One chat's 429 is that chat's; 429s on
//! several chats at once mean the bot is over its overall limit (or the other limits are lower
//! than configured), and continuing to send to other chats would only collect more.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The recent 429s: when, and on which chat.
#[derive(Debug, Default)]
pub(super) struct FloodLog {
    recent: VecDeque<(Instant, i64)>,
}

impl FloodLog {
    /// Records a 429 on `chat` and says whether `threshold` different chats got one within
    /// `window` (the log starts afresh then).
    pub(super) fn record(
        &mut self,
        chat: i64,
        now: Instant,
        window: Duration,
        threshold: usize,
    ) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) > window)
        {
            self.recent.pop_front();
        }
        if !self.recent.iter().any(|(_, seen)| *seen == chat) {
            self.recent.push_back((now, chat));
        }
        if self.recent.len() >= threshold {
            self.recent.clear();
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_many_chats_within_the_window_make_a_global_flood() {
        let mut log = FloodLog::default();
        let start = Instant::now();
        let window = Duration::from_secs(1);
        assert!(!log.record(1, start, window, 3));
        // The same chat again is still one chat.
        assert!(!log.record(1, start, window, 3));
        assert!(!log.record(2, start + Duration::from_millis(500), window, 3));
        // Chat 1's 429 is out of the window by now.
        assert!(!log.record(3, start + Duration::from_millis(1200), window, 3));
        assert!(log.record(4, start + Duration::from_millis(1300), window, 3));
        // The log starts afresh.
        assert!(!log.record(5, start + Duration::from_millis(1300), window, 3));
    }

    #[test]
    fn a_threshold_of_one_makes_every_flood_global() {
        let mut log = FloodLog::default();
        assert!(log.record(9, Instant::now(), Duration::from_secs(1), 1));
    }
}
