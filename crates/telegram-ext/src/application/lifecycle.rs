//! The lifecycle: `initialize` (getMe) → `post_init` → `start` → run until stopped → `stop` →
//! `post_stop` → `shutdown` → `post_shutdown`, as python-telegram-bot's `run_polling` /
//! `run_webhook` do it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::builder::Hook;
use super::Application;
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
        if let Ok(mut token) = self.inner.stop_requested.write() {
            if token.is_cancelled() {
                *token = CancellationToken::new();
            }
        }
        Ok(())
    }

    /// The graceful stop, once the sources stopped fetching: waits until every admitted update
    /// is processed, then for every tracked task (tasks spawned meanwhile included) up to the
    /// drain timeout, after which the rest are cancelled and reported to the error handlers.
    pub async fn stop(&self) {
        self.inner.processor.drain().await;
        let cancelled = self.inner.tasks.drain(self.inner.drain_timeout).await;
        if cancelled > 0 {
            tracing::warn!(
                cancelled,
                "tasks still running at the end of the drain timeout were cancelled"
            );
        }
        self.inner.running.store(false, Ordering::SeqCst);
    }

    /// Cancels every tracked task now: the second ctrl-c.
    pub fn force_stop(&self) {
        self.stop_running();
        self.inner.tasks.cancel_all();
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
        let stop = self.stop_token();
        let signals = stop_signals.then(|| tokio::spawn(stop_on_signal(self.clone())));
        let result = source(self.clone(), stop.clone()).await;
        if let Some(signals) = signals {
            signals.abort();
        }
        self.stop().await;
        self.run_hook(self.inner.hooks.post_stop.as_ref(), "post_stop")
            .await;
        self.shutdown().await;
        self.run_hook(self.inner.hooks.post_shutdown.as_ref(), "post_shutdown")
            .await;
        result
    }

    fn stop_token(&self) -> CancellationToken {
        self.inner
            .stop_requested
            .read()
            .map(|t| t.clone())
            .unwrap_or_default()
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
async fn stop_on_signal<S: Send + Sync + 'static>(app: Application<S>) {
    next_signal().await;
    tracing::info!("stop signal received; finishing what was fetched (again to force)");
    app.stop_running();
    next_signal().await;
    tracing::warn!("second stop signal: cancelling running tasks");
    app.force_stop();
}

/// Waits for ctrl-c or SIGTERM.
async fn next_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
