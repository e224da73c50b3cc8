//! `PrefixHandler`: messages whose first word is one of a set of prefixes followed by one of a
//! set of commands (`!help`, `#help`), with the words after it as arguments.
//!
//! Telegram's own `/commands` are `CommandHandler`'s (`command.rs`).

use telegram_types::{Update, UpdateType};

use super::checked::{Check, Checked};
use super::command::incoming_message;
use super::{BotIdentity, Match, MESSAGE_KINDS};
use crate::filters::{self, Filter};

/// What the handler asks Telegram for with its default filter: new and edited messages.
const MESSAGES: &[UpdateType] = &[UpdateType::Message, UpdateType::EditedMessage];

/// What a [`PrefixHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct PrefixCheck<F = filters::UpdateType> {
    commands: Vec<String>,
    filter: F,
    update_types: &'static [UpdateType],
}

/// Handles messages whose first word is a prefix followed by a command, as
/// python-telegram-bot's `PrefixHandler`: every prefix is combined with every command, so
/// prefixes `!` and `#` with commands `help` and `start` match `!help`, `#help`, `!start` and
/// `#start`, in any case.
///
/// Unlike [`CommandHandler`](super::CommandHandler), no entity is needed and no name is
/// validated. The words after the first, split on any whitespace, land in [`Context::args`](crate::Context::args).
/// By default new and edited messages are handled; [`filter`](Self::filter) replaces that
/// filter, as with `CommandHandler`.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::PrefixHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn help(_update: Arc<Update>, ctx: Context) -> HandlerResult {
///     tracing::info!(args = ?ctx.args, "help asked");
///     Ok(())
/// }
///
/// let handler = PrefixHandler::new(["!", "#"], ["help"], help);
/// # let _ = handler;
/// ```
pub type PrefixHandler<C, F = filters::UpdateType> = Checked<PrefixCheck<F>, C>;

impl<F> std::fmt::Debug for PrefixCheck<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefixHandler")
            .field("commands", &self.commands)
            .finish_non_exhaustive()
    }
}

impl<C> PrefixHandler<C> {
    /// Handles every `prefix` followed by every `command` with `callback`.
    pub fn new<P, Q, I, J>(prefixes: I, commands: J, callback: C) -> Self
    where
        I: IntoIterator<Item = P>,
        J: IntoIterator<Item = Q>,
        P: AsRef<str>,
        Q: AsRef<str>,
    {
        let commands: Vec<String> = commands
            .into_iter()
            .map(|c| c.as_ref().to_lowercase())
            .collect();
        let mut combined = Vec::new();
        for prefix in prefixes {
            let prefix = prefix.as_ref().to_lowercase();
            for command in &commands {
                let word = format!("{prefix}{command}");
                if !combined.contains(&word) {
                    combined.push(word);
                }
            }
        }
        Checked::from_parts(
            PrefixCheck {
                commands: combined,
                filter: filters::UpdateType::MESSAGES,
                update_types: MESSAGES,
            },
            callback,
        )
    }
}

impl<C, F> PrefixHandler<C, F> {
    /// Replaces the default filter (new and edited messages) with `filter`; every
    /// message-carrying update kind is then considered. Regex matches of the filter land in
    /// [`Context::matches`](crate::Context::matches).
    #[must_use]
    pub fn filter<G: Filter>(self, filter: G) -> PrefixHandler<C, G> {
        self.map_check(|check| PrefixCheck {
            commands: check.commands,
            filter,
            update_types: MESSAGE_KINDS,
        })
    }

    /// Every prefixed command handled, lowercased (`!help`, `#help`, …).
    pub fn commands(&self) -> &[String] {
        &self.check.commands
    }
}

impl<F> Check for PrefixCheck<F>
where
    F: Filter,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let text = incoming_message(update)?.text.as_deref()?;
        let mut words = text.split_whitespace();
        let first = words.next()?.to_lowercase();
        if !self.commands.contains(&first) {
            return None;
        }
        let result = self.filter.check(update);
        result.is_match().then(|| Match {
            args: words.map(str::to_owned).collect(),
            matches: result.into_matches(),
        })
    }

    fn update_types(&self) -> Vec<UpdateType> {
        self.update_types.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use crate::handlers::{Callback, Handler};
    use serde_json::json;

    use super::super::test_support::{bot, callback_query, message_of_kind, noop, text};
    use super::*;

    fn help() -> PrefixHandler<impl Callback<()>> {
        PrefixHandler::new(["!", "#"], ["help", "Start"], noop)
    }

    #[test]
    fn every_prefix_combines_with_every_command() {
        let mut commands = help().commands().to_vec();
        commands.sort();
        assert_eq!(commands, ["!help", "!start", "#help", "#start"]);
        for word in ["!help", "#help", "!START", "#Start"] {
            assert!(help().check(&text(word), &bot()).is_some(), "{word}");
        }
        for word in ["help", "/help", "!helper", "?help", "x !help"] {
            assert!(help().check(&text(word), &bot()).is_none(), "{word}");
        }
    }

    #[test]
    fn words_after_the_command_are_args() {
        let found = help()
            .check(&text("!help  me \n now"), &bot())
            .expect("matches");
        assert_eq!(found.args, ["me", "now"]);
    }

    #[test]
    fn captions_and_callback_messages_are_ignored() {
        let captioned = message_of_kind("message", json!({"photo": [], "caption": "!help"}));
        assert!(help().check(&captioned, &bot()).is_none());
        let button = callback_query(json!({"data": "!help"}));
        assert!(help().check(&button, &bot()).is_none());
    }

    #[test]
    fn default_filter_takes_new_and_edited_messages() {
        let edited = message_of_kind("edited_message", json!({"text": "!help"}));
        assert!(help().check(&edited, &bot()).is_some());
        let post = message_of_kind("channel_post", json!({"text": "!help"}));
        assert!(help().check(&post, &bot()).is_none());
        let posts = help().filter(filters::UpdateType::CHANNEL_POSTS);
        assert!(posts.check(&post, &bot()).is_some());
        assert_eq!(Handler::<()>::update_types(&posts), MESSAGE_KINDS.to_vec());
    }
}
