//! The raw hyper-util client the `transport` and `e2e_echo` benches measure the framework
//! against: pooled like `HyperTransport` (HTTP/1 on `http://`), one JSON POST decoded the way
//! `Bot` decodes it.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::CONTENT_TYPE;
use hyper::{StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use telegram_types::Response;

/// `HyperTransport`'s pool and TCP settings.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
const POOL_MAX_IDLE_PER_HOST: usize = 32;
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

/// The client type.
pub(crate) type RawClient = Client<HttpConnector, Full<Bytes>>;

/// A hyper-util pooled client configured like `HyperTransport`'s.
pub(crate) fn raw_client() -> RawClient {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    http.set_keepalive(Some(TCP_KEEPALIVE));
    Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
        .build(http)
}

/// One JSON POST, its whole body read and decoded like `Bot` decodes it.
pub(crate) async fn post<T: serde::de::DeserializeOwned>(
    client: &RawClient,
    uri: Uri,
    body: Bytes,
) -> T {
    let request = hyper::Request::post(uri)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .expect("a valid request");
    let response = client.request(request).await.expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body arrives")
        .to_bytes();
    // simd-json rewrites the buffer, hence the copy.
    telegram_types::json::from_slice::<Response<T>>(&mut body.to_vec())
        .expect("a Bot API envelope")
        .into_result()
        .expect("the call succeeds")
}
