//! A tiny HTTP client for the integration tests (the real client lives in telegram-transport,
//! which depends on this crate's tests, so it cannot be used here).

#![allow(dead_code, unreachable_pub)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use telegram_test::FakeBotApi;

/// An HTTP/1 client.
pub type Http = Client<HttpConnector, Full<Bytes>>;

/// A fresh client.
pub fn client() -> Http {
    Client::builder(TokioExecutor::new()).build_http()
}

/// The status and body of an answer, or the transport error text.
pub async fn send(
    client: &Http,
    request: http::Request<Full<Bytes>>,
) -> Result<(u16, Bytes), String> {
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{e:?}"))?
        .to_bytes();
    Ok((status, body))
}

/// POSTs a JSON body to `method`; returns status and parsed body.
pub async fn call(server: &FakeBotApi, method: &str, params: Value) -> (u16, Value) {
    call_with_token(server, &server.token(), method, params).await
}

/// POSTs a JSON body to `method` with `token`.
pub async fn call_with_token(
    server: &FakeBotApi,
    token: &str,
    method: &str,
    params: Value,
) -> (u16, Value) {
    let request = http::Request::post(format!("{}/bot{token}/{method}", server.url()))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(params.to_string())))
        .expect("valid request");
    let (status, body) = send(&client(), request).await.expect("answer");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

/// A multipart body: text fields and `(field, file name, bytes)` files.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Bytes) {
    let boundary = "XtestBOUNDARYx";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file_name, data) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(body),
    )
}

/// POSTs a multipart body to `method`.
pub async fn call_multipart(
    server: &FakeBotApi,
    method: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (u16, Value) {
    let (content_type, body) = multipart(fields, files);
    let request = http::Request::post(format!("{}/bot{}/{method}", server.url(), server.token()))
        .header("content-type", content_type)
        .body(Full::new(body))
        .expect("valid request");
    let (status, body) = send(&client(), request).await.expect("answer");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

/// GETs a URL; returns status and raw body.
pub async fn get(url: &str) -> (u16, Bytes) {
    let request = http::Request::get(url)
        .body(Full::new(Bytes::new()))
        .expect("valid request");
    send(&client(), request).await.expect("answer")
}
