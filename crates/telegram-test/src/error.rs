//! The error a test sees when something it waited for did not happen: [`WaitError`].

use std::time::Duration;

/// A wait on the fake server ended without what was awaited.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The timeout passed first.
    #[error("timed out after {timeout:?} waiting for {what}")]
    Timeout {
        /// What was awaited, e.g. `the next sendMessage request`.
        what: String,
        /// How long the wait lasted.
        timeout: Duration,
    },
    /// The server shut down while waiting.
    #[error("the fake server shut down while waiting for {what}")]
    Shutdown {
        /// What was awaited.
        what: String,
    },
}
