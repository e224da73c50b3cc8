//! The engine: one update of one conversation key, start to end. Take the key's turn, read the
//! stored state, pick the handler the state allows, run it, write the transition with
//! compare-and-set, arm or cancel the timeout, give the turn back.

use std::collections::HashMap;
use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use super::step::{Next, Step};
use super::storage::{Current, Storage};
use super::timeout::Timeout;
use super::turns::{Turn, Turns};
use super::{ConversationKey, ConversationState};
use crate::application::Application;
use crate::handlers::BotIdentity;
use crate::{Context, HandlerError};

/// A list of handlers (entry points, a state's, fallbacks).
pub(crate) type Steps<S, St> = Vec<Arc<dyn Step<S, St>>>;

/// A nested conversation's `map_to_parent`: the parent's transition when the child's ends it.
pub(crate) type ExitMap<St, R> = dyn Fn(&Next<St>) -> Option<R> + Send + Sync;

/// How a nested conversation leaves for its parent: the map, and the parent's store key (kept
/// in the child's timeout job, so a timeout can move the parent too).
pub(crate) struct Exit<'a, St, R> {
    pub(crate) map: &'a ExitMap<St, R>,
    pub(crate) parent_key: &'a str,
}

impl<St, R> Clone for Exit<'_, St, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<St, R> Copy for Exit<'_, St, R> {}

/// Everything a conversation is, shared by its handler, its timeout job and its tasks.
pub(crate) struct Core<St, S> {
    pub(crate) name: String,
    pub(crate) job_name: String,
    pub(crate) key: ConversationKey,
    pub(crate) entry: Steps<S, St>,
    pub(crate) states: HashMap<St, Steps<S, St>>,
    pub(crate) fallbacks: Steps<S, St>,
    pub(crate) allow_reentry: bool,
    pub(crate) timeout: Option<Timeout<St, S>>,
    /// Updates of one conversation key take turns here: the read-run-write of a transition is
    /// never interleaved with another update of the same key in this process. Each key's turn
    /// holds the state last read or written there, so an unchanged state is not decoded again.
    pub(crate) turns: Turns<St>,
    pub(crate) update_types: Vec<UpdateType>,
}

/// The conversation an update belongs to: where it is stored and who it is.
pub(crate) struct Place {
    pub(crate) store_key: String,
    pub(crate) chat_id: Option<i64>,
    pub(crate) user_id: Option<i64>,
}

impl<St, S> Core<St, S>
where
    St: ConversationState,
    S: Send + Sync + 'static,
{
    /// Whether any handler could want `update`: the synchronous pre-check. Which one really
    /// does depends on the stored state, read in [`process`](Self::process).
    pub(crate) fn could_handle(&self, update: &Update, bot: &BotIdentity) -> bool {
        if !self.key.applies_to(update) {
            return false;
        }
        let wants = |steps: &Steps<S, St>| steps.iter().any(|s| s.check(update, bot).is_some());
        wants(&self.entry) || wants(&self.fallbacks) || self.states.values().any(wants)
    }

    /// The store key and ids of `update`'s conversation.
    pub(crate) fn place(&self, app: &Application<S>, update: &Update) -> Option<Place> {
        let chat_id = update.effective_chat().map(|c| c.id);
        let user_id = update.effective_user().map(|u| u.id);
        Some(Place {
            store_key: self.store_key(app, |out| self.key.write(update, chat_id, user_id, out))?,
            chat_id,
            user_id,
        })
    }

    /// `tg:{bot_id}:conv:{name}:{key}`, built in one string; `key` appends the key string.
    pub(crate) fn store_key(
        &self,
        app: &Application<S>,
        key: impl FnOnce(&mut String) -> Option<()>,
    ) -> Option<String> {
        let prefix = app.data().prefix();
        let mut out = String::with_capacity(prefix.len() + self.name.len() + 32);
        out.push_str(prefix);
        out.push_str("conv:");
        out.push_str(&self.name);
        out.push(':');
        key(&mut out)?;
        Some(out)
    }

    /// The handler lists to try, in order, for a conversation in `state` (`None`: not
    /// started).
    fn candidates<'a>(&'a self, state: Option<&St>) -> impl Iterator<Item = &'a Steps<S, St>> {
        let (entry, own, fallbacks) = match state {
            None => (Some(&self.entry), None, None),
            Some(state) => (
                self.allow_reentry.then_some(&self.entry),
                self.states.get(state),
                Some(&self.fallbacks),
            ),
        };
        entry.into_iter().chain(own).chain(fallbacks)
    }

    /// Handles `update`: `Err(HandlerError::Declined)` when no handler of the current state
    /// wants it. With `exit` (a nested conversation), a transition `exit` maps ends this
    /// conversation and is returned for the parent.
    pub(crate) async fn process<R>(
        self: &Arc<Self>,
        update: Arc<Update>,
        ctx: Context<S>,
        exit: Option<Exit<'_, St, R>>,
    ) -> Result<Option<R>, HandlerError> {
        let app = ctx.application().clone();
        let Some(place) = self.place(&app, &update) else {
            return Err(HandlerError::Declined);
        };
        let mut turn = self.turns.take(&place.store_key).await;
        let storage = Storage::new(app.data().store().clone());
        let current = storage.load::<St>(&place.store_key, &mut turn).await?;
        let identity = app.bot_identity();
        let lists = self.candidates(current.as_ref().map(|c| &c.state));
        // The dispatcher's context serves the first step run; one that declines consumed it.
        let mut ctx = Some(ctx);
        for step in lists.flatten() {
            let Some(found) = step.check(&update, &identity) else {
                continue;
            };
            let mut step_ctx = ctx.take().unwrap_or_else(|| {
                Context::new(app.clone(), Some(update.clone()), Vec::new(), Vec::new())
            });
            step_ctx.args = found.args;
            step_ctx.matches = found.matches;
            if !step.is_blocking() && exit.is_none() {
                let run = step.run(update.clone(), step_ctx, &place.store_key);
                self.spawn_waiting(&app, &update, run, place, current, turn);
                return Ok(None);
            }
            match step.run(update.clone(), step_ctx, &place.store_key).await {
                Err(HandlerError::Declined) => continue,
                Err(error) => return Err(error),
                Ok(next) => {
                    let transition = Transition {
                        app: &app,
                        storage: &storage,
                        place: &place,
                    };
                    return self
                        .apply(transition, &mut turn, current, next, exit, true)
                        .await;
                }
            }
        }
        Err(HandlerError::Declined)
    }

    /// python-telegram-bot's `WAITING` for a `block(false)` handler: its callback runs as a
    /// tracked task that keeps the key's turn until its transition is written, so the next
    /// update of this conversation waits for it (dispatch of other updates goes on).
    fn spawn_waiting(
        self: &Arc<Self>,
        app: &Application<S>,
        update: &Arc<Update>,
        run: super::step::StepFuture<St>,
        place: Place,
        current: Option<Current<St>>,
        mut turn: Turn<St>,
    ) {
        let core = self.clone();
        let app_for_task = app.clone();
        let task = async move {
            let next = run.await?;
            let storage = Storage::new(app_for_task.data().store().clone());
            let transition = Transition {
                app: &app_for_task,
                storage: &storage,
                place: &place,
            };
            core.apply::<()>(transition, &mut turn, current, next, None, true)
                .await?;
            Ok(())
        };
        app.create_task(task, Some(update.clone()));
    }

    /// Writes `next` (the state was `current`); with `rearm` (an update's transition, not a
    /// timeout's) arms or cancels the timeout.
    pub(crate) async fn apply<R>(
        &self,
        at: Transition<'_, S>,
        turn: &mut Turn<St>,
        current: Option<Current<St>>,
        next: Next<St>,
        exit: Option<Exit<'_, St, R>>,
        rearm: bool,
    ) -> Result<Option<R>, HandlerError> {
        let to_parent = match next {
            Next::Stay => None,
            _ => exit.and_then(|exit| (exit.map)(&next)),
        };
        let parent_key = exit.map(|exit| exit.parent_key);
        let next = if to_parent.is_some() { Next::End } else { next };
        let key = &at.place.store_key;
        match next {
            Next::Stay => {
                // Activity resets the timeout; a conversation not started stays not started.
                if let Some(current) = current.filter(|_| rearm) {
                    self.arm_timeout(at.app, at.place, current.version, parent_key)
                        .await?;
                }
            }
            Next::To(state) => {
                let version = at
                    .storage
                    .save(key, state, current.map(|c| c.version), turn)
                    .await?;
                if rearm {
                    self.arm_timeout(at.app, at.place, version, parent_key)
                        .await?;
                }
            }
            Next::End => {
                if let Some(current) = current {
                    at.storage.remove(key, current.version, turn).await?;
                    if rearm {
                        self.cancel_timeout(at.app, at.place).await?;
                    }
                }
            }
        }
        Ok(to_parent)
    }
}

/// Where a transition is written.
pub(crate) struct Transition<'a, S> {
    pub(crate) app: &'a Application<S>,
    pub(crate) storage: &'a Storage,
    pub(crate) place: &'a Place,
}
