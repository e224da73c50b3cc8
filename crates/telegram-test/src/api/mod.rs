//! What each Bot API method does on the fake server. `execute` routes a call by name
//! (case-insensitive, like Telegram); unknown names answer 404, known but unsimulated methods
//! answer `true`. Updates and webhooks live in `updates`, text messages in `messages`, files
//! and media in `media`.

mod media;
mod messages;
mod method_names;
mod polls;
mod updates;

use serde_json::Value;

use crate::http::Params;
use crate::state::{Data, State};

/// A successful call's `result`.
#[derive(Debug)]
pub(crate) enum ApiResult {
    /// A JSON value.
    Json(Value),
    /// Already-serialized JSON, inserted verbatim (lets raw malformed updates through).
    Raw(String),
}

/// A failed call: Telegram's `error_code` and `description`.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    pub(crate) code: u16,
    pub(crate) description: String,
}

impl ApiFailure {
    /// 400 `Bad Request: <what>`.
    pub(crate) fn bad_request(what: &str) -> Self {
        Self {
            code: 400,
            description: format!("Bad Request: {what}"),
        }
    }

    /// 409 `Conflict: <what>`.
    pub(crate) fn conflict(what: &str) -> Self {
        Self {
            code: 409,
            description: format!("Conflict: {what}"),
        }
    }
}

/// The outcome of one call.
pub(crate) type ApiOutcome = Result<ApiResult, ApiFailure>;

/// Runs `method` with `params`.
pub(crate) async fn execute(state: &State, method: &str, params: &Params) -> ApiOutcome {
    let blocked = {
        let data = state.read();
        data.flood
            .blocked(method, params, &data.chats)
            .map(str::to_owned)
    };
    if let Some(description) = blocked {
        return Err(ApiFailure {
            code: 403,
            description,
        });
    }
    match method.to_ascii_lowercase().as_str() {
        "getme" => Ok(ApiResult::Json(state.bot_user.clone())),
        "getupdates" => updates::get_updates(state, params).await,
        "setwebhook" => updates::set_webhook(state, params),
        "deletewebhook" => updates::delete_webhook(state, params),
        "getwebhookinfo" => updates::get_webhook_info(state),
        "sendmessage" => messages::send_message(state, params),
        "editmessagetext" => messages::edit_message_text(state, params),
        "answercallbackquery" => messages::answer_callback_query(params),
        "getchat" => get_chat(state, params),
        "sendmediagroup" => media::send_media_group(state, params),
        "sendpoll" => polls::send_poll(state, params),
        "stoppoll" => polls::stop_poll(state, params),
        "getfile" => media::get_file(state, params),
        name if media::is_media_method(name) => media::send_media(state, name, params),
        name if method_names::is_known_method(name) => Ok(ApiResult::Json(Value::Bool(true))),
        _ => Err(ApiFailure {
            code: 404,
            description: "Not Found".to_owned(),
        }),
    }
}

/// The chat a call addresses: `chat_id is empty` when missing, `chat not found` when unknown.
pub(crate) fn require_chat(data: &Data, params: &Params) -> Result<i64, ApiFailure> {
    let param = params
        .get("chat_id")
        .ok_or_else(|| ApiFailure::bad_request("chat_id is empty"))?;
    data.chats
        .resolve(param)
        .ok_or_else(|| ApiFailure::bad_request("chat not found"))
}

/// `getChat`: the chat object with the `ChatFullInfo` fields every chat has.
fn get_chat(state: &State, params: &Params) -> ApiOutcome {
    let data = state.read();
    let id = require_chat(&data, params)?;
    let mut chat = data.chats.chat(id).cloned().unwrap_or_default();
    if let Value::Object(fields) = &mut chat {
        fields.insert("accent_color_id".to_owned(), Value::from(0));
        fields.insert("max_reaction_count".to_owned(), Value::from(11));
        fields.insert(
            "accepted_gift_types".to_owned(),
            serde_json::json!({
                "unlimited_gifts": true, "limited_gifts": true, "unique_gifts": true,
                "premium_subscription": true, "gifts_from_channels": true
            }),
        );
    }
    Ok(ApiResult::Json(chat))
}

/// Length in UTF-16 code units, the unit of Telegram's offsets and limits.
pub(crate) fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}
