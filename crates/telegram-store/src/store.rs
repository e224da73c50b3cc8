//! The `Store` trait: keys holding versioned bytes, compare-and-set writes, paged prefix scans.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::StoreError;

/// A key's version: 1 when it is first written, one more at every write. A key that does not
/// exist has no version (`None` where a version is expected).
///
/// A deleted and re-created key starts again at 1.
pub type Version = u64;

/// What a key holds: its bytes and their version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The stored bytes.
    pub value: Bytes,
    /// Their version, for the next compare-and-set.
    pub version: Version,
}

/// One page of a [`Store::scan`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanPage {
    /// Keys with the prefix and their entries, in ascending byte order of the key.
    pub entries: Vec<(Bytes, Entry)>,
    /// Where the next page starts (pass it as `after`); `None` when the scan is complete.
    pub next: Option<Bytes>,
}

/// Keys holding versioned bytes. Object safe: stored as `Arc<dyn Store>`.
///
/// Keys are arbitrary bytes (the layers above namespace them, e.g. `tg:{bot_id}:chat:{id}:…`);
/// values are arbitrary bytes. Every write is a compare-and-set on the key's version, so two
/// writers (tasks or processes) can never lose each other's update: the loser gets
/// [`StoreError::Conflict`], reads again and retries. A write is durable when its call returns
/// (as durable as the backend is configured to be).
///
/// Expired keys (see `ttl` on [`put`](Self::put)) behave as absent everywhere.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// What `key` holds, or `None` when it does not exist (or has expired).
    async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError>;

    /// Writes `value` under `key` if the key's version is `expected` (`None`: the key must not
    /// exist yet), and returns the new version. `ttl`: the key expires that long after this
    /// write (`None`: never; a later write sets its own). Backends keep expiry to the
    /// millisecond, rounded up, so a key never expires before its TTL has run out.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] when the version differs; nothing is written then.
    async fn put(
        &self,
        key: &[u8],
        value: Bytes,
        expected: Option<Version>,
        ttl: Option<Duration>,
    ) -> Result<Version, StoreError>;

    /// Deletes `key` if its version is `expected`. Returns `false` when the key did not exist.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] when the key exists with another version.
    async fn delete(&self, key: &[u8], expected: Version) -> Result<bool, StoreError>;

    /// Up to `limit` keys starting with `prefix` and strictly after `after` (a page's `next`),
    /// in ascending byte order, with their entries. A page may hold fewer than `limit` entries
    /// (a backend may cap a page; a `limit` of 0 is read as 1) and still have a `next`; the
    /// scan is complete when `next` is `None`. Keys written during
    /// a scan may or may not appear; a key present during the whole scan appears exactly once.
    async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError>;
}

/// The smallest key greater than every key starting with `prefix` (the exclusive end of a
/// prefix scan's range): trailing 0xFF bytes dropped, the last byte left plus one. `None` when
/// there is none (the prefix is empty or all 0xFF): the range runs to the end.
#[cfg_attr(not(any(feature = "sqlite", feature = "redis")), allow(dead_code))]
pub(crate) fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&byte| byte != 0xFF)?;
    let mut successor = prefix[..=last].to_vec();
    successor[last] += 1;
    Some(successor)
}

/// A TTL in whole milliseconds, rounded up (so a key never expires early), saturating.
#[cfg_attr(not(any(feature = "sqlite", feature = "redis")), allow(dead_code))]
pub(crate) fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successor_skips_trailing_ff() {
        assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_successor(b"a\xFF\xFF"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"\xFF\xFF"), None);
        assert_eq!(prefix_successor(b""), None);
    }

    #[test]
    fn ttl_rounds_up_to_the_millisecond() {
        assert_eq!(ttl_millis(Duration::from_micros(1)), 1);
        assert_eq!(ttl_millis(Duration::from_millis(5)), 5);
        assert_eq!(ttl_millis(Duration::ZERO), 0);
        assert_eq!(ttl_millis(Duration::MAX), u64::MAX);
    }
}
