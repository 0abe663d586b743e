//! The default ES9+/ES11 HTTP client: `ureq` + `rustls`, no OpenSSL (GSMA SGP.22 §6.5, §2.6.6 TLS).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

use super::json::snippet;
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
///   when the address has an override ([`HttpEs9ClientBuilder::override_address`], like curl's
///   `--connect-to`, for test servers).
/// - Headers: `Content-Type: application/json;charset=UTF-8`, `X-Admin-Protocol: gsma/rsp/v2.2.2`
///   (configurable), `User-Agent: gsma-rsp-lpad` (configurable).
/// - TLS verification is always on: the Mozilla (webpki) roots plus caller-supplied CA certificates
///   (GSMA CI roots are not web roots). Plain `http://` is only possible through an override and only to a
///   loopback host. No redirects are followed and no proxy is used.
///
/// ```no_run
/// use oxicard_euicc::es9::{Es9Client, HttpEs9Client, HandleNotificationRequest};
/// let mut client = HttpEs9Client::builder()
///     .add_ca_pem(&std::fs::read("gsma-ci.pem")?)?
///     .build()?;
/// client.handle_notification("smdp.example.com", &HandleNotificationRequest { pending_notification: vec![] })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpEs9Client {
    agent: ureq::Agent,
    overrides: Arc<BTreeMap<String, String>>,
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
    extra_roots: Vec<Certificate<'static>>,
    overrides: BTreeMap<String, String>,
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
            extra_roots: Vec::new(),
            overrides: BTreeMap::new(),
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

    /// Whether to trust the Mozilla root store (webpki roots); default `true`. With `false` only the
    /// certificates added with [`add_ca_pem`](Self::add_ca_pem)/[`add_ca_der`](Self::add_ca_der) are
    /// trusted (e.g. only GSMA CIs). Verification itself cannot be turned off.
    pub fn webpki_roots(mut self, enabled: bool) -> Self {
        self.webpki_roots = enabled;
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
    /// `base_url` instead of `https://<address>`, like curl's `--connect-to`. `base_url` is
    /// `https://host[:port][/prefix]`, or `http://` to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`)
    /// only. With `https://` the certificate must be valid for the base URL's host.
    pub fn override_address(mut self, address: &str, base_url: &str) -> Result<Self, Es9Error> {
        let base = validate_base_url(base_url)?;
        self.overrides.insert(address.to_ascii_lowercase(), base);
        Ok(self)
    }

    /// Largest accepted response body; default 16 MiB.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HttpEs9Client, Es9Error> {
        let mut roots: Vec<Certificate<'static>> = Vec::new();
        if self.webpki_roots {
            roots.extend(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().map(|c| Certificate::from_der(c.as_ref())),
            );
        }
        roots.extend(self.extra_roots);
        if roots.is_empty() {
            return Err(Es9Error::Config("no trust roots: enable webpki roots or add a CA".into()));
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
        Ok(HttpEs9Client {
            agent: config.into(),
            overrides: Arc::new(self.overrides),
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
    /// A builder with the defaults (webpki roots, 60 s timeout, no overrides).
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
            .map_err(|e| map_ureq_error(function, &url, e, self.max_body))?;
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(|e| map_ureq_error(function, &url, e, self.max_body))?;
        tracing::debug!(%function, status, len = bytes.len(), "ES9+/ES11 response");
        if !(200..300).contains(&status) {
            return Err(Es9Error::HttpStatus { function, status, body: snippet(&bytes) });
        }
        let reply = HttpReply { status, content_type: content_type.as_deref(), body: &bytes };
        request.decode_response(function, &reply)
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
