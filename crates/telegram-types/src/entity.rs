//! `MessageEntity::text_in`: the text an entity covers, counting in UTF-16 as Telegram does.

use crate::MessageEntity;

impl MessageEntity {
    /// The part of `text` this entity covers (python-telegram-bot's `parse_entity`).
    ///
    /// `offset` and `length` count UTF-16 code units, so an emoji outside the basic plane counts
    /// twice. `None` when the range is negative, runs past the end, or splits a character.
    ///
    /// ```
    /// use telegram_types::{MessageEntity, MessageEntityType};
    ///
    /// let mention = MessageEntity::new(MessageEntityType::Mention, 3, 4);
    /// assert_eq!(mention.text_in("👍 @ann!"), Some("@ann"));
    /// ```
    pub fn text_in<'t>(&self, text: &'t str) -> Option<&'t str> {
        utf16_slice(text, self.offset, self.length)
    }
}

fn utf16_slice(text: &str, offset: i64, length: i64) -> Option<&str> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(length).ok()?)?;
    let boundaries = text
        .char_indices()
        .map(|(index, ch)| (index, ch.len_utf16()))
        .chain(std::iter::once((text.len(), 0)));
    let mut units = 0;
    let mut begin = None;
    for (index, width) in boundaries {
        if units == start {
            begin = Some(index);
        }
        if units == end {
            return text.get(begin?..index);
        }
        if units > end {
            return None;
        }
        units += width;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_out_of_bounds_or_inside_a_character_are_rejected() {
        assert_eq!(utf16_slice("a🎉b", 1, 2), Some("🎉"));
        assert_eq!(utf16_slice("a🎉b", 3, 1), Some("b"));
        assert_eq!(utf16_slice("a🎉b", 4, 0), Some(""));
        assert_eq!(utf16_slice("a🎉b", 2, 1), None);
        assert_eq!(utf16_slice("a🎉b", 3, 5), None);
        assert_eq!(utf16_slice("abc", -1, 1), None);
        assert_eq!(utf16_slice("abc", 0, i64::MAX), None);
        // 3 units end inside the surrogate pair of the emoji.
        assert_eq!(utf16_slice("/s😀", 0, 3), None);
        assert_eq!(utf16_slice("/s😀", 0, 4), Some("/s😀"));
        assert_eq!(utf16_slice("/s😀", 0, 2), Some("/s"));
    }
}
