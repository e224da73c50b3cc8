//! `Table`: every job this process knows, as `Slot`s in one vector (freed indices reused), found
//! by id through a hash table of 4-byte indices into it.
//!
//! The id lives once, in the job's `JobInfo`; the index hashes it and compares against it. Per
//! pending job this is the slot (48 bytes) and about 5 bytes of index (two buckets of a 4-byte
//! index and a control byte at the table's maximum load), against ~80 bytes per entry of a
//! `HashMap<Arc<str>, Slot>` plus the key's own allocation.

use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use hashbrown::HashTable;
use jiff::Timestamp;

use super::job::JobInfo;

/// One job as this process knows it.
pub(crate) struct Slot {
    pub(crate) info: Arc<JobInfo>,
    /// The pending occurrence.
    pub(crate) next_run: Option<Timestamp>,
    /// Runs of this job in progress here (to warn about overlapping runs); allocated at the
    /// first run, kept when the job is replaced.
    pub(crate) running: Option<Arc<AtomicUsize>>,
    /// The ticket of its live timer entry, if armed.
    pub(crate) timer: Option<NonZeroU32>,
    pub(crate) enabled: bool,
    /// A persistent job whose record is being claimed: its timer stays unarmed meanwhile.
    pub(crate) busy: bool,
}

/// The jobs, by index and by id.
#[derive(Default)]
pub(crate) struct Table {
    slots: Vec<Option<Slot>>,
    /// Indices of `None` slots, reused before the vector grows.
    free: Vec<u32>,
    index: HashTable<u32>,
    hasher: std::hash::RandomState,
}

impl Table {
    /// The index of the job with this id.
    pub(crate) fn find(&self, id: &str) -> Option<u32> {
        let slots = &self.slots;
        self.index
            .find(self.hasher.hash_one(id), |&i| id_at(slots, i) == Some(id))
            .copied()
    }

    pub(crate) fn get(&self, index: u32) -> Option<&Slot> {
        self.slots.get(index as usize).and_then(Option::as_ref)
    }

    pub(crate) fn get_mut(&mut self, index: u32) -> Option<&mut Slot> {
        self.slots.get_mut(index as usize).and_then(Option::as_mut)
    }

    /// Adds a job whose id is not in the table; its index.
    pub(crate) fn insert(&mut self, slot: Slot) -> u32 {
        let hash = self.hasher.hash_one(&*slot.info.id);
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize] = Some(slot);
                index
            }
            None => {
                // More than 4 G jobs do not fit in memory long before this saturates.
                let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
                self.slots.push(Some(slot));
                index
            }
        };
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index.insert_unique(hash, index, |&i| {
            hasher.hash_one(id_at(slots, i).unwrap_or_default())
        });
        index
    }

    /// Removes the job at `index`.
    pub(crate) fn remove(&mut self, index: u32) -> Option<Slot> {
        let slot = self.slots.get_mut(index as usize)?.take()?;
        let hash = self.hasher.hash_one(&*slot.info.id);
        if let Ok(entry) = self.index.find_entry(hash, |&i| i == index) {
            entry.remove();
        }
        self.free.push(index);
        Some(slot)
    }

    /// Every job, with its index.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &Slot)> {
        (0u32..)
            .zip(&self.slots)
            .filter_map(|(index, slot)| Some((index, slot.as_ref()?)))
    }

    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }
}

fn id_at(slots: &[Option<Slot>], index: u32) -> Option<&str> {
    let slot = slots.get(index as usize)?.as_ref()?;
    Some(&slot.info.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `jobs` bench's budget (1 M pending jobs in 300 MB) rests on these sizes: a bigger
    /// `JobInfo` moves its `Arc` into the next allocator size class.
    #[test]
    fn a_pending_job_stays_small() {
        assert_eq!(std::mem::size_of::<Option<Slot>>(), 48);
        assert!(std::mem::size_of::<JobInfo>() <= 160);
    }

    #[test]
    fn finds_removes_and_reuses_slots() {
        let mut table = Table::default();
        let info = |id: &str| {
            Arc::new(JobInfo {
                id: id.into(),
                name: "job".into(),
                callback: super::super::job::CallbackRef::Named("cb".into()),
                chat_id: None,
                user_id: None,
                data: None,
                spec: super::super::schedule::Spec::Once {
                    at: Timestamp::UNIX_EPOCH,
                },
                misfire: super::super::misfire::Misfire::default(),
                grace: std::time::Duration::ZERO,
            })
        };
        let slot = |id: &str| Slot {
            info: info(id),
            next_run: None,
            running: None,
            timer: None,
            enabled: true,
            busy: false,
        };
        let ids: Vec<String> = (0..100).map(|i| format!("job-{i}")).collect();
        for id in &ids {
            table.insert(slot(id));
        }
        assert_eq!(table.len(), 100);
        let seven = table.find("job-7").unwrap();
        assert_eq!(&*table.get(seven).unwrap().info.id, "job-7");
        assert!(table.remove(seven).is_some());
        assert_eq!(table.find("job-7"), None);
        assert_eq!(table.len(), 99);
        // The freed slot is reused; every other id still resolves to its own slot.
        assert_eq!(table.insert(slot("new")), seven);
        for id in ids.iter().filter(|id| *id != "job-7") {
            let index = table.find(id).unwrap();
            assert_eq!(&*table.get(index).unwrap().info.id, id.as_str());
        }
        assert_eq!(table.iter().count(), 100);
    }
}
