//! Struct types: one file per Bot API object.

use std::collections::BTreeSet;

use super::{crate_uses, deserialize, grouped};
use crate::model::{Field, Group, Model, Struct};
use crate::names::{doc_comment, literal};

/// The source file of one struct: a Bot API object, which keeps unknown keys in `extra`.
pub(super) fn emit(s: &Struct, model: &Model) -> String {
    emit_struct(s, model, true)
}

/// `s`'s file; `with_extra` for an object of the spec (a group's struct has no `extra`: its
/// owner keeps the unknown keys, and the group's `Deserialize` stays derived).
fn emit_struct(s: &Struct, _model: &Model, with_extra: bool) -> String {
    let mut names = BTreeSet::new();
    for f in &s.fields {
        f.ty.names(&mut names);
    }
    if let Some(group) = &s.group {
        names.insert(group.body.name.clone());
    }
    if with_extra {
        names.insert("Extra".to_owned());
    }
    let mut out = format!("//! The `{}` type.\n\n", s.name);
    let derive_serialize = s.tag.is_none();
    if with_extra {
        out.push_str("use std::fmt;\n\n");
    }
    out.push_str(&uses(derive_serialize, with_extra));
    out.push_str(&crate_uses(&names, &s.name));
    out.push('\n');

    out.push_str(&doc_comment(&s.doc, ""));
    let all_optional = s.fields.iter().all(|f| !f.required);
    let mut derives = vec!["Debug", "Clone", "PartialEq"];
    if all_optional {
        derives.push("Default");
    }
    if derive_serialize {
        derives.push("Serialize");
    }
    if !with_extra {
        derives.push("Deserialize");
    }
    out.push_str(&format!("#[derive({})]\n", derives.join(", ")));
    out.push_str(&format!("pub struct {} {{\n", s.name));
    // Without a derive, serde's field attributes would not compile (and mean nothing).
    let serde_attrs = derive_serialize || !with_extra;
    for f in &s.fields {
        out.push_str(&field(f, serde_attrs));
    }
    if let Some(group) = &s.group {
        out.push_str(&grouped::owner_field(group));
    }
    if with_extra {
        let attrs = if derive_serialize {
            "    #[serde(flatten, skip_serializing_if = \"Option::is_none\")]\n"
        } else {
            ""
        };
        out.push_str(&deserialize::extra_field(attrs));
    }
    out.push_str("}\n");

    if s.fields.iter().any(|f| f.required) {
        out.push_str(&constructor(s, with_extra));
    }
    if let Some((key, value)) = &s.tag {
        out.push_str(&tagged_serialize(s, key, value));
    }
    if let Some(group) = &s.group {
        out.push_str(&grouped::accessor(s, group));
    }
    if with_extra {
        out.push_str(&deserialize::emit(s));
    }
    out
}

/// The `use` lines of a struct's file, before its crate uses (rustfmt sorts them together).
fn uses(derive_serialize: bool, with_extra: bool) -> String {
    let mut serde = vec!["Deserialize", "Serialize"];
    let mut out = String::new();
    if with_extra {
        serde.push("Deserializer");
        out.push_str(deserialize::USES);
    }
    if !derive_serialize {
        serde.push("Serializer");
        let state = if with_extra {
            "SerializeMap"
        } else {
            "SerializeStruct"
        };
        out.push_str(&format!("use serde::ser::{state};\n"));
    }
    serde.sort_unstable();
    out.push_str(&format!("use serde::{{{}}};\n", serde.join(", ")));
    out
}

/// The source file of `owner`'s group's struct (see [`crate::model::Group`]).
pub(super) fn emit_group(owner: &Struct, group: &Group, model: &Model) -> String {
    let mut out = emit_struct(&group.body, model, false);
    out.push_str(&grouped::empty_const(
        &group.body,
        &owner.name,
        &group.field,
    ));
    out
}

/// A field's declaration; its serde attributes when `serde_attrs`.
fn field(f: &Field, serde_attrs: bool) -> String {
    let mut out = doc_comment(std::slice::from_ref(&f.doc), "    ");
    let mut attrs = Vec::new();
    if f.json != f.rust {
        attrs.push(format!("rename = {}", literal(&f.json)));
    }
    if f.flag {
        attrs.push("default".into());
        attrs.push("skip_serializing_if = \"crate::serde_support::is_false\"".into());
    } else if !f.required {
        attrs.push("skip_serializing_if = \"Option::is_none\"".into());
    } else if f.empty_when_absent() {
        // Tolerance of older servers: see `Field::empty_when_absent`.
        attrs.push("default".into());
    }
    if serde_attrs && !attrs.is_empty() {
        out.push_str(&format!("    #[serde({})]\n", attrs.join(", ")));
    }
    out.push_str(&format!("    pub {}: {},\n", f.rust, f.rust_type()));
    out
}

/// `new` taking the required fields, the rest `None` (and no unknown keys).
fn constructor(s: &Struct, with_extra: bool) -> String {
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
    let params: Vec<String> = required
        .iter()
        .map(|f| format!("{}: {}", f.rust, constructor_argument(f).0))
        .collect();
    let mut out = format!(
        "\nimpl {} {{\n    /// Creates the value from its required fields; the optional ones are left out.\n    pub fn new({}) -> Self {{\n        Self {{\n",
        s.name,
        params.join(", ")
    );
    for f in &s.fields {
        match f.absent() {
            None => match constructor_argument(f).1 {
                stored if stored == f.rust => out.push_str(&format!("            {stored},\n")),
                stored => out.push_str(&format!("            {}: {stored},\n", f.rust)),
            },
            Some(absent) => out.push_str(&format!("            {}: {absent},\n", f.rust)),
        }
    }
    if let Some(group) = &s.group {
        out.push_str(&format!("            {}: None,\n", group.field));
    }
    if with_extra {
        out.push_str(&format!("            {}: None,\n", deserialize::EXTRA));
    }
    out.push_str("        }\n    }\n}\n");
    out
}

/// How `new` takes a required field, and the expression that stores it: `impl Into<T>` for
/// strings and named types, `impl IntoIterator<Item = T>` for lists (so `"text"`, a `String`, a
/// variant of a union or an array all fit), numbers and booleans as they are. Boxed fields are
/// boxed here, so callers never write `Box::new`.
fn constructor_argument(f: &Field) -> (String, String) {
    let name = &f.rust;
    let (argument, convert) = super::methods::argument(&f.ty);
    let stored = if f.boxed {
        format!("Box::new({name}{convert})")
    } else if convert.is_empty() {
        name.clone()
    } else {
        format!("{name}{convert}")
    };
    (argument, stored)
}

/// A variant of a tagged union writes its tag first, then its fields and the unknown keys it kept.
fn tagged_serialize(s: &Struct, key: &str, value: &str) -> String {
    let mut out = format!(
        "\nimpl Serialize for {} {{\n    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n",
        s.name
    );
    out.push_str("        let mut state = serializer.serialize_map(None)?;\n");
    out.push_str(&format!(
        "        state.serialize_entry({}, {})?;\n",
        literal(key),
        literal(value)
    ));
    for f in &s.fields {
        let json = literal(&f.json);
        if f.required {
            out.push_str(&format!(
                "        state.serialize_entry({json}, &self.{})?;\n",
                f.rust
            ));
        } else if f.flag {
            out.push_str(&format!(
                "        if self.{0} {{\n            state.serialize_entry({json}, &true)?;\n        }}\n",
                f.rust
            ));
        } else {
            out.push_str(&format!(
                "        if let Some(value) = &self.{0} {{\n            state.serialize_entry({json}, value)?;\n        }}\n",
                f.rust
            ));
        }
    }
    out.push_str(&format!(
        "        crate::object::serialize_extra(&mut state, &self.{})?;\n        state.end()\n    }}\n}}\n",
        deserialize::EXTRA
    ));
    out
}
