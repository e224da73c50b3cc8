//! String-constant enums: each known value a variant, anything else `Other(String)`, so a value
//! Telegram adds later still decodes.

use crate::model::StringEnum;
use crate::names::{camel, literal};

/// The source of `generated/enums.rs`.
pub(super) fn emit(enums: &[StringEnum]) -> String {
    let mut out = String::from("//! String-constant enums of the Bot API.\n\nuse serde::{Deserialize, Deserializer, Serialize, Serializer};\n");
    for e in enums {
        out.push_str(&emit_one(e));
    }
    out
}

fn variant(value: &str) -> String {
    camel(value)
}

fn emit_one(e: &StringEnum) -> String {
    let mut out = format!(
        "\n/// {}\n#[derive(Debug, Clone, PartialEq, Eq, Hash)]\npub enum {} {{\n",
        e.doc, e.name
    );
    for v in &e.values {
        out.push_str(&format!("    /// `{v}`.\n    {},\n", variant(v)));
    }
    out.push_str(
        "    /// A value this version of the library does not know.\n    Other(String),\n}\n",
    );

    out.push_str(&format!(
        "\nimpl {} {{\n    /// Every value this version knows, in the spec's order.\n    pub const ALL: &'static [{}] = &[{}];\n\n",
        e.name,
        e.name,
        e.values.iter().map(|v| format!("Self::{}", variant(v))).collect::<Vec<_>>().join(", ")
    ));
    out.push_str("    /// The value as Telegram writes it.\n    pub fn as_str(&self) -> &str {\n        match self {\n");
    for v in &e.values {
        out.push_str(&format!(
            "            Self::{} => {},\n",
            variant(v),
            literal(v)
        ));
    }
    out.push_str("            Self::Other(other) => other,\n        }\n    }\n\n");
    out.push_str("    /// The value for Telegram's string; unknown strings become `Other`.\n    pub fn from_api(value: &str) -> Self {\n        match value {\n");
    for v in &e.values {
        out.push_str(&format!(
            "            {} => Self::{},\n",
            literal(v),
            variant(v)
        ));
    }
    out.push_str("            other => Self::Other(other.to_owned()),\n        }\n    }\n}\n");

    out.push_str(&format!(
        "\nimpl From<&str> for {} {{\n    fn from(value: &str) -> Self {{\n        Self::from_api(value)\n    }}\n}}\n",
        e.name
    ));

    out.push_str(&format!(
        "\nimpl std::fmt::Display for {} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.write_str(self.as_str())\n    }}\n}}\n",
        e.name
    ));
    out.push_str(&format!(
        "\nimpl Serialize for {} {{\n    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n        serializer.serialize_str(self.as_str())\n    }}\n}}\n",
        e.name
    ));
    out.push_str(&format!(
        "\nimpl<'de> Deserialize<'de> for {} {{\n    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        crate::serde_support::deserialize_str_with(deserializer, Self::from_api)\n    }}\n}}\n",
        e.name
    ));
    out
}
