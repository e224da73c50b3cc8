//! A struct with a [`Group`] of rare fields: the group's own struct, and the owner's
//! `Deserialize`, which serde's derive cannot write (it would buffer every unknown key and
//! always create the group). The owner's `Serialize` stays derived, the group flattened into it.

use crate::model::{Field, Group, Struct};
use crate::names::{camel, doc_comment, literal};

/// `use` lines the owner's file needs beyond its field types.
pub(super) const OWNER_USES: &str = "use std::fmt;\n\nuse serde::de::{IgnoredAny, MapAccess, Visitor};\nuse serde::{Deserialize, Deserializer, Serialize};\n\nuse crate::field_group::{group_mut, required, KeySeed, ObjectKey};\n";

/// The owner's field that holds the group.
pub(super) fn owner_field(group: &Group) -> String {
    format!(
        "{}    #[serde(flatten, skip_serializing_if = \"Option::is_none\")]\n    pub {}: Option<Box<{}>>,\n",
        doc_comment(std::slice::from_ref(&group.field_doc), "    "),
        group.field,
        group.body.name
    )
}

/// The group's `EMPTY` constant, lent out by the owner's accessor when the group is absent.
pub(super) fn empty_const(body: &Struct, owner: &str, field: &str) -> String {
    let mut out = format!(
        "\nimpl {} {{\n    /// No field set: what [`{owner}::{field}`](crate::{owner}::{field}) returns when the group is absent.\n    pub const EMPTY: Self = Self {{\n",
        body.name
    );
    for f in &body.fields {
        let absent = f.absent().expect("group fields are optional");
        out.push_str(&format!("        {}: {absent},\n", f.rust));
    }
    out.push_str("    };\n}\n");
    out
}

/// The owner's accessor and `Deserialize` impl.
pub(super) fn owner_impls(s: &Struct, group: &Group) -> String {
    let mut out = accessor(s, group);
    out.push_str(&deserialize_impl(s));
    out.push_str(&key_enum(s, group));
    out.push_str(&visitor(s, group));
    out
}

fn accessor(s: &Struct, group: &Group) -> String {
    format!(
        "\nimpl {owner} {{\n    /// The fields of [`{ty}`], all empty when `{field}` is `None`: reads them without unwrapping.\n    pub fn {field}(&self) -> &{ty} {{\n        static EMPTY: {ty} = {ty}::EMPTY;\n        self.{field}.as_deref().unwrap_or(&EMPTY)\n    }}\n}}\n",
        owner = s.name,
        ty = group.body.name,
        field = group.field,
    )
}

fn deserialize_impl(s: &Struct) -> String {
    format!(
        "\nimpl<'de> Deserialize<'de> for {0} {{\n    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        deserializer.deserialize_struct({1}, {0}Key::ALL, {0}Visitor)\n    }}\n}}\n",
        s.name,
        literal(&s.name)
    )
}

fn key_enum(s: &Struct, group: &Group) -> String {
    let keys: Vec<&Field> = s.fields.iter().chain(&group.body.fields).collect();
    let mut out = format!(
        "\n/// A key of a `{0}` object, the `{1}` group's included.\n#[derive(Clone, Copy)]\nenum {0}Key {{\n",
        s.name, group.field
    );
    for f in &keys {
        out.push_str(&format!("    {},\n", camel(&f.rust)));
    }
    out.push_str("    Unknown,\n}\n");
    out.push_str(&format!(
        "\nimpl {}Key {{\n    /// Every key, in spec order.\n    const ALL: &'static [&'static str] = &[\n",
        s.name
    ));
    for f in &keys {
        out.push_str(&format!("        {},\n", literal(&f.json)));
    }
    out.push_str("    ];\n}\n");
    out.push_str(&format!(
        "\nimpl ObjectKey for {}Key {{\n    fn of(name: &str) -> Self {{\n        match name {{\n",
        s.name
    ));
    for f in &keys {
        out.push_str(&format!(
            "            {} => Self::{},\n",
            literal(&f.json),
            camel(&f.rust)
        ));
    }
    out.push_str("            _ => Self::Unknown,\n        }\n    }\n}\n");
    out
}

fn visitor(s: &Struct, group: &Group) -> String {
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
    out.push_str(&format!(
        "        let mut {}: Option<Box<{}>> = None;\n",
        group.field, group.body.name
    ));
    out.push_str(
        "        while let Some(key) = map.next_key_seed(KeySeed::new())? {\n            match key {\n",
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
    for f in &group.body.fields {
        let (test, set) = if f.flag {
            ("map.next_value()?".to_owned(), "true")
        } else {
            (
                "let Some(value) = map.next_value()?".to_owned(),
                "Some(value)",
            )
        };
        out.push_str(&format!(
            "                {name}Key::{} => {{\n                    if {test} {{\n                        group_mut(&mut {}).{} = {set};\n                    }}\n                }}\n",
            camel(&f.rust),
            group.field,
            f.rust
        ));
    }
    out.push_str(&format!(
        "                {name}Key::Unknown => {{\n                    map.next_value::<IgnoredAny>()?;\n                }}\n            }}\n        }}\n        Ok({name} {{\n"
    ));
    for f in &s.fields {
        if f.empty_when_absent() {
            out.push_str(&format!(
                "            {0}: {0}.unwrap_or_default(),\n",
                f.rust
            ));
        } else if f.required {
            out.push_str(&format!(
                "            {0}: required({0}, {1})?,\n",
                f.rust,
                literal(&f.json)
            ));
        } else {
            out.push_str(&format!("            {},\n", f.rust));
        }
    }
    out.push_str(&format!(
        "            {},\n        }})\n    }}\n}}\n",
        group.field
    ));
    out
}
