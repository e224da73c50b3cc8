//! [`User`]: updates from listed users (by id or username), a list that can change while the bot
//! runs, as python-telegram-bot's `filters.User`. The list itself lives in `allow_list.rs`.

use telegram_types::Update;

use super::allow_list::allow_list_filter;
use super::{Filter, FilterResult};

allow_list_filter! {
    /// Updates whose effective user (the sender of a message, the user who pressed a button,
    /// …) is listed by id or username. Clones share the list, so a filter kept by a handler
    /// can be changed from elsewhere, at runtime, with `&self`.
    ///
    /// Usernames compare without the leading `@` and ignore case. An update without a user
    /// (a channel post) never passes; an empty list passes only with
    /// [`allow_empty(true)`](User::allow_empty).
    ///
    /// ```
    /// use telegram_ext::filters::{self, User};
    ///
    /// let admins = User::ids([1001, 1002]);
    /// let admin_commands = filters::COMMAND & admins.clone();
    ///
    /// // Later, from a command handler or an admin panel:
    /// admins.add_usernames(["@carol"]);
    /// admins.remove_ids([1002]);
    /// assert!(admins.allowed_usernames().contains("carol"));
    /// # let _ = admin_commands;
    /// ```
    User, "user"
}

impl Filter for User {
    fn check(&self, update: &Update) -> FilterResult {
        let user = update.effective_user();
        FilterResult::from_bool(user.is_some_and(|u| self.list.allows(u.id, u.username.as_deref())))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, message_of_kind, no_message, text};
    use super::*;

    fn from(id: i64, username: Option<&str>) -> Update {
        let mut user = json!({"id": id, "is_bot": false, "first_name": "U"});
        if let Some(name) = username {
            user["username"] = json!(name);
        }
        message(json!({"text": "hi", "from": user}))
    }

    #[test]
    fn user_passes_listed_ids_and_usernames() {
        assert!(User::ids([42]).matches(&text("hi")));
        assert!(!User::ids([43]).matches(&text("hi")));
        assert!(User::usernames(["@Ann"]).matches(&text("hi")));
        assert!(User::usernames(["bob"]).matches(&from(9, Some("Bob"))));
        assert!(!User::usernames(["bob"]).matches(&from(9, None)));
    }

    #[test]
    fn changes_at_runtime_are_seen_by_clones() {
        let filter = User::new();
        let in_handler = filter.clone() & crate::filters::TEXT;
        let update = from(7, Some("eve"));
        assert!(!in_handler.matches(&update));

        filter.add_ids([7]);
        assert!(in_handler.matches(&update));

        filter.remove_ids([7]);
        assert!(!in_handler.matches(&update));

        filter.add_usernames(["EVE"]);
        assert!(in_handler.matches(&update));

        filter.remove_usernames(["@eve"]);
        assert!(!in_handler.matches(&update));
        assert!(filter.allowed_ids().is_empty() && filter.allowed_usernames().is_empty());
    }

    #[test]
    fn empty_list_passes_only_with_allow_empty() {
        assert!(!User::new().matches(&text("hi")));
        assert!(User::new().allow_empty(true).matches(&text("hi")));
        assert!(!User::new().allow_empty(true).matches(&message_of_kind(
            "channel_post",
            json!({"text": "post", "from": null}),
        )));
    }

    #[test]
    fn user_reads_the_effective_user_of_any_update() {
        // The callback query in `no_message` comes from user 42.
        assert!(User::ids([42]).matches(&no_message()));
    }
}
