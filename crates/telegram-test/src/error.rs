//! The errors a test sees: [`WaitError`] when something it waited for did not happen,
//! [`HarnessError`] when a [`TestBot`](crate::TestBot) cannot start or its run failed.

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

/// Starting or stopping a [`TestBot`](crate::TestBot) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// The application could not be built.
    #[error("the application could not be built")]
    Build(#[from] telegram_ext::BuildError),
    /// The run ended with an error (at start: a bad token; at stop: what went wrong meanwhile).
    #[error("the bot's run failed")]
    Run(#[from] telegram_ext::RunError),
    /// The run ended without an error before the bot polled.
    #[error("the bot's run ended before it polled")]
    EndedEarly,
    /// The run panicked.
    #[error("the bot's run panicked")]
    Panicked(#[from] tokio::task::JoinError),
    /// The bot did not start polling in time.
    #[error("the bot did not start")]
    Wait(#[from] WaitError),
}
