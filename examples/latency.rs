//! Where the time of a Bot API call goes: DNS, TCP connect, TLS handshake, time to first byte
//! and total, for `getMe` on a cold connection and then on the same connection reused.
//!
//! The phases are done by hand (tokio `TcpStream`, tokio-rustls, `hyper::client::conn`) so each
//! one is timed on its own. Against the fake Bot API server by default (plain HTTP on loopback:
//! there is no TLS phase, and every number is tiny); against https://api.telegram.org when
//! `TELEGRAM_BOT_TOKEN` is set.
//!
//! ```text
//! cargo run -p examples --example latency
//! TELEGRAM_BOT_TOKEN=123:abc cargo run -p examples --example latency
//! ```
//!
//! # Reading the numbers
//!
//! - **DNS**: resolving the host. Paid once per new connection unless the OS caches it.
//! - **TCP connect**: one round trip to the server. This is your distance to Telegram's data
//!   center (Amsterdam for most bots): a host in Europe sees a few ms, one in Asia 150 ms+.
//!   Move the bot closer, or run a local Bot API server next to it.
//! - **TLS handshake**: one more round trip (TLS 1.3) plus crypto. Paid once per connection.
//! - **Time to first byte**: the request's round trip plus Telegram's processing time.
//! - **Total**: all of the above plus reading the body.
//!
//! The reused connection pays only the time to first byte: that is why `HyperTransport` keeps
//! connections alive in a pool, and why HTTP/2 (one connection multiplexing many calls) helps
//! most when many calls run at once. If "cold" is what your bot sees, connections are being
//! dropped: check the pool's idle timeout and that the `Bot` (and its transport) is reused,
//! not rebuilt per call.
#![allow(clippy::print_stdout)] // a command-line report

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Sends requests on one connection, HTTP/1.1 or HTTP/2.
enum Sender {
    H1(http1::SendRequest<Empty<Bytes>>),
    H2(http2::SendRequest<Empty<Bytes>>),
}

impl Sender {
    async fn handshake<IO>(io: IO, h2: bool) -> Result<Self, AnyError>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let io = TokioIo::new(io);
        if h2 {
            let (sender, connection) = http2::handshake(TokioExecutor::new(), io).await?;
            tokio::spawn(connection);
            Ok(Sender::H2(sender))
        } else {
            let (sender, connection) = http1::handshake(io).await?;
            tokio::spawn(connection);
            Ok(Sender::H1(sender))
        }
    }

    /// Sends one GET; returns (time to first byte, total, body).
    async fn get(
        &mut self,
        uri: &str,
        host: &str,
    ) -> Result<(Duration, Duration, Bytes), AnyError> {
        let started = Instant::now();
        let mut request = hyper::Request::get(uri).body(Empty::<Bytes>::new())?;
        let response = match self {
            Sender::H1(sender) => {
                request
                    .headers_mut()
                    .insert(http::header::HOST, host.parse()?);
                sender.ready().await?;
                sender.send_request(request).await?
            }
            Sender::H2(sender) => {
                sender.ready().await?;
                sender.send_request(request).await?
            }
        };
        let first_byte = started.elapsed();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((first_byte, started.elapsed(), body))
    }
}

fn row(name: &str, value: Option<Duration>) {
    match value {
        Some(d) => println!("  {name:<20} {:>9.2} ms", d.as_secs_f64() * 1000.0),
        None => println!("  {name:<20} {:>12}", "—"),
    }
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let token = std::env::var("TELEGRAM_BOT_TOKEN").ok();
    let _server;
    let (host, port, tls, path) = match &token {
        Some(token) => (
            "api.telegram.org".to_owned(),
            443,
            true,
            format!("/bot{token}/getMe"),
        ),
        None => {
            let server = telegram_test::FakeBotApi::start().await;
            let addr = server.local_addr();
            let path = format!("/bot{}/getMe", server.token());
            _server = server;
            println!("TELEGRAM_BOT_TOKEN is unset: measuring the fake Bot API server on loopback");
            println!("(plain HTTP, so there is no TLS phase; set the token to measure api.telegram.org)\n");
            (addr.ip().to_string(), addr.port(), false, path)
        }
    };

    let cold = Instant::now();
    let dns_started = Instant::now();
    let address = tokio::net::lookup_host((host.as_str(), port))
        .await?
        .next()
        .ok_or("the host has no address")?;
    let dns = dns_started.elapsed();

    let tcp_started = Instant::now();
    let tcp = TcpStream::connect(address).await?;
    tcp.set_nodelay(true)?;
    let connect = tcp_started.elapsed();

    let (mut sender, tls_time, protocol) = if tls {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tls_started = Instant::now();
        let stream = connector.connect(host.clone().try_into()?, tcp).await?;
        let tls_time = tls_started.elapsed();
        let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
        let sender = Sender::handshake(stream, h2).await?;
        (
            sender,
            Some(tls_time),
            if h2 { "HTTP/2" } else { "HTTP/1.1" },
        )
    } else {
        (Sender::handshake(tcp, false).await?, None, "HTTP/1.1")
    };

    let uri = if tls {
        format!("https://{host}{path}")
    } else {
        path.clone()
    };
    let (first_byte, request_total, body) = sender.get(&uri, &host).await?;
    let cold_total = cold.elapsed();
    let ok = body.starts_with(br#"{"ok":true"#);

    println!("getMe on a cold connection ({protocol}, {address}):");
    row("DNS", Some(dns));
    row("TCP connect", Some(connect));
    row("TLS handshake", tls_time);
    row("time to first byte", Some(first_byte));
    row("request total", Some(request_total));
    row("total", Some(cold_total));

    let (first_byte, total, _) = sender.get(&uri, &host).await?;
    println!("\ngetMe on the same connection, reused:");
    row("time to first byte", Some(first_byte));
    row("total", Some(total));
    println!(
        "\nanswer ok: {ok}. TCP connect ≈ one round trip to the server: move the bot closer to \
         it if that is high. The cold-minus-reused gap is what connection reuse saves on every \
         call (HyperTransport pools connections; HTTP/2 multiplexes many calls on one)."
    );
    Ok(())
}
