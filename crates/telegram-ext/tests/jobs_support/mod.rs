//! Shared by the job tests: an application whose bot is a `MockTransport` (getMe answered) and
//! whose job clock starts at a given wall time, under tokio's paused time; a recorder state.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use telegram_ext::jobs::{Clock, Job, JobQueueConfig};
use telegram_ext::{Application, Context, HandlerResult};
use telegram_transport::{Bot, MockTransport};

/// What the callbacks saw.
#[derive(Debug, Default)]
pub struct Log {
    /// (job name, wall time at the start of the run, the occurrence it ran for).
    pub runs: Mutex<Vec<(String, Timestamp, Timestamp)>>,
    /// Completed runs per (job id, occurrence).
    pub completed: Mutex<HashMap<(String, Timestamp), usize>>,
    /// Notified after each run.
    pub ran: tokio::sync::Notify,
}

impl Log {
    /// Waits until `n` runs happened (a minute of real time at most: a hang fails the test).
    pub async fn wait_for_runs(&self, n: usize) {
        let wait = async {
            while self.runs.lock().unwrap().len() < n {
                self.ran.notified().await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), wait)
            .await
            .expect("the runs happened");
    }

    pub fn times(&self, name: &str) -> Vec<String> {
        let runs = self.runs.lock().unwrap();
        runs.iter()
            .filter(|(n, ..)| n == name)
            .map(|(_, at, _)| at.to_string())
            .collect()
    }

    pub fn scheduled(&self, name: &str) -> Vec<String> {
        let runs = self.runs.lock().unwrap();
        runs.iter()
            .filter(|(n, ..)| n == name)
            .map(|(.., at)| at.to_string())
            .collect()
    }
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Records the run.
pub async fn record(job: Job, ctx: Context<Arc<Log>>) -> HandlerResult {
    let now = ctx.job_queue().clock().now();
    let at = job.scheduled_at().expect("callbacks get the occurrence");
    ctx.state
        .runs
        .lock()
        .unwrap()
        .push((job.name().to_owned(), now, at));
    *ctx.state
        .completed
        .lock()
        .unwrap()
        .entry((job.id().to_owned(), at))
        .or_default() += 1;
    ctx.state.ran.notify_one();
    Ok(())
}

/// A bot whose transport is a mock answering `getMe`.
pub fn mock_bot() -> Bot {
    let mock = MockTransport::new();
    mock.respond(
        "getMe",
        serde_json::json!({"id": 123, "is_bot": true, "first_name": "Bot", "username": "bot"}),
    );
    Bot::with_transport("123:abc", mock)
}

/// An application with `state`, its job clock at `start`; not yet started.
pub fn app_with<T: Send + Sync + 'static>(
    start: &str,
    state: T,
    config: JobQueueConfig,
) -> Application<T> {
    Application::builder()
        .bot(mock_bot())
        .state(state)
        .job_queue(config.clock(Clock::starting_at(ts(start))))
        .build()
        .unwrap()
}

/// An application with `log` as state, its job clock at `start`; not yet started.
pub fn app_at(start: &str, log: Arc<Log>, config: JobQueueConfig) -> Application<Arc<Log>> {
    app_with(start, log, config)
}

/// Initializes and starts `app` (jobs fire from now on).
pub async fn start<S: Send + Sync + 'static>(app: &Application<S>) {
    app.initialize().await.unwrap();
    app.start().await.unwrap();
}

/// Lets virtual time pass (paused time: every timer in between fires, in order).
pub async fn advance(seconds: u64) {
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
}
