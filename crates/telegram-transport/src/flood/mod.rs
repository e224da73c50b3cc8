//! Flood control: [`Limits`] (Telegram's rate limits and how calls are classed) and
//! [`RateLimiter`], which a [`Bot`](crate::Bot) built with
//! [`with_rate_limit`](crate::Bot::with_rate_limit) passes every call through.
//!
//! # Brief overview
//!
//! - Each call is classed by its method ([`Limits::counts`]): sends, copies, forwards and edits
//!   count; `answerCallbackQuery`, `getUpdates`, `getMe` and every other method do not. Its chat
//!   is read from the payload's `chat_id` (`target.rs`); a `@username` is looked up once with
//!   `getChat` and remembered.
//! - A counted call with a chat waits its turn in that chat's queue (FIFO, bounded by
//!   [`Limits::max_queue_per_chat`]), for the chat's bucket (private chats and groups have their
//!   own rates, told apart by the sign of the id), then for the global bucket (FIFO across
//!   chats), or the paid-broadcast bucket when the call sets `allow_paid_broadcast`
//!   (`buckets.rs`).
//! - A 429 freezes the chat of the call for its `retry_after`; other chats keep sending. A 429
//!   on a call without a chat, or 429s on [`Limits::global_flood_threshold`] different chats
//!   within its window, freeze the global bucket instead (`freeze.rs`).
//!
//! Admissions are evenly spaced: 30/s globally means one call every 33 ms, not 30 at once and
//! then a pause, so the server never sees a burst. (The global bucket holds two calls, so that
//! timer ticks do not slow it: two may go back to back, never more; see `buckets.rs`.)
//!
//! # Cancel safety
//!
//! Waiting holds no reservation: a call dropped while it waits leaves its queue at once and
//! consumes nothing. A call is charged to its buckets only at the moment it is let through.

mod buckets;
mod clock;
mod freeze;
mod limiter;
mod target;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

pub use limiter::RateLimiter;
pub(crate) use target::CallTarget;

/// A rate: `count` calls per `per`, let through evenly spaced (`per / count` apart).
///
/// ```
/// use std::time::Duration;
/// use telegram_transport::Rate;
///
/// assert_eq!(Rate::per_minute(20).interval(), Duration::from_secs(3));
/// assert_eq!(Rate::per_second(4).interval(), Duration::from_millis(250));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    count: NonZeroU32,
    per: Duration,
}

impl Rate {
    /// `count` calls per `per`; a `count` of 0 is taken as 1.
    pub fn new(count: u32, per: Duration) -> Self {
        Rate {
            count: NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN),
            per,
        }
    }

    /// `count` calls per second.
    pub fn per_second(count: u32) -> Self {
        Self::new(count, Duration::from_secs(1))
    }

    /// `count` calls per minute.
    pub fn per_minute(count: u32) -> Self {
        Self::new(count, Duration::from_secs(60))
    }

    /// The time between two calls let through.
    pub fn interval(&self) -> Duration {
        self.per / self.count.get()
    }

    /// Calls per second, for reports.
    pub fn per_second_f64(&self) -> f64 {
        f64::from(self.count.get()) / self.per.as_secs_f64()
    }
}

/// The limits a [`RateLimiter`] enforces and which calls they apply to.
///
/// [`Limits::telegram`] holds Telegram's documented limits; tests against a fake server use
/// scaled-down ones.
///
/// ```
/// use telegram_transport::{Limits, Rate};
///
/// let limits = Limits::telegram()
///     .private_chat(Rate::per_second(1))
///     .exempt("sendChatAction")
///     .count("setMessageReaction");
/// assert!(limits.counts("sendMessage"));
/// assert!(limits.counts("editMessageText"));
/// assert!(limits.counts("setMessageReaction"));
/// assert!(!limits.counts("answerCallbackQuery"));
/// assert!(!limits.counts("getUpdates"));
/// ```
#[derive(Debug, Clone)]
pub struct Limits {
    pub(crate) global: Rate,
    pub(crate) paid: Rate,
    pub(crate) private_chat: Rate,
    pub(crate) group_chat: Rate,
    pub(crate) max_queue_per_chat: usize,
    pub(crate) flood_chats: usize,
    pub(crate) flood_window: Duration,
    /// Methods classed against the default rule (`true`: counted).
    overrides: HashMap<String, bool>,
}

impl Limits {
    /// Telegram's limits: 30 messages/s overall, 1/s in a private chat, 20/min in a group,
    /// 1000/s for paid broadcasts; 1024 calls may wait per chat; 429s on 3 chats within 1 s
    /// freeze the global bucket.
    pub fn telegram() -> Self {
        Limits {
            global: Rate::per_second(30),
            paid: Rate::per_second(1000),
            private_chat: Rate::per_second(1),
            group_chat: Rate::per_minute(20),
            max_queue_per_chat: 1024,
            flood_chats: 3,
            flood_window: Duration::from_secs(1),
            overrides: HashMap::new(),
        }
    }

    /// The rate of all counted calls together (default 30/s).
    #[must_use]
    pub fn global(mut self, rate: Rate) -> Self {
        self.global = rate;
        self
    }

    /// The rate of calls with `allow_paid_broadcast` set, instead of the global one (default
    /// 1000/s). Their chats' own limits still apply.
    #[must_use]
    pub fn paid_broadcast(mut self, rate: Rate) -> Self {
        self.paid = rate;
        self
    }

    /// The rate in one private chat (a positive chat id; default 1/s).
    #[must_use]
    pub fn private_chat(mut self, rate: Rate) -> Self {
        self.private_chat = rate;
        self
    }

    /// The rate in one group, supergroup or channel (a negative chat id; default 20/min).
    #[must_use]
    pub fn group_chat(mut self, rate: Rate) -> Self {
        self.group_chat = rate;
        self
    }

    /// How many calls may wait for one chat (default 1024); one more fails at once with
    /// [`Error::FloodQueueFull`](crate::Error::FloodQueueFull). A value of 0 is taken as 1.
    #[must_use]
    pub fn max_queue_per_chat(mut self, max: usize) -> Self {
        self.max_queue_per_chat = max.max(1);
        self
    }

    /// When 429s mean the whole bot is over its limit: after 429s on `chats` different chats
    /// within `window` (default 3 within 1 s), the global bucket is frozen too. With 1, every
    /// 429 freezes the whole bot (what python-telegram-bot and teloxide do).
    #[must_use]
    pub fn global_flood_threshold(mut self, chats: usize, window: Duration) -> Self {
        self.flood_chats = chats.max(1);
        self.flood_window = window;
        self
    }

    /// Counts calls of `method` (the API name, e.g. `"setMessageReaction"`).
    #[must_use]
    pub fn count(mut self, method: &str) -> Self {
        self.overrides.insert(method.to_owned(), true);
        self
    }

    /// Lets calls of `method` through unlimited.
    #[must_use]
    pub fn exempt(mut self, method: &str) -> Self {
        self.overrides.insert(method.to_owned(), false);
        self
    }

    /// Whether calls of `method` are limited: the overrides, else the default rule (sends but
    /// `sendChatAction`, copies, forwards, `editMessage*`, `stopPoll`).
    pub fn counts(&self, method: &str) -> bool {
        match self.overrides.get(method) {
            Some(counted) => *counted,
            None => counted_by_default(method),
        }
    }

    /// The rate of a chat: private for a positive id, group otherwise.
    pub(crate) fn chat_rate(&self, chat: i64) -> Rate {
        if chat > 0 {
            self.private_chat
        } else {
            self.group_chat
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::telegram()
    }
}

/// The methods that put a message into a chat or change one.
fn counted_by_default(method: &str) -> bool {
    if method == "sendChatAction" {
        return false;
    }
    method.starts_with("send")
        || method.starts_with("editMessage")
        || method.starts_with("editEphemeralMessage")
        || matches!(
            method,
            "copyMessage"
                | "copyMessages"
                | "forwardMessage"
                | "forwardMessages"
                | "stopPoll"
                | "stopMessageLiveLocation"
        )
}
