//! The HTTP side of the fake server: accepting loopback connections (HTTP/1.1 and HTTP/2 via
//! hyper-util's auto builder), routing `/bot<token>/<method>` and `/file/bot<token>/<path>`,
//! recording calls and applying injected faults. What each method does lives in `api`.

mod params;
mod reply;

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::Value;
use tokio::net::TcpListener;

pub(crate) use params::Params;

use crate::api::{self, ApiResult};
use crate::fault::Fault;
use crate::record::RecordedRequest;
use crate::state::State;
use reply::Body;

/// Largest request body accepted (Telegram allows 50 MB uploads).
const MAX_BODY: usize = 50 * 1024 * 1024;

/// The error that makes hyper close a connection without answering (`Fault::DropConnection`).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct DroppedConnection;

/// Accepts connections until the server shuts down.
pub(crate) async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(error = %e, "fake Bot API: TCP_NODELAY not set");
                    }
                    tokio::spawn(serve_connection(stream, Arc::clone(&state)));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "fake Bot API: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, state: Arc<State>) {
    let shutdown = state.shutdown.clone();
    let service = hyper::service::service_fn(move |request| handle(Arc::clone(&state), request));
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "fake Bot API: connection ended with an error");
            }
        }
        () = shutdown.cancelled() => {}
    }
}

/// Answers one HTTP request.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>, DroppedConnection> {
    let path = request.uri().path().to_owned();
    if let Some(rest) = path.strip_prefix("/file/bot") {
        return Ok(download(&state, rest));
    }
    let Some((token, method)) = path
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'))
    else {
        return Ok(reply::error(404, "Not Found"));
    };
    if token != state.token {
        return Ok(reply::error(401, "Unauthorized"));
    }
    if method.is_empty() || method.contains('/') {
        return Ok(reply::error(404, "Not Found"));
    }
    let method = method.to_owned();
    let http_version = request.version();
    // Tokio's clock: under paused time (`start_paused`) arrival times are virtual, so tests
    // read exact gaps instead of measuring a loaded machine.
    let received_at = tokio::time::Instant::now().into_std();
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            tracing::debug!(error = %e, "fake Bot API: request body not read");
            return Ok(reply::error(413, "Request Entity Too Large"));
        }
    };
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let params = match params::parse(parts.uri.query(), content_type, body).await {
        Ok(params) => params,
        Err(description) => return Ok(reply::error(400, &description)),
    };

    let faults = state.read().faults.choose(&method);
    let record = RecordedRequest {
        method: method.clone(),
        params: Value::Object(params.fields.clone()),
        files: params.files.clone(),
        http_version,
        received_at,
        fault: faults.recorded(),
        status: None,
        response: None,
    };

    let refused = state.update(|data| data.flood.check(&method, &params, &data.chats));
    if let Some(seconds) = refused {
        tracing::debug!(%method, seconds, "fake Bot API: over the flood limits");
        let record = RecordedRequest {
            fault: Some(Fault::RetryAfter(seconds)),
            ..record
        };
        state.update(|data| data.log.record_faulted(record));
        return Ok(too_many_requests(seconds));
    }

    if let Some(fault) = faults.blocking.clone() {
        tracing::debug!(%method, ?fault, "fake Bot API: injecting a fault");
        state.update(|data| data.log.record_faulted(record));
        sleep(faults.latency).await;
        return match fault {
            Fault::RetryAfter(seconds) => Ok(too_many_requests(seconds)),
            Fault::ServerError(code) => {
                let reason = http::StatusCode::from_u16(code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Internal Server Error");
                Ok(reply::error(code, reason))
            }
            _ => Err(DroppedConnection),
        };
    }

    let index = state.update(|data| data.log.record(record));
    let (status, body) = match api::execute(&state, &method, &params).await {
        Ok(ApiResult::Json(result)) => (
            200,
            serde_json::json!({"ok": true, "result": result}).to_string(),
        ),
        Ok(ApiResult::Raw(result)) => (200, format!(r#"{{"ok":true,"result":{result}}}"#)),
        Err(failure) => (
            failure.code,
            reply::failure(failure.code, &failure.description, None).to_string(),
        ),
    };
    let response_json = serde_json::from_str(&body).ok();
    state.update(|data| data.log.finish(index, status, response_json));
    sleep(faults.latency).await;
    Ok(reply::json(status, body, faults.slow_body))
}

/// 429 `Too Many Requests: retry after N`, with `parameters.retry_after`.
fn too_many_requests(seconds: u32) -> Response<Body> {
    let description = format!("Too Many Requests: retry after {seconds}");
    reply::json(
        429,
        reply::failure(429, &description, Some(seconds)).to_string(),
        None,
    )
}

async fn sleep(latency: std::time::Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// `GET /file/bot<token>/<file_path>`.
fn download(state: &State, rest: &str) -> Response<Body> {
    let Some((token, file_path)) = rest.split_once('/') else {
        return reply::error(404, "Not Found");
    };
    if token != state.token {
        return reply::error(401, "Unauthorized");
    }
    let data = state.read();
    match data.files.by_path(file_path) {
        Some(file) => reply::file(Bytes::clone(&file.data), file.mime_type.as_deref()),
        None => reply::error(404, "Not Found"),
    }
}
