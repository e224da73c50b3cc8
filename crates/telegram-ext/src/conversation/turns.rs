//! Turns: one async lock per conversation key, holding the state this process last read or
//! wrote for that key (a memo, so an unchanged stored state is not decoded again).
//!
//! A key's entry lives while its conversation has a state here and is removed when the last
//! turn of a conversation without one ends (ended, or never started), so the map holds the
//! conversations going on, as the store does. Entries are reused, not allocated per update.
//! Past [`KEPT`] entries (conversations abandoned without a timeout add up), an idle entry is
//! removed at the end of its turn whatever it holds: its next update decodes the state again.
//!
//! The memo is only a decoding shortcut: the engine still reads the stored entry at every turn
//! and uses the memo only when the stored bytes are the memo's bytes, so a state written by
//! another process (even at the same version, after a delete and re-create) is always seen.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A decoded state and the exact bytes it was decoded from (or encoded to).
pub(crate) struct Memo<St> {
    pub(crate) bytes: Bytes,
    pub(crate) state: St,
}

/// Entries kept with their memo while idle; beyond, idle entries go at the end of their turn.
pub(crate) const KEPT: usize = 10_000;

/// Slots by store key.
/// foldhash rather than std's SipHash: store keys are short and made by this process from
/// Telegram's chat and user ids, and SipHash was a tenth of a conversation update's cost.
type Slots<St> = HashMap<Arc<str>, Arc<Slot<St>>, foldhash::fast::RandomState>;

/// The per-key locks of one conversation.
pub(crate) struct Turns<St> {
    shared: Arc<Shared<St>>,
}

/// The map, and its length readable without locking it (checked at the end of every turn).
struct Shared<St> {
    slots: Mutex<Slots<St>>,
    len: AtomicUsize,
    kept: usize,
}

/// One key's lock; what it guards is the key's memo (`None`: no state known).
struct Slot<St> {
    key: Arc<str>,
    memo: Arc<AsyncMutex<Option<Memo<St>>>>,
}

/// A key's turn: no other update or timeout of this conversation key runs in this process
/// until it is dropped. Derefs to the key's memo.
pub(crate) struct Turn<St> {
    /// Released first (in `Drop`), then the slot is removed if idle and empty.
    guard: Option<OwnedMutexGuard<Option<Memo<St>>>>,
    slot: Arc<Slot<St>>,
    shared: Arc<Shared<St>>,
}

impl<St> Turns<St> {
    pub(crate) fn new() -> Self {
        Turns::keeping(KEPT)
    }

    /// Keeps up to `kept` idle entries with a memo.
    fn keeping(kept: usize) -> Self {
        Turns {
            shared: Arc::new(Shared {
                slots: Mutex::default(),
                len: AtomicUsize::new(0),
                kept,
            }),
        }
    }

    /// Waits for `key`'s turn (first come, first served).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future gives up the place in the queue; an entry it created is removed by
    /// the next turn of that key that finds it idle and empty.
    pub(crate) async fn take(&self, key: &str) -> Turn<St> {
        let slot = {
            let mut map = lock(&self.shared.slots);
            match map.get(key) {
                Some(slot) => slot.clone(),
                None => {
                    let key: Arc<str> = Arc::from(key);
                    let slot = Arc::new(Slot {
                        key: key.clone(),
                        memo: Arc::new(AsyncMutex::new(None)),
                    });
                    map.insert(key, slot.clone());
                    self.shared.len.store(map.len(), Ordering::Relaxed);
                    slot
                }
            }
        };
        let guard = slot.memo.clone().lock_owned().await;
        Turn {
            guard: Some(guard),
            slot,
            shared: self.shared.clone(),
        }
    }

    /// Keys with an entry (going on here, or waited for).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.shared.slots).len()
    }
}

/// Locks the map; no user code runs under this lock, so a poisoned map is still consistent.
fn lock<T>(map: &Mutex<T>) -> MutexGuard<'_, T> {
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<St> std::ops::Deref for Turn<St> {
    type Target = Option<Memo<St>>;

    fn deref(&self) -> &Self::Target {
        self.guard.as_ref().expect("held until dropped")
    }
}

impl<St> std::ops::DerefMut for Turn<St> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.guard.as_mut().expect("held until dropped")
    }
}

impl<St> Drop for Turn<St> {
    fn drop(&mut self) {
        let empty = self.guard.take().is_none_or(|memo| memo.is_none());
        // A slot with a memo stays for the conversation's next update, unless there are many.
        // The length is a hint read without the lock: a stale one keeps or drops a memo, no more.
        if !empty && self.shared.len.load(Ordering::Relaxed) <= self.shared.kept {
            return;
        }
        let mut map = lock(&self.shared.slots);
        // Only the map and this turn hold the slot: nobody waits for it (waiters clone it under
        // this lock), so it can go.
        if Arc::strong_count(&self.slot) == 2 {
            map.remove(&self.slot.key);
            self.shared.len.store(map.len(), Ordering::Relaxed);
        }
    }
}

impl<St> fmt::Debug for Turn<St> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Turn").field("key", &self.slot.key).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_entry_lives_while_its_key_has_a_memo_and_goes_when_idle_and_empty() {
        let turns: Turns<u8> = Turns::new();
        let mut turn = turns.take("a").await;
        *turn = Some(Memo {
            bytes: Bytes::from_static(b"1"),
            state: 1,
        });
        drop(turn);
        assert_eq!(turns.len(), 1);
        let mut turn = turns.take("a").await;
        assert_eq!(turn.as_ref().map(|m| m.state), Some(1));
        *turn = None;
        drop(turn);
        assert_eq!(turns.len(), 0);
    }

    #[tokio::test]
    async fn past_the_kept_number_idle_entries_go_even_with_a_memo() {
        let turns: Turns<u8> = Turns::keeping(2);
        for key in ["a", "b", "c", "d"] {
            let mut turn = turns.take(key).await;
            *turn = Some(Memo {
                bytes: Bytes::from_static(b"1"),
                state: 1,
            });
        }
        assert_eq!(turns.len(), 2);
    }

    #[tokio::test]
    async fn a_waiting_turn_keeps_the_entry_and_sees_the_memo_written_before_it() {
        let turns: Arc<Turns<u8>> = Arc::new(Turns::new());
        let first = turns.take("a").await;
        let waiting = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take("a").await.as_ref().map(|m| m.state) }
        });
        tokio::task::yield_now().await;
        let mut first = first;
        *first = Some(Memo {
            bytes: Bytes::from_static(b"2"),
            state: 2,
        });
        drop(first);
        assert_eq!(waiting.await.unwrap(), Some(2));
    }
}
