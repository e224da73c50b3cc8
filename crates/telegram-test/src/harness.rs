//! [`TestBot`]: a `telegram_ext::Application` running against a fake server, started, waited on
//! and stopped in one call each. The server, the simulated users and the waits live in the rest
//! of the crate; this file only runs the application and decides when it is idle.

use std::fmt;
use std::time::Duration;

use telegram_ext::{Application, ApplicationBuilder, BuildError, PollingConfig, RunError};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::{HarnessError, WaitError};
use crate::record::RecordedRequest;
use crate::sim::{ChatTarget, SimChat, SimUser};
use crate::FakeBotApi;

/// How long the bot's long polls last: short, so nothing lingers if a stop is lost.
const LONG_POLL: Duration = Duration::from_secs(1);

/// How often [`TestBot::idle`] looks at the application's counters while it is busy. The
/// counters have no change notification; the server side is awaited, not polled.
const IDLE_TICK: Duration = Duration::from_millis(1);

/// A bot under test: an [`Application`] polling a [`FakeBotApi`] in the background.
///
/// - [`start`](Self::start) builds the application against a new server (token and base URL
///   set) and starts polling: the bot is running when it returns.
/// - Users are simulated with [`user`](Self::user) and [`group`](Self::group).
/// - [`replies`](Self::replies) waits until the bot is [idle](Self::idle) and hands out what it
///   said to a chat: an empty list is a "no reply", decided at once instead of after a timeout.
///   [`replies_to`](Self::replies_to) waits for a known number of replies.
/// - [`stop`](Self::stop) stops the bot gracefully and reports how the run ended.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::prelude::*;
/// use telegram_test::TestBot;
///
/// async fn echo(update: Arc<Update>, ctx: Context) -> HandlerResult {
///     let text = update.effective_message().and_then(|m| m.text.clone());
///     ctx.reply(text.unwrap_or_default())?.await?;
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let bot = TestBot::start(|builder| {
///     let app = builder.build()?;
///     app.add_handler(MessageHandler::new(filters::TEXT, echo), 0);
///     Ok(app)
/// })
/// .await?;
/// let alice = bot.user("alice");
///
/// alice.send_text("hello").await;
/// assert_eq!(bot.reply_texts(&alice).await?, ["hello"]);
///
/// alice.send_photo().await; // not text: the bot says nothing
/// assert!(bot.replies(&alice).await?.is_empty());
///
/// bot.stop().await?;
/// # Ok(())
/// # }
/// ```
pub struct TestBot<S = ()> {
    server: FakeBotApi,
    app: Application<S>,
    runner: Option<JoinHandle<Result<(), RunError>>>,
}

impl<S: Send + Sync + 'static> TestBot<S> {
    /// Starts a fake server, builds the application with `build` from a builder that already
    /// points at it, and starts polling. Returns once the bot made its first `getUpdates` call
    /// (initialization and `post_init` are done).
    ///
    /// # Errors
    ///
    /// [`HarnessError::Build`] from `build`; [`HarnessError::Run`] when the run ends before it
    /// polls (a bad token, say); [`HarnessError::Wait`] when it does not poll within the server's
    /// default timeout.
    pub async fn start<F>(build: F) -> Result<Self, HarnessError>
    where
        F: FnOnce(ApplicationBuilder<()>) -> Result<Application<S>, BuildError>,
    {
        Self::start_on(FakeBotApi::start().await, build).await
    }

    /// [`start`](Self::start) on a server of your own (a token, a bot name, timeouts, faults).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub async fn start_on<F>(server: FakeBotApi, build: F) -> Result<Self, HarnessError>
    where
        F: FnOnce(ApplicationBuilder<()>) -> Result<Application<S>, BuildError>,
    {
        let app = build(server.application())?;
        Self::run(server, app).await
    }

    /// Runs an application already built against `server` (see [`FakeBotApi::application`]).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub async fn run(server: FakeBotApi, app: Application<S>) -> Result<Self, HarnessError> {
        let config = PollingConfig::default()
            .timeout(LONG_POLL)
            .stop_signals(false);
        let runner = tokio::spawn({
            let app = app.clone();
            async move { app.run_polling(config).await }
        });
        let mut bot = TestBot {
            server,
            app,
            runner: Some(runner),
        };
        bot.wait_started().await?;
        Ok(bot)
    }

    /// Waits for the first `getUpdates`, or for the run to end early with its error.
    async fn wait_started(&mut self) -> Result<(), HarnessError> {
        let timeout = self.server.default_timeout();
        let Some(runner) = self.runner.as_mut() else {
            return Ok(());
        };
        tokio::select! {
            polled = self.server.wait_polling(timeout) => Ok(polled?),
            ended = runner => {
                self.runner = None;
                ended??;
                Err(HarnessError::EndedEarly)
            }
        }
    }

    /// The fake server.
    #[must_use]
    pub fn server(&self) -> &FakeBotApi {
        &self.server
    }

    /// The application under test (its state, counters, `stop_running`).
    #[must_use]
    pub fn app(&self) -> &Application<S> {
        &self.app
    }

    /// The simulated user called `name` (see [`FakeBotApi::user`]).
    #[must_use]
    pub fn user(&self, name: &str) -> SimUser {
        self.server.user(name)
    }

    /// The simulated group called `name` (see [`FakeBotApi::group`]).
    #[must_use]
    pub fn group(&self, name: &str) -> SimChat {
        self.server.group(name)
    }

    /// Waits until the bot is idle: every update the users sent is fetched and confirmed, no
    /// update is being processed or waiting for its turn, no tracked task (`block(false)`,
    /// `create_task`) runs, and every call the bot made is answered. Whatever the bot does in
    /// answer to what was sent so far is then in the server's log.
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] when the bot is still busy after the server's default timeout.
    pub async fn idle(&self) -> Result<(), WaitError> {
        let timeout = self.server.default_timeout();
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            self.server.wait_quiet(left).await?;
            // The server was quiet; the application's counters settle the rest. Checked in this
            // order and the server again after: work that was still running when the server
            // looked quiet has either finished (its calls are answered, so the second look sees
            // it) or still counts as running.
            if self.app_idle() && self.server.is_quiet() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(WaitError::Timeout {
                    what: "the bot to be idle".to_owned(),
                    timeout,
                });
            }
            tokio::time::sleep(IDLE_TICK).await;
        }
    }

    fn app_idle(&self) -> bool {
        self.app.in_flight() == 0 && self.app.queued() == 0 && self.app.running_tasks() == 0
    }

    /// Waits until the bot is [idle](Self::idle), then hands out every reply to `chat` not
    /// handed out before. An empty list means the bot said nothing.
    ///
    /// # Errors
    ///
    /// As [`idle`](Self::idle).
    pub async fn replies(&self, chat: impl ChatTarget) -> Result<Vec<RecordedRequest>, WaitError> {
        self.idle().await?;
        Ok(self.server.take_replies_to(chat))
    }

    /// The texts (or captions) of [`replies`](Self::replies); replies without one (a sticker,
    /// a poll) are left out.
    ///
    /// # Errors
    ///
    /// As [`idle`](Self::idle).
    pub async fn reply_texts(&self, chat: impl ChatTarget) -> Result<Vec<String>, WaitError> {
        let replies = self.replies(chat).await?;
        Ok(replies
            .iter()
            .filter_map(|r| r.text().or_else(|| r.str_param("caption")))
            .map(str::to_owned)
            .collect())
    }

    /// The next `n` replies to `chat`; see [`FakeBotApi::replies_to`].
    ///
    /// # Errors
    ///
    /// As [`FakeBotApi::replies_to`].
    pub async fn replies_to(
        &self,
        chat: impl ChatTarget,
        n: usize,
    ) -> Result<Vec<RecordedRequest>, WaitError> {
        self.server.replies_to(chat, n).await
    }

    /// The next call of `method`; see [`FakeBotApi::next_request`].
    ///
    /// # Errors
    ///
    /// As [`FakeBotApi::next_request`].
    pub async fn next_request(&self, method: &str) -> Result<RecordedRequest, WaitError> {
        self.server.next_request(method).await
    }

    /// Stops the bot gracefully (`stop_running`: what was fetched is finished, hooks run) and
    /// returns how its run ended.
    ///
    /// # Errors
    ///
    /// [`HarnessError::Run`] with the run's error; [`HarnessError::Panicked`] when the run
    /// panicked.
    pub async fn stop(mut self) -> Result<(), HarnessError> {
        self.app.stop_running();
        match self.runner.take() {
            Some(runner) => Ok(runner.await??),
            None => Ok(()),
        }
    }
}

impl<S> Drop for TestBot<S> {
    /// A bot dropped without [`stop`](TestBot::stop) (a failed assertion) is aborted, so it
    /// does not outlive the test.
    fn drop(&mut self) {
        if let Some(runner) = self.runner.take() {
            runner.abort();
        }
    }
}

impl<S> fmt::Debug for TestBot<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestBot")
            .field("server", &self.server.url())
            .field("running", &self.runner.is_some())
            .finish_non_exhaustive()
    }
}

impl FakeBotApi {
    /// An application builder pointed at this server: its token and [`url`](Self::url) as the
    /// base URL. Build it, add handlers, and run it with [`TestBot::run`] (or your own
    /// `run_polling`).
    pub fn application(&self) -> ApplicationBuilder<()> {
        Application::builder()
            .token(self.token())
            .base_url(self.url())
    }
}
