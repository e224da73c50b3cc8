//! An ordered JSON tree and its compact writer.
//!
//! `serde_json::Value` keeps object keys sorted (without its `preserve_order` feature), but
//! Telegram sends `update_id` first and every object's fields in its own order, and decoders can
//! be sensitive to that order. The generators build [`Json`] trees, which keep insertion order;
//! [`Json::write`] produces the bytes of a response and [`Json::to_value`] the `Value` form.

use std::fmt::Write as _;

/// A JSON value whose objects keep their fields in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `true` or `false`.
    Bool(bool),
    /// An integer (every Bot API `Integer` fits in 53 bits).
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object.
    Obj(Obj),
}

/// A JSON object: fields in the order they were added.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Obj {
    pub(crate) fields: Vec<(&'static str, Json)>,
}

impl Obj {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Self { fields: Vec::new() }
    }

    /// Adds a field (builder style).
    pub(crate) fn with(mut self, key: &'static str, value: impl Into<Json>) -> Self {
        self.push(key, value);
        self
    }

    /// Adds a field.
    pub(crate) fn push(&mut self, key: &'static str, value: impl Into<Json>) {
        debug_assert!(self.get(key).is_none(), "duplicate key {key}");
        self.fields.push((key, value.into()));
    }

    /// Adds a field when `value` is `Some`.
    pub(crate) fn push_opt(&mut self, key: &'static str, value: Option<impl Into<Json>>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }

    /// Adds `key: true` when `flag` is set (Telegram omits false optional booleans).
    pub(crate) fn push_true(&mut self, key: &'static str, flag: bool) {
        if flag {
            self.push(key, true);
        }
    }

    /// The value of a field.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

impl From<bool> for Json {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<i64> for Json {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<f64> for Json {
    fn from(value: f64) -> Self {
        debug_assert!(value.is_finite(), "JSON has no {value}");
        Self::Float(value)
    }
}

impl From<String> for Json {
    fn from(value: String) -> Self {
        Self::Str(value)
    }
}

impl From<&str> for Json {
    fn from(value: &str) -> Self {
        Self::Str(value.to_owned())
    }
}

impl From<Obj> for Json {
    fn from(value: Obj) -> Self {
        Self::Obj(value)
    }
}

impl<T: Into<Json>> From<Vec<T>> for Json {
    fn from(value: Vec<T>) -> Self {
        Self::Arr(value.into_iter().map(Into::into).collect())
    }
}

impl Json {
    /// Appends the compact serialization (no spaces, non-ASCII as raw UTF-8, as Telegram sends
    /// it) to `out`.
    pub(crate) fn write(&self, out: &mut String) {
        match self {
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Self::Float(f) => write_float(*f, out),
            Self::Str(s) => write_str(s, out),
            Self::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Obj(obj) => {
                out.push('{');
                for (i, (key, value)) in obj.fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The same value as a `serde_json::Value` (whose maps may reorder keys).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(i) => Value::from(*i),
            Self::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Self::Str(s) => Value::String(s.clone()),
            Self::Arr(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            Self::Obj(obj) => Value::Object(
                obj.fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Floats as serde_json prints them (shortest round-trip form), so bytes and `Value` agree.
fn write_float(f: f64, out: &mut String) {
    let number = serde_json::Number::from_f64(f);
    match number {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// A JSON string literal: `"` and `\` escaped, control characters as `\n`-style short forms or
/// `\u00XX`, everything else (all non-ASCII) as raw UTF-8.
fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{08}' => "\\b",
            '\u{0C}' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escaped);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(json: &Json) -> String {
        let mut out = String::new();
        json.write(&mut out);
        out
    }

    #[test]
    fn objects_keep_insertion_order() {
        let obj = Obj::new()
            .with("update_id", 1)
            .with("message", Obj::new().with("b", 2).with("a", 1));
        assert_eq!(
            written(&obj.into()),
            r#"{"update_id":1,"message":{"b":2,"a":1}}"#
        );
    }

    #[test]
    fn strings_are_escaped_like_serde_json() {
        let s = "quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} привет 👍🏽 🇺🇦 /";
        let json = Json::from(s);
        let out = written(&json);
        assert_eq!(out, serde_json::to_string(s).unwrap());
        assert!(out.contains(r#"\""#) && out.contains(r"\\") && out.contains(r"\n"));
        assert!(out.contains("\\u0007") && out.contains("привет 👍🏽"));
    }

    #[test]
    fn bytes_parse_back_to_the_value_form() {
        let json: Json = Obj::new()
            .with("i", -1_001_234_567_890_i64)
            .with("f", 55.755_826)
            .with("t", true)
            .with("a", vec![Json::from(1), Json::from("x"), Obj::new().into()])
            .with("s", "ü\"\\")
            .into();
        let parsed: serde_json::Value = serde_json::from_str(&written(&json)).unwrap();
        assert_eq!(parsed, json.to_value());
    }
}
