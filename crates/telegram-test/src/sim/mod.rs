//! Simulated Telegram users and chats that talk to the bot through the fake server:
//! [`SimUser`] sends messages, presses buttons and asks inline queries; [`SimChat`] is a group
//! they can post in; [`ChatTarget`] lets waits accept either, or a plain chat id.

mod chat;
mod entities;
mod user;

pub use chat::SimChat;
pub use user::SimUser;

/// Anything that names a chat: a chat id, a [`SimUser`] (the chat it posts in — its private
/// chat unless made with [`SimUser::in_chat`]) or a [`SimChat`].
pub trait ChatTarget {
    /// The chat's id.
    fn target_chat_id(&self) -> i64;
}

impl ChatTarget for i64 {
    fn target_chat_id(&self) -> i64 {
        *self
    }
}

impl ChatTarget for SimUser {
    fn target_chat_id(&self) -> i64 {
        self.chat_id()
    }
}

impl ChatTarget for SimChat {
    fn target_chat_id(&self) -> i64 {
        self.id()
    }
}

impl<T> ChatTarget for &T
where
    T: ChatTarget + ?Sized,
{
    fn target_chat_id(&self) -> i64 {
        (**self).target_chat_id()
    }
}
