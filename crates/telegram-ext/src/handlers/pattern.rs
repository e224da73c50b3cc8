//! [`Pattern`]: what a query handler compares a string field with (callback data, an inline
//! query, a result id, an invoice payload): a regex, whose captures reach the callback, or a
//! closure.
//!
//! The handlers that use it live in their own files (`callback_query.rs`, `inline_query.rs`, …).

use std::fmt;
use std::sync::Arc;

use crate::filters::RegexMatch;

/// A test on a string field of an update: a regular expression or a closure.
///
/// A regex is *searched* for, as `filters::Regex` does: it may match anywhere in the string.
/// Anchor it with `^` (and `$`) for python-telegram-bot's `re.match` behaviour, which matches
/// at the start only. Its captures land in [`Context::matches`](crate::Context::matches).
///
/// ```
/// use telegram_ext::handlers::Pattern;
///
/// let buy = Pattern::regex(r"^buy:(?P<item>\w+)$")?;
/// assert!(buy.is_match("buy:apple"));
/// let matches = buy.captures("buy:apple").unwrap_or_default();
/// assert_eq!(matches[0].name("item"), Some("apple"));
///
/// let short = Pattern::func(|data: &str| data.len() < 4);
/// assert!(short.is_match("abc"));
/// assert!(!short.is_match("abcd"));
/// # Ok::<(), regex::Error>(())
/// ```
#[derive(Clone)]
pub enum Pattern {
    /// A regular expression, searched for in the string.
    Regex(regex::Regex),
    /// A predicate on the string.
    Func(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

impl Pattern {
    /// Compiles `pattern` (syntax of the [`regex`] crate).
    ///
    /// # Errors
    ///
    /// When `pattern` is not a valid regular expression, or compiles too big.
    pub fn regex(pattern: &str) -> Result<Self, regex::Error> {
        regex::Regex::new(pattern).map(Pattern::Regex)
    }

    /// A pattern from a predicate.
    pub fn func<F>(predicate: F) -> Self
    where
        F: Fn(&str) -> bool + Send + Sync + 'static,
    {
        Pattern::Func(Arc::new(predicate))
    }

    /// Whether `haystack` passes.
    pub fn is_match(&self, haystack: &str) -> bool {
        match self {
            Pattern::Regex(regex) => regex.is_match(haystack),
            Pattern::Func(predicate) => predicate(haystack),
        }
    }

    /// `None` when `haystack` does not pass; otherwise what matched: the first regex match with
    /// its groups, or nothing for a closure.
    pub fn captures(&self, haystack: &str) -> Option<Vec<RegexMatch>> {
        match self {
            Pattern::Regex(regex) => {
                let captures = regex.captures(haystack)?;
                Some(vec![RegexMatch::from_captures(regex, &captures)])
            }
            Pattern::Func(predicate) => predicate(haystack).then(Vec::new),
        }
    }
}

impl From<regex::Regex> for Pattern {
    /// Uses an already compiled regex (built with `RegexBuilder` for flags, say).
    fn from(regex: regex::Regex) -> Self {
        Pattern::Regex(regex)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Regex(regex) => f.debug_tuple("Regex").field(&regex.as_str()).finish(),
            Pattern::Func(_) => f.write_str("Func(..)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_searched_anywhere_in_the_string() {
        let pattern = Pattern::regex(r"\d+").expect("test pattern compiles");
        let matches = pattern
            .captures("item 42 of 50")
            .expect("the pattern matches");
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].as_str(), "42");
        assert!(pattern.captures("none").is_none());
    }

    #[test]
    fn func_passes_without_captures() {
        let pattern = Pattern::func(|s| s.starts_with("ok"));
        assert_eq!(pattern.captures("ok then"), Some(Vec::new()));
        assert_eq!(pattern.captures("no"), None);
    }

    #[test]
    fn invalid_regex_fails_at_construction() {
        assert!(Pattern::regex("(unclosed").is_err());
    }

    #[test]
    fn prebuilt_regex_keeps_its_flags() {
        let regex = regex::RegexBuilder::new("^yes$")
            .case_insensitive(true)
            .build()
            .expect("test pattern compiles");
        assert!(Pattern::from(regex).is_match("YES"));
    }
}
