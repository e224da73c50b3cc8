//! Data filters on patterns: [`Regex`] (the text, or the caption of a message without text)
//! and [`CaptionRegex`] (the caption only). They pass with the first match's capture groups as
//! [`FilterResult::Data`], which a handler hands to its callback through the context.
//!
//! [`RegexMatch`], the owned copy of a match, lives in `mod.rs` beside [`FilterResult`].

use telegram_types::Update;

use super::{filter_ops, Filter, FilterResult, RegexMatch};

/// Messages whose text (or, when there is no text, caption) matches a pattern somewhere (a
/// search, as Python's `re.search`; anchor with `^` and `$` for a full match). Passes with
/// the first match.
///
/// The pattern compiles once, in [`Regex::new`]; an invalid pattern is an error there, not at
/// the first update.
///
/// ```
/// use telegram_ext::filters::{self, Filter, FilterResult, Regex};
/// use telegram_ext::types::{json, Update};
///
/// let pay = Regex::new(r"^pay (?P<amount>\d+) to @(\w+)$")?;
///
/// let mut body = br#"{"update_id":1,"message":{"message_id":5,"date":1700000000,
///     "chat":{"id":42,"type":"private","first_name":"Ann"},"text":"pay 30 to @bob"}}"#.to_vec();
/// let update: Update = json::from_slice(&mut body)?;
///
/// let FilterResult::Data(matches) = (filters::TEXT & pay).check(&update) else {
///     panic!("the pattern matches");
/// };
/// assert_eq!(matches[0].name("amount"), Some("30"));
/// assert_eq!(matches[0].get(2), Some("bob"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Regex {
    regex: ::regex::Regex,
}

impl Regex {
    /// Compiles `pattern` (syntax of the [`regex`](::regex) crate).
    ///
    /// # Errors
    ///
    /// When `pattern` is not a valid regular expression, or compiles too big.
    pub fn new(pattern: &str) -> Result<Self, ::regex::Error> {
        ::regex::Regex::new(pattern).map(Self::from)
    }

    /// The pattern, as written.
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }
}

impl From<::regex::Regex> for Regex {
    /// Uses an already compiled regex (built with `RegexBuilder` for flags, say).
    fn from(regex: ::regex::Regex) -> Self {
        Regex { regex }
    }
}

impl Filter for Regex {
    fn check(&self, update: &Update) -> FilterResult {
        let haystack = update
            .effective_message()
            .and_then(|m| m.text.as_deref().or(m.caption.as_deref()));
        search(&self.regex, haystack)
    }
}

/// Messages whose caption matches a pattern somewhere; passes with the first match. As
/// python-telegram-bot's `filters.CaptionRegex`.
///
/// ```
/// use telegram_ext::filters::{self, CaptionRegex};
///
/// let tagged_photos = filters::PHOTO & CaptionRegex::new(r"#(\w+)")?;
/// # let _ = tagged_photos;
/// # Ok::<(), regex::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CaptionRegex {
    regex: ::regex::Regex,
}

impl CaptionRegex {
    /// Compiles `pattern` (syntax of the [`regex`](::regex) crate).
    ///
    /// # Errors
    ///
    /// When `pattern` is not a valid regular expression, or compiles too big.
    pub fn new(pattern: &str) -> Result<Self, ::regex::Error> {
        ::regex::Regex::new(pattern).map(Self::from)
    }

    /// The pattern, as written.
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }
}

impl From<::regex::Regex> for CaptionRegex {
    /// Uses an already compiled regex (built with `RegexBuilder` for flags, say).
    fn from(regex: ::regex::Regex) -> Self {
        CaptionRegex { regex }
    }
}

impl Filter for CaptionRegex {
    fn check(&self, update: &Update) -> FilterResult {
        let caption = update
            .effective_message()
            .and_then(|m| m.caption.as_deref());
        search(&self.regex, caption)
    }
}

/// The first match of `regex` in `haystack`, as a filter result.
fn search(regex: &::regex::Regex, haystack: Option<&str>) -> FilterResult {
    match haystack.and_then(|h| regex.captures(h)) {
        Some(captures) => FilterResult::Data(vec![RegexMatch::from_captures(regex, &captures)]),
        None => FilterResult::No,
    }
}

filter_ops!([] Regex, [] CaptionRegex);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, no_message, text};
    use super::*;

    fn regex(pattern: &str) -> Regex {
        Regex::new(pattern).expect("test pattern compiles")
    }

    #[test]
    fn regex_passes_with_numbered_and_named_groups() {
        let result = regex(r"(?P<verb>buy|sell) (\d+)").check(&text("please buy 12 apples"));
        let FilterResult::Data(matches) = result else {
            panic!("expected data, got {result:?}");
        };
        assert_eq!(matches.len(), 1);
        let m = &matches[0];
        assert_eq!(m.as_str(), "buy 12");
        assert_eq!(m.get(1), Some("buy"));
        assert_eq!(m.get(2), Some("12"));
        assert_eq!(m.name("verb"), Some("buy"));
        assert_eq!(m.name("noun"), None);
        assert_eq!(m.get(3), None);
    }

    #[test]
    fn regex_keeps_only_the_first_match() {
        let FilterResult::Data(matches) = regex(r"\d").check(&text("1 2 3")) else {
            panic!("expected data");
        };
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].as_str(), "1");
    }

    #[test]
    fn optional_groups_that_did_not_take_part_are_none() {
        let FilterResult::Data(matches) = regex(r"a(b)?(c)").check(&text("ac")) else {
            panic!("expected data");
        };
        assert_eq!(matches[0].get(1), None);
        assert_eq!(matches[0].get(2), Some("c"));
    }

    #[test]
    fn regex_fails_without_a_match_or_a_message() {
        assert_eq!(regex("xyz").check(&text("abc")), FilterResult::No);
        assert_eq!(regex(".*").check(&no_message()), FilterResult::No);
        assert_eq!(
            regex(".*").check(&message(json!({"photo": []}))),
            FilterResult::No
        );
    }

    #[test]
    fn regex_falls_back_to_the_caption_only_without_text() {
        let captioned = message(json!({"caption": "cap 7"}));
        assert!(regex(r"cap \d").matches(&captioned));
        let both = message(json!({"text": "text", "caption": "cap"}));
        assert!(!regex("cap").matches(&both));
    }

    #[test]
    fn caption_regex_ignores_the_text() {
        let captioned = message(json!({"caption": "#sunset"}));
        let tag = CaptionRegex::new(r"#(\w+)").expect("test pattern compiles");
        let FilterResult::Data(matches) = tag.check(&captioned) else {
            panic!("expected data");
        };
        assert_eq!(matches[0].get(1), Some("sunset"));
        assert!(!tag.matches(&text("#sunset")));
    }

    #[test]
    fn invalid_patterns_fail_at_construction() {
        assert!(Regex::new("(unclosed").is_err());
        assert!(CaptionRegex::new("[z-a]").is_err());
    }

    #[test]
    fn a_prebuilt_regex_keeps_its_flags() {
        let shout = ::regex::RegexBuilder::new("hello")
            .case_insensitive(true)
            .build()
            .expect("test pattern compiles");
        assert!(Regex::from(shout).matches(&text("HELLO")));
    }
}
