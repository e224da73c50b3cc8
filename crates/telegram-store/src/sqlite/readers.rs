//! The readers: a small pool of read-only connections used on tokio's blocking threads. In WAL
//! mode a reader sees the last committed state and never waits for the writer (nor the writer
//! for it), so `get` and `scan` run while a batch is being written.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::Semaphore;

use super::{rows, schema};
use crate::store::prefix_successor;
use crate::{Entry, ScanPage, StoreError};

/// Read-only connections, each used by one read at a time.
#[derive(Debug)]
pub(super) struct Readers {
    /// Connections not in use; a read holds a permit of `permits` while it holds one.
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    /// Opens `count` (at least one) read-only connections to `path`.
    pub(super) fn open(path: &Path, count: usize) -> Result<Self, StoreError> {
        let count = count.max(1);
        let idle = (0..count)
            .map(|_| schema::open_reader(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Readers {
            idle: Arc::new(Mutex::new(idle)),
            permits: Arc::new(Semaphore::new(count)),
        })
    }

    /// What `key` holds, if it exists and has not expired.
    pub(super) async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        let key = key.to_vec();
        self.with_connection(move |conn| get(conn, &key)).await
    }

    /// One page of live keys starting with `prefix`, strictly after `after`.
    pub(super) async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        let range = KeyRange::new(prefix, after);
        self.with_connection(move |conn| scan(conn, &range, limit.max(1)))
            .await
    }

    /// Runs `read` on an idle connection on a blocking thread.
    async fn with_connection<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(StoreError::unavailable)?;
        let idle = Arc::clone(&self.idle);
        tokio::task::spawn_blocking(move || {
            let conn = take(&idle)?;
            let result = read(&conn);
            give_back(&idle, conn);
            drop(permit);
            result
        })
        .await
        .map_err(StoreError::unavailable)?
    }
}

fn take(idle: &Mutex<Vec<Connection>>) -> Result<Connection, StoreError> {
    // The permit guarantees an idle connection; a poisoned lock or an empty pool (a panic in a
    // read) makes the store unavailable rather than panic again.
    idle.lock()
        .map_err(|_| StoreError::unavailable("sqlite reader pool poisoned"))?
        .pop()
        .ok_or_else(|| StoreError::unavailable("no idle sqlite reader connection"))
}

fn give_back(idle: &Mutex<Vec<Connection>>, conn: Connection) {
    if let Ok(mut idle) = idle.lock() {
        idle.push(conn);
    }
}

fn get(conn: &Connection, key: &[u8]) -> Result<Option<Entry>, StoreError> {
    let now = rows::now_ms();
    let mut select = conn
        .prepare_cached("SELECT expires_at, value, version FROM entries WHERE key = ?1")
        .map_err(StoreError::unavailable)?;
    let found = select
        .query_row([key], |row| {
            Ok(match rows::is_live(key, row.get_ref(0)?, now) {
                Ok(true) => rows::entry(key, row, 1).map(Some),
                Ok(false) => Ok(None),
                Err(corrupt) => Err(corrupt),
            })
        })
        .optional()
        .map_err(StoreError::unavailable)?;
    found.unwrap_or(Ok(None))
}

fn scan(conn: &Connection, range: &KeyRange, limit: usize) -> Result<ScanPage, StoreError> {
    let now = rows::now_ms();
    let mut select = conn
        .prepare_cached(range.sql())
        .map_err(StoreError::unavailable)?;
    let limit_param = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut found = match &range.end {
        Some(end) => select.query(params![range.start, now, limit_param, end]),
        None => select.query(params![range.start, now, limit_param]),
    }
    .map_err(StoreError::unavailable)?;
    let mut entries = Vec::new();
    while let Some(row) = found.next().map_err(StoreError::unavailable)? {
        let key = rows::key(row, 0)?;
        let entry = rows::entry(&key, row, 1)?;
        entries.push((key, entry));
    }
    let next = (entries.len() == limit)
        .then(|| entries.last().map(|(key, _)| key.clone()))
        .flatten();
    Ok(ScanPage { entries, next })
}

/// The keys a scan covers, as a range of the primary key: from the prefix (or strictly after
/// the cursor) to the first key past the prefix (none when the prefix is all 0xFF).
#[derive(Debug)]
struct KeyRange {
    start: Vec<u8>,
    start_inclusive: bool,
    end: Option<Vec<u8>>,
}

impl KeyRange {
    fn new(prefix: &[u8], after: Option<&[u8]>) -> Self {
        let (start, start_inclusive) = match after {
            Some(after) if after >= prefix => (after.to_vec(), false),
            _ => (prefix.to_vec(), true),
        };
        KeyRange {
            start,
            start_inclusive,
            end: prefix_successor(prefix),
        }
    }

    /// The query for this range's shape; `?1` start, `?2` now, `?3` limit, `?4` end.
    fn sql(&self) -> &'static str {
        match (self.start_inclusive, self.end.is_some()) {
            (true, true) => {
                "SELECT key, value, version FROM entries
                 WHERE key >= ?1 AND key < ?4 AND (expires_at IS NULL OR expires_at > ?2)
                 ORDER BY key LIMIT ?3"
            }
            (true, false) => {
                "SELECT key, value, version FROM entries
                 WHERE key >= ?1 AND (expires_at IS NULL OR expires_at > ?2)
                 ORDER BY key LIMIT ?3"
            }
            (false, true) => {
                "SELECT key, value, version FROM entries
                 WHERE key > ?1 AND key < ?4 AND (expires_at IS NULL OR expires_at > ?2)
                 ORDER BY key LIMIT ?3"
            }
            (false, false) => {
                "SELECT key, value, version FROM entries
                 WHERE key > ?1 AND (expires_at IS NULL OR expires_at > ?2)
                 ORDER BY key LIMIT ?3"
            }
        }
    }
}
