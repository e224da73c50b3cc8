//! Building the [`Model`] from the spec: classifying unions, typing fields, boxing what would
//! otherwise be recursive, and collecting methods and update kinds.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::config::{FIELD_GROUPS, HAND_WRITTEN, STRING_ENUMS, SYNTHETIC_UNIONS};
use super::{
    Discriminant, Field, Group, Method, Model, StringEnum, Struct, Ty, Union, UpdateKind, Variant,
};
use crate::names;
use crate::spec::{FieldDef, Spec, TypeDef};

impl Model {
    /// Builds the model from a spec.
    pub fn build(spec: &Spec) -> Result<Self, String> {
        let mut builder = Builder::new(spec)?;
        builder.classify_unions()?;
        builder.build_structs()?;
        builder.box_recursive_fields();
        builder.group_rare_fields()?;
        let methods = builder.build_methods()?;
        let update_kinds = builder.update_kinds()?;
        Ok(Model {
            version: spec.version.clone(),
            structs: builder.structs.into_values().collect(),
            unions: builder.unions.into_values().collect(),
            string_enums: builder.string_enums,
            methods,
            update_kinds,
        })
    }
}

pub(super) struct Builder<'a> {
    spec: &'a Spec,
    /// `Owner.field` → enum name.
    enum_fields: BTreeMap<String, String>,
    string_enums: Vec<StringEnum>,
    unions: BTreeMap<String, Union>,
    /// Variant struct name → (tag key, tag value).
    variant_tags: BTreeMap<String, (String, String)>,
    structs: BTreeMap<String, Struct>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(spec: &'a Spec) -> Result<Self, String> {
        let mut enum_fields = BTreeMap::new();
        let mut string_enums = Vec::new();
        for (name, fields, values, doc) in STRING_ENUMS {
            let values: Vec<String> = if values.is_empty() {
                quoted_values(&field_description(spec, fields[0])?)
            } else {
                values.iter().map(|v| v.to_string()).collect()
            };
            if values.is_empty() {
                return Err(format!("no values found for string enum {name}"));
            }
            for f in *fields {
                field_description(spec, f)?;
                enum_fields.insert(f.to_string(), name.to_string());
            }
            string_enums.push(StringEnum {
                name: name.to_string(),
                doc: doc.to_string(),
                values,
            });
        }
        // Update kinds double as the values of `allowed_updates`.
        let update = spec.type_def("Update").ok_or("spec has no Update type")?;
        string_enums.push(StringEnum {
            name: "UpdateType".into(),
            doc: "A kind of update, as named in `allowed_updates`.".into(),
            values: update
                .fields
                .iter()
                .skip(1)
                .map(|f| f.name.clone())
                .collect(),
        });
        enum_fields.insert("getUpdates.allowed_updates".into(), "UpdateType".into());
        enum_fields.insert("setWebhook.allowed_updates".into(), "UpdateType".into());
        Ok(Builder {
            spec,
            enum_fields,
            string_enums,
            unions: BTreeMap::new(),
            variant_tags: BTreeMap::new(),
            structs: BTreeMap::new(),
        })
    }

    fn classify_unions(&mut self) -> Result<(), String> {
        let spec = self.spec;
        for (name, def) in &spec.types.0 {
            if def.subtypes.is_empty() || HAND_WRITTEN.contains(&name.as_str()) {
                continue;
            }
            let union = self.union(name, def.description.clone(), &def.subtypes)?;
            self.unions.insert(name.clone(), union);
        }
        for (name, members, doc) in SYNTHETIC_UNIONS {
            let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
            let union = self.union(name, vec![doc.to_string()], &members)?;
            self.unions.insert(name.to_string(), union);
        }
        Ok(())
    }

    fn union(
        &mut self,
        name: &str,
        doc: Vec<String>,
        subtypes: &[String],
    ) -> Result<Union, String> {
        let text_and_array = subtypes.iter().any(|s| s == "String");
        let objects: Vec<&str> = subtypes
            .iter()
            .map(String::as_str)
            .filter(|s| *s != "String" && !s.starts_with("Array of"))
            .collect();
        let rust_names = names::variant_names(&objects);
        let mut variants = Vec::new();
        let mut tag_key: Option<String> = None;
        let mut all_tagged = true;
        for (type_name, rust) in objects.iter().zip(rust_names) {
            let def = self.type_def(type_name)?;
            let tag = def
                .fields
                .first()
                .and_then(|f| tag_value(&f.description).map(|v| (f.name.clone(), v)));
            match &tag {
                Some((key, _)) if tag_key.as_ref().is_none_or(|k| k == key) => {
                    tag_key = Some(key.clone())
                }
                _ => all_tagged = false,
            }
            let required_keys = def
                .fields
                .iter()
                .filter(|f| f.required && Some(&f.name) != tag.as_ref().map(|(k, _)| k))
                .map(|f| f.name.clone())
                .collect();
            variants.push(Variant {
                rust,
                type_name: type_name.to_string(),
                tag: tag.as_ref().map(|(_, v)| v.clone()),
                required_keys,
            });
        }
        let discriminant = match (all_tagged, tag_key) {
            (true, Some(key)) => {
                for v in &variants {
                    let tag = v.tag.clone().expect("tagged variants have a tag");
                    if let Some(old) = self
                        .variant_tags
                        .insert(v.type_name.clone(), (key.clone(), tag.clone()))
                    {
                        if old != (key.clone(), tag) {
                            return Err(format!("{} has two different tags", v.type_name));
                        }
                    }
                }
                let tags: HashSet<_> = variants.iter().map(|v| v.tag.clone()).collect();
                Discriminant::Tag {
                    key,
                    ambiguous: tags.len() != variants.len(),
                }
            }
            _ => {
                for v in &mut variants {
                    v.tag = None;
                }
                Discriminant::Keys
            }
        };
        if text_and_array && !matches!(discriminant, Discriminant::Tag { .. }) {
            return Err(format!("{name}: a text union must be tagged"));
        }
        // Most specific first: a variant whose required keys include another's must be tried first.
        if !matches!(
            discriminant,
            Discriminant::Tag {
                ambiguous: false,
                ..
            }
        ) {
            variants.sort_by_key(|v| std::cmp::Reverse(v.required_keys.len()));
        }
        Ok(Union {
            name: name.to_string(),
            doc,
            discriminant,
            variants,
            text_and_array,
        })
    }

    fn type_def(&self, name: &str) -> Result<&'a TypeDef, String> {
        self.spec
            .type_def(name)
            .ok_or_else(|| format!("unknown type {name}"))
    }

    fn build_structs(&mut self) -> Result<(), String> {
        let spec = self.spec;
        for (name, def) in &spec.types.0 {
            if !def.subtypes.is_empty() || HAND_WRITTEN.contains(&name.as_str()) {
                continue;
            }
            let tag = self.variant_tags.get(name).cloned();
            let mut fields = Vec::new();
            for f in &def.fields {
                if tag.as_ref().is_some_and(|(key, _)| *key == f.name) {
                    continue;
                }
                fields.push(self.field(name, f, false)?);
            }
            self.structs.insert(
                name.clone(),
                Struct {
                    name: name.clone(),
                    doc: type_doc(name, &def.description),
                    fields,
                    tag,
                    group: None,
                },
            );
        }
        Ok(())
    }

    fn field(&self, owner: &str, f: &FieldDef, is_param: bool) -> Result<Field, String> {
        let ty = self.field_type(owner, f)?;
        let object = ty.object().is_some_and(|n| self.is_object(n));
        let flag = !is_param
            && !f.required
            && ty == Ty::Bool
            && f.description.starts_with("Optional. True");
        Ok(Field {
            json: f.name.clone(),
            rust: names::field(&f.name),
            // Optional objects of types are boxed: most are absent, and a `Box` costs 8 bytes
            // where the inline struct would cost its whole size in every message.
            boxed: object && !f.required && !is_param,
            required: f.required,
            flag,
            ty,
            doc: f.description.clone(),
        })
    }

    fn is_object(&self, name: &str) -> bool {
        self.structs.contains_key(name)
            || self.unions.contains_key(name)
            || self
                .spec
                .type_def(name)
                .is_some_and(|d| !d.fields.is_empty() || !d.subtypes.is_empty())
            || name == "MaybeInaccessibleMessage"
    }

    fn field_type(&self, owner: &str, f: &FieldDef) -> Result<Ty, String> {
        let path = format!("{owner}.{}", f.name);
        if let Some(e) = self.enum_fields.get(&path) {
            return Ok(match f.types.first().map(String::as_str) {
                Some(t) if t.starts_with("Array of") => Ty::Vec(Box::new(Ty::Named(e.clone()))),
                _ => Ty::Named(e.clone()),
            });
        }
        if (f.name == "parse_mode" || f.name.ends_with("_parse_mode")) && f.types == ["String"] {
            return Ok(Ty::Named("ParseMode".into()));
        }
        // The spec types media of InputMedia* as String, but they take `attach://` uploads too.
        if f.types == ["String"] && f.description.contains("attach://") {
            return Ok(Ty::InputFile);
        }
        let types: Vec<&str> = f.types.iter().map(String::as_str).collect();
        match types.as_slice() {
            [one] => self.single_type(one),
            ["Integer", "String"] => Ok(Ty::Recipient),
            ["InputFile", "String"] => Ok(Ty::InputFile),
            many if many.iter().all(|t| t.starts_with("Array of ")) => {
                let items: Vec<&str> = many.iter().map(|t| &t["Array of ".len()..]).collect();
                Ok(Ty::Vec(Box::new(Ty::Named(self.union_of(&items, &path)?))))
            }
            many => Ok(Ty::Named(self.union_of(many, &path)?)),
        }
    }

    fn single_type(&self, t: &str) -> Result<Ty, String> {
        if let Some(item) = t.strip_prefix("Array of ") {
            return Ok(Ty::Vec(Box::new(self.single_type(item)?)));
        }
        Ok(match t {
            "Integer" => Ty::Int,
            "Float" => Ty::Float,
            "Boolean" => Ty::Bool,
            "String" => Ty::Str,
            "InputFile" => Ty::InputFile,
            other => {
                self.type_def(other)?;
                Ty::Named(other.to_string())
            }
        })
    }

    /// The union whose members are exactly `members` or, failing that, the smallest spec union
    /// that holds them all.
    fn union_of(&self, members: &[&str], path: &str) -> Result<String, String> {
        let wanted: BTreeSet<&str> = members.iter().copied().collect();
        let mut best: Option<(usize, &str)> = None;
        for u in self.unions.values() {
            let have: BTreeSet<&str> = u.variants.iter().map(|v| v.type_name.as_str()).collect();
            if have == wanted {
                return Ok(u.name.clone());
            }
            if have.is_superset(&wanted) && best.is_none_or(|(n, _)| have.len() < n) {
                best = Some((have.len(), &u.name));
            }
        }
        best.map(|(_, n)| n.to_string()).ok_or_else(|| {
            format!("{path}: no union holds {members:?}; add one to SYNTHETIC_UNIONS")
        })
    }

    /// Boxes required fields that would make a type contain itself.
    fn box_recursive_fields(&mut self) {
        loop {
            let mut changed = false;
            let names: Vec<String> = self.structs.keys().cloned().collect();
            for owner in names {
                let count = self.structs[&owner].fields.len();
                for i in 0..count {
                    let field = &self.structs[&owner].fields[i];
                    if field.boxed {
                        continue;
                    }
                    let Some(target) = field.ty.object().map(str::to_owned) else {
                        continue;
                    };
                    if self.reaches_inline(&target, &owner) {
                        self.structs.get_mut(&owner).expect("exists").fields[i].boxed = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Moves each [`FIELD_GROUPS`] entry's fields out of its owner into the group's struct.
    fn group_rare_fields(&mut self) -> Result<(), String> {
        for config in FIELD_GROUPS {
            let owner = self
                .structs
                .get_mut(config.owner)
                .ok_or_else(|| format!("field group: no struct {}", config.owner))?;
            for member in config.members {
                if !owner.fields.iter().any(|f| f.json == *member) {
                    return Err(format!("field group: {}.{member} is gone", config.owner));
                }
            }
            // The generated visitor's own locals share the field names' namespace.
            if let Some(clash) = owner
                .fields
                .iter()
                .find(|f| [config.field, "map", "key"].contains(&f.rust.as_str()))
            {
                return Err(format!(
                    "field group: {}.{} clashes",
                    config.owner, clash.rust
                ));
            }
            let (members, kept): (Vec<Field>, Vec<Field>) = std::mem::take(&mut owner.fields)
                .into_iter()
                .partition(|f| {
                    f.doc.to_lowercase().contains(config.marker)
                        || config.members.contains(&f.json.as_str())
                });
            owner.fields = kept;
            if let Some(required) = members.iter().find(|f| f.required) {
                return Err(format!("field group: {} is required", required.json));
            }
            owner.group = Some(Box::new(Group {
                field: config.field.to_owned(),
                field_doc: config.field_doc.to_owned(),
                body: Struct {
                    name: config.type_name.to_owned(),
                    doc: vec![config.type_doc.to_owned()],
                    fields: members,
                    tag: None,
                    group: None,
                },
            }));
            if self.spec.type_def(config.type_name).is_some() {
                return Err(format!("field group: the spec has a {}", config.type_name));
            }
        }
        Ok(())
    }

    /// Whether `from` holds `to` by value (through unboxed fields and union variants).
    fn reaches_inline(&self, from: &str, to: &str) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(name) = stack.pop() {
            if name == to {
                return true;
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(s) = self.structs.get(&name) {
                for f in &s.fields {
                    if let (false, Some(n)) = (f.boxed, f.ty.object()) {
                        stack.push(n.to_string());
                    }
                }
            }
            if let Some(u) = self.unions.get(&name) {
                stack.extend(u.variants.iter().map(|v| v.type_name.clone()));
            }
        }
        false
    }

    fn build_methods(&self) -> Result<Vec<Method>, String> {
        let mut out = Vec::new();
        for (name, def) in &self.spec.methods.0 {
            let params = def
                .fields
                .iter()
                .map(|f| self.field(name, f, true))
                .collect::<Result<Vec<_>, _>>()?;
            let returns: Vec<&str> = def.returns.iter().map(String::as_str).collect();
            let output_ty = match returns.as_slice() {
                ["Message", "Boolean"] => Ty::Named("MessageOrBool".into()),
                [one] => self.single_type(one)?,
                other => return Err(format!("{name}: unsupported return type {other:?}")),
            };
            let mut output_names = BTreeSet::new();
            output_ty.names(&mut output_names);
            out.push(Method {
                api_name: name.clone(),
                name: names::camel(name),
                doc: def.description.clone(),
                params,
                output: output_ty.rust(),
                output_names,
                safe_to_repeat: super::config::safe_to_repeat(name),
            });
        }
        Ok(out)
    }

    fn update_kinds(&self) -> Result<Vec<UpdateKind>, String> {
        let update = self.type_def("Update")?;
        let mut kinds = Vec::new();
        for f in update.fields.iter().skip(1) {
            let [payload] = f.types.as_slice() else {
                return Err(format!("Update.{} has several types", f.name));
            };
            kinds.push(UpdateKind {
                json: f.name.clone(),
                rust: names::camel(&f.name),
                payload: payload.clone(),
                doc: f.description.trim_start_matches("Optional. ").to_string(),
            });
        }
        Ok(kinds)
    }
}

/// A type's documentation; the spec leaves it out for a few types.
fn type_doc(name: &str, description: &[String]) -> Vec<String> {
    if description.is_empty() {
        vec![format!(
            "The `{name}` object (the Bot API documentation gives it no description)."
        )]
    } else {
        description.to_vec()
    }
}

fn field_description(spec: &Spec, path: &str) -> Result<String, String> {
    let (owner, field) = path
        .split_once('.')
        .ok_or_else(|| format!("bad path {path}"))?;
    let fields = spec
        .type_def(owner)
        .map(|t| &t.fields)
        .or_else(|| {
            spec.methods
                .0
                .iter()
                .find(|(n, _)| n == owner)
                .map(|(_, m)| &m.fields)
        })
        .ok_or_else(|| format!("string enum field {path}: no such type or method"))?;
    fields
        .iter()
        .find(|f| f.name == field)
        .map(|f| f.description.clone())
        .ok_or_else(|| format!("string enum field {path}: no such field"))
}

/// The tag value in a description: `…, always "user"` or `…, must be chat`.
fn tag_value(description: &str) -> Option<String> {
    if let Some(rest) = description.split("always \"").nth(1) {
        return rest.split('"').next().map(str::to_owned);
    }
    let rest = description.split("must be ").nth(1)?;
    let value: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

/// Every `"value"` quoted in a description, in order, without repeats.
fn quoted_values(description: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, part) in description.split('"').enumerate() {
        let is_value = i % 2 == 1
            && !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if is_value && !out.iter().any(|v| v == part) {
            out.push(part.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_values() {
        assert_eq!(
            tag_value("Type of the message origin, always \"user\"").as_deref(),
            Some("user")
        );
        assert_eq!(
            tag_value("Scope type, must be chat_member").as_deref(),
            Some("chat_member")
        );
        assert_eq!(tag_value("The member's status"), None);
    }

    #[test]
    fn quoted() {
        assert_eq!(
            quoted_values("can be either \"private\", \"group\" or \"channel\""),
            ["private", "group", "channel"]
        );
    }
}
