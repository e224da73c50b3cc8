//! [`Sticker`]: messages with a sticker, of any kind ([`STICKER`]) or of one kind
//! (`Sticker::ANIMATED`, `Sticker::CUSTOM_EMOJI`, …), as python-telegram-bot's `filters.Sticker`.

use telegram_types::{StickerType, Update};

use super::{filter_ops, Filter, FilterResult};

/// Messages with a sticker; the associated constants pick a kind.
///
/// ```
/// use telegram_ext::filters::{self, Sticker};
///
/// let moving = Sticker::ANIMATED | Sticker::VIDEO;
/// let any = filters::STICKER;
/// # let _ = (moving, any);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sticker {
    kind: Kind,
}

/// Which stickers pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    All,
    Regular,
    Mask,
    CustomEmoji,
    Animated,
    Video,
    Static,
    Premium,
}

/// Messages with any sticker (python-telegram-bot's `filters.STICKER`).
pub const STICKER: Sticker = Sticker::ALL;

impl Sticker {
    /// Any sticker; the same as [`STICKER`].
    pub const ALL: Sticker = Sticker { kind: Kind::All };
    /// Regular stickers (sticker type `regular`).
    pub const REGULAR: Sticker = Sticker {
        kind: Kind::Regular,
    };
    /// Mask stickers (sticker type `mask`).
    pub const MASK: Sticker = Sticker { kind: Kind::Mask };
    /// Custom emoji stickers (sticker type `custom_emoji`).
    pub const CUSTOM_EMOJI: Sticker = Sticker {
        kind: Kind::CustomEmoji,
    };
    /// Animated (TGS) stickers.
    pub const ANIMATED: Sticker = Sticker {
        kind: Kind::Animated,
    };
    /// Video (WEBM) stickers.
    pub const VIDEO: Sticker = Sticker { kind: Kind::Video };
    /// Static (WEBP) stickers: neither animated nor video.
    pub const STATIC: Sticker = Sticker { kind: Kind::Static };
    /// Premium stickers (they have a premium animation).
    pub const PREMIUM: Sticker = Sticker {
        kind: Kind::Premium,
    };
}

impl Filter for Sticker {
    fn check(&self, update: &Update) -> FilterResult {
        let Some(sticker) = update
            .effective_message()
            .and_then(|m| m.sticker.as_deref())
        else {
            return FilterResult::No;
        };
        let pass = match self.kind {
            Kind::All => true,
            Kind::Regular => sticker.kind == StickerType::Regular,
            Kind::Mask => sticker.kind == StickerType::Mask,
            Kind::CustomEmoji => sticker.kind == StickerType::CustomEmoji,
            Kind::Animated => sticker.is_animated,
            Kind::Video => sticker.is_video,
            Kind::Static => !sticker.is_animated && !sticker.is_video,
            Kind::Premium => sticker.premium_animation.is_some(),
        };
        FilterResult::from_bool(pass)
    }
}

filter_ops!([] Sticker);

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{file, message, no_message, text};
    use super::*;

    fn sticker(kind: &str, animated: bool, video: bool, extra: Value) -> Update {
        let mut sticker = file(json!({
            "type": kind, "width": 512, "height": 512, "is_animated": animated, "is_video": video,
        }));
        if let (Some(base), Value::Object(extra)) = (sticker.as_object_mut(), extra) {
            base.extend(extra);
        }
        message(json!({ "sticker": sticker }))
    }

    #[test]
    fn each_kind_passes_its_stickers_only() {
        let regular = sticker("regular", false, false, json!({}));
        let mask = sticker("mask", false, false, json!({}));
        let emoji = sticker("custom_emoji", false, false, json!({}));
        let animated = sticker("regular", true, false, json!({}));
        let video = sticker("regular", false, true, json!({}));
        let premium = sticker(
            "regular",
            false,
            false,
            json!({"premium_animation": file(json!({}))}),
        );

        let table: [(Sticker, &Update, bool); 14] = [
            (Sticker::REGULAR, &regular, true),
            (Sticker::REGULAR, &mask, false),
            (Sticker::MASK, &mask, true),
            (Sticker::MASK, &emoji, false),
            (Sticker::CUSTOM_EMOJI, &emoji, true),
            (Sticker::CUSTOM_EMOJI, &regular, false),
            (Sticker::ANIMATED, &animated, true),
            (Sticker::ANIMATED, &video, false),
            (Sticker::VIDEO, &video, true),
            (Sticker::VIDEO, &regular, false),
            (Sticker::STATIC, &regular, true),
            (Sticker::STATIC, &animated, false),
            (Sticker::PREMIUM, &premium, true),
            (Sticker::PREMIUM, &regular, false),
        ];
        for (filter, update, expected) in table {
            assert_eq!(filter.matches(update), expected, "{filter:?}");
        }
        for update in [&regular, &mask, &emoji, &animated, &video, &premium] {
            assert!(STICKER.matches(update));
        }
    }

    #[test]
    fn sticker_filters_fail_without_a_sticker() {
        for filter in [STICKER, Sticker::STATIC, Sticker::REGULAR] {
            assert!(!filter.matches(&text("hi")));
            assert!(!filter.matches(&no_message()));
        }
    }
}
