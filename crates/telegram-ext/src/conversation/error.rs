//! [`ConversationError`]: a conversation that cannot work (found when it is built) or a stored
//! state that cannot be read or written (at run time, handed to the error handlers).

use telegram_store::StoreError;

/// What building or running a conversation failed with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConversationError {
    /// The name is empty or holds a `:` (it is a part of the store key).
    #[error("conversation name {0:?} must be non-empty and hold no ':'")]
    BadName(String),
    /// No entry point: the conversation could never start.
    #[error("conversation {0:?} has no entry point")]
    NoEntryPoints(String),
    /// A state was declared with no handler: a conversation in it could never move on.
    #[error("conversation {name:?}: state {state} has no handlers")]
    EmptyState {
        /// The conversation.
        name: String,
        /// The state, as its `Debug`.
        state: String,
    },
    /// A per-message conversation with a handler that is not a callback-query handler: other
    /// updates carry no message to key on, so that handler could never run.
    #[error("conversation {name:?} is per message, but its handler #{index} in {place} can match {kinds} updates; only callback-query handlers can be used")]
    NotPerMessage {
        /// The conversation.
        name: String,
        /// Where the handler is (`entry points`, a state, `fallbacks`).
        place: String,
        /// Its position there.
        index: usize,
        /// The update kinds it matches.
        kinds: String,
    },
    /// A timeout handler or timeout state was set without a timeout.
    #[error("conversation {0:?} has a timeout action but no timeout")]
    TimeoutActionWithoutTimeout(String),
    /// The store failed or held something unreadable under a conversation key.
    #[error("conversation state at {key:?}")]
    Store {
        /// The store key.
        key: String,
        /// What the store said.
        #[source]
        source: StoreError,
    },
    /// The stored state does not decode as the state type (or does not encode).
    #[error("conversation state at {key:?} cannot be read or written")]
    Codec {
        /// The store key.
        key: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// Another process moved this conversation while this one handled an update of it: the
    /// callback ran, its transition was not written (the other process's state stands).
    #[error("conversation state at {key:?} was changed by another process meanwhile; this transition was dropped")]
    Conflict {
        /// The store key.
        key: String,
    },
}
