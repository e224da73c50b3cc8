//! One generator per update kind, and the weights of the realistic mix.
//!
//! Message-carrying kinds are built in `message.rs`, member changes in `members.rs`, queries
//! and payments in `queries.rs`; the rest (reactions, polls, boosts, business connections,
//! managed bots, stopped generations) are small enough to live here.

use crate::json::{Json, Obj};
use crate::media;
use crate::members;
use crate::message::{self, Flavor};
use crate::queries;
use crate::world::World;

/// How often each kind appears in [`crate::Mix::Realistic`], per 1000 updates (before unknown
/// kinds): mostly messages and callback queries, a little of everything else.
pub(crate) const REALISTIC_WEIGHTS: &[(&str, u32)] = &[
    ("message", 628),
    ("edited_message", 40),
    ("channel_post", 30),
    ("edited_channel_post", 5),
    ("business_connection", 2),
    ("business_message", 8),
    ("edited_business_message", 2),
    ("deleted_business_messages", 2),
    ("guest_message", 3),
    ("message_reaction", 12),
    ("message_reaction_count", 4),
    ("inline_query", 50),
    ("chosen_inline_result", 10),
    ("callback_query", 150),
    ("shipping_query", 2),
    ("pre_checkout_query", 3),
    ("purchased_paid_media", 2),
    ("poll", 4),
    ("poll_answer", 6),
    ("my_chat_member", 8),
    ("chat_member", 15),
    ("chat_join_request", 6),
    ("chat_boost", 2),
    ("removed_chat_boost", 1),
    ("managed_bot", 1),
    ("subscription", 2),
    ("stopped_message_generation", 2),
];

/// The payload of an update of kind `kind` (one of [`crate::UPDATE_KINDS`]).
pub(crate) fn payload(w: &mut World, kind: &str) -> Json {
    match kind {
        "message" => message::message(w, Flavor::Message),
        "edited_message" => message::message(w, Flavor::EditedMessage),
        "channel_post" => message::message(w, Flavor::ChannelPost),
        "edited_channel_post" => message::message(w, Flavor::EditedChannelPost),
        "business_connection" => business_connection(w),
        "business_message" => message::message(w, Flavor::BusinessMessage),
        "edited_business_message" => message::message(w, Flavor::EditedBusinessMessage),
        "deleted_business_messages" => deleted_business_messages(w),
        "guest_message" => message::message(w, Flavor::GuestMessage),
        "message_reaction" => message_reaction(w),
        "message_reaction_count" => message_reaction_count(w),
        "inline_query" => queries::inline_query(w),
        "chosen_inline_result" => queries::chosen_inline_result(w),
        "callback_query" => queries::callback_query(w),
        "shipping_query" => queries::shipping_query(w),
        "pre_checkout_query" => queries::pre_checkout_query(w),
        "purchased_paid_media" => queries::purchased_paid_media(w),
        "poll" => media::poll(w),
        "poll_answer" => poll_answer(w),
        "my_chat_member" => members::chat_member_updated(w, true),
        "chat_member" => members::chat_member_updated(w, false),
        "chat_join_request" => members::chat_join_request(w),
        "chat_boost" => chat_boost(w),
        "removed_chat_boost" => removed_chat_boost(w),
        "managed_bot" => managed_bot(w),
        "subscription" => queries::subscription(w),
        "stopped_message_generation" => stopped_message_generation(w),
        other => unreachable!("{other} is not in UPDATE_KINDS"),
    }
}

/// `BusinessConnection`: the bot was connected to a business account, or the connection changed.
fn business_connection(w: &mut World) -> Json {
    let connection = w.rng.index(w.business.len());
    let (id, owner) = w.business[connection].clone();
    let user = w.cast.users[owner].clone();
    let mut o = Obj::new()
        .with("id", id)
        .with("user", user.to_json())
        .with("user_chat_id", user.id)
        .with("date", w.now() - w.rng.range(0, 86_400 * 90));
    if w.rng.percent(80) {
        let mut rights = Obj::new().with("can_reply", true);
        for key in [
            "can_read_messages",
            "can_delete_sent_messages",
            "can_edit_name",
            "can_view_gifts_and_stars",
        ] {
            rights.push_true(key, w.rng.percent(50));
        }
        o.push("rights", rights);
    }
    o.push("is_enabled", w.rng.percent(85));
    o.into()
}

/// `BusinessMessagesDeleted`: a few message ids of one chat of a business account.
fn deleted_business_messages(w: &mut World) -> Json {
    let connection = w.rng.index(w.business.len());
    let (id, owner) = w.business[connection].clone();
    let owner_id = w.cast.users[owner].id;
    let chat = w.other_user(owner_id).private_chat();
    let first = w.earlier_message_id(chat.id);
    let ids: Vec<Json> = (0..w.rng.geometric(1, 20, 50) as i64)
        .map(|i| Json::from(first + i))
        .collect();
    Obj::new()
        .with("business_connection_id", id)
        .with("chat", chat.to_json())
        .with("message_ids", ids)
        .into()
}

/// Reaction emoji; every one is in the list `ReactionTypeEmoji.emoji` allows.
const REACTIONS: &[&str] = &[
    "👍",
    "❤",
    "🔥",
    "🥰",
    "👏",
    "😁",
    "🤔",
    "🤯",
    "😱",
    "🎉",
    "🤩",
    "🙏",
    "👌",
    "\u{2764}\u{200d}\u{1f525}",
    "💯",
    "🤣",
    "⚡",
    "🏆",
    "💔",
    "😭",
    "👀",
    "🤝",
    "✍",
    "😎",
    "\u{1f937}\u{200d}\u{2642}",
    "👨‍💻",
    "🕊",
];

/// A `ReactionType`: mostly emoji, sometimes custom emoji or a paid star reaction.
fn reaction_type(w: &mut World) -> Json {
    match *w
        .rng
        .weighted(&[("emoji", 80), ("custom_emoji", 12), ("paid", 8)])
    {
        "emoji" => Obj::new()
            .with("type", "emoji")
            .with("emoji", w.rng.pick(REACTIONS)),
        "custom_emoji" => {
            let id = w
                .rng
                .range(5_000_000_000_000_000_000, 5_999_999_999_999_999_999)
                .to_string();
            Obj::new()
                .with("type", "custom_emoji")
                .with("custom_emoji_id", id)
        }
        _ => Obj::new().with("type", "paid"),
    }
    .into()
}

/// 0-3 reactions (premium users may set several).
fn reactions(w: &mut World, at_least_one: bool) -> Json {
    let n = w.rng.geometric(usize::from(at_least_one), 3, 20);
    let items: Vec<Json> = (0..n).map(|_| reaction_type(w)).collect();
    items.into()
}

/// `MessageReactionUpdated`: a user (or an anonymous admin's chat) changed their reaction.
fn message_reaction(w: &mut World) -> Json {
    let chat = w.group();
    let message_id = w.earlier_message_id(chat.id);
    let mut o = Obj::new()
        .with("chat", chat.to_json())
        .with("message_id", message_id);
    if w.rng.percent(95) {
        o.push("user", w.user().to_json());
    } else {
        o.push("actor_chat", chat.to_json());
    }
    o.push("date", w.now());
    let (old, new) = match w.rng.below(3) {
        0 => (Json::Arr(vec![]), reactions(w, true)),
        1 => (reactions(w, true), Json::Arr(vec![])),
        _ => (reactions(w, true), reactions(w, true)),
    };
    o.push("old_reaction", old);
    o.push("new_reaction", new);
    o.into()
}

/// `MessageReactionCountUpdated`: anonymous reaction totals in a channel or supergroup.
fn message_reaction_count(w: &mut World) -> Json {
    let chat = if w.rng.percent(70) {
        w.channel()
    } else {
        w.supergroup()
    };
    let message_id = w.earlier_message_id(chat.id);
    let n = w.rng.range(1, 6);
    let counts: Vec<Json> = (0..n)
        .map(|_| {
            let count = w.rng.geometric(1, 10_000, 93) as i64;
            Obj::new()
                .with("type", reaction_type(w))
                .with("total_count", count)
                .into()
        })
        .collect();
    Obj::new()
        .with("chat", chat.to_json())
        .with("message_id", message_id)
        .with("date", w.now())
        .with("reactions", counts)
        .into()
}

/// `PollAnswer`: a vote, a changed vote, or a retracted one (empty `option_ids`).
fn poll_answer(w: &mut World) -> Json {
    let mut o = Obj::new().with("poll_id", w.query_id());
    if w.rng.percent(10) {
        o.push("voter_chat", w.channel().to_json());
    } else {
        o.push("user", w.user().to_json());
    }
    let options = w.rng.range(2, 10);
    let chosen: Vec<i64> = if w.rng.percent(10) {
        vec![]
    } else {
        let first = w.rng.range(0, options - 1);
        let mut chosen = vec![first];
        if first + 1 < options && w.rng.percent(15) {
            chosen.push(first + 1);
        }
        chosen
    };
    let persistent: Vec<Json> = chosen.iter().map(|i| Json::from(i.to_string())).collect();
    o.push("option_ids", chosen);
    o.push("option_persistent_ids", persistent);
    o.into()
}

/// A `ChatBoostSource` of any of the three kinds.
fn boost_source(w: &mut World) -> Json {
    match *w
        .rng
        .weighted(&[("premium", 70), ("gift_code", 15), ("giveaway", 15)])
    {
        "premium" => Obj::new()
            .with("source", "premium")
            .with("user", w.user().to_json()),
        "gift_code" => Obj::new()
            .with("source", "gift_code")
            .with("user", w.user().to_json()),
        _ => {
            let mut o = Obj::new()
                .with("source", "giveaway")
                .with("giveaway_message_id", w.rng.range(0, 9_999));
            match w.rng.below(3) {
                0 => o.push("user", w.user().to_json()),
                1 => o.push("prize_star_count", w.rng.range(500, 100_000)),
                _ => o.push("is_unclaimed", true),
            }
            o
        }
    }
    .into()
}

/// `ChatBoostUpdated`: a channel or supergroup was boosted.
fn chat_boost(w: &mut World) -> Json {
    let chat = if w.rng.percent(60) {
        w.channel()
    } else {
        w.supergroup()
    };
    let added = w.now() - w.rng.range(0, 600);
    let boost = Obj::new()
        .with("boost_id", media::random_token(&mut w.rng, 20))
        .with("add_date", added)
        .with(
            "expiration_date",
            added + 86_400 * w.rng.pick(&[30, 90, 180, 365]),
        )
        .with("source", boost_source(w));
    Obj::new()
        .with("chat", chat.to_json())
        .with("boost", boost)
        .into()
}

/// `ChatBoostRemoved`: a boost expired or was withdrawn.
fn removed_chat_boost(w: &mut World) -> Json {
    let chat = if w.rng.percent(60) {
        w.channel()
    } else {
        w.supergroup()
    };
    Obj::new()
        .with("chat", chat.to_json())
        .with("boost_id", media::random_token(&mut w.rng, 20))
        .with("remove_date", w.now())
        .with("source", boost_source(w))
        .into()
}

/// `ManagedBotUpdated`: a bot managed by this bot was created or changed hands.
fn managed_bot(w: &mut World) -> Json {
    Obj::new()
        .with("user", w.user().to_json())
        .with("bot", w.bot().to_json())
        .into()
}

/// `MessageGenerationStopped`: a user stopped a streamed reply.
fn stopped_message_generation(w: &mut World) -> Json {
    let user = w.user();
    let mut o = Obj::new().with("chat", user.private_chat().to_json());
    if w.rng.percent(20) {
        o.push("message_thread_id", w.rng.range(2, 5_000));
    }
    o.push("draft_id", w.rng.range(1, 1 << 40));
    o.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_weights_name_every_kind_once_in_spec_order() {
        let kinds: Vec<&str> = REALISTIC_WEIGHTS.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, crate::UPDATE_KINDS);
        let total: u32 = REALISTIC_WEIGHTS.iter().map(|(_, w)| w).sum();
        assert_eq!(total, 1_000);
    }

    #[test]
    fn reactions_and_boost_sources_cover_every_type() {
        let mut w = World::new(71);
        let mut reactions = std::collections::BTreeSet::new();
        let mut sources = std::collections::BTreeSet::new();
        for _ in 0..500 {
            if let (Json::Obj(r), Json::Obj(s)) = (reaction_type(&mut w), boost_source(&mut w)) {
                if let (Some(Json::Str(r)), Some(Json::Str(s))) = (r.get("type"), s.get("source")) {
                    reactions.insert(r.clone());
                    sources.insert(s.clone());
                }
            }
        }
        assert_eq!(
            reactions.into_iter().collect::<Vec<_>>(),
            ["custom_emoji", "emoji", "paid"]
        );
        assert_eq!(
            sources.into_iter().collect::<Vec<_>>(),
            ["gift_code", "giveaway", "premium"]
        );
    }
}
