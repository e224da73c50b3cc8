//! `CommandHandler`: `/command` and `/command@botname` messages, with the words after the command
//! as arguments.
//!
//! Commands with other prefixes (`!help`) are `PrefixHandler`'s (`prefix.rs`); the command
//! *filter* (`filters::COMMAND`) is in `filters/text.rs`.

use telegram_types::{Message, MessageEntityType, Update, UpdateKind, UpdateType};

use super::checked::{Check, Checked};
use super::{BotIdentity, Match, MESSAGE_KINDS};
use crate::error::InvalidCommand;
use crate::filters::{self, Filter};

/// The longest command Telegram accepts.
const MAX_COMMAND_LEN: usize = 32;

/// What the handler asks Telegram for with its default filter: new and edited messages.
const MESSAGES: &[UpdateType] = &[UpdateType::Message, UpdateType::EditedMessage];

/// What a [`CommandHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct CommandCheck<F = filters::UpdateType> {
    commands: Vec<String>,
    filter: F,
    update_types: &'static [UpdateType],
    has_args: Option<usize>,
}

/// Handles messages that start with one of its commands, as python-telegram-bot's
/// `CommandHandler`.
///
/// A message matches when its text (never its caption) starts with a `bot_command` entity
/// naming one of the commands, in any case: `/start`, `/START`, or `/start@YourBot` when
/// `YourBot` is this bot's username (a command addressed to another bot is left alone). The
/// words after the command, split on any whitespace, land in [`Context::args`](crate::Context::args).
///
/// By default new and edited messages are handled (`filters::UpdateType::MESSAGES`).
/// [`filter`](Self::filter) *replaces* that filter, as python-telegram-bot's `filters=` does:
/// the handler then looks at every message-carrying kind (channel posts and business messages
/// too) and lets the filter decide.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{filters, handlers::CommandHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn transfer(update: Arc<Update>, ctx: Context) -> HandlerResult {
///     // `/transfer 10 bob` → ["10", "bob"]
///     let [amount, to] = ctx.args.as_slice() else { return Ok(()) };
///     tracing::info!(%amount, %to, "transfer");
///     Ok(())
/// }
///
/// let handler = CommandHandler::new("transfer", transfer)?.has_args(Some(2));
/// let private_help = CommandHandler::with_commands(["help", "start"], transfer)?
///     .filter(filters::ChatType::PRIVATE)
///     .block(false);
/// # let _ = (handler, private_help);
/// # Ok::<(), telegram_ext::handlers::InvalidCommand>(())
/// ```
pub type CommandHandler<C, F = filters::UpdateType> = Checked<CommandCheck<F>, C>;

impl<F> std::fmt::Debug for CommandCheck<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandHandler")
            .field("commands", &self.commands)
            .field("has_args", &self.has_args)
            .finish_non_exhaustive()
    }
}

impl<C> CommandHandler<C> {
    /// Handles `/command` (any case) with `callback`.
    ///
    /// # Errors
    ///
    /// When `command` is not 1 to 32 characters of `a-z`, `0-9` and `_` once lowercased.
    pub fn new(command: &str, callback: C) -> Result<Self, InvalidCommand> {
        Self::with_commands([command], callback)
    }

    /// Handles any of `commands` (any case) with `callback`.
    ///
    /// # Errors
    ///
    /// When `commands` is empty, or one of them is not 1 to 32 characters of `a-z`, `0-9` and
    /// `_` once lowercased.
    pub fn with_commands<I, S>(commands: I, callback: C) -> Result<Self, InvalidCommand>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let commands = commands
            .into_iter()
            .map(|c| validate(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if commands.is_empty() {
            return Err(InvalidCommand::NoCommands);
        }
        Ok(Checked::from_parts(
            CommandCheck {
                commands,
                filter: filters::UpdateType::MESSAGES,
                update_types: MESSAGES,
                has_args: None,
            },
            callback,
        ))
    }
}

impl<C, F> CommandHandler<C, F> {
    /// Replaces the default filter (new and edited messages) with `filter`; every
    /// message-carrying update kind is then considered. Regex matches of the filter land in
    /// [`Context::matches`](crate::Context::matches).
    #[must_use]
    pub fn filter<G: Filter>(self, filter: G) -> CommandHandler<C, G> {
        self.map_check(|check| CommandCheck {
            commands: check.commands,
            filter,
            update_types: MESSAGE_KINDS,
            has_args: check.has_args,
        })
    }

    /// The number of arguments required: `None` any (the default), `Some(0)` none, `Some(n)`
    /// exactly `n`. A message with another count is not handled.
    #[must_use]
    pub fn has_args(mut self, count: Option<usize>) -> Self {
        self.check.has_args = count;
        self
    }

    /// The commands handled, lowercased, without `/`.
    pub fn commands(&self) -> &[String] {
        &self.check.commands
    }
}

impl<F> Check for CommandCheck<F>
where
    F: Filter,
{
    fn check(&self, update: &Update, bot: &BotIdentity) -> Option<Match> {
        let text = incoming_message(update)?.text.as_deref()?;
        let name = leading_command(update, bot)?;
        if !self.commands.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            return None;
        }
        let args: Vec<String> = text.split_whitespace().skip(1).map(str::to_owned).collect();
        if self.has_args.is_some_and(|n| n != args.len()) {
            return None;
        }
        let result = self.filter.check(update);
        result.is_match().then(|| Match {
            args,
            matches: result.into_matches(),
        })
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.update_types.to_vec()
    }
}

/// The message of a message-carrying update (not the message under a callback query's button).
pub(super) fn incoming_message(update: &Update) -> Option<&Message> {
    match &update.kind {
        UpdateKind::Message(m)
        | UpdateKind::EditedMessage(m)
        | UpdateKind::ChannelPost(m)
        | UpdateKind::EditedChannelPost(m)
        | UpdateKind::BusinessMessage(m)
        | UpdateKind::EditedBusinessMessage(m) => Some(m),
        _ => None,
    }
}

/// The command the message's text starts with, without `/` and without `@botname`, when it is
/// for this bot: `/start@other_bot` is `None`, and so is any `@botname` when the bot's own
/// username is unknown.
fn leading_command<'u>(update: &'u Update, bot: &BotIdentity) -> Option<&'u str> {
    let message = incoming_message(update)?;
    let text = message.text.as_deref()?;
    let entity = message.entities.as_deref()?.first()?;
    if entity.kind != MessageEntityType::BotCommand || entity.offset != 0 {
        return None;
    }
    let token = entity.text_in(text)?.strip_prefix('/')?;
    match token.split_once('@') {
        None => Some(token),
        Some((name, target)) => {
            let for_us = !bot.username.is_empty() && target.eq_ignore_ascii_case(&bot.username);
            for_us.then_some(name)
        }
    }
}

/// The command lowercased, when it is a valid Telegram command.
fn validate(command: &str) -> Result<String, InvalidCommand> {
    let command = command.to_lowercase();
    if command.is_empty() {
        return Err(InvalidCommand::Empty);
    }
    if let Some(character) = command
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(InvalidCommand::Character { command, character });
    }
    if command.len() > MAX_COMMAND_LEN {
        return Err(InvalidCommand::TooLong(command));
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use crate::handlers::{Callback, Handler};
    use serde_json::json;

    use super::super::test_support::{bot, command, command_of_kind, message_of_kind, noop, text};
    use super::*;

    fn start() -> CommandHandler<impl Callback<()>> {
        CommandHandler::new("start", noop).expect("valid command")
    }

    fn args(handler: &impl Handler, update: &Update) -> Option<Vec<String>> {
        handler.check(update, &bot()).map(|m| m.args)
    }

    fn id(username: &str) -> BotIdentity {
        BotIdentity {
            id: 1,
            username: username.to_owned(),
        }
    }

    #[test]
    fn plain_command_matches_with_no_args() {
        assert_eq!(args(&start(), &command("/start")), Some(vec![]));
    }

    #[test]
    fn command_matches_in_any_case() {
        assert!(start().check(&command("/START"), &bot()).is_some());
        let upper = CommandHandler::new("StArT", noop).expect("uppercase is lowered");
        assert_eq!(upper.commands(), ["start"]);
        assert!(upper.check(&command("/start"), &bot()).is_some());
    }

    #[test]
    fn addressed_command_matches_only_this_bot() {
        assert!(start().check(&command("/start@TestBot"), &bot()).is_some());
        assert!(start()
            .check(&command("/start@testbot x"), &bot())
            .is_some());
        assert!(start().check(&command("/start@otherbot"), &bot()).is_none());
        assert!(start().check(&command("/start@testbot"), &id("")).is_none());
        assert!(start().check(&command("/start"), &id("")).is_some());
    }

    #[test]
    fn other_commands_and_prefixes_do_not_match() {
        assert!(start().check(&command("/help"), &bot()).is_none());
        assert!(start().check(&command("/starter"), &bot()).is_none());
        assert!(start().check(&text("/start"), &bot()).is_none());
        assert!(start().check(&text("start"), &bot()).is_none());
    }

    #[test]
    fn command_in_a_caption_is_ignored() {
        let captioned = message_of_kind(
            "message",
            json!({
                "photo": [],
                "caption": "/start",
                "caption_entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }),
        );
        assert!(start().check(&captioned, &bot()).is_none());
    }

    #[test]
    fn command_not_at_offset_zero_is_ignored() {
        let later = message_of_kind(
            "message",
            json!({
                "text": "hi /start",
                "entities": [{"type": "bot_command", "offset": 3, "length": 6}],
            }),
        );
        assert!(start().check(&later, &bot()).is_none());
    }

    #[test]
    fn args_split_on_any_whitespace() {
        assert_eq!(
            args(&start(), &command("/start  a \n b\t\tc  ")),
            Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
        );
        assert_eq!(
            args(&start(), &command("/start@testbot deep-link")),
            Some(vec!["deep-link".to_owned()])
        );
    }

    #[test]
    fn edited_messages_match_and_channel_posts_do_not_by_default() {
        assert!(start()
            .check(&command_of_kind("edited_message", "/start"), &bot())
            .is_some());
        assert!(start()
            .check(&command_of_kind("channel_post", "/start"), &bot())
            .is_none());
        assert_eq!(
            Handler::<()>::update_types(&start()),
            vec![UpdateType::Message, UpdateType::EditedMessage]
        );
    }

    #[test]
    fn filter_replaces_the_default_and_widens_update_types() {
        let posts = start().filter(filters::UpdateType::CHANNEL_POSTS);
        assert!(posts
            .check(&command_of_kind("channel_post", "/start"), &bot())
            .is_some());
        assert!(posts.check(&command("/start"), &bot()).is_none());
        assert_eq!(Handler::<()>::update_types(&posts), MESSAGE_KINDS.to_vec());
    }

    #[test]
    fn filter_matches_land_in_the_match() {
        let with_regex = start().filter(filters::Regex::new(r"(\d+)").expect("valid"));
        let found = with_regex
            .check(&command("/start 42"), &bot())
            .expect("the filter passes");
        assert_eq!(found.matches[0].get(1), Some("42"));
    }

    #[test]
    fn has_args_constrains_the_count() {
        let none = start().has_args(Some(0));
        assert!(none.check(&command("/start"), &bot()).is_some());
        assert!(none.check(&command("/start x"), &bot()).is_none());
        let two = start().has_args(Some(2));
        assert!(two.check(&command("/start a b"), &bot()).is_some());
        assert!(two.check(&command("/start a"), &bot()).is_none());
        assert!(start()
            .has_args(None)
            .check(&command("/start a b c"), &bot())
            .is_some());
    }

    #[test]
    fn invalid_commands_are_rejected() {
        assert_eq!(
            CommandHandler::new("", noop).map(|_| ()),
            Err(InvalidCommand::Empty)
        );
        let long = "a".repeat(33);
        assert_eq!(
            CommandHandler::new(&long, noop).map(|_| ()),
            Err(InvalidCommand::TooLong(long))
        );
        assert!(CommandHandler::new(&"a".repeat(32), noop).is_ok());
        assert!(matches!(
            CommandHandler::new("my-cmd", noop),
            Err(InvalidCommand::Character { character: '-', .. })
        ));
        assert!(CommandHandler::new("/start", noop).is_err());
        assert!(CommandHandler::new("héllo", noop).is_err());
        assert_eq!(
            CommandHandler::with_commands(Vec::<String>::new(), noop).map(|_| ()),
            Err(InvalidCommand::NoCommands)
        );
    }

    #[test]
    fn malformed_entity_lengths_do_not_panic() {
        for length in [-1, 0, 1, 100] {
            let odd = message_of_kind(
                "message",
                json!({
                    "text": "/s😀",
                    "entities": [{"type": "bot_command", "offset": 0, "length": length}],
                }),
            );
            let _ = start().check(&odd, &bot());
        }
    }
}
