//! Decoding a `getUpdates` response without ever losing an update.
//!
//! The whole batch is decoded in one typed pass first. Only when that fails (one update has a
//! missing field or a wrong type) is the batch decoded again as a DOM and each update on its own,
//! so the malformed one comes back as a [`MalformedUpdate`] that still carries its `update_id`
//! (the offset must move past it) and the others decode as usual.

use serde::Deserialize;

use crate::{json, Response, Update};

/// An update that could not be decoded, kept for diagnosis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("update {} could not be decoded: {error}", update_id.map_or_else(|| "without an id".to_owned(), |id| id.to_string()))]
pub struct MalformedUpdate {
    /// The update's id, when it had a readable one.
    pub update_id: Option<i64>,
    /// Why it could not be decoded.
    pub error: String,
    /// The update as received.
    pub raw: serde_json::Value,
}

/// One update of a batch: decoded, or kept as malformed.
pub type UpdateResult = Result<Update, MalformedUpdate>;

/// Decodes a `getUpdates` response body. Like [`json::from_vec`], the simd path parses a body
/// with [`json::PADDING`] spare capacity where it lies (the transport hands it a
/// [`json::padded_copy`]); the contents are unspecified afterwards.
///
/// # Errors
///
/// Only when the body as a whole is unusable: not JSON, or not a response envelope whose
/// `result` is an array. A single bad update is an `Err` entry inside the result instead.
///
/// ```
/// use telegram_types::batch::decode_updates;
///
/// let mut body = br#"{"ok":true,"result":[
///     {"update_id":1,"poll_answer":{"poll_id":"p","option_ids":[0],"option_persistent_ids":["a"]}},
///     {"update_id":2,"message":{"message_id":"not a number"}},
///     {"update_id":3,"some_future_kind":{"x":1}}]}"#.to_vec();
/// let updates = decode_updates(&mut body)?.result.unwrap();
/// assert!(updates[0].is_ok());
/// assert_eq!(updates[1].as_ref().unwrap_err().update_id, Some(2));
/// assert_eq!(updates[2].as_ref().unwrap().kind.key(), "some_future_kind");
/// # Ok::<(), telegram_types::json::Error>(())
/// ```
pub fn decode_updates(body: &mut Vec<u8>) -> Result<Response<Vec<UpdateResult>>, json::Error> {
    backend::decode_updates(body)
}

fn malformed(
    update_id: Option<i64>,
    error: impl ToString,
    raw: serde_json::Value,
) -> MalformedUpdate {
    MalformedUpdate {
        update_id,
        error: error.to_string(),
        raw,
    }
}

/// The `update_id` of an update that did not decode: an integer, or a string or a float that
/// holds one (`"7"`, `7.0`), so the offset can still move past it. `None` when there is none.
///
/// ```
/// use telegram_types::batch::update_id_of;
/// use serde_json::json;
///
/// assert_eq!(update_id_of(&json!({"update_id": "7"})), Some(7));
/// assert_eq!(update_id_of(&json!({"update_id": 7.0})), Some(7));
/// assert_eq!(update_id_of(&json!({"update_id": 7.5})), None);
/// assert_eq!(update_id_of(&json!({"update_id": "oops"})), None);
/// ```
pub fn update_id_of(update: &serde_json::Value) -> Option<i64> {
    let id = update.get("update_id")?;
    if let Some(id) = id.as_i64() {
        return Some(id);
    }
    if let Some(text) = id.as_str() {
        return text.trim().parse().ok();
    }
    // 2^63 is exactly representable; every integral float below it fits an i64.
    let float = id.as_f64()?;
    let fits = float.fract() == 0.0 && float >= -(2f64.powi(63)) && float < 2f64.powi(63);
    fits.then_some(float as i64)
}

fn with_entries<T>(
    response: Response<Vec<T>>,
    decode: impl FnMut(T) -> UpdateResult,
) -> Response<Vec<UpdateResult>> {
    Response {
        ok: response.ok,
        result: response
            .result
            .map(|items| items.into_iter().map(decode).collect()),
        error_code: response.error_code,
        description: response.description,
        parameters: response.parameters,
    }
}

/// An update of the fast path, decoded straight into its batch entry: the result vector is then
/// the one serde filled, not a second one of wider elements.
#[repr(transparent)]
struct Entry(UpdateResult);

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Update::deserialize(deserializer).map(|update| Entry(Ok(update)))
    }
}

/// Same size and alignment, so `collect` reuses the allocation.
fn all_ok(response: Response<Vec<Entry>>) -> Response<Vec<UpdateResult>> {
    with_entries(response, |entry| entry.0)
}

#[cfg(feature = "simd")]
mod backend {
    use super::*;

    pub(super) fn decode_updates(
        body: &mut Vec<u8>,
    ) -> Result<Response<Vec<UpdateResult>>, json::Error> {
        json::simd::with_padded_deserializer(body, |de| {
            // Stage one built the tape once; both passes read it.
            if let Ok(response) = Response::<Vec<Entry>>::deserialize(&mut *de) {
                return Ok(all_ok(response));
            }
            de.restart();
            let response = Response::<Vec<simd_json::OwnedValue>>::deserialize(&mut *de)?;
            Ok(with_entries(response, decode_one))
        })
    }

    fn decode_one(value: simd_json::OwnedValue) -> UpdateResult {
        match Update::deserialize(value.clone()) {
            Ok(update) => Ok(update),
            Err(error) => {
                let raw = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
                Err(malformed(update_id_of(&raw), error, raw))
            }
        }
    }
}

#[cfg(not(feature = "simd"))]
mod backend {
    use super::*;

    pub(super) fn decode_updates(
        body: &mut Vec<u8>,
    ) -> Result<Response<Vec<UpdateResult>>, json::Error> {
        if let Ok(response) = serde_json::from_slice::<Response<Vec<Entry>>>(body) {
            return Ok(all_ok(response));
        }
        let response = serde_json::from_slice::<Response<Vec<serde_json::Value>>>(body)?;
        Ok(with_entries(response, decode_one))
    }

    fn decode_one(value: serde_json::Value) -> UpdateResult {
        Update::deserialize(&value).map_err(|error| malformed(update_id_of(&value), error, value))
    }
}
