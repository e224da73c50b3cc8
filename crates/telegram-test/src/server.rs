//! [`FakeBotApi`]: starting and stopping the fake server, its identity (URL, token, bot user),
//! simulated users and chats, pushing updates, reading the request log and injecting faults.
//! Waiting for the bot's calls lives in `waits`; the HTTP side in `http`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::fault::{Fault, Schedule};
use crate::flood::FloodModel;
use crate::record::RecordedRequest;
use crate::sim::ChatTarget;
use crate::sim::{SimChat, SimUser};
use crate::state::State;

/// The token a server answers to unless told otherwise.
const DEFAULT_TOKEN: &str = "123456789:TEST-TOKEN";

/// A fake Telegram Bot API server on `127.0.0.1`, for tests.
///
/// Cheap to clone (an `Arc` inside); the server stops when the last clone (including those held
/// by [`SimUser`]s and [`SimChat`]s) is dropped, or on [`shutdown`](Self::shutdown).
///
/// See the [crate docs](crate) for what it serves and an example.
#[derive(Debug, Clone)]
pub struct FakeBotApi {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: Arc<State>,
    addr: SocketAddr,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

/// Configures a [`FakeBotApi`] before starting it.
#[derive(Debug, Clone)]
pub struct FakeBotApiBuilder {
    token: String,
    bot_username: String,
    bot_first_name: String,
    default_timeout: Duration,
    webhook_retry_delay: Duration,
    webhook_timeout: Duration,
    flood_model: Option<FloodModel>,
}

impl Default for FakeBotApiBuilder {
    fn default() -> Self {
        Self {
            token: DEFAULT_TOKEN.to_owned(),
            bot_username: "TestBot".to_owned(),
            bot_first_name: "Test Bot".to_owned(),
            default_timeout: Duration::from_secs(5),
            webhook_retry_delay: Duration::from_millis(100),
            webhook_timeout: Duration::from_secs(10),
            flood_model: None,
        }
    }
}

impl FakeBotApiBuilder {
    /// The token the server accepts (`<bot id>:<secret>`; the digits before `:` become the bot
    /// user's id). Default `123456789:TEST-TOKEN`.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The bot's username, without `@`. Default `TestBot`.
    #[must_use]
    pub fn bot_username(mut self, username: impl Into<String>) -> Self {
        self.bot_username = username.into();
        self
    }

    /// The bot's first name. Default `Test Bot`.
    #[must_use]
    pub fn bot_first_name(mut self, first_name: impl Into<String>) -> Self {
        self.bot_first_name = first_name.into();
        self
    }

    /// How long waits last before failing with [`WaitError`](crate::WaitError). Default 5 s.
    #[must_use]
    pub fn default_timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// How long the server waits before retrying a failed webhook delivery. Default 100 ms
    /// (Telegram waits much longer; tests should not).
    #[must_use]
    pub fn webhook_retry_delay(mut self, delay: Duration) -> Self {
        self.webhook_retry_delay = delay;
        self
    }

    /// How long a webhook delivery waits for the answer before it counts as failed (and the
    /// update is redelivered). Default 10 s.
    #[must_use]
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// Enforces Telegram's rate limits as `model` says (default: none), answering 429 with
    /// `retry_after` past them.
    #[must_use]
    pub fn flood_model(mut self, model: FloodModel) -> Self {
        self.flood_model = Some(model);
        self
    }

    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound; use [`try_start`](Self::try_start) to handle that.
    pub async fn start(self) -> FakeBotApi {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("the fake Bot API could not bind 127.0.0.1:0: {e}"),
        }
    }

    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn try_start(self) -> std::io::Result<FakeBotApi> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let bot_id: i64 = self
            .token
            .split_once(':')
            .and_then(|(id, _)| id.parse().ok())
            .unwrap_or(123_456_789);
        let bot_user = json!({
            "id": bot_id,
            "is_bot": true,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": true,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        });
        let state = Arc::new(State::new(self.token, bot_user, self.webhook_retry_delay));
        state.update(|data| {
            data.default_timeout = self.default_timeout;
            data.flood.set_model(self.flood_model);
            data.sender.timeout = self.webhook_timeout;
        });
        let tasks = vec![
            tokio::spawn(crate::http::serve(listener, Arc::clone(&state))),
            tokio::spawn(crate::webhook::run(Arc::clone(&state))),
        ];
        tracing::debug!(%addr, "fake Bot API started");
        Ok(FakeBotApi {
            inner: Arc::new(Inner {
                state,
                addr,
                tasks: Mutex::new(tasks),
            }),
        })
    }
}

impl FakeBotApi {
    /// Starts a server with the default token (`123456789:TEST-TOKEN`) and bot (`@TestBot`).
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn start() -> FakeBotApi {
        FakeBotApiBuilder::default().start().await
    }

    /// A builder to set the token, the bot's name and timeouts.
    #[must_use]
    pub fn builder() -> FakeBotApiBuilder {
        FakeBotApiBuilder::default()
    }

    pub(crate) fn state(&self) -> &State {
        &self.inner.state
    }

    /// The API base URL, e.g. `http://127.0.0.1:41234`; calls go to `{url}/bot{token}/{method}`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// The socket address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// The one token the server accepts.
    #[must_use]
    pub fn token(&self) -> String {
        self.state().token.clone()
    }

    /// The `User` object `getMe` returns.
    #[must_use]
    pub fn bot_user(&self) -> Value {
        self.state().bot_user.clone()
    }

    /// The bot's user id.
    #[must_use]
    pub fn bot_id(&self) -> i64 {
        self.state()
            .bot_user
            .get("id")
            .and_then(Value::as_i64)
            .unwrap_or_default()
    }

    /// The download URL of a `file_path` from `getFile`: `{url}/file/bot{token}/{file_path}`.
    #[must_use]
    pub fn file_url(&self, file_path: &str) -> String {
        format!("{}/file/bot{}/{file_path}", self.url(), self.state().token)
    }

    /// The simulated user called `name` (same name, same user and id), in its private chat.
    #[must_use]
    pub fn user(&self, name: &str) -> SimUser {
        self.make_user(name, None)
    }

    /// The simulated user called `name` with the id `id` (when free; a bot may know it in
    /// advance, as a developer's chat id), in its private chat. A user already made under that
    /// name keeps its id.
    #[must_use]
    pub fn user_with_id(&self, name: &str, id: i64) -> SimUser {
        self.make_user(name, Some(id))
    }

    fn make_user(&self, name: &str, id: Option<i64>) -> SimUser {
        let (user, chat) = self.state().update(|data| {
            let user = match id {
                Some(id) => data.chats.user_with_id(name, id),
                None => data.chats.user(name),
            };
            let id = user.get("id").and_then(Value::as_i64).unwrap_or_default();
            let chat = data.chats.chat(id).cloned().unwrap_or_default();
            (user, chat)
        });
        SimUser {
            server: self.clone(),
            user,
            chat,
        }
    }

    /// The simulated supergroup called `name` (same name, same chat).
    #[must_use]
    pub fn group(&self, name: &str) -> SimChat {
        let chat = self.state().update(|data| data.chats.group(name));
        SimChat {
            server: self.clone(),
            chat,
        }
    }

    /// Enqueues any update object; assigns `update_id` when absent and returns it. Raw objects
    /// let tests inject kinds the types do not know, or malformed content.
    ///
    /// # Panics
    ///
    /// When an id must be assigned after an update with `update_id = i64::MAX` was queued:
    /// there is no later id.
    pub fn push_update(&self, update: Value) -> i64 {
        self.state().update(|data| data.updates.push(update))
    }

    /// Enqueues text sent verbatim inside the `getUpdates` result array (or as a webhook body),
    /// e.g. deliberately malformed JSON. Its `update_id` is read from it when possible, else
    /// assigned; the assigned id is returned. An id given as a string or a float holding an
    /// integer (`"7"`, `7.0`) is read too.
    ///
    /// # Panics
    ///
    /// As [`push_update`](Self::push_update).
    pub fn push_raw_update_json(&self, json: impl Into<String>) -> i64 {
        let json = json.into();
        self.state().update(|data| data.updates.push_raw(json))
    }

    /// Updates waiting to be fetched (not yet confirmed or delivered).
    #[must_use]
    pub fn pending_updates(&self) -> usize {
        self.state().read().updates.len()
    }

    /// The highest offset confirmed by `getUpdates` (0 before any).
    #[must_use]
    pub fn confirmed_offset(&self) -> i64 {
        self.state().read().updates.confirmed_offset()
    }

    /// Every executed call so far, in arrival order (calls stopped by a fault are in
    /// [`faulted_requests`](Self::faulted_requests) instead).
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().read().log.all()
    }

    /// Executed calls of `method` (case-insensitive), in arrival order.
    #[must_use]
    pub fn requests_for(&self, method: &str) -> Vec<RecordedRequest> {
        self.state().read().log.for_method(method)
    }

    /// Calls a fault kept from running (429, 5xx, dropped connection), in arrival order.
    #[must_use]
    pub fn faulted_requests(&self) -> Vec<RecordedRequest> {
        self.state().read().log.faulted()
    }

    /// Injects `fault` into calls of `method` (case-insensitive; `"*"` for every method) on
    /// `schedule`. Rules stack: latencies add up; the first 429/5xx/drop rule that hits wins.
    pub fn inject(&self, method: &str, fault: Fault, schedule: Schedule) {
        self.state()
            .update(|data| data.faults.inject(method, fault, schedule));
    }

    /// Enforces `model` from now on (`None`: no flood limits); every bucket starts full.
    pub fn set_flood_model(&self, model: Option<FloodModel>) {
        self.state().update(|data| data.flood.set_model(model));
    }

    /// Floods `chat` on purpose: its counted calls (sends, edits, …) answer 429 with the time
    /// left as `retry_after` until `duration` has passed, whatever the flood model.
    pub fn flood_chat(&self, chat: impl ChatTarget, duration: Duration) {
        let until = tokio::time::Instant::now() + duration;
        let chat = chat.target_chat_id();
        self.state().update(|data| data.flood.freeze(chat, until));
    }

    /// Makes counted calls to `chat` fail with 403 and `description` (e.g.
    /// `"Forbidden: bot was blocked by the user"`, `"Forbidden: user is deactivated"`).
    pub fn refuse_chat(&self, chat: impl ChatTarget, description: &str) {
        let chat = chat.target_chat_id();
        self.state()
            .update(|data| data.flood.block(chat, description));
    }

    /// Calls answered 429 by the flood model or a flooded chat so far (injected
    /// [`Fault::RetryAfter`]s not included).
    #[must_use]
    pub fn flood_refusals(&self) -> u64 {
        self.state().read().flood.refusals()
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.state().update(|data| data.faults.clear());
    }

    /// How long waits last from now on (default 5 s), for every clone of this server.
    pub fn set_default_timeout(&self, timeout: Duration) {
        self.state().update(|data| data.default_timeout = timeout);
    }

    /// The current wait timeout.
    #[must_use]
    pub fn default_timeout(&self) -> Duration {
        self.state().read().default_timeout
    }

    /// The webhook URL set by `setWebhook`, if any.
    #[must_use]
    pub fn webhook_url(&self) -> Option<String> {
        self.state()
            .read()
            .webhook
            .as_ref()
            .map(|hook| hook.url.clone())
    }

    /// Stops the server now and waits for its tasks to end. Open long polls and waits end;
    /// later calls to the URL are refused. Idempotent.
    pub async fn shutdown(&self) {
        self.state().shutdown.cancel();
        let tasks = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for task in tasks {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "fake Bot API task failed");
            }
        }
    }
}
