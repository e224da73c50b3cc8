//! `JobError`: what adding or changing a job can fail with.

use telegram_store::StoreError;

/// What adding, pausing, resuming or cancelling a job can fail with. Nothing is changed when
/// one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// The job names a callback that was not registered with
    /// [`Application::register_job`](crate::Application::register_job).
    #[error("no job callback is registered as {0:?}")]
    UnknownCallback(String),
    /// A persistent job (a named callback) needs a schedule that is data; a custom schedule is
    /// code.
    #[error("a job with a custom schedule cannot be persistent; pass the callback function instead of its name")]
    NotPersistable,
    /// The schedule never fires (a daily job on no weekday, a repeating job whose last run is
    /// before its first, a zero interval).
    #[error("the schedule has no occurrence")]
    NoOccurrence,
    /// The job's data or schedule could not be encoded (or the stored job decoded).
    #[error("cannot encode the job {id:?}")]
    Encode {
        /// The job's id.
        id: String,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// The job's data is not of the type asked for.
    #[error("the job's data is not of the requested type")]
    Data(#[source] serde_json::Error),
    /// The store failed.
    #[error("job store")]
    Store(#[from] StoreError),
}
