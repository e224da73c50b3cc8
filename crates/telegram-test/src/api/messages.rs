//! Text messages: `sendMessage`, `editMessageText`, `answerCallbackQuery`, and the parts every
//! sent message shares (reply markup, reply target, thread). Media sends reuse [`finish_message`].

use serde_json::{Map, Value};

use super::{require_chat, utf16_len, ApiFailure, ApiOutcome, ApiResult};
use crate::chats::unix_now;
use crate::http::Params;
use crate::state::{Data, State};

/// Telegram's limit for a text message, in UTF-16 code units.
const MAX_TEXT: usize = 4096;

/// `sendMessage`.
pub(super) fn send_message(state: &State, params: &Params) -> ApiOutcome {
    state.update(|data| {
        let chat_id = require_chat(data, params)?;
        let text = checked_text(params)?;
        let mut message = data
            .chats
            .new_message(chat_id, &state.bot_user)
            .ok_or_else(|| ApiFailure::bad_request("chat not found"))?;
        message.insert("text".to_owned(), Value::String(text));
        if let Some(entities) = params.json("entities").filter(Value::is_array) {
            message.insert("entities".to_owned(), entities);
        }
        if let Some(options) = params.json("link_preview_options") {
            message.insert("link_preview_options".to_owned(), options);
        }
        finish_message(data, chat_id, message, params)
    })
}

/// `text` present, non-empty and within Telegram's limit.
fn checked_text(params: &Params) -> Result<String, ApiFailure> {
    let text = params.text("text").unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiFailure::bad_request("message text is empty"));
    }
    if utf16_len(&text) > MAX_TEXT {
        return Err(ApiFailure::bad_request("message is too long"));
    }
    Ok(text)
}

/// Adds what every sent message shares, stores it and returns it as the call's result.
pub(super) fn finish_message(
    data: &mut Data,
    chat_id: i64,
    mut message: Map<String, Value>,
    params: &Params,
) -> ApiOutcome {
    add_common(data, chat_id, &mut message, params)?;
    let message = Value::Object(message);
    data.chats.store(&message);
    Ok(ApiResult::Json(message))
}

/// Reply markup (inline keyboards only, as Telegram echoes), reply target, thread id.
pub(super) fn add_common(
    data: &Data,
    chat_id: i64,
    message: &mut Map<String, Value>,
    params: &Params,
) -> Result<(), ApiFailure> {
    if let Some(markup) = params
        .json("reply_markup")
        .filter(|m| m.get("inline_keyboard").is_some())
    {
        message.insert("reply_markup".to_owned(), markup);
    }
    if let Some(thread) = params.int("message_thread_id") {
        message.insert("message_thread_id".to_owned(), Value::from(thread));
    }
    let reply = params.json("reply_parameters");
    let reply_to = reply
        .as_ref()
        .and_then(|r| r.get("message_id"))
        .and_then(Value::as_i64)
        .or_else(|| params.int("reply_to_message_id"));
    if let Some(reply_to) = reply_to {
        let lenient = params.flag("allow_sending_without_reply")
            || reply
                .as_ref()
                .and_then(|r| r.get("allow_sending_without_reply"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
        match data.chats.message(chat_id, reply_to) {
            Some(original) => {
                message.insert("reply_to_message".to_owned(), original.clone());
            }
            None if lenient => {}
            None => return Err(ApiFailure::bad_request("message to be replied not found")),
        }
    }
    Ok(())
}

/// `editMessageText`.
pub(super) fn edit_message_text(state: &State, params: &Params) -> ApiOutcome {
    if params.get("inline_message_id").is_some() {
        checked_text(params)?;
        return Ok(ApiResult::Json(Value::Bool(true)));
    }
    state.update(|data| {
        let chat_id = require_chat(data, params)?;
        let not_found = || ApiFailure::bad_request("message to edit not found");
        let message_id = params.int("message_id").ok_or_else(not_found)?;
        let text = checked_text(params)?;
        let Some(Value::Object(old)) = data.chats.message(chat_id, message_id).cloned() else {
            return Err(not_found());
        };
        let bot_id = state.bot_user.get("id");
        if old.get("from").and_then(|from| from.get("id")) != bot_id {
            return Err(ApiFailure::bad_request("message can't be edited"));
        }
        let mut edited = old.clone();
        edited.insert("text".to_owned(), Value::String(text));
        edited.remove("entities");
        if let Some(entities) = params.json("entities").filter(Value::is_array) {
            edited.insert("entities".to_owned(), entities);
        }
        edited.remove("reply_markup");
        if let Some(markup) = params.json("reply_markup").filter(|m| m.get("inline_keyboard").is_some()) {
            edited.insert("reply_markup".to_owned(), markup);
        }
        let same = |key: &str| old.get(key) == edited.get(key);
        if same("text") && same("entities") && same("reply_markup") {
            return Err(ApiFailure::bad_request(
                "message is not modified: specified new message content and reply markup are exactly \
                 the same as a current content and reply markup of the message",
            ));
        }
        edited.insert("edit_date".to_owned(), Value::from(unix_now()));
        let edited = Value::Object(edited);
        data.chats.store(&edited);
        Ok(ApiResult::Json(edited))
    })
}

/// `answerCallbackQuery`.
pub(super) fn answer_callback_query(params: &Params) -> ApiOutcome {
    match params.text("callback_query_id") {
        Some(id) if !id.is_empty() => Ok(ApiResult::Json(Value::Bool(true))),
        _ => Err(ApiFailure::bad_request(
            "query is too old and response timeout expired or query ID is invalid",
        )),
    }
}
