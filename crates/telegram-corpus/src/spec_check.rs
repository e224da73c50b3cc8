//! Test-only: checks generated corpora against the Bot API spec (`shared/bot-api/api.json`).
//!
//! [`Checker`] walks each update along the spec's types: every required field present, every
//! field's JSON type as declared (recursively, through arrays and unions), no key the spec does
//! not know unless it is a deliberate `future_` one, union tags equal to the variant's
//! `always "..."` value, and string enums (chat types, entity types, reaction emoji...) within
//! the values the spec lists. It also records which types, variants and fields it saw, so tests
//! can assert coverage. The tests skip, with a message, when the spec file is absent.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::{updates, CorpusConfig, Mix, UPDATE_KINDS};

/// Where the spec lives: `shared/bot-api/api.json`, beside the repository.
const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/bot-api/api.json"
);

/// String fields whose allowed values are the quoted strings of their description.
const ENUMS: &[(&str, &str)] = &[
    ("Chat", "type"),
    ("MessageEntity", "type"),
    ("Sticker", "type"),
    ("Poll", "type"),
    ("InlineQuery", "chat_type"),
    ("ReactionTypeEmoji", "emoji"),
    ("BotSubscriptionUpdated", "state"),
    ("InlineKeyboardButton", "style"),
];

/// The spec's `types` object, or `None` (with a message) when the file is absent.
fn load_spec() -> Option<serde_json::Map<String, Value>> {
    let Ok(bytes) = std::fs::read(SPEC) else {
        eprintln!("skipped: no Bot API spec at {SPEC}");
        return None;
    };
    let spec: Value = serde_json::from_slice(&bytes).expect("api.json is JSON");
    assert_eq!(
        spec["version"], "Bot API 10.3",
        "the corpus follows Bot API 10.3"
    );
    spec["types"].as_object().cloned()
}

/// The quoted strings in `text` (`"a", "b" or "c"` gives a, b, c).
fn quoted(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Walks values along spec types, collecting errors and coverage.
struct Checker<'a> {
    types: &'a serde_json::Map<String, Value>,
    errors: Vec<String>,
    /// How often each type (union variants included) was seen.
    seen_types: BTreeMap<String, usize>,
    /// Which `Type.field` pairs were seen present.
    seen_fields: BTreeSet<String>,
    /// Keys starting with `future_`, accepted as deliberate unknowns.
    unknown_fields: usize,
}

impl<'a> Checker<'a> {
    fn new(types: &'a serde_json::Map<String, Value>) -> Self {
        Self {
            types,
            errors: Vec::new(),
            seen_types: BTreeMap::new(),
            seen_fields: BTreeSet::new(),
            unknown_fields: 0,
        }
    }

    fn error(&mut self, path: &str, message: String) {
        let error = format!("{path}: {message}");
        if self.errors.len() < 50 && !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }

    /// Checks one update: `update_id` first, then one kind key whose payload matches its type.
    fn check_update(&mut self, update: &Value) {
        let Some(obj) = update.as_object() else {
            return self.error("update", "not an object".into());
        };
        if !obj.get("update_id").is_some_and(Value::is_i64) {
            self.error("update", "no integer update_id".into());
        }
        let kinds: Vec<&String> = obj.keys().filter(|k| *k != "update_id").collect();
        if kinds.len() != 1 {
            return self.error("update", format!("{} kind keys", kinds.len()));
        }
        let kind = kinds[0].as_str();
        if kind.starts_with("future_") {
            *self.seen_types.entry("<unknown kind>".into()).or_default() += 1;
            return;
        }
        let field = self.types["Update"]["fields"]
            .as_array()
            .and_then(|fields| fields.iter().find(|f| f["name"] == kind))
            .cloned();
        match field {
            Some(field) => self.check_alternatives(&obj[kind], &field["types"], kind),
            None => self.error("update", format!("{kind} is not an Update field")),
        }
    }

    /// Checks `value` against any of the declared `types` (`["Integer", "String"]`).
    fn check_alternatives(&mut self, value: &Value, types: &Value, path: &str) {
        let types: Vec<String> = types
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        if types.len() == 1 {
            return self.check(value, &types[0], path);
        }
        let saved = self.errors.len();
        for ty in &types {
            self.errors.truncate(saved);
            self.check(value, ty, path);
            if self.errors.len() == saved {
                return;
            }
        }
    }

    /// Checks `value` against one type expression.
    fn check(&mut self, value: &Value, ty: &str, path: &str) {
        if let Some(inner) = ty.strip_prefix("Array of ") {
            let Some(items) = value.as_array() else {
                return self.error(path, format!("expected {ty}"));
            };
            for (i, item) in items.iter().enumerate() {
                self.check(item, inner, &format!("{path}[{i}]"));
            }
            return;
        }
        let ok = match ty {
            "Integer" => value.is_i64() || value.is_u64(),
            "Float" => value.is_number(),
            "String" => value.is_string(),
            "Boolean" => value.is_boolean(),
            _ => return self.check_object(value, ty, path),
        };
        if !ok {
            self.error(path, format!("expected {ty}, got {value}"));
        }
    }

    /// Checks an object of spec type `ty`, resolving unions to their variant first.
    fn check_object(&mut self, value: &Value, ty: &str, path: &str) {
        let types = self.types;
        let Some(spec) = types.get(ty) else {
            return self.error(path, format!("unknown type {ty}"));
        };
        let Some(obj) = value.as_object() else {
            return self.error(path, format!("expected {ty} object, got {value}"));
        };
        if let Some(variants) = spec["subtypes"].as_array() {
            let variants: Vec<String> = variants
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            *self.seen_types.entry(ty.to_owned()).or_default() += 1;
            return match self.variant(ty, &variants, obj) {
                Some(variant) => self.check_object(value, &variant, path),
                None => self.error(path, format!("no {ty} variant matches {value}")),
            };
        }
        *self.seen_types.entry(ty.to_owned()).or_default() += 1;
        let no_fields = Vec::new();
        let fields = spec["fields"].as_array().unwrap_or(&no_fields);
        for field in fields {
            let name = field["name"].as_str().unwrap_or_default();
            match obj.get(name) {
                Some(v) => {
                    self.seen_fields.insert(format!("{ty}.{name}"));
                    self.check_alternatives(v, &field["types"], &format!("{path}.{name}"));
                    self.check_enum(ty, name, field, v, path);
                }
                None if field["required"] == true => {
                    self.error(path, format!("{ty} lacks required {name}"))
                }
                None => {}
            }
        }
        for key in obj.keys() {
            if key.starts_with("future_") {
                self.unknown_fields += 1;
            } else if !fields.iter().any(|f| f["name"] == key.as_str()) {
                self.error(path, format!("{ty} has no field {key}"));
            }
        }
    }

    /// Checks string enums against the values their description lists.
    fn check_enum(&mut self, ty: &str, name: &str, field: &Value, value: &Value, path: &str) {
        if !ENUMS.contains(&(ty, name)) {
            return;
        }
        let allowed = quoted(field["description"].as_str().unwrap_or_default());
        let ok = value
            .as_str()
            .is_some_and(|v| allowed.iter().any(|a| a == v));
        if !ok {
            self.error(
                path,
                format!("{ty}.{name} = {value} is not one of {allowed:?}"),
            );
        }
    }

    /// The variant of union `ty` that `obj` is: by its tag's `always "x"` value, or for
    /// `MaybeInaccessibleMessage` by `date` 0.
    fn variant(
        &self,
        ty: &str,
        variants: &[String],
        obj: &serde_json::Map<String, Value>,
    ) -> Option<String> {
        if ty == "MaybeInaccessibleMessage" {
            let inaccessible = obj.get("date") == Some(&Value::from(0));
            return Some(
                if inaccessible {
                    "InaccessibleMessage"
                } else {
                    "Message"
                }
                .to_owned(),
            );
        }
        variants
            .iter()
            .find(|variant| {
                let fields = self.types[variant.as_str()]["fields"].as_array();
                fields.into_iter().flatten().any(|f| {
                    let description = f["description"].as_str().unwrap_or_default();
                    let Some((_, tail)) = description.split_once("always \"") else {
                        return false;
                    };
                    let tag = tail.split('"').next().unwrap_or_default();
                    f["name"]
                        .as_str()
                        .and_then(|name| obj.get(name))
                        .and_then(Value::as_str)
                        == Some(tag)
                })
            })
            .cloned()
    }
}

/// Checks a corpus; returns the checker for coverage assertions.
fn check_corpus<'a>(
    types: &'a serde_json::Map<String, Value>,
    config: &CorpusConfig,
) -> Checker<'a> {
    let mut checker = Checker::new(types);
    for update in updates(config) {
        checker.check_update(&update);
    }
    assert!(
        checker.errors.is_empty(),
        "spec violations:\n{}",
        checker.errors.join("\n")
    );
    checker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_kinds_match_the_spec() {
        let Some(types) = load_spec() else { return };
        let fields: Vec<&str> = types["Update"]["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        assert_eq!(fields[0], "update_id");
        assert_eq!(&fields[1..], UPDATE_KINDS);
    }

    #[test]
    fn every_kind_round_robin_follows_the_spec() {
        let Some(types) = load_spec() else { return };
        let mut config = CorpusConfig::new(100, 28 * 150);
        config.mix = Mix::EveryKind;
        let checker = check_corpus(&types, &config);
        assert!(
            checker.unknown_fields > 100,
            "{} unknown fields",
            checker.unknown_fields
        );
        assert_eq!(checker.seen_types["<unknown kind>"], 150);
        for ty in [
            "Message",
            "BusinessConnection",
            "BusinessMessagesDeleted",
            "MessageReactionUpdated",
            "MessageReactionCountUpdated",
            "InlineQuery",
            "ChosenInlineResult",
            "CallbackQuery",
            "ShippingQuery",
            "PreCheckoutQuery",
            "PaidMediaPurchased",
            "Poll",
            "PollAnswer",
            "ChatMemberUpdated",
            "ChatJoinRequest",
            "ChatBoostUpdated",
            "ChatBoostRemoved",
            "ManagedBotUpdated",
            "BotSubscriptionUpdated",
            "MessageGenerationStopped",
        ] {
            assert!(
                checker.seen_types.get(ty).is_some_and(|n| *n >= 150),
                "{ty}: {:?}",
                checker.seen_types.get(ty)
            );
        }
        let variants = [
            "ChatMemberOwner",
            "ChatMemberAdministrator",
            "ChatMemberMember",
            "ChatMemberRestricted",
            "ChatMemberLeft",
            "ChatMemberBanned",
            "MessageOriginUser",
            "MessageOriginHiddenUser",
            "MessageOriginChat",
            "MessageOriginChannel",
            "ReactionTypeEmoji",
            "ReactionTypeCustomEmoji",
            "ReactionTypePaid",
            "ChatBoostSourcePremium",
            "ChatBoostSourceGiftCode",
            "ChatBoostSourceGiveaway",
            "InaccessibleMessage",
            "User",
            "Chat",
            "MessageEntity",
            "PhotoSize",
            "InlineKeyboardMarkup",
            "TextQuote",
            "ChatInviteLink",
        ];
        for ty in variants {
            assert!(checker.seen_types.contains_key(ty), "{ty} never generated");
        }
    }

    #[test]
    fn realistic_corpus_follows_the_spec_and_covers_message_shapes() {
        let Some(types) = load_spec() else { return };
        let checker = check_corpus(&types, &CorpusConfig::new(200, 10_000));
        let message_fields = [
            "from",
            "sender_chat",
            "edit_date",
            "forward_origin",
            "is_automatic_forward",
            "reply_to_message",
            "quote",
            "via_bot",
            "media_group_id",
            "author_signature",
            "text",
            "entities",
            "link_preview_options",
            "animation",
            "audio",
            "document",
            "photo",
            "sticker",
            "video",
            "voice",
            "caption",
            "caption_entities",
            "contact",
            "dice",
            "poll",
            "venue",
            "location",
            "new_chat_members",
            "left_chat_member",
            "new_chat_title",
            "pinned_message",
            "forum_topic_created",
            "migrate_to_chat_id",
            "migrate_from_chat_id",
            "reply_markup",
            "message_thread_id",
            "is_topic_message",
            "business_connection_id",
            "guest_query_id",
            "sender_business_bot",
        ];
        for field in message_fields {
            assert!(
                checker.seen_fields.contains(&format!("Message.{field}")),
                "Message.{field} never generated"
            );
        }
        for field in [
            "User.language_code",
            "User.is_premium",
            "User.username",
            "User.last_name",
            "Chat.is_forum",
            "Chat.title",
        ] {
            assert!(
                checker.seen_fields.contains(field),
                "{field} never generated"
            );
        }
    }

    #[test]
    fn corpus_without_unknowns_has_only_spec_fields() {
        let Some(types) = load_spec() else { return };
        let mut config = CorpusConfig::new(300, 2_000);
        config.unknown_fields = false;
        config.unknown_kinds = false;
        let checker = check_corpus(&types, &config);
        assert_eq!(checker.unknown_fields, 0);
        assert!(!checker.seen_types.contains_key("<unknown kind>"));
    }

    #[test]
    fn checker_catches_violations() {
        let Some(types) = load_spec() else { return };
        let mut checker = Checker::new(&types);
        let bad = serde_json::json!({
            "update_id": 1,
            "message": {"message_id": 1, "date": "yesterday", "chat": {"id": 1, "type": "secret"}, "bogus": 1,
                        "forward_origin": {"type": "martian", "date": 1}}
        });
        checker.check_update(&bad);
        let errors = checker.errors.join("\n");
        assert!(errors.contains("expected Integer"), "{errors}");
        assert!(errors.contains("Chat.type"), "{errors}");
        assert!(errors.contains("no field bogus"), "{errors}");
        assert!(errors.contains("no MessageOrigin variant"), "{errors}");
    }
}
