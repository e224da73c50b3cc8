//! How a slot's value is stored, and how older versions of it are migrated on read.
//!
//! A value is stored as the JSON envelope `{"v": <version>, "data": <the value>}`. Reading a
//! value whose `v` is older than the slot's version runs the slot's migrations from that version
//! on (each a function from one version's JSON to the next one's); the caller then writes the
//! migrated value back. A value that is not such an envelope, is newer than the code, fails a
//! migration, or does not fit the type after migrating is an error carrying its key — never
//! replaced by a default.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One migration step: version `n`'s JSON in, version `n + 1`'s out.
///
/// ```
/// use serde_json::{json, Value};
/// use telegram_ext::data::MigrationError;
///
/// // v1 stored `{"name": "Ada Lovelace"}`; v2 splits it.
/// fn split_name(mut v1: Value) -> Result<Value, MigrationError> {
///     let name = v1["name"].take();
///     let name = name.as_str().ok_or_else(|| MigrationError::new("name is not a string"))?;
///     let (first, last) = name.split_once(' ').unwrap_or((name, ""));
///     Ok(json!({"first": first, "last": last}))
/// }
/// ```
pub type Migration = fn(Value) -> Result<Value, MigrationError>;

/// Why a migration step refused a stored value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MigrationError(String);

impl MigrationError {
    /// A migration error saying `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        MigrationError(reason.into())
    }
}

/// Why a stored value could not be read as the slot's type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The stored bytes are not a `{"v": …, "data": …}` JSON envelope.
    #[error("not a versioned JSON value")]
    Envelope(#[source] serde_json::Error),
    /// The stored version is newer than the slot's: written by newer code.
    #[error("stored version {stored} is newer than this code's version {known}")]
    Newer {
        /// The version found.
        stored: u32,
        /// The slot's version.
        known: u32,
    },
    /// The stored version is 0, which no slot writes.
    #[error("stored version 0 is not a valid version")]
    VersionZero,
    /// A migration step refused the value.
    #[error("migration from version {from} failed")]
    Migration {
        /// The version the failing step migrates from.
        from: u32,
        /// Why it failed.
        #[source]
        source: MigrationError,
    },
    /// The (migrated) JSON does not fit the slot's type.
    #[error("the value does not fit the slot's type")]
    Type(#[source] serde_json::Error),
}

/// A value read from the store.
#[derive(Debug)]
pub(crate) struct Decoded<T> {
    pub(crate) value: T,
    /// Whether it was stored at an older version (so it should be written back).
    pub(crate) migrated: bool,
}

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    v: u32,
    data: &'a T,
}

#[derive(Deserialize)]
struct EnvelopeIn<D> {
    v: u32,
    data: D,
}

/// The stored bytes of `value` at `version`.
pub(crate) fn encode<T: Serialize>(version: u32, value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&EnvelopeOut {
        v: version,
        data: value,
    })
}

/// Reads stored bytes as `T` at the version `1 + migrations.len()`, migrating older ones.
pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    migrations: &[Migration],
) -> Result<Decoded<T>, DecodeError> {
    let known = 1 + migrations.len() as u32;
    // The common case first: the current version, decoded straight into `T`.
    let typed_error = match serde_json::from_slice::<EnvelopeIn<T>>(bytes) {
        Ok(envelope) if envelope.v == known => {
            return Ok(Decoded {
                value: envelope.data,
                migrated: false,
            })
        }
        Ok(_) => None,
        Err(error) => Some(error),
    };
    let envelope: EnvelopeIn<Value> =
        serde_json::from_slice(bytes).map_err(DecodeError::Envelope)?;
    match envelope.v {
        0 => Err(DecodeError::VersionZero),
        stored if stored > known => Err(DecodeError::Newer { stored, known }),
        stored if stored == known => Err(DecodeError::Type(typed_error.unwrap_or_else(|| {
            serde::de::Error::custom("the value does not fit the slot's type")
        }))),
        stored => {
            let mut data = envelope.data;
            for (step, migrate) in migrations.iter().enumerate().skip(stored as usize - 1) {
                let from = step as u32 + 1;
                data = migrate(data).map_err(|source| DecodeError::Migration { from, source })?;
            }
            let value = serde_json::from_value(data).map_err(DecodeError::Type)?;
            Ok(Decoded {
                value,
                migrated: true,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V2 {
        first: String,
        last: String,
    }

    fn split(mut v: Value) -> Result<Value, MigrationError> {
        let name = v["name"].take();
        let name = name
            .as_str()
            .ok_or_else(|| MigrationError::new("no name"))?;
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        Ok(json!({"first": first, "last": last}))
    }

    #[test]
    fn current_version_decodes_without_migrating() {
        let bytes = encode(
            2,
            &V2 {
                first: "A".into(),
                last: "B".into(),
            },
        )
        .unwrap();
        let decoded: Decoded<V2> = decode(&bytes, &[split]).unwrap();
        assert!(!decoded.migrated);
        assert_eq!(decoded.value.first, "A");
    }

    #[test]
    fn an_older_version_is_migrated() {
        let bytes = br#"{"v":1,"data":{"name":"Ada Lovelace"}}"#;
        let decoded: Decoded<V2> = decode(bytes, &[split]).unwrap();
        assert!(decoded.migrated);
        assert_eq!(
            decoded.value,
            V2 {
                first: "Ada".into(),
                last: "Lovelace".into()
            }
        );
    }

    #[test]
    fn bad_values_are_errors_not_defaults() {
        let newer = decode::<V2>(br#"{"v":3,"data":{}}"#, &[split]).unwrap_err();
        assert!(matches!(
            newer,
            DecodeError::Newer {
                stored: 3,
                known: 2
            }
        ));
        let failing = decode::<V2>(br#"{"v":1,"data":{"name":5}}"#, &[split]).unwrap_err();
        assert!(matches!(failing, DecodeError::Migration { from: 1, .. }));
        let wrong_type = decode::<V2>(br#"{"v":2,"data":{"first":1}}"#, &[split]).unwrap_err();
        assert!(matches!(wrong_type, DecodeError::Type(_)));
        let not_json = decode::<V2>(b"\x00garbage", &[split]).unwrap_err();
        assert!(matches!(not_json, DecodeError::Envelope(_)));
    }
}
