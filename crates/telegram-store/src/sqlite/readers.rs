//! The readers: a few threads, each owning a read-only connection and serving the reads
//! queued to it. In WAL mode a reader sees the last committed state and never waits for the
//! writer (nor the writer for it), so `get` and `scan` run while a batch is being written.
//!
//! Dedicated threads rather than `spawn_blocking` per read: a busy reader thread takes the
//! next read without a hand-off to tokio's blocking pool (measured in the `store` bench).

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use super::{rows, schema};
use crate::store::prefix_successor;
use crate::{Entry, ScanPage, StoreError};

/// Reads queued to one reader thread before callers wait for room.
const QUEUE: usize = 256;

/// A read for a reader thread: runs on its connection and sends its own answer.
type Job = Box<dyn FnOnce(&Connection) + Send>;

/// The reader threads' queues. Dropping it ends the threads once their queues are empty.
pub(super) struct Readers {
    queues: Vec<mpsc::Sender<Job>>,
    /// Where the search for the least busy queue starts, so ties rotate.
    next: AtomicUsize,
}

impl fmt::Debug for Readers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readers")
            .field("threads", &self.queues.len())
            .finish_non_exhaustive()
    }
}

impl Readers {
    /// Opens `count` (at least one) read-only connections to `path`, a thread for each.
    pub(super) fn open(path: &Path, count: usize) -> Result<Self, StoreError> {
        let queues = (0..count.max(1))
            .map(|index| spawn_reader(path, index))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Readers {
            queues,
            next: AtomicUsize::new(0),
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

    /// Runs `read` on the least busy reader thread and waits for its answer.
    async fn with_connection<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // A caller that stopped waiting needs no answer.
            let _ = reply.send(read(conn));
        });
        self.least_busy().send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    fn least_busy(&self) -> &mpsc::Sender<Job> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.queues.len();
        (0..count)
            .map(|offset| &self.queues[(start + offset) % count])
            .max_by_key(|queue| queue.capacity())
            .unwrap_or(&self.queues[0])
    }
}

fn stopped() -> StoreError {
    StoreError::unavailable("an sqlite reader thread has stopped")
}

/// Opens a connection and starts the thread serving it.
fn spawn_reader(path: &Path, index: usize) -> Result<mpsc::Sender<Job>, StoreError> {
    let conn = schema::open_reader(path)?;
    let (queue, mut jobs) = mpsc::channel::<Job>(QUEUE);
    std::thread::Builder::new()
        .name(format!("telegram-store-sqlite-reader-{index}"))
        .spawn(move || {
            while let Some(job) = jobs.blocking_recv() {
                job(&conn);
            }
        })
        .map_err(StoreError::unavailable)?;
    Ok(queue)
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
