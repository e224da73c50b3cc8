//! [`Broadcast`]: one message to many chats, as fast as the bot's rate limiter allows, with each
//! chat's progress in a [`Store`] so that a broadcast started again after an interruption
//! resumes where it stopped and sends nobody the message twice.
//!
//! The pacing is the bot's: build it with
//! [`Bot::with_rate_limit`](telegram_transport::Bot::with_rate_limit) and the broadcast runs at
//! the highest rate Telegram allows without a 429. This file owns the per-chat record, the
//! bounded fan-out and the progress.
//!
//! # Delivery: at most once
//!
//! Before a chat's send, its record is written `sending` (a compare-and-set on an absent key,
//! so two broadcasts sharing the store never both take a chat); after it, `sent`, `blocked:…`
//! or `failed:…`. Each send runs in a task of its own: dropping [`Broadcast::run`] (the
//! application stopping) or [`Broadcast::stop_token`] stops new sends, while sends already on
//! their way finish and record their outcome. A process killed between a send and its record
//! leaves `sending`: Telegram may or may not have delivered it, and there is no way to ask. By
//! default ([`Delivery::AtMostOnce`]) such chats are not sent again and are reported as
//! [`uncertain`](BroadcastReport::uncertain); [`Delivery::AtLeastOnce`] sends them again.
//! A send that failed without reaching Telegram's decision (a timeout, a dropped connection)
//! stays `sending` too, for the same reason.
//!
//! # Key layout
//!
//! `tg:{bot_id}:broadcast:{id}:{chat_id}` → `sending` | `sent` | `blocked:{description}` |
//! `failed:{description}`.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use telegram_store::{Store, StoreError, Version};
use telegram_transport::{Bot, Error};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Keys read per page when a broadcast loads its records.
const SCAN_PAGE: usize = 1000;

/// What happens to chats whose send may or may not have gone through (the process died between
/// the send and its record).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Never send them again; report them as uncertain. Nobody gets the message twice; a few
    /// may not get it.
    #[default]
    AtMostOnce,
    /// Send them again. Everybody gets the message; a few may get it twice.
    AtLeastOnce,
}

/// Counts of a broadcast, as it runs (see [`Broadcast::progress`]) and when it ends.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct BroadcastProgress {
    /// Distinct chats in the broadcast.
    pub total: usize,
    /// Chats the message was delivered to (in this run or an earlier one).
    pub sent: usize,
    /// Chats that blocked the bot, or whose user is deactivated (any 403).
    pub blocked: usize,
    /// Chats Telegram refused for another reason (chat not found, …).
    pub failed: usize,
    /// Chats whose send may or may not have gone through.
    pub uncertain: usize,
    /// Chats not handled yet (those on their way included).
    pub remaining: usize,
    /// Sends on their way now.
    pub in_flight: usize,
    /// Messages delivered per second in this run so far.
    pub rate: f64,
}

/// How a broadcast ended: its counts and the chats that did not get the message.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BroadcastReport {
    /// The final counts.
    pub progress: BroadcastProgress,
    /// Chats that blocked the bot, with Telegram's description.
    pub blocked: Vec<(i64, String)>,
    /// Chats refused for another reason, with Telegram's description.
    pub failed: Vec<(i64, String)>,
    /// Chats whose send may or may not have gone through (see [`Delivery`]).
    pub uncertain: Vec<i64>,
    /// Whether the broadcast was stopped before every chat was handled.
    pub stopped: bool,
}

/// What a broadcast can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BroadcastError {
    /// The store failed; sends already on their way finish, no new one starts.
    #[error("the broadcast's store failed")]
    Store(#[from] StoreError),
    /// A record holds something this module never writes.
    #[error("unreadable broadcast record for chat {chat}: {value:?}")]
    BadRecord {
        /// The chat.
        chat: i64,
        /// The record, lossily as text.
        value: String,
    },
}

/// One message to many chats; see the [module docs](self).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), telegram_ext::broadcast::BroadcastError> {
/// use std::sync::Arc;
/// use telegram_ext::broadcast::Broadcast;
/// use telegram_store::MemoryStore;
/// use telegram_test::FakeBotApi;
/// use telegram_transport::{Bot, Limits};
///
/// let server = FakeBotApi::start().await;
/// let chats: Vec<i64> = ["ann", "bob", "cid"].iter().map(|n| server.user(n).id()).collect();
/// server.user("bob").block_bot();
///
/// let bot = Bot::new(server.token()).with_api_url(server.url()).with_rate_limit(Limits::telegram());
/// let store = Arc::new(MemoryStore::new());
/// let report = Broadcast::new(bot, store, "release-1.2", chats)
///     .run(|bot, chat| async move { bot.send_message(chat, "1.2 is out").await })
///     .await?;
/// assert_eq!(report.progress.sent, 2);
/// assert_eq!(report.blocked.len(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Broadcast {
    bot: Bot,
    store: Arc<dyn Store>,
    prefix: String,
    chats: Vec<i64>,
    concurrency: usize,
    delivery: Delivery,
    log_every: Duration,
    stop: CancellationToken,
    progress: watch::Sender<BroadcastProgress>,
}

impl Broadcast {
    /// A broadcast called `id` (the same id resumes it) to `chats` (duplicates are sent once),
    /// its progress kept in `store`.
    pub fn new(
        bot: Bot,
        store: Arc<dyn Store>,
        id: &str,
        chats: impl IntoIterator<Item = i64>,
    ) -> Self {
        let bot_id = bot.token().split(':').next().unwrap_or_default().to_owned();
        let mut seen = HashSet::new();
        let chats: Vec<i64> = chats
            .into_iter()
            .filter(|chat| seen.insert(*chat))
            .collect();
        let (progress, _) = watch::channel(BroadcastProgress {
            total: chats.len(),
            remaining: chats.len(),
            ..BroadcastProgress::default()
        });
        Broadcast {
            bot,
            store,
            prefix: format!("tg:{bot_id}:broadcast:{id}:"),
            chats,
            concurrency: 64,
            delivery: Delivery::default(),
            log_every: Duration::from_secs(10),
            stop: CancellationToken::new(),
            progress,
        }
    }

    /// How many sends may be on their way at once (default 64; 0 is taken as 1). Enough to
    /// keep the rate limiter busy: its global rate times Telegram's round trip.
    #[must_use]
    pub fn concurrency(mut self, sends: usize) -> Self {
        self.concurrency = sends.max(1);
        self
    }

    /// What to do with chats whose send may have gone through (default
    /// [`Delivery::AtMostOnce`]).
    #[must_use]
    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// How often the progress is logged (default every 10 s, and at the end; at least every
    /// millisecond).
    #[must_use]
    pub fn log_every(mut self, every: Duration) -> Self {
        self.log_every = every.max(Duration::from_millis(1));
        self
    }

    /// A token that stops the broadcast when cancelled: no new send starts, those on their way
    /// finish, and [`run`](Self::run) returns a report with `stopped` set.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// The counts, updated after every chat. Receivers keep seeing updates from sends still
    /// finishing after `run` was dropped.
    pub fn progress(&self) -> watch::Receiver<BroadcastProgress> {
        self.progress.subscribe()
    }

    /// Sends the message: `send(bot, chat)` for every chat not handled by an earlier run.
    ///
    /// `send` is any send method (`bot.send_message(chat, ..)`, `bot.copy_message(..)`, …);
    /// a 403 counts as blocked, another API error as failed, and a 429 that outlasted the
    /// bot's retries leaves the chat to the next run.
    ///
    /// # Errors
    ///
    /// [`BroadcastError`] when the store fails or holds a record this module did not write.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future stops new sends; sends on their way finish and record their outcome
    /// in their own tasks (on the current runtime).
    pub async fn run<F, Fut, T>(self, send: F) -> Result<BroadcastReport, BroadcastError>
    where
        F: Fn(Bot, i64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let records = self.load().await?;
        let (pending, report) = self.plan(records);
        let shared = Arc::new(Shared {
            sent_before: report.progress.sent,
            report: Mutex::new(report),
            progress: self.progress.clone(),
            started: Instant::now(),
        });
        shared.publish();
        // Stop new sends when `run` is dropped.
        let _stop_on_drop = self.stop.clone().drop_guard();
        let send = Arc::new(send);
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let tracker = TaskTracker::new();
        let store_failed = CancellationToken::new();
        let mut log = tokio::time::interval(self.log_every);
        log.tick().await;
        let mut stopped = false;
        for (chat, expected) in pending {
            let permit = loop {
                tokio::select! {
                    biased;
                    () = self.stop.cancelled() => break None,
                    () = store_failed.cancelled() => break None,
                    _ = log.tick() => shared.log("broadcast progress"),
                    permit = Arc::clone(&permits).acquire_owned() => break permit.ok(),
                }
            };
            let Some(permit) = permit else {
                stopped = true;
                break;
            };
            let job = Job {
                bot: self.bot.clone(),
                store: Arc::clone(&self.store),
                key: format!("{}{chat}", self.prefix),
                chat,
                expected,
            };
            shared.started_one();
            let (send, shared, store_failed) =
                (Arc::clone(&send), Arc::clone(&shared), store_failed.clone());
            tracker.spawn(async move {
                let outcome = job.run(send.as_ref()).await;
                drop(permit);
                if let Outcome::StoreFailed(error) = &outcome {
                    tracing::error!(chat = job.chat, %error, "broadcast store failed");
                    store_failed.cancel();
                }
                shared.record(job.chat, outcome);
            });
        }
        tracker.close();
        loop {
            tokio::select! {
                () = tracker.wait() => break,
                _ = log.tick() => shared.log("broadcast progress"),
            }
        }
        let mut report = shared.finish();
        report.stopped = stopped;
        shared.log(if stopped {
            "broadcast stopped"
        } else {
            "broadcast finished"
        });
        if store_failed.is_cancelled() {
            return Err(BroadcastError::Store(StoreError::unavailable(
                "a broadcast record could not be written",
            )));
        }
        Ok(report)
    }

    /// Every record of this broadcast, by chat.
    async fn load(&self) -> Result<HashMap<i64, (Record, Version)>, BroadcastError> {
        let mut records = HashMap::new();
        let mut after: Option<Bytes> = None;
        loop {
            let page = self
                .store
                .scan(self.prefix.as_bytes(), after.as_deref(), SCAN_PAGE)
                .await?;
            for (key, entry) in page.entries {
                let chat = key
                    .get(self.prefix.len()..)
                    .and_then(|rest| std::str::from_utf8(rest).ok())
                    .and_then(|rest| rest.parse::<i64>().ok());
                let record = chat.and_then(|_| Record::parse(&entry.value));
                match (chat, record) {
                    (Some(chat), Some(record)) => {
                        records.insert(chat, (record, entry.version));
                    }
                    (chat, _) => {
                        return Err(BroadcastError::BadRecord {
                            chat: chat.unwrap_or_default(),
                            value: String::from_utf8_lossy(&entry.value).into_owned(),
                        })
                    }
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(records),
            }
        }
    }

    /// Counts what earlier runs did and lists the chats to send to (with the version of a
    /// `sending` record to take over, under at-least-once).
    fn plan(
        &self,
        mut records: HashMap<i64, (Record, Version)>,
    ) -> (Vec<(i64, Option<Version>)>, BroadcastReport) {
        let mut report = BroadcastReport::default();
        report.progress.total = self.chats.len();
        let mut pending = Vec::new();
        for chat in &self.chats {
            match records.remove(chat) {
                None => pending.push((*chat, None)),
                Some((Record::Sent, _)) => report.progress.sent += 1,
                Some((Record::Blocked(why), _)) => report.blocked.push((*chat, why)),
                Some((Record::Failed(why), _)) => report.failed.push((*chat, why)),
                Some((Record::Sending, version)) => match self.delivery {
                    Delivery::AtMostOnce => report.uncertain.push(*chat),
                    Delivery::AtLeastOnce => pending.push((*chat, Some(version))),
                },
            }
        }
        report.progress.blocked = report.blocked.len();
        report.progress.failed = report.failed.len();
        report.progress.uncertain = report.uncertain.len();
        report.progress.remaining = pending.len();
        tracing::info!(
            total = self.chats.len(),
            pending = pending.len(),
            done_before = self.chats.len() - pending.len(),
            "broadcast starting"
        );
        (pending, report)
    }
}

/// A chat's record in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Record {
    Sending,
    Sent,
    Blocked(String),
    Failed(String),
}

impl Record {
    fn parse(value: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(value).ok()?;
        match text {
            "sending" => Some(Record::Sending),
            "sent" => Some(Record::Sent),
            _ => {
                if let Some(why) = text.strip_prefix("blocked:") {
                    Some(Record::Blocked(why.to_owned()))
                } else {
                    text.strip_prefix("failed:")
                        .map(|why| Record::Failed(why.to_owned()))
                }
            }
        }
    }

    fn to_bytes(&self) -> Bytes {
        match self {
            Record::Sending => Bytes::from_static(b"sending"),
            Record::Sent => Bytes::from_static(b"sent"),
            Record::Blocked(why) => Bytes::from(format!("blocked:{why}")),
            Record::Failed(why) => Bytes::from(format!("failed:{why}")),
        }
    }
}

/// How one chat's send ended.
#[derive(Debug)]
enum Outcome {
    Sent,
    Blocked(String),
    Failed(String),
    /// The send may have gone through; the record stays `sending`.
    Uncertain,
    /// Another broadcast took the chat first.
    Taken,
    /// A 429 outlasted the retries; the chat is left to the next run.
    Deferred,
    StoreFailed(StoreError),
}

/// One chat's send and its records.
struct Job {
    bot: Bot,
    store: Arc<dyn Store>,
    key: String,
    chat: i64,
    expected: Option<Version>,
}

impl Job {
    async fn run<F, Fut, T>(&self, send: &F) -> Outcome
    where
        F: Fn(Bot, i64) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let key = self.key.as_bytes();
        let sending = match self
            .store
            .put(key, Record::Sending.to_bytes(), self.expected, None)
            .await
        {
            Ok(version) => version,
            Err(StoreError::Conflict { .. }) => return Outcome::Taken,
            Err(error) => return Outcome::StoreFailed(error),
        };
        let (outcome, record) = match send(self.bot.clone(), self.chat).await {
            Ok(_) => (Outcome::Sent, Record::Sent),
            Err(error) if error.is_flood() => {
                return match self.store.delete(key, sending).await {
                    Ok(_) => Outcome::Deferred,
                    Err(error) => Outcome::StoreFailed(error),
                };
            }
            Err(Error::Api {
                error_code: 403,
                description,
                ..
            }) => (
                Outcome::Blocked(description.clone()),
                Record::Blocked(description),
            ),
            Err(Error::Api { description, .. }) => (
                Outcome::Failed(description.clone()),
                Record::Failed(description),
            ),
            Err(error) => {
                tracing::warn!(chat = self.chat, %error, "broadcast send may not have gone through");
                return Outcome::Uncertain;
            }
        };
        match self
            .store
            .put(key, record.to_bytes(), Some(sending), None)
            .await
        {
            Ok(_) => outcome,
            Err(error) => Outcome::StoreFailed(error),
        }
    }
}

/// The report, shared by the send tasks.
#[derive(Debug)]
struct Shared {
    report: Mutex<BroadcastReport>,
    progress: watch::Sender<BroadcastProgress>,
    started: Instant,
    /// Chats sent to by earlier runs, left out of the rate.
    sent_before: usize,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, BroadcastReport> {
        self.report.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a send on its way.
    fn started_one(&self) {
        self.lock().progress.in_flight += 1;
        self.publish();
    }

    /// Counts one chat's outcome and publishes the progress.
    fn record(&self, chat: i64, outcome: Outcome) {
        {
            let mut report = self.lock();
            let counts = &mut report.progress;
            counts.remaining = counts.remaining.saturating_sub(1);
            counts.in_flight = counts.in_flight.saturating_sub(1);
            match outcome {
                Outcome::Sent => counts.sent += 1,
                Outcome::Blocked(why) => {
                    counts.blocked += 1;
                    report.blocked.push((chat, why));
                }
                Outcome::Failed(why) => {
                    counts.failed += 1;
                    report.failed.push((chat, why));
                }
                Outcome::Uncertain | Outcome::Taken => {
                    counts.uncertain += 1;
                    report.uncertain.push(chat);
                }
                Outcome::StoreFailed(error) => {
                    counts.failed += 1;
                    report.failed.push((chat, error.to_string()));
                }
                Outcome::Deferred => counts.remaining += 1,
            }
        }
        self.publish();
    }

    fn publish(&self) {
        let mut progress = self.lock().progress.clone();
        let elapsed = self.started.elapsed().as_secs_f64();
        let sent_now = progress.sent.saturating_sub(self.sent_before);
        progress.rate = if elapsed > 0.0 {
            sent_now as f64 / elapsed
        } else {
            0.0
        };
        self.progress.send_replace(progress);
    }

    fn log(&self, what: &str) {
        self.publish();
        let p = self.progress.borrow().clone();
        tracing::info!(
            sent = p.sent,
            blocked = p.blocked,
            failed = p.failed,
            uncertain = p.uncertain,
            remaining = p.remaining,
            rate = format_args!("{:.1}/s", p.rate),
            "{what}"
        );
    }

    fn finish(&self) -> BroadcastReport {
        self.publish();
        let mut report = self.lock().clone();
        report.progress = self.progress.borrow().clone();
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        for record in [
            Record::Sending,
            Record::Sent,
            Record::Blocked("Forbidden: bot was blocked by the user".into()),
            Record::Failed("Bad Request: chat not found".into()),
        ] {
            assert_eq!(Record::parse(&record.to_bytes()), Some(record));
        }
        assert_eq!(Record::parse(b"delivered"), None);
    }
}
