//! The log of API calls: executed calls in arrival order, faulted calls apart, and the one
//! cursor model behind `next_request`, `replies_to` and `take_replies_to`: every executed call
//! carries a "handed out" mark, and each of those waits hands out only unmarked calls and marks
//! what it returns. A call is therefore handed out at most once, by whichever wait takes it first
//! (a `sendMessage` returned by `next_request("sendMessage")` is not returned again by
//! `replies_to`, and the other way round). `requests()` and `requests_for()` read the whole log
//! and mark nothing.

use serde_json::Value;

use crate::record::RecordedRequest;

/// An executed call and whether a wait handed it out already.
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

    /// Hands out the oldest `n` replies to `chat_id` not handed out before, once that many
    /// arrived and were answered.
    pub(crate) fn take_replies(&mut self, chat_id: i64, n: usize) -> Option<Vec<RecordedRequest>> {
        let replies: Vec<&mut Entry> = self
            .entries
            .iter_mut()
            .filter(|e| !e.consumed && is_reply_to(&e.request, chat_id))
            .take(n)
            .collect();
        // A reply counts once it is answered, so its `response` is there for the test to read.
        if replies.len() < n || replies.iter().any(|e| e.request.status.is_none()) {
            return None;
        }
        Some(
            replies
                .into_iter()
                .map(|entry| {
                    entry.consumed = true;
                    entry.request.clone()
                })
                .collect(),
        )
    }

    /// Hands out every answered reply to `chat_id` not handed out before, without waiting.
    pub(crate) fn take_answered_replies(&mut self, chat_id: i64) -> Vec<RecordedRequest> {
        self.entries
            .iter_mut()
            .filter(|e| {
                !e.consumed && e.request.status.is_some() && is_reply_to(&e.request, chat_id)
            })
            .map(|entry| {
                entry.consumed = true;
                entry.request.clone()
            })
            .collect()
    }

    /// Calls that arrived and are not answered yet, long polls (`getUpdates`) left out.
    pub(crate) fn unanswered(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| {
                e.request.status.is_none() && !e.request.method.eq_ignore_ascii_case("getUpdates")
            })
            .count()
    }

    /// Whether any `getUpdates` call arrived.
    pub(crate) fn has_polled(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.request.method.eq_ignore_ascii_case("getUpdates"))
    }
}

/// Is `request` a reply to `chat_id`?
fn is_reply_to(request: &RecordedRequest, chat_id: i64) -> bool {
    is_reply(&request.method) && request.chat_id() == Some(chat_id)
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
