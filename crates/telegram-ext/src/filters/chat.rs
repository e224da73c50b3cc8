//! [`Chat`]: updates from listed chats; [`SenderChat`]: messages sent on behalf of listed chats
//! (channels, anonymous group admins), and [`SenderChatType`], their kind. As
//! python-telegram-bot's `filters.Chat` and `filters.SenderChat`. The lists live in
//! `allow_list.rs`; chat *types* of the chat itself are `chat_type.rs`.

use telegram_types::{ChatType as ApiChatType, Update};

use super::allow_list::allow_list_filter;
use super::{filter_ops, Filter, FilterResult};

allow_list_filter! {
    /// Updates whose effective chat is listed by id or username (public chats have one).
    /// Clones share the list, so it can change at runtime with `&self`.
    ///
    /// Usernames compare without the leading `@` and ignore case. An update without a chat
    /// (an inline query) never passes; an empty list passes only with
    /// [`allow_empty(true)`](Chat::allow_empty).
    ///
    /// ```
    /// use telegram_ext::filters::{self, Chat};
    ///
    /// let support = Chat::usernames(["@my_support_group"]);
    /// let support_text = filters::TEXT & support.clone();
    /// support.add_ids([-1001234567890]);
    /// # let _ = support_text;
    /// ```
    Chat, "chat"
}

impl Filter for Chat {
    fn check(&self, update: &Update) -> FilterResult {
        let chat = update.effective_chat();
        FilterResult::from_bool(chat.is_some_and(|c| self.list.allows(c.id, c.username.as_deref())))
    }
}

allow_list_filter! {
    /// Messages sent on behalf of a listed chat (`message.sender_chat`): channel posts, messages
    /// of anonymous group admins, channel posts forwarded to the discussion group. Clones share
    /// the list, so it can change at runtime with `&self`.
    ///
    /// For any sender chat of a kind, see [`SenderChat::ALL`], [`SenderChat::CHANNEL`] and
    /// [`SenderChat::SUPER_GROUP`].
    ///
    /// ```
    /// use telegram_ext::filters::SenderChat;
    ///
    /// let from_our_channel = SenderChat::usernames(["our_channel"]);
    /// let from_any_channel = SenderChat::CHANNEL;
    /// # let _ = (from_our_channel, from_any_channel);
    /// ```
    SenderChat, "sender chat"
}

impl SenderChat {
    /// Messages with any sender chat.
    pub const ALL: SenderChatType = SenderChatType { kind: None };
    /// Messages sent on behalf of a channel.
    pub const CHANNEL: SenderChatType = SenderChatType {
        kind: Some(ApiChatType::Channel),
    };
    /// Messages sent on behalf of a supergroup (anonymous admins, or the group itself).
    pub const SUPER_GROUP: SenderChatType = SenderChatType {
        kind: Some(ApiChatType::Supergroup),
    };
}

impl Filter for SenderChat {
    fn check(&self, update: &Update) -> FilterResult {
        let sender = update
            .effective_message()
            .and_then(|m| m.sender_chat.as_deref());
        FilterResult::from_bool(
            sender.is_some_and(|c| self.list.allows(c.id, c.username.as_deref())),
        )
    }
}

/// Messages with a sender chat of one type (or any): the type of [`SenderChat::ALL`],
/// [`SenderChat::CHANNEL`] and [`SenderChat::SUPER_GROUP`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SenderChatType {
    kind: Option<ApiChatType>,
}

impl Filter for SenderChatType {
    fn check(&self, update: &Update) -> FilterResult {
        let sender = update
            .effective_message()
            .and_then(|m| m.sender_chat.as_deref());
        let pass = sender.is_some_and(|c| self.kind.as_ref().is_none_or(|kind| c.kind == *kind));
        FilterResult::from_bool(pass)
    }
}

filter_ops!([] SenderChatType);

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{message, no_message, text, update};
    use super::*;

    fn channel() -> Value {
        json!({"id": -100, "type": "channel", "title": "News", "username": "News"})
    }

    fn supergroup() -> Value {
        json!({"id": -200, "type": "supergroup", "title": "Talk"})
    }

    fn in_chat(chat: Value) -> Update {
        message(json!({"text": "hi", "chat": chat}))
    }

    fn sent_as(chat: Value) -> Update {
        message(json!({"text": "hi", "chat": supergroup(), "sender_chat": chat}))
    }

    #[test]
    fn chat_passes_listed_ids_and_usernames() {
        assert!(Chat::ids([-100]).matches(&in_chat(channel())));
        assert!(Chat::usernames(["@news"]).matches(&in_chat(channel())));
        assert!(!Chat::ids([-1]).matches(&in_chat(channel())));
        assert!(!Chat::usernames(["news"]).matches(&in_chat(supergroup())));
        assert!(Chat::ids([42]).matches(&text("private chat 42")));
    }

    #[test]
    fn chat_changes_at_runtime_are_seen_by_clones() {
        let filter = Chat::new();
        let clone = filter.clone();
        let update = in_chat(supergroup());
        assert!(!clone.matches(&update));
        filter.add_ids([-200]);
        assert!(clone.matches(&update));
        filter.remove_ids([-200]);
        assert!(!clone.matches(&update));
        clone.add_usernames(["news"]);
        assert!(filter.matches(&in_chat(channel())));
        clone.remove_usernames(["NEWS"]);
        assert!(!filter.matches(&in_chat(channel())));
    }

    #[test]
    fn chat_needs_a_chat_and_follows_allow_empty() {
        let inline = update(json!({
            "update_id": 1,
            "inline_query": {
                "id": "q", "query": "", "offset": "",
                "from": {"id": 1, "is_bot": false, "first_name": "P"},
            }
        }));
        assert!(!Chat::new().allow_empty(true).matches(&inline));
        assert!(Chat::new().allow_empty(true).matches(&text("hi")));
        assert!(!Chat::new().matches(&text("hi")));
    }

    #[test]
    fn sender_chat_checks_the_sender_chat_not_the_chat() {
        assert!(SenderChat::ids([-100]).matches(&sent_as(channel())));
        assert!(SenderChat::usernames(["news"]).matches(&sent_as(channel())));
        assert!(!SenderChat::ids([-200]).matches(&sent_as(channel())));
        assert!(!SenderChat::ids([-200]).matches(&in_chat(supergroup())));
        assert!(!SenderChat::new().allow_empty(true).matches(&text("hi")));
        assert!(SenderChat::new()
            .allow_empty(true)
            .matches(&sent_as(channel())));
    }

    #[test]
    fn sender_chat_changes_at_runtime_are_seen_by_clones() {
        let filter = SenderChat::new();
        let clone = filter.clone();
        filter.add_usernames(["@news"]);
        assert!(clone.matches(&sent_as(channel())));
        filter.remove_usernames(["news"]);
        assert!(!clone.matches(&sent_as(channel())));
    }

    #[test]
    fn sender_chat_kinds_pass_their_type() {
        let from_channel = sent_as(channel());
        let from_group = sent_as(supergroup());
        assert!(SenderChat::ALL.matches(&from_channel));
        assert!(SenderChat::ALL.matches(&from_group));
        assert!(SenderChat::CHANNEL.matches(&from_channel));
        assert!(!SenderChat::CHANNEL.matches(&from_group));
        assert!(SenderChat::SUPER_GROUP.matches(&from_group));
        assert!(!SenderChat::SUPER_GROUP.matches(&from_channel));
        assert!(!SenderChat::ALL.matches(&text("hi")));
        assert!(!SenderChat::ALL.matches(&no_message()));
    }
}
