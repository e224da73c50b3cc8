//! Naming: spec names to Rust names, and the doc-comment text of spec descriptions.

/// `sendMessage` → `SendMessage`, `message_reaction` → `MessageReaction`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `sendMessage` → `send_message`, `InlineQueryResult` → `inline_query_result`.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The Rust name of a JSON key: `type` is a keyword, so it becomes `kind`.
pub fn field(name: &str) -> String {
    match name {
        "type" => "kind".to_owned(),
        other => other.to_owned(),
    }
}

/// Splits a CamelCase name into its words: `InlineQueryResultCachedGif` → `[Inline, Query, ...]`.
fn words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_uppercase() {
            out.push(&name[start..i]);
            start = i;
        }
    }
    out.push(&name[start..]);
    out
}

/// The variant names of a union: the subtype names less the words they all start with.
pub fn variant_names(subtypes: &[&str]) -> Vec<String> {
    let split: Vec<Vec<&str>> = subtypes.iter().map(|s| words(s)).collect();
    let mut common = 0;
    // Keep at least one word of every name.
    while let Some(word) = split[0].get(common) {
        if split
            .iter()
            .any(|s| s.len() <= common + 1 || s[common] != *word)
        {
            break;
        }
        common += 1;
    }
    split.iter().map(|s| s[common..].concat()).collect()
}

/// A spec description as the lines of a `///` comment, with markdown's special characters escaped
/// so rustdoc shows the text as the Bot API documentation wrote it.
pub fn doc_lines(paragraphs: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.push(escape_markdown(p));
    }
    lines
}

/// Renders `///` lines at the given indentation.
pub fn doc_comment(paragraphs: &[String], indent: &str) -> String {
    let mut out = String::new();
    for line in doc_lines(paragraphs) {
        if line.is_empty() {
            out.push_str(&format!("{indent}///\n"));
        } else {
            out.push_str(&format!("{indent}/// {line}\n"));
        }
    }
    out
}

fn escape_markdown(text: &str) -> String {
    text.replace('\n', " ")
        .split(' ')
        .map(escape_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One word of a description: a URL becomes a link (`<url>`, or a code span when it holds
/// characters an autolink cannot), so rustdoc does not warn about bare URLs; anything else has
/// markdown's special characters escaped.
fn escape_word(word: &str) -> String {
    let Some(start) = word.find("https://").or_else(|| word.find("http://")) else {
        return escape_chars(word);
    };
    let (before, rest) = word.split_at(start);
    let url = rest.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '"', '\'']);
    let after = &rest[url.len()..];
    let link = if url.contains(['<', '>', '`', ' ']) {
        format!("`{url}`")
    } else {
        format!("<{url}>")
    };
    format!("{}{link}{}", escape_chars(before), escape_chars(after))
}

fn escape_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '[' | ']' | '<' | '>' | '*' | '_' | '`' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A Rust string literal for `text`.
pub fn literal(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(camel("send_message"), "SendMessage");
        assert_eq!(camel("sendMessage"), "SendMessage");
        assert_eq!(snake("sendMessage"), "send_message");
        assert_eq!(
            snake("InlineQueryResultCachedMpeg4Gif"),
            "inline_query_result_cached_mpeg4_gif"
        );
        assert_eq!(snake("getMe"), "get_me");
    }

    #[test]
    fn variant_names_drop_the_common_words() {
        assert_eq!(
            variant_names(&["MessageOriginUser", "MessageOriginHiddenUser"]),
            ["User", "HiddenUser"]
        );
        assert_eq!(
            variant_names(&["InputMediaPhoto", "InputMediaVideo"]),
            ["Photo", "Video"]
        );
        assert_eq!(
            variant_names(&["Message", "InaccessibleMessage"]),
            ["Message", "InaccessibleMessage"]
        );
    }
}
