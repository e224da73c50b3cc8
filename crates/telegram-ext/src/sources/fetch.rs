//! Fetching a batch for polling: `getUpdates`, keeping each update's JSON bytes as received when
//! the update journal needs them (the journal replays an update from its bytes, so a malformed
//! one replays as it came).
//!
//! The bytes come from the response body the transport decodes: a payload type of our own,
//! [`KeepingBytes`], decodes it as `getUpdates` always does
//! ([`decode_updates`]) and cuts each update's bytes out with the same scanner
//! ([`update_ranges`]). Without a journal the plain `getUpdates` is used and nothing is copied.

use bytes::Bytes;
use serde::Serialize;
use telegram_transport::{Decoded, Error, Payload, Request};
use telegram_types::batch::{decode_updates, update_ranges, UpdateResult};
use telegram_types::methods::GetUpdates;
use telegram_types::Method;

/// One fetched update, with its bytes when they were kept.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) entry: UpdateResult,
    pub(crate) raw: Option<Bytes>,
}

/// Sends `request`; with `keep_bytes`, each update comes with its bytes as received.
pub(crate) async fn fetch(
    request: Request<GetUpdates>,
    keep_bytes: bool,
) -> Result<Vec<Fetched>, Error> {
    if keep_bytes {
        let bot = request.client().clone();
        return Request::new(bot, KeepingBytes(request.into_payload())).await;
    }
    let batch = request.await?;
    Ok(batch
        .into_iter()
        .map(|entry| Fetched { entry, raw: None })
        .collect())
}

/// `getUpdates` whose response keeps each update's bytes; sent as `getUpdates` (the same name,
/// the same parameters).
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct KeepingBytes(GetUpdates);

impl Method for KeepingBytes {
    const NAME: &'static str = GetUpdates::NAME;
    type Output = <GetUpdates as Method>::Output;
}

impl Payload for KeepingBytes {
    type Response = Vec<Fetched>;

    fn decode(body: &[u8]) -> Decoded<Vec<Fetched>> {
        let decoded = decode_updates(body)?;
        Ok(decoded
            .into_result()
            .map(|entries| with_bytes(body, entries)))
    }
}

/// Pairs each decoded update with its bytes. The decoder yields one entry per element of
/// `result`, so the counts agree; should they not, no bytes are kept (the journal then holds
/// those updates back until they finish, as without a journal) rather than pairing wrongly.
fn with_bytes(body: &[u8], entries: Vec<UpdateResult>) -> Vec<Fetched> {
    let ranges = update_ranges(body).filter(|ranges| ranges.len() == entries.len());
    if ranges.is_none() && !entries.is_empty() {
        tracing::error!(
            updates = entries.len(),
            "could not find each update's bytes in the getUpdates response; not journaling this batch"
        );
    }
    let mut ranges = ranges.unwrap_or_default().into_iter();
    entries
        .into_iter()
        .map(|entry| Fetched {
            entry,
            raw: ranges
                .next()
                .map(|range| Bytes::copy_from_slice(&body[range])),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_update_keeps_its_bytes_malformed_ones_too() {
        let body = br#"{"ok":true,"result":[{"update_id":1,"poll_answer":{"poll_id":"p","option_ids":[0],"option_persistent_ids":["a"]}}, {"update_id":2,"message":{"message_id":"x"}}]}"#;
        let fetched = KeepingBytes::decode(body).unwrap().unwrap();
        assert_eq!(fetched.len(), 2);
        assert!(fetched[0].entry.is_ok());
        assert!(fetched[1].entry.is_err());
        assert_eq!(
            fetched[1].raw.as_deref(),
            Some(&br#"{"update_id":2,"message":{"message_id":"x"}}"#[..])
        );
        assert!(fetched[0]
            .raw
            .as_deref()
            .unwrap()
            .starts_with(br#"{"update_id":1,"#));
    }

    #[test]
    fn an_error_envelope_stays_an_error() {
        let body = br#"{"ok":false,"error_code":409,"description":"Conflict"}"#;
        let answer = KeepingBytes::decode(body).unwrap();
        assert_eq!(answer.unwrap_err().error_code, 409);
    }
}
