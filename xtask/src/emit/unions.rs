//! Union types: an enum per union, told apart by tag or by keys, always with an `Unknown`
//! variant that keeps the raw JSON of what this version does not know.

use std::collections::BTreeSet;

use super::crate_uses;
use crate::model::{Discriminant, Model, Ty, Union, Variant};
use crate::names::{doc_comment, literal};

/// The source file of one union.
pub(super) fn emit(u: &Union, model: &Model) -> String {
    let mut names: BTreeSet<String> = u.variants.iter().map(|v| v.type_name.clone()).collect();
    let accessors = common_fields(u, model);
    for (_, ty, _) in &accessors {
        ty.names(&mut names);
    }
    let mut out = format!("//! The `{}` union.\n\n", u.name);
    out.push_str("use serde::{Deserialize, Deserializer, Serialize, Serializer};\n");
    out.push_str(&crate_uses(&names, &u.name));
    out.push('\n');
    out.push_str(&enum_def(u, model));
    out.push_str(&accessor_impl(u, &accessors));
    out.push_str(&serialize_impl(u));
    out.push_str(&deserialize_impl(u));
    for v in &u.variants {
        out.push_str(&format!(
            "\nimpl From<{t}> for {u} {{\n    fn from(value: {t}) -> Self {{\n        Self::{v}(value)\n    }}\n}}\n",
            t = v.type_name,
            u = u.name,
            v = v.rust
        ));
    }
    out
}

fn enum_def(u: &Union, model: &Model) -> String {
    let mut out = doc_comment(&u.doc, "");
    out.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    out.push_str(&format!("pub enum {} {{\n", u.name));
    if u.text_and_array {
        out.push_str("    /// Plain text.\n    Plain(String),\n");
        out.push_str(&format!(
            "    /// A concatenation of rich texts.\n    Concat(Vec<{}>),\n",
            u.name
        ));
    }
    for v in &u.variants {
        let doc = model
            .structs
            .iter()
            .find(|s| s.name == v.type_name)
            .and_then(|s| s.doc.first().cloned())
            .unwrap_or_else(|| format!("A `{}`.", v.type_name));
        out.push_str(&doc_comment(&[doc], "    "));
        out.push_str(&format!("    {}({}),\n", v.rust, v.type_name));
    }
    out.push_str(
        "    /// A variant this version of the library does not know, kept as the JSON object received.\n    Unknown(serde_json::Value),\n}\n",
    );
    out
}

/// Required fields every variant has with the same type: (json, type, rust name).
fn common_fields(u: &Union, model: &Model) -> Vec<(String, crate::model::Ty, String)> {
    let structs: Vec<_> = u
        .variants
        .iter()
        .filter_map(|v| model.structs.iter().find(|s| s.name == v.type_name))
        .collect();
    if structs.len() != u.variants.len() || structs.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for f in structs[0].fields.iter().filter(|f| f.required && !f.boxed) {
        let everywhere = structs[1..].iter().all(|s| {
            s.fields
                .iter()
                .any(|g| g.json == f.json && g.required && !g.boxed && g.ty == f.ty)
        });
        if everywhere {
            out.push((f.json.clone(), f.ty.clone(), f.rust.clone()));
        }
    }
    out
}

fn accessor_impl(u: &Union, accessors: &[(String, crate::model::Ty, String)]) -> String {
    if accessors.is_empty() {
        return String::new();
    }
    let mut out = format!("\nimpl {} {{\n", u.name);
    for (json, ty, rust) in accessors {
        let (ret, read) = match ty {
            Ty::Int | Ty::Float | Ty::Bool => (ty.rust(), format!("v.{rust}")),
            Ty::Str => ("&str".to_string(), format!("v.{rust}.as_str()")),
            _ => (format!("&{}", ty.rust()), format!("&v.{rust}")),
        };
        out.push_str(&format!(
            "    /// The `{json}` field, which every known variant has; `None` for [`Self::Unknown`].\n    pub fn {rust}(&self) -> Option<{ret}> {{\n        match self {{\n"
        ));
        for v in u.variants.iter() {
            out.push_str(&format!(
                "            Self::{}(v) => Some({read}),\n",
                v.rust
            ));
        }
        if u.text_and_array {
            out.push_str("            Self::Plain(_) | Self::Concat(_) => None,\n");
        }
        out.push_str("            Self::Unknown(_) => None,\n        }\n    }\n");
    }
    out.push_str("}\n");
    out
}

fn serialize_impl(u: &Union) -> String {
    let mut out = format!(
        "\nimpl Serialize for {} {{\n    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n        match self {{\n",
        u.name
    );
    if u.text_and_array {
        out.push_str("            Self::Plain(text) => text.serialize(serializer),\n");
        out.push_str("            Self::Concat(parts) => parts.serialize(serializer),\n");
    }
    for v in &u.variants {
        out.push_str(&format!(
            "            Self::{}(value) => value.serialize(serializer),\n",
            v.rust
        ));
    }
    out.push_str(
        "            Self::Unknown(raw) => raw.serialize(serializer),\n        }\n    }\n}\n",
    );
    out
}

fn deserialize_impl(u: &Union) -> String {
    match &u.discriminant {
        Discriminant::Tag {
            key,
            ambiguous: false,
        } => tagged(u, key),
        Discriminant::Tag {
            key,
            ambiguous: true,
        } => keyed(u, Some(key)),
        Discriminant::Keys => keyed(u, None),
    }
}

/// Streams the object: the tag picks the variant, which reads the rest of the object directly.
fn tagged(u: &Union, key: &str) -> String {
    let entry = if u.text_and_array {
        "deserialize_text_union"
    } else {
        "deserialize_tagged"
    };
    let mut out = format!(
        "\nimpl<'de> Deserialize<'de> for {name} {{\n    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        crate::serde_support::{entry}(deserializer)\n    }}\n}}\n",
        name = u.name
    );
    out.push_str(&format!(
        "\nimpl crate::serde_support::TaggedUnion for {} {{\n    const NAME: &'static str = {};\n    const TAG: &'static str = {};\n\n",
        u.name,
        literal(&u.name),
        literal(key)
    ));
    let tags: Vec<String> = u
        .variants
        .iter()
        .map(|v| literal(v.tag.as_deref().unwrap_or_default()))
        .collect();
    out.push_str(&format!(
        "    fn is_known(tag: &str) -> bool {{\n        matches!(tag, {})\n    }}\n\n",
        tags.join(" | ")
    ));
    out.push_str(
        "    fn deserialize_known<'de, D: Deserializer<'de>>(tag: &str, rest: D) -> Result<Self, D::Error> {\n        match tag {\n",
    );
    for v in &u.variants {
        out.push_str(&format!(
            "            {} => {}::deserialize(rest).map(Self::{}),\n",
            literal(v.tag.as_deref().unwrap_or_default()),
            v.type_name,
            v.rust
        ));
    }
    out.push_str(&format!(
        "            other => Err(serde::de::Error::unknown_variant(other, &[{}])),\n        }}\n    }}\n\n",
        tags.join(", ")
    ));
    out.push_str(
        "    fn unknown(raw: serde_json::Value) -> Self {\n        Self::Unknown(raw)\n    }\n",
    );
    if u.text_and_array {
        out.push_str(&format!(
            "\n    fn plain(text: String) -> Self {{\n        Self::Plain(text)\n    }}\n\n    fn concat(parts: Vec<{}>) -> Self {{\n        Self::Concat(parts)\n    }}\n",
            u.name
        ));
    }
    out.push_str("}\n");
    out
}

/// Buffers the object, then picks the first variant whose tag (if any) and required keys match.
fn keyed(u: &Union, tag_key: Option<&str>) -> String {
    let mut out = format!(
        "\nimpl<'de> Deserialize<'de> for {name} {{\n    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        crate::serde_support::deserialize_by_keys(deserializer)\n    }}\n}}\n",
        name = u.name
    );
    out.push_str(&format!(
        "\nimpl crate::serde_support::KeyedUnion for {} {{\n    fn from_object(object: serde_json::Map<String, serde_json::Value>) -> Result<Self, serde_json::Error> {{\n",
        u.name
    ));
    if let Some(key) = tag_key {
        out.push_str(&format!(
            "        let tag = object.get({}).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();\n",
            literal(key)
        ));
    }
    for v in &u.variants {
        out.push_str(&format!(
            "        if {} {{\n",
            condition(v, tag_key.is_some())
        ));
        out.push_str(&format!(
            "            return serde_json::from_value(serde_json::Value::Object(object)).map(Self::{});\n        }}\n",
            v.rust
        ));
    }
    out.push_str("        Ok(Self::Unknown(serde_json::Value::Object(object)))\n    }\n}\n");
    out
}

fn condition(v: &Variant, tagged: bool) -> String {
    let keys: Vec<String> = v.required_keys.iter().map(|k| literal(k)).collect();
    let has_keys = format!(
        "crate::serde_support::has_keys(&object, &[{}])",
        keys.join(", ")
    );
    match (&v.tag, tagged) {
        (Some(tag), true) => format!("tag == {} && {has_keys}", literal(tag)),
        _ => has_keys,
    }
}
