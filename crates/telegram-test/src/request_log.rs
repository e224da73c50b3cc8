//! The log of API calls: executed calls in arrival order, faulted calls apart, and the cursors
//! behind `next_request` / `replies_to` (each record is handed out once per kind of wait).

use std::collections::HashMap;

use serde_json::Value;

use crate::record::RecordedRequest;

/// An executed call and whether `next_request` handed it out already.
#[derive(Debug)]
struct Entry {
    request: RecordedRequest,
    consumed: bool,
}

/// Every call a server received.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Vec<Entry>,
    faulted: Vec<RecordedRequest>,
    /// Per chat: how many replies `replies_to` handed out.
    reply_cursors: HashMap<i64, usize>,
}

impl RequestLog {
    /// Records an executed call; returns its index for [`RequestLog::finish`].
    pub(crate) fn record(&mut self, request: RecordedRequest) -> usize {
        self.entries.push(Entry {
            request,
            consumed: false,
        });
        self.entries.len() - 1
    }

    /// Stores the answer of the call at `index`.
    pub(crate) fn finish(&mut self, index: usize, status: u16, response: Option<Value>) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.request.status = Some(status);
            entry.request.response = response;
        }
    }

    /// Records a call a fault kept from running.
    pub(crate) fn record_faulted(&mut self, request: RecordedRequest) {
        self.faulted.push(request);
    }

    /// All executed calls, in arrival order.
    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(|e| e.request.clone()).collect()
    }

    /// Executed calls of `method` (case-insensitive), in arrival order.
    pub(crate) fn for_method(&self, method: &str) -> Vec<RecordedRequest> {
        self.entries
            .iter()
            .filter(|e| e.request.method.eq_ignore_ascii_case(method))
            .map(|e| e.request.clone())
            .collect()
    }

    /// Calls that got a non-executing fault.
    pub(crate) fn faulted(&self) -> Vec<RecordedRequest> {
        self.faulted.clone()
    }

    /// Hands out the oldest executed `method` call not handed out before.
    pub(crate) fn take_next(&mut self, method: &str) -> Option<RecordedRequest> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| !e.consumed && e.request.method.eq_ignore_ascii_case(method))?;
        entry.consumed = true;
        Some(entry.request.clone())
    }

    /// Hands out the next `n` replies to `chat_id` once that many arrived.
    pub(crate) fn take_replies(&mut self, chat_id: i64, n: usize) -> Option<Vec<RecordedRequest>> {
        let cursor = self.reply_cursors.get(&chat_id).copied().unwrap_or(0);
        let replies: Vec<RecordedRequest> = self
            .entries
            .iter()
            .map(|e| &e.request)
            .filter(|r| is_reply(&r.method) && r.chat_id() == Some(chat_id))
            .skip(cursor)
            .take(n)
            .cloned()
            .collect();
        // A reply counts once it is answered, so its `response` is there for the test to read.
        if replies.len() < n || replies.iter().any(|r| r.status.is_none()) {
            return None;
        }
        self.reply_cursors.insert(chat_id, cursor + n);
        Some(replies)
    }
}

/// Does `method` put something into a chat? `send*` (except `sendChatAction`), copies, forwards.
pub(crate) fn is_reply(method: &str) -> bool {
    let method = method.to_ascii_lowercase();
    (method.starts_with("send") && method != "sendchataction")
        || matches!(
            method.as_str(),
            "copymessage" | "copymessages" | "forwardmessage" | "forwardmessages"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_exclude_chat_actions() {
        assert!(is_reply("sendMessage"));
        assert!(is_reply("copyMessage"));
        assert!(!is_reply("sendChatAction"));
        assert!(!is_reply("editMessageText"));
    }
}
