//! Chat membership: `ChatMember` of every status, `ChatMemberUpdated` (for `chat_member` and
//! `my_chat_member`), `ChatInviteLink` and `ChatJoinRequest`.
//!
//! Status changes come in realistic pairs (left → member on a join, member → kicked on a ban,
//! member → kicked in a private chat when a user blocks the bot), and each status carries every
//! field its spec type requires. Like Telegram, a member object starts with `user`, not with its
//! `status` tag.

use crate::json::{Json, Obj};
use crate::media;
use crate::people::{Chat, ChatKind, User};
use crate::world::World;

/// The six `ChatMember.status` values.
#[cfg(test)]
pub(crate) const STATUSES: &[&str] = &[
    "creator",
    "administrator",
    "member",
    "restricted",
    "left",
    "kicked",
];

/// Status changes of other users in groups and channels.
const MEMBER_CHANGES: &[((&str, &str), u32)] = &[
    (("left", "member"), 30),
    (("member", "left"), 20),
    (("member", "kicked"), 8),
    (("kicked", "left"), 4),
    (("member", "restricted"), 6),
    (("restricted", "member"), 4),
    (("restricted", "kicked"), 2),
    (("left", "restricted"), 1),
    (("member", "administrator"), 6),
    (("administrator", "member"), 3),
    (("administrator", "administrator"), 3),
    (("creator", "creator"), 3),
    (("administrator", "creator"), 1),
    (("creator", "administrator"), 1),
];

/// Status changes of the bot itself in groups and channels.
const BOT_CHANGES: &[((&str, &str), u32)] = &[
    (("left", "member"), 20),
    (("member", "administrator"), 15),
    (("left", "administrator"), 5),
    (("administrator", "member"), 3),
    (("member", "left"), 10),
    (("administrator", "left"), 5),
    (("member", "kicked"), 5),
    (("member", "restricted"), 2),
];

/// A `ChatMemberUpdated`: about the bot itself (`mine`, for `my_chat_member`) or another user.
pub(crate) fn chat_member_updated(w: &mut World, mine: bool) -> Json {
    let date = w.now();
    let (chat, subject, actor, (old, new)) = if mine {
        let actor = w.user();
        if w.rng.percent(45) {
            // Private chats report only blocking and unblocking.
            let change = if w.rng.percent(60) {
                ("member", "kicked")
            } else {
                ("kicked", "member")
            };
            (actor.private_chat(), w.cast.me.clone(), actor, change)
        } else {
            let chat = if w.rng.percent(20) {
                w.channel()
            } else {
                w.group()
            };
            let change = *w.rng.weighted(BOT_CHANGES);
            let change = if chat.kind == ChatKind::Channel {
                (change.0, "administrator")
            } else {
                change
            };
            (chat, w.cast.me.clone(), actor, change)
        }
    } else {
        let chat = if w.rng.percent(15) {
            w.channel()
        } else {
            w.group()
        };
        let subject = w.user();
        let change = *w.rng.weighted(MEMBER_CHANGES);
        let self_inflicted = matches!(change, ("left", "member") | ("member", "left"));
        let actor = if self_inflicted {
            subject.clone()
        } else {
            w.other_user(subject.id)
        };
        (chat, subject, actor, change)
    };
    let mut o = Obj::new()
        .with("chat", chat.to_json())
        .with("from", actor.to_json())
        .with("date", date)
        .with("old_chat_member", chat_member(w, old, &subject, &chat))
        .with("new_chat_member", chat_member(w, new, &subject, &chat));
    let joined = old == "left" && new == "member" && !mine;
    if joined && w.rng.percent(30) {
        o.push("invite_link", invite_link(w));
        if w.rng.percent(40) {
            o.push("via_join_request", true);
        }
    } else if joined && w.rng.percent(3) {
        o.push("via_chat_folder_invite_link", true);
    }
    o.into()
}

/// A `ChatMember` with `status` for `user` in `chat`, with every field that status requires.
pub(crate) fn chat_member(w: &mut World, status: &str, user: &User, chat: &Chat) -> Json {
    let mut o = Obj::new()
        .with("user", user.to_json())
        .with("status", status);
    match status {
        "creator" => {
            o.push("is_anonymous", w.rng.percent(10));
            if w.rng.percent(30) {
                o.push("custom_title", w.rng.pick(&["Founder", "Владелец", "👑"]));
            }
        }
        "administrator" => administrator(w, &mut o, chat),
        "member" if !user.is_bot => {
            if w.rng.percent(3) {
                o.push("until_date", w.now() + 30 * 86_400);
            }
            if w.rng.percent(3) {
                o.push("tag", w.rng.pick(&["newbie", "VIP", "модератор"]));
            }
        }
        "restricted" => restricted(w, &mut o),
        "kicked" => {
            let forever = w.rng.percent(70);
            o.push(
                "until_date",
                if forever {
                    0
                } else {
                    w.now() + w.rng.range(3_600, 30 * 86_400)
                },
            );
        }
        _ => {}
    }
    o.into()
}

/// The rights of an administrator; channel and group rights differ.
fn administrator(w: &mut World, o: &mut Obj, chat: &Chat) {
    let full = w.rng.percent(40);
    let right = |w: &mut World| full || w.rng.percent(60);
    o.push("can_be_edited", right(w));
    o.push("is_anonymous", w.rng.percent(5));
    o.push("can_manage_chat", true);
    for key in [
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    ] {
        o.push(key, right(w));
    }
    if chat.kind == ChatKind::Channel {
        o.push("can_post_messages", right(w));
        o.push("can_edit_messages", right(w));
        o.push("can_manage_direct_messages", right(w));
    } else {
        o.push("can_pin_messages", right(w));
        if chat.kind == ChatKind::Supergroup {
            o.push("can_manage_topics", right(w));
        }
        o.push("can_manage_tags", right(w));
    }
    o.push("can_send_welcome_messages", right(w));
    if w.rng.percent(25) {
        o.push(
            "custom_title",
            w.rng
                .pick(&["Moderator", "Модер", "管理员", "Bot \"keeper\""]),
        );
    }
}

/// The permissions of a restricted user.
fn restricted(w: &mut World, o: &mut Obj) {
    if w.rng.percent(3) {
        o.push("tag", "muted");
    }
    o.push("is_member", w.rng.percent(90));
    let muted = w.rng.percent(50);
    for key in [
        "can_send_messages",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_react_to_messages",
        "can_edit_tag",
        "can_change_info",
        "can_invite_users",
        "can_pin_messages",
        "can_manage_topics",
    ] {
        let allowed = !muted && w.rng.percent(50);
        o.push(key, allowed);
    }
    let forever = w.rng.percent(40);
    o.push(
        "until_date",
        if forever {
            0
        } else {
            w.now() + w.rng.range(600, 7 * 86_400)
        },
    );
}

/// A `ChatInviteLink`, created by an administrator.
pub(crate) fn invite_link(w: &mut World) -> Json {
    let creator = w.user();
    let link = format!("https://t.me/+{}", media::random_token(&mut w.rng, 16));
    let mut o = Obj::new()
        .with("invite_link", link)
        .with("creator", creator.to_json())
        .with("creates_join_request", w.rng.percent(30))
        .with("is_primary", w.rng.percent(30))
        .with("is_revoked", false);
    if w.rng.percent(40) {
        o.push(
            "name",
            w.rng.pick(&["From website", "Реклама", "Friends \"only\""]),
        );
    }
    if w.rng.percent(20) {
        o.push("expire_date", w.now() + w.rng.range(3_600, 30 * 86_400));
    }
    if w.rng.percent(15) {
        o.push("member_limit", w.rng.range(1, 99_999));
    }
    if w.rng.percent(5) {
        o.push("subscription_period", 2_592_000);
        o.push("subscription_price", w.rng.range(1, 2_500));
    }
    o.into()
}

/// A `ChatJoinRequest` to a supergroup or channel.
pub(crate) fn chat_join_request(w: &mut World) -> Json {
    let chat = if w.rng.percent(50) {
        w.supergroup()
    } else {
        w.channel()
    };
    let user = w.user();
    let mut o = Obj::new()
        .with("chat", chat.to_json())
        .with("from", user.to_json())
        .with("user_chat_id", user.id)
        .with("date", w.now());
    if w.rng.percent(40) {
        o.push(
            "bio",
            w.rng.pick(&[
                "Rustacean 🦀",
                "Люблю котиков",
                "Designer. \"Less is more\"",
                "学生",
            ]),
        );
    }
    if w.rng.percent(60) {
        o.push("invite_link", invite_link(w));
    }
    if w.rng.percent(5) {
        o.push("query_id", w.query_id());
    }
    o.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_appears_as_old_and_new() {
        let mut w = World::new(61);
        let mut old = std::collections::BTreeSet::new();
        let mut new = std::collections::BTreeSet::new();
        for i in 0..3_000 {
            let Json::Obj(update) = chat_member_updated(&mut w, i % 3 == 0) else {
                panic!("object")
            };
            for (key, set) in [("old_chat_member", &mut old), ("new_chat_member", &mut new)] {
                let Some(Json::Obj(member)) = update.get(key) else {
                    panic!("{key}")
                };
                assert_eq!(
                    member.fields[0].0, "user",
                    "Telegram puts user before status"
                );
                let Some(Json::Str(status)) = member.get("status") else {
                    panic!("status")
                };
                set.insert(status.clone());
            }
        }
        for status in STATUSES {
            assert!(old.contains(*status), "old {status}");
            assert!(new.contains(*status), "new {status}");
        }
    }
}
