//! The webhook over real TLS: a certificate signed by a test CA (rcgen), a client that trusts
//! that CA; no certificate check is disabled.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use telegram_ext::handlers::TypeHandler;
use telegram_ext::{Application, Context, HandlerResult, Update, WebhookConfig};
use telegram_test::FakeBotApi;
use tokio::sync::Notify;

#[derive(Default)]
struct Seen {
    ids: Mutex<Vec<i64>>,
    arrived: Notify,
}

async fn record(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    ctx.state.ids.lock().unwrap().push(update.update_id);
    ctx.state.arrived.notify_one();
    Ok(())
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config for `localhost` and the CA that signed it.
fn certificates() -> (Arc<rustls::ServerConfig>, CertificateDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    (Arc::new(config), ca.der().clone())
}

/// POSTs `body` to `https://localhost:{port}{path}` trusting only `ca`; the response status.
async fn post_tls(port: u16, ca: CertificateDer<'static>, path: &str, body: &str) -> u16 {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = http::Request::post(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    sender
        .send_request(request)
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_webhook_serves_https_with_the_configured_certificate() {
    let server = FakeBotApi::start().await;
    let (tls, ca) = certificates();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Seen::default())
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, record), 0);
    let config = WebhookConfig::new(listener.local_addr().unwrap(), "/hook")
        .with_listener(listener)
        .tls(tls)
        .stop_signals(false);
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_webhook(config).await })
    };
    let update = r#"{"update_id":77,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"hi"}}"#;
    let arrived = app.state().arrived.notified();
    assert_eq!(post_tls(port, ca, "/hook", update).await, 200);
    arrived.await;
    assert_eq!(*app.state().ids.lock().unwrap(), [77]);
    app.stop_running();
    runner.await.unwrap().unwrap();
}
