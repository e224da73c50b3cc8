//! Seeded, deterministic generator of realistic `getUpdates` responses.
//!
//! # Brief overview
//!
//! The corpus is an independent oracle for the decoders in `telegram-types`: it knows nothing of
//! our types and writes JSON shaped as the Bot API 10.3 spec (`shared/bot-api/api.json`) says,
//! byte for byte as Telegram sends it (compact, fields in Telegram's order, `update_id` first,
//! non-ASCII as raw UTF-8). Tests decode it and compare; criterion benches measure decoding it.
//!
//! - [`CorpusConfig`] says what to generate: a seed, how many updates, which [`Mix`] of kinds,
//!   and whether to add what a future Bot API might send (unknown fields and update kinds).
//! - [`updates()`] returns the updates as `serde_json::Value`s; [`get_updates_response`] returns
//!   the bytes of a whole `{"ok":true,"result":[...]}` response.
//! - [`UPDATE_KINDS`] lists the 27 update kinds of Bot API 10.3.
//!
//! ```
//! use telegram_corpus::{get_updates_response, updates, CorpusConfig, Mix};
//!
//! let mut config = CorpusConfig::new(42, 100);
//! config.mix = Mix::EveryKind;
//! let body = get_updates_response(&config);
//! assert!(body.starts_with(br#"{"ok":true,"result":[{"update_id":100000000,"message":"#));
//! assert_eq!(updates(&config).len(), 100);
//! ```
//!
//! # What a corpus contains
//!
//! Messages in private chats, groups, supergroups (some forums) and channels, from a recurring
//! cast of users with names in many scripts; text with entities whose offsets are counted in
//! UTF-16 code units (Cyrillic, CJK, emoji with skin tones and flags); commands; replies that
//! nest a message with entities; forwards of all four origins; photos, documents, stickers,
//! voice, video, locations, venues, contacts, dice, polls; captions; albums; inline keyboards;
//! edits; service messages. Callback queries (mostly with the full message), inline queries,
//! member changes of every status, reactions, boosts, payments, business and guest messages,
//! and every other kind of the spec. Strings sometimes need escaping (`"`, `\`, newlines).
//!
//! # Determinism
//!
//! The output depends only on the [`CorpusConfig`] and the version of this crate: the PRNG is
//! the crate's own SplitMix64, and nothing reads the clock, the environment or a hash seed. A
//! shorter corpus with the same settings is a prefix of a longer one.

mod json;
mod markup;
mod media;
mod members;
mod message;
mod people;
mod queries;
mod replies;
mod rng;
mod service;
#[cfg(test)]
mod spec_check;
mod text;
mod unknown;
mod updates;
mod vocab;
mod world;

use json::{Json, Obj};
use world::World;

/// Which update kinds appear and how often.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Mix {
    /// Weighted like real bot traffic: mostly messages (text, commands with args, replies,
    /// photos, documents, stickers, voice, locations, edited messages), callback queries, inline
    /// queries, plus a sprinkling of every other kind.
    #[default]
    Realistic,
    /// Round-robin over every update kind in the spec (plus the unknown ones when enabled), so a
    /// small corpus covers every kind.
    EveryKind,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorpusConfig {
    /// The PRNG seed: the same config always gives the same corpus.
    pub seed: u64,
    /// How many updates to generate.
    pub updates: usize,
    /// The `update_id` of the first update; the others follow one by one.
    pub first_update_id: i64,
    /// Which update kinds appear and how often.
    pub mix: Mix,
    /// Add fields Telegram may add in the future (unknown to any decoder) to some objects: e.g.
    /// `"future_field_x": 1`, nested objects, arrays. About 5% of the objects inside the updates
    /// gain one; every such key starts with `future_`.
    pub unknown_fields: bool,
    /// Add some updates whose kind key is not in the spec (e.g. `"future_update_kind": {...}`):
    /// about 1% with [`Mix::Realistic`], one slot of every round with [`Mix::EveryKind`].
    pub unknown_kinds: bool,
}

impl CorpusConfig {
    /// A [`Mix::Realistic`] corpus of `updates` updates with unknown fields and kinds, starting
    /// at `update_id` 100 000 000.
    #[must_use]
    pub fn new(seed: u64, updates: usize) -> Self {
        Self {
            seed,
            updates,
            first_update_id: 100_000_000,
            mix: Mix::Realistic,
            unknown_fields: true,
            unknown_kinds: true,
        }
    }
}

/// Every update kind key of Bot API 10.3's `Update` object (`message`, `edited_message`, ...,
/// `stopped_message_generation`) — 27 keys, in spec order.
pub const UPDATE_KINDS: &[&str] = &[
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "guest_message",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "managed_bot",
    "subscription",
    "stopped_message_generation",
];

/// The updates as JSON values, `update_id` increasing by 1 from `first_update_id`.
///
/// Each value is an object with `update_id` and exactly one kind key. `serde_json::Value` maps
/// may order keys differently from Telegram; [`get_updates_response`] keeps Telegram's order.
#[must_use]
pub fn updates(config: &CorpusConfig) -> Vec<serde_json::Value> {
    generate(config).iter().map(Json::to_value).collect()
}

/// A full `getUpdates` response: `{"ok":true,"result":[...]}` serialized compactly as Telegram
/// does (no whitespace, `update_id` first, non-ASCII as raw UTF-8).
#[must_use]
pub fn get_updates_response(config: &CorpusConfig) -> Vec<u8> {
    let response = Obj::new()
        .with("ok", true)
        .with("result", Json::Arr(generate(config)));
    let mut out = String::with_capacity(config.updates.saturating_mul(900));
    Json::from(response).write(&mut out);
    out.into_bytes()
}

/// Unknown fields per 1000 objects when [`CorpusConfig::unknown_fields`] is on.
const UNKNOWN_FIELDS_PER_MILLE: u64 = 50;

/// Unknown update kinds per 1000 updates in the realistic mix.
const UNKNOWN_KINDS_PER_MILLE: u64 = 10;

/// The updates, in order.
fn generate(config: &CorpusConfig) -> Vec<Json> {
    let mut w = World::new(config.seed);
    let round = UPDATE_KINDS.len() + usize::from(config.unknown_kinds);
    (0..config.updates)
        .map(|i| {
            w.tick();
            let kind = match config.mix {
                Mix::Realistic
                    if config.unknown_kinds && w.rng.per_mille(UNKNOWN_KINDS_PER_MILLE) =>
                {
                    None
                }
                Mix::Realistic => Some(*w.rng.weighted(updates::REALISTIC_WEIGHTS)),
                Mix::EveryKind => UPDATE_KINDS.get(i % round).copied(),
            };
            let (key, mut payload) = match kind {
                Some(kind) => (kind, updates::payload(&mut w, kind)),
                None => (
                    w.rng.pick(unknown::UNKNOWN_KINDS),
                    unknown::unknown_payload(&mut w),
                ),
            };
            if config.unknown_fields {
                unknown::sprinkle(&mut w, &mut payload, UNKNOWN_FIELDS_PER_MILLE);
            }
            let update_id = config.first_update_id + i as i64;
            Obj::new()
                .with("update_id", update_id)
                .with(key, payload)
                .into()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn kind_of(update: &serde_json::Value) -> String {
        let obj = update.as_object().expect("updates are objects");
        assert_eq!(obj.len(), 2, "update_id and one kind: {update}");
        obj.keys()
            .find(|k| *k != "update_id")
            .expect("a kind key")
            .clone()
    }

    #[test]
    fn same_config_gives_identical_bytes() {
        let config = CorpusConfig::new(7, 500);
        assert_eq!(get_updates_response(&config), get_updates_response(&config));
        let mut every = config.clone();
        every.mix = Mix::EveryKind;
        assert_eq!(get_updates_response(&every), get_updates_response(&every));
    }

    #[test]
    fn different_seeds_give_different_corpora() {
        let a = get_updates_response(&CorpusConfig::new(1, 50));
        let b = get_updates_response(&CorpusConfig::new(2, 50));
        assert_ne!(a, b);
    }

    #[test]
    fn a_shorter_corpus_is_a_prefix_of_a_longer_one() {
        let short = updates(&CorpusConfig::new(3, 100));
        let long = updates(&CorpusConfig::new(3, 300));
        assert_eq!(short[..], long[..100]);
    }

    #[test]
    fn update_ids_count_up_from_the_first() {
        let mut config = CorpusConfig::new(4, 200);
        config.first_update_id = 5;
        for (i, update) in updates(&config).iter().enumerate() {
            assert_eq!(update["update_id"], serde_json::json!(5 + i as i64));
        }
    }

    #[test]
    fn response_bytes_parse_to_the_updates() {
        let config = CorpusConfig::new(5, 1_000);
        let body = get_updates_response(&config);
        assert!(body.starts_with(b"{\"ok\":true,\"result\":[{\"update_id\":100000000,\""));
        assert!(!body.contains(&b'\n'), "compact: no raw newlines");
        let parsed: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(parsed["ok"], serde_json::Value::Bool(true));
        assert_eq!(parsed["result"], serde_json::Value::Array(updates(&config)));
        let text = std::str::from_utf8(&body).expect("UTF-8");
        for escape in ["\\\"", "\\\\", "\\n"] {
            assert!(text.contains(escape), "{escape} never needed");
        }
        assert!(text.contains("привет") || text.contains("спасибо"));
        assert!(text.contains("👍🏽") || text.contains("🇺🇦"));
    }

    #[test]
    fn every_kind_mix_covers_every_kind_in_one_round() {
        let mut config = CorpusConfig::new(6, UPDATE_KINDS.len());
        config.mix = Mix::EveryKind;
        let kinds: Vec<String> = updates(&config).iter().map(kind_of).collect();
        assert_eq!(kinds, UPDATE_KINDS);

        config.updates = 28;
        let last = kind_of(&updates(&config)[27]);
        assert!(unknown::UNKNOWN_KINDS.contains(&last.as_str()), "{last}");

        config.unknown_kinds = false;
        let kinds: Vec<String> = updates(&config).iter().map(kind_of).collect();
        assert_eq!(kinds[27], "message");
    }

    #[test]
    fn realistic_mix_is_mostly_messages_and_callbacks_with_a_bit_of_everything() {
        let config = CorpusConfig::new(8, 20_000);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for update in updates(&config) {
            *counts.entry(kind_of(&update)).or_default() += 1;
        }
        let share = |k: &str| counts.get(k).copied().unwrap_or(0) as f64 / 20_000.0;
        assert!((0.55..0.65).contains(&share("message")), "{counts:?}");
        assert!(
            (0.12..0.18).contains(&share("callback_query")),
            "{counts:?}"
        );
        assert!(share("inline_query") > 0.03);
        for kind in UPDATE_KINDS {
            assert!(counts.contains_key(*kind), "{kind} never appears");
        }
        let unknown: usize = unknown::UNKNOWN_KINDS
            .iter()
            .map(|k| counts.get(*k).copied().unwrap_or(0))
            .sum();
        assert!((100..300).contains(&unknown), "{unknown} unknown updates");
    }

    /// Calls `f` on every object in `value`, at any depth.
    fn each_object(
        value: &serde_json::Value,
        f: &mut impl FnMut(&serde_json::Map<String, serde_json::Value>),
    ) {
        match value {
            serde_json::Value::Array(items) => items.iter().for_each(|v| each_object(v, f)),
            serde_json::Value::Object(obj) => {
                f(obj);
                obj.values().for_each(|v| each_object(v, f));
            }
            _ => {}
        }
    }

    #[test]
    fn entities_slice_cleanly_in_utf16_across_the_corpus() {
        let corpus = updates(&CorpusConfig::new(10, 3_000));
        let (mut entities, mut shifted) = (0, 0);
        for update in &corpus {
            each_object(update, &mut |obj| {
                for (text_key, entities_key) in [
                    ("text", "entities"),
                    ("caption", "caption_entities"),
                    ("explanation", "explanation_entities"),
                ] {
                    let (Some(text), Some(list)) = (
                        obj.get(text_key).and_then(|t| t.as_str()),
                        obj.get(entities_key),
                    ) else {
                        continue;
                    };
                    let units: Vec<u16> = text.encode_utf16().collect();
                    for entity in list.as_array().expect("entities are an array") {
                        let offset = entity["offset"].as_u64().expect("offset") as usize;
                        let length = entity["length"].as_u64().expect("length") as usize;
                        let kind = entity["type"].as_str().expect("type");
                        let slice = String::from_utf16(&units[offset..offset + length])
                            .unwrap_or_else(|_| {
                                panic!("{kind} entity splits a surrogate pair in {text:?}")
                            });
                        assert!(
                            !slice.is_empty() && slice.trim() == slice,
                            "{kind} entity {slice:?} in {text:?}"
                        );
                        let prefix = String::from_utf16(&units[..offset]).expect("prefix");
                        shifted += usize::from(prefix.chars().count() != offset);
                        entities += 1;
                        match kind {
                            "bot_command" => {
                                assert!(offset == 0 && slice.starts_with('/'), "{text:?}")
                            }
                            "mention" => assert!(slice.starts_with('@')),
                            "hashtag" => assert!(slice.starts_with('#')),
                            "text_link" => assert!(entity["url"].is_string()),
                            "text_mention" => assert!(entity["user"].is_object()),
                            "custom_emoji" => assert!(entity["custom_emoji_id"].is_string()),
                            _ => {}
                        }
                    }
                }
            });
        }
        assert!(entities > 1_000, "{entities} entities");
        assert!(
            shifted > 50,
            "only {shifted} entities sit after a surrogate pair"
        );
    }

    #[test]
    fn messages_take_every_required_shape() {
        let corpus = updates(&CorpusConfig::new(11, 5_000));
        let messages: Vec<&serde_json::Value> =
            corpus.iter().filter_map(|u| u.get("message")).collect();
        let texts: Vec<&str> = messages.iter().filter_map(|m| m["text"].as_str()).collect();
        assert!(texts.contains(&"/start"));
        assert!(texts.contains(&"/help@SomeBot"));
        assert!(texts
            .iter()
            .any(|t| t.starts_with("/transfer ") && t.split(' ').count() == 3));

        let chat_types: std::collections::BTreeSet<&str> = corpus
            .iter()
            .flat_map(|u| u.as_object().into_iter().flat_map(|o| o.values()))
            .filter_map(|p| p["chat"]["type"].as_str())
            .collect();
        assert_eq!(
            chat_types.into_iter().collect::<Vec<_>>(),
            ["channel", "group", "private", "supergroup"]
        );

        assert!(
            messages
                .iter()
                .any(|m| m["reply_to_message"]["entities"].is_array()),
            "no reply with entities"
        );
        assert!(
            messages
                .iter()
                .any(|m| m["pinned_message"]["text"].is_string()),
            "no full pinned message"
        );
        let origins: std::collections::BTreeSet<&str> = messages
            .iter()
            .filter_map(|m| m["forward_origin"]["type"].as_str())
            .collect();
        assert_eq!(origins.len(), 4, "{origins:?}");
        for key in [
            "photo",
            "document",
            "sticker",
            "voice",
            "location",
            "venue",
            "contact",
            "dice",
            "poll",
            "caption_entities",
            "media_group_id",
            "new_chat_members",
        ] {
            assert!(
                messages.iter().any(|m| !m[key].is_null()),
                "no message with {key}"
            );
        }
        let photo_sizes = messages
            .iter()
            .filter_map(|m| m["photo"].as_array())
            .map(Vec::len);
        assert!(photo_sizes.clone().all(|n| (2..=4).contains(&n)));

        for kind in [
            "edited_message",
            "edited_channel_post",
            "edited_business_message",
        ] {
            for edited in corpus.iter().filter_map(|u| u.get(kind)) {
                assert!(
                    edited["edit_date"].as_i64() > edited["date"].as_i64(),
                    "{edited}"
                );
            }
        }
        let queries: Vec<&serde_json::Value> = corpus
            .iter()
            .filter_map(|u| u.get("callback_query"))
            .collect();
        let inaccessible = queries.iter().filter(|q| q["message"]["date"] == 0).count();
        let full = queries
            .iter()
            .filter(|q| q["message"]["text"].is_string() || q["message"]["photo"].is_array())
            .count();
        assert!(
            full > queries.len() * 3 / 4 && inaccessible > 0,
            "{full} full, {inaccessible} inaccessible of {}",
            queries.len()
        );
        assert!(queries
            .iter()
            .filter_map(|q| q["data"].as_str())
            .any(|d| d.starts_with("yes:")));
    }

    #[test]
    fn unknowns_are_absent_when_switched_off() {
        let mut config = CorpusConfig::new(9, 3_000);
        config.unknown_fields = false;
        config.unknown_kinds = false;
        let body = get_updates_response(&config);
        assert!(!std::str::from_utf8(&body)
            .expect("UTF-8")
            .contains("future_"));
        config.unknown_fields = true;
        let body = get_updates_response(&config);
        assert!(std::str::from_utf8(&body)
            .expect("UTF-8")
            .contains("\"future_"));
    }
}
