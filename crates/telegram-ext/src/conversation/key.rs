//! Which conversation an update belongs to: the key kinds and the key string each makes.

use std::fmt::{self, Write};

use telegram_types::{Update, UpdateKind};

/// What one conversation is tied to. The default is [`ChatUser`](Self::ChatUser): each user in
/// each chat has a conversation of their own, so two users in one group keep separate states.
///
/// | kind | one conversation per | key string |
/// | --- | --- | --- |
/// | `Chat` | chat | `{chat_id}` |
/// | `User` | user, across chats | `{user_id}` |
/// | `ChatUser` | user in a chat | `{chat_id}:{user_id}` |
/// | `Message` | message with a keyboard (callback queries only) | `{chat_id}:m{message_id}` or `i{inline_message_id}` |
/// | `MessageUser` | user pressing a message's keyboard | `{chat_id}:m{message_id}:{user_id}` |
/// | `Topic` | forum topic (thread) of a chat | `{chat_id}:t{thread_id}` (`t0`: General) |
/// | `TopicUser` | user in a forum topic | `{chat_id}:t{thread_id}:{user_id}` |
///
/// The store key is `tg:{bot_id}:conv:{name}:{key string}`. An update without the parts its
/// kind needs (an inline query has no chat) is not part of any conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ConversationKey {
    /// One conversation per chat (python-telegram-bot's `per_user=False`).
    Chat,
    /// One conversation per user, across chats (`per_chat=False`).
    User,
    /// One conversation per user in each chat (the default, as python-telegram-bot's).
    #[default]
    ChatUser,
    /// One conversation per message (`per_message=True, per_user=False`): every handler must be
    /// a callback-query handler, checked when the conversation is built.
    Message,
    /// One conversation per user and message (`per_message=True`).
    MessageUser,
    /// One conversation per forum topic (message thread); python-telegram-bot has none.
    Topic,
    /// One conversation per user in each forum topic.
    TopicUser,
}

impl ConversationKey {
    /// Whether the key is per message (only callback queries carry one).
    pub fn is_per_message(self) -> bool {
        matches!(
            self,
            ConversationKey::Message | ConversationKey::MessageUser
        )
    }

    /// The key string of `update`, or `None` when it lacks a part this kind needs.
    pub fn of(self, update: &Update) -> Option<String> {
        let mut key = String::new();
        let chat = update.effective_chat().map(|c| c.id);
        let user = update.effective_user().map(|u| u.id);
        self.write(update, chat, user, &mut key)?;
        Some(key)
    }

    /// Whether `update` has the parts this kind needs (what [`of`](Self::of) says, without
    /// making the string).
    pub(crate) fn applies_to(self, update: &Update) -> bool {
        let chat = || update.effective_chat().is_some();
        let user = || update.effective_user().is_some();
        match self {
            ConversationKey::Chat | ConversationKey::Topic => chat(),
            ConversationKey::User => user(),
            ConversationKey::ChatUser | ConversationKey::TopicUser => chat() && user(),
            ConversationKey::Message => has_message_part(update),
            ConversationKey::MessageUser => has_message_part(update) && user(),
        }
    }

    /// Appends the key string of `update` (whose effective chat and user ids are `chat` and
    /// `user`) to `out`: the engine builds the whole store key in one string. `None`, with
    /// `out` left unspecified, when the update lacks a part.
    pub(crate) fn write(
        self,
        update: &Update,
        chat: Option<i64>,
        user: Option<i64>,
        out: &mut String,
    ) -> Option<()> {
        let chat = || chat;
        let user = || user;
        // Writing to a `String` cannot fail.
        let _ = match self {
            ConversationKey::Chat => push_id(out, chat()?),
            ConversationKey::User => push_id(out, user()?),
            ConversationKey::ChatUser => {
                let (chat, user) = (chat()?, user()?);
                push_id(out, chat).and_then(|()| {
                    out.push(':');
                    push_id(out, user)
                })
            }
            ConversationKey::Message => write_message_part(update, out)?,
            ConversationKey::MessageUser => {
                let user = user()?;
                write_message_part(update, out)?.and_then(|()| write!(out, ":{user}"))
            }
            ConversationKey::Topic => write!(out, "{}:t{}", chat()?, thread(update)),
            ConversationKey::TopicUser => {
                write!(out, "{}:t{}:{}", chat()?, thread(update), user()?)
            }
        };
        Some(())
    }
}

/// Appends `{chat_id}:m{message_id}` of a callback query's message, or `i{inline_message_id}`.
fn write_message_part(update: &Update, out: &mut String) -> Option<fmt::Result> {
    let UpdateKind::CallbackQuery(query) = &update.kind else {
        return None;
    };
    if let Some(message) = query.message.as_deref() {
        return Some(write!(
            out,
            "{}:m{}",
            message.chat().id,
            message.message_id()
        ));
    }
    let id = query.inline_message_id.as_ref()?;
    Some(write!(out, "i{id}"))
}

/// Appends `id` in decimal without the formatting machinery (a third of building a store
/// key for the common kinds); always `Ok`.
fn push_id(out: &mut String, id: i64) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = id.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if id < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[at..]).map_err(|_| fmt::Error)?);
    Ok(())
}

/// Whether the update is a callback query with a message or an inline message id.
fn has_message_part(update: &Update) -> bool {
    let UpdateKind::CallbackQuery(query) = &update.kind else {
        return false;
    };
    query.message.is_some() || query.inline_message_id.is_some()
}

/// The forum topic of the update's message (0, the General topic, when it has none).
fn thread(update: &Update) -> i64 {
    let message = match &update.kind {
        UpdateKind::CallbackQuery(query) => query.message.as_deref().and_then(|m| m.message()),
        _ => update.effective_message(),
    };
    message
        .filter(|m| m.is_topic_message)
        .and_then(|m| m.message_thread_id)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::push_id;

    #[test]
    fn ids_are_written_as_display_writes_them() {
        for id in [0, 7, -7, 42, -1_001_234_567_890, i64::MAX, i64::MIN] {
            let mut out = String::from("k:");
            push_id(&mut out, id).unwrap();
            assert_eq!(out, format!("k:{id}"));
        }
    }
}
