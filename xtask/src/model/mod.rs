//! What the spec means in Rust: the type of every field, which types are unions and how each
//! union is told apart, which string fields are enums, and which fields are boxed.
//!
//! The emitters (`emit/`) only print what this module decided. `config.rs` holds the few
//! decisions the spec cannot express (string enums, unnamed unions, hand-written types);
//! `builder.rs` derives everything else from the spec.

mod builder;
mod config;

use std::collections::BTreeSet;

/// The Rust type of a field, before optionality and boxing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
    /// `String`.
    Str,
    /// A chat id or `@username`: `Recipient`.
    Recipient,
    /// A file to send: `InputFile`.
    InputFile,
    /// A generated or hand-written type (struct, union, string enum).
    Named(String),
    /// `Vec<T>`.
    Vec(Box<Ty>),
}

impl Ty {
    /// The Rust spelling.
    pub fn rust(&self) -> String {
        match self {
            Ty::Int => "i64".into(),
            Ty::Float => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "String".into(),
            Ty::Recipient => "Recipient".into(),
            Ty::InputFile => "InputFile".into(),
            Ty::Named(n) => n.clone(),
            Ty::Vec(t) => format!("Vec<{}>", t.rust()),
        }
    }

    /// Names this type refers to (for `use` lines).
    pub fn names(&self, out: &mut BTreeSet<String>) {
        match self {
            Ty::Recipient => {
                out.insert("Recipient".into());
            }
            Ty::InputFile => {
                out.insert("InputFile".into());
            }
            Ty::Named(n) => {
                out.insert(n.clone());
            }
            Ty::Vec(t) => t.names(out),
            _ => {}
        }
    }

    /// The named object type at the root, if this is one (not through a `Vec`).
    pub fn object(&self) -> Option<&str> {
        match self {
            Ty::Named(n) => Some(n),
            _ => None,
        }
    }
}

/// How a field is stored.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON key.
    pub json: String,
    /// Rust field name.
    pub rust: String,
    /// The value type.
    pub ty: Ty,
    /// Always present.
    pub required: bool,
    /// Stored behind a `Box` (rare or recursive objects).
    pub boxed: bool,
    /// An optional "True, if …" flag stored as a plain `bool` (absent = false).
    pub flag: bool,
    /// Documentation.
    pub doc: String,
}

impl Field {
    /// The value of the field when the JSON leaves it out: `false` for a flag, `None` for any
    /// other optional field. Required fields have none.
    pub fn absent(&self) -> Option<&'static str> {
        match (self.required, self.flag) {
            (true, _) => None,
            (false, true) => Some("false"),
            (false, false) => Some("None"),
        }
    }

    /// Whether decoding takes an absent value as empty although the spec marks the field
    /// required: a required `Boolean` reads as `false` and a required array as empty.
    ///
    /// Why: Telegram adds required booleans and lists to existing objects in new Bot API
    /// versions (`ChatMemberAdministrator.can_send_welcome_messages`, 10.2). A server, a stored
    /// update or a recorded corpus that predates the field leaves it out, and a strict decode
    /// would turn the whole update malformed. `false` and "none" are what an older server
    /// means by leaving such a field out. Encoding is unchanged: the field is always written.
    /// Numbers, strings and objects stay strict: no empty value of theirs means "not there".
    pub fn empty_when_absent(&self) -> bool {
        self.required && !self.boxed && matches!(self.ty, Ty::Bool | Ty::Vec(_))
    }

    /// The full Rust type of the struct field.
    pub fn rust_type(&self) -> String {
        let inner = if self.boxed {
            format!("Box<{}>", self.ty.rust())
        } else {
            self.ty.rust()
        };
        if self.flag || self.required {
            inner
        } else {
            format!("Option<{inner}>")
        }
    }
}

/// How the variants of a union are told apart.
#[derive(Debug, Clone)]
pub enum Discriminant {
    /// By a tag key (`type`, `status`, `source`); tags may repeat (InlineQueryResult), in which
    /// case the variant's required keys decide.
    Tag {
        /// The tag key.
        key: String,
        /// Whether two variants share a tag.
        ambiguous: bool,
    },
    /// No tag: the first variant (most required keys first) whose required keys are all present.
    Keys,
}

/// A variant of a union.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub rust: String,
    /// The struct it holds.
    pub type_name: String,
    /// Tag value, for tagged unions.
    pub tag: Option<String>,
    /// Required JSON keys of the variant, less the tag.
    pub required_keys: Vec<String>,
}

/// A union type.
#[derive(Debug, Clone)]
pub struct Union {
    /// Rust name.
    pub name: String,
    /// Documentation paragraphs.
    pub doc: Vec<String>,
    /// How variants are told apart.
    pub discriminant: Discriminant,
    /// Object variants.
    pub variants: Vec<Variant>,
    /// RichText-style: a plain string and an array of itself are variants too.
    pub text_and_array: bool,
}

/// A struct type.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Rust name.
    pub name: String,
    /// Documentation paragraphs.
    pub doc: Vec<String>,
    /// Fields, in spec order (the tag field of a tagged-union variant is left out).
    pub fields: Vec<Field>,
    /// For a variant of a tagged union: its tag key and value, written on serialize.
    pub tag: Option<(String, String)>,
    /// Rare fields moved behind one `Box`, if this struct has such a group.
    pub group: Option<Box<Group>>,
}

/// Rare fields of a large struct, moved into a struct of their own that the owner holds as an
/// `Option<Box<_>>`: absent fields then cost the owner 8 bytes in all instead of 8 to 24 each.
#[derive(Debug, Clone)]
pub struct Group {
    /// The owner's field that holds the group, `service`.
    pub field: String,
    /// Documentation of that field.
    pub field_doc: String,
    /// The group's own struct; every field is optional.
    pub body: Struct,
}

/// A string-constant enum.
#[derive(Debug, Clone)]
pub struct StringEnum {
    /// Rust name.
    pub name: String,
    /// Documentation.
    pub doc: String,
    /// The JSON values.
    pub values: Vec<String>,
}

/// A method payload.
#[derive(Debug, Clone)]
pub struct Method {
    /// API name, `sendMessage`.
    pub api_name: String,
    /// Payload type, `SendMessage`.
    pub name: String,
    /// Documentation paragraphs.
    pub doc: Vec<String>,
    /// Parameters.
    pub params: Vec<Field>,
    /// The `Method::Output` type.
    pub output: String,
    /// Names the output type refers to.
    pub output_names: BTreeSet<String>,
    /// Repeated by default after a 5xx or a connection failure (`config::SAFE_TO_REPEAT_VERBS`).
    pub safe_to_repeat: bool,
}

/// A kind of update: one optional field of `Update`.
#[derive(Debug, Clone)]
pub struct UpdateKind {
    /// JSON key, `message`.
    pub json: String,
    /// Variant name, `Message`.
    pub rust: String,
    /// Payload type.
    pub payload: String,
    /// Documentation.
    pub doc: String,
}

/// Everything the emitters print.
#[derive(Debug)]
pub struct Model {
    /// `"Bot API 10.3"`.
    pub version: String,
    /// Struct types by name.
    pub structs: Vec<Struct>,
    /// Union types by name.
    pub unions: Vec<Union>,
    /// String enums.
    pub string_enums: Vec<StringEnum>,
    /// Method payloads.
    pub methods: Vec<Method>,
    /// Update kinds, in spec order.
    pub update_kinds: Vec<UpdateKind>,
}
