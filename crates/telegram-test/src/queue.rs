//! The queue of updates waiting for the bot: ids, offset confirmation, `allowed_updates`
//! filtering. `api::updates` serves it over `getUpdates`; `webhook` pushes it to a URL.

use std::collections::VecDeque;

use serde_json::Value;

/// Update kinds Telegram leaves out when `allowed_updates` is empty.
const NOT_DELIVERED_BY_DEFAULT: &[&str] =
    &["chat_member", "message_reaction", "message_reaction_count"];

/// One update waiting to be fetched.
#[derive(Debug, Clone)]
pub(crate) struct PendingUpdate {
    /// Its `update_id` (assigned by the server for malformed raw JSON).
    pub(crate) id: i64,
    /// The update serialized exactly as it will be sent.
    pub(crate) json: String,
    /// Its kind (the first key besides `update_id`), when it could be read.
    pub(crate) kind: Option<String>,
    /// The chat (or, for updates without one, the user) it belongs to: a webhook sends one
    /// chat's updates one after another.
    pub(crate) chat: Option<i64>,
}

/// Pending updates in id order plus the confirmed offset.
#[derive(Debug)]
pub(crate) struct UpdateQueue {
    pending: VecDeque<PendingUpdate>,
    /// The id the next update without one gets; `None` after `i64::MAX`.
    next_id: Option<i64>,
    confirmed_offset: i64,
    allowed: Vec<String>,
}

impl Default for UpdateQueue {
    fn default() -> Self {
        Self {
            pending: VecDeque::new(),
            next_id: Some(10_000),
            confirmed_offset: 0,
            allowed: Vec::new(),
        }
    }
}

impl UpdateQueue {
    /// Enqueues an update object, assigning `update_id` when absent; returns the id.
    pub(crate) fn push(&mut self, mut update: Value) -> i64 {
        let given = update.get("update_id").and_then(Value::as_i64);
        let id = given.unwrap_or_else(|| self.assign_id());
        if let Value::Object(map) = &mut update {
            map.insert("update_id".to_owned(), Value::from(id));
        }
        let kind = kind_of(&update);
        let chat = chat_of(&update);
        self.enqueue(PendingUpdate {
            id,
            json: update.to_string(),
            kind,
            chat,
        });
        id
    }

    /// Enqueues raw JSON text verbatim; its id is read from it when possible (even from text
    /// serde_json refuses to parse, through the batch decoder's scanner), else assigned.
    pub(crate) fn push_raw(&mut self, json: String) -> i64 {
        let parsed: Option<Value> = serde_json::from_str(&json).ok();
        let id = match &parsed {
            Some(value) => value.get("update_id").and_then(integer_id),
            None => telegram_types::batch::update_id_in(json.as_bytes()),
        };
        let id = id.unwrap_or_else(|| self.assign_id());
        let kind = parsed.as_ref().and_then(kind_of);
        let chat = parsed.as_ref().and_then(chat_of);
        self.enqueue(PendingUpdate {
            id,
            json,
            kind,
            chat,
        });
        id
    }

    fn enqueue(&mut self, update: PendingUpdate) {
        // `None` once an update has the largest id: no later id exists.
        self.next_id = self
            .next_id
            .and_then(|next| Some(next.max(update.id.checked_add(1)?)));
        self.pending.push_back(update);
    }

    /// The id for an update that came without one.
    ///
    /// # Panics
    ///
    /// After an update with `update_id = i64::MAX` was queued: there is no id after it, and
    /// reusing one would break the offsets.
    fn assign_id(&self) -> i64 {
        match self.next_id {
            Some(id) => id,
            None => panic!(
                "the fake Bot API has no update_id left: an update with id i64::MAX was queued"
            ),
        }
    }

    /// Applies a `getUpdates` offset: confirms and drops every update with a lower id.
    /// A negative offset keeps only the last `-offset` updates, as Telegram does.
    pub(crate) fn confirm(&mut self, offset: i64) {
        if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while self.pending.len() > keep {
                self.pending.pop_front();
            }
            return;
        }
        self.pending.retain(|u| u.id >= offset);
        self.confirmed_offset = self.confirmed_offset.max(offset);
    }

    /// Sets the `allowed_updates` list (`None` keeps the previous one, as Telegram does).
    pub(crate) fn set_allowed(&mut self, allowed: Option<Vec<String>>) {
        if let Some(allowed) = allowed {
            self.allowed = allowed;
        }
    }

    /// Drops the updates the current `allowed_updates` excludes.
    fn drop_filtered(&mut self) {
        let allowed = &self.allowed;
        self.pending.retain(|u| match &u.kind {
            None => true,
            Some(kind) if allowed.is_empty() => !NOT_DELIVERED_BY_DEFAULT.contains(&kind.as_str()),
            Some(kind) => allowed.iter().any(|a| a == kind),
        });
    }

    /// The first `limit` deliverable updates, oldest first (they stay queued until confirmed).
    pub(crate) fn peek(&mut self, limit: usize) -> Vec<PendingUpdate> {
        self.drop_filtered();
        self.pending.iter().take(limit).cloned().collect()
    }

    /// Every deliverable update, oldest first.
    pub(crate) fn deliverable(&mut self) -> impl Iterator<Item = &PendingUpdate> {
        self.drop_filtered();
        self.pending.iter()
    }

    /// Removes the update with this id (a webhook delivery succeeded).
    pub(crate) fn remove(&mut self, id: i64) {
        self.pending.retain(|u| u.id != id);
    }

    /// Drops every pending update (`drop_pending_updates`).
    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    /// Number of updates waiting.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    /// Is an update waiting?
    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The highest offset confirmed by `getUpdates`.
    pub(crate) fn confirmed_offset(&self) -> i64 {
        self.confirmed_offset
    }

    /// The current `allowed_updates` list.
    pub(crate) fn allowed(&self) -> &[String] {
        &self.allowed
    }
}

/// An `update_id` that is an integer, or a string or float holding one (raw JSON may carry
/// those; the bot under test is expected to read them).
fn integer_id(id: &Value) -> Option<i64> {
    match id {
        Value::String(text) => text.trim().parse().ok(),
        Value::Number(n) => n.as_i64().or_else(|| {
            let float = n.as_f64()?;
            (float.fract() == 0.0 && float.abs() < 2f64.powi(63)).then_some(float as i64)
        }),
        _ => None,
    }
}

/// The update's kind: its first key other than `update_id`.
fn kind_of(update: &Value) -> Option<String> {
    update
        .as_object()?
        .keys()
        .find(|k| *k != "update_id")
        .cloned()
}

/// The chat an update belongs to: the `chat` of its payload, of the message inside it
/// (callback queries), or of a poll answer's voter chat; else the user who caused it (`from`,
/// `user`). `None` for updates with neither (polls): those are not ordered against others.
fn chat_of(update: &Value) -> Option<i64> {
    let payload = update
        .as_object()?
        .iter()
        .find(|(k, _)| *k != "update_id")
        .map(|(_, v)| v)?;
    let id = |value: Option<&Value>| value?.get("id")?.as_i64();
    id(payload.get("chat"))
        .or_else(|| id(payload.get("message").and_then(|m| m.get("chat"))))
        .or_else(|| id(payload.get("voter_chat")))
        .or_else(|| id(payload.get("from")))
        .or_else(|| id(payload.get("user")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_are_assigned_and_offsets_confirm() {
        let mut queue = UpdateQueue::default();
        let a = queue.push(json!({"message": {}}));
        let b = queue.push(json!({"message": {}}));
        assert_eq!(b, a + 1);
        queue.confirm(b);
        assert_eq!(queue.peek(100).len(), 1);
        assert_eq!(queue.confirmed_offset(), b);
    }

    #[test]
    fn allowed_updates_filter_kinds() {
        let mut queue = UpdateQueue::default();
        queue.push(json!({"message": {}}));
        queue.push(json!({"callback_query": {}}));
        queue.push(json!({"chat_member": {}}));
        assert_eq!(queue.peek(100).len(), 2);
        queue.set_allowed(Some(vec!["callback_query".to_owned()]));
        let left = queue.peek(100);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].kind.as_deref(), Some("callback_query"));
    }

    #[test]
    fn raw_json_keeps_its_id_or_gets_one() {
        let mut queue = UpdateQueue::default();
        assert_eq!(
            queue.push_raw(r#"{"update_id": 50000, "message": 1}"#.to_owned()),
            50_000
        );
        assert_eq!(queue.push_raw("{not json".to_owned()), 50_001);
    }

    #[test]
    fn raw_ids_given_as_strings_or_floats_are_read() {
        let mut queue = UpdateQueue::default();
        assert_eq!(
            queue.push_raw(r#"{"update_id": "7", "message": 1}"#.to_owned()),
            7
        );
        assert_eq!(
            queue.push_raw(r#"{"update_id": 8.0, "message": 1}"#.to_owned()),
            8
        );
        let oops = queue.push_raw(r#"{"update_id": "oops", "message": 1}"#.to_owned());
        assert_eq!(oops, 10_000);
    }

    #[test]
    fn updates_belong_to_their_chat_or_user() {
        let mut queue = UpdateQueue::default();
        queue.push(json!({"message": {"chat": {"id": 5}, "from": {"id": 6}}}));
        queue.push(json!({"callback_query": {"from": {"id": 6}, "message": {"chat": {"id": 7}}}}));
        queue.push(json!({"inline_query": {"from": {"id": 8}}}));
        queue.push(json!({"poll_answer": {"user": {"id": 9}}}));
        queue.push(json!({"poll": {"id": "p"}}));
        let chats: Vec<_> = queue.deliverable().map(|u| u.chat).collect();
        assert_eq!(chats, [Some(5), Some(7), Some(8), Some(9), None]);
    }

    #[test]
    fn an_update_with_the_largest_id_is_queued() {
        let mut queue = UpdateQueue::default();
        assert_eq!(
            queue.push(json!({"update_id": i64::MAX, "message": {}})),
            i64::MAX
        );
        assert_eq!(queue.len(), 1);
    }

    #[test]
    #[should_panic(expected = "no update_id left")]
    fn no_id_is_assigned_after_the_largest() {
        let mut queue = UpdateQueue::default();
        queue.push(json!({"update_id": i64::MAX, "message": {}}));
        queue.push(json!({"message": {}}));
    }
}
