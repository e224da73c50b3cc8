//! Deserialization machinery the generated unions and enums share: tag dispatch that streams the
//! object straight into its variant, key-based discrimination for untagged unions, and the
//! `Unknown` fallbacks that keep whatever this version does not know.
//!
//! Why not `#[serde(tag = "...")]` or `#[serde(untagged)]`: both buffer the whole object through
//! serde's private `Content` type and (untagged) try every variant in turn. Here a tag found first
//! costs nothing: the variant reads the rest of the object directly from the input.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A union told apart by a tag key (`type`, `status`, `source`). Implemented by generated code.
pub(crate) trait TaggedUnion: Sized {
    /// The union's name, for error messages.
    const NAME: &'static str;
    /// The tag key.
    const TAG: &'static str;

    /// Whether `tag` names a variant this version knows.
    fn is_known(tag: &str) -> bool;

    /// Reads the variant `tag` from the rest of the object (the tag itself already consumed).
    fn deserialize_known<'de, D: Deserializer<'de>>(tag: &str, rest: D) -> Result<Self, D::Error>;

    /// The fallback for an unknown tag: the whole object, as received.
    fn unknown(raw: Value) -> Self;

    /// A plain-string member (text unions only).
    fn plain(text: String) -> Self {
        Self::unknown(Value::String(text))
    }

    /// An array-of-itself member (text unions only).
    fn concat(parts: Vec<Self>) -> Self {
        let _ = parts;
        Self::unknown(Value::Array(Vec::new()))
    }
}

/// A union with no tag (or with repeated tags): the generated `from_object` checks which
/// variant's required keys are present. Implemented by generated code.
pub(crate) trait KeyedUnion: Sized {
    /// Picks and decodes the variant; an object no variant fits becomes `Unknown`.
    fn from_object(object: Map<String, Value>) -> Result<Self, serde_json::Error>;
}

/// Deserializes a tagged union from an object.
pub(crate) fn deserialize_tagged<'de, T: TaggedUnion, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor::<T>(PhantomData))
}

/// Deserializes a text union (`RichText`): a string, an array of itself, or a tagged object.
pub(crate) fn deserialize_text_union<
    'de,
    T: TaggedUnion + Deserialize<'de>,
    D: Deserializer<'de>,
>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(TextVisitor::<T>(PhantomData))
}

/// Deserializes a keyed union: buffers the object, then lets the variant's keys decide.
pub(crate) fn deserialize_by_keys<'de, T: KeyedUnion, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let object = Map::<String, Value>::deserialize(deserializer)?;
    T::from_object(object).map_err(de::Error::custom)
}

/// Whether every key is present.
pub(crate) fn has_keys(object: &Map<String, Value>, keys: &[&str]) -> bool {
    keys.iter().all(|k| object.contains_key(*k))
}

/// `skip_serializing_if` for "True, if …" flags: absent means false.
pub(crate) fn is_false(flag: &bool) -> bool {
    !*flag
}

/// Deserializes a string through `convert` without an intermediate `String` when the input
/// lends the text.
pub(crate) fn deserialize_str_with<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    convert: fn(&str) -> T,
) -> Result<T, D::Error> {
    struct StrVisitor<T>(fn(&str) -> T);
    impl<T> Visitor<'_> for StrVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.0)(v))
        }
    }
    deserializer.deserialize_str(StrVisitor(convert))
}

/// An object key or a short string, borrowed from the input when the input allows it.
#[derive(Debug)]
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<'de, T: TaggedUnion> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        visit_tagged_map(map)
    }
}

/// Reads keys until the tag; keys before it are buffered (Telegram usually writes the tag first,
/// so the buffer is usually empty), the rest streams into the variant.
fn visit_tagged_map<'de, T: TaggedUnion, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut before: Vec<(String, Value)> = Vec::new();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        if key.0 != T::TAG {
            let value: Value = map.next_value()?;
            before.push((key.0.into_owned(), value));
            continue;
        }
        let tag = map.next_value::<Key<'de>>()?.0;
        if T::is_known(&tag) {
            let rest = ChainedMap {
                before: before.into_iter(),
                pending: None,
                rest: map,
            };
            return T::deserialize_known(&tag, rest);
        }
        let mut object: Map<String, Value> = before.into_iter().collect();
        object.insert(T::TAG.to_owned(), Value::String(tag.into_owned()));
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            object.insert(k, v);
        }
        return Ok(T::unknown(Value::Object(object)));
    }
    // No tag at all: malformed, but kept rather than lost.
    Ok(T::unknown(Value::Object(before.into_iter().collect())))
}

struct TextVisitor<T>(PhantomData<T>);

impl<'de, T: TaggedUnion + Deserialize<'de>> Visitor<'de> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string, an array or a {} object", T::NAME)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::plain(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        Ok(T::plain(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut parts = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(part) = seq.next_element::<T>()? {
            parts.push(part);
        }
        Ok(T::concat(parts))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        visit_tagged_map(map)
    }
}

/// The keys read before the tag, then the rest of the live object: what a variant reads.
struct ChainedMap<A> {
    before: std::vec::IntoIter<(String, Value)>,
    pending: Option<Value>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for ChainedMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.before.next() {
            Some((key, value)) => {
                self.pending = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(value) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.rest.next_value_seed(seed),
        }
    }
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for ChainedMap<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}
