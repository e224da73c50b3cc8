//! The group-commit writer: one thread owns the write connection, takes every write waiting at
//! that moment, applies each (compare-and-set checked on its own) inside ONE transaction, and
//! answers each caller only after that transaction committed.
//!
//! One commit (one WAL append, one `fsync` under [`Durability::PowerLoss`]) then serves a whole
//! batch; under load the batch grows by itself, so the cost of durability is shared by every
//! writer waiting for it. Reads do not come here: they use their own connections
//! (`readers.rs`).
//!
//! [`Durability::PowerLoss`]: super::Durability::PowerLoss

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use super::rows;
use crate::{StoreError, Version};

/// Writes queued for the writer before callers wait for room (backpressure, not unbounded).
const QUEUE: usize = 1024;
/// The most writes one transaction takes; the rest wait for the next one.
const MAX_BATCH: usize = 512;
/// How often, at most, a batch also deletes expired rows (they read as absent meanwhile).
const PURGE_EVERY: Duration = Duration::from_secs(60);
/// Expired rows deleted per purge, so a purge never makes one batch slow.
const PURGE_LIMIT: i64 = 1000;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;
type SharedError = Arc<dyn StdError + Send + Sync>;

/// One write for the writer thread, with where its answer goes.
#[derive(Debug)]
pub(super) enum Write {
    /// [`Store::put`](crate::Store::put).
    Put {
        key: Vec<u8>,
        value: Bytes,
        expected: Option<Version>,
        ttl: Option<Duration>,
        reply: Reply<Version>,
    },
    /// [`Store::delete`](crate::Store::delete).
    Delete {
        key: Vec<u8>,
        expected: Version,
        reply: Reply<bool>,
    },
}

/// The handle the store keeps: a queue into the writer thread. Dropping it lets the thread
/// finish the writes already queued, then close its connection and end.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    queue: mpsc::Sender<Write>,
}

impl Writer {
    /// Starts the writer thread owning `conn`.
    pub(super) fn spawn(conn: Connection) -> Result<Self, StoreError> {
        let (queue, incoming) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("telegram-store-sqlite-writer".to_owned())
            .spawn(move || run(conn, incoming))
            .map_err(StoreError::unavailable)?;
        Ok(Writer { queue })
    }

    /// Queues `write` and waits for its answer, which comes after its batch committed.
    pub(super) async fn submit<T>(
        &self,
        write: Write,
        answer: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.queue.send(write).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::unavailable("the sqlite writer thread has stopped")
}

/// The writer thread: a batch per wake-up until every [`Writer`] handle is gone.
fn run(mut conn: Connection, mut incoming: mpsc::Receiver<Write>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut last_purge = Instant::now();
    while let Some(first) = incoming.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(write) => batch.push(write),
                Err(_) => break,
            }
        }
        let purge = last_purge.elapsed() >= PURGE_EVERY;
        if purge {
            last_purge = Instant::now();
        }
        commit(&mut conn, batch.drain(..), purge);
    }
    tracing::debug!("sqlite writer: every handle dropped, closing");
}

/// Applies `batch` in one transaction and answers every write once it committed (or failed).
fn commit(conn: &mut Connection, batch: impl ExactSizeIterator<Item = Write>, purge: bool) {
    let now = rows::now_ms();
    let mut answers = Vec::with_capacity(batch.len());
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::warn!(%error, "sqlite writer: cannot begin a transaction");
        let error: SharedError = Arc::new(error);
        batch.for_each(|write| Answer::failed(write, &error).send());
        return;
    }
    let mut batch = batch;
    for write in batch.by_ref() {
        answers.push(apply(conn, write, now));
        if conn.is_autocommit() {
            // An I/O or full-disk error rolled the whole transaction back: nothing of this
            // batch is written, so no write of it may report success.
            let error: SharedError = Arc::from(Box::<dyn StdError + Send + Sync>::from(
                "the batch's transaction was rolled back by a failed write",
            ));
            fail_all(answers, batch, &error);
            return;
        }
    }
    if purge {
        match purge_expired(conn, now) {
            Ok(purged) => tracing::debug!(purged, "sqlite writer: expired rows deleted"),
            Err(error) => tracing::warn!(%error, "sqlite writer: purging expired rows failed"),
        }
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => answers.into_iter().for_each(Answer::send),
        Err(error) => {
            tracing::warn!(%error, "sqlite writer: commit failed");
            if !conn.is_autocommit() {
                if let Err(error) = conn.execute_batch("ROLLBACK") {
                    tracing::warn!(%error, "sqlite writer: rollback failed");
                }
            }
            let error: SharedError = Arc::new(error);
            fail_all(answers, std::iter::empty(), &error);
        }
    }
}

fn fail_all(answers: Vec<Answer>, unapplied: impl Iterator<Item = Write>, error: &SharedError) {
    for answer in answers {
        answer.fail(error).send();
    }
    for write in unapplied {
        Answer::failed(write, error).send();
    }
}

/// One write inside the batch's transaction, compare-and-set checked against what the
/// transaction sees (including earlier writes of the same batch).
fn apply(conn: &Connection, write: Write, now: i64) -> Answer {
    match write {
        Write::Put {
            key,
            value,
            expected,
            ttl,
            reply,
        } => {
            let result = put(conn, &key, &value, expected, ttl, now);
            Answer::Put(reply, result)
        }
        Write::Delete {
            key,
            expected,
            reply,
        } => Answer::Delete(reply, delete(conn, &key, expected, now)),
    }
}

fn put(
    conn: &Connection,
    key: &[u8],
    value: &[u8],
    expected: Option<Version>,
    ttl: Option<Duration>,
    now: i64,
) -> Result<Version, StoreError> {
    let current = live_version(conn, key, now)?;
    if current != expected {
        return Err(StoreError::conflict(key));
    }
    let version = current.map_or(1, |version| version.saturating_add(1));
    let stored_version = rows::version_param(key, version)?;
    let expires_at = ttl.map(|ttl| rows::expires_at(now, ttl));
    conn.prepare_cached(
        "INSERT INTO entries (key, value, version, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE
         SET value = excluded.value, version = excluded.version, expires_at = excluded.expires_at",
    )
    .and_then(|mut insert| insert.execute(params![key, value, stored_version, expires_at]))
    .map_err(StoreError::unavailable)?;
    Ok(version)
}

fn delete(conn: &Connection, key: &[u8], expected: Version, now: i64) -> Result<bool, StoreError> {
    let current = live_version(conn, key, now)?;
    if current.is_some_and(|current| current != expected) {
        return Err(StoreError::conflict(key));
    }
    // An expired row is deleted too (it read as absent already): one less to purge.
    conn.prepare_cached("DELETE FROM entries WHERE key = ?1")
        .and_then(|mut delete| delete.execute([key]))
        .map_err(StoreError::unavailable)?;
    Ok(current.is_some())
}

/// The key's version if it exists and has not expired.
fn live_version(conn: &Connection, key: &[u8], now: i64) -> Result<Option<Version>, StoreError> {
    let mut select = conn
        .prepare_cached("SELECT version, expires_at FROM entries WHERE key = ?1")
        .map_err(StoreError::unavailable)?;
    let found = select
        .query_row([key], |row| {
            Ok((
                rows::version(key, row.get_ref(0)?),
                rows::is_live(key, row.get_ref(1)?, now),
            ))
        })
        .optional()
        .map_err(StoreError::unavailable)?;
    match found {
        None => Ok(None),
        Some((version, live)) => Ok(live?.then_some(version?)),
    }
}

fn purge_expired(conn: &Connection, now: i64) -> Result<usize, rusqlite::Error> {
    conn.prepare_cached(
        "DELETE FROM entries WHERE key IN
         (SELECT key FROM entries WHERE expires_at <= ?1 LIMIT ?2)",
    )?
    .execute(params![now, PURGE_LIMIT])
}

/// A write's result, held until its batch commits.
enum Answer {
    Put(Reply<Version>, Result<Version, StoreError>),
    Delete(Reply<bool>, Result<bool, StoreError>),
}

impl Answer {
    /// `write` answered with `error` without being applied.
    fn failed(write: Write, error: &SharedError) -> Self {
        match write {
            Write::Put { reply, .. } => Answer::Put(reply, Err(unavailable(error))),
            Write::Delete { reply, .. } => Answer::Delete(reply, Err(unavailable(error))),
        }
    }

    /// This answer replaced by `error` (its transaction did not commit).
    fn fail(self, error: &SharedError) -> Self {
        match self {
            Answer::Put(reply, _) => Answer::Put(reply, Err(unavailable(error))),
            Answer::Delete(reply, _) => Answer::Delete(reply, Err(unavailable(error))),
        }
    }

    fn send(self) {
        // A caller that stopped waiting (its future was dropped) needs no answer.
        let _ = match self {
            Answer::Put(reply, result) => reply.send(result).map_err(drop),
            Answer::Delete(reply, result) => reply.send(result).map_err(drop),
        };
    }
}

fn unavailable(error: &SharedError) -> StoreError {
    StoreError::unavailable(Arc::clone(error))
}
