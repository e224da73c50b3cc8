//! Which conversation an update belongs to: the key kinds and the key string each makes.

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
        let chat = || update.effective_chat().map(|c| c.id);
        let user = || update.effective_user().map(|u| u.id);
        Some(match self {
            ConversationKey::Chat => chat()?.to_string(),
            ConversationKey::User => user()?.to_string(),
            ConversationKey::ChatUser => format!("{}:{}", chat()?, user()?),
            ConversationKey::Message => message_part(update)?,
            ConversationKey::MessageUser => format!("{}:{}", message_part(update)?, user()?),
            ConversationKey::Topic => format!("{}:t{}", chat()?, thread(update)),
            ConversationKey::TopicUser => format!("{}:t{}:{}", chat()?, thread(update), user()?),
        })
    }
}

/// `{chat_id}:m{message_id}` of a callback query's message, or `i{inline_message_id}`.
fn message_part(update: &Update) -> Option<String> {
    let UpdateKind::CallbackQuery(query) = &update.kind else {
        return None;
    };
    if let Some(message) = query.message.as_deref() {
        return Some(format!("{}:m{}", message.chat().id, message.message_id()));
    }
    query.inline_message_id.as_ref().map(|id| format!("i{id}"))
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
