//! Capped exponential backoff with jitter, for retrying calls that failed for no known reason.

use std::time::Duration;

use rand::Rng;

/// Capped exponential backoff: each failure doubles the delay up to `max`; the actual wait is
/// drawn between half the delay and the delay (so many bots failing together do not retry in
/// lockstep); a success resets it.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    /// Starts at `initial`, never exceeds `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            current: initial,
        }
    }

    /// The wait before the next attempt; doubles the delay for the one after.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.current;
        self.current = (self.current * 2).min(self.max);
        let low = delay / 2;
        let jitter = rand::rng().random_range(0..=(delay - low).as_millis() as u64);
        low + Duration::from_millis(jitter)
    }

    /// Back to the initial delay, after a success.
    pub fn reset(&mut self) {
        self.current = self.initial;
    }
}

impl Default for Backoff {
    /// 1 s, doubling up to 30 s.
    fn default() -> Self {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(30))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_reset() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(400));
        let bounds = [(50, 100), (100, 200), (200, 400), (200, 400)];
        for (low, high) in bounds {
            let d = backoff.next_delay().as_millis();
            assert!((low..=high).contains(&d), "{d} not in {low}..={high}");
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }
}
