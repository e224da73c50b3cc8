//! [`RetryPolicy`]: when a [`Bot`](crate::Bot) repeats a failed call by itself.
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
    backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Flood control only: up to 3 retries, waiting at most 60 s in total.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(60),
            retry_server_errors: false,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
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
        let exponential = self
            .backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff);
        // Full jitter keeps many failing callers from retrying in lockstep.
        let jitter = rand::random_range(0.5..=1.0);
        Some(exponential.mul_f64(jitter))
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
        self.policy.backoff = first;
        self.policy.max_backoff = max;
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
}
