//! [`ForwardedFrom`]: messages forwarded from listed users, chats or channels (by id or
//! username), a list that can change while the bot runs, as python-telegram-bot's
//! `filters.ForwardedFrom`. The list itself lives in `allow_list.rs`.

use telegram_types::{MessageOrigin, Update};

use super::allow_list::allow_list_filter;
use super::{Filter, FilterResult};

allow_list_filter! {
    /// Messages whose `forward_origin` is a listed user, chat (anonymous admins) or channel.
    /// Users who hide their account in forwards have no id and never pass. Clones share the
    /// list, so it can change at runtime with `&self`.
    ///
    /// ```
    /// use telegram_ext::filters::ForwardedFrom;
    ///
    /// let from_news = ForwardedFrom::usernames(["@news"]);
    /// from_news.add_ids([1001]);
    /// # let _ = from_news;
    /// ```
    ForwardedFrom, "forward origin"
}

impl Filter for ForwardedFrom {
    fn check(&self, update: &Update) -> FilterResult {
        let origin = update
            .effective_message()
            .and_then(|m| m.forward_origin.as_deref());
        let sender = origin.and_then(|origin| match origin {
            MessageOrigin::User(o) => Some((o.sender_user.id, o.sender_user.username.as_deref())),
            MessageOrigin::Chat(o) => Some((o.sender_chat.id, o.sender_chat.username.as_deref())),
            MessageOrigin::Channel(o) => Some((o.chat.id, o.chat.username.as_deref())),
            _ => None,
        });
        FilterResult::from_bool(sender.is_some_and(|(id, name)| self.list.allows(id, name)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{message, text};
    use super::*;

    fn forwarded(origin: Value) -> Update {
        message(json!({"text": "fwd", "forward_origin": origin}))
    }

    #[test]
    fn forwarded_from_checks_each_kind_of_origin() {
        let user = forwarded(json!({
            "type": "user", "date": 1,
            "sender_user": {"id": 5, "is_bot": false, "first_name": "U", "username": "Uma"},
        }));
        let chat = forwarded(json!({
            "type": "chat", "date": 1, "sender_chat": {"id": -6, "type": "supergroup", "title": "G"},
        }));
        let channel = forwarded(json!({
            "type": "channel", "date": 1, "message_id": 3,
            "chat": {"id": -7, "type": "channel", "title": "C", "username": "news"},
        }));
        let hidden = forwarded(json!({"type": "hidden_user", "date": 1, "sender_user_name": "H"}));

        let filter = ForwardedFrom::ids([5, -6]);
        assert!(filter.matches(&user));
        assert!(filter.matches(&chat));
        assert!(!filter.matches(&channel));
        filter.add_usernames(["@NEWS"]);
        assert!(filter.clone().matches(&channel));
        assert!(!filter.matches(&hidden));
        assert!(!ForwardedFrom::new().allow_empty(true).matches(&hidden));
        assert!(ForwardedFrom::usernames(["uma"]).matches(&user));
        assert!(!filter.matches(&text("not forwarded")));
    }
}
