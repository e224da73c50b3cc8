//! `Method`: what every generated payload implements.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A Bot API method's parameters: the payload type names the method and what it returns.
///
/// Generated for every method (`telegram_types::methods::SendMessage`, …). A transport sends
/// `NAME` with the payload encoded as JSON (or multipart, when it carries uploads) and decodes a
/// [`Response<Self::Output>`](crate::Response).
///
/// ```
/// use telegram_types::methods::SendMessage;
/// use telegram_types::{Method, ParseMode};
///
/// let payload = SendMessage::new(42, "<b>hi</b>").parse_mode(ParseMode::Html);
/// assert_eq!(SendMessage::NAME, "sendMessage");
/// assert_eq!(
///     telegram_types::json::to_vec(&payload).unwrap(),
///     br#"{"chat_id":42,"text":"<b>hi</b>","parse_mode":"HTML"}"#
/// );
/// ```
pub trait Method: Serialize + Send + Sync {
    /// The API method name, e.g. `"sendMessage"`.
    const NAME: &'static str;
    /// What a successful call returns.
    type Output: DeserializeOwned + Send + 'static;
}
