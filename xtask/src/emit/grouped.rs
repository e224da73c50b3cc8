//! A struct with a [`Group`] of rare fields: the owner's field and accessor, and the group's
//! `EMPTY`. The owner's `Deserialize` (`deserialize.rs`) fills the group only when one of its
//! keys is present; its `Serialize` stays derived, the group flattened into it.

use crate::model::{Group, Struct};
use crate::names::doc_comment;

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

/// The owner's accessor to the group, which lends an empty group when it is absent.
pub(super) fn accessor(s: &Struct, group: &Group) -> String {
    format!(
        "\nimpl {owner} {{\n    /// The fields of [`{ty}`], all empty when `{field}` is `None`: reads them without unwrapping.\n    pub fn {field}(&self) -> &{ty} {{\n        static EMPTY: {ty} = {ty}::EMPTY;\n        self.{field}.as_deref().unwrap_or(&EMPTY)\n    }}\n}}\n",
        owner = s.name,
        ty = group.body.name,
        field = group.field,
    )
}
