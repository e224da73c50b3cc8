//! Turns an HTTP request into call parameters: query string, JSON body, url-encoded form or
//! multipart form (files kept apart). Decides which text values are parsed as JSON.

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::record::RecordedFile;

/// Fields that always stay strings even when they look like numbers or JSON.
const STRING_FIELDS: &[&str] = &[
    "text",
    "caption",
    "data",
    "query",
    "question",
    "title",
    "description",
    "short_description",
    "explanation",
    "name",
    "first_name",
    "last_name",
    "username",
    "url",
    "secret_token",
    "emoji",
    "payload",
    "start_parameter",
    "next_offset",
    "switch_pm_text",
    "switch_pm_parameter",
    "phone_number",
    "address",
    "vcard",
    "callback_query_id",
    "inline_query_id",
    "inline_message_id",
    "shipping_query_id",
    "pre_checkout_query_id",
    "result_id",
    "file_id",
    "custom_emoji_id",
    "gift_id",
    "business_connection_id",
];

/// Integer fields whose names do not end in `_id`.
const INT_FIELDS: &[&str] = &[
    "offset",
    "limit",
    "timeout",
    "max_connections",
    "cache_time",
    "duration",
    "width",
    "height",
    "until_date",
];

/// The parameters of one call.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub(crate) fields: Map<String, Value>,
    pub(crate) files: Vec<RecordedFile>,
}

impl Params {
    /// A parameter by name.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    /// A parameter as text (numbers are printed).
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// An integer parameter (a numeric string is accepted).
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean parameter (`"true"` is accepted).
    pub(crate) fn flag(&self, name: &str) -> bool {
        match self.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        }
    }

    /// A JSON parameter; a string holding JSON is parsed.
    pub(crate) fn json(&self, name: &str) -> Option<Value> {
        match self.get(name)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            other => Some(other.clone()),
        }
    }

    /// The uploaded file in the multipart part named `field`.
    pub(crate) fn file(&self, field: &str) -> Option<&RecordedFile> {
        self.files.iter().find(|f| f.field == field)
    }
}

/// Reads the parameters from the query string and the body.
///
/// # Errors
///
/// A Telegram-style description when the body cannot be read as its content type says.
pub(crate) async fn parse(
    query: Option<&str>,
    content_type: Option<&str>,
    body: Bytes,
) -> Result<Params, String> {
    let mut params = Params::default();
    if let Some(query) = query {
        for (name, value) in decode_form(query) {
            let value = field_value(&name, value);
            params.fields.insert(name, value);
        }
    }
    let raw_content_type = content_type.unwrap_or("");
    // Media types compare case-insensitively; the multipart boundary does not.
    let content_type = raw_content_type.to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        parse_multipart(boundary(raw_content_type)?, body, &mut params).await?;
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(&body);
        for (name, value) in decode_form(&text) {
            let value = field_value(&name, value);
            params.fields.insert(name, value);
        }
    } else if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => params.fields.extend(map),
            Ok(_) => return Err("Bad Request: parameters must be a JSON object".to_owned()),
            Err(e) => return Err(format!("Bad Request: can't parse JSON body: {e}")),
        }
    }
    Ok(params)
}

fn boundary(content_type: &str) -> Result<String, String> {
    multer::parse_boundary(content_type)
        .map_err(|e| format!("Bad Request: bad multipart body: {e}"))
}

async fn parse_multipart(boundary: String, body: Bytes, params: &mut Params) -> Result<(), String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let bad = |e: multer::Error| format!("Bad Request: bad multipart body: {e}");
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let is_file = file_name.is_some()
            || content_type
                .as_deref()
                .is_some_and(|ct| !ct.starts_with("text/plain"));
        let data = field.bytes().await.map_err(bad)?;
        if is_file {
            params.files.push(RecordedFile {
                field: name,
                file_name,
                content_type,
                data,
            });
        } else {
            let text = String::from_utf8_lossy(&data).into_owned();
            let value = field_value(&name, text);
            params.fields.insert(name, value);
        }
    }
    Ok(())
}

/// The JSON value of a text field: objects, arrays and booleans are parsed; integers are parsed
/// in `*_id` and counting fields; text-like fields stay strings.
pub(crate) fn field_value(name: &str, raw: String) -> Value {
    if STRING_FIELDS.contains(&name) {
        return Value::String(raw);
    }
    let trimmed = raw.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str(trimmed) {
            return value;
        }
    }
    match trimmed {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if name.ends_with("_id") || INT_FIELDS.contains(&name) {
        if let Ok(n) = trimmed.parse::<i64>() {
            return Value::from(n);
        }
    }
    Value::String(raw)
}

/// Splits `a=1&b=x+y` into decoded pairs.
pub(crate) fn decode_form(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded_and_typed() {
        let pairs = decode_form("chat_id=-100&text=1+%2B+1&reply_markup=%7B%22a%22%3A1%7D&x=%zz");
        let params: Map<String, Value> = pairs
            .into_iter()
            .map(|(k, v)| {
                let v = field_value(&k, v);
                (k, v)
            })
            .collect();
        assert_eq!(params["chat_id"], -100);
        assert_eq!(params["text"], "1 + 1");
        assert_eq!(params["reply_markup"]["a"], 1);
        assert_eq!(params["x"], "%zz");
    }

    #[test]
    fn text_fields_stay_strings() {
        assert_eq!(field_value("text", "42".to_owned()), "42");
        assert_eq!(field_value("callback_query_id", "42".to_owned()), "42");
        assert_eq!(field_value("message_id", "42".to_owned()), 42);
        assert_eq!(field_value("disable_notification", "true".to_owned()), true);
    }
}
