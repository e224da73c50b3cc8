//! What the limiter needs to know about a call, read from the typed payload: its chat
//! (`chat_id`) and whether it is a paid broadcast (`allow_paid_broadcast`).
//!
//! Every payload is a `Serialize` struct, so a serializer that looks at those two fields and
//! skips the others reads them from any method without encoding anything: no JSON, no
//! allocation but a `@username`'s copy. It costs a pass over the field list.

use std::fmt;

use serde::ser::{self, Impossible, Serialize, SerializeStruct, Serializer};
use telegram_types::{Method, Recipient};

/// The chat and class of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallTarget {
    /// The API method.
    pub(crate) method: &'static str,
    /// `chat_id`, when the method has one and it is set.
    pub(crate) chat: Option<Recipient>,
    /// `allow_paid_broadcast: true`.
    pub(crate) paid: bool,
}

impl CallTarget {
    /// Reads the target of `payload`.
    pub(crate) fn of<P: Method>(payload: &P) -> Self {
        let fields = payload.serialize(PayloadProbe).unwrap_or_default();
        CallTarget {
            method: P::NAME,
            chat: fields.chat,
            paid: fields.paid,
        }
    }
}

/// The fields read from a payload.
#[derive(Debug, Default)]
struct Fields {
    chat: Option<Recipient>,
    paid: bool,
}

/// Any shape the probe does not read; the payload is then taken as having no chat.
#[derive(Debug)]
struct NotProbed;

impl fmt::Display for NotProbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a payload field the limiter reads")
    }
}

impl std::error::Error for NotProbed {}

impl ser::Error for NotProbed {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotProbed
    }
}

/// Serializers that accept only what their `Ok` can hold refuse everything else alike.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, NotProbed> { Err(NotProbed) })*
    };
}

/// Refuses compound shapes a payload field never needs to be read from.
macro_rules! refuse_compounds {
    () => {
        type SerializeSeq = Impossible<Self::Ok, NotProbed>;
        type SerializeTuple = Impossible<Self::Ok, NotProbed>;
        type SerializeTupleStruct = Impossible<Self::Ok, NotProbed>;
        type SerializeTupleVariant = Impossible<Self::Ok, NotProbed>;
        type SerializeMap = Impossible<Self::Ok, NotProbed>;
        type SerializeStructVariant = Impossible<Self::Ok, NotProbed>;

        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotProbed> {
            Err(NotProbed)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotProbed> {
            Err(NotProbed)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, NotProbed> {
            Err(NotProbed)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, NotProbed> {
            Err(NotProbed)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotProbed> {
            Err(NotProbed)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, NotProbed> {
            Err(NotProbed)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, NotProbed> {
            Err(NotProbed)
        }
        refuse!(
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_bytes(&[u8]),
            serialize_unit(),
            serialize_unit_variant(&'static str, u32, &'static str),
        );
    };
}

/// Serializes a payload struct into the [`Fields`] the limiter reads.
struct PayloadProbe;

impl Serializer for PayloadProbe {
    type Ok = Fields;
    type Error = NotProbed;
    type SerializeStruct = FieldProbe;

    refuse_compounds!();
    refuse!(
        serialize_bool(bool),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_str(&str),
        serialize_none(),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Fields, NotProbed> {
        Err(NotProbed)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<Fields, NotProbed> {
        Ok(Fields::default())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Fields, NotProbed> {
        value.serialize(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<FieldProbe, NotProbed> {
        Ok(FieldProbe(Fields::default()))
    }
}

/// Reads `chat_id` and `allow_paid_broadcast`; never serializes the other fields.
struct FieldProbe(Fields);

impl SerializeStruct for FieldProbe {
    type Ok = Fields;
    type Error = NotProbed;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotProbed> {
        match key {
            "chat_id" => {
                self.0.chat = match value.serialize(ScalarProbe) {
                    Ok(Scalar::Int(id)) => Some(Recipient::Id(id)),
                    Ok(Scalar::Str(name)) => Some(Recipient::Username(name)),
                    _ => None,
                };
            }
            "allow_paid_broadcast" => {
                self.0.paid = matches!(value.serialize(ScalarProbe), Ok(Scalar::Bool(true)));
            }
            _ => {}
        }
        Ok(())
    }

    fn end(self) -> Result<Fields, NotProbed> {
        Ok(self.0)
    }
}

/// A field value the probe reads.
enum Scalar {
    Int(i64),
    Str(String),
    Bool(bool),
    Absent,
}

/// Serializes an integer, string or boolean (possibly optional) into a [`Scalar`].
struct ScalarProbe;

impl Serializer for ScalarProbe {
    type Ok = Scalar;
    type Error = NotProbed;
    type SerializeStruct = Impossible<Scalar, NotProbed>;

    refuse_compounds!();

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotProbed> {
        Err(NotProbed)
    }

    fn serialize_bool(self, v: bool) -> Result<Scalar, NotProbed> {
        Ok(Scalar::Bool(v))
    }

    fn serialize_i32(self, v: i32) -> Result<Scalar, NotProbed> {
        Ok(Scalar::Int(v.into()))
    }

    fn serialize_i64(self, v: i64) -> Result<Scalar, NotProbed> {
        Ok(Scalar::Int(v))
    }

    fn serialize_u32(self, v: u32) -> Result<Scalar, NotProbed> {
        Ok(Scalar::Int(v.into()))
    }

    fn serialize_u64(self, v: u64) -> Result<Scalar, NotProbed> {
        i64::try_from(v).map(Scalar::Int).map_err(|_| NotProbed)
    }

    fn serialize_str(self, v: &str) -> Result<Scalar, NotProbed> {
        // Telegram takes ids written as strings too.
        Ok(v.parse()
            .map_or_else(|_| Scalar::Str(v.to_owned()), Scalar::Int))
    }

    fn serialize_none(self) -> Result<Scalar, NotProbed> {
        Ok(Scalar::Absent)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Scalar, NotProbed> {
        value.serialize(self)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<Scalar, NotProbed> {
        Err(NotProbed)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Scalar, NotProbed> {
        value.serialize(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telegram_types::methods::{
        AnswerCallbackQuery, EditMessageText, GetMe, SendMessage, SendMessageDraft,
    };

    #[test]
    fn chat_and_paid_flag_are_read_from_typed_payloads() {
        let target = CallTarget::of(&SendMessage::new(-10042, "hi").allow_paid_broadcast(true));
        assert_eq!(target.chat, Some(Recipient::Id(-10042)));
        assert!(target.paid);
        assert_eq!(target.method, "sendMessage");

        let by_name = CallTarget::of(&SendMessage::new("@news", "hi"));
        assert_eq!(by_name.chat, Some(Recipient::Username("@news".into())));
        assert!(!by_name.paid);
    }

    #[test]
    fn calls_without_a_chat_have_none() {
        assert_eq!(CallTarget::of(&GetMe::new()).chat, None);
        assert_eq!(CallTarget::of(&AnswerCallbackQuery::new("q")).chat, None);
        // An inline message's edit names no chat.
        assert_eq!(
            CallTarget::of(&EditMessageText::new().text("x").inline_message_id("abc")).chat,
            None
        );
        assert_eq!(
            CallTarget::of(&EditMessageText::new().text("x").chat_id(7).message_id(1)).chat,
            Some(Recipient::Id(7))
        );
    }

    #[test]
    fn integer_chat_ids_are_read_too() {
        assert_eq!(
            CallTarget::of(&SendMessageDraft::new(5, 1)).chat,
            Some(Recipient::Id(5))
        );
    }
}
