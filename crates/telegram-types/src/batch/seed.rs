//! The typed passes of the batch decoder: the response envelope and a run of updates, decoded
//! straight into the caller's vector, so that when an update fails the ones before it are kept
//! and [`Progress`] says where the pass stopped.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::UpdateResult;
use crate::serde_support::Key;
use crate::{json, Response, ResponseParameters, Update};

/// How far a typed pass got.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Updates decoded and pushed.
    pub(super) decoded: usize,
    /// Whether the pass failed inside an update (the one after the decoded ones); `false` when
    /// it failed before reaching one (the parser refused the text, or the envelope is wrong).
    pub(super) failed: bool,
}

/// The envelope's fields besides `result`.
#[derive(Debug, Default)]
pub(super) struct Envelope {
    ok: bool,
    has_result: bool,
    error_code: Option<i64>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

impl Envelope {
    /// The response, `result` being `updates` when the body had one.
    pub(super) fn with_result(self, updates: Vec<UpdateResult>) -> Response<Vec<UpdateResult>> {
        Response {
            ok: self.ok,
            result: self.has_result.then_some(updates),
            error_code: self.error_code,
            description: self.description,
            parameters: self.parameters,
        }
    }
}

#[cfg(feature = "simd")]
impl Envelope {
    /// The envelope of a body whose typed pass stopped inside `result`: the keys after it
    /// were not read.
    fn with_unread_rest() -> Self {
        Envelope {
            ok: true,
            has_result: true,
            ..Envelope::default()
        }
    }
}

/// Decodes a whole response body, its updates into `out`. On the simd path, an update that
/// does not fit the types does not fail the pass: it is kept as malformed and the updates after
/// it are decoded from the tape already parsed (`tape.rs`). Otherwise the pass stops there and
/// `progress` says where.
pub(super) fn decode_envelope(
    body: &[u8],
    out: &mut Vec<UpdateResult>,
    progress: &mut Progress,
) -> Result<Envelope, json::Error> {
    backend::decode_envelope(body, out, progress)
}

/// Decodes `run`, a JSON array of updates, into `out`.
pub(super) fn decode_run(
    run: Vec<u8>,
    out: &mut Vec<UpdateResult>,
    progress: &mut Progress,
) -> Result<(), json::Error> {
    backend::decode_owned(run, Updates::new(out, progress))
}

/// Decodes one update from its own bytes.
pub(super) fn decode_one(update: &[u8]) -> Result<Update, json::Error> {
    backend::decode(update, std::marker::PhantomData::<Update>)
}

#[cfg(feature = "simd")]
mod backend {
    use super::*;

    pub(super) fn decode_envelope(
        body: &[u8],
        out: &mut Vec<UpdateResult>,
        progress: &mut Progress,
    ) -> Result<Envelope, json::Error> {
        let mut body = json::padded_copy(body);
        json::simd::with_padded_tape(&mut body, |tape| {
            let pass = json::simd::deserialize(tape, |de| {
                EnvelopeSeed(Updates::new(out, progress)).deserialize(de)
            });
            match pass {
                Ok(envelope) => Ok(envelope),
                Err(error) if progress.failed => {
                    let error = json::Error::from(error);
                    if super::super::tape::resume(tape, progress.decoded, &error, out) {
                        Ok(Envelope::with_unread_rest())
                    } else {
                        Err(error)
                    }
                }
                Err(error) => Err(error.into()),
            }
        })?
    }

    pub(super) fn decode<S, V>(body: &[u8], seed: S) -> Result<V, json::Error>
    where
        S: for<'de> DeserializeSeed<'de, Value = V>,
    {
        decode_owned(json::padded_copy(body), seed)
    }

    pub(super) fn decode_owned<S, V>(mut body: Vec<u8>, seed: S) -> Result<V, json::Error>
    where
        S: for<'de> DeserializeSeed<'de, Value = V>,
    {
        json::simd::with_padded_deserializer(&mut body, |de| Ok(seed.deserialize(de)?))
    }
}

#[cfg(not(feature = "simd"))]
mod backend {
    use super::*;

    pub(super) fn decode_envelope(
        body: &[u8],
        out: &mut Vec<UpdateResult>,
        progress: &mut Progress,
    ) -> Result<Envelope, json::Error> {
        decode(body, EnvelopeSeed(Updates::new(out, progress)))
    }

    pub(super) fn decode<S, V>(body: &[u8], seed: S) -> Result<V, json::Error>
    where
        S: for<'de> DeserializeSeed<'de, Value = V>,
    {
        let mut de = serde_json::Deserializer::from_slice(body);
        let value = seed.deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }

    pub(super) fn decode_owned<S, V>(body: Vec<u8>, seed: S) -> Result<V, json::Error>
    where
        S: for<'de> DeserializeSeed<'de, Value = V>,
    {
        decode(&body, seed)
    }
}

/// The updates of a JSON array, pushed onto `out` as they decode.
pub(super) struct Updates<'a> {
    out: &'a mut Vec<UpdateResult>,
    progress: &'a mut Progress,
}

impl<'a> Updates<'a> {
    pub(super) fn new(out: &'a mut Vec<UpdateResult>, progress: &'a mut Progress) -> Self {
        Updates { out, progress }
    }
}

impl<'de> DeserializeSeed<'de> for Updates<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Updates<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of updates")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.reserve(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            // Set before each update and cleared at the end: an error in between is the
            // update's own.
            self.progress.failed = true;
            let Some(update) = seq.next_element::<Update>()? else {
                self.progress.failed = false;
                return Ok(());
            };
            self.out.push(Ok(update));
            self.progress.decoded += 1;
        }
    }
}

/// The `{"ok", "result", …}` envelope with `result` read by [`Updates`].
struct EnvelopeSeed<'a>(Updates<'a>);

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'_> {
    type Value = Envelope;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Envelope, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed<'_> {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a getUpdates response")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut updates = Some(self.0);
        let mut envelope = Envelope::default();
        let mut ok = None;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match &*key {
                "ok" => ok = Some(map.next_value()?),
                "result" => match updates.take() {
                    Some(updates) => {
                        map.next_value_seed(updates)?;
                        envelope.has_result = true;
                    }
                    None => return Err(serde::de::Error::duplicate_field("result")),
                },
                "error_code" => envelope.error_code = map.next_value()?,
                "description" => envelope.description = map.next_value()?,
                "parameters" => envelope.parameters = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        envelope.ok = ok.ok_or_else(|| serde::de::Error::missing_field("ok"))?;
        Ok(envelope)
    }
}
