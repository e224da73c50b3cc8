//! The Bot API spec as `api.json` lays it out (see `shared/bot-api/README.md`).
//!
//! Only the shape is modelled here; what the shapes mean for Rust is `model.rs`'s job.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The whole spec file.
#[derive(Debug, Deserialize)]
pub struct Spec {
    /// `"Bot API 10.3"`.
    pub version: String,
    /// Types, in documentation order.
    pub types: Ordered<TypeDef>,
    /// Methods, in documentation order.
    pub methods: Ordered<MethodDef>,
}

/// One entry of `types`.
#[derive(Debug, Deserialize)]
pub struct TypeDef {
    /// The type's name, e.g. `Message`.
    pub name: String,
    /// Paragraphs of documentation; absent on at least one type.
    #[serde(default)]
    pub description: Vec<String>,
    /// Fields; absent on unions and empty types.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// Variants, when this type is a union.
    #[serde(default)]
    pub subtypes: Vec<String>,
    /// Unions this type is a variant of.
    #[serde(default)]
    pub subtype_of: Vec<String>,
}

/// One entry of `methods`.
#[derive(Debug, Deserialize)]
pub struct MethodDef {
    /// The method's name, e.g. `sendMessage`.
    pub name: String,
    /// Paragraphs of documentation.
    #[serde(default)]
    pub description: Vec<String>,
    /// Alternatives of the return type.
    pub returns: Vec<String>,
    /// Parameters; absent when there are none.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

/// A field of a type or a parameter of a method.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldDef {
    /// The JSON key.
    pub name: String,
    /// Alternatives of the field's type (`["Integer", "String"]`).
    pub types: Vec<String>,
    /// Whether the field is always present.
    pub required: bool,
    /// Documentation.
    #[serde(default)]
    pub description: String,
}

/// A JSON object read into a `Vec`, keeping the file's key order (serde_json's `Map` would sort it).
#[derive(Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for OrderedVisitor<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}

impl Spec {
    /// Reads and parses a spec file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read spec {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("cannot parse spec {}: {e}", path.display()))
    }

    /// Looks a type up by name.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.0.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}
