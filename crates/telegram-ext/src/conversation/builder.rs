//! [`ConversationBuilder`]: entry points, states, fallbacks, key, re-entry and timeout, checked
//! in [`build`](ConversationBuilder::build) so a conversation that cannot work is never made.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use telegram_types::UpdateType;

use super::engine::{Core, Steps};
use super::step::{BoxedStep, IntoStep, Next};
use super::timeout::{Timeout, TimeoutAction, TimeoutCallback};
use super::turns::Turns;
use super::{ConversationError, ConversationHandler, ConversationKey, ConversationState};

/// Builds a [`ConversationHandler`]; start with [`ConversationHandler::builder`].
#[must_use]
pub struct ConversationBuilder<St, S = ()> {
    name: String,
    key: ConversationKey,
    entry: Steps<S, St>,
    states: Vec<(St, Steps<S, St>)>,
    fallbacks: Steps<S, St>,
    allow_reentry: bool,
    timeout: Option<Duration>,
    timeout_action: Option<TimeoutAction<St, S>>,
}

impl<St, S> ConversationBuilder<St, S>
where
    St: ConversationState,
    S: Send + Sync + 'static,
{
    pub(crate) fn new(name: String) -> Self {
        ConversationBuilder {
            name,
            key: ConversationKey::default(),
            entry: Vec::new(),
            states: Vec::new(),
            fallbacks: Vec::new(),
            allow_reentry: false,
            timeout: None,
            timeout_action: None,
        }
    }

    /// Adds a handler that starts the conversation (python-telegram-bot's `entry_points`).
    pub fn entry_point(mut self, handler: impl IntoStep<S, St>) -> Self {
        self.entry.push(handler.into_step().0.into());
        self
    }

    /// Adds a handler to `state`'s handlers (tried in the order added).
    pub fn state(mut self, state: St, handler: impl IntoStep<S, St>) -> Self {
        let step = handler.into_step().0.into();
        self.state_list(state).push(step);
        self
    }

    /// Declares `state` with these handlers (`handler.into_step()` each); an empty list is
    /// rejected by [`build`](Self::build).
    pub fn state_handlers(
        mut self,
        state: St,
        handlers: impl IntoIterator<Item = BoxedStep<S, St>>,
    ) -> Self {
        let list = self.state_list(state);
        list.extend(handlers.into_iter().map(|step| Arc::from(step.0)));
        self
    }

    /// Adds a handler tried in every state when the state's own handlers do not match.
    pub fn fallback(mut self, handler: impl IntoStep<S, St>) -> Self {
        self.fallbacks.push(handler.into_step().0.into());
        self
    }

    /// Whether an entry point may restart a conversation that is going on (`false` by
    /// default): its entry points are then tried before the state's handlers.
    pub fn allow_reentry(mut self, allow: bool) -> Self {
        self.allow_reentry = allow;
        self
    }

    /// What one conversation is tied to ([`ConversationKey::ChatUser`] by default).
    pub fn key(mut self, key: ConversationKey) -> Self {
        self.key = key;
        self
    }

    /// Ends (or moves, see [`timeout_to`](Self::timeout_to) and
    /// [`on_timeout`](Self::on_timeout)) a conversation left alone for `after`. The timeout is a
    /// persistent job of the application's job queue: it survives restarts and fires once
    /// across processes. Each handled update of the conversation resets it.
    pub fn timeout(mut self, after: Duration) -> Self {
        self.timeout = Some(after);
        self
    }

    /// Where a timed-out conversation goes ([`Next::End`] unless set): a state of your choice
    /// keeps it alive.
    pub fn timeout_to(mut self, next: Next<St>) -> Self {
        self.timeout_action = Some(TimeoutAction::To(next));
        self
    }

    /// Runs `callback` when the conversation times out; its return value is where it goes
    /// (python-telegram-bot's `TIMEOUT` state handlers, given the conversation instead of the
    /// last update).
    pub fn on_timeout(mut self, callback: impl TimeoutCallback<S, St>) -> Self {
        self.timeout_action = Some(TimeoutAction::Callback(Arc::new(callback)));
        self
    }

    /// The conversation, checked.
    ///
    /// # Errors
    ///
    /// A name that cannot be part of a key; no entry point; a state without handlers; a
    /// per-message key with a handler other than a callback-query handler; a timeout action
    /// without a timeout.
    pub fn build(self) -> Result<ConversationHandler<St, S>, ConversationError> {
        self.validate()?;
        let mut update_types: Vec<UpdateType> = Vec::new();
        let all = self
            .entry
            .iter()
            .chain(self.states.iter().flat_map(|(_, l)| l))
            .chain(&self.fallbacks);
        for step in all {
            for kind in step.update_types() {
                if !update_types.contains(&kind) {
                    update_types.push(kind);
                }
            }
        }
        let timeout = self.timeout.map(|after| Timeout {
            after,
            action: self.timeout_action.unwrap_or(TimeoutAction::To(Next::End)),
        });
        let states: HashMap<St, Steps<S, St>> = self.states.into_iter().collect();
        Ok(ConversationHandler {
            core: Arc::new(Core {
                job_name: format!("conversation:{}", self.name),
                name: self.name,
                key: self.key,
                entry: self.entry,
                states,
                fallbacks: self.fallbacks,
                allow_reentry: self.allow_reentry,
                timeout,
                turns: Turns::new(),
                update_types,
            }),
        })
    }

    fn state_list(&mut self, state: St) -> &mut Steps<S, St> {
        let at = match self.states.iter().position(|(s, _)| *s == state) {
            Some(at) => at,
            None => {
                self.states.push((state, Vec::new()));
                self.states.len() - 1
            }
        };
        &mut self.states[at].1
    }

    fn validate(&self) -> Result<(), ConversationError> {
        let name = &self.name;
        if name.is_empty() || name.contains(':') {
            return Err(ConversationError::BadName(name.clone()));
        }
        if self.entry.is_empty() {
            return Err(ConversationError::NoEntryPoints(name.clone()));
        }
        if let Some((state, _)) = self.states.iter().find(|(_, l)| l.is_empty()) {
            return Err(ConversationError::EmptyState {
                name: name.clone(),
                state: format!("{state:?}"),
            });
        }
        if self.timeout.is_none() && self.timeout_action.is_some() {
            return Err(ConversationError::TimeoutActionWithoutTimeout(name.clone()));
        }
        if self.key.is_per_message() {
            self.check_per_message()?;
        }
        Ok(())
    }

    /// Every handler of a per-message conversation must match callback queries only.
    fn check_per_message(&self) -> Result<(), ConversationError> {
        let mut places: Vec<(String, &Steps<S, St>)> =
            vec![("entry points".to_owned(), &self.entry)];
        for (state, list) in &self.states {
            places.push((format!("state {state:?}"), list));
        }
        places.push(("fallbacks".to_owned(), &self.fallbacks));
        for (place, list) in places {
            for (index, step) in list.iter().enumerate() {
                let kinds = step.update_types();
                if kinds.iter().any(|k| *k != UpdateType::CallbackQuery) {
                    return Err(ConversationError::NotPerMessage {
                        name: self.name.clone(),
                        place,
                        index,
                        kinds: format!("{kinds:?}"),
                    });
                }
            }
        }
        Ok(())
    }
}

impl<St: fmt::Debug, S> fmt::Debug for ConversationBuilder<St, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationBuilder")
            .field("name", &self.name)
            .field("key", &self.key)
            .field(
                "states",
                &self.states.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}
