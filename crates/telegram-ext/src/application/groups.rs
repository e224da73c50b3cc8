//! The handler groups: copy-on-write, so dispatch reads a snapshot without holding a lock across
//! an await, and handlers can be added or removed while updates are processed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use telegram_types::UpdateType;

use super::HandlerId;
use crate::handlers::Handler;

/// One group's handlers, in the order they were added.
pub(crate) type Group<S> = Vec<(HandlerId, Arc<dyn Handler<S>>)>;

/// Groups by number, ascending.
pub(crate) type Snapshot<S> = BTreeMap<i32, Group<S>>;

pub(crate) struct Groups<S> {
    current: RwLock<Arc<Snapshot<S>>>,
    next_id: AtomicU64,
}

impl<S: 'static> Groups<S> {
    pub(crate) fn new() -> Self {
        Groups {
            current: RwLock::new(Arc::new(BTreeMap::new())),
            next_id: AtomicU64::new(0),
        }
    }

    /// The groups as they are now; later changes do not affect it.
    pub(crate) fn snapshot(&self) -> Arc<Snapshot<S>> {
        self.current.read().map(|g| g.clone()).unwrap_or_default()
    }

    pub(crate) fn add(&self, handler: Arc<dyn Handler<S>>, group: i32) -> HandlerId {
        let id = HandlerId(self.next_id.fetch_add(1, Ordering::Relaxed));
        self.update(|groups| groups.entry(group).or_default().push((id, handler)));
        id
    }

    pub(crate) fn remove(&self, id: HandlerId) -> bool {
        let mut removed = false;
        self.update(|groups| {
            for handlers in groups.values_mut() {
                let before = handlers.len();
                handlers.retain(|(h, _)| *h != id);
                removed |= handlers.len() != before;
            }
            groups.retain(|_, handlers| !handlers.is_empty());
        });
        removed
    }

    pub(crate) fn update_types(&self) -> Vec<UpdateType> {
        let mut types: Vec<UpdateType> = Vec::new();
        for (_, handler) in self.snapshot().values().flatten() {
            for kind in handler.update_types() {
                if !types.contains(&kind) {
                    types.push(kind);
                }
            }
        }
        types
    }

    fn update(&self, change: impl FnOnce(&mut Snapshot<S>)) {
        if let Ok(mut current) = self.current.write() {
            let mut next = current.as_ref().clone();
            change(&mut next);
            *current = Arc::new(next);
        }
    }
}
