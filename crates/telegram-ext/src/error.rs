//! Errors of the ext layer: what a handler returns, what building and running an application
//! can fail with.

use std::error::Error as StdError;
use std::fmt;

use telegram_types::batch::MalformedUpdate;

/// What a callback returns: `Ok(())`, or an error for the error handlers.
pub type HandlerResult = Result<(), HandlerError>;

/// An error out of a callback (or a panic in one), routed to the error handlers.
///
/// Any `Error + Send + Sync` converts into it, so `?` works in callbacks. It is deliberately not
/// an `Error` itself (that is what makes the blanket `From` possible, as with `anyhow`).
///
/// [`HandlerError::Stop`] is not a failure: it is python-telegram-bot's
/// `ApplicationHandlerStop`, which ends processing of the update (no later group runs). Return it
/// with [`stop`].
#[non_exhaustive]
pub enum HandlerError {
    /// The callback failed.
    Failed(Box<dyn StdError + Send + Sync>),
    /// The callback panicked; the panic's message.
    Panicked(String),
    /// The callback asked that no later handler group sees the update.
    Stop,
    /// The handler's `check` passed, but on a closer look (a conversation reading its stored
    /// state) the update is not its: the dispatcher tries the group's next handler, as if the
    /// check had failed. Not a failure; ignored from a non-blocking handler.
    Declined,
    /// The stop cancelled it: the drain timeout ran out while the task was still running, or
    /// the stop was forced ([`Application::force_stop`](crate::Application::force_stop), a
    /// second ctrl-c) while it or its update was still running.
    Cancelled,
    /// An update arrived that could not be decoded (polling or the webhook). The update the
    /// error handlers get alongside is a stand-in: its `update_id` (0 when unreadable) and, as
    /// [`UpdateKind::Unknown`](telegram_types::UpdateKind::Unknown), its kind and raw content;
    /// the whole update as received is in [`MalformedUpdate::raw`].
    Malformed(MalformedUpdate),
}

/// Ends processing of the update here: no handler of a later group sees it.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{stop, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn ban_check(update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     let banned = update.effective_user().is_some_and(|u| u.id == 666);
///     if banned { stop() } else { Ok(()) }
/// }
/// ```
pub fn stop() -> HandlerResult {
    Err(HandlerError::Stop)
}

impl HandlerError {
    /// An error with just a message.
    pub fn msg(message: impl fmt::Display) -> Self {
        HandlerError::Failed(message.to_string().into())
    }

    /// The underlying error, for `Failed`.
    pub fn source_error(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        match self {
            HandlerError::Failed(error) => Some(error.as_ref()),
            _ => None,
        }
    }

    /// Whether this is a caught panic.
    pub fn is_panic(&self) -> bool {
        matches!(self, HandlerError::Panicked(_))
    }

    /// Turns a panic payload into an error, keeping its message.
    pub(crate) fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
        HandlerError::Panicked(message)
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError::Failed(Box::new(error))
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Failed(error) => write!(f, "{error}"),
            HandlerError::Panicked(message) => write!(f, "handler panicked: {message}"),
            HandlerError::Stop => f.write_str("handler stopped the update's propagation"),
            HandlerError::Declined => f.write_str("handler declined the update"),
            HandlerError::Cancelled => {
                f.write_str("cancelled by the stop (drain timeout or forced stop)")
            }
            HandlerError::Malformed(malformed) => write!(f, "{malformed}"),
        }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
            HandlerError::Panicked(message) => f.debug_tuple("Panicked").field(message).finish(),
            HandlerError::Stop => f.write_str("Stop"),
            HandlerError::Declined => f.write_str("Declined"),
            HandlerError::Cancelled => f.write_str("Cancelled"),
            HandlerError::Malformed(malformed) => {
                f.debug_tuple("Malformed").field(malformed).finish()
            }
        }
    }
}

/// Why an application could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither a token nor a bot was given.
    #[error("no bot: call .token(..) or .bot(..) on the builder")]
    NoBot,
    /// A handler could not be made while building (a bad command name), so `?` works on
    /// `CommandHandler::new` in a function that builds the application.
    #[error("invalid handler")]
    InvalidCommand(#[from] InvalidCommand),
    /// A conversation that cannot work (a state without handlers, a per-message conversation
    /// with a message handler, …), so `?` works on `ConversationBuilder::build` there too.
    #[error("invalid conversation")]
    Conversation(#[from] crate::conversation::ConversationError),
}

/// Why running an application stopped with an error.
///
/// Display prints this level only; the cause (a [`telegram_transport::Error`], an
/// [`std::io::Error`]) is its [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// `getMe` kept failing at initialization.
    #[error("initialization failed: getMe did not succeed")]
    Initialize(#[source] telegram_transport::Error),
    /// Telegram rejected the token (401) or the bot does not exist (404).
    #[error("telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")]
    InvalidToken(#[source] telegram_transport::Error),
    /// Another `getUpdates` consumer, or a webhook, holds the updates (409).
    #[error("conflict: another instance is polling this bot, or a webhook is set")]
    Conflict(#[source] telegram_transport::Error),
    /// A call to Telegram failed.
    #[error("telegram call failed")]
    Api(#[source] telegram_transport::Error),
    /// The webhook server could not listen on its address.
    #[error("the webhook server cannot listen on {addr}")]
    Bind {
        /// The address it tried.
        addr: std::net::SocketAddr,
        /// Why it could not.
        #[source]
        source: std::io::Error,
    },
    /// An update's id is `i64::MAX`: no `getUpdates` offset can confirm it, so polling stops
    /// (after handling it) instead of receiving it again and again.
    #[error("update {update_id} has the largest possible id; no offset can confirm it")]
    OffsetOverflow {
        /// The update's id.
        update_id: i64,
    },
    /// The update journal could not be read at start, so the updates a crash left in it
    /// could not be replayed (they stay there for the next start).
    #[error("the update journal cannot be read")]
    Journal(#[source] telegram_store::StoreError),
    /// `start` was called before `initialize`.
    #[error("start called before initialize")]
    NotInitialized,
    /// `start` was called while the application was running.
    #[error("the application is already running")]
    AlreadyRunning,
}

/// Why a command name was refused by `CommandHandler`: a command is 1 to 32 characters of
/// `a-z`, `0-9` and `_` (upper case is lowered first, as Telegram ignores case).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidCommand {
    /// No command was given at all.
    #[error("a command handler needs at least one command")]
    NoCommands,
    /// The command is the empty string.
    #[error("a command cannot be empty")]
    Empty,
    /// The command has more than 32 characters.
    #[error("command `{0}` is longer than 32 characters")]
    TooLong(String),
    /// The command has a character Telegram does not allow in commands.
    #[error("command `{command}` contains `{character}`; only a-z, 0-9 and _ are allowed")]
    Character {
        /// The command, lowercased.
        command: String,
        /// The first character not allowed.
        character: char,
    },
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::io;

    use super::*;

    fn rejected() -> telegram_transport::Error {
        telegram_transport::Error::Api {
            error_code: 401,
            description: "Unauthorized".to_owned(),
            retry_after: None,
            migrate_to_chat_id: None,
        }
    }

    #[test]
    fn run_errors_print_one_level_and_keep_the_cause_as_source() {
        let errors = [
            RunError::InvalidToken(rejected()),
            RunError::Conflict(rejected()),
            RunError::Api(rejected()),
            RunError::Initialize(rejected()),
        ];
        for error in errors {
            let cause = error.source().expect("the transport error").to_string();
            assert!(!error.to_string().contains(&cause), "{error}");
        }
    }

    #[test]
    fn a_bind_failure_keeps_its_address_and_io_error() {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 8443));
        let error = RunError::Bind {
            addr,
            source: io::Error::new(io::ErrorKind::AddrInUse, "address in use"),
        };
        assert_eq!(
            error.to_string(),
            "the webhook server cannot listen on 127.0.0.1:8443"
        );
        let source = error.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(source.map(io::Error::kind), Some(io::ErrorKind::AddrInUse));
    }
}
