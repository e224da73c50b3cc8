//! The lifecycle: `initialize` (getMe) → `post_init` → `start` → run until stopped → `stop` →
//! `post_stop` → `shutdown` → `post_shutdown`, as python-telegram-bot's `run_polling` /
//! `run_webhook` do it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::builder::Hook;
use super::{Application, StopTokens};
use crate::handlers::BotIdentity;
use crate::sources::{run_polling_loop, Backoff, Failure, PollingConfig};
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
            return Err(RunError::Lifecycle("start called before initialize"));
        }
        if self.inner.running.swap(true, Ordering::SeqCst) {
            return Err(RunError::Lifecycle("already running"));
        }
        if let Ok(mut tokens) = self.inner.stop.write() {
            *tokens = StopTokens::default();
        }
        self.inner.job_runner.start(self, &self.inner.jobs).await;
        Ok(())
    }

    /// The graceful stop, once the sources stopped fetching: waits until every admitted update
    /// is processed, then for every tracked task (tasks spawned meanwhile included) up to the
    /// drain timeout, after which the rest are cancelled and reported to the error handlers.
    /// [`force_stop`](Self::force_stop) cuts both waits short.
    pub async fn stop(&self) {
        let forced = self.stop_tokens().forced;
        self.inner.job_runner.stop().await;
        self.inner.processor.drain().await;
        let cancelled = self
            .inner
            .tasks
            .drain(self.inner.drain_timeout, &forced)
            .await;
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
