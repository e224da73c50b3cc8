//! `InputFile`: a file to send, by reference (file id, URL) or as an upload.
//!
//! The upload itself is the transport's job. This module only names the bytes and, when a
//! payload is encoded for a multipart request ([`to_value_with_uploads`]), swaps each upload for
//! an `attach://<name>` reference and hands the uploads to the caller.

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_core::Stream;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A stream of file chunks, for uploads that should not be read into memory first.
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// A file to send.
///
/// ```
/// use telegram_types::InputFile;
///
/// let by_id = InputFile::file_id("AgACAgIAAxkBAAIB");
/// let by_url = InputFile::url("https://example.com/cat.jpg");
/// let from_disk = InputFile::path("cat.jpg");
/// let in_memory = InputFile::bytes("report.csv", b"a,b\n1,2\n".to_vec());
/// # let _ = (by_id, by_url, from_disk, in_memory);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum InputFile {
    /// A file already on Telegram's servers, by its `file_id`.
    FileId(String),
    /// A URL Telegram fetches the file from.
    Url(String),
    /// A new file, uploaded with the request.
    Upload(Upload),
    /// A part of the same multipart request, referenced as `attach://<name>`.
    Attach(String),
}

/// A new file to upload: a file name and where its bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// The file name Telegram is told.
    pub file_name: String,
    /// Where the bytes come from.
    pub source: UploadSource,
}

/// Where an upload's bytes come from.
#[derive(Clone)]
pub enum UploadSource {
    /// A file on disk, streamed by the transport.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Bytes),
    /// A stream, read once: a request carrying it cannot be sent twice.
    Stream(SharedStream),
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Path(path) => f.debug_tuple("Path").field(path).finish(),
            UploadSource::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            UploadSource::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

impl PartialEq for UploadSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (UploadSource::Path(a), UploadSource::Path(b)) => a == b,
            (UploadSource::Bytes(a), UploadSource::Bytes(b)) => a == b,
            (UploadSource::Stream(a), UploadSource::Stream(b)) => Arc::ptr_eq(&a.0, &b.0),
            _ => false,
        }
    }
}

/// A stream that clones share; the first [`take`](SharedStream::take) gets it.
#[derive(Clone)]
pub struct SharedStream(Arc<Mutex<Option<ByteStream>>>);

impl SharedStream {
    /// Wraps a stream.
    pub fn new(stream: ByteStream) -> Self {
        SharedStream(Arc::new(Mutex::new(Some(stream))))
    }

    /// Takes the stream out; `None` when it was taken before (the request was already sent).
    pub fn take(&self) -> Option<ByteStream> {
        self.0.lock().map(|mut s| s.take()).unwrap_or(None)
    }
}

impl fmt::Debug for SharedStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedStream(..)")
    }
}

impl InputFile {
    /// A file already on Telegram's servers.
    pub fn file_id(id: impl Into<String>) -> Self {
        InputFile::FileId(id.into())
    }

    /// A file Telegram downloads from `url`.
    pub fn url(url: impl Into<String>) -> Self {
        InputFile::Url(url.into())
    }

    /// A file on disk, uploaded under its own file name.
    pub fn path(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
        InputFile::Upload(Upload {
            file_name,
            source: UploadSource::Path(path.to_path_buf()),
        })
    }

    /// Bytes in memory, uploaded as `file_name`.
    pub fn bytes(file_name: impl Into<String>, data: impl Into<Bytes>) -> Self {
        InputFile::Upload(Upload {
            file_name: file_name.into(),
            source: UploadSource::Bytes(data.into()),
        })
    }

    /// A stream of chunks, uploaded as `file_name` without being read into memory.
    pub fn stream(file_name: impl Into<String>, stream: ByteStream) -> Self {
        InputFile::Upload(Upload {
            file_name: file_name.into(),
            source: UploadSource::Stream(SharedStream::new(stream)),
        })
    }

    /// A reference to the part `name` of the same multipart request.
    pub fn attach(name: impl Into<String>) -> Self {
        InputFile::Attach(name.into())
    }

    /// Whether sending this needs a multipart request.
    pub fn is_upload(&self) -> bool {
        matches!(self, InputFile::Upload(_))
    }
}

impl From<Upload> for InputFile {
    fn from(upload: Upload) -> Self {
        InputFile::Upload(upload)
    }
}

thread_local! {
    /// The uploads met while encoding a payload for a multipart request.
    static COLLECTOR: RefCell<Option<Vec<AttachedUpload>>> = const { RefCell::new(None) };
}

/// An upload taken out of a payload: its part name (the `name` of `attach://name`) and the file.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachedUpload {
    /// The multipart part name.
    pub name: String,
    /// The file.
    pub upload: Upload,
}

/// Encodes `payload` as a JSON value for a multipart request: every [`InputFile::Upload`] in it
/// becomes `"attach://fileN"` and is returned beside the value, in order.
///
/// # Errors
///
/// The payload cannot be encoded as JSON.
pub fn to_value_with_uploads<T: Serialize + ?Sized>(
    payload: &T,
) -> Result<(serde_json::Value, Vec<AttachedUpload>), serde_json::Error> {
    let previous = COLLECTOR.with(|c| c.replace(Some(Vec::new())));
    let value = serde_json::to_value(payload);
    let uploads = COLLECTOR.with(|c| c.replace(previous)).unwrap_or_default();
    value.map(|v| (v, uploads))
}

impl Serialize for InputFile {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            InputFile::FileId(id) => serializer.serialize_str(id),
            InputFile::Url(url) => serializer.serialize_str(url),
            InputFile::Attach(name) => serializer.serialize_str(&format!("attach://{name}")),
            InputFile::Upload(upload) => {
                let name = COLLECTOR.with(|c| {
                    c.borrow_mut().as_mut().map(|uploads| {
                        let name = format!("file{}", uploads.len());
                        uploads.push(AttachedUpload {
                            name: name.clone(),
                            upload: upload.clone(),
                        });
                        name
                    })
                });
                match name {
                    Some(name) => serializer.serialize_str(&format!("attach://{name}")),
                    None => Err(serde::ser::Error::custom(
                        "a file upload can only be sent in a multipart request (see input_file::to_value_with_uploads)",
                    )),
                }
            }
        }
    }
}

impl<'de> Deserialize<'de> for InputFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InputFileVisitor;
        impl Visitor<'_> for InputFileVisitor {
            type Value = InputFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file id, a URL or an attach:// reference")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<InputFile, E> {
                Ok(if let Some(name) = v.strip_prefix("attach://") {
                    InputFile::Attach(name.to_owned())
                } else if v.starts_with("http://") || v.starts_with("https://") {
                    InputFile::Url(v.to_owned())
                } else {
                    InputFile::FileId(v.to_owned())
                })
            }
        }
        deserializer.deserialize_str(InputFileVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::{SendDocument, SendPhoto};

    #[test]
    fn references_encode_as_strings() {
        let payload = SendPhoto::new(1, InputFile::file_id("AAA"));
        assert_eq!(
            crate::json::to_vec(&payload).unwrap(),
            br#"{"chat_id":1,"photo":"AAA"}"#
        );
    }

    #[test]
    fn an_upload_outside_multipart_is_a_clear_error() {
        let payload = SendPhoto::new(1, InputFile::bytes("a.jpg", vec![1, 2, 3]));
        let err = crate::json::to_vec(&payload).unwrap_err();
        // Display is one level ("invalid json"); the reason is the source.
        let reason = std::error::Error::source(&err).map(ToString::to_string);
        assert!(reason.is_some_and(|r| r.contains("multipart")), "{err}");
    }

    #[test]
    fn uploads_are_collected_and_replaced_by_attach_references() {
        let payload = SendDocument::new(1, InputFile::bytes("a.pdf", vec![1, 2, 3]))
            .thumbnail(InputFile::bytes("t.jpg", vec![4]));
        let (value, uploads) = to_value_with_uploads(&payload).unwrap();
        assert_eq!(value["document"], "attach://file0");
        assert_eq!(value["thumbnail"], "attach://file1");
        assert_eq!(uploads.len(), 2);
        assert_eq!(uploads[1].upload.file_name, "t.jpg");
    }

    #[test]
    fn decodes_each_reference_kind() {
        let decode = |s: &str| {
            serde_json::from_value::<InputFile>(serde_json::Value::String(s.into())).unwrap()
        };
        assert_eq!(decode("attach://x"), InputFile::Attach("x".into()));
        assert_eq!(
            decode("https://a/b.jpg"),
            InputFile::Url("https://a/b.jpg".into())
        );
        assert_eq!(decode("AgAD"), InputFile::FileId("AgAD".into()));
    }
}
