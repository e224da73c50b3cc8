//! [`Payload`]: how a request's response decodes, for the typed methods of [`Bot`](crate::Bot).
//!
//! Generated for every method (in `generated/`) as "the envelope of `Method::Output`", except
//! `getUpdates`, written here: its response goes through
//! [`telegram_types::batch::decode_updates`] so one malformed update never fails the batch.

use std::time::Duration;

use serde::Serialize;
use telegram_types::batch::{decode_updates, UpdateResult};
use telegram_types::methods::GetUpdates;
use telegram_types::{json, Method, Response, ResponseError};

/// A decoded response: the result, or the API error the envelope carried; the outer error is
/// a body that is not an envelope at all.
pub type Decoded<T> = Result<Result<T, ResponseError>, json::Error>;

/// A method payload a [`Request`](crate::Request) can send: says what the response decodes to.
///
/// `Response` is [`Method::Output`] for every method but `getUpdates`, whose requests return
/// `Vec<`[`UpdateResult`]`>`: a malformed update comes back as an `Err` entry with its
/// `update_id` instead of failing the call. (`bot.call(GetUpdates::new())` keeps
/// `Method::Output`, `Vec<Update>`, and fails on a malformed update.)
pub trait Payload: Method + 'static {
    /// What a successful request returns.
    type Response: Send + 'static;

    /// Decodes a response body as received. The simd backend parses a
    /// [`json::padded_copy`] of it in place; the body itself is left as it came (the
    /// `getUpdates` decoder falls back to it when the parser refuses one update).
    fn decode(body: &[u8]) -> Decoded<Self::Response>;
}

/// Decodes the standard envelope, `{"ok": true, "result": T}`.
pub fn decode_envelope<T: serde::de::DeserializeOwned>(body: &[u8]) -> Decoded<T> {
    json::from_vec::<Response<T>>(&mut json::padded_copy(body)).map(Response::into_result)
}

impl Payload for GetUpdates {
    type Response = Vec<UpdateResult>;

    fn decode(body: &[u8]) -> Decoded<Self::Response> {
        decode_updates(body).map(Response::into_result)
    }
}

/// The long-poll timeout of a `getUpdates` payload (its `timeout` parameter), `None` for
/// every other method. The transport's deadline for the call is this plus a margin.
pub(crate) fn long_poll_timeout<P: Method + Serialize>(payload: &P) -> Option<Duration> {
    if P::NAME != GetUpdates::NAME {
        return None;
    }
    let value = serde_json::to_value(payload).ok()?;
    let seconds = value.get("timeout")?.as_i64()?;
    (seconds > 0).then(|| Duration::from_secs(seconds.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use telegram_types::methods::SendMessage;

    #[test]
    fn only_get_updates_with_a_timeout_is_a_long_poll() {
        assert_eq!(
            long_poll_timeout(&GetUpdates::new().timeout(30)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(long_poll_timeout(&GetUpdates::new()), None);
        assert_eq!(long_poll_timeout(&SendMessage::new(1, "hi")), None);
    }

    #[test]
    fn get_updates_keeps_a_malformed_update() {
        let body = br#"{"ok":true,"result":[{"update_id":5,"message":{"message_id":"x"}}]}"#;
        let updates = GetUpdates::decode(body).unwrap().unwrap();
        assert_eq!(updates[0].as_ref().unwrap_err().update_id, Some(5));
    }
}
