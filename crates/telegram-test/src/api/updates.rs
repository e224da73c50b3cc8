//! Getting updates: `getUpdates` (offset confirmation, limit, long poll woken by new updates,
//! `allowed_updates`) and the webhook methods. Delivery to a webhook lives in `crate::webhook`.

use std::time::Duration;

use serde_json::{json, Value};

use super::{ApiFailure, ApiOutcome, ApiResult};
use crate::http::Params;
use crate::state::State;
use crate::webhook::WebhookConfig;

/// `getUpdates`.
pub(super) async fn get_updates(state: &State, params: &Params) -> ApiOutcome {
    let limit = usize::try_from(params.int("limit").unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = params.int("timeout").unwrap_or(0).max(0).unsigned_abs();
    let allowed = allowed_updates(params);
    state.update(|data| {
        if data.webhook.is_some() {
            return Err(ApiFailure::conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        if let Some(offset) = params.int("offset") {
            data.updates.confirm(offset);
        }
        data.updates.set_allowed(allowed);
        Ok(())
    })?;
    let take = |data: &mut crate::state::Data| {
        let batch = data.updates.peek(limit);
        (!batch.is_empty()).then_some(batch)
    };
    let batch = if timeout == 0 {
        take(&mut state.read()).unwrap_or_default()
    } else {
        let wait = Duration::from_secs(timeout);
        state
            .wait_until(|| "updates".to_owned(), wait, take)
            .await
            .unwrap_or_default()
    };
    let items: Vec<&str> = batch.iter().map(|u| u.json.as_str()).collect();
    Ok(ApiResult::Raw(format!("[{}]", items.join(","))))
}

/// `allowed_updates` as a list of kinds, when given.
fn allowed_updates(params: &Params) -> Option<Vec<String>> {
    let Value::Array(items) = params.json("allowed_updates")? else {
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// `setWebhook`. An empty `url` removes the webhook, as Telegram does. Plain `http://` URLs are
/// accepted (Telegram demands HTTPS) so tests can point it at a loopback server.
pub(super) fn set_webhook(state: &State, params: &Params) -> ApiOutcome {
    let url = params.text("url").unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(state, params);
    }
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ApiFailure::bad_request(
            "bad webhook: An HTTPS URL must be provided for webhook",
        ));
    }
    let secret_token = params.text("secret_token").filter(|s| !s.is_empty());
    if let Some(secret) = &secret_token {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if secret.len() > 256 || !secret.chars().all(allowed) {
            return Err(ApiFailure::bad_request(
                "secret token contains unallowed characters",
            ));
        }
    }
    let max_connections = params.int("max_connections").unwrap_or(40);
    if !(1..=100).contains(&max_connections) {
        return Err(ApiFailure::bad_request(
            "bad webhook: max_connections must be between 1 and 100",
        ));
    }
    let allowed = allowed_updates(params);
    state.update(|data| {
        if params.flag("drop_pending_updates") {
            data.updates.clear();
        }
        data.updates.set_allowed(allowed);
        data.webhook = Some(WebhookConfig {
            url,
            secret_token,
            max_connections: u32::try_from(max_connections).unwrap_or(40),
            last_error: None,
        });
    });
    Ok(ApiResult::Json(Value::Bool(true)))
}

/// `deleteWebhook`.
pub(super) fn delete_webhook(state: &State, params: &Params) -> ApiOutcome {
    state.update(|data| {
        data.webhook = None;
        if params.flag("drop_pending_updates") {
            data.updates.clear();
        }
    });
    Ok(ApiResult::Json(Value::Bool(true)))
}

/// `getWebhookInfo`.
pub(super) fn get_webhook_info(state: &State) -> ApiOutcome {
    let data = state.read();
    let mut info = json!({
        "url": "",
        "has_custom_certificate": false,
        "pending_update_count": data.updates.len(),
    });
    if let (Some(hook), Value::Object(map)) = (&data.webhook, &mut info) {
        map.insert("url".to_owned(), Value::String(hook.url.clone()));
        map.insert(
            "max_connections".to_owned(),
            Value::from(hook.max_connections),
        );
        if !data.updates.allowed().is_empty() {
            map.insert("allowed_updates".to_owned(), json!(data.updates.allowed()));
        }
        if let Some((date, message)) = &hook.last_error {
            map.insert("last_error_date".to_owned(), Value::from(*date));
            map.insert(
                "last_error_message".to_owned(),
                Value::String(message.clone()),
            );
        }
    }
    Ok(ApiResult::Json(info))
}
