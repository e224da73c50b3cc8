//! [`UpdateType`]: updates of some message-carrying kinds (new or edited messages, channel
//! posts, business messages), as python-telegram-bot's `filters.UpdateType`.
//!
//! Not to be confused with [`telegram_types::UpdateType`], the API's enum of update kinds.

use telegram_types::{Update, UpdateKind};

use super::{filter_ops, Filter, FilterResult};

/// Updates of some kinds; combine the constants with `|`.
///
/// ```
/// use telegram_ext::filters::{self, UpdateType};
///
/// let fresh_text = filters::TEXT & !UpdateType::EDITED;
/// let posts = UpdateType::CHANNEL_POSTS;
/// # let _ = (fresh_text, posts);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UpdateType {
    /// One bit per update kind, see the `*_BIT` constants.
    mask: u8,
}

const MESSAGE_BIT: u8 = 1;
const EDITED_MESSAGE_BIT: u8 = 1 << 1;
const CHANNEL_POST_BIT: u8 = 1 << 2;
const EDITED_CHANNEL_POST_BIT: u8 = 1 << 3;
const BUSINESS_MESSAGE_BIT: u8 = 1 << 4;
const EDITED_BUSINESS_MESSAGE_BIT: u8 = 1 << 5;

impl UpdateType {
    /// New messages (`message`).
    pub const MESSAGE: UpdateType = UpdateType { mask: MESSAGE_BIT };
    /// Edited messages (`edited_message`).
    pub const EDITED_MESSAGE: UpdateType = UpdateType {
        mask: EDITED_MESSAGE_BIT,
    };
    /// New or edited messages.
    pub const MESSAGES: UpdateType = UpdateType {
        mask: MESSAGE_BIT | EDITED_MESSAGE_BIT,
    };
    /// New channel posts (`channel_post`).
    pub const CHANNEL_POST: UpdateType = UpdateType {
        mask: CHANNEL_POST_BIT,
    };
    /// Edited channel posts (`edited_channel_post`).
    pub const EDITED_CHANNEL_POST: UpdateType = UpdateType {
        mask: EDITED_CHANNEL_POST_BIT,
    };
    /// New or edited channel posts.
    pub const CHANNEL_POSTS: UpdateType = UpdateType {
        mask: CHANNEL_POST_BIT | EDITED_CHANNEL_POST_BIT,
    };
    /// New messages from a connected business account (`business_message`).
    pub const BUSINESS_MESSAGE: UpdateType = UpdateType {
        mask: BUSINESS_MESSAGE_BIT,
    };
    /// Edited messages from a connected business account (`edited_business_message`).
    pub const EDITED_BUSINESS_MESSAGE: UpdateType = UpdateType {
        mask: EDITED_BUSINESS_MESSAGE_BIT,
    };
    /// New or edited business messages.
    pub const BUSINESS_MESSAGES: UpdateType = UpdateType {
        mask: BUSINESS_MESSAGE_BIT | EDITED_BUSINESS_MESSAGE_BIT,
    };
    /// Any edit: edited messages, channel posts or business messages.
    pub const EDITED: UpdateType = UpdateType {
        mask: EDITED_MESSAGE_BIT | EDITED_CHANNEL_POST_BIT | EDITED_BUSINESS_MESSAGE_BIT,
    };

    /// The bit of an update kind; 0 for the kinds this filter does not cover.
    fn bit(kind: &UpdateKind) -> u8 {
        match kind {
            UpdateKind::Message(_) => MESSAGE_BIT,
            UpdateKind::EditedMessage(_) => EDITED_MESSAGE_BIT,
            UpdateKind::ChannelPost(_) => CHANNEL_POST_BIT,
            UpdateKind::EditedChannelPost(_) => EDITED_CHANNEL_POST_BIT,
            UpdateKind::BusinessMessage(_) => BUSINESS_MESSAGE_BIT,
            UpdateKind::EditedBusinessMessage(_) => EDITED_BUSINESS_MESSAGE_BIT,
            _ => 0,
        }
    }
}

impl Filter for UpdateType {
    fn check(&self, update: &Update) -> FilterResult {
        FilterResult::from_bool(Self::bit(&update.kind) & self.mask != 0)
    }
}

filter_ops!([] UpdateType);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message_of_kind, no_message};
    use super::*;

    #[test]
    fn each_constant_passes_its_update_kinds_only() {
        let kinds = [
            "message",
            "edited_message",
            "channel_post",
            "edited_channel_post",
            "business_message",
            "edited_business_message",
        ];
        let table = [
            (UpdateType::MESSAGE, [1, 0, 0, 0, 0, 0]),
            (UpdateType::EDITED_MESSAGE, [0, 1, 0, 0, 0, 0]),
            (UpdateType::MESSAGES, [1, 1, 0, 0, 0, 0]),
            (UpdateType::CHANNEL_POST, [0, 0, 1, 0, 0, 0]),
            (UpdateType::EDITED_CHANNEL_POST, [0, 0, 0, 1, 0, 0]),
            (UpdateType::CHANNEL_POSTS, [0, 0, 1, 1, 0, 0]),
            (UpdateType::BUSINESS_MESSAGE, [0, 0, 0, 0, 1, 0]),
            (UpdateType::EDITED_BUSINESS_MESSAGE, [0, 0, 0, 0, 0, 1]),
            (UpdateType::BUSINESS_MESSAGES, [0, 0, 0, 0, 1, 1]),
            (UpdateType::EDITED, [0, 1, 0, 1, 0, 1]),
        ];
        for (filter, expected) in table {
            for (kind, expected) in kinds.iter().zip(expected) {
                let update = message_of_kind(kind, json!({"text": "x"}));
                assert_eq!(
                    filter.matches(&update),
                    expected == 1,
                    "{filter:?} on {kind}"
                );
            }
        }
    }

    #[test]
    fn other_update_kinds_fail() {
        let any = UpdateType::MESSAGES | UpdateType::CHANNEL_POSTS | UpdateType::BUSINESS_MESSAGES;
        assert!(!any.matches(&no_message()));
    }
}
