//! `MemoryStore`: the store in the process's memory (the default; tests).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::time::Instant;

use crate::{Entry, ScanPage, Store, StoreError, Version};

/// A store in the process's memory: nothing survives the process. The default when an
/// application is given no store, and the fastest backend for tests.
///
/// Keys live in one ordered map behind a mutex held only for the map operation itself (never
/// across an `.await`). Expiry uses tokio's clock, so tests with paused time can expire keys.
///
/// ```
/// use telegram_store::{MemoryStore, Store};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), telegram_store::StoreError> {
/// let store = MemoryStore::new();
/// let v1 = store.put(b"counter", "1".into(), None, None).await?;
/// let v2 = store.put(b"counter", "2".into(), Some(v1), None).await?;
/// assert!(store.put(b"counter", "3".into(), Some(v1), None).await.unwrap_err().is_conflict());
/// assert_eq!(store.get(b"counter").await?.map(|e| e.version), Some(v2));
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<BTreeMap<Bytes, Stored>>,
}

#[derive(Debug, Clone)]
struct Stored {
    entry: Entry,
    expires_at: Option<Instant>,
}

impl Stored {
    fn is_live(&self, now: &mut Now) -> bool {
        self.expires_at.is_none_or(|at| at > now.get())
    }
}

/// The clock, read once per operation and only when an expiry needs it: most keys have none,
/// and reading tokio's clock is a good part of a get's cost.
#[derive(Default)]
struct Now(Option<Instant>);

impl Now {
    fn get(&mut self) -> Instant {
        *self.0.get_or_insert_with(Instant::now)
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Keys held, expired ones not yet purged included.
    pub fn len(&self) -> usize {
        self.lock().map(|map| map.len()).unwrap_or(0)
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<Bytes, Stored>>, StoreError> {
        // A poisoned map means a panic while it was held; the map itself is consistent (every
        // operation is a single insert or remove), so report the backend as unavailable
        // rather than panic.
        self.map
            .lock()
            .map_err(|_| StoreError::unavailable("memory store lock poisoned"))
    }

    fn live_version(map: &BTreeMap<Bytes, Stored>, key: &[u8], now: &mut Now) -> Option<Version> {
        map.get(key)
            .filter(|stored| stored.is_live(now))
            .map(|stored| stored.entry.version)
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        let mut now = Now::default();
        let map = self.lock()?;
        // The value's bytes are shared, not copied.
        Ok(map
            .get(key)
            .filter(|stored| stored.is_live(&mut now))
            .map(|stored| stored.entry.clone()))
    }

    async fn put(
        &self,
        key: &[u8],
        value: Bytes,
        expected: Option<Version>,
        ttl: Option<Duration>,
    ) -> Result<Version, StoreError> {
        let mut now = Now::default();
        let mut map = self.lock()?;
        let slot = map.get_mut(key);
        let current = match &slot {
            Some(stored) if stored.is_live(&mut now) => Some(stored.entry.version),
            _ => None,
        };
        if current != expected {
            return Err(StoreError::conflict(key));
        }
        let version = current.map_or(1, |v| v + 1);
        let stored = Stored {
            entry: Entry { value, version },
            expires_at: ttl.map(|ttl| now.get() + ttl),
        };
        // A key written again keeps its map entry (no copy of the key).
        match slot {
            Some(slot) => *slot = stored,
            None => {
                map.insert(Bytes::copy_from_slice(key), stored);
            }
        }
        Ok(version)
    }

    async fn delete(&self, key: &[u8], expected: Version) -> Result<bool, StoreError> {
        let mut now = Now::default();
        let mut map = self.lock()?;
        match Self::live_version(&map, key, &mut now) {
            None => {
                map.remove(key);
                Ok(false)
            }
            Some(current) if current == expected => {
                map.remove(key);
                Ok(true)
            }
            Some(_) => Err(StoreError::conflict(key)),
        }
    }

    async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        let mut now = Now::default();
        let map = self.lock()?;
        let start = match after {
            Some(after) if after >= prefix => Bound::Excluded(after),
            _ => Bound::Included(prefix),
        };
        let mut entries = Vec::new();
        let mut next = None;
        let range = map
            .range::<[u8], _>((start, Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix));
        for (key, stored) in range {
            if entries.len() == limit.max(1) {
                next = entries.last().map(|(key, _): &(Bytes, Entry)| key.clone());
                break;
            }
            if stored.is_live(&mut now) {
                entries.push((key.clone(), stored.entry.clone()));
            }
        }
        Ok(ScanPage { entries, next })
    }
}
