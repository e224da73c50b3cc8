//! `KeyedLocks`: lock one or several keys (account ids, chat ids) at once, held across awaits.
//!
//! This file owns the lock map and the canonical locking order. Ordering whole updates by key is
//! `processing/keyed.rs`'s job; these locks guard shared state that handlers of *different*
//! keys touch (the bank example: a transfer locks both accounts).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A set of async locks, one per key, created on first use and removed when idle.
///
/// [`lock_many`](KeyedLocks::lock_many) takes its keys in a canonical order (sorted, duplicates
/// removed), so two tasks locking `(a, b)` and `(b, a)` cannot deadlock, and a task holding the
/// guard has all its keys to itself across awaits. Each key's lock is fair (first come, first
/// served). A key's entry is removed once no guard holds it and no task waits for it, so
/// [`len`](KeyedLocks::len) counts live keys only.
///
/// The handle is cheap to clone; clones share the locks.
///
/// These locks live in one process. When several processes (replicas behind one webhook)
/// share a Redis store, `telegram_ext::store::RedisLocks` (feature `redis`) has the same
/// `lock` / `lock_many` shape across processes, with leases renewed while held and fencing
/// tokens.
///
/// # Examples
///
/// A transfer between two accounts, safe against concurrent transfers in either direction:
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::{Arc, Mutex};
///
/// use telegram_ext::processing::KeyedLocks;
///
/// async fn transfer(
///     locks: &KeyedLocks<u32>,
///     balances: &Mutex<HashMap<u32, i64>>,
///     from: u32,
///     to: u32,
///     amount: i64,
/// ) -> bool {
///     let _accounts = locks.lock_many([from, to]).await;
///     let balance = balances.lock().expect("not poisoned")[&from];
///     // ... an await here (asking an external ledger) cannot interleave with another transfer
///     // touching `from` or `to` ...
///     if balance < amount {
///         return false;
///     }
///     let mut balances = balances.lock().expect("not poisoned");
///     *balances.entry(from).or_default() -= amount;
///     *balances.entry(to).or_default() += amount;
///     true
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let locks = KeyedLocks::new();
/// let balances = Mutex::new(HashMap::from([(1, 100), (2, 0)]));
/// assert!(transfer(&locks, &balances, 1, 2, 60).await);
/// assert!(!transfer(&locks, &balances, 1, 2, 60).await);
/// assert_eq!(balances.lock().expect("not poisoned")[&2], 60);
/// assert!(locks.is_empty());
/// # }
/// ```
pub struct KeyedLocks<K> {
    map: Arc<Mutex<BTreeMap<K, Entry>>>,
}

/// A key's lock and how many guards and waiters hold it.
struct Entry {
    lock: Arc<AsyncMutex<()>>,
    users: usize,
}

/// The keys a [`KeyedLocks::lock`] or [`KeyedLocks::lock_many`] call holds; released on drop.
#[must_use = "the keys are released as soon as the guard is dropped"]
pub struct KeyedGuard<K>
where
    K: Ord,
{
    /// Released first (in `Drop`), then the claim unregisters the keys.
    guards: Vec<OwnedMutexGuard<()>>,
    claim: Claim<K>,
}

/// Keys registered as used in the map; unregistered (and removed if idle) on drop, even when a
/// `lock_many` future is dropped while it waits.
struct Claim<K>
where
    K: Ord,
{
    map: Arc<Mutex<BTreeMap<K, Entry>>>,
    keys: Vec<K>,
}

impl<K> KeyedLocks<K>
where
    K: Ord + Clone,
{
    /// No keys locked.
    pub fn new() -> Self {
        KeyedLocks {
            map: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// Locks `key`, waiting while another guard holds it.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future gives up the place in the queue; nothing stays locked.
    pub async fn lock(&self, key: K) -> KeyedGuard<K> {
        self.lock_many([key]).await
    }

    /// Locks every key in `keys` (sorted, duplicates removed), waiting while other guards hold
    /// any of them. Keys are taken one by one in ascending order, so concurrent calls with
    /// overlapping keys in any order cannot deadlock.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future releases the keys it already took; nothing stays locked.
    pub async fn lock_many<I>(&self, keys: I) -> KeyedGuard<K>
    where
        I: IntoIterator<Item = K>,
    {
        let mut keys: Vec<K> = keys.into_iter().collect();
        keys.sort();
        keys.dedup();
        let locks: Vec<Arc<AsyncMutex<()>>> = {
            let mut map = lock_map(&self.map);
            keys.iter()
                .map(|key| {
                    let entry = map.entry(key.clone()).or_insert_with(|| Entry {
                        lock: Arc::default(),
                        users: 0,
                    });
                    entry.users += 1;
                    entry.lock.clone()
                })
                .collect()
        };
        let claim = Claim {
            map: self.map.clone(),
            keys,
        };
        let mut guards = Vec::with_capacity(locks.len());
        for lock in locks {
            guards.push(lock.lock_owned().await);
        }
        KeyedGuard { guards, claim }
    }

    /// Keys locked or waited for now.
    pub fn len(&self) -> usize {
        lock_map(&self.map).len()
    }

    /// Whether no key is locked or waited for.
    pub fn is_empty(&self) -> bool {
        lock_map(&self.map).is_empty()
    }
}

impl<K> KeyedGuard<K>
where
    K: Ord,
{
    /// The keys held, in locking order (sorted, no duplicates).
    pub fn keys(&self) -> &[K] {
        &self.claim.keys
    }
}

/// Locks the map; no user code runs under this lock, so a poisoned map is still consistent.
fn lock_map<K>(map: &Mutex<BTreeMap<K, Entry>>) -> MutexGuard<'_, BTreeMap<K, Entry>> {
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<K> Drop for KeyedGuard<K>
where
    K: Ord,
{
    fn drop(&mut self) {
        // Unlock before `claim` drops: it removes the keys nobody else holds or waits for.
        self.guards.clear();
    }
}

impl<K> Drop for Claim<K>
where
    K: Ord,
{
    fn drop(&mut self) {
        let mut map = lock_map(&self.map);
        for key in &self.keys {
            if let Some(entry) = map.get_mut(key) {
                entry.users -= 1;
                if entry.users == 0 {
                    map.remove(key);
                }
            }
        }
    }
}

impl<K> Clone for KeyedLocks<K> {
    fn clone(&self) -> Self {
        KeyedLocks {
            map: self.map.clone(),
        }
    }
}

impl<K> Default for KeyedLocks<K>
where
    K: Ord + Clone,
{
    fn default() -> Self {
        KeyedLocks::new()
    }
}

impl<K> fmt::Debug for KeyedLocks<K>
where
    K: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let map = lock_map(&self.map);
        f.debug_struct("KeyedLocks")
            .field("keys", &map.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<K> fmt::Debug for KeyedGuard<K>
where
    K: Ord + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedGuard")
            .field("keys", &self.claim.keys)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use super::KeyedLocks;

    /// Fails a test that deadlocks instead of hanging it; never used to wait for an effect.
    const DEADLOCK: Duration = Duration::from_secs(30);

    fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Per-account "inside the critical section" counters, each with its recorded maximum.
    #[derive(Debug, Default)]
    struct Inside {
        now: [AtomicUsize; 3],
        max: [AtomicUsize; 3],
    }

    impl Inside {
        fn enter(&self, keys: &[usize]) {
            for &key in keys {
                let now = self.now[key].fetch_add(1, Ordering::SeqCst) + 1;
                self.max[key].fetch_max(now, Ordering::SeqCst);
            }
        }

        fn leave(&self, keys: &[usize]) {
            for &key in keys {
                self.now[key].fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn opposite_order_transfers_never_deadlock_or_interleave() {
        let locks = KeyedLocks::new();
        let inside = Arc::new(Inside::default());
        let pairs: [[usize; 2]; 4] = [[0, 1], [1, 0], [1, 2], [2, 0]];
        let tasks: Vec<_> = pairs
            .into_iter()
            .map(|pair| {
                let (locks, inside) = (locks.clone(), inside.clone());
                tokio::spawn(async move {
                    for _ in 0..500 {
                        let guard = locks.lock_many(pair).await;
                        assert_eq!(guard.keys().len(), 2);
                        inside.enter(&pair);
                        tokio::task::yield_now().await;
                        inside.leave(&pair);
                    }
                })
            })
            .collect();
        let all = async {
            for task in tasks {
                task.await.expect("no assertion failed");
            }
        };
        tokio::time::timeout(DEADLOCK, all)
            .await
            .expect("no deadlock");
        for key in 0..3 {
            assert_eq!(
                inside.max[key].load(Ordering::SeqCst),
                1,
                "account {key} exclusive"
            );
        }
        assert!(locks.is_empty(), "idle keys are removed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_key_is_mutually_exclusive_across_awaits() {
        let locks = KeyedLocks::new();
        let inside = Arc::new(Inside::default());
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let (locks, inside) = (locks.clone(), inside.clone());
                tokio::spawn(async move {
                    for _ in 0..200 {
                        let key = task % 2;
                        let _guard = locks.lock(key).await;
                        inside.enter(&[key]);
                        tokio::task::yield_now().await;
                        inside.leave(&[key]);
                    }
                })
            })
            .collect();
        let all = async {
            for task in tasks {
                task.await.expect("task completes");
            }
        };
        tokio::time::timeout(DEADLOCK, all)
            .await
            .expect("no deadlock");
        assert_eq!(inside.max[0].load(Ordering::SeqCst), 1);
        assert_eq!(inside.max[1].load(Ordering::SeqCst), 1);
        assert!(locks.is_empty());
    }

    #[tokio::test]
    async fn keys_are_freed_when_guards_and_waiters_go() {
        let locks = KeyedLocks::new();
        let guard = locks.lock_many([3, 1, 3]).await;
        assert_eq!(guard.keys(), &[1, 3], "sorted, duplicates removed");
        assert_eq!(locks.len(), 2);

        let mut waiter = Box::pin(locks.lock_many([1, 2]));
        assert!(poll_once(&mut waiter).is_pending(), "1 is held");
        assert_eq!(locks.len(), 3, "the waiter registered 2 and waits for 1");
        drop(waiter);
        assert_eq!(locks.len(), 2, "a cancelled waiter leaves nothing behind");

        let mut next = Box::pin(locks.lock(3));
        assert!(poll_once(&mut next).is_pending());
        drop(guard);
        let Poll::Ready(next) = poll_once(&mut next) else {
            panic!("3 was released")
        };
        assert_eq!(locks.len(), 1, "1 is idle and removed, 3 is held");
        drop(next);
        assert!(locks.is_empty());
        assert_eq!(format!("{locks:?}"), "KeyedLocks { keys: [] }");
    }
}
