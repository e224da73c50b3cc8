//! `Context`: what a callback gets besides the update.

use std::fmt;
use std::sync::Arc;

use telegram_transport::Bot;
use telegram_types::Update;

use crate::filters::RegexMatch;
use crate::{Application, HandlerError};

/// What a callback gets besides the update: the bot, the typed application state, what the
/// handler's check found (command `args`, regex `matches`), the error (in error handlers), and a
/// handle on the application (to stop it, to spawn tracked tasks).
///
/// Cheap to clone: a few `Arc`s. Shortcuts answer the update at hand: [`reply`](Self::reply),
/// [`answer`](Self::answer), [`edit_message_text`](Self::edit_message_text) (`shortcuts.rs`).
///
/// # Examples
///
/// ```
/// use telegram_ext::prelude::*;
///
/// /// Counts presses in the application's state; `/stop` ends the run.
/// struct Presses(std::sync::atomic::AtomicU64);
///
/// async fn pressed(_update: Arc<Update>, ctx: Context<Presses>) -> HandlerResult {
///     let n = ctx.state.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
///     ctx.answer()?.await?;
///     ctx.edit_message_text(format!("pressed {n} times"))?.await?;
///     Ok(())
/// }
///
/// async fn stop_command(_update: Arc<Update>, ctx: Context<Presses>) -> HandlerResult {
///     ctx.reply(format!("stopping; args were {:?}", ctx.args))?.await?;
///     ctx.stop_running();
///     Ok(())
/// }
/// # let _ = (pressed, stop_command);
/// ```
pub struct Context<S = ()> {
    /// The bot, to answer with.
    pub bot: Bot,
    /// The application's typed state (`ApplicationBuilder::state`).
    pub state: Arc<S>,
    /// Command arguments: `/transfer 10 bob` → `["10", "bob"]`.
    pub args: Vec<String>,
    /// Regex captures of the handler's pattern or data filters.
    pub matches: Vec<RegexMatch>,
    /// In an error handler: the error being handled.
    pub error: Option<Arc<HandlerError>>,
    update: Option<Arc<Update>>,
    app: Application<S>,
}

impl<S: Send + Sync + 'static> Context<S> {
    pub(crate) fn new(
        app: Application<S>,
        update: Option<Arc<Update>>,
        args: Vec<String>,
        matches: Vec<RegexMatch>,
    ) -> Self {
        Context {
            bot: app.bot().clone(),
            state: app.state().clone(),
            args,
            matches,
            error: None,
            update,
            app,
        }
    }

    pub(crate) fn for_error(
        app: Application<S>,
        update: Arc<Update>,
        error: Arc<HandlerError>,
    ) -> Self {
        let mut ctx = Context::new(app, Some(update), Vec::new(), Vec::new());
        ctx.error = Some(error);
        ctx
    }

    /// The update this context was made for, if any.
    pub(crate) fn update_ref(&self) -> Option<&Update> {
        self.update.as_deref()
    }

    /// The application this callback runs in.
    pub fn application(&self) -> &Application<S> {
        &self.app
    }

    /// Spawns `future` as a tracked task tied to this update: its error goes to the error
    /// handlers with the update, and `stop` waits for it. See [`Application::create_task`].
    ///
    /// ```
    /// use telegram_ext::prelude::*;
    ///
    /// async fn order(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ///     ctx.reply("Order received")?.await?;
    ///     // The slow part runs on; the handler returns at once.
    ///     let receipt = ctx.reply("Your receipt: …")?;
    ///     ctx.create_task(async move {
    ///         receipt.await?;
    ///         Ok(())
    ///     });
    ///     Ok(())
    /// }
    /// # let _ = order;
    /// ```
    ///
    /// # Comparison to `block(false)`
    ///
    /// `block(false)` runs a whole handler as a task; `create_task` spawns part of a handler's
    /// work (a notification, a slow follow-up) while the handler returns.
    pub fn create_task<F>(&self, future: F)
    where
        F: std::future::Future<Output = crate::HandlerResult> + Send + 'static,
    {
        self.app.create_task(future, self.update.clone());
    }

    /// Asks the running application to stop (python-telegram-bot's `stop_running`): polling or
    /// the webhook stops, what was fetched is finished, then the shutdown hooks run.
    pub fn stop_running(&self) {
        self.app.stop_running();
    }
}

impl<S> Clone for Context<S> {
    fn clone(&self) -> Self {
        Context {
            bot: self.bot.clone(),
            state: self.state.clone(),
            args: self.args.clone(),
            matches: self.matches.clone(),
            error: self.error.clone(),
            update: self.update.clone(),
            app: self.app.clone(),
        }
    }
}

impl<S> fmt::Debug for Context<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("args", &self.args)
            .field("matches", &self.matches)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}
