//! [`ChatType`]: updates from private chats, groups, supergroups or channels, as
//! python-telegram-bot's `filters.ChatType`. Looks at the effective chat, so it works for
//! member updates, join requests and reactions too, not only messages.
//!
//! Not to be confused with [`telegram_types::ChatType`], the API's enum this filter reads.

use telegram_types::{ChatType as ApiChatType, Update};

use super::{filter_ops, Filter, FilterResult};

/// Updates from chats of some types; combine the constants with `|` or use
/// [`ChatType::GROUPS`].
///
/// ```
/// use telegram_ext::filters::{self, ChatType};
///
/// let private_text = filters::TEXT & ChatType::PRIVATE;
/// let anywhere_but_channels = !ChatType::CHANNEL;
/// # let _ = (private_text, anywhere_but_channels);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChatType {
    /// One bit per chat type, see the `*_BIT` constants.
    mask: u8,
}

const PRIVATE_BIT: u8 = 1;
const GROUP_BIT: u8 = 1 << 1;
const SUPERGROUP_BIT: u8 = 1 << 2;
const CHANNEL_BIT: u8 = 1 << 3;

impl ChatType {
    /// Private chats (one-on-one with a user).
    pub const PRIVATE: ChatType = ChatType { mask: PRIVATE_BIT };
    /// Basic groups.
    pub const GROUP: ChatType = ChatType { mask: GROUP_BIT };
    /// Supergroups.
    pub const SUPERGROUP: ChatType = ChatType {
        mask: SUPERGROUP_BIT,
    };
    /// Groups and supergroups.
    pub const GROUPS: ChatType = ChatType {
        mask: GROUP_BIT | SUPERGROUP_BIT,
    };
    /// Channels.
    pub const CHANNEL: ChatType = ChatType { mask: CHANNEL_BIT };

    /// The bit of an API chat type; 0 for types this version does not know.
    fn bit(kind: &ApiChatType) -> u8 {
        match kind {
            ApiChatType::Private => PRIVATE_BIT,
            ApiChatType::Group => GROUP_BIT,
            ApiChatType::Supergroup => SUPERGROUP_BIT,
            ApiChatType::Channel => CHANNEL_BIT,
            _ => 0,
        }
    }
}

impl Filter for ChatType {
    fn check(&self, update: &Update) -> FilterResult {
        let kind = update.effective_chat().map(|chat| &chat.kind);
        FilterResult::from_bool(kind.is_some_and(|kind| Self::bit(kind) & self.mask != 0))
    }
}

filter_ops!([] ChatType);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, update};
    use super::*;

    fn in_chat(kind: &str) -> Update {
        message(json!({"chat": {"id": -1, "type": kind, "title": "T"}}))
    }

    #[test]
    fn each_constant_passes_its_chat_types_only() {
        let table = [
            (ChatType::PRIVATE, [true, false, false, false]),
            (ChatType::GROUP, [false, true, false, false]),
            (ChatType::SUPERGROUP, [false, false, true, false]),
            (ChatType::GROUPS, [false, true, true, false]),
            (ChatType::CHANNEL, [false, false, false, true]),
        ];
        let kinds = ["private", "group", "supergroup", "channel"];
        for (filter, expected) in table {
            for (kind, expected) in kinds.iter().zip(expected) {
                assert_eq!(
                    filter.matches(&in_chat(kind)),
                    expected,
                    "{filter:?} in {kind}"
                );
            }
        }
    }

    #[test]
    fn unknown_chat_types_and_chatless_updates_fail() {
        let all = ChatType::PRIVATE | ChatType::GROUPS | ChatType::CHANNEL;
        assert!(!all.matches(&in_chat("hyperchat")));
        let inline = update(json!({
            "update_id": 1,
            "inline_query": {
                "id": "q", "query": "", "offset": "",
                "from": {"id": 1, "is_bot": false, "first_name": "P"},
            }
        }));
        assert!(!all.matches(&inline));
    }

    #[test]
    fn chat_type_reads_the_effective_chat_of_member_updates() {
        let joined = update(json!({
            "update_id": 1,
            "chat_join_request": {
                "chat": {"id": -5, "type": "supergroup", "title": "S"},
                "from": {"id": 1, "is_bot": false, "first_name": "P"},
                "user_chat_id": 1,
                "date": 1,
            }
        }));
        assert!(ChatType::GROUPS.matches(&joined));
        assert!(!ChatType::PRIVATE.matches(&joined));
    }
}
