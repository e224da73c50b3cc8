//! Waiting for the bot: the next call of a method, the next replies to a chat, an offset
//! confirmation. Every wait has a timeout (the server's default unless given) and fails with
//! [`WaitError`] instead of hanging.

use std::time::Duration;

use crate::error::WaitError;
use crate::record::RecordedRequest;
use crate::sim::ChatTarget;
use crate::FakeBotApi;

impl FakeBotApi {
    /// The next executed call of `method` (case-insensitive) not handed out before, in arrival
    /// order; waits for it up to the default timeout. The call is recorded when it arrives, so a
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

    /// The next `n` replies to `chat` (executed `send*` calls except `sendChatAction`, plus
    /// copies and forwards, whose `chat_id` is that chat), in arrival order; waits until that many
    /// arrived and were answered (their `response` is filled in; injected latency may still hold
    /// the answer back from the bot). Each reply is handed out once.
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
