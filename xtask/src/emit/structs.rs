//! Struct types: one file per Bot API object.

use std::collections::BTreeSet;

use super::{crate_uses, grouped};
use crate::model::{Field, Group, Model, Struct};
use crate::names::{doc_comment, literal};

/// The source file of one struct.
pub(super) fn emit(s: &Struct, _model: &Model) -> String {
    let mut names = BTreeSet::new();
    for f in &s.fields {
        f.ty.names(&mut names);
    }
    if let Some(group) = &s.group {
        names.insert(group.body.name.clone());
    }
    let mut out = format!("//! The `{}` type.\n\n", s.name);
    let derive_serialize = s.tag.is_none();
    out.push_str(if s.group.is_some() {
        grouped::OWNER_USES
    } else if derive_serialize {
        "use serde::{Deserialize, Serialize};\n"
    } else {
        "use serde::ser::SerializeStruct;\nuse serde::{Deserialize, Serialize, Serializer};\n"
    });
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
    if s.group.is_none() {
        derives.push("Deserialize");
    }
    out.push_str(&format!("#[derive({})]\n", derives.join(", ")));
    out.push_str(&format!("pub struct {} {{\n", s.name));
    for f in &s.fields {
        out.push_str(&field(f));
    }
    if let Some(group) = &s.group {
        out.push_str(&grouped::owner_field(group));
    }
    out.push_str("}\n");

    if s.fields.iter().any(|f| f.required) && s.fields.iter().any(|f| !f.required) {
        out.push_str(&constructor(s));
    }
    if let Some((key, value)) = &s.tag {
        out.push_str(&tagged_serialize(s, key, value));
    }
    if let Some(group) = &s.group {
        out.push_str(&grouped::owner_impls(s, group));
    }
    out
}

/// The source file of `owner`'s group's struct (see [`crate::model::Group`]).
pub(super) fn emit_group(owner: &Struct, group: &Group, model: &Model) -> String {
    let mut out = emit(&group.body, model);
    out.push_str(&grouped::empty_const(
        &group.body,
        &owner.name,
        &group.field,
    ));
    out
}

fn field(f: &Field) -> String {
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
    if !attrs.is_empty() {
        out.push_str(&format!("    #[serde({})]\n", attrs.join(", ")));
    }
    out.push_str(&format!("    pub {}: {},\n", f.rust, f.rust_type()));
    out
}

/// `new` taking the required fields, the rest `None`.
fn constructor(s: &Struct) -> String {
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

/// A variant of a tagged union writes its tag first, then its fields.
fn tagged_serialize(s: &Struct, key: &str, value: &str) -> String {
    let mut out = format!(
        "\nimpl Serialize for {} {{\n    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n",
        s.name
    );
    out.push_str(&format!(
        "        let mut state = serializer.serialize_struct({}, {})?;\n",
        literal(&s.name),
        s.fields.len() + 1
    ));
    out.push_str(&format!(
        "        state.serialize_field({}, {})?;\n",
        literal(key),
        literal(value)
    ));
    for f in &s.fields {
        let json = literal(&f.json);
        if f.required {
            out.push_str(&format!(
                "        state.serialize_field({json}, &self.{})?;\n",
                f.rust
            ));
        } else if f.flag {
            out.push_str(&format!(
                "        if self.{0} {{\n            state.serialize_field({json}, &true)?;\n        }} else {{\n            state.skip_field({json})?;\n        }}\n",
                f.rust
            ));
        } else {
            out.push_str(&format!(
                "        match &self.{0} {{\n            Some(value) => state.serialize_field({json}, value)?,\n            None => state.skip_field({json})?,\n        }}\n",
                f.rust
            ));
        }
    }
    out.push_str("        state.end()\n    }\n}\n");
    out
}
