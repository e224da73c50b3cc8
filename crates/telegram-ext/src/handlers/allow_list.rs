//! [`AllowList`]: the ids and usernames a handler is restricted to (chat join requests from
//! some chats, business connections of some users, …), fixed when the handler is built.
//!
//! Each handler decides *whose* id and username it checks. Lists that change at runtime are
//! the filters' concern (`filters::Chat`, `filters::User`).

use std::collections::HashSet;

use crate::filters::normalize_username;

/// Ids and usernames; usernames are stored without `@`, in ASCII lowercase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct AllowList {
    ids: HashSet<i64>,
    usernames: HashSet<String>,
}

impl AllowList {
    /// Whether nothing is listed (the handler then takes every subject).
    pub(super) fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.usernames.is_empty()
    }

    /// Whether `id` or `username` is listed. An empty list allows nothing: callers combine
    /// several lists and decide what "no list at all" means.
    pub(super) fn contains(&self, id: Option<i64>, username: Option<&str>) -> bool {
        id.is_some_and(|id| self.ids.contains(&id))
            || username.is_some_and(|name| self.usernames.contains(&normalize_username(name)))
    }

    /// Adds `ids`.
    pub(super) fn add_ids(&mut self, ids: impl IntoIterator<Item = i64>) {
        self.ids.extend(ids);
    }

    /// Adds `usernames` (with or without `@`, any case).
    pub(super) fn add_usernames<S: AsRef<str>>(&mut self, usernames: impl IntoIterator<Item = S>) {
        self.usernames.extend(
            usernames
                .into_iter()
                .map(|n| normalize_username(n.as_ref())),
        );
    }
}

/// Whether a subject passes a set of lists: when every list is empty, yes; otherwise when any
/// list contains it (python-telegram-bot ORs the lists of one handler).
pub(super) fn allows(lists: &[(&AllowList, Option<i64>, Option<&str>)]) -> bool {
    lists.iter().all(|(list, _, _)| list.is_empty())
        || lists
            .iter()
            .any(|(list, id, name)| list.contains(*id, *name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(ids: &[i64], names: &[&str]) -> AllowList {
        let mut list = AllowList::default();
        list.add_ids(ids.iter().copied());
        list.add_usernames(names);
        list
    }

    #[test]
    fn usernames_compare_without_at_and_case() {
        let names = list(&[], &["@Ann"]);
        assert!(names.contains(None, Some("ann")));
        assert!(names.contains(Some(1), Some("@ANN")));
        assert!(!names.contains(Some(1), Some("bob")));
        assert!(!names.contains(None, None));
    }

    #[test]
    fn empty_lists_allow_everything_and_any_list_suffices() {
        let empty = AllowList::default();
        assert!(allows(&[(&empty, None, None), (&empty, Some(1), None)]));
        let ids = list(&[7], &[]);
        assert!(allows(&[(&ids, Some(7), None), (&empty, None, None)]));
        assert!(!allows(&[
            (&ids, Some(8), Some("x")),
            (&empty, Some(7), None)
        ]));
        let names = list(&[], &["x"]);
        assert!(allows(&[(&ids, Some(8), None), (&names, None, Some("X"))]));
    }
}
