//! `RedisLocks`: keyed locks shared by every process on one Redis server, with leases, renewal
//! and fencing tokens.
//!
//! This file owns acquiring (in canonical key order), the renewal task, release on drop and the
//! three Lua scripts they run. The in-process twin is `telegram_ext::processing::KeyedLocks`
//! (same `lock` / `lock_many` shape, no server); the key layout is documented on
//! [`RedisStore`](super::RedisStore).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Script, Value};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::StoreError;

/// `SET lock token NX PX lease`, and on success `INCR fence`. KEYS: lock, fence. ARGV: token,
/// lease in ms. Answers `{1, fence}` when taken, `{0, pttl}` when someone else holds it.
const ACQUIRE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('INCR', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
";

/// Extends the lease of every key still held by this token. KEYS: locks. ARGV: token, lease in
/// ms. Answers how many were still held.
const RENEW: &str = r"
local held = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('PEXPIRE', k, ARGV[2])
    held = held + 1
  end
end
return held
";

/// Deletes every key still held by this token, and only those: a lock that expired and was
/// taken by another holder is left alone. KEYS: locks. ARGV: token. Answers how many it freed.
const RELEASE: &str = r"
local freed = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('DEL', k)
    freed = freed + 1
  end
end
return freed
";

static SCRIPTS: LazyLock<[Script; 3]> = LazyLock::new(|| {
    [
        Script::new(ACQUIRE),
        Script::new(RENEW),
        Script::new(RELEASE),
    ]
});

fn acquire_script() -> &'static Script {
    &SCRIPTS[0]
}

fn renew_script() -> &'static Script {
    &SCRIPTS[1]
}

fn release_script() -> &'static Script {
    &SCRIPTS[2]
}

/// Keyed locks on a Redis server: one lock per key, shared by every process using the same
/// server and namespace. Made by [`RedisStore::locks`](super::RedisStore::locks).
///
/// [`lock_many`](Self::lock_many) takes its keys in a canonical order (byte order, duplicates
/// removed), one by one, so processes locking overlapping sets in any order cannot deadlock.
///
/// - **Lease**: a lock is a Redis key with a TTL (the lease, default
///   [`DEFAULT_LEASE`](Self::DEFAULT_LEASE)). While a guard lives, a background task renews
///   the lease every third of it; a process that dies (even by `SIGKILL`) stops renewing, and
///   its keys are free for others once the lease runs out. Nothing stays locked for ever
///   (aiogram's Redis lock, without renewal, could: aiogram #972).
/// - **Release**: dropping the guard (or [`RedisLockGuard::release`]) deletes the keys with a
///   script that compares the owner token first, so a holder whose lease ran out never deletes
///   a lock another holder took since.
/// - **Fencing**: each acquisition of a key increments a per-key counter, handed to the holder
///   ([`RedisLockGuard::fencing_token`]). A lease can run out under a holder that is alive but
///   stalled (a long GC-like pause, a partition); give the token to the resource you guard and
///   have it refuse writes with a token lower than one it saw.
///
/// Waiting is polling: a busy key is tried again after the retry interval (default 20 ms, with
/// jitter), or sooner when its lease ends first. Locks are not fair across processes.
///
/// # Comparison to `KeyedLocks`
///
/// `telegram_ext::processing::KeyedLocks` is in-process, fair, infallible and costs no network
/// round trip; use it when one process runs the bot. `RedisLocks` is for several processes, and
/// every call can fail with [`StoreError::Unavailable`].
///
/// # Examples
///
/// ```no_run
/// use telegram_store::RedisStore;
///
/// # async fn run() -> Result<(), telegram_store::StoreError> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379").await?.with_prefix("mybot:");
/// let locks = store.locks();
/// let guard = locks.lock_many(["account:2", "account:1"]).await?;
/// let token = guard.fencing_token(b"account:1").expect("held");
/// // ... move money between the accounts, passing `token` to the ledger ...
/// # let _ = token;
/// guard.release().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisLocks {
    conn: ConnectionManager,
    lock_prefix: Vec<u8>,
    fence_prefix: Vec<u8>,
    lease: Duration,
    retry_interval: Duration,
}

impl fmt::Debug for RedisLocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLocks")
            .field("lock_prefix", &String::from_utf8_lossy(&self.lock_prefix))
            .field("lease", &self.lease)
            .field("retry_interval", &self.retry_interval)
            .finish_non_exhaustive()
    }
}

impl RedisLocks {
    /// The lease a lock gets unless told otherwise.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);

    /// The shortest lease accepted (renewal runs every third of it).
    pub const MIN_LEASE: Duration = Duration::from_millis(30);

    pub(super) fn new(conn: ConnectionManager, namespace: &[u8]) -> Self {
        RedisLocks {
            conn,
            lock_prefix: [namespace, b"l:"].concat(),
            fence_prefix: [namespace, b"f:"].concat(),
            lease: Self::DEFAULT_LEASE,
            retry_interval: Duration::from_millis(20),
        }
    }

    /// These locks with leases of `lease` (at least [`MIN_LEASE`](Self::MIN_LEASE)): how long
    /// the keys of a holder that died stay locked. Every process sharing the locks should use
    /// the same lease.
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Self::MIN_LEASE);
        self
    }

    /// These locks trying a busy key again after `interval` (plus up to half of it as jitter).
    #[must_use]
    pub fn with_retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The lease of these locks.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Locks `key`, waiting while another holder (in any process) has it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when Redis fails; nothing stays locked (beyond the lease).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future releases what it took; a key whose acquisition was on the wire
    /// stays locked until its lease ends.
    pub async fn lock(&self, key: impl AsRef<[u8]>) -> Result<RedisLockGuard, StoreError> {
        self.lock_many([key]).await
    }

    /// Locks every key in `keys` (byte order, duplicates removed), waiting while other holders
    /// have any of them. Keys are taken one by one in ascending order, so concurrent calls
    /// with overlapping keys in any order cannot deadlock; the keys taken first are renewed
    /// while the later ones are awaited.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when Redis fails; the keys taken so far are released.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future releases the keys it already took; a key whose acquisition was on
    /// the wire stays locked until its lease ends.
    pub async fn lock_many<I>(&self, keys: I) -> Result<RedisLockGuard, StoreError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut keys: Vec<Vec<u8>> = keys.into_iter().map(|k| k.as_ref().to_vec()).collect();
        keys.sort();
        keys.dedup();
        let mut guard = RedisLockGuard::start(self);
        for key in keys {
            let fence = self.acquire(&guard.shared.token, &key).await?;
            guard.push(self.lock_key(&key), key, fence);
        }
        Ok(guard)
    }

    /// Whether some holder has `key` now (a dead holder's key counts until its lease ends).
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when Redis fails.
    pub async fn is_locked(&self, key: impl AsRef<[u8]>) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let exists: i64 = redis::cmd("EXISTS")
            .arg(self.lock_key(key.as_ref()))
            .query_async(&mut conn)
            .await
            .map_err(StoreError::unavailable)?;
        Ok(exists == 1)
    }

    /// Waits until `key` is ours, returning its fencing token.
    async fn acquire(&self, token: &str, key: &[u8]) -> Result<u64, StoreError> {
        let lease_ms = millis(self.lease);
        loop {
            let mut conn = self.conn.clone();
            let reply: Value = acquire_script()
                .key(self.lock_key(key))
                .key(self.fence_key(key))
                .arg(token)
                .arg(lease_ms)
                .invoke_async(&mut conn)
                .await
                .map_err(StoreError::unavailable)?;
            match decode_acquire(&reply) {
                Some(Acquire::Taken(fence)) => return Ok(fence),
                Some(Acquire::Busy(pttl)) => tokio::time::sleep(self.pause(pttl)).await,
                None => {
                    return Err(StoreError::corrupt(
                        key,
                        format!("unexpected lock script reply {reply:?}"),
                    ))
                }
            }
        }
    }

    /// How long to wait before trying a busy key again: the retry interval with jitter, or the
    /// rest of the holder's lease when that ends sooner.
    fn pause(&self, pttl: i64) -> Duration {
        let jitter = rand::random_range(0..=self.retry_interval.as_micros() / 2);
        let retry = self.retry_interval + Duration::from_micros(jitter as u64);
        match u64::try_from(pttl) {
            Ok(left) => retry.min(Duration::from_millis(left.max(1))),
            Err(_) => retry,
        }
    }

    fn lock_key(&self, key: &[u8]) -> Vec<u8> {
        [&self.lock_prefix[..], key].concat()
    }

    fn fence_key(&self, key: &[u8]) -> Vec<u8> {
        [&self.fence_prefix[..], key].concat()
    }
}

enum Acquire {
    Taken(u64),
    Busy(i64),
}

fn decode_acquire(reply: &Value) -> Option<Acquire> {
    let Value::Array(items) = reply else {
        return None;
    };
    match items.as_slice() {
        [Value::Int(1), Value::Int(fence)] => u64::try_from(*fence).ok().map(Acquire::Taken),
        [Value::Int(0), Value::Int(pttl)] => Some(Acquire::Busy(*pttl)),
        _ => None,
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// The keys a [`RedisLocks::lock`] or [`RedisLocks::lock_many`] call holds, renewed in the
/// background while the guard lives and released when it is dropped.
///
/// Dropping the guard releases its keys from a spawned task (a `Drop` cannot wait); call
/// [`release`](Self::release) to wait for it and see its error. Outside a tokio runtime the
/// keys are left to expire after their lease.
#[must_use = "the keys are released as soon as the guard is dropped"]
pub struct RedisLockGuard {
    shared: Arc<Held>,
    /// `(key, fencing token)`, in locking order.
    fences: Vec<(Vec<u8>, u64)>,
    renewal: JoinHandle<()>,
    released: bool,
}

/// What the guard and its renewal task share.
struct Held {
    conn: ConnectionManager,
    token: String,
    lease: Duration,
    /// The Redis keys held so far.
    lock_keys: Mutex<Vec<Vec<u8>>>,
    lost: AtomicBool,
    /// Woken when `lost` is set.
    lost_notify: Notify,
}

impl Held {
    fn mark_lost(&self) {
        self.lost.store(true, Ordering::SeqCst);
        self.lost_notify.notify_waiters();
    }

    fn lock_keys(&self) -> MutexGuard<'_, Vec<Vec<u8>>> {
        // Only pushes and clones happen under this lock: a poisoned list is still whole.
        self.lock_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Deletes the keys this token still holds.
    async fn release(&self) -> Result<(), StoreError> {
        let keys = std::mem::take(&mut *self.lock_keys());
        if keys.is_empty() {
            return Ok(());
        }
        let mut invocation = release_script().prepare_invoke();
        for key in &keys {
            invocation.key(key);
        }
        invocation.arg(&self.token);
        let mut conn = self.conn.clone();
        let freed: i64 = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(StoreError::unavailable)?;
        if usize::try_from(freed).ok() != Some(keys.len()) {
            tracing::warn!(
                held = keys.len(),
                freed,
                "a lease ran out before the lock was released: another holder may have run meanwhile"
            );
        }
        Ok(())
    }

    /// Extends the lease of the keys held; `Ok(false)` when one of them is no longer ours.
    async fn renew(&self) -> Result<bool, redis::RedisError> {
        let keys = self.lock_keys().clone();
        if keys.is_empty() {
            return Ok(true);
        }
        let mut invocation = renew_script().prepare_invoke();
        for key in &keys {
            invocation.key(key);
        }
        invocation.arg(&self.token).arg(millis(self.lease));
        let mut conn = self.conn.clone();
        let held: i64 = invocation.invoke_async(&mut conn).await?;
        Ok(usize::try_from(held).ok() == Some(keys.len()))
    }
}

/// Renews the lease every third of it until cancelled (the guard aborts it). When a renewal
/// finds a key taken by someone else, or no renewal succeeded for a whole lease (Redis
/// unreachable), the guard is marked lost and renewal stops.
async fn renew_forever(held: Arc<Held>) {
    let period = held.lease / 3;
    let mut last_ok = Instant::now();
    loop {
        tokio::time::sleep(period).await;
        match held.renew().await {
            Ok(true) => last_ok = Instant::now(),
            Ok(false) => {
                tracing::warn!("a held lock was taken by another holder after its lease ran out");
                held.mark_lost();
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "renewing a lock's lease failed; retrying");
                if last_ok.elapsed() >= held.lease {
                    held.mark_lost();
                    return;
                }
            }
        }
    }
}

impl RedisLockGuard {
    /// An empty guard whose renewal task already runs, so the first keys stay held while the
    /// later ones are awaited.
    fn start(locks: &RedisLocks) -> Self {
        let shared = Arc::new(Held {
            conn: locks.conn.clone(),
            token: format!("{:032x}", rand::random::<u128>()),
            lease: locks.lease,
            lock_keys: Mutex::new(Vec::new()),
            lost: AtomicBool::new(false),
            lost_notify: Notify::new(),
        });
        let renewal = tokio::spawn(renew_forever(shared.clone()));
        RedisLockGuard {
            shared,
            fences: Vec::new(),
            renewal,
            released: false,
        }
    }

    fn push(&mut self, lock_key: Vec<u8>, key: Vec<u8>, fence: u64) {
        self.shared.lock_keys().push(lock_key);
        self.fences.push((key, fence));
    }

    /// The keys held, in locking order (byte order, no duplicates).
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.fences.iter().map(|(key, _)| key.as_slice())
    }

    /// The fencing token of `key`: larger than that of every earlier holder of `key` (in any
    /// process). `None` when this guard does not hold `key`.
    pub fn fencing_token(&self, key: impl AsRef<[u8]>) -> Option<u64> {
        let key = key.as_ref();
        self.fences
            .iter()
            .find(|(held, _)| held.as_slice() == key)
            .map(|&(_, fence)| fence)
    }

    /// `false` once renewal found that a key's lease ran out and another holder took it, or
    /// could not reach Redis for a whole lease: exclusivity is no longer guaranteed.
    pub fn is_held(&self) -> bool {
        !self.shared.lost.load(Ordering::SeqCst)
    }

    /// Resolves once [`is_held`](Self::is_held) turns `false`: select on it to stop work
    /// that must not go on without the lock. Never resolves while the lease is kept.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn lost(&self) {
        loop {
            let notified = self.shared.lost_notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a loss between the two is not missed.
            notified.as_mut().enable();
            if !self.is_held() {
                return;
            }
            notified.await;
        }
    }

    /// Releases the keys now and waits for Redis to confirm.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when Redis fails; the keys then expire after their lease.
    pub async fn release(mut self) -> Result<(), StoreError> {
        self.released = true;
        self.renewal.abort();
        self.shared.release().await
    }
}

impl Drop for RedisLockGuard {
    fn drop(&mut self) {
        self.renewal.abort();
        if self.released || self.shared.lock_keys().is_empty() {
            return;
        }
        let shared = self.shared.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = shared.release().await {
                        tracing::warn!(%error, "releasing a lock failed; it expires with its lease");
                    }
                });
            }
            Err(_) => {
                tracing::warn!("a lock guard dropped outside a runtime expires with its lease")
            }
        }
    }
}

impl fmt::Debug for RedisLockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<_> = self
            .fences
            .iter()
            .map(|(key, fence)| (String::from_utf8_lossy(key), *fence))
            .collect();
        f.debug_struct("RedisLockGuard")
            .field("keys", &keys)
            .field("held", &self.is_held())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acquire_replies_decode() {
        let taken = Value::Array(vec![Value::Int(1), Value::Int(7)]);
        assert!(matches!(decode_acquire(&taken), Some(Acquire::Taken(7))));
        let busy = Value::Array(vec![Value::Int(0), Value::Int(120)]);
        assert!(matches!(decode_acquire(&busy), Some(Acquire::Busy(120))));
        assert!(decode_acquire(&Value::Nil).is_none());
    }
}
