//! [`RateLimiter`]: the order of the steps a counted call takes (its chat's queue and bucket,
//! then the global or paid bucket), what a 429 freezes, and the `@username` lookups.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use telegram_types::methods::GetChat;
use telegram_types::Recipient;
use tokio::time::{sleep_until, Instant};

use super::buckets::{ChatTable, Stage};
use super::freeze::FloodLog;
use super::{CallTarget, Limits};
use crate::bot::{send_unlimited, Bot};
use crate::error::Error;

/// The most `@username`s remembered; past it the cache starts afresh.
const MAX_USERNAMES: usize = 4096;

/// Keeps a bot's calls within Telegram's rate limits; see [`Limits`](crate::Limits) for what
/// is limited and how.
///
/// A [`Bot`] built with [`with_rate_limit`](Bot::with_rate_limit) owns one and passes every
/// call through it; its clones share it. [`until_ready`](Self::until_ready) and
/// [`report_flood`](Self::report_flood) are the same steps for calls made some other way.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), telegram_transport::Error> {
/// use std::time::Duration;
/// use telegram_transport::{Limits, Rate, RateLimiter};
/// use tokio::time::Instant;
///
/// let limits = Limits::telegram()
///     .global(Rate::per_second(25))
///     .private_chat(Rate::per_second(1));
/// let limiter = RateLimiter::new(limits);
/// let start = Instant::now();
/// limiter.until_ready(Some(42), false).await?;
/// limiter.until_ready(Some(7), false).await?; // another chat: only the global bucket
/// limiter.until_ready(Some(8), false).await?; // 25/s: 40 ms apart (two may go at once)
/// assert_eq!(start.elapsed(), Duration::from_millis(40));
/// limiter.until_ready(Some(42), false).await?; // chat 42 again: a second after its first
/// assert_eq!(start.elapsed(), Duration::from_secs(1));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    limits: Limits,
    global: Stage,
    paid: Stage,
    chats: ChatTable,
    usernames: Mutex<HashMap<String, i64>>,
    floods: Mutex<FloodLog>,
}

/// What a call was let through as: a 429 on it applies to this.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admission {
    counted: bool,
    chat: Option<i64>,
    paid: bool,
}

impl RateLimiter {
    /// A limiter enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        RateLimiter {
            global: Stage::new(limits.global),
            paid: Stage::new(limits.paid),
            chats: ChatTable::new(),
            usernames: Mutex::new(HashMap::new()),
            floods: Mutex::new(FloodLog::default()),
            limits,
        }
    }

    /// The limits it enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Waits until a counted call to `chat` (`None`: a call with no chat) may go, and charges
    /// it to the buckets: the chat's, then the global one (the paid-broadcast one when `paid`).
    ///
    /// # Errors
    ///
    /// [`Error::FloodQueueFull`] at once when [`Limits::max_queue_per_chat`] calls already wait
    /// for `chat`.
    ///
    /// # Cancel safety
    ///
    /// Dropped before it returns, it charges nothing and leaves the queue.
    pub async fn until_ready(&self, chat: Option<i64>, paid: bool) -> Result<(), Error> {
        let stage = if paid { &self.paid } else { &self.global };
        let Some(chat) = chat else {
            stage.admit().await;
            return Ok(());
        };
        let slot = self
            .chats
            .slot(chat, self.limits.chat_rate(chat).interval());
        let _place = slot
            .enqueue(self.limits.max_queue_per_chat)
            .map_err(|queued| Error::FloodQueueFull {
                chat,
                queued,
                limit: self.limits.max_queue_per_chat,
            })?;
        let _turn = slot.turn.lock().await;
        loop {
            let ready_at = slot.ready_at();
            if ready_at > Instant::now() {
                sleep_until(ready_at).await;
                continue;
            }
            stage.admit().await;
            // A 429 may have frozen the chat while this call waited for the global bucket;
            // the global slot is then spent, which only makes the bot a little slower.
            if slot.try_take(Instant::now()) {
                return Ok(());
            }
        }
    }

    /// Applies a 429 answered `retry_after` to a call to `chat`: that chat waits that long;
    /// with no chat, or when it makes [`Limits::global_flood_threshold`] chats, the global
    /// (or paid) bucket waits too.
    pub fn report_flood(&self, chat: Option<i64>, paid: bool, retry_after: Duration) {
        let now = Instant::now();
        let until = now + retry_after;
        let stage = if paid { &self.paid } else { &self.global };
        let Some(chat) = chat else {
            tracing::warn!(?retry_after, "429 on a call without a chat: all sends wait");
            stage.freeze(until);
            return;
        };
        self.chats
            .slot(chat, self.limits.chat_rate(chat).interval())
            .freeze(until);
        let global = self
            .floods
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(chat, now, self.limits.flood_window, self.limits.flood_chats);
        if global {
            tracing::warn!(
                ?retry_after,
                chats = self.limits.flood_chats,
                "429s on several chats: all sends wait"
            );
            stage.freeze(until);
        } else {
            tracing::info!(chat, ?retry_after, "429: this chat waits");
        }
    }

    /// Until when calls to `chat` wait after a 429, if they do.
    pub fn frozen_until(&self, chat: i64) -> Option<Instant> {
        self.chats.get(chat)?.frozen_until()
    }

    /// Until when every counted call waits after a global flood, if it does.
    pub fn global_frozen_until(&self) -> Option<Instant> {
        self.global.frozen_until()
    }

    /// How many chats the limiter tracks now: those with calls waiting, or sent to within their
    /// interval (idle chats are dropped as the table grows, and at least every minute).
    pub fn tracked_chats(&self) -> usize {
        self.chats.len()
    }

    /// Lets a call to `target` through, as [`Bot`] does before each attempt.
    pub(crate) async fn admit(&self, bot: &Bot, target: &CallTarget) -> Result<Admission, Error> {
        if !self.limits.counts(target.method) {
            return Ok(Admission {
                counted: false,
                chat: None,
                paid: false,
            });
        }
        let chat = match &target.chat {
            Some(recipient) => self.chat_id(bot, recipient).await,
            None => None,
        };
        self.until_ready(chat, target.paid).await?;
        Ok(Admission {
            counted: true,
            chat,
            paid: target.paid,
        })
    }

    /// Applies a 429 on a call let through as `admission`.
    pub(crate) fn flooded(&self, admission: &Admission, retry_after: Duration) {
        if admission.counted {
            self.report_flood(admission.chat, admission.paid, retry_after);
        }
    }

    /// The numeric id of `recipient`; a `@username` is looked up with `getChat` once. A failed
    /// lookup is not remembered, and the call is then limited by the global bucket only.
    async fn chat_id(&self, bot: &Bot, recipient: &Recipient) -> Option<i64> {
        let name = match recipient {
            Recipient::Id(id) => return Some(*id),
            Recipient::Username(name) => name,
        };
        if let Some(id) = self.usernames().get(name) {
            return Some(*id);
        }
        // Sent directly: through the bot's call path it would lead back here.
        match send_unlimited(bot, &GetChat::new(name.clone())).await {
            Ok(chat) => {
                let mut usernames = self.usernames();
                if usernames.len() >= MAX_USERNAMES {
                    usernames.clear();
                }
                usernames.insert(name.clone(), chat.id);
                Some(chat.id)
            }
            Err(error) => {
                tracing::warn!(chat = %name, %error, "getChat failed: the call gets no chat limit");
                None
            }
        }
    }

    fn usernames(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.usernames
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::task::JoinSet;
    use tokio::time::{advance, timeout};

    use super::*;
    use crate::flood::Rate;

    fn limits() -> Limits {
        Limits::telegram()
            .global(Rate::per_second(100))
            .private_chat(Rate::per_second(5))
            .group_chat(Rate::per_minute(20))
    }

    #[tokio::test(start_paused = true)]
    async fn one_chat_is_served_in_order_at_its_rate() {
        let limiter = Arc::new(RateLimiter::new(limits()));
        let start = Instant::now();
        let mut waits = Vec::new();
        for i in 0..4u32 {
            let limiter = Arc::clone(&limiter);
            waits.push(tokio::spawn(async move {
                limiter
                    .until_ready(Some(42), false)
                    .await
                    .map(|()| (i, start.elapsed()))
            }));
            // Let the task join the queue before the next one is spawned.
            tokio::task::yield_now().await;
        }
        let mut went = Vec::new();
        for wait in waits {
            went.push(wait.await.expect("task").expect("admitted"));
        }
        went.sort_by_key(|(_, at)| *at);
        let order: Vec<u32> = went.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, [0, 1, 2, 3]);
        let times: Vec<Duration> = went.iter().map(|(_, at)| *at).collect();
        assert_eq!(
            times,
            [0, 200, 400, 600].map(Duration::from_millis),
            "5/s: 200 ms apart"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn groups_get_the_group_rate() {
        let limiter = RateLimiter::new(limits());
        let start = Instant::now();
        limiter.until_ready(Some(-1001), false).await.unwrap();
        limiter.until_ready(Some(-1001), false).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3), "20/min: 3 s apart");
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_refuses_at_once() {
        let limiter = Arc::new(RateLimiter::new(limits().max_queue_per_chat(2)));
        limiter.until_ready(Some(1), false).await.unwrap();
        let mut waiting = Vec::new();
        for _ in 0..2 {
            let limiter = Arc::clone(&limiter);
            waiting.push(tokio::spawn(async move {
                limiter.until_ready(Some(1), false).await
            }));
            tokio::task::yield_now().await;
        }
        let refused = limiter.until_ready(Some(1), false).await.unwrap_err();
        assert!(
            matches!(
                refused,
                Error::FloodQueueFull {
                    chat: 1,
                    queued: 2,
                    limit: 2
                }
            ),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "2 calls already wait for chat 1 (the limit is 2); not sent"
        );
        // Other chats are not affected, and the queue drains.
        limiter.until_ready(Some(2), false).await.unwrap();
        for wait in waiting {
            wait.await.unwrap().unwrap();
        }
        limiter.until_ready(Some(1), false).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_wait_leaves_nothing_behind() {
        let limiter = RateLimiter::new(limits().max_queue_per_chat(1));
        limiter.until_ready(Some(7), false).await.unwrap();
        // The next call must wait 200 ms; it is dropped after 50.
        let dropped = timeout(
            Duration::from_millis(50),
            limiter.until_ready(Some(7), false),
        )
        .await;
        assert!(dropped.is_err());
        // It left the queue (the limit is 1) and took no slot: the next call goes at 200 ms.
        let start = Instant::now();
        limiter.until_ready(Some(7), false).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(150));
    }

    #[tokio::test(start_paused = true)]
    async fn a_flood_freezes_only_its_chat() {
        // 50 chats at 5/s could send 250/s; the global 100/s is the cap.
        let limiter = Arc::new(RateLimiter::new(limits()));
        let start = Instant::now();
        limiter.until_ready(Some(1), false).await.unwrap();
        limiter.report_flood(Some(1), false, Duration::from_secs(3));
        let frozen = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move {
                limiter
                    .until_ready(Some(1), false)
                    .await
                    .map(|()| start.elapsed())
            })
        };
        let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut others = JoinSet::new();
        for chat in 2..52 {
            let (limiter, sent) = (Arc::clone(&limiter), Arc::clone(&sent));
            others.spawn(async move {
                while start.elapsed() < Duration::from_secs(3) {
                    limiter.until_ready(Some(chat), false).await.unwrap();
                    if start.elapsed() < Duration::from_secs(3) {
                        sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
        while others.join_next().await.is_some() {}
        let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
        // The global bucket let one call through every 10 ms for 3 s (the first two at once).
        assert!(
            (299..=301).contains(&sent),
            "{sent} sends during the freeze"
        );
        assert_eq!(limiter.global_frozen_until(), None);
        let resumed = frozen.await.unwrap().unwrap();
        assert!(
            resumed >= Duration::from_secs(3),
            "chat 1 resumed at {resumed:?}"
        );
        // It queued for the global bucket behind at most the 50 others' heads.
        assert!(
            resumed <= Duration::from_millis(3500),
            "chat 1 resumed at {resumed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn floods_on_many_chats_freeze_everything() {
        let limiter = RateLimiter::new(limits());
        limiter.report_flood(Some(1), false, Duration::from_secs(2));
        limiter.report_flood(Some(2), false, Duration::from_secs(2));
        assert_eq!(limiter.global_frozen_until(), None);
        limiter.report_flood(Some(3), false, Duration::from_secs(2));
        assert!(limiter.global_frozen_until().is_some());
        let start = Instant::now();
        limiter.until_ready(Some(99), false).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // A 429 on a call without a chat freezes everything at once.
        limiter.report_flood(None, false, Duration::from_secs(1));
        let start = Instant::now();
        limiter.until_ready(Some(98), false).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn paid_broadcasts_have_their_own_bucket() {
        let limiter = RateLimiter::new(
            limits()
                .global(Rate::per_second(1))
                .paid_broadcast(Rate::per_second(1000)),
        );
        let start = Instant::now();
        for chat in 0..100 {
            limiter.until_ready(Some(chat), true).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_millis(98));
        // The global bucket was not touched.
        limiter.until_ready(Some(500), false).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(98));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_chats_are_freed() {
        let limiter = RateLimiter::new(
            limits()
                .global(Rate::per_second(1000))
                .private_chat(Rate::new(1, Duration::from_secs(100))),
        );
        for chat in 1..=3000 {
            limiter.until_ready(Some(chat), false).await.unwrap();
        }
        // Within their interval the chats are kept: their next call must still wait.
        assert_eq!(limiter.tracked_chats(), 3000);
        advance(Duration::from_secs(100)).await;
        limiter.until_ready(Some(1), false).await.unwrap();
        assert_eq!(limiter.tracked_chats(), 1);
    }
}
