//! Files and media: `sendPhoto`, `sendDocument` and the other single-file sends, `sendMediaGroup`
//! with `attach://` parts, and `getFile`. Uploaded bytes land in the server's `FileStore`, so a
//! later download returns them.

use serde_json::{json, Map, Value};

use super::messages::finish_message;
use super::{require_chat, ApiFailure, ApiOutcome, ApiResult};
use crate::files::StoredFile;
use crate::http::Params;
use crate::state::{Data, State};

/// One kind of media: the method's file parameter, the message field, the download folder.
#[derive(Debug, Clone, Copy)]
struct MediaKind {
    field: &'static str,
    dir: &'static str,
}

const KINDS: &[MediaKind] = &[
    MediaKind {
        field: "photo",
        dir: "photos",
    },
    MediaKind {
        field: "document",
        dir: "documents",
    },
    MediaKind {
        field: "audio",
        dir: "music",
    },
    MediaKind {
        field: "video",
        dir: "videos",
    },
    MediaKind {
        field: "voice",
        dir: "voice",
    },
    MediaKind {
        field: "animation",
        dir: "animations",
    },
    MediaKind {
        field: "sticker",
        dir: "stickers",
    },
    MediaKind {
        field: "video_note",
        dir: "video_notes",
    },
];

/// The media kind of a lowercased `send<kind>` method name.
fn kind_of_method(method: &str) -> Option<MediaKind> {
    let name = method.strip_prefix("send")?;
    KINDS
        .iter()
        .copied()
        .find(|k| k.field.replace('_', "") == name)
}

/// Is this lowercased method a single-file send this module handles?
pub(super) fn is_media_method(method: &str) -> bool {
    kind_of_method(method).is_some()
}

/// `sendPhoto`, `sendDocument`, `sendAudio`, `sendVideo`, `sendVoice`, `sendAnimation`,
/// `sendSticker`, `sendVideoNote`.
pub(super) fn send_media(state: &State, method: &str, params: &Params) -> ApiOutcome {
    let kind =
        kind_of_method(method).ok_or_else(|| ApiFailure::bad_request("unsupported media"))?;
    state.update(|data| {
        let chat_id = require_chat(data, params)?;
        let reference = params.text(kind.field);
        let file = resolve(
            data,
            params,
            kind,
            reference.as_deref(),
            params.file(kind.field),
        )?;
        let mut message = data
            .chats
            .new_message(chat_id, &state.bot_user)
            .ok_or_else(|| ApiFailure::bad_request("chat not found"))?;
        insert_media(&mut message, kind, &file);
        insert_caption(
            &mut message,
            params.text("caption"),
            params.json("caption_entities"),
        );
        finish_message(data, chat_id, message, params)
    })
}

/// `sendMediaGroup`: `media` is a JSON array of `InputMedia`; `attach://<name>` points at a
/// multipart part. All files are resolved before any message is created.
pub(super) fn send_media_group(state: &State, params: &Params) -> ApiOutcome {
    state.update(|data| {
        let chat_id = require_chat(data, params)?;
        let items = match params.json("media") {
            Some(Value::Array(items)) => items,
            _ => return Err(ApiFailure::bad_request("media is empty")),
        };
        if !(2..=10).contains(&items.len()) {
            return Err(ApiFailure::bad_request(
                "media group must include 2-10 items",
            ));
        }
        let mut resolved = Vec::with_capacity(items.len());
        for item in &items {
            let kind_name = item.get("type").and_then(Value::as_str).unwrap_or_default();
            let kind = KINDS
                .iter()
                .copied()
                .find(|k| {
                    k.field == kind_name
                        && matches!(k.field, "photo" | "video" | "document" | "audio")
                })
                .ok_or_else(|| ApiFailure::bad_request("unsupported media type in the group"))?;
            let reference = item.get("media").and_then(Value::as_str);
            resolved.push((kind, resolve(data, params, kind, reference, None)?, item));
        }
        let group_id = format!("{}", 13_000_000_000_000_000_u64 + data.next_serial());
        let mut messages = Vec::with_capacity(resolved.len());
        for (kind, file, item) in resolved {
            let mut message = data
                .chats
                .new_message(chat_id, &state.bot_user)
                .ok_or_else(|| ApiFailure::bad_request("chat not found"))?;
            message.insert("media_group_id".to_owned(), Value::String(group_id.clone()));
            insert_media(&mut message, kind, &file);
            let caption = item
                .get("caption")
                .and_then(Value::as_str)
                .map(str::to_owned);
            insert_caption(&mut message, caption, item.get("caption_entities").cloned());
            match finish_message(data, chat_id, message, params)? {
                ApiResult::Json(message) => messages.push(message),
                ApiResult::Raw(_) => {}
            }
        }
        Ok(ApiResult::Json(Value::Array(messages)))
    })
}

/// `getFile`.
pub(super) fn get_file(state: &State, params: &Params) -> ApiOutcome {
    let file_id = params.text("file_id").unwrap_or_default();
    let data = state.read();
    let file = data
        .files
        .get(&file_id)
        .ok_or_else(|| ApiFailure::bad_request("invalid file_id"))?;
    Ok(ApiResult::Json(file.to_file_json()))
}

/// Finds the file a send refers to: an uploaded part, `attach://<part>`, an HTTP(S) URL (stored
/// empty) or a known `file_id`.
fn resolve(
    data: &mut Data,
    params: &Params,
    kind: MediaKind,
    reference: Option<&str>,
    upload: Option<&crate::record::RecordedFile>,
) -> Result<StoredFile, ApiFailure> {
    let wrong = || ApiFailure::bad_request("wrong file identifier/HTTP URL specified");
    let upload = match (upload, reference) {
        (Some(upload), _) => Some(upload),
        (None, Some(reference)) if reference.starts_with("attach://") => Some(
            params
                .file(&reference["attach://".len()..])
                .ok_or_else(wrong)?,
        ),
        _ => None,
    };
    if let Some(upload) = upload {
        let mime = upload
            .content_type
            .clone()
            .or_else(|| (kind.field == "photo").then(|| "image/jpeg".to_owned()));
        return Ok(data.files.insert(
            kind.dir,
            upload.data.clone(),
            upload.file_name.clone(),
            mime,
        ));
    }
    match reference {
        None | Some("") => Err(ApiFailure::bad_request(&format!(
            "there is no {} in the request",
            kind.field
        ))),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            let name = url
                .rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            Ok(data.files.insert(kind.dir, bytes::Bytes::new(), name, None))
        }
        Some(file_id) => data.files.get(file_id).cloned().ok_or_else(wrong),
    }
}

/// The message field for `kind` (`photo` is an array of sizes).
fn insert_media(message: &mut Map<String, Value>, kind: MediaKind, file: &StoredFile) {
    let mut object = json!({
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.data.len(),
    });
    let extra = match kind.field {
        "photo" => json!({"width": 800, "height": 600}),
        "video" | "animation" => json!({"width": 640, "height": 360, "duration": 1}),
        "audio" | "voice" => json!({"duration": 1}),
        "video_note" => json!({"length": 240, "duration": 1}),
        "sticker" => {
            json!({"type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false})
        }
        _ => json!({}),
    };
    if let (Value::Object(target), Value::Object(extra)) = (&mut object, extra) {
        target.extend(extra);
        if matches!(kind.field, "document" | "audio" | "video" | "animation") {
            if let Some(name) = &file.file_name {
                target.insert("file_name".to_owned(), Value::String(name.clone()));
            }
        }
        if kind.field != "photo" && kind.field != "sticker" {
            if let Some(mime) = &file.mime_type {
                target.insert("mime_type".to_owned(), Value::String(mime.clone()));
            }
        }
    }
    if kind.field == "photo" {
        message.insert("photo".to_owned(), Value::Array(vec![object]));
    } else {
        if kind.field == "animation" {
            message.insert("document".to_owned(), object.clone());
        }
        message.insert(kind.field.to_owned(), object);
    }
}

fn insert_caption(
    message: &mut Map<String, Value>,
    caption: Option<String>,
    entities: Option<Value>,
) {
    if let Some(caption) = caption.filter(|c| !c.is_empty()) {
        message.insert("caption".to_owned(), Value::String(caption));
        if let Some(entities) = entities.filter(Value::is_array) {
            message.insert("caption_entities".to_owned(), entities);
        }
    }
}
