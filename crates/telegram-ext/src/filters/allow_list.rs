//! The allow-list behind [`User`](super::User), [`Chat`](super::Chat) and
//! [`SenderChat`](super::SenderChat): ids and usernames that can change while the bot runs,
//! shared by every clone of the filter.
//!
//! Each filter decides *whose* id and username are checked (`user.rs`, `chat.rs`); this file
//! owns the sets, the normalisation of usernames and the `allow_empty` rule.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Ids and usernames behind a lock, shared by clones; plus what an empty list means.
#[derive(Clone, Default)]
pub(super) struct AllowList {
    entries: Arc<RwLock<Entries>>,
    allow_empty: bool,
}

/// The sets themselves. Usernames are stored without `@`, in ASCII lowercase.
#[derive(Debug, Default)]
struct Entries {
    ids: HashSet<i64>,
    usernames: HashSet<String>,
}

impl AllowList {
    /// Whether a subject with `id` and `username` passes: its id or its username is listed; or,
    /// when both sets are empty, `allow_empty`.
    pub(super) fn allows(&self, id: i64, username: Option<&str>) -> bool {
        let entries = self.read();
        if entries.ids.is_empty() && entries.usernames.is_empty() {
            return self.allow_empty;
        }
        entries.ids.contains(&id)
            || username.is_some_and(|name| entries.usernames.contains(&normalize_username(name)))
    }

    /// Sets what an empty list means.
    pub(super) fn set_allow_empty(&mut self, allow: bool) {
        self.allow_empty = allow;
    }

    /// Adds `ids`.
    pub(super) fn add_ids(&self, ids: impl IntoIterator<Item = i64>) {
        self.write().ids.extend(ids);
    }

    /// Removes `ids`; ids not listed are ignored.
    pub(super) fn remove_ids(&self, ids: impl IntoIterator<Item = i64>) {
        let mut entries = self.write();
        for id in ids {
            entries.ids.remove(&id);
        }
    }

    /// Adds `usernames` (with or without `@`, any case).
    pub(super) fn add_usernames<S: AsRef<str>>(&self, usernames: impl IntoIterator<Item = S>) {
        let usernames: Vec<String> = usernames
            .into_iter()
            .map(|n| normalize_username(n.as_ref()))
            .collect();
        self.write().usernames.extend(usernames);
    }

    /// Removes `usernames` (with or without `@`, any case); names not listed are ignored.
    pub(super) fn remove_usernames<S: AsRef<str>>(&self, usernames: impl IntoIterator<Item = S>) {
        let usernames: Vec<String> = usernames
            .into_iter()
            .map(|n| normalize_username(n.as_ref()))
            .collect();
        let mut entries = self.write();
        for name in &usernames {
            entries.usernames.remove(name);
        }
    }

    /// A copy of the ids.
    pub(super) fn ids(&self) -> HashSet<i64> {
        self.read().ids.clone()
    }

    /// A copy of the usernames, as stored (no `@`, lowercase).
    pub(super) fn usernames(&self) -> HashSet<String> {
        self.read().usernames.clone()
    }

    // The lock guards plain sets that are never left half-updated, so a panic elsewhere while
    // it was held (poisoning) does not make the data wrong: recover it rather than panic.
    fn read(&self) -> RwLockReadGuard<'_, Entries> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Entries> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.read();
        f.debug_struct("AllowList")
            .field("ids", &entries.ids)
            .field("usernames", &entries.usernames)
            .field("allow_empty", &self.allow_empty)
            .finish()
    }
}

/// A username as every list in this crate stores it: without its leading `@`, in ASCII
/// lowercase (usernames are ASCII and case-insensitive).
pub(crate) fn normalize_username(name: &str) -> String {
    name.strip_prefix('@').unwrap_or(name).to_ascii_lowercase()
}

/// Declares an allow-list filter type: the struct, its constructors, the runtime mutators and
/// the operators. The `Filter` impl, which picks the subject, is written beside each use.
macro_rules! allow_list_filter {
    ($(#[$doc:meta])* $ty:ident, $subject:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        pub struct $ty {
            list: $crate::filters::allow_list::AllowList,
        }

        impl $ty {
            #[doc = concat!("An empty list: no ", $subject, " passes until one is added (see [`", stringify!($ty), "::allow_empty`]).")]
            pub fn new() -> Self {
                Self::default()
            }

            #[doc = concat!("Passes ", $subject, "s with one of `ids`.")]
            pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
                let filter = Self::new();
                filter.add_ids(ids);
                filter
            }

            #[doc = concat!("Passes ", $subject, "s with one of `usernames` (with or without `@`, any case).")]
            pub fn usernames<S: AsRef<str>>(usernames: impl IntoIterator<Item = S>) -> Self {
                let filter = Self::new();
                filter.add_usernames(usernames);
                filter
            }

            #[doc = concat!("What an empty list means: `true` lets every ", $subject, " pass, `false` (the default) none. An update without a ", $subject, " fails either way.")]
            #[must_use]
            pub fn allow_empty(mut self, allow: bool) -> Self {
                self.list.set_allow_empty(allow);
                self
            }

            /// Adds `ids`; every clone of this filter sees the change.
            pub fn add_ids(&self, ids: impl IntoIterator<Item = i64>) {
                self.list.add_ids(ids);
            }

            /// Removes `ids` (those not listed are ignored); every clone sees the change.
            pub fn remove_ids(&self, ids: impl IntoIterator<Item = i64>) {
                self.list.remove_ids(ids);
            }

            /// Adds `usernames` (with or without `@`, any case); every clone sees the change.
            pub fn add_usernames<S: AsRef<str>>(&self, usernames: impl IntoIterator<Item = S>) {
                self.list.add_usernames(usernames);
            }

            /// Removes `usernames` (those not listed are ignored); every clone sees the change.
            pub fn remove_usernames<S: AsRef<str>>(&self, usernames: impl IntoIterator<Item = S>) {
                self.list.remove_usernames(usernames);
            }

            /// A copy of the ids listed now.
            pub fn allowed_ids(&self) -> std::collections::HashSet<i64> {
                self.list.ids()
            }

            /// A copy of the usernames listed now, without `@`, in lowercase.
            pub fn allowed_usernames(&self) -> std::collections::HashSet<String> {
                self.list.usernames()
            }
        }

        $crate::filters::filter_ops!([] $ty);
    };
}
pub(super) use allow_list_filter;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_match_without_at_sign_and_case() {
        let list = AllowList::default();
        list.add_usernames(["@Alice"]);
        assert!(list.allows(1, Some("alice")));
        assert!(list.allows(1, Some("ALICE")));
        assert!(list.allows(1, Some("@alice")));
        assert!(!list.allows(1, Some("bob")));
        assert!(!list.allows(1, None));
    }

    #[test]
    fn id_or_username_is_enough() {
        let list = AllowList::default();
        list.add_ids([7]);
        list.add_usernames(["bob"]);
        assert!(list.allows(7, None));
        assert!(list.allows(8, Some("bob")));
        assert!(!list.allows(8, Some("carol")));
    }

    #[test]
    fn empty_list_follows_allow_empty() {
        let mut list = AllowList::default();
        assert!(!list.allows(1, Some("a")));
        list.set_allow_empty(true);
        assert!(list.allows(1, Some("a")));
        list.add_ids([2]);
        assert!(
            !list.allows(1, Some("a")),
            "a non-empty list ignores allow_empty"
        );
    }

    #[test]
    fn removing_what_is_not_listed_is_harmless() {
        let list = AllowList::default();
        list.add_ids([1]);
        list.remove_ids([2]);
        list.remove_usernames(["nobody"]);
        assert_eq!(list.ids(), HashSet::from([1]));
        assert!(list.usernames().is_empty());
    }

    #[test]
    fn clones_share_the_sets_but_not_allow_empty() {
        let mut list = AllowList::default();
        let clone = list.clone();
        list.add_ids([5]);
        clone.add_usernames(["Eve"]);
        assert_eq!(clone.ids(), HashSet::from([5]));
        assert_eq!(list.usernames(), HashSet::from(["eve".to_owned()]));
        list.set_allow_empty(true);
        assert!(!clone.allow_empty);
    }
}
