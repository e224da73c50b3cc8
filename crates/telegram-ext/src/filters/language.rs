//! [`Language`]: messages from users whose client language starts with one of given codes, as
//! python-telegram-bot's `filters.Language`.

use std::sync::Arc;

use telegram_types::Update;

use super::{filter_ops, Filter, FilterResult};

/// Messages whose sender's `language_code` starts with one of the given prefixes: `"en"`
/// passes `en` and `en-US`; `"en_US"` and `"en-US"` pass `en-US` only (Telegram sends IETF
/// tags, `en-US`; `_` and `-` are the same, as is upper and lower case).
///
/// ```
/// use telegram_ext::filters::{self, Language};
///
/// let english_text = filters::TEXT & Language::new(["en"]);
/// # let _ = english_text;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    prefixes: Arc<[String]>,
}

impl Language {
    /// Senders whose language code starts with one of `prefixes`.
    pub fn new<I, S>(prefixes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let prefixes = prefixes
            .into_iter()
            .map(|p| p.as_ref().to_owned())
            .collect();
        Language { prefixes }
    }
}

impl Filter for Language {
    fn check(&self, update: &Update) -> FilterResult {
        let code = update
            .effective_message()
            .and_then(|m| m.from.as_deref())
            .and_then(|user| user.language_code.as_deref());
        let pass = code.is_some_and(|code| self.prefixes.iter().any(|p| starts_with_tag(code, p)));
        FilterResult::from_bool(pass)
    }
}

/// Whether language tag `code` starts with `prefix`, reading `_` as `-` and ignoring ASCII case
/// (language tags are case-insensitive).
fn starts_with_tag(code: &str, prefix: &str) -> bool {
    let normal = |b: &u8| {
        if *b == b'_' {
            b'-'
        } else {
            b.to_ascii_lowercase()
        }
    };
    code.len() >= prefix.len()
        && code
            .bytes()
            .zip(prefix.bytes())
            .all(|(c, p)| normal(&c) == normal(&p))
}

filter_ops!([] Language);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{message, no_message, text};
    use super::*;

    fn from_language(code: &str) -> Update {
        message(json!({
            "text": "hi",
            "from": {"id": 1, "is_bot": false, "first_name": "A", "language_code": code},
        }))
    }

    #[test]
    fn language_matches_by_prefix() {
        let english = Language::new(["en"]);
        assert!(english.matches(&from_language("en")));
        assert!(english.matches(&from_language("en-US")));
        assert!(!english.matches(&from_language("de")));
        assert!(Language::new(["EN-us"]).matches(&from_language("en-US")));
    }

    #[test]
    fn a_regional_prefix_passes_its_region_only() {
        for written in ["en_US", "en-US"] {
            let us = Language::new([written]);
            assert!(us.matches(&from_language("en-US")), "{written}");
            assert!(!us.matches(&from_language("en-GB")), "{written}");
            assert!(!us.matches(&from_language("en")), "{written}");
        }
    }

    #[test]
    fn any_of_several_prefixes_passes() {
        let both = Language::new(["de", "fr"]);
        assert!(both.matches(&from_language("fr")));
        assert!(both.matches(&from_language("de-AT")));
        assert!(!both.matches(&from_language("it")));
    }

    #[test]
    fn language_fails_without_a_code_or_a_message() {
        assert!(!Language::new(["en"]).matches(&text("hi")));
        assert!(!Language::new(["en"]).matches(&no_message()));
    }
}
