//! Service messages in groups: members joining and leaving, title changes, pins, forum topics,
//! group creation and migration to a supergroup.
//!
//! Ordinary messages live in `message.rs`; this module only builds the messages Telegram itself
//! writes into a chat when something happens to it.

use crate::json::{Json, Obj};
use crate::people::{Chat, ChatKind, User};
use crate::replies;
use crate::world::World;

/// A service message in `chat` (a group or supergroup), caused by `user`.
pub(crate) fn service_message(w: &mut World, chat: &Chat, user: &User) -> Json {
    let id = w.next_message_id(chat.id);
    let date = w.now();
    let kind = *w.rng.weighted(&[
        ("new_chat_members", 40),
        ("left_chat_member", 20),
        ("new_chat_title", 6),
        ("pinned_message", 15),
        ("forum_topic_created", if chat.is_forum { 30 } else { 0 }),
        ("migrate", if chat.kind == ChatKind::Group { 5 } else { 2 }),
        (
            "group_chat_created",
            if chat.kind == ChatKind::Group { 3 } else { 0 },
        ),
        ("auto_delete", 2),
    ]);
    let topic = kind == "forum_topic_created";
    let mut o = Obj::new().with("message_id", id);
    if topic {
        o.push("message_thread_id", id);
    }
    o.push("from", user.to_json());
    o.push("chat", chat.to_json());
    o.push("date", date);
    match kind {
        "new_chat_members" => {
            // Either the user joined, or they added up to three others (sometimes the bot).
            let mut members = vec![];
            if w.rng.percent(60) {
                members.push(user.to_json());
            } else {
                for _ in 0..w.rng.geometric(1, 3, 30) {
                    members.push(w.other_user(user.id).to_json());
                }
                if w.rng.percent(15) {
                    members.push(w.cast.me.to_json());
                }
            }
            o.push("new_chat_members", members);
        }
        "left_chat_member" => {
            let left = if w.rng.percent(70) {
                user.clone()
            } else {
                w.other_user(user.id)
            };
            o.push("left_chat_member", left.to_json());
        }
        "new_chat_title" => {
            let title = w.rng.pick(&[
                "Rust Beginners 🦀",
                "Книжный клуб (новый)",
                "The \"Real\" Club",
                "新的群名",
            ]);
            o.push("new_chat_title", title);
        }
        "pinned_message" => {
            let pinned = if w.rng.percent(85) {
                replies::earlier_message(w, chat, user, date, None).0
            } else {
                replies::inaccessible(w, chat)
            };
            o.push("pinned_message", pinned);
        }
        "forum_topic_created" => {
            o.push("is_topic_message", true);
            let name = w
                .rng
                .pick(&["General questions", "Оффтоп", "Releases 🚀", "求助"]);
            let color = w.rng.pick(&[
                7_322_096, 16_766_590, 13_338_331, 9_367_192, 16_749_490, 16_478_047,
            ]);
            let mut topic = Obj::new().with("name", name).with("icon_color", color);
            if w.rng.percent(30) {
                topic.push(
                    "icon_custom_emoji_id",
                    w.rng
                        .range(5_000_000_000_000_000_000, 5_999_999_999_999_999_999)
                        .to_string(),
                );
            }
            o.push("forum_topic_created", topic);
        }
        "migrate" => {
            if chat.kind == ChatKind::Group {
                o.push(
                    "migrate_to_chat_id",
                    -1_000_000_000_000 - w.rng.range(1_100_000_000, 2_999_999_999),
                );
            } else {
                o.push(
                    "migrate_from_chat_id",
                    -w.rng.range(4_000_000_000, 4_999_999_999),
                );
            }
        }
        "group_chat_created" => o.push("group_chat_created", true),
        _ => {
            let time = w.rng.pick(&[0, 86_400, 604_800, 2_678_400]);
            o.push(
                "message_auto_delete_timer_changed",
                Obj::new().with("message_auto_delete_time", time),
            );
        }
    }
    o.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_kind_appears() {
        let mut w = World::new(51);
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..2_000 {
            let chat = w.cast.groups[i % w.cast.groups.len()].clone();
            let user = w.user();
            let Json::Obj(m) = service_message(&mut w, &chat, &user) else {
                panic!("object")
            };
            for (key, _) in &m.fields {
                seen.insert(*key);
            }
        }
        for key in [
            "new_chat_members",
            "left_chat_member",
            "new_chat_title",
            "pinned_message",
            "forum_topic_created",
            "migrate_to_chat_id",
            "migrate_from_chat_id",
            "group_chat_created",
            "message_auto_delete_timer_changed",
        ] {
            assert!(seen.contains(key), "{key} never appeared");
        }
    }
}
