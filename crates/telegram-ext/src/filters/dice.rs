//! [`Dice`]: messages with an animated emoji that shows a random value, filtered by emoji
//! and/or value, as python-telegram-bot's `filters.Dice`.

use std::borrow::Cow;
use std::sync::Arc;

use telegram_types::Update;

use super::{filter_ops, Filter, FilterResult};

/// Messages with a dice; the constants pick an emoji, [`Dice::values`] and
/// [`Dice::with_values`] pick the outcome.
///
/// ```
/// use telegram_ext::filters::{self, Dice};
///
/// let any_roll = filters::DICE;
/// let bullseye = Dice::DARTS.with_values([6]);
/// let jackpot = Dice::emoji("🎰").with_values([64]);
/// let high = Dice::values([5, 6]);
/// # let _ = (any_roll, bullseye, jackpot, high);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dice {
    emoji: Option<Cow<'static, str>>,
    values: Option<Arc<[i64]>>,
}

/// Messages with any dice (python-telegram-bot's `filters.Dice.ALL`).
pub const DICE: Dice = Dice::ALL;

impl Dice {
    /// Any dice; the same as [`DICE`].
    pub const ALL: Dice = Dice::with_emoji(None);
    /// 🎲, a die (values 1–6).
    pub const DICE: Dice = Dice::with_emoji(Some("🎲"));
    /// 🎯, darts (values 1–6).
    pub const DARTS: Dice = Dice::with_emoji(Some("🎯"));
    /// 🏀, basketball (values 1–5).
    pub const BASKETBALL: Dice = Dice::with_emoji(Some("🏀"));
    /// ⚽, football (values 1–5).
    pub const FOOTBALL: Dice = Dice::with_emoji(Some("⚽"));
    /// 🎳, bowling (values 1–6).
    pub const BOWLING: Dice = Dice::with_emoji(Some("🎳"));
    /// 🎰, slot machine (values 1–64).
    pub const SLOT_MACHINE: Dice = Dice::with_emoji(Some("🎰"));

    const fn with_emoji(emoji: Option<&'static str>) -> Dice {
        let emoji = match emoji {
            Some(emoji) => Some(Cow::Borrowed(emoji)),
            None => None,
        };
        Dice {
            emoji,
            values: None,
        }
    }

    /// Dice showing `emoji`, any value.
    pub fn emoji(emoji: impl Into<String>) -> Self {
        Dice {
            emoji: Some(Cow::Owned(emoji.into())),
            values: None,
        }
    }

    /// Dice of any emoji showing one of `values`.
    pub fn values(values: impl IntoIterator<Item = i64>) -> Self {
        Self::ALL.with_values(values)
    }

    /// This filter, narrowed to dice showing one of `values`.
    #[must_use]
    pub fn with_values(self, values: impl IntoIterator<Item = i64>) -> Self {
        Dice {
            values: Some(values.into_iter().collect()),
            ..self
        }
    }
}

impl Filter for Dice {
    fn check(&self, update: &Update) -> FilterResult {
        let Some(dice) = update.effective_message().and_then(|m| m.dice.as_deref()) else {
            return FilterResult::No;
        };
        let emoji_ok = self.emoji.as_deref().is_none_or(|e| e == dice.emoji);
        let value_ok = self
            .values
            .as_deref()
            .is_none_or(|v| v.contains(&dice.value));
        FilterResult::from_bool(emoji_ok && value_ok)
    }
}

filter_ops!([] Dice);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, no_message, text};
    use super::*;

    fn dice(emoji: &str, value: i64) -> Update {
        message(json!({"dice": {"emoji": emoji, "value": value}}))
    }

    #[test]
    fn dice_passes_any_dice_and_nothing_else() {
        assert!(DICE.matches(&dice("🎲", 3)));
        assert!(DICE.matches(&dice("🎰", 64)));
        assert!(!DICE.matches(&text("🎲")));
        assert!(!DICE.matches(&no_message()));
    }

    #[test]
    fn emoji_constants_pass_their_emoji_only() {
        let table = [
            (Dice::DICE, "🎲"),
            (Dice::DARTS, "🎯"),
            (Dice::BASKETBALL, "🏀"),
            (Dice::FOOTBALL, "⚽"),
            (Dice::BOWLING, "🎳"),
            (Dice::SLOT_MACHINE, "🎰"),
        ];
        for (filter, emoji) in &table {
            for (_, other) in &table {
                assert_eq!(
                    filter.matches(&dice(other, 1)),
                    emoji == other,
                    "{emoji} vs {other}"
                );
            }
        }
        assert!(Dice::emoji("🎯").matches(&dice("🎯", 2)));
    }

    #[test]
    fn values_narrow_the_outcome() {
        let bullseye = Dice::DARTS.with_values([6]);
        assert!(bullseye.matches(&dice("🎯", 6)));
        assert!(!bullseye.matches(&dice("🎯", 5)));
        assert!(!bullseye.matches(&dice("🎲", 6)));

        let high = Dice::values([5, 6]);
        assert!(high.matches(&dice("🎲", 5)));
        assert!(high.matches(&dice("🎳", 6)));
        assert!(!high.matches(&dice("🎲", 4)));
    }
}
