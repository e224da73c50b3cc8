//! `Clock`: the job queue's notion of "now", a wall time that advances with tokio's clock.
//!
//! Schedules are wall-clock things (02:30 in Berlin), timers are tokio things (an `Instant`).
//! The clock ties the two: it is anchored to a wall time at one tokio instant and advances with
//! tokio's clock from there. Under tokio's paused time (tests) the wall time therefore advances
//! exactly as far as the test moves the clock, and a test can start the clock at any date.

use std::fmt;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::time::Instant;

/// The job queue's clock: a wall time anchored at a tokio [`Instant`], advancing with tokio's
/// clock.
///
/// [`Clock::system`] (the default) anchors to the system's wall time when the application is
/// built; [`Clock::starting_at`] anchors to any wall time, for tests with tokio's paused time
/// (`#[tokio::test(start_paused = true)]`) and for simulating a late start.
///
/// The wall time is never re-read from the system after the anchor: a clock step (NTP, a
/// manual change) does not move job times. Long-running bots drift by the difference between
/// the monotonic and the wall clock, typically well under a second per day.
///
/// ```
/// use telegram_ext::jobs::Clock;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// let start: jiff::Timestamp = "2025-03-30T00:00:00Z".parse().unwrap();
/// let clock = Clock::starting_at(start);
/// tokio::time::sleep(std::time::Duration::from_secs(90)).await;
/// assert_eq!(clock.now().to_string(), "2025-03-30T00:01:30Z");
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Clock {
    wall: Timestamp,
    instant: Instant,
}

impl Clock {
    /// Anchors to the system's wall time now.
    pub fn system() -> Self {
        Clock::starting_at(Timestamp::now())
    }

    /// Anchors to `wall`: that is the time now, and it advances with tokio's clock.
    pub fn starting_at(wall: Timestamp) -> Self {
        Clock {
            wall,
            instant: Instant::now(),
        }
    }

    /// The wall time now.
    pub fn now(&self) -> Timestamp {
        self.wall_at(Instant::now())
    }

    /// The wall time at tokio instant `at`.
    pub fn wall_at(&self, at: Instant) -> Timestamp {
        let since = SignedDuration::try_from(at.saturating_duration_since(self.instant))
            .unwrap_or(SignedDuration::MAX);
        self.wall.saturating_add(since).unwrap_or(Timestamp::MAX)
    }

    /// The tokio instant at which the wall time is `at` (now, when `at` is in the past).
    pub fn instant_at(&self, at: Timestamp) -> Instant {
        let now = Instant::now();
        let ahead = at.duration_since(self.wall_at(now));
        match Duration::try_from(ahead) {
            Ok(ahead) => now + ahead.min(MAX_SLEEP),
            Err(_) => now,
        }
    }
}

/// The furthest a timer is set ahead (about 2 years, the timer wheel's range); a later job is
/// re-armed when this one fires.
pub(crate) const MAX_SLEEP: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 2);

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock").field("now", &self.now()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn instants_and_wall_times_round_trip() {
        let start: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(start);
        let later: Timestamp = "2025-01-01T00:00:10Z".parse().unwrap();
        let at = clock.instant_at(later);
        assert_eq!(at - Instant::now(), Duration::from_secs(10));
        assert_eq!(clock.wall_at(at), later);
        // The past maps to now.
        let past: Timestamp = "2024-12-31T00:00:00Z".parse().unwrap();
        assert_eq!(clock.instant_at(past), Instant::now());
    }
}
