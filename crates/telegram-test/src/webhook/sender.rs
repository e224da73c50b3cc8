//! The webhook sender's bookkeeping, under the server's lock: which update goes next (oldest
//! first, at most `max_connections` at once, one request per chat at a time), what an attempt's
//! outcome does to the queue, and the counters tests read. The HTTP side and the task that
//! drives it live in `webhook/mod.rs`.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use super::balance::Balancer;
use super::WebhookConfig;
use crate::chats::unix_now;
use crate::queue::UpdateQueue;

/// How many pending updates one look for the next delivery walks at most: the oldest ones. A
/// chat whose updates all sit further back waits until the head drains (memory and time under
/// the server's lock stay bounded with a large backlog).
const SCAN_WINDOW: usize = 10_000;

/// What the webhook sender did so far; read with
/// [`FakeBotApi::webhook_stats`](crate::FakeBotApi::webhook_stats).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookStats {
    /// Requests started (first deliveries and redeliveries).
    pub attempts: u64,
    /// Requests answered 2xx: the update left the queue.
    pub delivered: u64,
    /// Requests for an update that had been attempted before.
    pub redeliveries: u64,
    /// Requests answered with a status other than 2xx.
    pub rejected: u64,
    /// Requests not answered within the delivery timeout.
    pub timeouts: u64,
    /// Requests that failed to connect or whose connection closed without an answer.
    pub connection_errors: u64,
    /// The most requests in flight at once.
    pub max_in_flight: usize,
    /// Requests started per target URL.
    pub attempts_per_url: BTreeMap<String, u64>,
}

/// What one request's updates are ordered by: a chat's updates share a lane; an update without
/// a chat has a lane of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Lane {
    Chat(i64),
    Update(i64),
}

/// One request to make.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) id: i64,
    lane: Lane,
    pub(crate) url: String,
    pub(crate) secret: Option<String>,
    pub(crate) body: String,
    pub(crate) timeout: Duration,
}

/// How one request ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Delivered,
    Rejected(u16),
    TimedOut,
    ConnectionFailed(String),
}

/// The sender's state.
#[derive(Debug)]
pub(crate) struct Sender {
    in_flight: usize,
    /// Lanes with a request in flight or an update waiting to be retried.
    busy: HashSet<Lane>,
    /// Updates attempted and not yet delivered (to count redeliveries).
    attempted: HashSet<i64>,
    pub(crate) balancer: Option<Balancer>,
    /// How long a request may wait for its answer.
    pub(crate) timeout: Duration,
    stats: WebhookStats,
}

impl Default for Sender {
    fn default() -> Self {
        Sender {
            in_flight: 0,
            busy: HashSet::new(),
            attempted: HashSet::new(),
            balancer: None,
            timeout: Duration::from_secs(10),
            stats: WebhookStats::default(),
        }
    }
}

impl Sender {
    /// The next request, if one may start now: a webhook is set, fewer than its
    /// `max_connections` requests are in flight, and some pending update's lane is idle (the
    /// oldest such update goes; a lane's later updates wait for its earlier one to end).
    pub(crate) fn next_job(
        &mut self,
        updates: &mut UpdateQueue,
        hook: Option<&WebhookConfig>,
    ) -> Option<Job> {
        let hook = hook?;
        if self.in_flight >= usize::try_from(hook.max_connections).unwrap_or(usize::MAX) {
            return None;
        }
        let update = updates
            .deliverable()
            .take(SCAN_WINDOW)
            .find(|u| !self.busy.contains(&lane_of(u.id, u.chat)))?;
        let (id, lane, body) = (
            update.id,
            lane_of(update.id, update.chat),
            update.json.clone(),
        );
        let url = match self.balancer.as_mut() {
            Some(balancer) => balancer.pick(),
            None => hook.url.clone(),
        };
        self.busy.insert(lane);
        self.in_flight += 1;
        self.stats.max_in_flight = self.stats.max_in_flight.max(self.in_flight);
        self.stats.attempts += 1;
        *self.stats.attempts_per_url.entry(url.clone()).or_default() += 1;
        if !self.attempted.insert(id) {
            self.stats.redeliveries += 1;
        }
        Some(Job {
            id,
            lane,
            url,
            secret: hook.secret_token.clone(),
            body,
            timeout: self.timeout,
        })
    }

    /// Records how `job` ended. A delivered update leaves the queue and its lane is free; a
    /// failed one stays, its lane busy until [`retry`](Self::retry) after the retry delay, and
    /// the error is kept for `getWebhookInfo`. Returns whether it failed.
    pub(crate) fn finish(
        &mut self,
        job: &Job,
        outcome: Outcome,
        updates: &mut UpdateQueue,
        hook: Option<&mut WebhookConfig>,
    ) -> bool {
        self.in_flight -= 1;
        let error = match outcome {
            Outcome::Delivered => {
                self.stats.delivered += 1;
                self.attempted.remove(&job.id);
                updates.remove(job.id);
                self.busy.remove(&job.lane);
                return false;
            }
            Outcome::Rejected(status) => {
                self.stats.rejected += 1;
                format!("Wrong response from the webhook: {status}")
            }
            Outcome::TimedOut => {
                self.stats.timeouts += 1;
                "Connection timed out".to_owned()
            }
            Outcome::ConnectionFailed(error) => {
                self.stats.connection_errors += 1;
                format!("Connection failed: {error}")
            }
        };
        tracing::debug!(url = %job.url, %error, "fake Bot API: webhook delivery failed; will retry");
        if let Some(hook) = hook {
            hook.last_error = Some((unix_now(), error));
        }
        true
    }

    /// Frees a failed job's lane: its update is the next to go.
    pub(crate) fn retry(&mut self, job: &Job) {
        self.busy.remove(&job.lane);
    }

    /// The counters so far.
    pub(crate) fn stats(&self) -> WebhookStats {
        self.stats.clone()
    }
}

fn lane_of(id: i64, chat: Option<i64>) -> Lane {
    chat.map_or(Lane::Update(id), Lane::Chat)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hook(max_connections: u32) -> WebhookConfig {
        WebhookConfig {
            url: "http://hook".to_owned(),
            secret_token: None,
            max_connections,
            last_error: None,
        }
    }

    fn queue(chats: &[i64]) -> UpdateQueue {
        let mut queue = UpdateQueue::default();
        for &chat in chats {
            queue.push(json!({"message": {"chat": {"id": chat}}}));
        }
        queue
    }

    #[test]
    fn one_request_per_chat_and_at_most_max_connections() {
        let mut updates = queue(&[1, 1, 2, 3, 2]);
        let mut sender = Sender::default();
        let hook = hook(2);
        let first = sender.next_job(&mut updates, Some(&hook)).expect("chat 1");
        let second = sender.next_job(&mut updates, Some(&hook)).expect("chat 2");
        assert_eq!(
            (first.id, second.id),
            (10_000, 10_002),
            "chat 1's second waits"
        );
        assert!(
            sender.next_job(&mut updates, Some(&hook)).is_none(),
            "2 in flight"
        );
        assert!(!sender.finish(&first, Outcome::Delivered, &mut updates, None));
        let third = sender
            .next_job(&mut updates, Some(&hook))
            .expect("chat 1 again");
        assert_eq!(third.id, 10_001);
        assert_eq!(sender.stats().max_in_flight, 2);
    }

    #[test]
    fn a_failed_update_goes_again_before_its_chat_moves_on() {
        let mut updates = queue(&[1, 1]);
        let mut sender = Sender::default();
        let mut hook = hook(10);
        let first = sender.next_job(&mut updates, Some(&hook)).expect("first");
        assert!(sender.next_job(&mut updates, Some(&hook)).is_none());
        assert!(sender.finish(
            &first,
            Outcome::Rejected(500),
            &mut updates,
            Some(&mut hook)
        ));
        assert!(hook.last_error.is_some());
        assert!(
            sender.next_job(&mut updates, Some(&hook)).is_none(),
            "the chat waits for the retry delay"
        );
        sender.retry(&first);
        let again = sender
            .next_job(&mut updates, Some(&hook))
            .expect("redelivery");
        assert_eq!(again.id, first.id);
        let stats = sender.stats();
        assert_eq!(
            (stats.attempts, stats.redeliveries, stats.rejected),
            (2, 1, 1)
        );
    }
}
