//! Encoding a payload: JSON when it carries no upload, multipart otherwise.
//!
//! Top-level uploads are sent as a part under the parameter's own name (`photo=<file>`, as
//! Telegram expects); nested ones (media groups, thumbnails) as parts named by their attach
//! name, which the JSON refers to as `attach://name`. Other parameters become text fields:
//! strings raw, everything else JSON-encoded.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use telegram_types::input_file::to_value_with_uploads;
use telegram_types::json;

use crate::error::{EncodeError, Error};
use crate::transport::{FilePart, Multipart, RequestBody};

/// The body of a call carrying `payload`.
pub(crate) fn encode<P: Serialize>(payload: &P) -> Result<RequestBody, Error> {
    // The fast path: nearly every call carries no upload, and then this succeeds.
    let json_error = match json::to_vec(payload) {
        Ok(bytes) => return Ok(RequestBody::Json(bytes.into())),
        Err(e) => e,
    };
    let (value, uploads) =
        to_value_with_uploads(payload).map_err(|e| Error::Encode(EncodeError::SerdeJson(e)))?;
    if uploads.is_empty() {
        return Err(Error::Encode(EncodeError::Json(json_error)));
    }
    let Value::Object(params) = value else {
        return Err(Error::Encode(EncodeError::NotAnObject));
    };
    let attach_names: HashMap<&str, usize> = uploads
        .iter()
        .enumerate()
        .map(|(i, u)| (u.name.as_str(), i))
        .collect();
    let mut part_names: Vec<Option<String>> = vec![None; uploads.len()];
    let mut multipart = Multipart::default();
    for (key, value) in params {
        let top_level = value
            .as_str()
            .and_then(|s| s.strip_prefix("attach://"))
            .and_then(|name| attach_names.get(name).copied());
        match (top_level, value) {
            (Some(index), _) => part_names[index] = Some(key),
            (None, Value::String(text)) => multipart.fields.push((key, text)),
            (None, Value::Null) => {}
            (None, other) => multipart.fields.push((key, other.to_string())),
        }
    }
    for (upload, part_name) in uploads.into_iter().zip(part_names) {
        multipart.files.push(FilePart {
            name: part_name.unwrap_or(upload.name),
            file_name: upload.upload.file_name,
            source: upload.upload.source,
        });
    }
    Ok(RequestBody::Multipart(multipart))
}

#[cfg(test)]
mod tests {
    use super::*;
    use telegram_types::methods::{SendMediaGroup, SendMessage, SendPhoto};
    use telegram_types::{InputFile, InputMedia, InputMediaPhoto};

    #[test]
    fn plain_payloads_are_json() {
        let RequestBody::Json(bytes) = encode(&SendMessage::new(1, "hi")).unwrap() else {
            panic!("expected json");
        };
        assert_eq!(&bytes[..], br#"{"chat_id":1,"text":"hi"}"#);
    }

    #[test]
    fn a_top_level_upload_is_a_part_named_after_its_parameter() {
        let payload = SendPhoto::new(1, InputFile::bytes("a.jpg", vec![1])).caption("c \"quoted\"");
        let RequestBody::Multipart(m) = encode(&payload).unwrap() else {
            panic!("expected multipart");
        };
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].name, "photo");
        assert!(m
            .fields
            .contains(&("caption".into(), "c \"quoted\"".into())));
        assert!(m.fields.contains(&("chat_id".into(), "1".into())));
        assert!(!m.fields.iter().any(|(k, _)| k == "photo"));
    }

    #[test]
    fn nested_uploads_are_parts_named_by_their_attach_name() {
        let media = vec![
            InputMedia::Photo(InputMediaPhoto::new(InputFile::bytes("a.jpg", vec![1]))),
            InputMedia::Photo(InputMediaPhoto::new(InputFile::file_id("AAA"))),
        ];
        let RequestBody::Multipart(m) = encode(&SendMediaGroup::new(1, media)).unwrap() else {
            panic!("expected multipart");
        };
        assert_eq!(m.files[0].name, "file0");
        let (_, media) = m.fields.iter().find(|(k, _)| k == "media").unwrap();
        let media: Value = serde_json::from_str(media).unwrap();
        assert_eq!(media[0]["media"], "attach://file0");
        assert_eq!(media[1]["media"], "AAA");
    }
}
