//! `process_update`: one update through the handler groups, with python-telegram-bot's semantics.
//!
//! - Groups run in ascending order; in each, the first handler whose `check` passes handles the
//!   update, then the next group is tried.
//! - A handler returning [`HandlerError::Stop`](crate::HandlerError::Stop) ends the update: no
//!   later group sees it.
//! - A blocking handler returning [`HandlerError::Declined`](crate::HandlerError::Declined)
//!   (a conversation whose stored state has no handler for the update) did not handle it: the
//!   next handler of the same group whose check passes is tried.
//! - Any other error (or a panic) goes to every error handler with the update, and the next group
//!   still runs. An error inside an error handler is logged, never handed on.
//! - A non-blocking handler (`block(false)`) runs as a tracked task; dispatch goes on at once.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use telegram_types::Update;
use tracing::Instrument;

use super::Application;
use crate::handlers::HandlerFuture;
use crate::{Context, HandlerError, HandlerResult};

impl<S: Send + Sync + 'static> Application<S> {
    /// Runs one update through the handler groups. Returns when every blocking handler is done;
    /// non-blocking ones may still be running as tracked tasks.
    pub async fn process_update(&self, update: impl Into<Arc<Update>>) {
        let update = update.into();
        let span = update_span(&update);
        self.dispatch(update).instrument(span).await;
    }

    async fn dispatch(&self, update: Arc<Update>) {
        let groups = self.inner.groups.snapshot();
        let identity = self.bot_identity();
        let mut handled = false;
        for (group, handlers) in groups.iter() {
            let mut rest = handlers.iter();
            while let Some((handler, found)) =
                rest.find_map(|(_, h)| h.check(&update, &identity).map(|m| (h, m)))
            {
                let ctx = Context::new(
                    self.clone(),
                    Some(update.clone()),
                    found.args,
                    found.matches,
                );
                let run = guarded(handler.handle(update.clone(), ctx));
                if !handler.is_blocking() {
                    handled = true;
                    self.spawn_handler(&update, run);
                    break;
                }
                match run.await {
                    Err(HandlerError::Declined) => continue,
                    Err(HandlerError::Stop) => {
                        tracing::debug!(group, "handler stopped propagation");
                        return;
                    }
                    Ok(()) => {}
                    Err(error) => self.route_error(update.clone(), error).await,
                }
                handled = true;
                break;
            }
        }
        if !handled {
            tracing::debug!("no handler for this update");
        }
    }

    /// Runs a non-blocking handler as a tracked task; its error goes to the error handlers.
    fn spawn_handler(
        &self,
        update: &Arc<Update>,
        run: impl std::future::Future<Output = HandlerResult> + Send + 'static,
    ) {
        let app = self.clone();
        let update = Some(update.clone());
        let forced = self.stop_tokens().forced;
        self.inner
            .tasks
            .spawn(run.in_current_span(), forced, move |error| async move {
                app.report_task_error(update, error).await;
            });
    }

    /// The error of a tracked task: to the error handlers when it came with an update.
    pub(crate) async fn report_task_error(&self, update: Option<Arc<Update>>, error: HandlerError) {
        match (error, update) {
            (HandlerError::Stop, _) => {
                tracing::warn!("a task or non-blocking handler cannot stop propagation; ignored");
            }
            (HandlerError::Declined, _) => {
                tracing::debug!("a task or non-blocking handler declined its update; ignored");
            }
            (error, Some(update)) => self.route_error(update, error).await,
            (error, None) => tracing::error!(%error, "a task without an update failed"),
        }
    }

    /// Hands `error` to every error handler; their own errors are logged only.
    pub(crate) async fn route_error(&self, update: Arc<Update>, error: HandlerError) {
        let handlers = self
            .inner
            .error_handlers
            .read()
            .map(|h| h.clone())
            .unwrap_or_default();
        if handlers.is_empty() {
            tracing::error!(
                update_id = update.update_id,
                error = %error_chain(&error),
                "a handler failed and no error handler is registered"
            );
            return;
        }
        let error = Arc::new(error);
        for handler in handlers.iter() {
            let ctx = Context::for_error(self.clone(), update.clone(), error.clone());
            if let Err(inner) = guarded(handler.call(update.clone(), ctx)).await {
                tracing::error!(error = %inner, original = %error, "error handler failed");
            }
        }
    }
}

/// `error` and its sources, outermost first: `cannot read … : the value does not fit …`.
fn error_chain(error: &HandlerError) -> String {
    let mut text = error.to_string();
    let mut source = error.source_error().and_then(|e| e.source());
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The handler future with its panics caught and turned into errors.
pub(crate) fn guarded(
    future: HandlerFuture,
) -> impl std::future::Future<Output = HandlerResult> + Send {
    AssertUnwindSafe(future)
        .catch_unwind()
        .map(|result| result.unwrap_or_else(|panic| Err(HandlerError::from_panic(panic))))
}

/// One span per update: its id, kind and chat.
fn update_span(update: &Update) -> tracing::Span {
    let chat_id = update.effective_chat().map(|c| c.id);
    tracing::debug_span!(
        "update",
        update_id = update.update_id,
        kind = update.kind.key(),
        chat_id
    )
}
