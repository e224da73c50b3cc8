//! Files the fake server knows: uploads from the bot, files sent by simulated users. Gives each
//! a `file_id`, a `file_unique_id` and a `file_path` for `getFile` and the download URL.

use std::collections::HashMap;

use bytes::Bytes;
use serde_json::{json, Value};

/// A stored file.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) file_id: String,
    pub(crate) file_unique_id: String,
    pub(crate) file_path: String,
    pub(crate) data: Bytes,
    pub(crate) file_name: Option<String>,
    pub(crate) mime_type: Option<String>,
}

impl StoredFile {
    /// The `File` object `getFile` answers.
    pub(crate) fn to_file_json(&self) -> Value {
        json!({
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.data.len(),
            "file_path": self.file_path,
        })
    }
}

/// Every file of a server, by id and by path.
#[derive(Debug, Default)]
pub(crate) struct FileStore {
    by_id: HashMap<String, StoredFile>,
    by_path: HashMap<String, String>,
    next: u64,
}

impl FileStore {
    /// Stores `data` under a fresh id; `dir` is the path folder (`photos`, `documents`, …).
    pub(crate) fn insert(
        &mut self,
        dir: &str,
        data: Bytes,
        file_name: Option<String>,
        mime_type: Option<String>,
    ) -> StoredFile {
        self.next += 1;
        let n = self.next;
        let ext = file_name
            .as_deref()
            .and_then(|name| name.rsplit_once('.'))
            .map(|(_, ext)| ext.to_owned())
            .unwrap_or_else(|| {
                if dir == "photos" {
                    "jpg".to_owned()
                } else {
                    "bin".to_owned()
                }
            });
        let file = StoredFile {
            file_id: format!("FAKE{}-{n}", dir.to_ascii_uppercase()),
            file_unique_id: format!("U{n}"),
            file_path: format!("{dir}/file_{n}.{ext}"),
            data,
            file_name,
            mime_type,
        };
        self.by_path
            .insert(file.file_path.clone(), file.file_id.clone());
        self.by_id.insert(file.file_id.clone(), file.clone());
        file
    }

    /// A file by `file_id`.
    pub(crate) fn get(&self, file_id: &str) -> Option<&StoredFile> {
        self.by_id.get(file_id)
    }

    /// A file by `file_path` (the download URL's tail).
    pub(crate) fn by_path(&self, path: &str) -> Option<&StoredFile> {
        self.get(self.by_path.get(path)?)
    }
}
