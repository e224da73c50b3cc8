//! `multipart/form-data` encoding: text fields and files, with files streamed from disk or from
//! a stream chunk by chunk, never read whole into memory.

use std::fmt;
use std::io;
use std::path::Path;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use telegram_types::input_file::ByteStream;
use telegram_types::UploadSource;
use tokio_util::io::ReaderStream;

use crate::error::{TransportError, TransportErrorKind};

/// The parts of a `multipart/form-data` request.
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    /// Text fields, `(name, value)`: strings raw, other values JSON-encoded.
    pub fields: Vec<(String, String)>,
    /// File parts.
    pub files: Vec<FilePart>,
}

/// A file part: the field name, the file name, and where the bytes come from.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The part (field) name: the parameter name (`photo`) or an attach name (`file0`).
    pub name: String,
    /// The file name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// The bytes.
    pub source: UploadSource,
}

/// A multipart body ready to send.
pub struct EncodedMultipart {
    /// The `Content-Type` header value, with the boundary.
    pub content_type: String,
    /// The body's length, when every part's length is known up front (no stream uploads).
    pub content_length: Option<u64>,
    /// The body.
    pub body: ByteStream,
}

impl fmt::Debug for EncodedMultipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedMultipart")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl Multipart {
    /// Whether the body can be encoded again (no part streams from a read-once stream).
    pub fn is_replayable(&self) -> bool {
        !self
            .files
            .iter()
            .any(|f| matches!(f.source, UploadSource::Stream(_)))
    }

    /// Encodes the parts under a random boundary. Files on disk are opened here (so a missing
    /// file fails before anything is sent) and streamed as the body is read.
    ///
    /// # Errors
    ///
    /// [`TransportErrorKind::Upload`]: a file cannot be opened, or a stream was already taken.
    pub async fn encode(self) -> Result<EncodedMultipart, TransportError> {
        let boundary = format!("telegram-rs-{:032x}", rand::random::<u128>());
        let mut pieces: Vec<ByteStream> = Vec::new();
        let mut length = 0u64;
        let push = |pieces: &mut Vec<ByteStream>, length: &mut u64, bytes: Bytes| {
            *length += bytes.len() as u64;
            pieces.push(Box::pin(stream::once(async move { Ok(bytes) })));
        };
        for (name, value) in self.fields {
            let head = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                quote(&name)
            );
            push(&mut pieces, &mut length, Bytes::from(head));
            push(&mut pieces, &mut length, Bytes::from(value));
            push(&mut pieces, &mut length, Bytes::from_static(b"\r\n"));
        }
        let mut unknown_length = false;
        for file in self.files {
            let head = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                quote(&file.name),
                quote(&file.file_name),
                content_type(&file.file_name)
            );
            push(&mut pieces, &mut length, Bytes::from(head));
            match file.source {
                UploadSource::Bytes(bytes) => push(&mut pieces, &mut length, bytes),
                UploadSource::Path(path) => {
                    let (stream, len) = open(&path).await?;
                    length += len;
                    pieces.push(stream);
                }
                UploadSource::Stream(shared) => {
                    let stream = shared.take().ok_or_else(|| {
                        TransportError::new(
                            TransportErrorKind::Upload,
                            format!("the stream upload `{}` was already sent", file.file_name),
                        )
                    })?;
                    unknown_length = true;
                    pieces.push(stream);
                }
            }
            push(&mut pieces, &mut length, Bytes::from_static(b"\r\n"));
        }
        push(
            &mut pieces,
            &mut length,
            Bytes::from(format!("--{boundary}--\r\n")),
        );
        Ok(EncodedMultipart {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            content_length: (!unknown_length).then_some(length),
            body: Box::pin(stream::iter(pieces).flatten()),
        })
    }
}

async fn open(path: &Path) -> Result<(ByteStream, u64), TransportError> {
    let upload_error = |e: io::Error| {
        TransportError::new(
            TransportErrorKind::Upload,
            io::Error::new(e.kind(), format!("{}: {e}", path.display())),
        )
    };
    let file = tokio::fs::File::open(path).await.map_err(upload_error)?;
    let len = file.metadata().await.map_err(upload_error)?.len();
    Ok((Box::pin(ReaderStream::with_capacity(file, 64 * 1024)), len))
}

/// A header parameter value: quotes and line breaks escaped as browsers do.
fn quote(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The part's content type, from the file name's extension.
fn content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" => "audio/ogg",
        "m4a" => "audio/mp4",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "tgs" => "application/x-tgsticker",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    #[tokio::test]
    async fn encodes_fields_and_files_with_a_known_length() {
        let multipart = Multipart {
            fields: vec![("chat_id".into(), "42".into())],
            files: vec![FilePart {
                name: "photo".into(),
                file_name: "cat \"1\".jpg".into(),
                source: UploadSource::Bytes(Bytes::from_static(b"JPEG")),
            }],
        };
        let encoded = multipart.encode().await.unwrap();
        let body: Vec<Bytes> = encoded.body.try_collect().await.unwrap();
        let body = body.concat();
        assert_eq!(encoded.content_length, Some(body.len() as u64));
        let text = String::from_utf8(body).unwrap();
        let boundary = encoded.content_type.split("boundary=").nth(1).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"chat_id\"\r\n\r\n42\r\n"));
        assert!(text
            .contains("filename=\"cat %221%22.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJPEG\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[tokio::test]
    async fn a_missing_file_fails_before_sending() {
        let multipart = Multipart {
            fields: vec![],
            files: vec![FilePart {
                name: "document".into(),
                file_name: "x".into(),
                source: UploadSource::Path("/definitely/not/here".into()),
            }],
        };
        let err = multipart.encode().await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Upload);
    }
}
