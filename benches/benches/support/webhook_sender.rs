//! A stand-in for Telegram's webhook sender, for the delivery bench: at most `max_connections`
//! requests at once, one chat's updates one after another (the next waits until the previous
//! request ended), and the same update again after a non-2xx answer or a failed request.
//!
//! Minimal on purpose: the fake Bot API's own webhook sender (issue 15, item 5, on another
//! branch) replaces it once merged.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// What a delivery run cost.
#[derive(Debug, Default)]
pub(crate) struct Delivered {
    /// Requests answered 2xx: one per update.
    pub(crate) accepted: usize,
    /// Requests answered 503.
    pub(crate) unavailable: usize,
    /// Other non-2xx answers and failed requests.
    pub(crate) failed: usize,
}

impl Delivered {
    /// Updates sent more than once, in requests.
    pub(crate) fn redeliveries(&self) -> usize {
        self.unavailable + self.failed
    }
}

/// Sends every chat's bodies, in order, to `url`; returns when each was answered 2xx.
pub(crate) async fn deliver(
    url: &str,
    chats: BTreeMap<i64, Vec<String>>,
    max_connections: usize,
    retry_delay: Duration,
) -> Delivered {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(max_connections)
        .build(connector);
    let connections = Arc::new(Semaphore::new(max_connections));
    let unavailable = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut senders = JoinSet::new();
    let mut accepted = 0;
    for (_, bodies) in chats {
        accepted += bodies.len();
        let (client, connections) = (client.clone(), connections.clone());
        let (unavailable, failed) = (unavailable.clone(), failed.clone());
        let url = url.to_owned();
        senders.spawn(async move {
            for body in bodies {
                loop {
                    let status = {
                        let _connection = connections.acquire().await.expect("never closed");
                        let request = hyper::Request::post(url.as_str())
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from(body.clone())))
                            .expect("a valid request");
                        client.request(request).await.map(|r| r.status().as_u16())
                    };
                    match status {
                        Ok(200..=299) => break,
                        Ok(503) => unavailable.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                    tokio::time::sleep(retry_delay).await;
                }
            }
        });
    }
    while let Some(sent) = senders.join_next().await {
        sent.expect("a chat's sender panicked");
    }
    Delivered {
        accepted,
        unavailable: unavailable.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
    }
}
