//! Decoding the generated object types: one `Deserialize` per struct, generated, that reads each
//! key once straight into its field, keeps a key it does not know in the struct's `extra` map,
//! and (for `Message`) fills the boxed group of rare fields only when one of them is present.
//!
//! Why not serde's derive: it drops unknown keys, and its only way to keep them,
//! `#[serde(flatten)]`, buffers every key the struct does not know through serde's private
//! `Content` type (and would always create a flattened group). The generated impls use these
//! helpers instead; a key the struct knows costs what it cost under the derive.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::ser::SerializeMap;

/// The keys of an object that this version of the spec does not know, with their values as
/// received: what a newer server added. `None` in a struct's `extra` field when there are none.
///
/// Encoding writes them back after the known fields, so an object re-encodes with the same keys
/// and values (JSON numbers as `serde_json` keeps them: 64-bit integers and `f64`).
///
/// ```
/// use telegram_types::{json, Chat};
///
/// let mut body = br#"{"id":1,"type":"private","future_field":{"a":[1,2]}}"#.to_vec();
/// let chat: Chat = json::from_slice(&mut body)?;
/// let extra = chat.extra.as_deref().expect("one unknown key");
/// assert_eq!(extra["future_field"]["a"][1], 2);
/// let encoded = json::to_vec(&chat)?;
/// assert_eq!(encoded, br#"{"id":1,"type":"private","future_field":{"a":[1,2]}}"#);
/// # Ok::<(), json::Error>(())
/// ```
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// The keys of one struct, told apart by name. Implemented by generated code, whose key enums
/// are one byte: the name of a key they do not know goes to the seed's slot, not into the key
/// (a key carrying a `String` made every key of every object cost a 24-byte value).
pub(crate) trait ObjectKey: Sized {
    /// The key called `name`; a name the struct does not know has a variant of its own.
    fn of(name: &str) -> Self;

    /// Whether this is that variant.
    fn is_unknown(&self) -> bool;
}

/// Reads one key of an object as `K`, borrowing the name instead of allocating it; only an
/// unknown key's name is copied, into `unknown`.
pub(crate) struct KeySeed<'a, K> {
    unknown: &'a mut String,
    key: PhantomData<K>,
}

impl<'a, K> KeySeed<'a, K> {
    pub(crate) fn new(unknown: &'a mut String) -> Self {
        KeySeed {
            unknown,
            key: PhantomData,
        }
    }
}

impl<'de, K: ObjectKey> DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = K;

    // Inlined into each visitor's key loop, as serde's derive inlines its field visitor.
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<K: ObjectKey> Visitor<'_> for KeySeed<'_, K> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, name: &str) -> Result<K, E> {
        let key = K::of(name);
        if key.is_unknown() {
            name.clone_into(self.unknown);
        }
        Ok(key)
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<K, E> {
        // No key of ours is invalid UTF-8, so such a name is unknown; kept as close as it gets.
        self.visit_str(&String::from_utf8_lossy(name))
    }
}

/// Keeps the unknown key `name` and its value in `extra`, created on the first one.
pub(crate) fn keep(extra: &mut Option<Box<Extra>>, name: String, value: serde_json::Value) {
    extra.get_or_insert_with(Box::default).insert(name, value);
}

/// Writes the kept unknown keys after the known fields (hand-written `Serialize` impls; derived
/// ones flatten the `extra` field instead).
pub(crate) fn serialize_extra<M: SerializeMap>(
    map: &mut M,
    extra: &Option<Box<Extra>>,
) -> Result<(), M::Error> {
    for (name, value) in extra.iter().flat_map(|extra| extra.iter()) {
        map.serialize_entry(name, value)?;
    }
    Ok(())
}

/// The group in `slot`, created empty on first use.
pub(crate) fn group_mut<T: Default>(slot: &mut Option<Box<T>>) -> &mut T {
    slot.get_or_insert_with(Box::default)
}

/// A required field's value, or serde's "missing field" error naming `key`.
pub(crate) fn required<T, E: de::Error>(value: Option<T>, key: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(key))
}
