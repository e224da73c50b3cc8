//! Downloading files: `{api_url}/file/bot{token}/{file_path}`, streamed chunk by chunk into a
//! writer. Downloads are not retried.

use futures_util::StreamExt;
use telegram_types::File;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::Bot;
use crate::error::Error;
use crate::payload::decode_envelope;

/// How much of an error answer's body is read to explain it.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

impl Bot {
    /// Downloads `file` (as returned by `getFile`) into `writer`; returns the bytes written.
    ///
    /// # Errors
    ///
    /// [`Error::MissingFilePath`] when `file` has no `file_path`; otherwise as
    /// [`download_path`](Self::download_path).
    pub async fn download<W>(&self, file: &File, writer: W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin,
    {
        let path = file.file_path.as_deref().ok_or(Error::MissingFilePath)?;
        self.download_path(path, writer).await
    }

    /// Downloads the file at `file_path` into `writer`, chunk by chunk; returns the bytes
    /// written. The writer is flushed at the end.
    ///
    /// # Errors
    ///
    /// A transport failure; an error answer ([`Error::Api`] when the server explains it,
    /// [`Error::Decode`] otherwise); [`Error::Io`] when the writer fails.
    pub async fn download_path<W>(&self, file_path: &str, mut writer: W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin,
    {
        let response = self.transport().download(self.file_url(file_path)).await?;
        let mut body = response.body;
        if !(200..300).contains(&response.status) {
            let mut collected = Vec::new();
            while let Some(chunk) = body.next().await {
                collected.extend_from_slice(&chunk?);
                if collected.len() >= ERROR_BODY_LIMIT {
                    break;
                }
            }
            return Err(error_answer(response.status, collected));
        }
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(Error::Io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(Error::Io)?;
        Ok(written)
    }
}

fn error_answer(status: u16, body: Vec<u8>) -> Error {
    match decode_envelope::<serde_json::Value>(&body) {
        Ok(Err(api)) => Error::from_response(api),
        Ok(Ok(_)) => Error::Api {
            error_code: i64::from(status),
            description: format!("download answered {status}"),
            retry_after: None,
            migrate_to_chat_id: None,
        },
        Err(error) => Error::Decode {
            error,
            status,
            body: body.into(),
        },
    }
}
