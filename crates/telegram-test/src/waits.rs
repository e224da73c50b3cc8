//! Waiting for the bot: the next call of a method, the next replies to a chat, an offset
//! confirmation. Every wait has a timeout (the server's default unless given) and fails with
//! [`WaitError`] instead of hanging.

use std::time::Duration;

use crate::error::WaitError;
use crate::record::RecordedRequest;
use crate::sim::ChatTarget;
use crate::state::Data;
use crate::FakeBotApi;

/// Nothing waiting to be fetched or confirmed, every call but long polls answered.
fn is_quiet(data: &Data) -> bool {
    data.updates.is_empty() && data.log.unanswered() == 0
}

impl FakeBotApi {
    /// The oldest executed call of `method` (case-insensitive) not handed out before; waits for
    /// it up to the default timeout. Every wait shares one mark per call (see
    /// [the cursor model](crate#one-cursor)): a call handed out here is not handed out again, by
    /// this or by [`replies_to`](Self::replies_to). The call is recorded when it arrives, so a
    /// long poll in progress is seen at once (its [`response`](RecordedRequest::response) is
    /// filled in later).
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] when no such call arrives in time; [`WaitError::Shutdown`] when the
    /// server stops.
    pub async fn next_request(&self, method: &str) -> Result<RecordedRequest, WaitError> {
        self.next_request_within(method, self.default_timeout())
            .await
    }

    /// [`next_request`](Self::next_request) with its own timeout.
    ///
    /// # Errors
    ///
    /// As [`next_request`](Self::next_request).
    pub async fn next_request_within(
        &self,
        method: &str,
        timeout: Duration,
    ) -> Result<RecordedRequest, WaitError> {
        self.state()
            .wait_until(
                || format!("the next {method} request"),
                timeout,
                |data| data.log.take_next(method),
            )
            .await
    }

    /// The oldest `n` replies to `chat` not handed out before (executed `send*` calls except
    /// `sendChatAction`, plus copies and forwards, whose `chat_id` is that chat), in arrival
    /// order; waits until that many arrived and were answered (their `response` is filled in;
    /// injected latency may still hold the answer back from the bot). Each call is handed out once,
    /// by this or by [`next_request`](Self::next_request) (see
    /// [the cursor model](crate#one-cursor)).
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] when fewer than `n` arrive in time; [`WaitError::Shutdown`] when the
    /// server stops.
    pub async fn replies_to(
        &self,
        chat: impl ChatTarget,
        n: usize,
    ) -> Result<Vec<RecordedRequest>, WaitError> {
        let chat_id = chat.target_chat_id();
        self.state()
            .wait_until(
                || format!("{n} replies to chat {chat_id}"),
                self.default_timeout(),
                |data| data.log.take_replies(chat_id, n),
            )
            .await
    }

    /// Every answered reply to `chat` not handed out before, without waiting: what the bot said
    /// since the last wait took its replies. Pair it with a wait for the bot to be idle
    /// ([`TestBot::replies`](crate::TestBot::replies) does both) to assert "no reply".
    #[must_use]
    pub fn take_replies_to(&self, chat: impl ChatTarget) -> Vec<RecordedRequest> {
        let chat_id = chat.target_chat_id();
        self.state()
            .update(|data| data.log.take_answered_replies(chat_id))
    }

    /// Waits until the server is quiet: no update waiting to be fetched or confirmed, and every
    /// call answered (a long poll in progress aside).
    pub(crate) async fn wait_quiet(&self, timeout: Duration) -> Result<(), WaitError> {
        self.state()
            .wait_until(
                || "the server to be quiet (updates confirmed, calls answered)".to_owned(),
                timeout,
                |data| is_quiet(data).then_some(()),
            )
            .await
    }

    /// Whether the server is quiet now (see [`wait_quiet`](Self::wait_quiet)).
    pub(crate) fn is_quiet(&self) -> bool {
        is_quiet(&self.state().read())
    }

    /// Waits until the bot made its first `getUpdates` call.
    pub(crate) async fn wait_polling(&self, timeout: Duration) -> Result<(), WaitError> {
        self.state()
            .wait_until(
                || "the bot's first getUpdates call".to_owned(),
                timeout,
                |data| data.log.has_polled().then_some(()),
            )
            .await
    }

    /// Waits until `getUpdates` confirmed an offset of at least `offset`.
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] when no such confirmation comes in time; [`WaitError::Shutdown`]
    /// when the server stops.
    pub async fn wait_for_offset(&self, offset: i64) -> Result<(), WaitError> {
        self.state()
            .wait_until(
                || format!("getUpdates to confirm offset {offset}"),
                self.default_timeout(),
                |data| (data.updates.confirmed_offset() >= offset).then_some(()),
            )
            .await
    }

    /// Waits until no update is pending (all fetched and confirmed, or delivered to the webhook).
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] when updates are still pending at the timeout;
    /// [`WaitError::Shutdown`] when the server stops.
    pub async fn wait_until_drained(&self) -> Result<(), WaitError> {
        self.state()
            .wait_until(
                || "all pending updates to be consumed".to_owned(),
                self.default_timeout(),
                |data| data.updates.is_empty().then_some(()),
            )
            .await
    }
}
