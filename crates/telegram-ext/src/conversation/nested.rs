//! Nested conversations: a conversation used as a handler of another's state, with
//! python-telegram-bot's `map_to_parent` saying which of the child's transitions end it and
//! move the parent.

use std::fmt;
use std::sync::Arc;

use telegram_types::{Update, UpdateType};

use super::engine::{Core, Exit, ExitMap};
use super::step::{BoxedStep, IntoStep, Next, Step, StepFuture};
use super::ConversationState;
use crate::application::Application;
use crate::handlers::{BotIdentity, Match};
use crate::Context;

/// A child conversation in a parent whose states are `P`: made by
/// [`ConversationHandler::map_to_parent`](super::ConversationHandler::map_to_parent), given to
/// the parent's builder like any handler.
///
/// After each of the child's handlers, the map sees its transition (never [`Next::Stay`]):
/// `Some(parent_next)` ends the child and moves the parent; `None` lets the child go on (or end,
/// for [`Next::End`], leaving the parent where it is). A child always runs its handlers to the
/// end before the parent moves, so `block(false)` in a child is run blocking.
///
/// The child's timeout goes through the map too: a timeout whose transition the map maps ends
/// the child and moves the parent, whose own timeout is re-armed (cancelled if it ends). Only the parent moves;
/// a child nested two levels down does not move its grandparent.
pub struct Nested<C, P, S = ()> {
    child: Arc<Core<C, S>>,
    map: Arc<ExitMap<C, Next<P>>>,
}

impl<C, P, S> Nested<C, P, S> {
    pub(crate) fn new(child: Arc<Core<C, S>>, map: Arc<ExitMap<C, Next<P>>>) -> Self {
        Nested { child, map }
    }
}

impl<C, P, S> Step<S, P> for Nested<C, P, S>
where
    C: ConversationState,
    P: ConversationState,
    S: Send + Sync + 'static,
{
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match> {
        self.child.could_handle(update, bot).then(Match::default)
    }

    fn run(&self, update: Arc<Update>, ctx: Context<S>, key: &str) -> StepFuture<P> {
        let child = self.child.clone();
        let map = self.map.clone();
        let parent_key = key.to_owned();
        Box::pin(async move {
            let exit = Exit {
                map: &*map,
                parent_key: &parent_key,
            };
            let to_parent = child.process(update, ctx, Some(exit)).await?;
            Ok(to_parent.unwrap_or(Next::Stay))
        })
    }

    fn is_blocking(&self) -> bool {
        true
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.child.update_types.clone()
    }

    fn attach(&self, app: &Application<S>, parent: &Arc<Core<P, S>>) {
        self.child
            .attach_nested(app, parent.clone(), self.map.clone());
    }
}

impl<C, P, S> IntoStep<S, P> for Nested<C, P, S>
where
    C: ConversationState,
    P: ConversationState,
    S: Send + Sync + 'static,
{
    fn into_step(self) -> BoxedStep<S, P> {
        BoxedStep(Box::new(self))
    }
}

impl<C, P, S> Clone for Nested<C, P, S> {
    fn clone(&self) -> Self {
        Nested {
            child: self.child.clone(),
            map: self.map.clone(),
        }
    }
}

impl<C, P, S> fmt::Debug for Nested<C, P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nested")
            .field("child", &self.child.name)
            .finish_non_exhaustive()
    }
}
