//! `SqliteStore`: the store in an embedded SQLite file (WAL, group commit, chosen durability).
//!
//! This file owns the public surface (the store, its builder, [`Durability`]); the pieces
//! live beside it: `schema.rs` (the file and its layout), `writer.rs` (the group-commit writer
//! thread), `readers.rs` (the read connections), `rows.rs` (reading a row without trusting it).

mod readers;
mod rows;
mod schema;
mod writer;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::oneshot;

use self::readers::Readers;
use self::writer::{Write, Writer};
use crate::{Entry, ScanPage, Store, StoreError, Version};

/// What a write has survived once its call returned: the durability of a [`SqliteStore`].
///
/// Both levels run SQLite in WAL mode; they differ in when the WAL is flushed to the disk
/// (`PRAGMA synchronous`). Both keep the file consistent (never corrupt) in every case below;
/// they differ in which *returned* writes may be lost.
///
/// | level | `synchronous` | process crash (panic, `SIGKILL`, OOM kill) | OS crash or power loss |
/// | --- | --- | --- | --- |
/// | [`ProcessCrash`](Self::ProcessCrash) | `NORMAL` | every returned write kept | the last writes before the crash may be lost (back to the last checkpoint's flush) |
/// | [`PowerLoss`](Self::PowerLoss) (default) | `FULL` | every returned write kept | every returned write kept, as far as the disk honours `fsync` |
///
/// With group commit the price of [`PowerLoss`](Self::PowerLoss) is one `fsync` per batch of
/// writes, not one per write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// `synchronous = NORMAL`: a commit is written to the WAL (the operating system holds it)
    /// before the call returns, but flushed to the disk only at checkpoints. A crash of the
    /// process loses nothing that was returned; a crash of the machine may lose the last
    /// commits (the file stays consistent).
    ProcessCrash,
    /// `synchronous = FULL`: every commit's WAL is flushed (`fsync`) before the call returns.
    /// A returned write survives a power loss.
    #[default]
    PowerLoss,
}

/// A store in an embedded SQLite file: state survives restarts with no server to run. The
/// production default on one machine.
///
/// - **WAL** mode; one table, keys as `BLOB` primary key (so a prefix scan is one range).
/// - **One writer**: a dedicated thread owns the write connection. It takes every write
///   waiting at that moment, applies each one (compare-and-set checked on its own) inside
///   **one transaction**, commits, and only then answers each caller: a returned write is
///   committed, at the chosen [`Durability`], and a batch costs one commit however many
///   writes it holds.
/// - **Reads never wait for the writer**: `get` and `scan` use a small pool of read-only
///   connections on tokio's blocking threads and see the last committed state.
/// - **TTL** as an absolute expiry time (unix milliseconds, the wall clock): an expired key
///   reads as absent at once; its row is deleted by the next write to it, or by a purge the
///   writer runs at most once a minute (up to 1000 rows per purge).
/// - **Never panics on the file**: a row that cannot be read is [`StoreError::Corrupt`]; an
///   SQLite failure is [`StoreError::Unavailable`] with the SQLite error as its source. A file
///   that is not a telegram-store database (another application's, a newer layout, not SQLite)
///   is refused at open and left untouched.
///
/// One process should open a file once and share the store (`Arc<dyn Store>`): two stores on
/// one file are correct (SQLite locks the file) but lose group commit between them.
///
/// # Examples
///
/// ```
/// use telegram_store::{Durability, SqliteStore, Store};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), telegram_store::StoreError> {
/// # let dir = std::env::temp_dir().join(format!("telegram-store-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).map_err(telegram_store::StoreError::unavailable)?;
/// # let path = dir.join("bot.db");
/// let store = SqliteStore::builder(&path)
///     .durability(Durability::ProcessCrash)
///     .open()?;
/// let v1 = store.put(b"chat:42:count", "1".into(), None, None).await?;
/// store.put(b"chat:42:count", "2".into(), Some(v1), None).await?;
/// drop(store);
///
/// // Another run of the bot: the value is there.
/// let store = SqliteStore::open(&path)?;
/// let entry = store.get(b"chat:42:count").await?.expect("written before");
/// assert_eq!((&entry.value[..], entry.version), (&b"2"[..], 2));
/// # drop(store); std::fs::remove_dir_all(&dir).ok();
/// # Ok(()) }
/// ```
pub struct SqliteStore {
    path: PathBuf,
    durability: Durability,
    writer: Writer,
    readers: Readers,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) the store in the file at `path`, with the defaults:
    /// [`Durability::PowerLoss`] and 4 read connections. See [`builder`](Self::builder).
    ///
    /// Blocks while it opens the file (and SQLite recovers its WAL after a crash): call it at
    /// start-up, or inside `spawn_blocking`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the file cannot be opened or created, is not an SQLite
    /// database, holds another application's database or a newer layout, or cannot use WAL.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::builder(path).open()
    }

    /// A builder for a store in the file at `path`: durability and read connections.
    pub fn builder(path: impl AsRef<Path>) -> SqliteStoreBuilder {
        SqliteStoreBuilder {
            path: path.as_ref().to_owned(),
            durability: Durability::default(),
            readers: 4,
        }
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How durable a returned write is.
    pub fn durability(&self) -> Durability {
        self.durability
    }
}

/// Opens a [`SqliteStore`] with chosen settings. Made by [`SqliteStore::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SqliteStoreBuilder {
    path: PathBuf,
    durability: Durability,
    readers: usize,
}

impl SqliteStoreBuilder {
    /// How durable a returned write is (default [`Durability::PowerLoss`]).
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// How many read-only connections serve `get` and `scan` at once (default 4, at least 1).
    pub fn readers(mut self, readers: usize) -> Self {
        self.readers = readers.max(1);
        self
    }

    /// Opens the store. See [`SqliteStore::open`].
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open`].
    pub fn open(self) -> Result<SqliteStore, StoreError> {
        let conn = schema::open_writer(&self.path, self.durability)?;
        let readers = Readers::open(&self.path, self.readers)?;
        let writer = Writer::spawn(conn)?;
        tracing::debug!(path = %self.path.display(), durability = ?self.durability, "sqlite store opened");
        Ok(SqliteStore {
            path: self.path,
            durability: self.durability,
            writer,
            readers,
        })
    }
}

/// # Cancel safety
///
/// `put` and `delete` hand their write to the writer thread: if the future is dropped after
/// that, the write may still be committed. Read the key again to know.
#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        self.readers.get(key).await
    }

    async fn put(
        &self,
        key: &[u8],
        value: Bytes,
        expected: Option<Version>,
        ttl: Option<Duration>,
    ) -> Result<Version, StoreError> {
        let (reply, answer) = oneshot::channel();
        let write = Write::Put {
            key: key.to_vec(),
            value,
            expected,
            ttl,
            reply,
        };
        self.writer.submit(write, answer).await
    }

    async fn delete(&self, key: &[u8], expected: Version) -> Result<bool, StoreError> {
        let (reply, answer) = oneshot::channel();
        let write = Write::Delete {
            key: key.to_vec(),
            expected,
            reply,
        };
        self.writer.submit(write, answer).await
    }

    async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        self.readers.scan(prefix, after, limit).await
    }
}
