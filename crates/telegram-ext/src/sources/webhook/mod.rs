//! The webhook source: a hyper server Telegram POSTs updates to.
//!
//! - Only `POST` to the configured path is accepted (404 otherwise).
//! - The `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time (`subtle`);
//!   a missing or wrong secret gets 403.
//! - Bodies over the size limit get 413; a body that is not JSON, or not an object with an
//!   `update_id`, gets 400 and a log line, and the server carries on. An update that does not
//!   fit the types (an update of an older or
//!   newer shape) is answered 200 and goes to the error handlers as
//!   [`HandlerError::Malformed`](crate::HandlerError::Malformed), as polling does: answering
//!   4xx would make Telegram redeliver it, holding back that chat's later updates.
//! - Slow clients cannot pin the server: the request head must arrive within
//!   `header_read_timeout` (hyper's, on tokio's timer) and the body within `body_read_timeout`
//!   (408), and at most `connection_limit` connections are served at once (the next waits in
//!   the listen backlog). HTTP/1.1 only, which is what Telegram speaks.
//! - On stop, open connections finish their request and close; those still open at the drain
//!   deadline (or at once, after a forced stop) are dropped.
//! - Accepted updates go into a bounded queue; when it is full a request waits for room (at most
//!   `queue_wait`, holding its connection: at most `connection_limit` wait), then gets 503, which
//!   Telegram retries later. A flood never grows memory without bound, and a burst that only
//!   briefly fills the queue costs no redelivery.
//! - When to answer 200 is the [`Ack`] mode (`ack.rs`): on receipt (queued), or after
//!   processing. See [`crate::delivery`] for what each guarantees.
//! - TLS is optional (rustls).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use subtle::ConstantTimeEq;
use telegram_types::batch::UpdateResult;
use telegram_types::UpdateType;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use self::ack::{Completion, InFlight};
use super::{decode_update, finish_unprocessed, replay_journal, report_malformed};
use crate::application::OnCompleted;
use crate::delivery::{JournalEntry, JournalRecord, Written};
use crate::{Application, RunError};

mod ack;

pub use self::ack::Ack;

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
    /// How long a client may take to send a request's head (request line and headers), also
    /// the TLS handshake and a kept-alive connection's next request; then it is closed.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body; then it gets 408 and is closed.
    pub body_read_timeout: Duration,
    /// Connections served at once, at most; more wait to be accepted.
    pub connection_limit: usize,
    /// When to answer Telegram: on receipt (the default) or after processing.
    pub ack: Ack,
    /// How long a request waits for room in a full queue before it gets 503.
    pub queue_wait: Duration,
    /// With [`Ack::AfterProcessing`]: how long a request waits for its update's processing
    /// before it gets 504 (the processing goes on; Telegram's redelivery joins it). `None`: as
    /// long as it takes (Telegram gives up on its own and redelivers).
    pub processing_timeout: Option<Duration>,
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
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("connection_limit", &self.connection_limit)
            .field("ack", &self.ack)
            .field("queue_wait", &self.queue_wait)
            .field("processing_timeout", &self.processing_timeout)
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
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            connection_limit: 256,
            ack: Ack::OnReceipt,
            queue_wait: Duration::from_secs(5),
            processing_timeout: None,
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

    /// How long a client may take to send a request's head (default 10 s).
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's body (default 10 s).
    #[must_use]
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Connections served at once, at most (default 256; at least 1). Telegram opens up to
    /// `max_connections` (40 by default, 100 at most).
    #[must_use]
    pub fn connection_limit(mut self, connections: usize) -> Self {
        self.connection_limit = connections.max(1);
        self
    }

    /// When to answer Telegram's request for an update: [`Ack::OnReceipt`] (the default) or
    /// [`Ack::AfterProcessing`]. See [`crate::delivery`] for what each guarantees.
    ///
    /// ```
    /// use telegram_ext::{Ack, WebhookConfig};
    ///
    /// let config = WebhookConfig::new(([0, 0, 0, 0], 8443).into(), "/telegram")
    ///     .ack(Ack::AfterProcessing)
    ///     .max_connections(100);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn ack(mut self, ack: Ack) -> Self {
        self.ack = ack;
        self
    }

    /// How long a request waits for room in a full queue before it gets 503 (default 5 s;
    /// zero answers 503 at once). The waiting requests hold their connections, so at most
    /// `connection_limit` wait: memory stays bounded.
    #[must_use]
    pub fn queue_wait(mut self, wait: Duration) -> Self {
        self.queue_wait = wait;
        self
    }

    /// With [`Ack::AfterProcessing`]: answer 504 when the update's processing takes longer
    /// than `timeout`, so Telegram delivers it again later; the processing is not cancelled,
    /// and a redelivery that finds it still in flight waits for it. Keep it under Telegram's own
    /// request timeout. Default: none.
    #[must_use]
    pub fn processing_timeout(mut self, timeout: Duration) -> Self {
        self.processing_timeout = Some(timeout);
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
        result.map_err(|source| RunError::Bind {
            addr: self.listen,
            source,
        })
    }
}

/// What the HTTP side shares.
struct Endpoint {
    path: String,
    secret: Option<String>,
    max_body_size: usize,
    body_read_timeout: Duration,
    queue: mpsc::Sender<Queued>,
    queue_wait: Duration,
    ack: Ack,
    processing_timeout: Option<Duration>,
    /// Updates whose requests wait for their processing (`Ack::AfterProcessing`).
    in_flight: Arc<InFlight>,
    /// The update journal (`Ack::OnReceipt` with a journal): written before the 200.
    journal: Option<JournalRecord>,
    /// The updates replayed from the journal at start: Telegram sending one again (the crash
    /// came before its 200) is answered 200 and not handled twice.
    replayed: HashSet<i64>,
}

/// An update in the queue, with (`Ack::AfterProcessing`) what to tell its requests when its
/// processing ends, and its journal entry to remove then.
struct Queued {
    entry: UpdateResult,
    completion: Option<Completion>,
    journaled: Option<JournalEntry>,
}

/// Serves until `stop`, then lets the open connections finish (until the drain deadline, not at
/// all after a forced stop), handles what they queued and (if asked) deletes the webhook.
pub(crate) async fn serve_webhook<S: Send + Sync + 'static>(
    app: &Application<S>,
    config: WebhookConfig,
    stop: &CancellationToken,
) -> Result<(), RunError> {
    let listener = config.bind().await?;
    // What a crash left in the journal runs before the first request is accepted.
    let replayed = replay_journal(app, |_| None).await?.into_iter().collect();
    if let Some(url) = &config.webhook_url {
        set_webhook(app, &config, url).await?;
    }
    let (queue, mut updates) = mpsc::channel(config.queue_size);
    let server = Server {
        endpoint: Arc::new(Endpoint {
            path: config.url_path.clone(),
            secret: config.secret_token.clone(),
            max_body_size: config.max_body_size,
            body_read_timeout: config.body_read_timeout,
            queue,
            queue_wait: config.queue_wait,
            ack: config.ack,
            processing_timeout: config.processing_timeout,
            in_flight: Arc::default(),
            journal: match config.ack {
                Ack::OnReceipt => app.journal().cloned(),
                Ack::AfterProcessing => None,
            },
            replayed,
        }),
        tls: config.tls.clone().map(tokio_rustls::TlsAcceptor::from),
        header_read_timeout: config.header_read_timeout,
        stop: stop.clone(),
        closing: CancellationToken::new(),
        connections: TaskTracker::new(),
    };
    let closing = server.closing.clone();
    let connections = server.connections.clone();
    let accepting = tokio::spawn(server.accept(listener, config.connection_limit));
    tracing::info!(listen = %config.listen, path = %config.url_path, "webhook server listening");
    loop {
        tokio::select! {
            entry = updates.recv() => match entry {
                Some(entry) => dispatch(app, entry).await,
                None => break,
            },
            () = stop.cancelled() => break,
        }
    }
    // Stopping: no new connection; the open ones finish their request and close.
    let _ = accepting.await;
    connections.close();
    let deadline = app.drain_deadline();
    let forced = app.forced_stop_token();
    let give_up = async {
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!(open = connections.len(), "drain timeout: closing the webhook connections still open");
            }
            () = forced.cancelled() => {}
        }
    };
    tokio::pin!(give_up);
    // The connections hold the only senders: when they are gone, `recv` drains and ends.
    loop {
        tokio::select! {
            biased;
            entry = updates.recv() => match entry {
                Some(entry) => dispatch(app, entry).await,
                None => break,
            },
            () = &mut give_up, if !closing.is_cancelled() => closing.cancel(),
        }
    }
    if config.delete_webhook_on_stop {
        if let Err(error) = app.bot().delete_webhook().await {
            tracing::warn!(%error, "deleteWebhook failed on stop");
        }
    }
    Ok(())
}

/// Hands a received update to the processor, or a malformed one to the error handlers; tells
/// the waiting requests (`Ack::AfterProcessing`) when it completed.
async fn dispatch<S: Send + Sync + 'static>(app: &Application<S>, queued: Queued) {
    let Queued {
        entry,
        completion,
        journaled,
    } = queued;
    let on_completed =
        completion.map(|completion| Box::new(move || completion.complete()) as OnCompleted);
    match entry {
        Ok(update) => {
            app.submit_tracked(Arc::new(update), on_completed, journaled.map(Into::into))
                .await;
        }
        Err(malformed) => {
            report_malformed(app, malformed).await;
            finish_unprocessed(journaled.map(Into::into), on_completed).await;
        }
    }
}

/// The accepting side: what each connection needs, and the tokens that end them.
struct Server {
    endpoint: Arc<Endpoint>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    header_read_timeout: Duration,
    /// The stop request: stop accepting; connections finish their request and close.
    stop: CancellationToken,
    /// The drain deadline passed or the stop was forced: drop the connections still open.
    closing: CancellationToken,
    connections: TaskTracker,
}

impl Server {
    /// Accepts until the stop, serving at most `limit` connections at once: a connection holds
    /// its permit until it ends, and the next one is accepted only with a permit in hand.
    async fn accept(self, listener: TcpListener, limit: usize) {
        let server = Arc::new(self);
        let permits = Arc::new(Semaphore::new(limit));
        loop {
            let permit = tokio::select! {
                () = server.stop.cancelled() => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let accepted = tokio::select! {
                () = server.stop.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let server = server.clone();
                    server.connections.clone().spawn(async move {
                        server.serve(stream).await;
                        drop(permit);
                    });
                }
                Err(error) => tracing::warn!(%error, "webhook accept failed"),
            }
        }
    }

    async fn serve(&self, stream: tokio::net::TcpStream) {
        let endpoint = self.endpoint.clone();
        let service = service_fn(move |request| {
            let endpoint = endpoint.clone();
            async move { Ok::<_, std::convert::Infallible>(handle(&endpoint, request).await) }
        });
        let result = match &self.tls {
            Some(acceptor) => {
                // The handshake is bounded like a request head, so a silent client cannot hold
                // a connection slot before HTTP even starts.
                let handshake =
                    tokio::time::timeout(self.header_read_timeout, acceptor.accept(stream));
                let stream = tokio::select! {
                    () = self.closing.cancelled() => return,
                    handshake = handshake => handshake,
                };
                match stream {
                    Ok(Ok(stream)) => self.serve_http(TokioIo::new(stream), service).await,
                    Ok(Err(error)) => {
                        return tracing::debug!(%error, "webhook TLS handshake failed");
                    }
                    Err(_) => return tracing::debug!("webhook TLS handshake timed out"),
                }
            }
            None => self.serve_http(TokioIo::new(stream), service).await,
        };
        if let Err(error) = result {
            tracing::debug!(%error, "webhook connection ended with an error");
        }
    }

    /// Serves HTTP/1.1 until the client closes, the head read times out, or the stop: then the
    /// current request is finished and the connection closed, unless `closing` drops it first.
    async fn serve_http<I, Svc>(&self, io: I, service: Svc) -> Result<(), hyper::Error>
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
        Svc: hyper::service::HttpService<Incoming, ResBody = Full<Bytes>>,
    {
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .serve_connection(io, service);
        tokio::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => return result,
            () = self.stop.cancelled() => connection.as_mut().graceful_shutdown(),
        }
        tokio::select! {
            result = connection => result,
            () = self.closing.cancelled() => Ok(()),
        }
    }
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
    let body = Limited::new(request.into_body(), endpoint.max_body_size).collect();
    let body = match tokio::time::timeout(endpoint.body_read_timeout, body).await {
        Err(_) => {
            tracing::warn!("webhook body not received in time");
            let mut response = reply(StatusCode::REQUEST_TIMEOUT, "body too slow");
            response.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
            return response;
        }
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(error))
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            tracing::warn!(limit = endpoint.max_body_size, "webhook body too large");
            return reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        }
        Ok(Err(error)) => {
            tracing::debug!(%error, "webhook body could not be read");
            return reply(StatusCode::BAD_REQUEST, "unreadable body");
        }
    };
    let Some(entry) = decode_update(&body) else {
        tracing::warn!("webhook body is not an update (not JSON, or no update_id)");
        return reply(StatusCode::BAD_REQUEST, "not an update");
    };
    let update_id = match &entry {
        Ok(update) => Some(update.update_id),
        Err(malformed) => malformed.update_id,
    };
    if let Some(update_id) = update_id.filter(|id| endpoint.replayed.contains(id)) {
        tracing::debug!(
            update_id,
            "redelivery of an update replayed from the journal; skipped"
        );
        return reply(StatusCode::OK, "");
    }
    match (endpoint.ack, update_id, &endpoint.journal) {
        (Ack::AfterProcessing, Some(update_id), _) => {
            after_processing(endpoint, entry, update_id).await
        }
        (Ack::OnReceipt, Some(update_id), Some(journal)) => {
            journaled(endpoint, journal, entry, update_id, body).await
        }
        // An update whose id cannot be read cannot be tracked: it is only reported.
        _ => match enqueue(endpoint, entry, None, None).await {
            Ok(()) => reply(StatusCode::OK, ""),
            Err(response) => response,
        },
    }
}

/// `Ack::OnReceipt` with the journal: the body is written to the journal, then the update is
/// queued, then answered 200. A journal that cannot be written is answered 503 (Telegram
/// sends the update again); an update already in the journal (a redelivery of one still in
/// flight, whose 200 did not reach Telegram) is answered 200 and not queued again.
async fn journaled(
    endpoint: &Endpoint,
    journal: &JournalRecord,
    entry: UpdateResult,
    update_id: i64,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let written = match journal.write(update_id, body).await {
        Ok(Written::New(written)) => written,
        Ok(Written::Present(_)) => {
            tracing::debug!(update_id, "redelivery of an update in the journal; skipped");
            return reply(StatusCode::OK, "");
        }
        Err(error) => {
            tracing::warn!(%error, update_id, "cannot write the update to the journal; answering 503 so Telegram retries");
            return reply(StatusCode::SERVICE_UNAVAILABLE, "journal unavailable");
        }
    };
    match enqueue(endpoint, entry, None, Some(written.clone())).await {
        Ok(()) => reply(StatusCode::OK, ""),
        Err(response) => {
            // Telegram sends it again: the entry would only replay it a second time.
            written.remove().await;
            response
        }
    }
}

/// Queues the update, waiting up to `queue_wait` for room; the 503 to answer when it cannot.
async fn enqueue(
    endpoint: &Endpoint,
    entry: UpdateResult,
    completion: Option<Completion>,
    journaled: Option<JournalEntry>,
) -> Result<(), Response<Full<Bytes>>> {
    let queued = Queued {
        entry,
        completion,
        journaled,
    };
    let update_id = match &queued.entry {
        Ok(update) => Some(update.update_id),
        Err(malformed) => malformed.update_id,
    };
    let sent = match endpoint.queue.try_send(queued) {
        Ok(()) => return Ok(()),
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(queued)) => {
            // Wait for room, bounded: each waiting request holds a connection slot.
            matches!(
                tokio::time::timeout(endpoint.queue_wait, endpoint.queue.send(queued)).await,
                Ok(Ok(()))
            )
        }
    };
    if sent {
        return Ok(());
    }
    if endpoint.queue.is_closed() {
        return Err(reply(StatusCode::SERVICE_UNAVAILABLE, "stopping"));
    }
    tracing::warn!(?update_id, "webhook queue full; Telegram will retry");
    Err(reply(StatusCode::SERVICE_UNAVAILABLE, "busy"))
}

/// `Ack::AfterProcessing`: 200 once the update's processing completed; 503 when it was
/// cancelled or could not be queued; 504 after the processing timeout. A redelivery of an
/// update still in flight waits for that one instead of queueing it again.
async fn after_processing(
    endpoint: &Endpoint,
    entry: UpdateResult,
    update_id: i64,
) -> Response<Full<Bytes>> {
    let (outcome, completion) = endpoint.in_flight.join(update_id);
    match completion {
        Some(completion) => {
            if let Err(response) = enqueue(endpoint, entry, Some(completion), None).await {
                return response; // the completion was dropped with the entry
            }
        }
        None => tracing::debug!(
            update_id,
            "redelivery of an update in flight; waiting for it"
        ),
    }
    let outcome = match endpoint.processing_timeout {
        Some(timeout) => match tokio::time::timeout(timeout, outcome).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::warn!(
                    update_id,
                    ?timeout,
                    "update still processing; answering 504 so Telegram retries"
                );
                return reply(StatusCode::GATEWAY_TIMEOUT, "still processing");
            }
        },
        None => outcome.await,
    };
    match outcome {
        Ok(true) => reply(StatusCode::OK, ""),
        // Cancelled (a forced stop, the drain timeout), or the processing was dropped.
        Ok(false) | Err(_) => reply(StatusCode::SERVICE_UNAVAILABLE, "not processed"),
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
