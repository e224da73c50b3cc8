//! [`RetryPolicy`]: when a [`Bot`](crate::Bot) repeats a failed call by itself; [`Backoff`]:
//! the one capped, jittered exponential backoff of the workspace (the policy's server-error
//! retries, and `telegram-ext`'s polling loop, use it).
//!
//! A 429 is always safe to repeat (Telegram did not execute the call) and is retried after its
//! `retry_after`, by default. A 5xx answer or a transport failure leaves it open whether the
//! call went through, so by default it is retried only for the methods in [`SAFE_TO_REPEAT`]:
//! those that read (`get*`), answer a query once (`answer*`) or set a state to a given value
//! (`edit*`, `set*`, `delete*`, `ban*`, `pin*`, …), where a second call changes nothing more.
//! The list is generated from the spec (`cargo xtask codegen`; the rule is in
//! `xtask/src/model/config.rs`). Sends stay opt-in
//! ([`retry_server_errors`](RetryPolicyBuilder::retry_server_errors)): repeating a send after
//! a lost answer may deliver it twice. A request whose body streams an upload
//! ([`telegram_types::InputFile::stream`]) is never repeated: the stream is read once.

use std::time::Duration;

use crate::error::Error;
pub use crate::generated::safe_to_repeat::SAFE_TO_REPEAT;

/// Whether `method` (an API name, `getChat`) is in [`SAFE_TO_REPEAT`].
///
/// ```
/// use telegram_transport::is_safe_to_repeat;
///
/// assert!(is_safe_to_repeat("answerCallbackQuery"));
/// assert!(is_safe_to_repeat("editMessageText"));
/// assert!(!is_safe_to_repeat("sendMessage"));
/// assert!(!is_safe_to_repeat("getUpdates"));
/// ```
pub fn is_safe_to_repeat(method: &str) -> bool {
    SAFE_TO_REPEAT.binary_search(&method).is_ok()
}

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
    retry_safe_methods: bool,
    backoff: Backoff,
}

impl Default for RetryPolicy {
    /// Up to 3 retries, waiting at most 60 s in total: of a 429 after its `retry_after`, and of
    /// a 5xx or a transport failure of a method in [`SAFE_TO_REPEAT`] after a backoff (200 ms
    /// doubling up to 10 s, jittered).
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(60),
            retry_server_errors: false,
            retry_safe_methods: true,
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

    /// Whether 5xx answers and transport failures are retried for every method, sends too.
    pub fn retries_server_errors(&self) -> bool {
        self.retry_server_errors
    }

    /// Whether 5xx answers and transport failures are retried for the methods in
    /// [`SAFE_TO_REPEAT`] (default true).
    pub fn retries_safe_methods(&self) -> bool {
        self.retry_safe_methods
    }

    /// How long to wait before retry number `attempt` (1-based) of a call of `method` (its API
    /// name, `sendMessage`) that failed with `error`, or `None` when this policy does not
    /// retry it. Does not check the limits.
    pub fn delay(&self, method: &str, error: &Error, attempt: u32) -> Option<Duration> {
        if error.is_flood() {
            return Some(error.retry_after().unwrap_or(Duration::from_secs(1)));
        }
        let server_side = match error {
            Error::Transport(e) => e.is_retryable(),
            other => other.is_server_error(),
        };
        let repeatable =
            self.retry_server_errors || (self.retry_safe_methods && is_safe_to_repeat(method));
        (server_side && repeatable).then(|| self.backoff.delay(attempt))
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

    /// Retry 5xx answers and transport failures of every method, sends too (default off: a
    /// send may have gone through, so a retry may send twice).
    pub fn retry_server_errors(mut self, enabled: bool) -> Self {
        self.policy.retry_server_errors = enabled;
        self
    }

    /// Retry 5xx answers and transport failures of the methods in [`SAFE_TO_REPEAT`] (default
    /// on). Off, only 429s are retried (unless [`retry_server_errors`](Self::retry_server_errors)).
    pub fn retry_safe_methods(mut self, enabled: bool) -> Self {
        self.policy.retry_safe_methods = enabled;
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
            policy.delay("sendMessage", &api(429, Some(3)), 1),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.delay("sendMessage", &api(500, None), 1), None);
        let timeout = TransportError::timeout().into();
        assert_eq!(policy.delay("sendMessage", &timeout, 1), None);
        assert_eq!(policy.delay("sendMessage", &api(400, None), 1), None);
    }

    #[test]
    fn server_errors_of_safe_methods_are_retried_by_default() {
        let policy = RetryPolicy::default();
        assert!(policy.delay("getChat", &api(500, None), 1).is_some());
        assert!(policy
            .delay("editMessageText", &api(502, None), 1)
            .is_some());
        let timeout = TransportError::timeout().into();
        assert!(policy.delay("answerCallbackQuery", &timeout, 1).is_some());
        assert!(policy.delay("getChat", &api(400, None), 1).is_none());
        assert!(policy.delay("getUpdates", &api(500, None), 1).is_none());
        let off = RetryPolicy::builder().retry_safe_methods(false).build();
        assert!(off.delay("getChat", &api(500, None), 1).is_none());
    }

    #[test]
    fn the_safe_list_is_sorted_and_holds_no_send() {
        assert!(SAFE_TO_REPEAT.windows(2).all(|w| w[0] < w[1]));
        for method in SAFE_TO_REPEAT {
            for verb in ["send", "copy", "forward", "create", "export", "upload"] {
                assert!(!method.starts_with(verb), "{method}");
            }
        }
    }

    #[test]
    fn server_errors_back_off_when_opted_in() {
        let policy = RetryPolicy::builder()
            .retry_server_errors(true)
            .backoff(Duration::from_millis(100), Duration::from_millis(300))
            .build();
        let first = policy.delay("sendMessage", &api(502, None), 1).unwrap();
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let late = policy.delay("sendMessage", &api(502, None), 10).unwrap();
        assert!(late <= Duration::from_millis(300));
        assert!(policy.delay("sendMessage", &api(400, None), 1).is_none());
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
