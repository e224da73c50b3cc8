//! Decoding a `getUpdates` response without ever losing an update.
//!
//! The whole batch is decoded in one typed pass first, each update straight into the result.
//! When that pass fails, nothing decoded is thrown away, and no DOM is built:
//!
//! - An update that does not fit the types (a missing field, a wrong type) stops the pass at
//!   that update. The updates before it are kept; it becomes a [`MalformedUpdate`] that still
//!   carries its `update_id` (the offset must move past it); the updates after it are decoded
//!   in one typed pass again: on the simd path from the tape the parser already filled
//!   (`tape.rs`), on the serde_json path from their own bytes.
//! - An update the parser refuses although its JSON grammar is valid (nesting past the parser's
//!   depth limit, a lone surrogate `"\ud83d"`, `1e400`, an integer beyond 64 bits) can fail the
//!   parse of the whole body (simd-json parses the body before the first update is read). The
//!   update boundaries are then found by a byte scanner that tolerates all of these (`scan.rs`),
//!   and each update is decoded from its own byte range.
//!
//! Only a body whose boundaries cannot be found (not JSON, cut short, not an envelope with a
//! `result` array) fails as a whole: the caller gets the parser's error.

mod scan;
mod seed;
#[cfg(feature = "simd")]
mod tape;

use std::ops::Range;

use crate::{json, Response, Update};

/// An update that could not be decoded, kept for diagnosis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("update {} could not be decoded: {error}", update_id.map_or_else(|| "without an id".to_owned(), |id| id.to_string()))]
pub struct MalformedUpdate {
    /// The update's id, when it had a readable one.
    pub update_id: Option<i64>,
    /// Why it could not be decoded.
    pub error: String,
    /// The update as received. An update that `serde_json` refuses to parse (nesting past its
    /// depth limit, a lone surrogate, a number out of range) is kept as its JSON text, in a
    /// [`serde_json::Value::String`].
    pub raw: serde_json::Value,
}

/// One update of a batch: decoded, or kept as malformed.
pub type UpdateResult = Result<Update, MalformedUpdate>;

/// Decodes a `getUpdates` response body, as received.
///
/// On the simd path the body is copied once into a buffer with [`json::PADDING`] (the copy
/// simd-json parses in place); the body itself is kept for the fallback, which needs the bytes
/// as they came.
///
/// # Errors
///
/// Only when the body as a whole is unusable: not JSON, or not a response envelope whose
/// `result` is an array. A single bad update is an `Err` entry inside the result instead, even
/// one the parser refuses.
///
/// ```
/// use telegram_types::batch::decode_updates;
///
/// let body = br#"{"ok":true,"result":[
///     {"update_id":1,"poll_answer":{"poll_id":"p","option_ids":[0],"option_persistent_ids":["a"]}},
///     {"update_id":2,"message":{"message_id":"not a number"}},
///     {"update_id":3,"message":{"message_id":1,"text":"\ud83d"}},
///     {"update_id":4,"some_future_kind":{"x":1}}]}"#;
/// let updates = decode_updates(body)?.result.unwrap();
/// assert!(updates[0].is_ok());
/// assert_eq!(updates[1].as_ref().unwrap_err().update_id, Some(2));
/// assert_eq!(updates[2].as_ref().unwrap_err().update_id, Some(3));
/// assert_eq!(updates[3].as_ref().unwrap().kind.key(), "some_future_kind");
/// # Ok::<(), telegram_types::json::Error>(())
/// ```
pub fn decode_updates(body: &[u8]) -> Result<Response<Vec<UpdateResult>>, json::Error> {
    let mut updates = Vec::new();
    let mut progress = seed::Progress::default();
    let error = match seed::decode_envelope(body, &mut updates, &mut progress) {
        Ok(envelope) => return Ok(envelope.with_result(updates)),
        Err(error) => error,
    };
    let Some(elements) = scan::result_elements(body) else {
        return Err(error);
    };
    // The updates the first pass decoded stay; it stopped at the next one, or before the first
    // when the parser refused the body.
    updates.truncate(progress.decoded.min(elements.len()));
    let rest = &elements[updates.len()..];
    match rest.split_first() {
        Some((stopped_at, after)) if progress.failed => {
            updates.push(Err(malformed(body, stopped_at.clone(), &error)));
            decode_runs(body, after, &mut updates);
        }
        _ => decode_each(body, rest, &mut updates),
    }
    Ok(Response::success(updates))
}

/// Decodes `elements` in typed passes over as many of them as fit: each pass keeps what it
/// decoded, reports the update it stopped at, and the next pass starts after that one.
fn decode_runs(body: &[u8], mut elements: &[Range<usize>], out: &mut Vec<UpdateResult>) {
    while let (Some(first), Some(last)) = (elements.first(), elements.last()) {
        let mut run = Vec::with_capacity(last.end - first.start + 2 + json::PADDING);
        run.push(b'[');
        run.extend_from_slice(&body[first.start..last.end]);
        run.push(b']');
        let before = out.len();
        let mut progress = seed::Progress::default();
        let Err(error) = seed::decode_run(run, out, &mut progress) else {
            return;
        };
        let decoded = progress.decoded.min(elements.len());
        out.truncate(before + decoded);
        match elements[decoded..].split_first() {
            Some((stopped_at, after)) if progress.failed => {
                out.push(Err(malformed(body, stopped_at.clone(), &error)));
                elements = after;
            }
            // The parser refused the run before its first update: one update at a time.
            _ => return decode_each(body, &elements[decoded..], out),
        }
    }
}

/// Decodes each of `elements` from its own bytes.
fn decode_each(body: &[u8], elements: &[Range<usize>], out: &mut Vec<UpdateResult>) {
    for element in elements {
        let result = seed::decode_one(&body[element.clone()])
            .map_err(|error| malformed(body, element.clone(), &error));
        out.push(result);
    }
}

/// The update at `range` of `body` as a [`MalformedUpdate`]: its id and raw form read as far as
/// the parsers and the scanner allow.
fn malformed(body: &[u8], range: Range<usize>, error: &json::Error) -> MalformedUpdate {
    let text = &body[range];
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(raw) => malformed_value(raw, error),
        Err(_) => MalformedUpdate {
            update_id: scan::update_id_in(text),
            error: error_text(error),
            raw: serde_json::Value::String(String::from_utf8_lossy(text).into_owned()),
        },
    }
}

/// The update `raw`, which `error` kept from decoding, as a [`MalformedUpdate`].
fn malformed_value(raw: serde_json::Value, error: &json::Error) -> MalformedUpdate {
    MalformedUpdate {
        update_id: update_id_of(&raw),
        error: error_text(error),
        raw,
    }
}

/// The byte range of each update in a `getUpdates` response body, in order: one range per entry
/// [`decode_updates`] returns, found by the same scanner its fallback uses. For a caller that
/// must keep each update's bytes as received (a journal replays them later). `None` when the
/// body is not an envelope holding a `result` array.
///
/// ```
/// use telegram_types::batch::update_ranges;
///
/// let body = br#"{"ok":true,"result":[{"update_id":1}, {"update_id":2,"x":[1e400]}]}"#;
/// let ranges = update_ranges(body).unwrap();
/// assert_eq!(&body[ranges[0].clone()], br#"{"update_id":1}"#);
/// assert_eq!(&body[ranges[1].clone()], br#"{"update_id":2,"x":[1e400]}"#);
/// assert_eq!(update_ranges(b"not json"), None);
/// ```
pub fn update_ranges(body: &[u8]) -> Option<Vec<Range<usize>>> {
    scan::result_elements(body)
}

/// What did not fit: the decode error's Display is one level, its source says it.
fn error_text(error: &json::Error) -> String {
    std::error::Error::source(error).map_or_else(|| error.to_string(), ToString::to_string)
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
    scan::integral(id.as_f64()?)
}

/// The `update_id` of one update given as JSON text, read without parsing the rest: found even
/// when a parser refuses the update (nesting past its depth limit, a lone surrogate, `1e400`).
/// Read as [`update_id_of`] reads it; `None` when the text is no object or has no readable id.
///
/// ```
/// use telegram_types::batch::update_id_in;
///
/// assert_eq!(update_id_in(br#"{"update_id":7,"message":{"text":"\ud83d"}}"#), Some(7));
/// assert_eq!(update_id_in(br#"{"update_id":"8","x":1e400}"#), Some(8));
/// assert_eq!(update_id_in(b"{\"update_id\":9"), None);
/// ```
pub fn update_id_in(update: &[u8]) -> Option<i64> {
    scan::update_id_in(update)
}
