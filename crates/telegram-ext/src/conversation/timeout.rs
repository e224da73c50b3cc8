//! Conversation timeouts: a persistent job per conversation key (`conv:{name}:{key}`), re-added
//! at each handled update (so activity resets it), cancelled at the end, run by the job queue.
//!
//! The job carries the store key and the state's version when it was armed; when it fires it
//! takes the key's turn and acts only if the state is still that version, so a timeout that
//! lost a race with a later update (in this process or another) does nothing.
//!
//! A nested conversation's job also carries its parent's store key. When the child's timeout
//! makes a transition its `map_to_parent` maps, the child ends and the parent moves, as when
//! an update ends the child: the parent's turn is taken before the child's (the order an
//! update takes them in), the parent's transition is written with compare-and-set and re-arms
//! the parent's own timeout. Only the parent moves: a grandparent (three levels) stays where
//! it is.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use telegram_store::Version;

use super::engine::{Core, Exit, ExitMap, Place, Transition};
use super::step::{Next, StepResult};
use super::storage::Storage;
use super::ConversationState;
use crate::application::Application;
use crate::jobs::{named, Job};
use crate::{Context, HandlerError, HandlerResult};

/// A conversation's timeout: after how long, and what then.
pub(crate) struct Timeout<St, S> {
    pub(crate) after: Duration,
    pub(crate) action: TimeoutAction<St, S>,
}

/// What a timeout does.
pub(crate) enum TimeoutAction<St, S> {
    /// Go there.
    To(Next<St>),
    /// Ask the callback where to go.
    Callback(Arc<dyn TimeoutCallback<S, St>>),
}

/// The conversation that timed out, handed to an [`on_timeout`] callback.
///
/// [`on_timeout`]: super::ConversationBuilder::on_timeout
#[derive(Debug, Clone)]
pub struct TimedOut<St> {
    /// The state it was left in.
    pub state: St,
    /// Its chat, when its key has one.
    pub chat_id: Option<i64>,
    /// Its user, when its key has one.
    pub user_id: Option<i64>,
}

/// A timeout callback: `async fn(TimedOut<St>, Context<S>) -> StepResult<St>`. The context has
/// no update (a job's); its data slots reach the conversation's chat and user.
pub trait TimeoutCallback<S, St>: Send + Sync + 'static {
    /// Calls the callback.
    fn call(
        &self,
        timed_out: TimedOut<St>,
        ctx: Context<S>,
    ) -> Pin<Box<dyn Future<Output = StepResult<St>> + Send>>;
}

impl<S, St, F, Fut> TimeoutCallback<S, St> for F
where
    F: Fn(TimedOut<St>, Context<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = StepResult<St>> + Send + 'static,
{
    fn call(
        &self,
        timed_out: TimedOut<St>,
        ctx: Context<S>,
    ) -> Pin<Box<dyn Future<Output = StepResult<St>> + Send>> {
        Box::pin(self(timed_out, ctx))
    }
}

/// The job's data.
#[derive(Serialize, Deserialize)]
struct Armed {
    key: String,
    version: Version,
    /// The parent conversation's store key, for a nested conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
}

/// The conversation a nested one is a handler of, and the nested one's `map_to_parent`.
pub(crate) struct Parent<St, P, S> {
    pub(crate) core: Arc<Core<P, S>>,
    pub(crate) map: Arc<ExitMap<St, Next<P>>>,
}

impl<St, S> Core<St, S>
where
    St: ConversationState,
    S: Send + Sync + 'static,
{
    /// The job's id for a conversation key: `conv:{name}:{key}`.
    fn job_id(&self, place: &Place) -> String {
        let key = place
            .store_key
            .split_once(":conv:")
            .map_or(place.store_key.as_str(), |(_, k)| k);
        format!("conv:{key}")
    }

    /// Registers the timeout job's callback under the conversation's job name; `parent`: the
    /// conversation this one is nested in.
    pub(crate) fn register_timeout<P: ConversationState>(
        self: &Arc<Self>,
        app: &Application<S>,
        parent: Option<Parent<St, P, S>>,
    ) {
        if self.timeout.is_none() {
            return;
        }
        let core = self.clone();
        let parent = parent.map(Arc::new);
        app.register_job(&self.job_name, move |job: Job, ctx: Context<S>| {
            let core = core.clone();
            let parent = parent.clone();
            async move { core.fire(job, ctx, parent.as_deref()).await }
        });
    }

    /// (Re-)arms the timeout of the conversation at `place`, now at `version`; `parent_key`:
    /// the parent's store key when nested.
    pub(crate) async fn arm_timeout(
        &self,
        app: &Application<S>,
        place: &Place,
        version: Version,
        parent_key: Option<&str>,
    ) -> Result<(), HandlerError> {
        let Some(timeout) = &self.timeout else {
            return Ok(());
        };
        let armed = Armed {
            key: place.store_key.clone(),
            version,
            parent: parent_key.map(str::to_owned),
        };
        let mut job = app
            .job_queue()
            .run_once(named(self.job_name.as_str()), timeout.after)
            .id(self.job_id(place))
            .data(&armed);
        if let Some(chat) = place.chat_id {
            job = job.chat_id(chat);
        }
        if let Some(user) = place.user_id {
            job = job.user_id(user);
        }
        job.await?;
        Ok(())
    }

    /// Cancels the timeout of the conversation at `place`, if armed.
    pub(crate) async fn cancel_timeout(
        &self,
        app: &Application<S>,
        place: &Place,
    ) -> Result<(), HandlerError> {
        if self.timeout.is_none() {
            return Ok(());
        }
        if let Some(job) = app.job_queue().job(&self.job_id(place)) {
            job.cancel().await?;
        }
        Ok(())
    }

    /// The timeout job fired: act if the conversation is still as it was when armed; move the
    /// parent (of a nested conversation) when the transition leaves for it.
    async fn fire<P: ConversationState>(
        self: Arc<Self>,
        job: Job,
        ctx: Context<S>,
        parent: Option<&Parent<St, P, S>>,
    ) -> HandlerResult {
        let Some(timeout) = &self.timeout else {
            return Ok(());
        };
        let armed: Armed = job.data()?;
        // The parent's turn first, as an update of the parent takes it before the child's.
        let parent = parent.zip(armed.parent.as_deref());
        let parent_turn = match parent {
            Some((parent, key)) => Some(parent.core.turns.take(key).await),
            None => None,
        };
        let mut turn = self.turns.take(&armed.key).await;
        let app = ctx.application().clone();
        let storage = Storage::new(app.data().store().clone());
        let Some(current) = storage.load::<St>(&armed.key, &mut turn).await? else {
            return Ok(());
        };
        if current.version != armed.version {
            tracing::debug!(key = %armed.key, "conversation moved since its timeout was armed");
            return Ok(());
        }
        tracing::debug!(key = %armed.key, state = ?current.state, "conversation timed out");
        let next = match &timeout.action {
            TimeoutAction::To(next) => next.clone(),
            TimeoutAction::Callback(callback) => {
                let timed_out = TimedOut {
                    state: current.state.clone(),
                    chat_id: job.chat_id(),
                    user_id: job.user_id(),
                };
                callback.call(timed_out, ctx).await?
            }
        };
        let place = Place {
            store_key: armed.key,
            chat_id: job.chat_id(),
            user_id: job.user_id(),
        };
        let at = Transition {
            app: &app,
            storage: &storage,
            place: &place,
        };
        let exit = parent.map(|(parent, key)| Exit {
            map: &*parent.map,
            parent_key: key,
        });
        // A timeout's transition does not re-arm it: the conversation waits in its new state
        // for the user's next update, which arms it again.
        let to_parent = self
            .apply(at, &mut turn, Some(current), next, exit, false)
            .await?;
        drop(turn);
        if let (Some(next), Some((parent, key)), Some(mut turn)) = (to_parent, parent, parent_turn)
        {
            let place = Place {
                store_key: key.to_owned(),
                ..place
            };
            let at = Transition {
                app: &app,
                storage: &storage,
                place: &place,
            };
            let current = storage.load::<P>(key, &mut turn).await?;
            tracing::debug!(key, "a nested conversation's timeout moves its parent");
            // As after an update that ends the child: the parent's own timeout is re-armed
            // (its old job, armed at the version this write replaces, would do nothing).
            parent
                .core
                .apply::<()>(at, &mut turn, current, next, None, true)
                .await?;
        }
        Ok(())
    }
}
