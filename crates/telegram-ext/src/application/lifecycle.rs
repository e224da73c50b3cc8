//! The lifecycle: `initialize` (getMe) → `post_init` → `start` → run until stopped → `stop` →
//! `post_stop` → `shutdown` → `post_shutdown`, as python-telegram-bot's `run_polling` /
//! `run_webhook` do it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use telegram_transport::Backoff;
use tokio_util::sync::CancellationToken;

use super::builder::Hook;
use super::{Application, StopTokens};
use crate::handlers::BotIdentity;
use crate::sources::{run_polling_loop, Failure, PollingConfig};
use crate::RunError;

/// How many times `initialize` tries `getMe` before giving up.
const GET_ME_ATTEMPTS: u32 = 4;

impl<S: Send + Sync + 'static> Application<S> {
    /// Calls `getMe` (retrying network failures a few times) and remembers who the bot is.
    ///
    /// # Errors
    ///
    /// [`RunError::InvalidToken`] at once for a rejected token; [`RunError::Initialize`] when
    /// the retries are used up.
    pub async fn initialize(&self) -> Result<(), RunError> {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(5));
        let mut attempt = 1;
        let me = loop {
            match self.bot().get_me().await {
                Ok(me) => break me,
                Err(error) if Failure::classify(&error) == Failure::InvalidToken => {
                    return Err(RunError::InvalidToken(error));
                }
                Err(error) if attempt >= GET_ME_ATTEMPTS => {
                    return Err(RunError::Initialize(error))
                }
                Err(error) => {
                    tracing::warn!(%error, attempt, "getMe failed; retrying");
                    tokio::time::sleep(backoff.next_delay()).await;
                    attempt += 1;
                }
            }
        };
        let identity = BotIdentity {
            id: me.id,
            username: me.username.unwrap_or_default(),
        };
        tracing::info!(username = %identity.username, "initialized");
        if let Ok(mut current) = self.inner.identity.write() {
            *current = std::sync::Arc::new(identity);
        }
        self.inner.initialized.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Marks the application running: `stop_running` now ends the run.
    ///
    /// # Errors
    ///
    /// Not initialized, or already running.
    pub async fn start(&self) -> Result<(), RunError> {
        if !self.inner.initialized.load(Ordering::SeqCst) {
            return Err(RunError::NotInitialized);
        }
        if self.inner.running.swap(true, Ordering::SeqCst) {
            return Err(RunError::AlreadyRunning);
        }
        let tokens = StopTokens::default();
        if let Ok(mut current) = self.inner.stop.write() {
            *current = tokens.clone();
        }
        self.inner.job_runner.start(self, &self.inner.jobs).await;
        tokio::spawn(expire_at_deadline(tokens, self.inner.drain_timeout));
        Ok(())
    }

    /// When a graceful stop gives up: the drain timeout after the stop was asked for. Fixed at
    /// the first call after the request, so every part of the stop (the sources' connections
    /// and offset, admitted updates, tracked tasks) shares one deadline.
    pub(crate) fn drain_deadline(&self) -> tokio::time::Instant {
        deadline(&self.stop_tokens(), self.inner.drain_timeout)
    }

    /// Cancelled when the stop is forced; a source stops waiting at once then.
    pub(crate) fn forced_stop_token(&self) -> CancellationToken {
        self.stop_tokens().forced
    }

    /// Whether admitted updates are being cancelled: a forced stop, or the drain timeout ran out.
    pub(crate) fn is_cancelling_updates(&self) -> bool {
        self.stop_tokens().updates.is_cancelled()
    }

    /// The graceful stop, once the sources stopped fetching: waits until every admitted update
    /// is processed, then for every tracked task (tasks spawned meanwhile included). All of it
    /// within the drain timeout, counted from the stop request: then the updates and tasks still
    /// running (or waiting for their turn) are cancelled and reported to the error handlers as
    /// [`HandlerError::Cancelled`](crate::HandlerError::Cancelled).
    /// [`force_stop`](Self::force_stop) cuts the waits short.
    pub async fn stop(&self) {
        // A stop without `stop_running` (a source failed) is a stop request too: it starts the
        // drain timeout.
        self.stop_running();
        // No job fires from here on; the runs in progress are tracked tasks, drained below.
        self.inner.job_runner.stop().await;
        let tokens = self.stop_tokens();
        let deadline = self.drain_deadline();
        tokio::select! {
            () = self.inner.processor.drain() => {}
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!("drain timeout: cancelling the updates still being processed");
                tokens.updates.cancel();
                self.inner.processor.drain().await;
            }
        }
        // Processed updates leave the journal in the background: finish that, or the next
        // start replays them.
        if let Some(journal) = &self.inner.journal {
            tokio::select! {
                () = journal.settle() => {}
                () = tokens.forced.cancelled() => {}
            }
        }
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let cancelled = self.inner.tasks.drain(remaining, &tokens.forced).await;
        if cancelled > 0 {
            tracing::warn!(
                cancelled,
                "tasks still running at the end of the stop were cancelled"
            );
        }
        self.inner.running.store(false, Ordering::SeqCst);
    }

    /// Marks the application uninitialized; `initialize` may be called again.
    pub async fn shutdown(&self) {
        self.inner.initialized.store(false, Ordering::SeqCst);
    }

    /// Whether the application is between `start` and `stop`.
    pub fn is_running(&self) -> bool {
        self.inner.running.load(Ordering::SeqCst)
    }

    /// Runs the bot with long polling until `stop_running`, ctrl-c or SIGTERM; the whole
    /// lifecycle, hooks included.
    ///
    /// # Errors
    ///
    /// A rejected token, a conflict with another poller or webhook, or `getMe` failing at start.
    pub async fn run_polling(&self, config: PollingConfig) -> Result<(), RunError> {
        self.run_with(config.stop_signals, |app, stop| async move {
            run_polling_loop(&app, &config, &stop).await
        })
        .await
    }

    /// Runs the bot behind a webhook until `stop_running`, ctrl-c or SIGTERM; the whole
    /// lifecycle, hooks included.
    ///
    /// # Errors
    ///
    /// A rejected token, `setWebhook` failing, or the server failing to bind.
    #[cfg(feature = "webhook")]
    #[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
    pub async fn run_webhook(&self, config: crate::sources::WebhookConfig) -> Result<(), RunError> {
        self.run_with(config.stop_signals, |app, stop| async move {
            crate::sources::serve_webhook(&app, config, &stop).await
        })
        .await
    }

    async fn run_with<F, Fut>(&self, stop_signals: bool, source: F) -> Result<(), RunError>
    where
        F: FnOnce(Application<S>, CancellationToken) -> Fut,
        Fut: std::future::Future<Output = Result<(), RunError>>,
    {
        self.initialize().await?;
        self.run_hook(self.inner.hooks.post_init.as_ref(), "post_init")
            .await;
        self.start().await?;
        let stop = self.stop_tokens().requested;
        let signals = stop_signals
            .then(StopSignals::listen)
            .flatten()
            .map(|signals| tokio::spawn(stop_on_signal(self.clone(), signals)));
        let result = source(self.clone(), stop).await;
        // The signals are watched through the drain: that is when a second one forces the stop.
        self.stop().await;
        if let Some(signals) = signals {
            signals.abort();
        }
        self.run_hook(self.inner.hooks.post_stop.as_ref(), "post_stop")
            .await;
        self.shutdown().await;
        self.run_hook(self.inner.hooks.post_shutdown.as_ref(), "post_shutdown")
            .await;
        result
    }

    async fn run_hook(&self, hook: Option<&Hook<S>>, name: &'static str) {
        if let Some(hook) = hook {
            if let Err(error) = hook(self.clone()).await {
                tracing::error!(%error, hook = name, "lifecycle hook failed");
            }
        }
    }
}

/// Cancels this run's admitted updates when the drain timeout runs out, also while a source is
/// still waiting on one of them (the sequential processor's `submit` returns only when the
/// update is done); `stop` then finds them cancelled. Ends with the run's stop.
async fn expire_at_deadline(tokens: StopTokens, drain_timeout: Duration) {
    tokens.requested.cancelled().await;
    let deadline = deadline(&tokens, drain_timeout);
    tokio::select! {
        () = tokio::time::sleep_until(deadline) => tokens.updates.cancel(),
        () = tokens.updates.cancelled() => {}
    }
}

/// The run's drain deadline, fixed at the first call.
fn deadline(tokens: &StopTokens, drain_timeout: Duration) -> tokio::time::Instant {
    *tokens
        .deadline
        .get_or_init(|| tokio::time::Instant::now() + drain_timeout)
}

/// The first ctrl-c or SIGTERM stops gracefully; a second one forces the stop.
async fn stop_on_signal<S: Send + Sync + 'static>(app: Application<S>, mut signals: StopSignals) {
    signals.next().await;
    tracing::info!("stop signal received; finishing what was fetched (again to force)");
    app.stop_running();
    signals.next().await;
    tracing::warn!("second stop signal: cancelling what is still running");
    app.force_stop();
}

/// ctrl-c and SIGTERM, listened to for the whole run: a signal that comes while the first is
/// being acted on is not lost.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// `None` (with a warning) when the signals cannot be listened to.
    fn listen() -> Option<Self> {
        match Self::try_listen() {
            Ok(signals) => Some(signals),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for ctrl-c / SIGTERM; stop with stop_running");
                None
            }
        }
    }

    #[cfg(unix)]
    fn try_listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn try_listen() -> std::io::Result<Self> {
        Ok(StopSignals {})
    }

    #[cfg(unix)]
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
