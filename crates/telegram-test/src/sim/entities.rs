//! The entities Telegram computes for text a user sends: a `bot_command` at offset 0, measured
//! in UTF-16 code units like every Telegram offset.

use serde_json::{json, Value};

use crate::api::utf16_len;

/// Entities for user-sent `text`: a `bot_command` when it starts with `/`.
pub(crate) fn entities_for(text: &str) -> Vec<Value> {
    if !text.starts_with('/') {
        return Vec::new();
    }
    let command = text.split(char::is_whitespace).next().unwrap_or_default();
    if command.len() < 2 {
        return Vec::new();
    }
    vec![json!({"type": "bot_command", "offset": 0, "length": utf16_len(command)})]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_measured_in_utf16() {
        assert_eq!(entities_for("/start now")[0]["length"], 6);
        assert_eq!(entities_for("/h😀 x")[0]["length"], 4);
        assert!(entities_for("hello /start").is_empty());
        assert!(entities_for("/").is_empty());
    }
}
