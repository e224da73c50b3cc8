//! Method payloads: a struct of the parameters, `new` with the required ones, a setter per
//! optional one, and the `Method` impl naming the API method and its result type.

use super::crate_uses;
use crate::model::{Field, Method, Ty};
use crate::names::{doc_comment, literal};

/// The source file of one method payload.
pub(super) fn emit(m: &Method) -> String {
    let mut names = m.output_names.clone();
    names.insert("Method".into());
    for p in &m.params {
        p.ty.names(&mut names);
    }
    let mut out = format!("//! The `{}` method.\n\n", m.api_name);
    out.push_str("use serde::{Deserialize, Serialize};\n");
    out.push_str(&crate_uses(&names, &m.name));
    out.push('\n');

    out.push_str(&doc_comment(&m.doc, ""));
    let default = if m.params.iter().all(|p| !p.required) {
        ", Default"
    } else {
        ""
    };
    out.push_str(&format!(
        "#[derive(Debug, Clone, PartialEq{default}, Serialize, Deserialize)]\n"
    ));
    out.push_str(&format!("pub struct {} {{\n", m.name));
    for p in &m.params {
        out.push_str(&doc_comment(std::slice::from_ref(&p.doc), "    "));
        let mut attrs = Vec::new();
        if p.json != p.rust {
            attrs.push(format!("rename = {}", literal(&p.json)));
        }
        if !p.required {
            attrs.push("default".into());
            attrs.push("skip_serializing_if = \"Option::is_none\"".into());
        }
        if !attrs.is_empty() {
            out.push_str(&format!("    #[serde({})]\n", attrs.join(", ")));
        }
        out.push_str(&format!("    pub {}: {},\n", p.rust, p.rust_type()));
    }
    out.push_str("}\n\n");

    out.push_str(&format!("impl {} {{\n", m.name));
    out.push_str(&constructor(m));
    for p in m.params.iter().filter(|p| !p.required) {
        out.push_str(&setter(p));
    }
    out.push_str("}\n\n");

    out.push_str(&format!(
        "impl Method for {} {{\n    const NAME: &'static str = {};\n    type Output = {};\n}}\n",
        m.name,
        literal(&m.api_name),
        m.output
    ));
    out
}

/// How a setter or `new` takes a value of this type, and how it stores it.
pub(super) fn argument(ty: &Ty) -> (String, &'static str) {
    match ty {
        Ty::Int | Ty::Float | Ty::Bool => (ty.rust(), ""),
        Ty::Vec(item) => (
            format!("impl IntoIterator<Item = {}>", item.rust()),
            ".into_iter().collect()",
        ),
        _ => (format!("impl Into<{}>", ty.rust()), ".into()"),
    }
}

fn constructor(m: &Method) -> String {
    let required: Vec<&Field> = m.params.iter().filter(|p| p.required).collect();
    let params: Vec<String> = required
        .iter()
        .map(|p| format!("{}: {}", p.rust, argument(&p.ty).0))
        .collect();
    let mut out = format!(
        "    /// Creates the payload from its required parameters; the optional ones are set with the builder methods.\n    pub fn new({}) -> Self {{\n        Self {{\n",
        params.join(", ")
    );
    for p in &m.params {
        if p.required {
            let (_, convert) = argument(&p.ty);
            if convert.is_empty() {
                out.push_str(&format!("            {},\n", p.rust));
            } else {
                out.push_str(&format!("            {0}: {0}{convert},\n", p.rust));
            }
        } else {
            out.push_str(&format!("            {}: None,\n", p.rust));
        }
    }
    out.push_str("        }\n    }\n");
    out
}

fn setter(p: &Field) -> String {
    let (arg, convert) = argument(&p.ty);
    let mut out = String::from("\n");
    out.push_str(&doc_comment(std::slice::from_ref(&p.doc), "    "));
    out.push_str("    #[must_use]\n");
    out.push_str(&format!(
        "    pub fn {0}(mut self, value: {arg}) -> Self {{\n        self.{0} = Some(value{convert});\n        self\n    }}\n",
        p.rust
    ));
    out
}
