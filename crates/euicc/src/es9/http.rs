//! The default ES9+/ES11 HTTP client: `ureq` + `rustls`, no OpenSSL (GSMA SGP.22 §6.5, §2.6.6 TLS).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::transport::DefaultConnector;

use super::connect_to::{ConnectTo, ConnectToResolver};
use super::json::snippet;
use super::trust::{GSMA_CI_ROOTS, SGP26_TEST_CI_ROOTS, ServerCertificateError, verify_server_certificate};
use super::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequest, DEFAULT_ADMIN_PROTOCOL,
    DEFAULT_USER_AGENT, Es9Client, Es9Error, GetBoundProfilePackageRequest, GetBoundProfilePackageResponse,
    HandleNotificationRequest, HttpReply, InitiateAuthenticationRequest, InitiateAuthenticationResponse,
    RspFunction, RspRequest,
};
use crate::activation::validate_server_address;

/// Default whole-request timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default response body limit: 16 MiB (a bound profile package is typically tens of KiB).
const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// The default [`Es9Client`] (and [`Es11Client`](crate::es11::Es11Client)): HTTPS POST with JSON bodies
/// (SGP.22 §6.5.1).
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
/// use oxicard_euicc::es9::{ConnectTo, Es9Client, HttpEs9Client, HandleNotificationRequest};
/// let mut client = HttpEs9Client::builder()
///     .add_ca_pem(&std::fs::read("operator-ci.pem")?)?
///     .connect_to("smdp.example.com:443:127.0.0.1:8443".parse::<ConnectTo>()?)
///     .build()?;
/// client.handle_notification("smdp.example.com", &HandleNotificationRequest { pending_notification: vec![] })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpEs9Client {
    agent: ureq::Agent,
    overrides: Arc<BTreeMap<String, String>>,
    connect_to: Arc<Vec<ConnectTo>>,
    admin_protocol: String,
    user_agent: String,
    max_body: u64,
}

/// Builder of [`HttpEs9Client`].
#[derive(Debug, Clone)]
pub struct HttpEs9ClientBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    admin_protocol: String,
    user_agent: String,
    webpki_roots: bool,
    gsma_ci_roots: bool,
    test_ci: bool,
    extra_roots: Vec<Certificate<'static>>,
    overrides: BTreeMap<String, String>,
    connect_to: Vec<ConnectTo>,
    max_body: u64,
}

impl Default for HttpEs9ClientBuilder {
    fn default() -> Self {
        HttpEs9ClientBuilder {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            admin_protocol: DEFAULT_ADMIN_PROTOCOL.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            webpki_roots: true,
            gsma_ci_roots: true,
            test_ci: false,
            extra_roots: Vec::new(),
            overrides: BTreeMap::new(),
            connect_to: Vec::new(),
            max_body: DEFAULT_MAX_BODY,
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
        let ok = value.strip_prefix("gsma/rsp/v").is_some_and(|v| {
            let parts: Vec<&str> = v.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        });
        if !ok {
            return Err(Es9Error::Config(format!("X-Admin-Protocol {value:?} is not gsma/rsp/vX.Y.Z")));
        }
        self.admin_protocol = value.to_owned();
        Ok(self)
    }

    /// `User-Agent` header; default `gsma-rsp-lpad`.
    pub fn user_agent(mut self, value: &str) -> Self {
        self.user_agent = value.to_owned();
        self
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
            let item = item.map_err(|e| Es9Error::Config(format!("bad PEM: {e}")))?;
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
        store
            .add(rustls::pki_types::CertificateDer::from(der))
            .map_err(|e| Es9Error::Config(format!("CA certificate is not a usable trust anchor: {e}")))?;
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
        let base = validate_base_url(base_url)?;
        self.overrides.insert(address.to_ascii_lowercase(), base);
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
        self.max_body = bytes;
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
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(self.user_agent.as_str())
            .tls_config(tls)
            .build();
        // The system resolver behind the connect-to rules; ureq's TLS connector takes the server
        // name from the URL, so SNI and the certificate check stay on the SM-DP+ address.
        let resolver = ConnectToResolver::new(self.connect_to.clone());
        Ok(HttpEs9Client {
            agent: ureq::Agent::with_parts(config, DefaultConnector::new(), resolver),
            overrides: Arc::new(self.overrides),
            connect_to: Arc::new(self.connect_to),
            admin_protocol: self.admin_protocol,
            user_agent: self.user_agent,
            max_body: self.max_body,
        })
    }
}

/// Checks an override base URL; returns it without a trailing `/`.
fn validate_base_url(base_url: &str) -> Result<String, Es9Error> {
    let uri: Uri = base_url
        .parse()
        .map_err(|e| Es9Error::Config(format!("override URL {base_url:?} is invalid: {e}")))?;
    let host =
        uri.host().ok_or_else(|| Es9Error::Config(format!("override URL {base_url:?} has no host")))?;
    if uri.query().is_some() {
        return Err(Es9Error::Config(format!("override URL {base_url:?} must not have a query")));
    }
    if base_url.contains('@') {
        return Err(Es9Error::Config(format!("override URL {base_url:?} must not carry credentials")));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") => {
            if !is_loopback_host(host) {
                return Err(Es9Error::Config(format!(
                    "plain http:// is only allowed to a loopback host, not {host:?} (TLS is mandatory, SGP.22 §2.6.6)"
                )));
            }
        }
        other => {
            return Err(Es9Error::Config(format!(
                "override URL {base_url:?}: scheme {other:?} is not https (or http to loopback)"
            )));
        }
    }
    Ok(base_url.trim_end_matches('/').to_owned())
}

/// `localhost`, an IPv4 address in 127.0.0.0/8, or `::1` (with or without brackets).
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl HttpEs9Client {
    /// A builder with the defaults (GSMA CI and webpki roots, 60 s timeout, no overrides, no
    /// connect-to rules).
    pub fn builder() -> HttpEs9ClientBuilder {
        HttpEs9ClientBuilder::default()
    }

    /// A client with the defaults.
    pub fn new() -> Result<Self, Es9Error> {
        Self::builder().build()
    }

    /// The URL a `function` call for `address` goes to.
    pub fn url_for(&self, address: &str, function: RspFunction) -> Result<String, Es9Error> {
        if let Some(base) = self.overrides.get(&address.to_ascii_lowercase()) {
            // Re-checked so that no code path can reach a non-loopback http:// URL.
            let base = validate_base_url(base)?;
            return Ok(format!("{base}{}", function.path()));
        }
        validate_server_address(address)
            .map_err(|reason| Es9Error::InvalidAddress { address: address.to_owned(), reason })?;
        Ok(format!("https://{address}{}", function.path()))
    }

    /// POSTs `request` for `function` to `address` and decodes the reply (any [`RspRequest`]).
    pub fn call<R: RspRequest>(
        &self,
        function: RspFunction,
        address: &str,
        request: &R,
    ) -> Result<R::Response, Es9Error> {
        let url = self.url_for(address, function)?;
        let body = request.to_json();
        tracing::debug!(%function, %url, len = body.len(), "ES9+/ES11 request");
        let mut response = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json;charset=UTF-8")
            .header("X-Admin-Protocol", &self.admin_protocol)
            .header("User-Agent", &self.user_agent)
            .send(&body[..])
            .map_err(|e| self.map_error(function, &url, e))?;
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(|e| self.map_error(function, &url, e))?;
        tracing::debug!(%function, status, len = bytes.len(), "ES9+/ES11 response");
        if !(200..300).contains(&status) {
            return Err(Es9Error::HttpStatus { function, status, body: snippet(&bytes) });
        }
        let reply = HttpReply { status, content_type: content_type.as_deref(), body: &bytes };
        request.decode_response(function, &reply)
    }
}

impl HttpEs9Client {
    /// [`map_ureq_error`], saying where a connect-to rule sent the connection.
    fn map_error(&self, function: RspFunction, url: &str, e: ureq::Error) -> Es9Error {
        let mut error = map_ureq_error(function, url, e, self.max_body);
        if let Es9Error::Tls { detail, .. } | Es9Error::Transport { detail, .. } = &mut error
            && let Some(rule) = self.connect_rule(url)
        {
            detail.push_str(&format!(" (connected per connect-to {rule})"));
        }
        error
    }

    /// The connect-to rule `url` goes through, if any.
    fn connect_rule(&self, url: &str) -> Option<&ConnectTo> {
        let uri: Uri = url.parse().ok()?;
        let host = uri.host()?;
        let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
        self.connect_to.iter().find(|rule| rule.matches(host, port))
    }
}

fn map_ureq_error(function: RspFunction, url: &str, e: ureq::Error, limit: u64) -> Es9Error {
    let url = url.to_owned();
    match e {
        ureq::Error::Timeout(_) => Es9Error::Timeout { function, url },
        ureq::Error::Io(io)
            if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) =>
        {
            Es9Error::Timeout { function, url }
        }
        ureq::Error::BodyExceedsLimit(_) => Es9Error::BodyTooLarge { function, limit },
        ureq::Error::Tls(msg) => Es9Error::Tls { function, url, detail: msg.to_owned() },
        ureq::Error::Rustls(err) => Es9Error::Tls { function, url, detail: err.to_string() },
        ureq::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
            Es9Error::Tls { function, url, detail: io.to_string() }
        }
        other => Es9Error::Transport { function, url, detail: other.to_string() },
    }
}

impl Es9Client for HttpEs9Client {
    fn initiate_authentication(
        &mut self,
        address: &str,
        request: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationResponse, Es9Error> {
        self.call(RspFunction::Es9InitiateAuthentication, address, request)
    }

    fn authenticate_client(
        &mut self,
        address: &str,
        request: &AuthenticateClientRequest,
    ) -> Result<AuthenticateClientResponse, Es9Error> {
        self.call(RspFunction::Es9AuthenticateClient, address, request)
    }

    fn get_bound_profile_package(
        &mut self,
        address: &str,
        request: &GetBoundProfilePackageRequest,
    ) -> Result<GetBoundProfilePackageResponse, Es9Error> {
        self.call(RspFunction::Es9GetBoundProfilePackage, address, request)
    }

    fn handle_notification(
        &mut self,
        address: &str,
        request: &HandleNotificationRequest,
    ) -> Result<(), Es9Error> {
        self.call(RspFunction::Es9HandleNotification, address, request)
    }

    fn cancel_session(&mut self, address: &str, request: &CancelSessionRequest) -> Result<(), Es9Error> {
        self.call(RspFunction::Es9CancelSession, address, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]", "::1"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1", "192.168.1.1", "[::2]", "localhost.example.com", "128.0.0.1"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(validate_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(validate_base_url("https://smdp.test:8443/x").unwrap(), "https://smdp.test:8443/x");
        assert!(validate_base_url("http://[::1]:80").is_ok());
        assert!(validate_base_url("http://example.com").is_err());
        assert!(validate_base_url("http://10.1.1.1").is_err());
        assert!(validate_base_url("ftp://127.0.0.1").is_err());
        assert!(validate_base_url("https://a.example?x=1").is_err());
        assert!(validate_base_url("https://user@a.example").is_err());
        assert!(validate_base_url("127.0.0.1:80").is_err());
    }

    #[test]
    fn urls() {
        let c = HttpEs9Client::builder().override_address("SMDP.TEST", "http://127.0.0.1:9").unwrap().build();
        let c = c.unwrap();
        assert_eq!(
            c.url_for("smdp.test", RspFunction::Es9CancelSession).unwrap(),
            "http://127.0.0.1:9/gsma/rsp2/es9plus/cancelSession"
        );
        assert_eq!(
            c.url_for("other.example:8443", RspFunction::Es9HandleNotification).unwrap(),
            "https://other.example:8443/gsma/rsp2/es9plus/handleNotification"
        );
        assert!(c.url_for("evil.example/path?", RspFunction::Es9CancelSession).is_err());
        assert!(c.url_for("user@evil.example", RspFunction::Es9CancelSession).is_err());
    }
}
