//! Hand-written constructors for the markup every bot sends: inline buttons and keyboards, reply
//! keyboards, removing a keyboard, forcing a reply. The types themselves are generated
//! (`generated/types/`); this file only adds the short ways to make them.
//!
//! ```
//! use telegram_types::{InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup};
//!
//! let inline = InlineKeyboardMarkup::from_rows([
//!     [InlineKeyboardButton::callback("Option 1", "1"), InlineKeyboardButton::callback("Option 2", "2")],
//! ]);
//! assert_eq!(inline.inline_keyboard[0][1].callback_data.as_deref(), Some("2"));
//!
//! let reply = ReplyKeyboardMarkup::from_rows([["Yes", "No"]]).one_time();
//! assert_eq!(reply.keyboard[0][0].text, "Yes");
//! assert_eq!(reply.one_time_keyboard, Some(true));
//! # let _ = KeyboardButton::new("x");
//! ```

use crate::{
    ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardButtonPollType,
    ReplyKeyboardMarkup, ReplyKeyboardRemove,
};

impl InlineKeyboardButton {
    /// A button that sends `data` back to the bot as a callback query when pressed.
    pub fn callback(text: impl Into<String>, data: impl Into<String>) -> Self {
        let mut button = InlineKeyboardButton::new(text);
        button.callback_data = Some(data.into());
        button
    }

    /// A button that opens `url`.
    pub fn url(text: impl Into<String>, url: impl Into<String>) -> Self {
        let mut button = InlineKeyboardButton::new(text);
        button.url = Some(url.into());
        button
    }

    /// A button that starts an inline query with `query` in the current chat.
    pub fn switch_inline_current_chat(text: impl Into<String>, query: impl Into<String>) -> Self {
        let mut button = InlineKeyboardButton::new(text);
        button.switch_inline_query_current_chat = Some(query.into());
        button
    }
}

impl InlineKeyboardMarkup {
    /// A keyboard from rows of buttons (arrays, vectors or any iterators).
    pub fn from_rows<R>(rows: impl IntoIterator<Item = R>) -> Self
    where
        R: IntoIterator<Item = InlineKeyboardButton>,
    {
        InlineKeyboardMarkup::new(rows.into_iter().map(|row| row.into_iter().collect()))
    }

    /// A keyboard of one button.
    pub fn from_button(button: InlineKeyboardButton) -> Self {
        InlineKeyboardMarkup::new([vec![button]])
    }

    /// A keyboard with the buttons in one row.
    pub fn from_row(buttons: impl IntoIterator<Item = InlineKeyboardButton>) -> Self {
        InlineKeyboardMarkup::new([buttons.into_iter().collect()])
    }

    /// A keyboard with the buttons in one column.
    pub fn from_column(buttons: impl IntoIterator<Item = InlineKeyboardButton>) -> Self {
        InlineKeyboardMarkup::new(buttons.into_iter().map(|button| vec![button]))
    }
}

impl KeyboardButton {
    /// A button that asks the user to create a poll (`None`: poll or quiz, the user's choice) and
    /// send it to the bot.
    pub fn request_poll(
        text: impl Into<String>,
        poll_type: Option<KeyboardButtonPollType>,
    ) -> Self {
        let mut button = KeyboardButton::new(text);
        button.request_poll = Some(Box::new(poll_type.unwrap_or_default()));
        button
    }

    /// A button that sends the user's phone number.
    pub fn request_contact(text: impl Into<String>) -> Self {
        let mut button = KeyboardButton::new(text);
        button.request_contact = Some(true);
        button
    }

    /// A button that sends the user's location.
    pub fn request_location(text: impl Into<String>) -> Self {
        let mut button = KeyboardButton::new(text);
        button.request_location = Some(true);
        button
    }
}

impl From<&str> for KeyboardButton {
    /// A button that sends its text.
    fn from(text: &str) -> Self {
        KeyboardButton::new(text)
    }
}

impl From<String> for KeyboardButton {
    /// A button that sends its text.
    fn from(text: String) -> Self {
        KeyboardButton::new(text)
    }
}

impl ReplyKeyboardMarkup {
    /// A keyboard from rows of buttons, or of texts (`[["Yes", "No"]]`).
    pub fn from_rows<R, B>(rows: impl IntoIterator<Item = R>) -> Self
    where
        R: IntoIterator<Item = B>,
        B: Into<KeyboardButton>,
    {
        ReplyKeyboardMarkup::new(
            rows.into_iter()
                .map(|row| row.into_iter().map(Into::into).collect()),
        )
    }

    /// A keyboard of one button.
    pub fn from_button(button: impl Into<KeyboardButton>) -> Self {
        ReplyKeyboardMarkup::new([vec![button.into()]])
    }

    /// Hides the keyboard once a button was pressed (`one_time_keyboard`).
    #[must_use]
    pub fn one_time(mut self) -> Self {
        self.one_time_keyboard = Some(true);
        self
    }

    /// Fits the keyboard's height to its buttons (`resize_keyboard`).
    #[must_use]
    pub fn resized(mut self) -> Self {
        self.resize_keyboard = Some(true);
        self
    }

    /// Shows the keyboard to the mentioned users and the replied-to sender only (`selective`).
    #[must_use]
    pub fn selective(mut self) -> Self {
        self.selective = Some(true);
        self
    }

    /// The placeholder shown in the input field while the keyboard is up.
    #[must_use]
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.input_field_placeholder = Some(text.into());
        self
    }
}

impl ReplyKeyboardRemove {
    /// Removes the custom keyboard (python-telegram-bot's `ReplyKeyboardRemove()`).
    pub fn remove() -> Self {
        ReplyKeyboardRemove::new(true)
    }
}

impl Default for ReplyKeyboardRemove {
    fn default() -> Self {
        ReplyKeyboardRemove::remove()
    }
}

impl ForceReply {
    /// Shows the reply interface (python-telegram-bot's `ForceReply()`).
    pub fn reply() -> Self {
        ForceReply::new(true)
    }

    /// Shows the reply interface to the mentioned users and the replied-to sender only.
    pub fn selective() -> Self {
        let mut force = ForceReply::new(true);
        force.selective = Some(true);
        force
    }
}

impl Default for ForceReply {
    fn default() -> Self {
        ForceReply::reply()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReplyMarkup;

    #[test]
    fn inline_rows_keep_their_shape() {
        let markup = InlineKeyboardMarkup::from_rows(vec![
            vec![
                InlineKeyboardButton::callback("a", "1"),
                InlineKeyboardButton::url("b", "https://example.org"),
            ],
            vec![InlineKeyboardButton::callback("c", "3")],
        ]);
        assert_eq!(markup.inline_keyboard.len(), 2);
        assert_eq!(markup.inline_keyboard[0].len(), 2);
        assert_eq!(
            markup.inline_keyboard[0][1].url.as_deref(),
            Some("https://example.org")
        );
        assert_eq!(
            InlineKeyboardMarkup::from_column([
                InlineKeyboardButton::callback("x", "x"),
                InlineKeyboardButton::callback("y", "y"),
            ])
            .inline_keyboard
            .len(),
            2
        );
    }

    #[test]
    fn markup_serializes_as_telegram_expects() {
        let markup: ReplyMarkup = ReplyKeyboardRemove::remove().into();
        let json = serde_json::to_value(&markup).expect("markup serializes");
        assert_eq!(json, serde_json::json!({"remove_keyboard": true}));
        let poll = KeyboardButton::request_poll("Press me!", None);
        let json = serde_json::to_value(&poll).expect("button serializes");
        assert_eq!(
            json,
            serde_json::json!({"text": "Press me!", "request_poll": {}})
        );
    }
}
