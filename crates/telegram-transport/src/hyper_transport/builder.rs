//! [`HyperTransportBuilder`]: timeouts, pool sizes, HTTP/2 and the TLS trust store of a
//! [`HyperTransport`]. The transport itself lives in `mod.rs`.

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnectorBuilder;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::{HttpsClient, HyperTransport};
use crate::error::BuildError;

/// Configures a [`HyperTransport`]; [`HyperTransport::builder`] starts one with the defaults.
///
/// ```
/// use std::time::Duration;
/// use telegram_transport::HyperTransport;
///
/// let transport = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(20))
///     .pool_max_idle_per_host(16)
///     .build()?;
/// # let _ = transport;
/// # Ok::<(), telegram_transport::BuildError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    request_timeout: Duration,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    tcp_keepalive: Option<Duration>,
    http2: bool,
    webpki_roots: bool,
    root_certificates: Vec<CertificateDer<'static>>,
    tls_config: Option<ClientConfig>,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 32,
            tcp_keepalive: Some(Duration::from_secs(60)),
            http2: true,
            webpki_roots: true,
            root_certificates: Vec::new(),
            tls_config: None,
        }
    }
}

impl HyperTransportBuilder {
    /// How long a TCP connect may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a call may take when it names no timeout of its own (default 60 s). Long polls
    /// carry their own: the poll's timeout plus a margin.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections per host the pool keeps (default 32).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// TCP keep-alive probes on idle connections (default every 60 s; `None` turns them off).
    pub fn tcp_keepalive(mut self, interval: Option<Duration>) -> Self {
        self.tcp_keepalive = interval;
        self
    }

    /// Offer HTTP/2 by ALPN on TLS connections (default on); HTTP/1.1 otherwise.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// Trust the bundled Mozilla roots (`webpki-roots`, default on).
    pub fn webpki_roots(mut self, enabled: bool) -> Self {
        self.webpki_roots = enabled;
        self
    }

    /// Trusts one more root certificate (DER), e.g. a test CA or a corporate proxy's.
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Uses this rustls configuration as is (the root settings above are then ignored; ALPN is
    /// still set from [`http2`](Self::http2)).
    pub fn tls_config(mut self, config: ClientConfig) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    ///
    /// rustls refuses a root certificate or the protocol configuration.
    pub fn build(self) -> Result<HyperTransport, BuildError> {
        let tls = match self.tls_config {
            Some(config) => config,
            None => {
                let mut roots = RootCertStore::empty();
                if self.webpki_roots {
                    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                }
                for certificate in self.root_certificates {
                    roots.add(certificate)?;
                }
                ClientConfig::builder_with_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth()
            }
        };

        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_keepalive(self.tcp_keepalive);

        let https = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1();
        let https = if self.http2 {
            https.enable_http2().wrap_connector(http)
        } else {
            https.wrap_connector(http)
        };

        let client = |max_idle: usize| -> HttpsClient {
            Client::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .timer(TokioTimer::new())
                .pool_idle_timeout(self.pool_idle_timeout)
                .pool_max_idle_per_host(max_idle)
                .build(https.clone())
        };
        Ok(HyperTransport {
            client: client(self.pool_max_idle_per_host),
            // Its own pool: a long poll never holds a connection another call needs.
            long_poll: client(2),
            request_timeout: self.request_timeout,
        })
    }
}
