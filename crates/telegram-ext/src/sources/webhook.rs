//! The webhook source: a hyper server Telegram POSTs updates to.
//!
//! - Only `POST` to the configured path is accepted (404 otherwise).
//! - The `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time (`subtle`);
//!   a missing or wrong secret gets 403.
//! - Bodies over the size limit get 413; a body that is not an update gets 400 and a log line,
//!   and the server carries on.
//! - Accepted updates go into a bounded queue; when it is full the answer is 503, which Telegram
//!   retries later, so a flood never grows memory without bound.
//! - TLS is optional (rustls).

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use subtle::ConstantTimeEq;
use telegram_types::{Update, UpdateType};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::{Application, RunError};

/// The header Telegram sends the secret token in.
pub(crate) const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// How to serve the webhook.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The path Telegram POSTs to, e.g. `/telegram`.
    pub url_path: String,
    /// The public URL given to `setWebhook`; `None` = do not call `setWebhook` (set elsewhere).
    pub webhook_url: Option<String>,
    /// The secret Telegram must send back in every request.
    pub secret_token: Option<String>,
    /// Update kinds to ask for; `None` = what the registered handlers can handle.
    pub allowed_updates: Option<Vec<UpdateType>>,
    /// `setWebhook`'s `max_connections`.
    pub max_connections: Option<u32>,
    /// Drop the updates pending at Telegram when the webhook is set.
    pub drop_pending_updates: bool,
    /// Call `deleteWebhook` when stopping.
    pub delete_webhook_on_stop: bool,
    /// Largest accepted request body, in bytes.
    pub max_body_size: usize,
    /// Updates accepted but not yet processed, at most.
    pub queue_size: usize,
    /// Serve HTTPS with this rustls configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Stop on ctrl-c / SIGTERM (a second one forces the stop).
    pub stop_signals: bool,
    listener: Option<Arc<std::sync::Mutex<Option<std::net::TcpListener>>>>,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("listen", &self.listen)
            .field("url_path", &self.url_path)
            .field("webhook_url", &self.webhook_url)
            .field("has_secret", &self.secret_token.is_some())
            .field("max_body_size", &self.max_body_size)
            .field("queue_size", &self.queue_size)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookConfig {
    /// Listens on `listen` for POSTs to `url_path`.
    pub fn new(listen: SocketAddr, url_path: impl Into<String>) -> Self {
        let mut url_path = url_path.into();
        if !url_path.starts_with('/') {
            url_path.insert(0, '/');
        }
        WebhookConfig {
            listen,
            url_path,
            webhook_url: None,
            secret_token: None,
            allowed_updates: None,
            max_connections: None,
            drop_pending_updates: false,
            delete_webhook_on_stop: false,
            max_body_size: 4 * 1024 * 1024,
            queue_size: 256,
            tls: None,
            stop_signals: true,
            listener: None,
        }
    }

    /// Serves on an already bound listener (e.g. port 0 in tests) instead of `listen`.
    #[must_use]
    pub fn with_listener(mut self, listener: std::net::TcpListener) -> Self {
        if let Ok(addr) = listener.local_addr() {
            self.listen = addr;
        }
        self.listener = Some(Arc::new(std::sync::Mutex::new(Some(listener))));
        self
    }

    /// Calls `setWebhook` with this public URL on start.
    #[must_use]
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Requires this secret in every request (and gives it to `setWebhook`).
    #[must_use]
    pub fn secret_token(mut self, secret: impl Into<String>) -> Self {
        self.secret_token = Some(secret.into());
        self
    }

    /// Asks only for these kinds of update.
    #[must_use]
    pub fn allowed_updates(mut self, kinds: impl IntoIterator<Item = UpdateType>) -> Self {
        self.allowed_updates = Some(kinds.into_iter().collect());
        self
    }

    /// `setWebhook`'s `max_connections`.
    #[must_use]
    pub fn max_connections(mut self, connections: u32) -> Self {
        self.max_connections = Some(connections);
        self
    }

    /// Drops updates pending at Telegram when the webhook is set.
    #[must_use]
    pub fn drop_pending_updates(mut self, drop: bool) -> Self {
        self.drop_pending_updates = drop;
        self
    }

    /// Deletes the webhook when stopping.
    #[must_use]
    pub fn delete_webhook_on_stop(mut self, delete: bool) -> Self {
        self.delete_webhook_on_stop = delete;
        self
    }

    /// Largest accepted body.
    #[must_use]
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Bound of the queue between the server and the handlers.
    #[must_use]
    pub fn queue_size(mut self, updates: usize) -> Self {
        self.queue_size = updates.max(1);
        self
    }

    /// Serves HTTPS.
    #[must_use]
    pub fn tls(mut self, config: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Whether ctrl-c / SIGTERM stop the application (default true): the first gracefully, a
    /// second at once ([`Application::force_stop`](crate::Application::force_stop)).
    #[must_use]
    pub fn stop_signals(mut self, enabled: bool) -> Self {
        self.stop_signals = enabled;
        self
    }

    async fn bind(&self) -> Result<TcpListener, RunError> {
        let prebound = self
            .listener
            .as_ref()
            .and_then(|l| l.lock().ok().and_then(|mut l| l.take()));
        let result = match prebound {
            Some(listener) => listener
                .set_nonblocking(true)
                .and_then(|()| TcpListener::from_std(listener)),
            None => TcpListener::bind(self.listen).await,
        };
        result.map_err(|e| RunError::Webhook(format!("cannot listen on {}: {e}", self.listen)))
    }
}

/// What the HTTP side shares.
struct Endpoint {
    path: String,
    secret: Option<String>,
    max_body_size: usize,
    queue: mpsc::Sender<Update>,
}

/// Serves until `stop`, then drains the queue and (if asked) deletes the webhook.
pub(crate) async fn serve_webhook<S: Send + Sync + 'static>(
    app: &Application<S>,
    config: WebhookConfig,
    stop: &CancellationToken,
) -> Result<(), RunError> {
    let listener = config.bind().await?;
    if let Some(url) = &config.webhook_url {
        set_webhook(app, &config, url).await?;
    }
    let (queue, mut updates) = mpsc::channel(config.queue_size);
    let endpoint = Arc::new(Endpoint {
        path: config.url_path.clone(),
        secret: config.secret_token.clone(),
        max_body_size: config.max_body_size,
        queue,
    });
    let connections = TaskTracker::new();
    let server_stop = stop.clone();
    let tls = config.tls.clone().map(tokio_rustls::TlsAcceptor::from);
    let server = {
        let connections = connections.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    () = server_stop.cancelled() => break,
                    accepted = listener.accept() => accepted,
                };
                match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        connections.spawn(serve_connection(
                            stream,
                            tls.clone(),
                            endpoint.clone(),
                            server_stop.clone(),
                        ));
                    }
                    Err(error) => tracing::warn!(%error, "webhook accept failed"),
                }
            }
        })
    };
    tracing::info!(listen = %config.listen, path = %config.url_path, "webhook server listening");
    // The server's tasks hold the only senders: when they are done, `recv` drains and ends.
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Some(update) => app.submit_update(update).await,
                None => break,
            },
            () = stop.cancelled() => break,
        }
    }
    let _ = server.await;
    connections.close();
    connections.wait().await;
    while let Ok(update) = updates.try_recv() {
        app.submit_update(update).await;
    }
    if config.delete_webhook_on_stop {
        if let Err(error) = app.bot().delete_webhook().await {
            tracing::warn!(%error, "deleteWebhook failed on stop");
        }
    }
    Ok(())
}

async fn set_webhook<S: Send + Sync + 'static>(
    app: &Application<S>,
    config: &WebhookConfig,
    url: &str,
) -> Result<(), RunError> {
    let allowed = config
        .allowed_updates
        .clone()
        .unwrap_or_else(|| app.allowed_updates());
    let mut request = app
        .bot()
        .set_webhook(url)
        .allowed_updates(allowed)
        .drop_pending_updates(config.drop_pending_updates);
    if let Some(secret) = &config.secret_token {
        request = request.secret_token(secret.clone());
    }
    if let Some(connections) = config.max_connections {
        request = request.max_connections(i64::from(connections));
    }
    request.await.map(|_| ()).map_err(RunError::Api)
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    endpoint: Arc<Endpoint>,
    stop: CancellationToken,
) {
    let service = service_fn(move |request| {
        let endpoint = endpoint.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(&endpoint, request).await) }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let result = match tls {
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(stream) => serve_until(&builder, TokioIo::new(stream), service, &stop).await,
            Err(error) => {
                tracing::debug!(%error, "webhook TLS handshake failed");
                return;
            }
        },
        None => serve_until(&builder, TokioIo::new(stream), service, &stop).await,
    };
    if let Err(error) = result {
        tracing::debug!(%error, "webhook connection ended with an error");
    }
}

async fn serve_until<I, Svc>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: Svc,
    stop: &CancellationToken,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    Svc: hyper::service::Service<Request<Incoming>, Response = Response<Full<Bytes>>>
        + Send
        + 'static,
    Svc::Future: Send + 'static,
    Svc::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => result,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
}

async fn handle(endpoint: &Endpoint, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != Method::POST || request.uri().path() != endpoint.path {
        return reply(StatusCode::NOT_FOUND, "not found");
    }
    if !secret_matches(
        endpoint.secret.as_deref(),
        request.headers().get(SECRET_HEADER),
    ) {
        tracing::warn!("webhook request with a missing or wrong secret token");
        return reply(StatusCode::FORBIDDEN, "forbidden");
    }
    let body = match Limited::new(request.into_body(), endpoint.max_body_size)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(error)
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            tracing::warn!(limit = endpoint.max_body_size, "webhook body too large");
            return reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        }
        Err(error) => {
            tracing::debug!(%error, "webhook body could not be read");
            return reply(StatusCode::BAD_REQUEST, "unreadable body");
        }
    };
    // Nothing needs the original after decoding: reuse its buffer when it is not shared.
    let mut bytes = Vec::from(body);
    let update: Update = match telegram_types::json::from_slice(&mut bytes) {
        Ok(update) => update,
        Err(error) => {
            tracing::warn!(%error, "webhook body is not an update");
            return reply(StatusCode::BAD_REQUEST, "not an update");
        }
    };
    match endpoint.queue.try_send(update) {
        Ok(()) => reply(StatusCode::OK, ""),
        Err(mpsc::error::TrySendError::Full(update)) => {
            tracing::warn!(
                update_id = update.update_id,
                "webhook queue full; Telegram will retry"
            );
            reply(StatusCode::SERVICE_UNAVAILABLE, "busy")
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            reply(StatusCode::SERVICE_UNAVAILABLE, "stopping")
        }
    }
}

fn secret_matches(expected: Option<&str>, given: Option<&http::HeaderValue>) -> bool {
    match (expected, given) {
        (None, _) => true,
        (Some(expected), Some(given)) => expected.as_bytes().ct_eq(given.as_bytes()).into(),
        (Some(_), None) => false,
    }
}

fn reply(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_exactly() {
        let right = http::HeaderValue::from_static("s3cret");
        let wrong = http::HeaderValue::from_static("s3creT");
        assert!(secret_matches(Some("s3cret"), Some(&right)));
        assert!(!secret_matches(Some("s3cret"), Some(&wrong)));
        assert!(!secret_matches(Some("s3cret"), None));
        assert!(secret_matches(None, None));
    }
}
