//! `Message` objects for every update kind that carries one: user messages in private chats and
//! groups, channel posts, business and guest messages, and their edited versions; plus the bot's
//! own messages that callback queries come from.
//!
//! Text and entities come from `text.rs`, attachments from `media.rs`, nested messages (replies,
//! pins, forwards) from `replies.rs`, service messages from `service.rs` and inline keyboards
//! from `markup.rs`.

use crate::json::{Json, Obj};
use crate::markup;
use crate::media;
use crate::people::{Chat, ChatKind};
use crate::replies;
use crate::service;
use crate::text::{self, Text};
use crate::world::World;

/// The update kinds whose payload is a `Message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Message,
    EditedMessage,
    ChannelPost,
    EditedChannelPost,
    BusinessMessage,
    EditedBusinessMessage,
    GuestMessage,
}

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Text,
    Rich,
    Command,
    Photo,
    Document,
    Sticker,
    Voice,
    Video,
    Animation,
    Audio,
    Location,
    LiveLocation,
    Venue,
    Contact,
    Dice,
    Poll,
    Service,
}

/// Messages users send to a bot in private chats and groups.
const USER_MIX: &[(Content, u32)] = &[
    (Content::Text, 300),
    (Content::Rich, 120),
    (Content::Command, 140),
    (Content::Photo, 90),
    (Content::Document, 40),
    (Content::Sticker, 60),
    (Content::Voice, 40),
    (Content::Video, 20),
    (Content::Animation, 20),
    (Content::Audio, 10),
    (Content::Location, 10),
    (Content::Venue, 8),
    (Content::Contact, 8),
    (Content::Dice, 10),
    (Content::Poll, 10),
    (Content::Service, 50),
];

/// What gets edited: mostly text, and live locations, which are edited continuously.
const EDIT_MIX: &[(Content, u32)] = &[
    (Content::Text, 40),
    (Content::Rich, 30),
    (Content::Photo, 10),
    (Content::LiveLocation, 20),
];

/// What channels post.
const CHANNEL_MIX: &[(Content, u32)] = &[
    (Content::Rich, 30),
    (Content::Text, 15),
    (Content::Photo, 25),
    (Content::Video, 10),
    (Content::Document, 5),
    (Content::Poll, 5),
    (Content::Animation, 5),
    (Content::Audio, 3),
];

/// What business chats carry.
const BUSINESS_MIX: &[(Content, u32)] = &[
    (Content::Text, 50),
    (Content::Rich, 15),
    (Content::Photo, 15),
    (Content::Voice, 10),
    (Content::Sticker, 5),
    (Content::Document, 5),
];

/// A `Message` for an update of kind `flavor`.
pub(crate) fn message(w: &mut World, flavor: Flavor) -> Json {
    match flavor {
        Flavor::Message => user_message(w, false),
        Flavor::EditedMessage => user_message(w, true),
        Flavor::ChannelPost => channel_post(w, false),
        Flavor::EditedChannelPost => channel_post(w, true),
        Flavor::BusinessMessage => business_message(w, false),
        Flavor::EditedBusinessMessage => business_message(w, true),
        Flavor::GuestMessage => guest_message(w),
    }
}

/// A message from a user in a private chat or a group; `edited` gives it an `edit_date`.
fn user_message(w: &mut World, edited: bool) -> Json {
    let private = w.rng.percent(50);
    let user = w.user();
    let chat = if private {
        user.private_chat()
    } else {
        w.group()
    };
    let content = *w.rng.weighted(if edited { EDIT_MIX } else { USER_MIX });
    if content == Content::Service {
        if private {
            return user_message(w, edited);
        }
        return service::service_message(w, &chat, &user);
    }
    let (id, date) = if edited {
        let back = if content == Content::LiveLocation {
            w.rng.range(30, 900)
        } else {
            w.rng.range(5, 172_800)
        };
        (w.earlier_message_id(chat.id), w.now() - back)
    } else {
        (w.next_message_id(chat.id), w.now())
    };
    let topic = topic_id(w, &chat);
    let mut o = Obj::new().with("message_id", id);
    o.push_opt("message_thread_id", topic);

    let anonymous = chat.kind == ChatKind::Supergroup && w.rng.percent(3);
    let auto_forward = !anonymous && chat.kind == ChatKind::Supergroup && w.rng.percent(2);
    let linked_channel = auto_forward.then(|| w.channel());
    if anonymous {
        o.push("from", w.cast.group_anonymous_bot.to_json());
        o.push("sender_chat", chat.to_json());
    } else if let Some(channel) = &linked_channel {
        o.push("from", w.cast.telegram.to_json());
        o.push("sender_chat", channel.to_json());
    } else {
        o.push("from", user.to_json());
        if chat.kind == ChatKind::Supergroup && w.rng.percent(2) {
            o.push("sender_boost_count", w.rng.range(1, 12));
        }
    }
    o.push("chat", chat.to_json());
    o.push("date", date);
    if edited {
        o.push("edit_date", w.now());
    }

    let mut forwarded = false;
    if let Some(channel) = &linked_channel {
        let post_id = w.earlier_message_id(channel.id);
        let origin = Obj::new()
            .with("type", "channel")
            .with("chat", channel.to_json())
            .with("message_id", post_id)
            .with("date", date);
        o.push("forward_origin", origin);
        o.push("is_automatic_forward", true);
        forwarded = true;
    } else if !edited && content != Content::Command && w.rng.percent(6) {
        o.push("forward_origin", replies::forward_origin(w, date));
        forwarded = true;
    }
    o.push_true("is_topic_message", topic.is_some());
    if !forwarded && w.rng.percent(if private { 8 } else { 22 }) {
        replies::push_reply(w, &mut o, &chat, &user, date, topic);
    } else if !forwarded && w.rng.per_mille(5) {
        o.push("external_reply", replies::external_reply(w, date));
    }
    let via_bot = !edited
        && matches!(content, Content::Text | Content::Photo | Content::Animation)
        && w.rng.percent(3);
    if via_bot {
        o.push("via_bot", w.bot().to_json());
    }
    if anonymous && w.rng.percent(40) {
        o.push(
            "author_signature",
            w.rng.pick(&["Admin", "Модератор", "管理员"]),
        );
    }
    if private && !edited && w.rng.per_mille(5) {
        o.push("effect_id", "5104841245755180586");
    }
    put_content(w, &mut o, content, !private);
    if via_bot && w.rng.percent(60) {
        o.push("reply_markup", markup::inline_keyboard(w).0);
    }
    o.into()
}

/// A post in a channel (`sender_chat` is the channel, no `from`), sometimes with buttons.
fn channel_post(w: &mut World, edited: bool) -> Json {
    let chat = w.channel();
    let content = *w.rng.weighted(if edited { EDIT_MIX } else { CHANNEL_MIX });
    let content = if content == Content::LiveLocation {
        Content::Rich
    } else {
        content
    };
    let (id, date) = if edited {
        (
            w.earlier_message_id(chat.id),
            w.now() - w.rng.range(30, 86_400),
        )
    } else {
        (w.next_message_id(chat.id), w.now())
    };
    let mut o = Obj::new()
        .with("message_id", id)
        .with("sender_chat", chat.to_json())
        .with("chat", chat.to_json());
    o.push("date", date);
    if edited {
        o.push("edit_date", w.now());
    }
    if w.rng.percent(5) {
        o.push("forward_origin", replies::forward_origin(w, date));
    }
    if w.rng.percent(30) {
        o.push("author_signature", w.user().full_name());
    }
    put_content(w, &mut o, content, true);
    if w.rng.percent(15) {
        o.push("reply_markup", markup::inline_keyboard(w).0);
    }
    o.into()
}

/// A message in a chat of a connected business account, incoming or sent by its owner.
fn business_message(w: &mut World, edited: bool) -> Json {
    let connection = w.rng.index(w.business.len());
    let (connection_id, owner_index) = w.business[connection].clone();
    let owner = w.cast.users[owner_index].clone();
    let customer = w.other_user(owner.id);
    let chat = customer.private_chat();
    let outgoing = w.rng.percent(30);
    let (id, date) = if edited {
        (
            w.earlier_message_id(chat.id),
            w.now() - w.rng.range(5, 3_600),
        )
    } else {
        (w.next_message_id(chat.id), w.now())
    };
    let mut o = Obj::new()
        .with("business_connection_id", connection_id)
        .with("message_id", id);
    o.push(
        "from",
        if outgoing {
            owner.to_json()
        } else {
            customer.to_json()
        },
    );
    if outgoing && w.rng.percent(40) {
        o.push("sender_business_bot", w.cast.me.to_json());
    }
    o.push("chat", chat.to_json());
    o.push("date", date);
    if edited {
        o.push("edit_date", w.now());
    }
    o.push_true("is_from_offline", outgoing && w.rng.percent(5));
    if w.rng.percent(10) {
        let from = if outgoing {
            customer.clone()
        } else {
            owner.clone()
        };
        replies::push_reply(w, &mut o, &chat, &from, date, None);
    }
    let content = *w.rng.weighted(BUSINESS_MIX);
    put_content(w, &mut o, content, false);
    o.into()
}

/// A message that summons the bot as a guest in a chat it is not a member of.
fn guest_message(w: &mut World) -> Json {
    let user = w.user();
    let chat = if w.rng.percent(70) {
        w.group()
    } else {
        w.other_user(user.id).private_chat()
    };
    let id = w.next_message_id(chat.id);
    let date = w.now();
    let mut o = Obj::new()
        .with("message_id", id)
        .with("from", user.to_json())
        .with("chat", chat.to_json());
    o.push("date", date);
    o.push("guest_query_id", media::random_token(&mut w.rng, 24));
    if w.rng.percent(30) {
        replies::push_reply(w, &mut o, &chat, &user, date, None);
    }
    text::summon(w).put(&mut o, "text", "entities");
    o.into()
}

/// A message sent by the bot itself (what callback queries come from): text or a captioned
/// photo with an inline keyboard. Returns the message and the keyboard's `callback_data`s.
pub(crate) fn bot_message(w: &mut World, chat: &Chat) -> (Json, Vec<String>) {
    let id = w.earlier_message_id(chat.id);
    let date = w.now() - w.rng.range(1, 86_400);
    let mut o = Obj::new()
        .with("message_id", id)
        .with("from", w.cast.me.to_json())
        .with("chat", chat.to_json());
    o.push("date", date);
    if w.rng.percent(30) {
        o.push("edit_date", date + w.rng.range(1, 600));
    }
    let content = *w.rng.weighted(&[
        (Content::Rich, 45),
        (Content::Text, 40),
        (Content::Photo, 15),
    ]);
    put_content(w, &mut o, content, chat.kind != ChatKind::Private);
    let (keyboard, data) = markup::inline_keyboard(w);
    o.push("reply_markup", keyboard);
    (o.into(), data)
}

/// A forum topic id for forum supergroups (most of their messages are in a topic).
fn topic_id(w: &mut World, chat: &Chat) -> Option<i64> {
    (chat.is_forum && w.rng.percent(85)).then(|| w.rng.pick(&[3, 17, 42, 108, 2_051]))
}

/// Adds the fields of `content` to `o`.
fn put_content(w: &mut World, o: &mut Obj, content: Content, in_group: bool) {
    match content {
        Content::Text => text::plain(w).put(o, "text", "entities"),
        Content::Rich => {
            let t = text::rich(w);
            t.put(o, "text", "entities");
            if t.text.contains("http") && w.rng.percent(30) {
                o.push("link_preview_options", link_preview_options(w));
            }
        }
        Content::Command => text::command(w, in_group).put(o, "text", "entities"),
        Content::Photo => {
            media_group(w, o);
            o.push("photo", media::photo(w));
            captioned(w, o, 45);
            o.push_true("has_media_spoiler", w.rng.percent(2));
        }
        Content::Document => {
            media_group(w, o);
            o.push("document", media::document(w));
            captioned(w, o, 25);
        }
        Content::Video => {
            media_group(w, o);
            o.push("video", media::video(w));
            captioned(w, o, 40);
        }
        Content::Animation => {
            // Telegram sends a GIF as both `animation` and `document`.
            let animation = media::animation(w);
            let mut document = animation.clone();
            if let Json::Obj(d) = &mut document {
                d.fields
                    .retain(|(k, _)| !matches!(*k, "width" | "height" | "duration"));
            }
            o.push("animation", animation);
            o.push("document", document);
            captioned(w, o, 15);
        }
        Content::Audio => {
            o.push("audio", media::audio(w));
            captioned(w, o, 10);
        }
        Content::Sticker => o.push("sticker", media::sticker(w)),
        Content::Voice => {
            o.push("voice", media::voice(w));
            captioned(w, o, 3);
        }
        Content::Location => o.push("location", media::location(w, false)),
        Content::LiveLocation => o.push("location", media::location(w, true)),
        Content::Venue => {
            let venue = media::venue(w);
            if let Json::Obj(v) = &venue {
                if let Some(location) = v.get("location") {
                    o.push("location", location.clone());
                }
            }
            o.push("venue", venue);
        }
        Content::Contact => o.push("contact", media::contact(w)),
        Content::Dice => o.push("dice", media::dice(w)),
        Content::Poll => o.push("poll", media::poll(w)),
        Content::Service => text::plain(w).put(o, "text", "entities"),
    }
}

/// Sometimes marks the message as part of an album.
fn media_group(w: &mut World, o: &mut Obj) {
    if w.rng.percent(20) {
        o.push(
            "media_group_id",
            w.rng
                .range(13_000_000_000_000_000, 13_999_999_999_999_999)
                .to_string(),
        );
    }
}

/// Sometimes adds `caption` and `caption_entities`.
fn captioned(w: &mut World, o: &mut Obj, percent: u64) {
    if w.rng.percent(percent) {
        let caption: Text = text::caption(w);
        caption.put(o, "caption", "caption_entities");
        o.push_true("show_caption_above_media", w.rng.percent(3));
    }
}

/// `LinkPreviewOptions` as clients set them.
fn link_preview_options(w: &mut World) -> Json {
    match w.rng.below(3) {
        0 => Obj::new().with("is_disabled", true),
        1 => Obj::new()
            .with("url", "https://telegram.org")
            .with("prefer_large_media", true),
        _ => Obj::new()
            .with("prefer_small_media", true)
            .with("show_above_text", true),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(json: &Json) -> &Obj {
        match json {
            Json::Obj(o) => o,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn edited_messages_are_edited_after_they_were_sent() {
        let mut w = World::new(32);
        for _ in 0..300 {
            w.tick();
            let m = message(&mut w, Flavor::EditedMessage);
            let m = obj(&m);
            let (Some(Json::Int(date)), Some(Json::Int(edit))) =
                (m.get("date"), m.get("edit_date"))
            else {
                panic!("dates")
            };
            assert!(edit > date);
        }
    }

    #[test]
    fn replies_are_earlier_and_never_nest_further() {
        let mut w = World::new(33);
        let mut replies = 0;
        for _ in 0..2_000 {
            w.tick();
            let m = message(&mut w, Flavor::Message);
            let m = obj(&m);
            if let Some(reply) = m.get("reply_to_message") {
                replies += 1;
                let reply = obj(reply);
                assert!(reply.get("reply_to_message").is_none());
                let (Some(Json::Int(a)), Some(Json::Int(b))) = (reply.get("date"), m.get("date"))
                else {
                    panic!("dates")
                };
                assert!(a < b);
            }
        }
        assert!(replies > 100, "{replies}");
    }
}
