//! `UpdateKind`: one variant per optional field of `Update`, dispatched on the field's key.

use std::collections::BTreeSet;

use super::crate_uses;
use crate::model::UpdateKind;
use crate::names::{doc_comment, literal};

/// The source of `generated/update_kind.rs`.
pub(super) fn emit(kinds: &[UpdateKind]) -> String {
    let names: BTreeSet<String> = kinds
        .iter()
        .map(|k| k.payload.clone())
        .chain(["UpdateType".to_string()])
        .collect();
    let mut out = String::from(
        "//! `UpdateKind`, what an update carries: one variant per kind of update in the spec.\n\n\
         use serde::de::MapAccess;\nuse serde::ser::SerializeMap;\n",
    );
    out.push_str(&crate_uses(&names, "UpdateKind"));
    out.push_str(
        "\n/// What an update carries. Exactly one kind is present in each update; a kind this version\n\
         /// does not know decodes to [`UpdateKind::Unknown`] instead of failing.\n\
         ///\n/// Payloads are boxed so an `Update` stays a few words wide whatever it carries.\n\
         #[derive(Debug, Clone, PartialEq)]\npub enum UpdateKind {\n",
    );
    for k in kinds {
        out.push_str(&doc_comment(std::slice::from_ref(&k.doc), "    "));
        out.push_str(&format!("    {}(Box<{}>),\n", k.rust, k.payload));
    }
    out.push_str(
        "    /// A kind of update this version of the library does not know.\n    Unknown {\n        /// The update's key, e.g. `\"future_kind\"`.\n        kind: String,\n        /// The payload as received.\n        raw: Box<serde_json::Value>,\n    },\n}\n",
    );

    out.push_str("\nimpl UpdateKind {\n");
    out.push_str("    /// The kind's key as Telegram writes it, e.g. `\"message\"`.\n    pub fn key(&self) -> &str {\n        match self {\n");
    for k in kinds {
        out.push_str(&format!(
            "            Self::{}(_) => {},\n",
            k.rust,
            literal(&k.json)
        ));
    }
    out.push_str("            Self::Unknown { kind, .. } => kind,\n        }\n    }\n\n");

    out.push_str("    /// The kind as an [`UpdateType`] (what `allowed_updates` lists).\n    pub fn update_type(&self) -> UpdateType {\n        match self {\n");
    for k in kinds {
        out.push_str(&format!(
            "            Self::{0}(_) => UpdateType::{0},\n",
            k.rust
        ));
    }
    out.push_str("            Self::Unknown { kind, .. } => UpdateType::Other(kind.clone()),\n        }\n    }\n\n");

    out.push_str(
        "    /// Reads the payload of the kind `key` from `map`; `Ok(None)` when the key is not a kind\n    /// this version knows (the value is then still unread).\n    pub(crate) fn deserialize_known<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Option<Self>, A::Error> {\n        Ok(Some(match key {\n",
    );
    for k in kinds {
        out.push_str(&format!(
            "            {} => Self::{}(map.next_value()?),\n",
            literal(&k.json),
            k.rust
        ));
    }
    out.push_str("            _ => return Ok(None),\n        }))\n    }\n\n");

    out.push_str(
        "    /// Writes the kind as one entry of the update object.\n    pub(crate) fn serialize_entry<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {\n        match self {\n",
    );
    for k in kinds {
        out.push_str(&format!(
            "            Self::{}(payload) => map.serialize_entry({}, payload),\n",
            k.rust,
            literal(&k.json)
        ));
    }
    out.push_str("            Self::Unknown { kind, raw } => map.serialize_entry(kind, raw),\n        }\n    }\n}\n");
    out
}
