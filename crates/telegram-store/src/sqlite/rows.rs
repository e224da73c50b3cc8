//! How an entry lies in a row of the `entries` table, and reading it back without trusting it:
//! a column of the wrong type or out of range is [`StoreError::Corrupt`], never a panic.
//!
//! Expiry times are absolute unix milliseconds ([`now_ms`], [`expires_at`]), so they mean the
//! same after a restart.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rusqlite::types::ValueRef;
use rusqlite::Row;

use crate::store::ttl_millis;
use crate::{Entry, StoreError, Version};

/// The wall clock in unix milliseconds (0 before 1970, saturated far in the future).
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// When a key written at `now` with `ttl` expires. Rounded up to the millisecond, so a key
/// never expires before its TTL has run out.
pub(super) fn expires_at(now: i64, ttl: Duration) -> i64 {
    now.saturating_add(i64::try_from(ttl_millis(ttl)).unwrap_or(i64::MAX))
}

/// A version as SQLite stores it (an `INTEGER`, signed 64-bit).
pub(super) fn version_param(key: &[u8], version: Version) -> Result<i64, StoreError> {
    i64::try_from(version)
        .map_err(|_| StoreError::corrupt(key, "version past the 64-bit signed range"))
}

/// The stored version column: a positive integer.
pub(super) fn version(key: &[u8], column: ValueRef<'_>) -> Result<Version, StoreError> {
    match column {
        ValueRef::Integer(version) if version >= 1 => Ok(version.unsigned_abs()),
        other => Err(StoreError::corrupt(key, format!("version is {other:?}"))),
    }
}

/// Whether the stored expiry column (`NULL` or unix ms) is still in the future at `now`.
pub(super) fn is_live(key: &[u8], column: ValueRef<'_>, now: i64) -> Result<bool, StoreError> {
    match column {
        ValueRef::Null => Ok(true),
        ValueRef::Integer(at) => Ok(at > now),
        other => Err(StoreError::corrupt(key, format!("expiry is {other:?}"))),
    }
}

/// The entry in `row`, whose columns from `first` on are `value, version`.
pub(super) fn entry(key: &[u8], row: &Row<'_>, first: usize) -> Result<Entry, StoreError> {
    let value = match row.get_ref(first).map_err(StoreError::unavailable)? {
        ValueRef::Blob(bytes) => Bytes::copy_from_slice(bytes),
        other => {
            return Err(StoreError::corrupt(
                key,
                format!("value is {}", type_name(other)),
            ))
        }
    };
    let version = version(
        key,
        row.get_ref(first + 1).map_err(StoreError::unavailable)?,
    )?;
    Ok(Entry { value, version })
}

/// The key column of a scanned row: a blob.
pub(super) fn key(row: &Row<'_>, column: usize) -> Result<Bytes, StoreError> {
    match row.get_ref(column).map_err(StoreError::unavailable)? {
        ValueRef::Blob(key) => Ok(Bytes::copy_from_slice(key)),
        other => Err(StoreError::corrupt(
            other.as_bytes().unwrap_or_default(),
            format!("key is {}", type_name(other)),
        )),
    }
}

fn type_name(value: ValueRef<'_>) -> &'static str {
    match value {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_rounds_up_to_the_millisecond() {
        assert_eq!(expires_at(1_000, Duration::from_micros(1)), 1_001);
        assert_eq!(expires_at(1_000, Duration::from_millis(5)), 1_005);
        assert_eq!(expires_at(1_000, Duration::MAX), i64::MAX);
    }

    #[test]
    fn stored_columns_out_of_range_are_corrupt() {
        assert!(matches!(
            version(b"k", ValueRef::Integer(0)),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            version(b"k", ValueRef::Text(b"7")),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            is_live(b"k", ValueRef::Real(1.5), 0),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(!is_live(b"k", ValueRef::Integer(10), 10).unwrap_or(true));
        assert!(is_live(b"k", ValueRef::Integer(11), 10).unwrap_or(false));
    }
}
