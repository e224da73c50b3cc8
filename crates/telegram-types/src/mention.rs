//! Mentions of a user in formatted text (python-telegram-bot's `user.mention_html()`): a link to
//! the user with their name, escaped for the parse mode.

use crate::User;

impl User {
    /// The user's full name: first name, then last name when there is one.
    pub fn full_name(&self) -> String {
        match &self.last_name {
            Some(last) => format!("{} {last}", self.first_name),
            None => self.first_name.clone(),
        }
    }

    /// A mention for `parse_mode` HTML: `<a href="tg://user?id=…">full name</a>`, the name
    /// escaped.
    ///
    /// ```
    /// let user: telegram_types::User = serde_json::from_str(
    ///     r#"{"id": 7, "is_bot": false, "first_name": "Ada <3"}"#,
    /// ).unwrap();
    /// assert_eq!(user.mention_html(), r#"<a href="tg://user?id=7">Ada &lt;3</a>"#);
    /// ```
    pub fn mention_html(&self) -> String {
        format!(
            r#"<a href="tg://user?id={}">{}</a>"#,
            self.id,
            escape_html(&self.full_name())
        )
    }
}

/// Escapes `&`, `<`, `>` and `"` for Telegram's HTML parse mode (python's `html.escape`).
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}
