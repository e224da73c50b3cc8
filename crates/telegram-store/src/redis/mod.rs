//! `RedisStore`: the store on a Redis server, shared by several processes.
//!
//! This file owns the connection, the key layout and the mapping of replies to the [`Store`]
//! contract (all documented on [`RedisStore`]); the Lua scripts that make the writes atomic on
//! the server live in `scripts.rs`, the decoding of their replies in `reply.rs`.

mod locks;
mod reply;
mod scripts;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, RedisError, ScriptInvocation, Value};

use crate::store::{prefix_successor, ttl_millis};
use crate::{Entry, ScanPage, Store, StoreError, Version};

pub use self::locks::{RedisLockGuard, RedisLocks};
use self::reply::Reply;
use self::scripts::SCRIPTS;

/// How long a command may wait for its reply (the redis crate's default, 500 ms, is short
/// for a 1 MiB value on a busy server).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long connecting may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest TTL given to Redis (about 35 000 years): a longer one would overflow its expiry
/// clock or the expiry index's scores (exact integers up to 2^53).
const MAX_TTL_MILLIS: u64 = 1 << 50;

/// A store on a Redis server: several processes (replicas of a bot) share it, and every write
/// is a compare-and-set run atomically on the server.
///
/// Cloning is cheap: clones share the connection. [`with_prefix`](Self::with_prefix) gives a
/// store over the same connection in another namespace.
///
/// # Key layout
///
/// Every Redis key the store touches starts with its namespace `{ns}` (default
/// [`RedisStore::DEFAULT_PREFIX`], set with [`RedisStore::with_prefix`]); user keys (which the
/// layers above already shape as `tg:{bot_id}:chat:{id}:…`) follow as raw bytes:
///
/// | Redis key | type | holds |
/// | --- | --- | --- |
/// | `{ns}k:{key}` | hash | `ver`: the version (decimal text), `val`: the value; the key's Redis TTL is the entry's TTL |
/// | `{ns}idx` | sorted set | every user key written, score 0: the byte-ordered index `scan` walks (`ZRANGEBYLEX`) |
/// | `{ns}ttl` | sorted set | the user keys written with a TTL, scored by their expiry time (Unix ms) |
/// | `{ns}l:{key}` | string | [`RedisLocks`]: the lock on `key`, holding its holder's random token; its Redis TTL is the lease |
/// | `{ns}f:{key}` | string | [`RedisLocks`]: `key`'s fencing counter (an integer, `INCR`ed by each acquisition; kept for ever so it never goes back) |
///
/// The entry keys, the two index keys and the lock keys differ in the byte right after `{ns}`
/// (`k`, `i`, `t`, `l`, `f`), so no user key can collide with an index or a lock. Lock keys
/// live beside the store's data but are not entries: `get` and `scan` never see them. Two namespaces must not start one with the
/// other (`bot1:` and `bot1:k:` would overlap): use names ending with `:`, none nested in
/// another.
///
/// Redis expires an entry by itself. The index members of an expired entry go when a `scan`
/// meets them (it skips them), or when a later write with a TTL (or a delete) in the
/// namespace purges up to 16 members whose expiry time has passed. Each write with a TTL adds
/// at most one member and purges up to 16, so dead members cannot pile up even when nobody
/// scans.
///
/// `get` is one `HGETALL`; `put`, `delete` and `scan` are each one Lua script (`EVALSHA`),
/// atomic on the server: `put` checks the version, writes the value and the next version, sets
/// or clears the TTL and updates the indexes in one step. The scripts touch keys they compute
/// from the namespace, so the store needs a single Redis server (or a primary with replicas),
/// not Redis Cluster.
///
/// # Durability
///
/// A write is as durable as the server is configured to make it: with `appendonly yes` and
/// `appendfsync always` it survives a server crash when the call returns; with the default
/// `appendfsync everysec` up to a second of writes can be lost; without persistence a restart
/// loses everything. Choose it in the server's configuration.
///
/// # Errors and connection loss
///
/// The connection is the redis crate's `ConnectionManager`: one multiplexed connection shared
/// by every clone of the store (concurrent calls are pipelined on it), re-established in the
/// background after it drops. A call made while the connection is lost fails with
/// [`StoreError::Unavailable`] (the redis error is its source) and a later call goes through
/// the new connection. An `Unavailable` `put` or `delete` may or may not have been applied
/// (the reply was lost): read the key again before retrying. A Redis key of the store's layout
/// that holds something the store did not write (another type, missing fields, a version that
/// is not a positive integer) gives [`StoreError::Corrupt`], and the store leaves it as it is.
///
/// # Examples
///
/// ```no_run
/// use telegram_store::{RedisStore, Store};
///
/// # async fn run() -> Result<(), telegram_store::StoreError> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379").await?.with_prefix("mybot:");
/// let v1 = store.put(b"tg:1:counter", "1".into(), None, None).await?;
/// store.put(b"tg:1:counter", "2".into(), Some(v1), None).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    layout: Layout,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &String::from_utf8_lossy(&self.layout.prefix))
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// The namespace of a store that was given none.
    pub const DEFAULT_PREFIX: &'static str = "telegram-store:";

    /// The most entries one [`scan`](Store::scan) page holds, whatever `limit` asks (a page is
    /// built by one script run, and the server serves nothing else meanwhile).
    pub const MAX_PAGE: usize = 10_000;

    /// Connects to the Redis server at `url` (`redis://[user:password@]host:port[/db]`) in the
    /// namespace [`DEFAULT_PREFIX`](Self::DEFAULT_PREFIX).
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the URL is invalid or the server cannot be reached
    /// (after the connection manager's retries).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECTION_TIMEOUT));
        Self::connect_with_config(url, config).await
    }

    /// Like [`connect`](Self::connect), with the server given as a URL or a
    /// `redis::ConnectionInfo`, and the connection manager's settings (timeouts, reconnection
    /// backoff) chosen by the caller. [`connect`](Self::connect) waits up to 5 s for a reply
    /// and 2 s for a connection; the redis crate's defaults are 500 ms and 1 s.
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub async fn connect_with_config(
        url: impl IntoConnectionInfo,
        config: ConnectionManagerConfig,
    ) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(StoreError::unavailable)?;
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(StoreError::unavailable)?;
        Ok(RedisStore {
            conn,
            layout: Layout::new(Self::DEFAULT_PREFIX.as_bytes()),
        })
    }

    /// This store in the namespace `prefix` (over the same connection). Stores in different
    /// namespaces never see each other's keys, provided neither namespace starts with the
    /// other (see the module docs).
    #[must_use]
    pub fn with_prefix(self, prefix: impl AsRef<[u8]>) -> Self {
        RedisStore {
            layout: Layout::new(prefix.as_ref()),
            ..self
        }
    }

    /// Keyed locks shared by every process on this server and namespace, over this store's
    /// connection (lease [`RedisLocks::DEFAULT_LEASE`]; see [`RedisLocks`]).
    #[must_use]
    pub fn locks(&self) -> RedisLocks {
        RedisLocks::new(self.conn.clone(), &self.layout.prefix)
    }

    /// The namespace every Redis key of this store starts with.
    pub fn prefix(&self) -> &[u8] {
        &self.layout.prefix
    }

    /// Runs `invocation` of one of the scripts and decodes its reply for `key`.
    async fn run(
        &self,
        invocation: &ScriptInvocation<'_>,
        key: &[u8],
    ) -> Result<Reply, StoreError> {
        let mut conn = self.conn.clone();
        let value: Value = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Reply::decode(value).map_err(|reason| StoreError::corrupt(key, reason))
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        let mut conn = self.conn.clone();
        let fields: Result<Value, RedisError> = redis::cmd("HGETALL")
            .arg(self.layout.entry(key))
            .query_async(&mut conn)
            .await;
        match fields {
            Ok(fields) => {
                reply::entry_from_fields(fields).map_err(|reason| StoreError::corrupt(key, reason))
            }
            // The protocol's error code for a command on a key of another type.
            Err(error) if error.code() == Some("WRONGTYPE") => {
                Err(StoreError::corrupt(key, "not an entry hash (WRONGTYPE)"))
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn put(
        &self,
        key: &[u8],
        value: Bytes,
        expected: Option<Version>,
        ttl: Option<Duration>,
    ) -> Result<Version, StoreError> {
        let mut invocation = SCRIPTS.put.prepare_invoke();
        invocation
            .key(self.layout.entry(key))
            .key(&self.layout.index)
            .key(&self.layout.ttl_index)
            .arg(expected.map(|v| v.to_string()).unwrap_or_default())
            .arg(value.as_ref())
            .arg(ttl.map(pexpire_millis).unwrap_or_default())
            .arg(key)
            .arg(&self.layout.entry_prefix);
        match self.run(&invocation, key).await? {
            Reply::Written(version) => Ok(version),
            Reply::Conflict => Err(StoreError::conflict(key)),
            other => Err(other.unexpected(key)),
        }
    }

    async fn delete(&self, key: &[u8], expected: Version) -> Result<bool, StoreError> {
        let mut invocation = SCRIPTS.delete.prepare_invoke();
        invocation
            .key(self.layout.entry(key))
            .key(&self.layout.index)
            .key(&self.layout.ttl_index)
            .arg(expected.to_string())
            .arg(key)
            .arg(&self.layout.entry_prefix);
        match self.run(&invocation, key).await? {
            Reply::Deleted => Ok(true),
            Reply::Absent => Ok(false),
            Reply::Conflict => Err(StoreError::conflict(key)),
            other => Err(other.unexpected(key)),
        }
    }

    async fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        let lower = match after {
            Some(after) if after >= prefix => lex_bound(b'(', after),
            _ => lex_bound(b'[', prefix),
        };
        let upper = prefix_successor(prefix).map_or_else(|| b"+".to_vec(), |s| lex_bound(b'(', &s));
        let mut invocation = SCRIPTS.scan.prepare_invoke();
        invocation
            .key(&self.layout.index)
            .key(&self.layout.ttl_index)
            .arg(&self.layout.entry_prefix)
            .arg(lower)
            .arg(upper)
            .arg(limit.clamp(1, Self::MAX_PAGE));
        match self.run(&invocation, prefix).await? {
            Reply::Page(page) => Ok(page),
            Reply::CorruptMember { key, reason } => Err(StoreError::corrupt(&key, reason)),
            other => Err(other.unexpected(prefix)),
        }
    }
}

/// The Redis keys of one namespace (see the module docs).
#[derive(Debug, Clone)]
struct Layout {
    prefix: Vec<u8>,
    entry_prefix: Vec<u8>,
    index: Vec<u8>,
    ttl_index: Vec<u8>,
}

impl Layout {
    fn new(prefix: &[u8]) -> Self {
        let with = |suffix: &[u8]| [prefix, suffix].concat();
        Layout {
            prefix: prefix.to_vec(),
            entry_prefix: with(b"k:"),
            index: with(b"idx"),
            ttl_index: with(b"ttl"),
        }
    }

    /// The Redis key holding user key `key`'s entry.
    fn entry(&self, key: &[u8]) -> Vec<u8> {
        [&self.entry_prefix[..], key].concat()
    }
}

/// A TTL in whole milliseconds for `PEXPIRE` (rounded up), at most [`MAX_TTL_MILLIS`].
fn pexpire_millis(ttl: Duration) -> String {
    ttl_millis(ttl).min(MAX_TTL_MILLIS).to_string()
}

/// A `ZRANGEBYLEX` bound: `(` exclusive or `[` inclusive, then the member bytes.
fn lex_bound(kind: u8, member: &[u8]) -> Vec<u8> {
    let mut bound = Vec::with_capacity(member.len() + 1);
    bound.push(kind);
    bound.extend_from_slice(member);
    bound
}

fn unavailable(error: RedisError) -> StoreError {
    tracing::warn!(%error, "redis store call failed");
    StoreError::unavailable(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_whole_milliseconds_within_what_redis_takes() {
        assert_eq!(pexpire_millis(Duration::from_micros(1)), "1");
        assert_eq!(pexpire_millis(Duration::ZERO), "0");
        assert_eq!(pexpire_millis(Duration::MAX), MAX_TTL_MILLIS.to_string());
    }

    #[test]
    fn index_keys_cannot_collide_with_entry_keys() {
        let layout = Layout::new(b"ns:");
        for key in [&b"idx"[..], b"ttl", b"", b"k:"] {
            let entry = layout.entry(key);
            assert_ne!(entry, layout.index);
            assert_ne!(entry, layout.ttl_index);
        }
    }
}
