//! Polls: `sendPoll` (a message carrying the poll, each option counted at 0 votes) and
//! `stopPoll` (the stored poll, closed). Votes come from simulated users
//! ([`SimUser::answer_poll`](crate::SimUser::answer_poll)); the counts are not tallied here.

use serde_json::{json, Value};

use super::messages::finish_message;
use super::{require_chat, ApiFailure, ApiOutcome, ApiResult};
use crate::http::Params;
use crate::state::{Data, State};

/// `sendPoll`.
pub(super) fn send_poll(state: &State, params: &Params) -> ApiOutcome {
    state.update(|data| {
        let chat_id = require_chat(data, params)?;
        let question = params.text("question").unwrap_or_default();
        if question.trim().is_empty() {
            return Err(ApiFailure::bad_request("poll question must be non-empty"));
        }
        let options = options(params)?;
        let id = format!("{}", 6_000_000_000_000_000_u64 + data.next_serial());
        let kind = params.text("type").unwrap_or_else(|| "regular".to_owned());
        let mut poll = json!({
            "id": id,
            "question": question,
            "options": options,
            "total_voter_count": 0,
            "is_closed": params.flag("is_closed"),
            "is_anonymous": is_anonymous(params),
            "type": kind,
            "allows_multiple_answers": params.flag("allows_multiple_answers"),
            "allows_revoting": params.flag("allows_revoting"),
            "members_only": params.flag("members_only"),
        });
        if let Some(correct) = params.json("correct_option_ids") {
            poll["correct_option_ids"] = correct;
        }
        let mut message = data
            .chats
            .new_message(chat_id, &state.bot_user)
            .ok_or_else(|| ApiFailure::bad_request("chat not found"))?;
        message.insert("poll".to_owned(), poll);
        finish_message(data, chat_id, message, params)
    })
}

/// Polls are anonymous unless `is_anonymous` is false.
fn is_anonymous(params: &Params) -> bool {
    match params.get("is_anonymous") {
        Some(Value::Bool(anonymous)) => *anonymous,
        Some(Value::String(text)) => text != "false",
        _ => true,
    }
}

/// The options as `PollOption`s: 2 to 12 non-empty texts.
fn options(params: &Params) -> Result<Vec<Value>, ApiFailure> {
    let given = params.json("options");
    let texts: Vec<String> = given
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| o.get("text").or(Some(o)).and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    if !(2..=12).contains(&texts.len()) || texts.iter().any(|t| t.trim().is_empty()) {
        return Err(ApiFailure::bad_request(
            "poll must have 2-12 non-empty options",
        ));
    }
    Ok(texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| json!({"persistent_id": i.to_string(), "text": text, "voter_count": 0}))
        .collect())
}

/// `stopPoll`.
pub(super) fn stop_poll(state: &State, params: &Params) -> ApiOutcome {
    state.update(|data| {
        let chat_id = require_chat(data, params)?;
        let mut message = stored_poll_message(data, chat_id, params.int("message_id"))?;
        let poll = message
            .get_mut("poll")
            .ok_or_else(|| ApiFailure::bad_request("message with poll to stop not found"))?;
        if poll["is_closed"] == Value::Bool(true) {
            return Err(ApiFailure::bad_request("poll has already been closed"));
        }
        poll["is_closed"] = Value::Bool(true);
        let closed = poll.clone();
        data.chats.store(&message);
        Ok(ApiResult::Json(closed))
    })
}

fn stored_poll_message(
    data: &Data,
    chat_id: i64,
    message_id: Option<i64>,
) -> Result<Value, ApiFailure> {
    message_id
        .and_then(|id| data.chats.message(chat_id, id))
        .filter(|m| m.get("poll").is_some())
        .cloned()
        .ok_or_else(|| ApiFailure::bad_request("message with poll to stop not found"))
}
