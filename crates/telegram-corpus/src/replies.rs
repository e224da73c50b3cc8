//! Messages inside messages: the earlier message a reply points to (never itself a reply), a
//! pinned message or its inaccessible form, quotes, replies to other chats, and the four kinds
//! of forward origin.
//!
//! The outer messages are built in `message.rs`.

use crate::json::{Json, Obj};
use crate::markup;
use crate::media;
use crate::people::{Chat, ChatKind, User};
use crate::text;
use crate::world::World;

/// A message replied to or pinned: earlier, in the same chat, never itself a reply. Mostly text
/// with entities. Returns the message and its text, for quotes.
pub(crate) fn earlier_message(
    w: &mut World,
    chat: &Chat,
    peer: &User,
    before: i64,
    topic: Option<i64>,
) -> (Json, Option<String>) {
    let id = w.earlier_message_id(chat.id);
    let date = before - w.rng.range(5, 86_400);
    let from_bot = w.rng.percent(30);
    let from = if from_bot {
        w.cast.me.clone()
    } else if chat.kind == ChatKind::Private || w.rng.percent(40) {
        peer.clone()
    } else {
        w.other_user(peer.id)
    };
    let mut o = Obj::new().with("message_id", id);
    o.push_opt("message_thread_id", topic);
    o.push("from", from.to_json());
    o.push("chat", chat.to_json());
    o.push("date", date);
    if w.rng.percent(10) {
        o.push("edit_date", date + w.rng.range(1, 3_600));
    }
    o.push_true("is_topic_message", topic.is_some());
    let text = match *w
        .rng
        .weighted(&[("rich", 60), ("text", 20), ("photo", 15), ("sticker", 5)])
    {
        "rich" => {
            let t = text::rich(w);
            t.put(&mut o, "text", "entities");
            Some(t.text)
        }
        "text" => {
            let t = text::plain(w);
            t.put(&mut o, "text", "entities");
            Some(t.text)
        }
        "photo" => {
            o.push("photo", media::photo(w));
            let t = text::caption(w);
            t.put(&mut o, "caption", "caption_entities");
            None
        }
        _ => {
            o.push("sticker", media::sticker(w));
            None
        }
    };
    if from_bot && w.rng.percent(50) {
        o.push("reply_markup", markup::inline_keyboard(w).0);
    }
    (o.into(), text)
}

/// The `InaccessibleMessage` form of a message (`date` 0) for pins and callback queries.
pub(crate) fn inaccessible(w: &mut World, chat: &Chat) -> Json {
    let id = w.earlier_message_id(chat.id);
    Obj::new()
        .with("chat", chat.to_json())
        .with("message_id", id)
        .with("date", 0)
        .into()
}

/// Adds `reply_to_message` (and sometimes a `quote` of its text) to `o`.
pub(crate) fn push_reply(
    w: &mut World,
    o: &mut Obj,
    chat: &Chat,
    peer: &User,
    date: i64,
    topic: Option<i64>,
) {
    let (target, text) = earlier_message(w, chat, peer, date, topic);
    o.push("reply_to_message", target);
    if let Some(text) = text.filter(|_| w.rng.percent(20)) {
        let quoted: String = text.chars().take(w.rng.range(3, 40) as usize).collect();
        let quoted = quoted.trim_end();
        if !quoted.is_empty() {
            let quote = Obj::new()
                .with("text", quoted)
                .with("position", 0)
                .with("is_manual", true);
            o.push("quote", quote);
        }
    }
}

/// `ExternalReplyInfo`: a reply to a message in another chat.
pub(crate) fn external_reply(w: &mut World, date: i64) -> Json {
    let channel = w.channel();
    let message_id = w.earlier_message_id(channel.id);
    let origin = Obj::new()
        .with("type", "channel")
        .with("chat", channel.to_json())
        .with("message_id", message_id)
        .with("date", date - w.rng.range(60, 86_400));
    let mut o = Obj::new()
        .with("origin", origin)
        .with("chat", channel.to_json())
        .with("message_id", message_id);
    o.push("photo", media::photo(w));
    o.into()
}

/// A `MessageOrigin` of any of the four types.
pub(crate) fn forward_origin(w: &mut World, date: i64) -> Json {
    let sent = date - w.rng.range(60, 86_400 * 30);
    match w.rng.below(4) {
        0 => Obj::new()
            .with("type", "user")
            .with("date", sent)
            .with("sender_user", w.user().to_json()),
        1 => Obj::new()
            .with("type", "hidden_user")
            .with("date", sent)
            .with("sender_user_name", w.user().full_name()),
        2 => {
            let mut o = Obj::new()
                .with("type", "chat")
                .with("date", sent)
                .with("sender_chat", w.supergroup().to_json());
            if w.rng.percent(30) {
                o.push("author_signature", "Admin");
            }
            o
        }
        _ => {
            let channel = w.channel();
            let message_id = w.earlier_message_id(channel.id);
            let mut o = Obj::new()
                .with("type", "channel")
                .with("date", sent)
                .with("chat", channel.to_json());
            o.push("message_id", message_id);
            if w.rng.percent(30) {
                o.push("author_signature", w.user().full_name());
            }
            o
        }
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
    fn forward_origins_cover_all_four_types() {
        let mut w = World::new(31);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let now = w.now();
            let origin = forward_origin(&mut w, now);
            if let Some(Json::Str(kind)) = obj(&origin).get("type") {
                seen.insert(kind.clone());
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["channel", "chat", "hidden_user", "user"]
        );
    }

    #[test]
    fn inaccessible_messages_have_date_zero() {
        let mut w = World::new(34);
        let chat = w.group();
        let m = inaccessible(&mut w, &chat);
        assert_eq!(obj(&m).get("date"), Some(&Json::Int(0)));
        assert!(obj(&m).get("message_id").is_some() && obj(&m).get("chat").is_some());
    }
}
