//! When the webhook answers Telegram ([`Ack`]), and the table of updates whose requests wait for
//! their processing (`AfterProcessing`), through which a redelivery of an update still in
//! flight joins the first delivery instead of running it again.
//!
//! The HTTP side and the queue live in `mod.rs`; the guarantees of each mode are tabled in
//! [`crate::delivery`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

/// When the webhook answers Telegram's request for an update (2xx confirms it: Telegram will
/// not send it again). See [`crate::delivery`] for what each mode guarantees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ack {
    /// 200 as soon as the update is in the bounded queue (waiting up to
    /// [`queue_wait`](crate::WebhookConfig::queue_wait) for room; 503 after that). Fast, but an
    /// update answered and not yet processed is lost if the process dies.
    #[default]
    OnReceipt,
    /// 200 when the update's processing completed (its dispatch returned: a handler's error went
    /// to the error handlers and still counts). A crash, a forced stop, a drain timeout or the
    /// [`processing_timeout`](crate::WebhookConfig::processing_timeout) leaves the request
    /// unanswered or answered 503 / 504, so Telegram delivers the update again. A redelivery that
    /// arrives while the update is still in flight waits for it instead of running it twice.
    ///
    /// Telegram sends one chat's next update only after the previous request ended, so a chat's
    /// updates are processed in order under any processor and across replicas; the bot's
    /// concurrency is Telegram's `max_connections` (40 by default, up to 100).
    AfterProcessing,
}

/// The updates whose requests wait for their processing, by update id, with the requests
/// waiting on each (the first delivery and any redelivery).
#[derive(Debug, Default)]
pub(super) struct InFlight {
    waiting: Mutex<HashMap<i64, Vec<oneshot::Sender<bool>>>>,
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Vec<oneshot::Sender<bool>>>> {
        // Each change is one step: the map is consistent even after a holder panicked.
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits on `update_id`'s processing: the receiver gets whether it completed. The first
    /// request for the id also gets the [`Completion`] to hand to the processing; a redelivery
    /// while it is in flight gets `None` (nothing to start).
    pub(super) fn join(
        self: &Arc<Self>,
        update_id: i64,
    ) -> (oneshot::Receiver<bool>, Option<Completion>) {
        let (sender, receiver) = oneshot::channel();
        let mut waiting = self.lock();
        if let Some(waiters) = waiting.get_mut(&update_id) {
            waiters.push(sender);
            return (receiver, None);
        }
        waiting.insert(update_id, vec![sender]);
        let completion = Completion {
            table: self.clone(),
            update_id,
            completed: false,
        };
        (receiver, Some(completion))
    }

    /// Updates in flight with a request waiting.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// Ends an update's entry in the [`InFlight`] table and tells its requests the outcome: completed
/// through [`complete`](Self::complete), not completed when dropped without it (cancelled, or
/// never queued).
#[derive(Debug)]
pub(super) struct Completion {
    table: Arc<InFlight>,
    update_id: i64,
    completed: bool,
}

impl Completion {
    /// The update's processing completed.
    pub(super) fn complete(mut self) {
        self.completed = true;
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        let waiters = self.table.lock().remove(&self.update_id);
        for waiter in waiters.into_iter().flatten() {
            // A request that gave up waiting (its timeout) has dropped its receiver.
            let _ = waiter.send(self.completed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_redelivery_in_flight_joins_the_first_and_both_learn_the_outcome() {
        let table = Arc::new(InFlight::default());
        let (first, completion) = table.join(7);
        let (again, none) = table.join(7);
        assert!(none.is_none(), "a redelivery starts nothing");
        completion.expect("the first delivery starts it").complete();
        assert!(first.await.unwrap());
        assert!(again.await.unwrap());
        assert_eq!(table.len(), 0);
    }

    #[tokio::test]
    async fn a_dropped_completion_reports_not_completed() {
        let table = Arc::new(InFlight::default());
        let (first, completion) = table.join(7);
        drop(completion);
        assert!(!first.await.unwrap());
        // The id is free again: the next delivery starts it afresh.
        let (_, completion) = table.join(7);
        assert!(completion.is_some());
    }
}
