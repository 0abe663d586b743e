//! The default ES9+/ES11 HTTP client: `ureq` + `rustls`, no OpenSSL (GSMA SGP.22 §6.5, §2.6.6 TLS).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::transport::DefaultConnector;

use super::connect_to::{ConnectTo, ConnectToResolver};
use super::trust::{GSMA_CI_ROOTS, SGP26_TEST_CI_ROOTS, ServerCertificateError, verify_server_certificate};
use super::{
    Es9Error, HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse, RspClient, RspConfig,
};

/// Default whole-request timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The default ES9+/ES11 client: [`RspClient`] over [`UreqHttpClient`], HTTPS POST with JSON
/// bodies (SGP.22 §6.5.1). Built with [`HttpEs9Client::builder`].
///
/// - URL: `https://<address>/gsma/rsp2/es9plus/<function>`, or `<base URL>/gsma/rsp2/es9plus/<function>`
///   when the address has a base-URL override ([`HttpEs9ClientBuilder::override_address`], for
///   plain-HTTP test servers on loopback).
/// - Connect-to rules ([`HttpEs9ClientBuilder::connect_to`], curl's `--connect-to`) send the TCP
///   connection elsewhere; the URL, `Host`, SNI and the certificate name check stay on the address.
/// - Headers: `Content-Type: application/json;charset=UTF-8`, `X-Admin-Protocol: gsma/rsp/v2.2.2`
///   (configurable), `User-Agent: gsma-rsp-lpad` (configurable).
/// - TLS verification is always on (SGP.22 §2.6.6). Trusted: the GSMA CI roots
///   ([`GSMA_CI_ROOTS`](super::GSMA_CI_ROOTS): CERT.DP.TLS chains to a GSMA CI, which is not a web
///   root), the Mozilla (webpki) roots, caller-supplied CA certificates, and the SGP.26 test CIs
///   only when asked ([`HttpEs9ClientBuilder::test_ci`]). Plain `http://` is only possible through
///   a base-URL override and only to a loopback host. No redirects are followed and no proxy is
///   used.
///
/// ```no_run
/// use oxicard_euicc::es9::{ConnectTo, HttpEs9Client, HandleNotificationRequest};
/// let mut client = HttpEs9Client::builder()
///     .add_ca_pem(&std::fs::read("operator-ci.pem")?)?
///     .connect_to("smdp.example.com:443:127.0.0.1:8443".parse::<ConnectTo>()?)
///     .build()?;
/// client.handle_notification("smdp.example.com", &HandleNotificationRequest::new(vec![]))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type HttpEs9Client = RspClient<UreqHttpClient>;

/// The [`HttpClient`] on `ureq` + `rustls` (ring): verifies the server certificate against its
/// roots (SGP.22 §2.6.6), follows no redirect, uses no proxy, sends the TCP connection where a
/// connect-to rule says, stops reading at the request's response size limit. Built by
/// [`HttpEs9ClientBuilder`] (as part of an [`HttpEs9Client`]; take it out with
/// [`RspClient::into_parts`]).
#[derive(Debug, Clone)]
pub struct UreqHttpClient {
    agent: ureq::Agent,
    connect_to: Arc<Vec<ConnectTo>>,
}

/// Builder of [`HttpEs9Client`]: the trust roots, connect-to rules and timeouts of the
/// [`UreqHttpClient`], and the [`RspConfig`] (headers, overrides, size limit).
#[derive(Debug, Clone)]
pub struct HttpEs9ClientBuilder {
    rsp: RspConfig,
    timeout: Duration,
    connect_timeout: Duration,
    webpki_roots: bool,
    gsma_ci_roots: bool,
    test_ci: bool,
    extra_roots: Vec<Certificate<'static>>,
    connect_to: Vec<ConnectTo>,
}

impl Default for HttpEs9ClientBuilder {
    fn default() -> Self {
        HttpEs9ClientBuilder {
            rsp: RspConfig::default(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            webpki_roots: true,
            gsma_ci_roots: true,
            test_ci: false,
            extra_roots: Vec::new(),
            connect_to: Vec::new(),
        }
    }
}

impl HttpEs9ClientBuilder {
    /// Whole-request timeout (connect, TLS, send, receive); default 60 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout; default 15 s (capped by [`timeout`](Self::timeout)).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// `X-Admin-Protocol` header; must look like `gsma/rsp/v2.x.y` (SGP.22 §6.5.1). Default `gsma/rsp/v2.2.2`.
    pub fn admin_protocol(mut self, value: &str) -> Result<Self, Es9Error> {
        self.rsp = self.rsp.with_admin_protocol(value)?;
        Ok(self)
    }

    /// `User-Agent` header; default `gsma-rsp-lpad`; printable ASCII.
    pub fn user_agent(mut self, value: &str) -> Result<Self, Es9Error> {
        self.rsp = self.rsp.with_user_agent(value)?;
        Ok(self)
    }

    /// Whether to trust the Mozilla root store (webpki roots); default `true`. With `false` (and
    /// [`gsma_ci_roots`](Self::gsma_ci_roots)`(false)`) only the certificates added with
    /// [`add_ca_pem`](Self::add_ca_pem)/[`add_ca_der`](Self::add_ca_der) are trusted.
    /// Verification itself cannot be turned off.
    pub fn webpki_roots(mut self, enabled: bool) -> Self {
        self.webpki_roots = enabled;
        self
    }

    /// Whether to trust the production GSMA CI roots ([`GSMA_CI_ROOTS`](super::GSMA_CI_ROOTS)):
    /// an SM-DP+/SM-DS TLS certificate chains to a GSMA CI (SGP.22 §4.5.2.2); default `true`.
    pub fn gsma_ci_roots(mut self, enabled: bool) -> Self {
        self.gsma_ci_roots = enabled;
        self
    }

    /// Whether to also trust the SGP.26 test CIs
    /// ([`SGP26_TEST_CI_ROOTS`](super::SGP26_TEST_CI_ROOTS)), for test SM-DP+ servers such as
    /// pySim's osmo-smdpp; default `false`. Never on in production: anyone holding the public
    /// SGP.26 test keys can issue certificates under them.
    pub fn test_ci(mut self, enabled: bool) -> Self {
        self.test_ci = enabled;
        self
    }

    /// Trusts the CA certificate(s) in a PEM file (every `CERTIFICATE` block; other blocks are ignored).
    pub fn add_ca_pem(mut self, pem: &[u8]) -> Result<Self, Es9Error> {
        let mut found = 0usize;
        for item in ureq::tls::parse_pem(pem) {
            let item =
                item.map_err(|e| Es9Error::CaCertificate { detail: "bad PEM", source: Box::new(e) })?;
            if let PemItem::Certificate(cert) = item {
                self = self.add_ca_der(cert.der())?;
                found += 1;
            }
        }
        if found == 0 {
            return Err(Es9Error::Config("no CERTIFICATE block in the PEM data".into()));
        }
        Ok(self)
    }

    /// Trusts a DER-encoded CA certificate. It is checked to be usable as a trust anchor.
    pub fn add_ca_der(mut self, der: &[u8]) -> Result<Self, Es9Error> {
        let mut store = rustls::RootCertStore::empty();
        store.add(rustls::pki_types::CertificateDer::from(der)).map_err(|e| Es9Error::CaCertificate {
            detail: "CA certificate is not a usable trust anchor",
            source: Box::new(e),
        })?;
        self.extra_roots.push(Certificate::from_der(der).to_owned());
        Ok(self)
    }

    /// Sends requests for `address` (as it appears in activation codes, e.g. `smdp.example.com`) to
    /// `base_url` instead of `https://<address>`: the URL is replaced, so `Host`, SNI and the
    /// certificate check are on the base URL's host. `base_url` is `https://host[:port][/prefix]`,
    /// or `http://` to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`) only — the way to a
    /// plain-HTTP test server. To connect elsewhere while keeping the SM-DP+ name for TLS, use
    /// [`connect_to`](Self::connect_to) instead.
    pub fn override_address(mut self, address: &str, base_url: &str) -> Result<Self, Es9Error> {
        self.rsp = self.rsp.with_override(address, base_url)?;
        Ok(self)
    }

    /// Adds a connect-to rule, as curl's `--connect-to HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`:
    /// the TCP connection of a request for `HOST:PORT` goes to `CONNECT-TO-HOST:CONNECT-TO-PORT`,
    /// while the URL, the `Host` header, the TLS SNI and the certificate name check stay on the
    /// request's host (SGP.22 §2.6.6). Rules are tried in the order added; the first match wins.
    pub fn connect_to(mut self, rule: ConnectTo) -> Self {
        self.connect_to.push(rule);
        self
    }

    /// The DER of every root certificate the client will trust, in this order: the GSMA CI
    /// roots (if on), the SGP.26 test CIs (if on), the webpki roots (if on), the added CAs.
    pub fn trusted_roots(&self) -> Vec<&[u8]> {
        let mut roots: Vec<&[u8]> = Vec::new();
        if self.gsma_ci_roots {
            roots.extend(GSMA_CI_ROOTS.iter().map(|c| c.der));
        }
        if self.test_ci {
            roots.extend(SGP26_TEST_CI_ROOTS.iter().map(|c| c.der));
        }
        if self.webpki_roots {
            roots.extend(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().map(|c| c.as_ref()));
        }
        roots.extend(self.extra_roots.iter().map(Certificate::der));
        roots
    }

    /// Checks a server certificate chain as the client will during the TLS handshake, against
    /// [`trusted_roots`](Self::trusted_roots), for `server_name` (the SM-DP+ address's host, also
    /// under a connect-to rule), at time `at` instead of the clock (SGP.22 §4.5.2.2).
    pub fn verify_server_certificate(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        at: SystemTime,
    ) -> Result<(), ServerCertificateError> {
        verify_server_certificate(self.trusted_roots(), end_entity, intermediates, server_name, at)
    }

    /// Largest accepted response body; default 16 MiB.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.rsp = self.rsp.with_max_response_size(bytes);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HttpEs9Client, Es9Error> {
        let roots: Vec<Certificate<'static>> =
            self.trusted_roots().into_iter().map(|der| Certificate::from_der(der).to_owned()).collect();
        if roots.is_empty() {
            return Err(Es9Error::Config(
                "no trust roots: enable the GSMA CI or webpki roots, or add a CA".into(),
            ));
        }
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(self.rsp.user_agent())
            .tls_config(tls)
            .build();
        // The system resolver behind the connect-to rules; ureq's TLS connector takes the server
        // name from the URL, so SNI and the certificate check stay on the SM-DP+ address.
        let resolver = ConnectToResolver::new(self.connect_to.clone());
        let http = UreqHttpClient {
            agent: ureq::Agent::with_parts(config, DefaultConnector::new(), resolver),
            connect_to: Arc::new(self.connect_to),
        };
        Ok(RspClient::with_config(self.rsp, http))
    }
}

impl RspClient<UreqHttpClient> {
    /// A builder with the defaults (GSMA CI and webpki roots, 60 s timeout, no overrides, no
    /// connect-to rules).
    pub fn builder() -> HttpEs9ClientBuilder {
        HttpEs9ClientBuilder::default()
    }
}

impl HttpClient for UreqHttpClient {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = request.url.as_str();
        let mut builder = self.agent.post(url);
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let mut response = builder.send(&request.body[..]).map_err(|e| self.map_error(url, e))?;
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(request.max_response_size)
            .read_to_vec()
            .map_err(|e| self.map_error(url, e))?;
        Ok(HttpResponse { status, content_type, body })
    }
}

impl UreqHttpClient {
    /// The [`HttpError`] of `e` on `url`, saying where a connect-to rule sent the connection.
    fn map_error(&self, url: &str, e: ureq::Error) -> HttpError {
        // The source is the most specific error at hand (rustls', the I/O error), so that the
        // message is its own.
        let error = match e {
            ureq::Error::Timeout(_) => HttpError::timeout(e),
            ureq::Error::Io(io)
                if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) =>
            {
                HttpError::timeout(io)
            }
            ureq::Error::BodyExceedsLimit(_) => HttpError::body_too_large(e),
            ureq::Error::Tls(_) => HttpError::tls(e),
            ureq::Error::Rustls(error) => HttpError::tls(error),
            ureq::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
                HttpError::tls(io)
            }
            ureq::Error::Io(io) => HttpError::transport(io),
            other => HttpError::transport(other),
        };
        match (error.kind(), self.connect_rule(url)) {
            (HttpErrorKind::Tls | HttpErrorKind::Transport, Some(rule)) => {
                error.with_note(format_args!("connected per connect-to {rule}"))
            }
            _ => error,
        }
    }

    /// The connect-to rule `url` goes through, if any.
    fn connect_rule(&self, url: &str) -> Option<&ConnectTo> {
        let uri: Uri = url.parse().ok()?;
        let host = uri.host()?;
        let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
        self.connect_to.iter().find(|rule| rule.matches(host, port))
    }
}
