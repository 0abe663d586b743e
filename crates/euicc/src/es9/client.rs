//! The library's side of every ES9+/ES11 call (GSMA SGP.22 §6.5 HTTPS binding): the URL from a
//! validated server address, the headers of §6.5.1, the JSON of §6.5.2, the status code mapping of
//! §6.5.1.4 and the response size limit — for any [`HttpClient`].

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::transport::{HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse};
use super::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequestEs9, DEFAULT_ADMIN_PROTOCOL,
    DEFAULT_USER_AGENT, Es9Error, GetBoundProfilePackageRequest, GetBoundProfilePackageResponse,
    HandleNotificationRequest, InitiateAuthenticationRequest, InitiateAuthenticationResponse, RspFunction,
    RspRequest,
};
use crate::activation::validate_server_address;

/// The `Content-Type` of every request (SGP.22 §6.5.1).
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";
/// Default response body limit: 16 MiB (the largest answer, a Bound Profile Package of
/// GetBoundProfilePackage, SGP.22 §5.6.2, is typically tens of KiB).
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 16 * 1024 * 1024;

/// How the library builds and reads ES9+/ES11 requests (SGP.22 §6.5), whatever the HTTP client:
/// the `X-Admin-Protocol` and `User-Agent` headers (§6.5.1), the response size limit, and the
/// base URLs that replace `https://<address>` for test servers.
///
/// Cheap to clone (a download or discovery session keeps its own copy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RspConfig {
    admin_protocol: String,
    user_agent: String,
    max_response_size: u64,
    overrides: Arc<BTreeMap<String, String>>,
}

impl Default for RspConfig {
    fn default() -> Self {
        Self {
            admin_protocol: DEFAULT_ADMIN_PROTOCOL.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            overrides: Arc::default(),
        }
    }
}

impl RspConfig {
    /// `X-Admin-Protocol: gsma/rsp/v2.2.2`, `User-Agent: gsma-rsp-lpad`, 16 MiB, no override.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the `X-Admin-Protocol` header; it must look like `gsma/rsp/vX.Y.Z` (SGP.22 §6.5.1).
    pub fn with_admin_protocol(mut self, value: &str) -> Result<Self, Es9Error> {
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

    /// Sets the `User-Agent` header (SGP.22 §6.5.1 leaves it to the LPA; lpac, euicc-go and
    /// pySim send `gsma-rsp-lpad`). Refused when it is not a visible ASCII header value.
    pub fn with_user_agent(mut self, value: &str) -> Result<Self, Es9Error> {
        if value.is_empty() || !value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return Err(Es9Error::Config(format!("User-Agent {value:?} is not printable ASCII")));
        }
        self.user_agent = value.to_owned();
        Ok(self)
    }

    /// Sets the largest accepted response body, in bytes (default 16 MiB).
    #[must_use]
    pub fn with_max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Sends requests for `address` (as in activation codes, e.g. `smdp.example.com`) to
    /// `base_url` instead of `https://<address>`: the URL is replaced, so `Host`, SNI and the
    /// certificate check are on the base URL's host. `base_url` is `https://host[:port][/prefix]`,
    /// or `http://` to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`) only: TLS is
    /// mandatory on the network (SGP.22 §2.6.6).
    pub fn with_override(mut self, address: &str, base_url: &str) -> Result<Self, Es9Error> {
        let base = validate_base_url(base_url)?;
        Arc::make_mut(&mut self.overrides).insert(address.to_ascii_lowercase(), base);
        Ok(self)
    }

    /// The `X-Admin-Protocol` value.
    pub fn admin_protocol(&self) -> &str {
        &self.admin_protocol
    }

    /// The `User-Agent` value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The response body limit in bytes.
    pub fn max_response_size(&self) -> u64 {
        self.max_response_size
    }

    /// The URL a `function` call for `address` goes to: `https://<address>/gsma/rsp2/es9plus/<function>`
    /// (SGP.22 §6.5) once `address` is checked to be a host name with an optional port — nothing
    /// else (a path, a query, a fragment, credentials, white space) can come in through an
    /// activation code, an SM-DS event or a notification address — or the override's base URL.
    pub fn url_for(&self, address: &str, function: RspFunction) -> Result<String, Es9Error> {
        if let Some(base) = self.overrides.get(&address.to_ascii_lowercase()) {
            // Checked by `with_override`, the only way in.
            return Ok(format!("{base}{}", function.path()));
        }
        validate_server_address(address)
            .map_err(|reason| Es9Error::InvalidAddress { address: address.to_owned(), reason })?;
        Ok(format!("https://{address}{}", function.path()))
    }

    /// The HTTP request of a `function` call to the server at `address` (SGP.22 §6.5.1): its URL
    /// ([`url_for`](Self::url_for)), the headers, the JSON body of `request`.
    pub fn request<R: RspRequest + ?Sized>(
        &self,
        function: RspFunction,
        address: &str,
        request: &R,
    ) -> Result<HttpRequest, Es9Error> {
        let url = self.url_for(address, function)?;
        let body = request.to_json();
        tracing::debug!(%function, %url, len = body.len(), "ES9+/ES11 request");
        Ok(HttpRequest {
            function,
            url,
            headers: vec![
                ("Content-Type", JSON_CONTENT_TYPE.to_owned()),
                ("X-Admin-Protocol", self.admin_protocol.clone()),
                ("User-Agent", self.user_agent.clone()),
            ],
            body,
            max_response_size: self.max_response_size,
        })
    }
}

/// Reads the answer to `sent`, the HTTP request of `request` (SGP.22 §6.5): a transport failure
/// becomes [`Es9Error::Timeout`], [`Tls`](Es9Error::Tls), [`Transport`](Es9Error::Transport) or
/// [`BodyTooLarge`](Es9Error::BodyTooLarge) with the HTTP client's error as its source; a body
/// over [`HttpRequest::max_response_size`] is refused; then the status, the JSON header and every
/// member are checked ([`RspRequest::decode_response`]).
pub fn decode_answer<R: RspRequest + ?Sized>(
    request: &R,
    sent: &HttpRequest,
    answer: Result<HttpResponse, HttpError>,
) -> Result<R::Response, Es9Error> {
    let (function, limit) = (sent.function, sent.max_response_size);
    let response = answer.map_err(|error| transport_error(function, &sent.url, limit, error))?;
    tracing::debug!(%function, status = response.status, len = response.body.len(), "ES9+/ES11 response");
    if u64::try_from(response.body.len()).map_or(true, |len| len > limit) {
        return Err(Es9Error::BodyTooLarge { function, limit, source: None });
    }
    request.decode_response(function, &response.reply())
}

/// The [`Es9Error`] of an HTTP client's failure on `url`.
fn transport_error(function: RspFunction, url: &str, limit: u64, error: HttpError) -> Es9Error {
    let url = url.to_owned();
    match error.kind() {
        HttpErrorKind::Timeout => Es9Error::Timeout { function, url, source: error },
        HttpErrorKind::Tls => Es9Error::Tls { function, url, source: error },
        HttpErrorKind::BodyTooLarge => Es9Error::BodyTooLarge { function, limit, source: Some(error) },
        HttpErrorKind::Transport => Es9Error::Transport { function, url, source: error },
    }
}

/// An ES9+/ES11 client (SGP.22 §5.6, §5.8) over any [`HttpClient`]: the library's
/// [`RspConfig`] and the caller's HTTP stack. The download, discovery and notification flows
/// take it; its methods call one function each.
///
/// ```
/// use oxicard_euicc::es9::{HttpClient, HttpError, HttpRequest, HttpResponse, RspClient, RspConfig};
///
/// struct MyHttp;
/// impl HttpClient for MyHttp {
///     fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
///         // POST request.body to request.url with request.headers(), e.g. with reqwest or hyper.
///         # let _ = request;
///         Ok(HttpResponse::new(204, Vec::new()))
///     }
/// }
///
/// let mut client = RspClient::with_config(RspConfig::new().with_user_agent("my-lpa/1.0")?, MyHttp);
/// assert_eq!(
///     client.config().url_for("smdp.example.com", oxicard_euicc::es9::RspFunction::Es9CancelSession)?,
///     "https://smdp.example.com/gsma/rsp2/es9plus/cancelSession"
/// );
/// # let _ = &mut client;
/// # Ok::<(), oxicard_euicc::es9::Es9Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RspClient<H: ?Sized> {
    config: RspConfig,
    http: H,
}

impl<H> RspClient<H> {
    /// A client over `http` with the default [`RspConfig`].
    pub fn new(http: H) -> Self {
        Self { config: RspConfig::default(), http }
    }

    /// A client over `http` with `config`.
    pub fn with_config(config: RspConfig, http: H) -> Self {
        Self { config, http }
    }

    /// The configuration and the HTTP client.
    pub fn into_parts(self) -> (RspConfig, H) {
        (self.config, self.http)
    }
}

impl<H: ?Sized> RspClient<H> {
    /// The configuration.
    pub fn config(&self) -> &RspConfig {
        &self.config
    }

    /// The configuration, to change.
    pub fn config_mut(&mut self) -> &mut RspConfig {
        &mut self.config
    }

    /// The HTTP client.
    pub fn http(&self) -> &H {
        &self.http
    }

    /// The HTTP client, to change or to send with.
    pub fn http_mut(&mut self) -> &mut H {
        &mut self.http
    }

    /// The configuration and the HTTP client, borrowed together.
    pub fn parts_mut(&mut self) -> (&RspConfig, &mut H) {
        (&self.config, &mut self.http)
    }

    /// The URL a `function` call for `address` goes to ([`RspConfig::url_for`]).
    pub fn url_for(&self, address: &str, function: RspFunction) -> Result<String, Es9Error> {
        self.config.url_for(address, function)
    }
}

impl<H: HttpClient + ?Sized> RspClient<H> {
    /// POSTs `request` for `function` to the server at `address` and decodes the answer (any
    /// [`RspRequest`]): [`RspConfig::request`], [`HttpClient::post`], [`decode_answer`].
    pub fn call<R: RspRequest + ?Sized>(
        &mut self,
        function: RspFunction,
        address: &str,
        request: &R,
    ) -> Result<R::Response, Es9Error> {
        let sent = self.config.request(function, address, request)?;
        let answer = self.http.post(&sent);
        decode_answer(request, &sent, answer)
    }

    /// ES9+.InitiateAuthentication (SGP.22 §5.6.1): opens an RSP session.
    pub fn initiate_authentication(
        &mut self,
        address: &str,
        request: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationResponse, Es9Error> {
        self.call(RspFunction::Es9InitiateAuthentication, address, request)
    }

    /// ES9+.AuthenticateClient (SGP.22 §5.6.3): sends the eUICC's AuthenticateServer response.
    pub fn authenticate_client(
        &mut self,
        address: &str,
        request: &AuthenticateClientRequest,
    ) -> Result<AuthenticateClientResponse, Es9Error> {
        self.call(RspFunction::Es9AuthenticateClient, address, request)
    }

    /// ES9+.GetBoundProfilePackage (SGP.22 §5.6.2): sends PrepareDownload's response, gets the BPP.
    pub fn get_bound_profile_package(
        &mut self,
        address: &str,
        request: &GetBoundProfilePackageRequest,
    ) -> Result<GetBoundProfilePackageResponse, Es9Error> {
        self.call(RspFunction::Es9GetBoundProfilePackage, address, request)
    }

    /// ES9+.HandleNotification (SGP.22 §5.6.4): delivers a pending notification (answer: HTTP 204).
    pub fn handle_notification(
        &mut self,
        address: &str,
        request: &HandleNotificationRequest,
    ) -> Result<(), Es9Error> {
        self.call(RspFunction::Es9HandleNotification, address, request)
    }

    /// ES9+.CancelSession (SGP.22 §5.6.5): delivers the eUICC's signed CancelSession response.
    pub fn cancel_session(
        &mut self,
        address: &str,
        request: &CancelSessionRequestEs9,
    ) -> Result<(), Es9Error> {
        self.call(RspFunction::Es9CancelSession, address, request)
    }
}

/// Checks an override base URL; returns it without a trailing `/`.
///
/// `scheme://host[:port][/path]` with scheme `https`, or `http` to a loopback host; no
/// credentials, query or fragment; the path in unreserved characters, `/` and `%`.
fn validate_base_url(base_url: &str) -> Result<String, Es9Error> {
    let invalid = |why: &str| Es9Error::Config(format!("override URL {base_url:?} is invalid: {why}"));
    let (scheme, rest) = base_url.split_once("://").ok_or_else(|| invalid("no scheme"))?;
    if rest.contains(['?', '#']) {
        return Err(Es9Error::Config(format!("override URL {base_url:?} must not have a query")));
    }
    if rest.contains('@') {
        return Err(Es9Error::Config(format!("override URL {base_url:?} must not carry credentials")));
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if let Some(c) = path.chars().find(|c| !(c.is_ascii_alphanumeric() || "-._~/%".contains(*c))) {
        return Err(invalid(&format!("character {c:?} in the path")));
    }
    let host = url_host(authority).map_err(|why| invalid(&why))?;
    if host.is_empty() {
        return Err(Es9Error::Config(format!("override URL {base_url:?} has no host")));
    }
    match scheme {
        "https" => {}
        "http" => {
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

/// The host of `host[:port]` or `[v6][:port]`, checked: a name or IPv4 address in letters,
/// digits, `-` and `.`, or an IPv6 address in brackets; the port a number in 1..=65535.
fn url_host(authority: &str) -> Result<&str, String> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (inside, after) = v6.split_once(']').ok_or("unclosed '['")?;
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(format!("{inside:?} is not an IPv6 address"));
            }
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or("junk after the IPv6 address")?),
            };
            (authority.get(..inside.len() + 2).unwrap_or(authority), port)
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if !host.starts_with('[')
        && let Some(c) = host.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.')))
    {
        return Err(format!("character {c:?} in the host"));
    }
    if let Some(port) = port
        && !(port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p > 0))
    {
        return Err(format!("port {port:?} is not a number in 1..=65535"));
    }
    Ok(host)
}

/// `localhost`, an IPv4 address in 127.0.0.0/8, or `::1` (with or without brackets).
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
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
        assert!(validate_base_url("http://localhost:9/prefix/").is_ok());
        for bad in [
            "http://example.com",
            "http://10.1.1.1",
            "ftp://127.0.0.1",
            "https://a.example?x=1",
            "https://a.example/#x",
            "https://user@a.example",
            "127.0.0.1:80",
            "https://",
            "https://a example",
            "https://a.example:0",
            "https://a.example:99999",
            "https://a.example:8x",
            "https://[::1",
            "https://[zz]:80",
            "https://a.example/p ath",
        ] {
            assert!(validate_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls() {
        let c = RspConfig::new().with_override("SMDP.TEST", "http://127.0.0.1:9").unwrap();
        assert_eq!(
            c.url_for("smdp.test", RspFunction::Es9CancelSession).unwrap(),
            "http://127.0.0.1:9/gsma/rsp2/es9plus/cancelSession"
        );
        assert_eq!(
            c.url_for("other.example:8443", RspFunction::Es9HandleNotification).unwrap(),
            "https://other.example:8443/gsma/rsp2/es9plus/handleNotification"
        );
        for bad in ["evil.example/path?", "user@evil.example", "a.example#x", "a .example", "a.example:0"] {
            assert!(c.url_for(bad, RspFunction::Es9CancelSession).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers() {
        let config = RspConfig::new().with_admin_protocol("gsma/rsp/v2.5.0").unwrap();
        let request = HandleNotificationRequest { pending_notification: vec![0x30, 0x00] };
        let sent = config.request(RspFunction::Es9HandleNotification, "smdp.example", &request).unwrap();
        let headers: Vec<(&str, &str)> = sent.headers().collect();
        assert_eq!(
            headers,
            [
                ("Content-Type", "application/json;charset=UTF-8"),
                ("X-Admin-Protocol", "gsma/rsp/v2.5.0"),
                ("User-Agent", "gsma-rsp-lpad"),
            ]
        );
        assert_eq!(sent.header("user-agent"), Some("gsma-rsp-lpad"));
        assert!(RspConfig::new().with_user_agent("bad\nagent").is_err());
        assert!(RspConfig::new().with_admin_protocol("v2").is_err());
    }
}
