//! Decoding a struct whose rare fields live in one boxed group (`Message` and its
//! `MessageService`). The generated `Deserialize` reads each key once, straight into the owner's
//! field or into the group, and creates the group only when one of its keys carries a value.
//!
//! `#[serde(flatten)]` would do neither: it buffers every key the owner does not know through
//! serde's `Content` and always creates the group, so the generated impls use these helpers.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// The keys of one struct, told apart by name. Implemented by generated code.
pub(crate) trait ObjectKey: Sized {
    /// The key called `name`; a name the struct does not know has a variant of its own.
    fn of(name: &str) -> Self;
}

/// Reads one key of an object as `K`, borrowing the name instead of allocating it.
pub(crate) struct KeySeed<K>(PhantomData<K>);

impl<K> KeySeed<K> {
    pub(crate) fn new() -> Self {
        KeySeed(PhantomData)
    }
}

impl<'de, K: ObjectKey> DeserializeSeed<'de> for KeySeed<K> {
    type Value = K;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<K: ObjectKey> Visitor<'_> for KeySeed<K> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<K, E> {
        Ok(K::of(name))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<K, E> {
        // No key of ours is invalid UTF-8, so such a name is simply unknown.
        Ok(K::of(std::str::from_utf8(name).unwrap_or_default()))
    }
}

/// The group in `slot`, created empty on first use.
pub(crate) fn group_mut<T: Default>(slot: &mut Option<Box<T>>) -> &mut T {
    slot.get_or_insert_with(Box::default)
}

/// A required field's value, or serde's "missing field" error naming `key`.
pub(crate) fn required<T, E: de::Error>(value: Option<T>, key: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(key))
}
