//! `HyperTransport` over real TLS: a local tokio-rustls + hyper server with a certificate
//! signed by a test CA (rcgen). The client trusts that CA through the builder; no certificate
//! check is disabled anywhere.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use telegram_transport::{Bot, Error, HyperTransport};

struct TestServer {
    url: String,
    ca: CertificateDer<'static>,
    versions: Arc<Mutex<Vec<http::Version>>>,
}

async fn start_tls_server() -> TestServer {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();

    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![server_cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    )
    .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let versions = Arc::new(Mutex::new(Vec::new()));
    let seen = versions.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    seen.lock().unwrap().push(request.version());
                    async move {
                        let body =
                            r#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Tls"}}"#;
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(body))))
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    TestServer {
        url: format!("https://localhost:{port}"),
        ca: ca.der().clone(),
        versions,
    }
}

#[tokio::test]
async fn trusts_a_test_ca_and_negotiates_http2() {
    let server = start_tls_server().await;
    let transport = HyperTransport::builder()
        .add_root_certificate(server.ca.clone())
        .build()
        .unwrap();
    let bot = Bot::with_transport("1:a", transport).with_api_url(&server.url);
    assert_eq!(bot.get_me().await.unwrap().first_name, "Tls");
    assert_eq!(bot.get_me().await.unwrap().first_name, "Tls");
    let versions = server.versions.lock().unwrap().clone();
    assert_eq!(versions, [http::Version::HTTP_2, http::Version::HTTP_2]);
}

#[tokio::test]
async fn http2_can_be_turned_off() {
    let server = start_tls_server().await;
    let transport = HyperTransport::builder()
        .add_root_certificate(server.ca.clone())
        .http2(false)
        .build()
        .unwrap();
    let bot = Bot::with_transport("1:a", transport).with_api_url(&server.url);
    bot.get_me().await.unwrap();
    assert_eq!(
        server.versions.lock().unwrap().clone(),
        [http::Version::HTTP_11]
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error() {
    let server = start_tls_server().await;
    let bot = Bot::new("1:a").with_api_url(&server.url);
    let err = bot.get_me().await.unwrap_err();
    assert!(matches!(&err, Error::Transport(e) if e.is_tls()), "{err:?}");
    assert!(server.versions.lock().unwrap().is_empty());
}
