//! Poll options from plain text (python-telegram-bot takes a list of strings): `"Good".into()`,
//! or `["Good", "Great"].map(InputPollOption::from)`.

use crate::InputPollOption;

impl From<&str> for InputPollOption {
    fn from(text: &str) -> Self {
        InputPollOption::new(text)
    }
}

impl From<String> for InputPollOption {
    fn from(text: String) -> Self {
        InputPollOption::new(text)
    }
}
