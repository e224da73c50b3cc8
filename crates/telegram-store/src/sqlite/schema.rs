//! The database file: opening the writer's and the readers' connections, their pragmas, and
//! the schema (created in an empty file, checked in an existing one, refused when foreign).
//!
//! One table, `entries`, `STRICT` and `WITHOUT ROWID`, keyed by the key as a `BLOB`: SQLite
//! compares blobs with `memcmp`, so the primary key's order is the byte order a prefix scan
//! needs, and a scan is one range over it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::Durability;
use crate::StoreError;

/// `PRAGMA application_id` of a telegram-store file ("tgst"): a file with another id is not
/// ours and is left alone.
const APPLICATION_ID: i32 = 0x7467_7374;
/// `PRAGMA user_version`: the layout below. A file written by a newer layout is refused.
const SCHEMA_VERSION: i32 = 1;

const CREATE: &str = "
    CREATE TABLE entries (
        key BLOB NOT NULL PRIMARY KEY,
        value BLOB NOT NULL,
        version INTEGER NOT NULL,
        expires_at INTEGER
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX entries_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;
";

/// How long a connection waits for a lock held by another connection (another process, a
/// checkpoint) before the call fails as unavailable.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the file for writing: WAL, the chosen durability, the schema.
pub(super) fn open_writer(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(StoreError::unavailable)?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(StoreError::unavailable)?;
    // Read the header before anything writes: a foreign or newer file is refused untouched.
    check_or_create_schema(&mut conn)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(StoreError::unavailable)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::unavailable(format!(
            "the file cannot use WAL (journal mode stays {mode})"
        )));
    }
    let synchronous = match durability {
        Durability::ProcessCrash => "NORMAL",
        Durability::PowerLoss => "FULL",
    };
    conn.pragma_update(None, "synchronous", synchronous)
        .map_err(StoreError::unavailable)?;
    Ok(conn)
}

/// Opens a read-only connection to a file the writer has opened (WAL lets it read while the
/// writer writes).
pub(super) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(StoreError::unavailable)?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(StoreError::unavailable)?;
    Ok(conn)
}

/// Creates the schema in an empty file; accepts a file holding this layout; refuses anything
/// else without writing to it.
fn check_or_create_schema(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::unavailable)?;
    let application_id: i32 = tx
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(StoreError::unavailable)?;
    let version: i32 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(StoreError::unavailable)?;
    let objects: i64 = tx
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(StoreError::unavailable)?;
    match (application_id, version) {
        (APPLICATION_ID, SCHEMA_VERSION) => return Ok(()),
        (APPLICATION_ID, newer) => {
            return Err(StoreError::unavailable(format!(
            "the file's schema version {newer} is not {SCHEMA_VERSION}, the one this build reads"
        )))
        }
        (0, 0) if objects == 0 => {}
        _ => {
            return Err(StoreError::unavailable(
                "the file holds another database, not a telegram-store",
            ))
        }
    }
    tx.execute_batch(CREATE).map_err(StoreError::unavailable)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(StoreError::unavailable)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(StoreError::unavailable)?;
    tx.commit().map_err(StoreError::unavailable)
}
