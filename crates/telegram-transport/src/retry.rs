//! [`RetryPolicy`]: when a [`Bot`](crate::Bot) repeats a failed call by itself; [`Backoff`]:
//! the one capped, jittered exponential backoff of the workspace (the policy's server-error
//! retries, and `telegram-ext`'s polling loop, use it).
//!
//! A 429 is always safe to repeat (Telegram did not execute the call) and is retried after its
//! `retry_after`, by default. Server errors and transport failures are retried only on request:
//! the call may have gone through, and repeating a send may deliver it twice. A request whose
//! body streams an upload ([`telegram_types::InputFile::stream`]) is never repeated: the stream
//! is read once.

use std::time::Duration;

use crate::error::Error;

/// When and how often a failed call is repeated.
///
/// ```
/// use std::time::Duration;
/// use telegram_transport::RetryPolicy;
///
/// let policy = RetryPolicy::builder()
///     .max_retries(5)
///     .max_total_wait(Duration::from_secs(120))
///     .retry_server_errors(true)
///     .build();
/// assert!(policy.retries_server_errors());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    max_total_wait: Duration,
    retry_server_errors: bool,
    backoff: Backoff,
}

impl Default for RetryPolicy {
    /// Flood control only: up to 3 retries, waiting at most 60 s in total.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(60),
            retry_server_errors: false,
            backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(10)),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Starts from the default policy.
    pub fn builder() -> RetryPolicyBuilder {
        RetryPolicyBuilder {
            policy: Self::default(),
        }
    }

    /// The most retries of one call.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The longest total wait across the retries of one call.
    pub fn max_total_wait(&self) -> Duration {
        self.max_total_wait
    }

    /// Whether 5xx answers and transport failures are retried.
    pub fn retries_server_errors(&self) -> bool {
        self.retry_server_errors
    }

    /// How long to wait before retry number `attempt` (1-based) after `error`, or `None` when
    /// the error is not one this policy retries. Does not check the limits.
    pub fn delay(&self, error: &Error, attempt: u32) -> Option<Duration> {
        if error.is_flood() {
            return Some(error.retry_after().unwrap_or(Duration::from_secs(1)));
        }
        let server_side = match error {
            Error::Transport(e) => e.is_retryable(),
            other => other.is_server_error(),
        };
        if !(self.retry_server_errors && server_side) {
            return None;
        }
        Some(self.backoff.delay(attempt))
    }
}

/// Capped exponential backoff with jitter: the delay doubles at each attempt from `initial` up
/// to `max`, and the actual wait is drawn between half that delay and all of it, so many
/// clients failing together do not retry in lockstep.
///
/// Use it stateless ([`delay`](Self::delay) for attempt *n*, as [`RetryPolicy`] does) or as a
/// counter ([`next_delay`](Self::next_delay) after each failure, [`reset`](Self::reset) after a
/// success, as a polling loop does).
///
/// ```
/// use std::time::Duration;
/// use telegram_transport::Backoff;
///
/// let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
/// let first = backoff.next_delay();
/// assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
/// assert_eq!(backoff.ceiling(5), Duration::from_secs(1));
/// backoff.reset();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    /// Failures since the last reset (the counter use).
    failures: u32,
}

impl Backoff {
    /// Starts at `initial`, never exceeds `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            failures: 0,
        }
    }

    /// The delay before retry number `attempt` (1-based) before jitter: `initial` doubled
    /// `attempt - 1` times, capped at `max`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.initial.saturating_mul(1u32 << doublings).min(self.max)
    }

    /// The wait before retry number `attempt` (1-based): between half of
    /// [`ceiling`](Self::ceiling) and all of it, at random.
    pub fn delay(&self, attempt: u32) -> Duration {
        self.ceiling(attempt).mul_f64(rand::random_range(0.5..=1.0))
    }

    /// The wait after one more failure; the next one is up to twice as long.
    pub fn next_delay(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.delay(self.failures)
    }

    /// Back to `initial`, after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

impl Default for Backoff {
    /// 1 s, doubling up to 30 s.
    fn default() -> Self {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(30))
    }
}

/// Builds a [`RetryPolicy`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RetryPolicyBuilder {
    policy: RetryPolicy,
}

impl RetryPolicyBuilder {
    /// The most retries of one call (default 3).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.policy.max_retries = retries;
        self
    }

    /// The longest total wait across the retries of one call (default 60 s). A 429 asking for
    /// more is returned to the caller instead.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.policy.max_total_wait = wait;
        self
    }

    /// Also retry 5xx answers and transport failures (default off: a send may have gone
    /// through, so a retry may send twice).
    pub fn retry_server_errors(mut self, enabled: bool) -> Self {
        self.policy.retry_server_errors = enabled;
        self
    }

    /// The first backoff of server-error retries, doubled each time up to `max` (default
    /// 200 ms up to 10 s), with jitter.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.policy.backoff = Backoff::new(first, max);
        self
    }

    /// The policy.
    pub fn build(self) -> RetryPolicy {
        self.policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportError;

    fn api(code: i64, retry_after: Option<u64>) -> Error {
        Error::Api {
            error_code: code,
            description: String::new(),
            retry_after: retry_after.map(Duration::from_secs),
            migrate_to_chat_id: None,
        }
    }

    #[test]
    fn floods_are_retried_after_retry_after_by_default() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(&api(429, Some(3)), 1),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.delay(&api(500, None), 1), None);
        assert_eq!(policy.delay(&TransportError::timeout().into(), 1), None);
        assert_eq!(policy.delay(&api(400, None), 1), None);
    }

    #[test]
    fn server_errors_back_off_when_opted_in() {
        let policy = RetryPolicy::builder()
            .retry_server_errors(true)
            .backoff(Duration::from_millis(100), Duration::from_millis(300))
            .build();
        let first = policy.delay(&api(502, None), 1).unwrap();
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let late = policy.delay(&api(502, None), 10).unwrap();
        assert!(late <= Duration::from_millis(300));
        assert!(policy.delay(&api(400, None), 1).is_none());
    }

    #[test]
    fn the_backoff_doubles_up_to_its_cap_jittered_down_to_half_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(400));
        let ceilings = [100, 200, 400, 400];
        for (attempt, ceiling) in (1..).zip(ceilings) {
            assert_eq!(backoff.ceiling(attempt), Duration::from_millis(ceiling));
            let delay = backoff.next_delay();
            let range = Duration::from_millis(ceiling / 2)..=Duration::from_millis(ceiling);
            assert!(range.contains(&delay), "{delay:?} not in {range:?}");
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_millis(400));
    }
}
