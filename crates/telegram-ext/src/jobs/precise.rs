//! `PreciseSleep`: how the runner waits for the next deadline, to a fraction of a millisecond
//! rather than tokio's 1–2 ms.
//!
//! tokio's timer rounds a deadline up to its next millisecond tick and its driver sleeps in
//! whole milliseconds, so a tokio sleep ends 1–2 ms late (most of the firing lag the `jobs`
//! bench measured). While the application runs, one thread of the queue waits for the runner's
//! next deadline on a condition variable (a kernel timer with microsecond resolution) and wakes
//! the runner's task then; a tokio sleep for the same deadline runs alongside.
//!
//! Under tokio's paused time (tests) the tokio clock does not follow the real one: the tokio
//! sleep ends first (time auto-advances to it), and once the thread finds a deadline passed in
//! real time that tokio's clock has not reached, the runner stops asking the thread and waits
//! on tokio's timer alone, so paused-time tests see exactly the times they set.

use std::future::poll_fn;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use tokio::time::Instant;

/// What the runner and the thread share.
#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// The deadline to wake the runner at.
    deadline: Option<std::time::Instant>,
    waker: Option<Waker>,
    /// The last deadline the thread woke the runner for.
    fired: Option<std::time::Instant>,
    /// The runner is gone: the thread ends.
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The runner's way to sleep until a deadline; owns the waking thread (ended on drop).
#[derive(Debug)]
pub(crate) struct PreciseSleep {
    /// `None`: tokio's timer alone (the thread could not start, or tokio's clock is paused).
    shared: Option<Arc<Shared>>,
}

impl PreciseSleep {
    /// Starts the waking thread.
    pub(crate) fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let theirs = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("telegram-jobs-timer".into())
            .spawn(move || wake_at_deadlines(&theirs));
        match spawned {
            Ok(_) => PreciseSleep {
                shared: Some(shared),
            },
            Err(error) => {
                tracing::warn!(%error, "cannot start the job timer thread; jobs fire to the millisecond");
                PreciseSleep { shared: None }
            }
        }
    }

    /// Sleeps until `at` (tokio's clock).
    pub(crate) async fn until(&mut self, at: Instant) {
        let Some(shared) = self.shared.clone() else {
            return tokio::time::sleep_until(at).await;
        };
        let precise = poll_fn(|cx| poll_deadline(&shared, at, cx.waker()));
        tokio::select! {
            biased;
            on_time = precise => {
                if !on_time {
                    tracing::debug!("tokio's clock does not follow the real one (paused time): job timer thread off");
                    self.close();
                    tokio::time::sleep_until(at).await;
                }
            }
            () = tokio::time::sleep_until(at) => {}
        }
    }

    fn close(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.lock().closed = true;
            shared.changed.notify_one();
        }
    }
}

impl Drop for PreciseSleep {
    fn drop(&mut self) {
        self.close();
    }
}

/// `Ready(true)` once tokio's clock reached `at`; `Ready(false)` when the thread found `at`
/// passed in real time and tokio's clock has not reached it (paused); otherwise asks the thread
/// to wake this task at `at`.
fn poll_deadline(shared: &Shared, at: Instant, waker: &Waker) -> Poll<bool> {
    if Instant::now() >= at {
        return Poll::Ready(true);
    }
    let target = at.into_std();
    let mut state = shared.lock();
    if state.fired == Some(target) {
        return Poll::Ready(false);
    }
    if !state.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
        state.waker = Some(waker.clone());
    }
    if state.deadline != Some(target) {
        state.deadline = Some(target);
        drop(state);
        shared.changed.notify_one();
    }
    Poll::Pending
}

/// The thread: waits for each deadline the runner sets and wakes it then.
fn wake_at_deadlines(shared: &Shared) {
    let mut state = shared.lock();
    loop {
        if state.closed {
            return;
        }
        let Some(deadline) = state.deadline else {
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        let now = std::time::Instant::now();
        if now < deadline {
            state = shared
                .changed
                .wait_timeout(state, deadline - now)
                .map_or_else(|poisoned| poisoned.into_inner().0, |(state, _)| state);
            continue;
        }
        state.deadline = None;
        state.fired = Some(deadline);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        state = shared.lock();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn under_paused_time_it_ends_exactly_at_each_deadline() {
        let mut sleep = PreciseSleep::start();
        for millis in [0, 5, 1_000, 3_600_000] {
            let at = Instant::now() + Duration::from_millis(millis);
            sleep.until(at).await;
            assert_eq!(Instant::now(), at);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_real_time_it_never_ends_early() {
        let mut sleep = PreciseSleep::start();
        for micros in [0, 300, 2_500] {
            let at = Instant::now() + Duration::from_micros(micros);
            sleep.until(at).await;
            assert!(Instant::now() >= at);
        }
        assert!(sleep.shared.is_some(), "the thread stays on in real time");
    }
}
