//! The `Deserialize` impl of every struct, written out instead of derived: serde's derive drops
//! the keys a struct does not know, and its one way to keep them (`#[serde(flatten)]` into a
//! map) buffers every unknown key through serde's private `Content` type. The impl printed here
//! reads each key once, straight into its field, and moves an unknown key's value into the
//! struct's `extra` map (`telegram_types::Extra`); a known key costs what it cost under the
//! derive. The runtime side is `crates/telegram-types/src/object.rs`.
//!
//! Per struct: a one-byte key enum (`UserKey`, with `Unknown` for a name it does not know, the
//! name itself left in a slot of the visitor), its `ObjectKey` impl, and a visitor whose `visit_map` holds one local per field. A variant of a
//! tagged union knows its tag key too (read and dropped: the union already chose the variant,
//! and encoding writes the tag again). A struct with a [`Group`] fills the group's fields in
//! its boxed group, created on the first one present.

use crate::model::{Field, Group, Struct};
use crate::names::{camel, literal};

/// `use` lines a struct file needs for its `Deserialize` impl, besides `serde::{Deserialize,
/// Deserializer}` and `std::fmt`.
pub(super) const USES: &str =
    "use serde::de::{MapAccess, Visitor};\nuse crate::object::{KeySeed, ObjectKey};\n";

/// The name of the struct field that keeps unknown keys.
pub(super) const EXTRA: &str = "extra";

/// The `extra` field's declaration; `attrs` are its serde attributes, if any.
pub(super) fn extra_field(attrs: &str) -> String {
    format!(
        "    /// The keys of the object this version of the spec does not know, as received (a newer\n    /// server's fields); `None` when there are none. Encoding writes them back.\n{attrs}    pub {EXTRA}: Option<Box<Extra>>,\n"
    )
}

/// The `Deserialize` impl of `s`, its key enum and its visitor.
pub(super) fn emit(s: &Struct) -> String {
    let group = s.group.as_deref();
    let mut out = format!(
        "\nimpl<'de> Deserialize<'de> for {0} {{\n    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        deserializer.deserialize_struct({1}, {0}Key::ALL, {0}Visitor)\n    }}\n}}\n",
        s.name,
        literal(&s.name)
    );
    out.push_str(&key_enum(s, group));
    out.push_str(&visitor(s, group));
    out
}

/// Every key the struct knows: (JSON name, variant name), its group's and its tag included.
fn keys(s: &Struct, group: Option<&Group>) -> Vec<(String, String)> {
    let group_fields = group.map(|g| g.body.fields.as_slice()).unwrap_or_default();
    let mut keys: Vec<(String, String)> = s
        .fields
        .iter()
        .chain(group_fields)
        .map(|f| (f.json.clone(), camel(&f.rust)))
        .collect();
    if let Some((tag, _)) = &s.tag {
        keys.push((tag.clone(), camel(tag)));
    }
    keys
}

fn key_enum(s: &Struct, group: Option<&Group>) -> String {
    let keys = keys(s, group);
    let mut out = format!(
        "\n/// A key of a `{}` object.\nenum {}Key {{\n",
        s.name, s.name
    );
    for (_, variant) in &keys {
        out.push_str(&format!("    {variant},\n"));
    }
    out.push_str("    Unknown,\n}\n");
    out.push_str(&format!(
        "\nimpl {}Key {{\n    /// Every key it knows.\n    const ALL: &'static [&'static str] = &[",
        s.name
    ));
    let names: Vec<String> = keys.iter().map(|(json, _)| literal(json)).collect();
    out.push_str(&names.join(", "));
    out.push_str("];\n}\n");
    out.push_str(&format!(
        "\nimpl ObjectKey for {}Key {{\n    #[inline]\n    fn of(name: &str) -> Self {{\n",
        s.name
    ));
    if keys.is_empty() {
        out.push_str("        let _ = name;\n        Self::Unknown\n    }\n");
    } else {
        out.push_str("        match name {\n");
        for (json, variant) in &keys {
            out.push_str(&format!(
                "            {} => Self::{variant},\n",
                literal(json)
            ));
        }
        out.push_str("            _ => Self::Unknown,\n        }\n    }\n");
    }
    out.push_str(
        "\n    #[inline]\n    fn is_unknown(&self) -> bool {\n        matches!(self, Self::Unknown)\n    }\n}\n",
    );
    out
}

fn visitor(s: &Struct, group: Option<&Group>) -> String {
    let name = &s.name;
    let mut out = format!(
        "\nstruct {name}Visitor;\n\nimpl<'de> Visitor<'de> for {name}Visitor {{\n    type Value = {name};\n\n    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\n        f.write_str({})\n    }}\n\n    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<{name}, A::Error> {{\n",
        literal(&format!("a {name} object"))
    );
    for f in &s.fields {
        // A required field starts as `None` too, checked by `required` at the end (or taken
        // as empty when absent, see `Field::empty_when_absent`).
        let start = f.absent().unwrap_or("None");
        out.push_str(&format!("        let mut {} = {start};\n", f.rust));
    }
    if let Some(group) = group {
        out.push_str(&format!(
            "        let mut {}: Option<Box<{}>> = None;\n",
            group.field, group.body.name
        ));
    }
    out.push_str(&format!(
        "        let mut {EXTRA} = None;\n        let mut unknown = String::new();\n"
    ));
    out.push_str(
        "        while let Some(key) = map.next_key_seed(KeySeed::new(&mut unknown))? {\n            match key {\n",
    );
    for f in &s.fields {
        let value = if f.required {
            "Some(map.next_value()?)"
        } else {
            "map.next_value()?"
        };
        out.push_str(&format!(
            "                {name}Key::{} => {} = {value},\n",
            camel(&f.rust),
            f.rust
        ));
    }
    if let Some(group) = group {
        out.push_str(&group_arms(name, group));
    }
    if let Some((tag, _)) = &s.tag {
        out.push_str(&format!(
            "                {name}Key::{} => {{\n                    map.next_value::<serde::de::IgnoredAny>()?;\n                }}\n",
            camel(tag)
        ));
    }
    out.push_str(&format!(
        "                {name}Key::Unknown => {{\n                    let key = std::mem::take(&mut unknown);\n                    crate::object::keep(&mut {EXTRA}, key, map.next_value()?);\n                }}\n            }}\n        }}\n        Ok({name} {{\n"
    ));
    for f in &s.fields {
        out.push_str(&construct(f));
    }
    if let Some(group) = group {
        out.push_str(&format!("            {},\n", group.field));
    }
    out.push_str(&format!("            {EXTRA},\n        }})\n    }}\n}}\n"));
    out
}

/// The match arms of a group's keys: a present value goes into the group, created on first use.
fn group_arms(name: &str, group: &Group) -> String {
    let mut out = String::new();
    for f in &group.body.fields {
        let (test, set) = if f.flag {
            ("map.next_value()?", "true")
        } else {
            ("let Some(value) = map.next_value()?", "Some(value)")
        };
        out.push_str(&format!(
            "                {name}Key::{} => {{\n                    if {test} {{\n                        crate::object::group_mut(&mut {}).{} = {set};\n                    }}\n                }}\n",
            camel(&f.rust),
            group.field,
            f.rust
        ));
    }
    out
}

/// A field of the struct expression that ends `visit_map`.
fn construct(f: &Field) -> String {
    if f.empty_when_absent() {
        format!("            {0}: {0}.unwrap_or_default(),\n", f.rust)
    } else if f.required {
        format!(
            "            {0}: crate::object::required({0}, {1})?,\n",
            f.rust,
            literal(&f.json)
        )
    } else {
        format!("            {},\n", f.rust)
    }
}
