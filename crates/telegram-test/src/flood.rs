//! The flood model: Telegram's rate limits as the fake server enforces them ([`FloodModel`]),
//! the per-chat and global buckets that count the calls, chats flooded on purpose
//! ([`FakeBotApi::flood_chat`](crate::FakeBotApi::flood_chat)), and users who blocked the bot.
//! `http` asks [`FloodState::check`] before running a call and answers 429 when it refuses.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::chats::ChatStore;
use crate::http::Params;

/// The limits the fake server enforces, like Telegram: calls that put a message into a chat or
/// edit one (`send*` but `sendChatAction`, copies, forwards, `editMessage*`, `stopPoll`) count;
/// past a limit the call is refused with 429 `Too Many Requests: retry after N` and
/// `parameters.retry_after` (whole seconds, at least 1), and not executed.
///
/// Each limit is a bucket of `count` calls refilled at `count` per `per`: short bursts up to
/// `count` pass, a sustained rate above `count / per` does not. Private chats (positive ids)
/// and groups (negative ids) have their own limits; calls with `allow_paid_broadcast` pass the
/// paid limit instead of the global one. Scale the numbers down to keep tests fast.
///
/// ```
/// use std::time::Duration;
/// use telegram_test::FloodModel;
///
/// // Telegram's: 30/s overall, 1/s per private chat, 20/min per group, 1000/s paid.
/// let real = FloodModel::telegram();
/// // A test's: 100/s overall, 5/s per chat.
/// let scaled = FloodModel::telegram()
///     .global(100, Duration::from_secs(1))
///     .private_chat(5, Duration::from_secs(1));
/// # let _ = (real, scaled);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FloodModel {
    global: Option<Limit>,
    paid: Option<Limit>,
    private_chat: Option<Limit>,
    group_chat: Option<Limit>,
}

/// `count` calls per `per`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Limit {
    count: u32,
    per: Duration,
}

impl Limit {
    fn new(count: u32, per: Duration) -> Option<Self> {
        (count > 0 && !per.is_zero()).then_some(Limit { count, per })
    }

    fn per_second(&self) -> f64 {
        f64::from(self.count) / self.per.as_secs_f64()
    }
}

impl FloodModel {
    /// Telegram's documented limits: 30/s overall, 1/s in a private chat, 20/min in a group,
    /// 1000/s for paid broadcasts.
    #[must_use]
    pub fn telegram() -> Self {
        FloodModel {
            global: Limit::new(30, Duration::from_secs(1)),
            paid: Limit::new(1000, Duration::from_secs(1)),
            private_chat: Limit::new(1, Duration::from_secs(1)),
            group_chat: Limit::new(20, Duration::from_secs(60)),
        }
    }

    /// No limits at all (add some with the setters).
    #[must_use]
    pub fn unlimited() -> Self {
        FloodModel {
            global: None,
            paid: None,
            private_chat: None,
            group_chat: None,
        }
    }

    /// `count` counted calls per `per` overall (a `count` of 0 removes the limit).
    #[must_use]
    pub fn global(mut self, count: u32, per: Duration) -> Self {
        self.global = Limit::new(count, per);
        self
    }

    /// `count` paid-broadcast calls per `per` overall (0: no limit).
    #[must_use]
    pub fn paid_broadcast(mut self, count: u32, per: Duration) -> Self {
        self.paid = Limit::new(count, per);
        self
    }

    /// `count` counted calls per `per` in one private chat (0: no limit).
    #[must_use]
    pub fn private_chat(mut self, count: u32, per: Duration) -> Self {
        self.private_chat = Limit::new(count, per);
        self
    }

    /// `count` counted calls per `per` in one group (0: no limit).
    #[must_use]
    pub fn group_chat(mut self, count: u32, per: Duration) -> Self {
        self.group_chat = Limit::new(count, per);
        self
    }
}

/// A bucket of tokens refilled continuously.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(limit: Limit, now: Instant) -> Self {
        Bucket {
            tokens: f64::from(limit.count),
            at: now,
        }
    }

    /// Refills to `now`; `None` when a token is there, else how long until one is.
    fn wait(&mut self, limit: Limit, now: Instant) -> Option<Duration> {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * limit.per_second();
        self.tokens = (self.tokens + refill).min(f64::from(limit.count));
        self.at = now;
        (self.tokens < 1.0)
            .then(|| Duration::from_secs_f64((1.0 - self.tokens) / limit.per_second()))
    }

    fn take(&mut self) {
        self.tokens -= 1.0;
    }
}

/// The flood side of a server's state.
#[derive(Debug, Default)]
pub(crate) struct FloodState {
    model: Option<FloodModel>,
    global: Option<Bucket>,
    paid: Option<Bucket>,
    chats: HashMap<i64, Bucket>,
    /// Chats flooded on purpose, until when.
    frozen: HashMap<i64, Instant>,
    /// Why each blocked chat refuses messages (`Forbidden: …`).
    blocked: HashMap<i64, String>,
    /// Calls refused with 429 by the model or a flooded chat.
    refusals: u64,
}

impl FloodState {
    /// Enforces `model` from now on (`None`: no limits); the buckets start full.
    pub(crate) fn set_model(&mut self, model: Option<FloodModel>) {
        self.model = model;
        self.global = None;
        self.paid = None;
        self.chats.clear();
    }

    /// Answers this chat's counted calls with 429 until `until`.
    pub(crate) fn freeze(&mut self, chat: i64, until: Instant) {
        self.frozen.insert(chat, until);
    }

    /// Makes counted calls to `chat` fail with 403 `description`.
    pub(crate) fn block(&mut self, chat: i64, description: &str) {
        self.blocked.insert(chat, description.to_owned());
    }

    /// Calls refused with 429 so far.
    pub(crate) fn refusals(&self) -> u64 {
        self.refusals
    }

    /// The 403 description for a counted call to a chat that blocked the bot.
    pub(crate) fn blocked(&self, method: &str, params: &Params, chats: &ChatStore) -> Option<&str> {
        if self.blocked.is_empty() || !counts(method) {
            return None;
        }
        let chat = chat_of(params, chats)?;
        self.blocked.get(&chat).map(String::as_str)
    }

    /// Counts a call; `Some(retry_after)` in whole seconds when it must be refused.
    pub(crate) fn check(
        &mut self,
        method: &str,
        params: &Params,
        chats: &ChatStore,
    ) -> Option<u32> {
        if !counts(method) {
            return None;
        }
        let now = Instant::now();
        let chat = chat_of(params, chats);
        if let Some(until) = chat.and_then(|chat| self.frozen.get(&chat)).copied() {
            if until > now {
                return Some(self.refuse(until - now));
            }
        }
        let model = self.model.clone()?;
        let paid = params.get("allow_paid_broadcast") == Some(&Value::Bool(true));
        let (stage_limit, stage) = if paid {
            (model.paid, &mut self.paid)
        } else {
            (model.global, &mut self.global)
        };
        let chat_limit = chat.and_then(|chat| {
            if chat > 0 {
                model.private_chat
            } else {
                model.group_chat
            }
            .map(|limit| (chat, limit))
        });
        // Both buckets are checked before either is charged: a refused call costs nothing.
        let stage_wait = stage_limit.and_then(|limit| {
            stage
                .get_or_insert_with(|| Bucket::full(limit, now))
                .wait(limit, now)
        });
        let chat_wait = chat_limit.and_then(|(chat, limit)| {
            self.chats
                .entry(chat)
                .or_insert_with(|| Bucket::full(limit, now))
                .wait(limit, now)
        });
        if let Some(wait) = stage_wait.max(chat_wait) {
            return Some(self.refuse(wait));
        }
        if let Some(bucket) = stage {
            bucket.take();
        }
        if let Some(bucket) = chat_limit.and_then(|(chat, _)| self.chats.get_mut(&chat)) {
            bucket.take();
        }
        None
    }

    fn refuse(&mut self, wait: Duration) -> u32 {
        self.refusals += 1;
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        u32::try_from(seconds.max(1)).unwrap_or(u32::MAX)
    }
}

/// The chat a call addresses, by number or by a known `@username`.
fn chat_of(params: &Params, chats: &ChatStore) -> Option<i64> {
    let param = params.get("chat_id")?;
    chats.resolve(param).or_else(|| match param {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Does Telegram count `method` against the flood limits?
pub(crate) fn counts(method: &str) -> bool {
    let method = method.to_ascii_lowercase();
    (method.starts_with("send") && method != "sendchataction")
        || method.starts_with("editmessage")
        || matches!(
            method.as_str(),
            "copymessage" | "copymessages" | "forwardmessage" | "forwardmessages" | "stoppoll"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_passes_a_burst_then_the_rate() {
        let limit = Limit::new(5, Duration::from_secs(1)).unwrap_or(Limit {
            count: 1,
            per: Duration::from_secs(1),
        });
        let start = Instant::now();
        let mut bucket = Bucket::full(limit, start);
        for _ in 0..5 {
            assert_eq!(bucket.wait(limit, start), None);
            bucket.take();
        }
        let wait = bucket.wait(limit, start).unwrap_or_default();
        assert_eq!(wait, Duration::from_millis(200));
        assert_eq!(bucket.wait(limit, start + Duration::from_millis(200)), None);
    }

    #[test]
    fn sends_and_edits_count_answers_do_not() {
        assert!(counts("sendMessage"));
        assert!(counts("editMessageText"));
        assert!(counts("copyMessage"));
        assert!(!counts("sendChatAction"));
        assert!(!counts("answerCallbackQuery"));
        assert!(!counts("getUpdates"));
    }
}
