//! Entities: [`Entity`] (in the text) and [`CaptionEntity`] (in the caption), passing when the
//! message has an entity of the given type, as python-telegram-bot's `filters.Entity`.
//!
//! Who a mention names is [`Mention`](super::Mention)'s concern (`mention.rs`).

use telegram_types::{MessageEntity, MessageEntityType, Update};

use super::{filter_ops, Filter, FilterResult};

/// Messages whose text has an entity of one type.
///
/// ```
/// use telegram_ext::filters::{self, Entity};
/// use telegram_ext::types::MessageEntityType;
///
/// let links = filters::TEXT & (Entity::new(MessageEntityType::Url) | Entity::new(MessageEntityType::TextLink));
/// # let _ = links;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entity {
    kind: MessageEntityType,
}

impl Entity {
    /// Messages whose text has an entity of type `kind`.
    pub fn new(kind: MessageEntityType) -> Self {
        Entity { kind }
    }
}

impl Filter for Entity {
    fn check(&self, update: &Update) -> FilterResult {
        let entities = update
            .effective_message()
            .and_then(|m| m.entities.as_deref());
        FilterResult::from_bool(has_kind(entities, &self.kind))
    }
}

/// Messages whose caption has an entity of one type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaptionEntity {
    kind: MessageEntityType,
}

impl CaptionEntity {
    /// Messages whose caption has an entity of type `kind`.
    pub fn new(kind: MessageEntityType) -> Self {
        CaptionEntity { kind }
    }
}

impl Filter for CaptionEntity {
    fn check(&self, update: &Update) -> FilterResult {
        let entities = update
            .effective_message()
            .and_then(|m| m.caption_entities.as_deref());
        FilterResult::from_bool(has_kind(entities, &self.kind))
    }
}

/// Whether `entities` has one of type `kind`.
fn has_kind(entities: Option<&[MessageEntity]>, kind: &MessageEntityType) -> bool {
    entities.is_some_and(|entities| entities.iter().any(|e| e.kind == *kind))
}

filter_ops!([] Entity, [] CaptionEntity);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, no_message, text};
    use super::*;

    #[test]
    fn entity_passes_text_with_an_entity_of_its_type() {
        let url = message(json!({
            "text": "see https://x.org",
            "entities": [{"type": "bold", "offset": 0, "length": 3}, {"type": "url", "offset": 4, "length": 13}],
        }));
        assert!(Entity::new(MessageEntityType::Url).matches(&url));
        assert!(Entity::new(MessageEntityType::Bold).matches(&url));
        assert!(!Entity::new(MessageEntityType::Email).matches(&url));
        assert!(!CaptionEntity::new(MessageEntityType::Url).matches(&url));
        assert!(!Entity::new(MessageEntityType::Url).matches(&text("plain")));
        assert!(!Entity::new(MessageEntityType::Url).matches(&no_message()));
    }

    #[test]
    fn caption_entity_looks_at_caption_entities_only() {
        let captioned = message(json!({
            "caption": "#tag",
            "caption_entities": [{"type": "hashtag", "offset": 0, "length": 4}],
        }));
        assert!(CaptionEntity::new(MessageEntityType::Hashtag).matches(&captioned));
        assert!(!Entity::new(MessageEntityType::Hashtag).matches(&captioned));
    }

    #[test]
    fn entity_of_a_future_type_is_matched_by_name() {
        let future = message(json!({
            "text": "x",
            "entities": [{"type": "hologram", "offset": 0, "length": 1}],
        }));
        assert!(Entity::new(MessageEntityType::from("hologram")).matches(&future));
    }
}
