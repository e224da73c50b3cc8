//! [`StatusUpdate`]: service messages (members joined or left, title changed, topic created,
//! video chat started, …), one constant per kind and [`StatusUpdate::ALL`] for any of them, as
//! python-telegram-bot's `filters.StatusUpdate`.
//!
//! Payments (`SUCCESSFUL_PAYMENT`) and giveaway announcements (`GIVEAWAY`) are content filters
//! in `content.rs`, as in python-telegram-bot.

use std::fmt;

use telegram_types::{Message, Update};

use super::{filter_ops, Filter, FilterResult};

/// Service messages of one kind (or of any kind: [`StatusUpdate::ALL`]).
///
/// ```
/// use telegram_ext::filters::StatusUpdate;
///
/// let members = StatusUpdate::NEW_CHAT_MEMBERS | StatusUpdate::LEFT_CHAT_MEMBER;
/// let topics = StatusUpdate::FORUM_TOPIC_CREATED | StatusUpdate::FORUM_TOPIC_EDITED;
/// let not_service = !StatusUpdate::ALL;
/// # let _ = (members, topics, not_service);
/// ```
#[derive(Clone, Copy)]
pub struct StatusUpdate {
    name: &'static str,
    test: fn(&Message) -> bool,
}

impl fmt::Debug for StatusUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusUpdate::{}", self.name)
    }
}

impl Filter for StatusUpdate {
    fn check(&self, update: &Update) -> FilterResult {
        FilterResult::from_bool(update.effective_message().is_some_and(self.test))
    }
}

filter_ops!([] StatusUpdate);

/// Declares a `StatusUpdate` constant per kind, and `KINDS`, the list `ALL` checks.
macro_rules! status_updates {
    ($( $(#[$doc:meta])* $name:ident = |$m:ident| $test:expr; )*) => {
        impl StatusUpdate {
            $(
                $(#[$doc])*
                pub const $name: StatusUpdate = StatusUpdate {
                    name: stringify!($name),
                    test: |$m| $test,
                };
            )*
        }

        /// Every kind but `ALL`.
        const KINDS: &[StatusUpdate] = &[$(StatusUpdate::$name),*];
    };
}

impl StatusUpdate {
    /// Any service message this version knows.
    pub const ALL: StatusUpdate = StatusUpdate {
        name: "ALL",
        test: |m| KINDS.iter().any(|kind| (kind.test)(m)),
    };
}

status_updates! {
    /// New members joined or were added (`new_chat_members`).
    NEW_CHAT_MEMBERS = |m| m.service().new_chat_members.is_some();
    /// A member left or was removed (`left_chat_member`).
    LEFT_CHAT_MEMBER = |m| m.service().left_chat_member.is_some();
    /// The chat title changed (`new_chat_title`).
    NEW_CHAT_TITLE = |m| m.service().new_chat_title.is_some();
    /// The chat photo changed (`new_chat_photo`).
    NEW_CHAT_PHOTO = |m| m.service().new_chat_photo.is_some();
    /// The chat photo was deleted (`delete_chat_photo`).
    DELETE_CHAT_PHOTO = |m| m.service().delete_chat_photo.unwrap_or(false);
    /// A group, supergroup or channel was created (`*_chat_created`).
    CHAT_CREATED = |m| {
        m.service().group_chat_created.unwrap_or(false)
            || m.service().supergroup_chat_created.unwrap_or(false)
            || m.service().channel_chat_created.unwrap_or(false)
    };
    /// The auto-delete timer changed (`message_auto_delete_timer_changed`).
    MESSAGE_AUTO_DELETE_TIMER_CHANGED = |m| m.service().message_auto_delete_timer_changed.is_some();
    /// A group migrated to a supergroup (`migrate_to_chat_id` or `migrate_from_chat_id`).
    MIGRATE = |m| m.service().migrate_to_chat_id.is_some() || m.service().migrate_from_chat_id.is_some();
    /// A message was pinned (`pinned_message`).
    PINNED_MESSAGE = |m| m.service().pinned_message.is_some();
    /// The user logged in on a website with the bot (`connected_website`).
    CONNECTED_WEBSITE = |m| m.service().connected_website.is_some();
    /// A user in the chat came near another (`proximity_alert_triggered`).
    PROXIMITY_ALERT_TRIGGERED = |m| m.service().proximity_alert_triggered.is_some();
    /// A forum topic was created (`forum_topic_created`).
    FORUM_TOPIC_CREATED = |m| m.service().forum_topic_created.is_some();
    /// A forum topic was edited (`forum_topic_edited`).
    FORUM_TOPIC_EDITED = |m| m.service().forum_topic_edited.is_some();
    /// A forum topic was closed (`forum_topic_closed`).
    FORUM_TOPIC_CLOSED = |m| m.service().forum_topic_closed.is_some();
    /// A forum topic was reopened (`forum_topic_reopened`).
    FORUM_TOPIC_REOPENED = |m| m.service().forum_topic_reopened.is_some();
    /// The General forum topic was hidden (`general_forum_topic_hidden`).
    GENERAL_FORUM_TOPIC_HIDDEN = |m| m.service().general_forum_topic_hidden.is_some();
    /// The General forum topic was unhidden (`general_forum_topic_unhidden`).
    GENERAL_FORUM_TOPIC_UNHIDDEN = |m| m.service().general_forum_topic_unhidden.is_some();
    /// A video chat was scheduled (`video_chat_scheduled`).
    VIDEO_CHAT_SCHEDULED = |m| m.service().video_chat_scheduled.is_some();
    /// A video chat started (`video_chat_started`).
    VIDEO_CHAT_STARTED = |m| m.service().video_chat_started.is_some();
    /// A video chat ended (`video_chat_ended`).
    VIDEO_CHAT_ENDED = |m| m.service().video_chat_ended.is_some();
    /// Users were invited to a video chat (`video_chat_participants_invited`).
    VIDEO_CHAT_PARTICIPANTS_INVITED = |m| m.service().video_chat_participants_invited.is_some();
    /// A Web App sent data (`web_app_data`).
    WEB_APP_DATA = |m| m.service().web_app_data.is_some();
    /// The user allowed the bot to write to them (`write_access_allowed`).
    WRITE_ACCESS_ALLOWED = |m| m.service().write_access_allowed.is_some();
    /// Users were shared with the bot (`users_shared`).
    USERS_SHARED = |m| m.service().users_shared.is_some();
    /// A chat was shared with the bot (`chat_shared`).
    CHAT_SHARED = |m| m.service().chat_shared.is_some();
    /// A giveaway was created (`giveaway_created`).
    GIVEAWAY_CREATED = |m| m.service().giveaway_created.is_some();
    /// A giveaway without public winners completed (`giveaway_completed`).
    GIVEAWAY_COMPLETED = |m| m.service().giveaway_completed.is_some();
    /// A user boosted the chat (`boost_added`).
    BOOST_ADDED = |m| m.service().boost_added.is_some();
    /// The chat background was set (`chat_background_set`).
    CHAT_BACKGROUND_SET = |m| m.service().chat_background_set.is_some();
    /// A payment was refunded (`refunded_payment`).
    REFUNDED_PAYMENT = |m| m.service().refunded_payment.is_some();
    /// A regular gift was sent or received (`gift`).
    GIFT = |m| m.service().gift.is_some();
    /// A unique gift was sent or received (`unique_gift`).
    UNIQUE_GIFT = |m| m.service().unique_gift.is_some();
    /// An upgrade of a gift was purchased (`gift_upgrade_sent`).
    GIFT_UPGRADE_SENT = |m| m.service().gift_upgrade_sent.is_some();
    /// The price of paid messages changed (`paid_message_price_changed`).
    PAID_MESSAGE_PRICE_CHANGED = |m| m.service().paid_message_price_changed.is_some();
    /// The price of direct messages changed (`direct_message_price_changed`).
    DIRECT_MESSAGE_PRICE_CHANGED = |m| m.service().direct_message_price_changed.is_some();
    /// Checklist tasks were marked done or not done (`checklist_tasks_done`).
    CHECKLIST_TASKS_DONE = |m| m.service().checklist_tasks_done.is_some();
    /// Tasks were added to a checklist (`checklist_tasks_added`).
    CHECKLIST_TASKS_ADDED = |m| m.service().checklist_tasks_added.is_some();
    /// A suggested post was approved (`suggested_post_approved`).
    SUGGESTED_POST_APPROVED = |m| m.service().suggested_post_approved.is_some();
    /// Approving a suggested post failed (`suggested_post_approval_failed`).
    SUGGESTED_POST_APPROVAL_FAILED = |m| m.service().suggested_post_approval_failed.is_some();
    /// A suggested post was declined (`suggested_post_declined`).
    SUGGESTED_POST_DECLINED = |m| m.service().suggested_post_declined.is_some();
    /// A suggested post was paid for (`suggested_post_paid`).
    SUGGESTED_POST_PAID = |m| m.service().suggested_post_paid.is_some();
    /// The payment for a suggested post was refunded (`suggested_post_refunded`).
    SUGGESTED_POST_REFUNDED = |m| m.service().suggested_post_refunded.is_some();
    /// The chat owner left (`chat_owner_left`).
    CHAT_OWNER_LEFT = |m| m.service().chat_owner_left.is_some();
    /// The chat owner changed (`chat_owner_changed`).
    CHAT_OWNER_CHANGED = |m| m.service().chat_owner_changed.is_some();
    /// The chat was added to a community (`community_chat_added`).
    COMMUNITY_CHAT_ADDED = |m| m.service().community_chat_added.is_some();
    /// The chat joined a community (`community_chat_joined`).
    COMMUNITY_CHAT_JOINED = |m| m.service().community_chat_joined.is_some();
    /// The chat was removed from a community (`community_chat_removed`).
    COMMUNITY_CHAT_REMOVED = |m| m.service().community_chat_removed.is_some();
    /// A managed bot was created (`managed_bot_created`).
    MANAGED_BOT_CREATED = |m| m.service().managed_bot_created.is_some();
    /// An option was added to a poll (`poll_option_added`).
    POLL_OPTION_ADDED = |m| m.service().poll_option_added.is_some();
    /// An option was deleted from a poll (`poll_option_deleted`).
    POLL_OPTION_DELETED = |m| m.service().poll_option_deleted.is_some();
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{message, no_message, text};
    use super::*;

    fn user() -> Value {
        json!({"id": 7, "is_bot": false, "first_name": "Bo"})
    }

    /// A constant and a message field that makes it pass.
    fn cases() -> Vec<(StatusUpdate, Value)> {
        let photo = json!([{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]);
        let pinned = json!({"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private"}});
        vec![
            (
                StatusUpdate::NEW_CHAT_MEMBERS,
                json!({"new_chat_members": [user()]}),
            ),
            (
                StatusUpdate::LEFT_CHAT_MEMBER,
                json!({"left_chat_member": user()}),
            ),
            (StatusUpdate::NEW_CHAT_TITLE, json!({"new_chat_title": "T"})),
            (
                StatusUpdate::NEW_CHAT_PHOTO,
                json!({"new_chat_photo": photo}),
            ),
            (
                StatusUpdate::DELETE_CHAT_PHOTO,
                json!({"delete_chat_photo": true}),
            ),
            (
                StatusUpdate::CHAT_CREATED,
                json!({"group_chat_created": true}),
            ),
            (
                StatusUpdate::CHAT_CREATED,
                json!({"supergroup_chat_created": true}),
            ),
            (
                StatusUpdate::CHAT_CREATED,
                json!({"channel_chat_created": true}),
            ),
            (
                StatusUpdate::MESSAGE_AUTO_DELETE_TIMER_CHANGED,
                json!({"message_auto_delete_timer_changed": {"message_auto_delete_time": 60}}),
            ),
            (StatusUpdate::MIGRATE, json!({"migrate_to_chat_id": -100})),
            (StatusUpdate::MIGRATE, json!({"migrate_from_chat_id": -1})),
            (
                StatusUpdate::PINNED_MESSAGE,
                json!({"pinned_message": pinned}),
            ),
            (
                StatusUpdate::CONNECTED_WEBSITE,
                json!({"connected_website": "x.org"}),
            ),
            (
                StatusUpdate::PROXIMITY_ALERT_TRIGGERED,
                json!({"proximity_alert_triggered": {
                    "traveler": user(), "watcher": user(), "distance": 5,
                }}),
            ),
            (
                StatusUpdate::FORUM_TOPIC_CREATED,
                json!({"forum_topic_created": {"name": "N", "icon_color": 1}}),
            ),
            (
                StatusUpdate::FORUM_TOPIC_EDITED,
                json!({"forum_topic_edited": {}}),
            ),
            (
                StatusUpdate::FORUM_TOPIC_CLOSED,
                json!({"forum_topic_closed": {}}),
            ),
            (
                StatusUpdate::FORUM_TOPIC_REOPENED,
                json!({"forum_topic_reopened": {}}),
            ),
            (
                StatusUpdate::GENERAL_FORUM_TOPIC_HIDDEN,
                json!({"general_forum_topic_hidden": {}}),
            ),
            (
                StatusUpdate::GENERAL_FORUM_TOPIC_UNHIDDEN,
                json!({"general_forum_topic_unhidden": {}}),
            ),
            (
                StatusUpdate::VIDEO_CHAT_SCHEDULED,
                json!({"video_chat_scheduled": {"start_date": 1}}),
            ),
            (
                StatusUpdate::VIDEO_CHAT_STARTED,
                json!({"video_chat_started": {}}),
            ),
            (
                StatusUpdate::VIDEO_CHAT_ENDED,
                json!({"video_chat_ended": {"duration": 1}}),
            ),
            (
                StatusUpdate::VIDEO_CHAT_PARTICIPANTS_INVITED,
                json!({"video_chat_participants_invited": {"users": [user()]}}),
            ),
            (
                StatusUpdate::WEB_APP_DATA,
                json!({"web_app_data": {"data": "d", "button_text": "b"}}),
            ),
            (
                StatusUpdate::WRITE_ACCESS_ALLOWED,
                json!({"write_access_allowed": {}}),
            ),
            (
                StatusUpdate::USERS_SHARED,
                json!({"users_shared": {"request_id": 1, "users": [{"user_id": 7}]}}),
            ),
            (
                StatusUpdate::CHAT_SHARED,
                json!({"chat_shared": {"request_id": 1, "chat_id": -5}}),
            ),
            (
                StatusUpdate::GIVEAWAY_CREATED,
                json!({"giveaway_created": {}}),
            ),
            (
                StatusUpdate::GIVEAWAY_COMPLETED,
                json!({"giveaway_completed": {"winner_count": 1}}),
            ),
            (
                StatusUpdate::BOOST_ADDED,
                json!({"boost_added": {"boost_count": 2}}),
            ),
            (
                StatusUpdate::CHAT_BACKGROUND_SET,
                json!({"chat_background_set": {"type": {"type": "chat_theme", "theme_name": "t"}}}),
            ),
            (
                StatusUpdate::REFUNDED_PAYMENT,
                json!({"refunded_payment": {
                    "currency": "XTR", "total_amount": 1, "invoice_payload": "p",
                    "telegram_payment_charge_id": "t",
                }}),
            ),
            (
                StatusUpdate::PAID_MESSAGE_PRICE_CHANGED,
                json!({"paid_message_price_changed": {"paid_message_star_count": 5}}),
            ),
            (
                StatusUpdate::DIRECT_MESSAGE_PRICE_CHANGED,
                json!({"direct_message_price_changed": {"are_direct_messages_enabled": true}}),
            ),
            (
                StatusUpdate::CHECKLIST_TASKS_DONE,
                json!({"checklist_tasks_done": {}}),
            ),
            (
                StatusUpdate::CHECKLIST_TASKS_ADDED,
                json!({"checklist_tasks_added": {"tasks": [{"id": 1, "text": "t"}]}}),
            ),
            (
                StatusUpdate::SUGGESTED_POST_APPROVED,
                json!({"suggested_post_approved": {"send_date": 1}}),
            ),
            (
                StatusUpdate::SUGGESTED_POST_APPROVAL_FAILED,
                json!({"suggested_post_approval_failed": {
                    "price": {"currency": "XTR", "amount": 5},
                }}),
            ),
            (
                StatusUpdate::SUGGESTED_POST_DECLINED,
                json!({"suggested_post_declined": {}}),
            ),
            (
                StatusUpdate::SUGGESTED_POST_PAID,
                json!({"suggested_post_paid": {"currency": "XTR"}}),
            ),
            (
                StatusUpdate::SUGGESTED_POST_REFUNDED,
                json!({"suggested_post_refunded": {"reason": "post_deleted"}}),
            ),
            (
                StatusUpdate::CHAT_OWNER_LEFT,
                json!({"chat_owner_left": {}}),
            ),
            (
                StatusUpdate::CHAT_OWNER_CHANGED,
                json!({"chat_owner_changed": {"new_owner": user()}}),
            ),
            (
                StatusUpdate::COMMUNITY_CHAT_REMOVED,
                json!({"community_chat_removed": {}}),
            ),
            (
                StatusUpdate::MANAGED_BOT_CREATED,
                json!({"managed_bot_created": {"bot": user()}}),
            ),
            (
                StatusUpdate::POLL_OPTION_ADDED,
                json!({"poll_option_added": {"option_persistent_id": "1", "option_text": "o"}}),
            ),
            (
                StatusUpdate::POLL_OPTION_DELETED,
                json!({"poll_option_deleted": {"option_persistent_id": "1", "option_text": "o"}}),
            ),
        ]
    }

    #[test]
    fn each_kind_passes_its_service_message_and_all_passes_every_one() {
        for (filter, fields) in cases() {
            let update = message(fields.clone());
            assert!(filter.matches(&update), "{filter:?} on {fields}");
            assert!(StatusUpdate::ALL.matches(&update), "ALL on {fields}");
        }
    }

    #[test]
    fn each_kind_fails_other_service_messages() {
        let title = message(json!({"new_chat_title": "T"}));
        for kind in KINDS.iter().filter(|k| k.name != "NEW_CHAT_TITLE") {
            assert!(!kind.matches(&title), "{kind:?}");
        }
    }

    #[test]
    fn status_updates_fail_plain_text_and_updates_without_message() {
        for kind in KINDS.iter().chain([&StatusUpdate::ALL]) {
            assert!(!kind.matches(&text("hi")), "{kind:?}");
            assert!(!kind.matches(&no_message()), "{kind:?}");
        }
    }

    #[test]
    fn false_flags_are_not_service_messages() {
        let flags = message(json!({"delete_chat_photo": false, "group_chat_created": false}));
        assert!(!StatusUpdate::ALL.matches(&flags));
    }
}
