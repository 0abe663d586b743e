//! `--connect-to` as curl means it: open the TCP connection to another host and port, while the
//! URL, the `Host` header, the TLS SNI and the certificate name check stay on the server address
//! the request is for (curl `CURLOPT_CONNECT_TO`, `--connect-to HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`).
//!
//! TLS to an RSP server is mandatory and its certificate is checked against the server's name
//! (SGP.22 §2.6.6); a connect-to rule changes only where the bytes go, so it cannot weaken that
//! check.

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Longest host name (RFC 1035 §2.3.4: 253 characters without the root dot).
const MAX_HOST_LEN: usize = 253;

/// The four fields of a connect-to rule, for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectToField {
    /// The whole rule (wrong number of fields).
    Rule,
    /// Field 1, HOST: the request's host this rule applies to (empty: any).
    Host,
    /// Field 2, PORT: the request's port this rule applies to (empty: any).
    Port,
    /// Field 3, CONNECT-TO-HOST: where to connect instead (empty: the request's host).
    ConnectHost,
    /// Field 4, CONNECT-TO-PORT: the port to connect to instead (empty: the request's port).
    ConnectPort,
}

impl fmt::Display for ConnectToField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectToField::Rule => "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT",
            ConnectToField::Host => "HOST",
            ConnectToField::Port => "PORT",
            ConnectToField::ConnectHost => "CONNECT-TO-HOST",
            ConnectToField::ConnectPort => "CONNECT-TO-PORT",
        })
    }
}

/// A connect-to rule that does not parse: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("connect-to rule {rule:?}: {field}: {reason}")]
#[non_exhaustive]
pub struct ConnectToError {
    /// The rule as given.
    pub rule: String,
    /// The offending field.
    pub field: ConnectToField,
    /// Why.
    pub reason: String,
}

/// One connect-to rule, curl's `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`.
///
/// - A request to `HOST:PORT` (the server address of the request, port 443 when the address has
///   none) is connected to `CONNECT-TO-HOST:CONNECT-TO-PORT` instead; the first matching rule wins.
/// - An empty `HOST` or `PORT` matches any; an empty `CONNECT-TO-HOST` or `CONNECT-TO-PORT` keeps
///   the request's.
/// - Host names compare without regard to case; an IPv6 address is written in brackets.
/// - Only the TCP connection moves: the URL, `Host`, SNI and the certificate name check stay on
///   the request's host.
///
/// ```
/// use oxicard_euicc::es9::ConnectTo;
/// let rule: ConnectTo = "smdp.example.com:443:127.0.0.1:8443".parse()?;
/// assert_eq!(rule.target("SMDP.example.com", 443), Some(("127.0.0.1".to_string(), 8443)));
/// assert_eq!(rule.target("smdp.example.com", 8443), None);
/// let any_port: ConnectTo = "smdp.example.com::[::1]:".parse()?;
/// assert_eq!(any_port.target("smdp.example.com", 9443), Some(("::1".to_string(), 9443)));
/// assert_eq!(any_port.to_string(), "smdp.example.com::[::1]:");
/// # Ok::<(), oxicard_euicc::es9::ConnectToError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectTo {
    host: Option<String>,
    port: Option<u16>,
    connect_host: Option<String>,
    connect_port: Option<u16>,
}

impl ConnectTo {
    /// A rule from its fields (`None`: empty field), validated as [`FromStr`] validates them.
    /// Hosts are names, IPv4 addresses or IPv6 addresses (without brackets here).
    pub fn new(
        host: Option<&str>,
        port: Option<u16>,
        connect_host: Option<&str>,
        connect_port: Option<u16>,
    ) -> Result<Self, ConnectToError> {
        let rule = ConnectTo {
            host: host.map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned()),
            port,
            connect_host: connect_host.map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned()),
            connect_port,
        };
        let text = rule.to_string();
        let error = |field, reason: String| ConnectToError { rule: text.clone(), field, reason };
        if let Some(h) = &rule.host {
            check_host(h).map_err(|r| error(ConnectToField::Host, r))?;
        }
        if let Some(h) = &rule.connect_host {
            check_host(h).map_err(|r| error(ConnectToField::ConnectHost, r))?;
        }
        for (field, port) in [(ConnectToField::Port, port), (ConnectToField::ConnectPort, connect_port)] {
            if port == Some(0) {
                return Err(error(field, "port 0 is not a port to connect to".into()));
            }
        }
        Ok(rule)
    }

    /// Field 1: the request host it applies to (`None`: any), IPv6 without brackets.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Field 2: the request port it applies to (`None`: any).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Field 3: the host to connect to (`None`: the request's), IPv6 without brackets.
    pub fn connect_host(&self) -> Option<&str> {
        self.connect_host.as_deref()
    }

    /// Field 4: the port to connect to (`None`: the request's).
    pub fn connect_port(&self) -> Option<u16> {
        self.connect_port
    }

    /// Whether the rule applies to a request for `host` (IPv6 with or without brackets) and `port`.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = bare(host);
        self.host.as_deref().is_none_or(|h| h.eq_ignore_ascii_case(host))
            && self.port.is_none_or(|p| p == port)
    }

    /// Where a request for `host` and `port` connects under this rule, `None` when the rule does
    /// not apply. The host comes back without brackets.
    pub fn target(&self, host: &str, port: u16) -> Option<(String, u16)> {
        self.matches(host, port).then(|| {
            (
                self.connect_host.clone().unwrap_or_else(|| bare(host).to_owned()),
                self.connect_port.unwrap_or(port),
            )
        })
    }

    /// Whether the rule applies to requests for an RSP server address as activation codes and
    /// notifications carry it: `host` or `host:port` (port 443 when absent, HTTPS per SGP.22 §6.5).
    pub fn applies_to_address(&self, address: &str) -> bool {
        let (host, port) = split_address(address);
        self.matches(host, port)
    }
}

/// `host[:port]` of an RSP server address; port 443 (HTTPS, SGP.22 §6.5) when it has none.
fn split_address(address: &str) -> (&str, u16) {
    match address.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, port.parse().unwrap_or(443)),
        _ => (address, 443),
    }
}

/// A host without IPv6 brackets.
fn bare(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// A host name (letters, digits, `-`, `.`, `_`), an IPv4 address, or an IPv6 address.
fn check_host(host: &str) -> Result<(), String> {
    if host.contains(':') {
        return host.parse::<Ipv6Addr>().map(|_| ()).map_err(|_| format!("{host:?} is not an IPv6 address"));
    }
    if host.len() > MAX_HOST_LEN {
        return Err(format!("host name has {} characters; at most {MAX_HOST_LEN} are allowed", host.len()));
    }
    if let Some(c) = host.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
        return Err(format!("character {c:?} is not allowed in a host name"));
    }
    if host.split('.').any(str::is_empty) {
        return Err(format!("empty label in {host:?}"));
    }
    Ok(())
}

/// Writes a host field: IPv6 in brackets.
fn write_host(f: &mut fmt::Formatter<'_>, host: Option<&str>) -> fmt::Result {
    match host {
        Some(h) if h.contains(':') => write!(f, "[{h}]"),
        Some(h) => f.write_str(h),
        None => Ok(()),
    }
}

impl fmt::Display for ConnectTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_host(f, self.host.as_deref())?;
        f.write_str(":")?;
        if let Some(p) = self.port {
            write!(f, "{p}")?;
        }
        f.write_str(":")?;
        write_host(f, self.connect_host.as_deref())?;
        f.write_str(":")?;
        if let Some(p) = self.connect_port {
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Splits `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT` at the colons outside IPv6 brackets.
fn split_fields(rule: &str) -> Result<Vec<&str>, String> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut in_brackets = false;
    for (i, c) in rule.char_indices() {
        match c {
            '[' if !in_brackets => in_brackets = true,
            ']' if in_brackets => in_brackets = false,
            ':' if !in_brackets => {
                fields.push(rule.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_brackets {
        return Err("an IPv6 address lacks its closing ']'".into());
    }
    fields.push(rule.get(start..).unwrap_or(""));
    Ok(fields)
}

impl FromStr for ConnectTo {
    type Err = ConnectToError;

    fn from_str(rule: &str) -> Result<Self, Self::Err> {
        let error = |field, reason: String| ConnectToError { rule: rule.to_owned(), field, reason };
        let fields = split_fields(rule).map_err(|r| error(ConnectToField::Rule, r))?;
        let [host, port, connect_host, connect_port] = fields.as_slice() else {
            return Err(error(
                ConnectToField::Rule,
                format!(
                    "{} ':'-separated fields; 4 are needed (an IPv6 address goes in brackets)",
                    fields.len()
                ),
            ));
        };
        let host_field = |field, text: &str| -> Result<Option<String>, ConnectToError> {
            if text.is_empty() {
                return Ok(None);
            }
            let inner = match text.strip_prefix('[') {
                Some(rest) => rest.strip_suffix(']').filter(|h| h.contains(':')).ok_or_else(|| {
                    error(field, format!("{text:?}: brackets are for an IPv6 address, alone in the field"))
                })?,
                None => text,
            };
            check_host(inner).map_err(|r| error(field, r))?;
            Ok(Some(inner.to_owned()))
        };
        let port_field = |field, text: &str| -> Result<Option<u16>, ConnectToError> {
            if text.is_empty() {
                return Ok(None);
            }
            match text.parse::<u16>() {
                Ok(p) if p > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(p)),
                _ => Err(error(field, format!("{text:?} is not a port number in 1..=65535"))),
            }
        };
        Ok(ConnectTo {
            host: host_field(ConnectToField::Host, host)?,
            port: port_field(ConnectToField::Port, port)?,
            connect_host: host_field(ConnectToField::ConnectHost, connect_host)?,
            connect_port: port_field(ConnectToField::ConnectPort, connect_port)?,
        })
    }
}

/// The resolver of [`HttpEs9Client`](super::HttpEs9Client): for a URL a rule applies to, resolves
/// the rule's target instead; otherwise the system resolver. ureq keeps using the URL for `Host`,
/// SNI and the certificate check (its TLS connector takes the server name from the URL).
#[derive(Debug)]
pub(crate) struct ConnectToResolver {
    rules: Vec<ConnectTo>,
    system: DefaultResolver,
}

impl ConnectToResolver {
    /// A resolver applying `rules` (first match wins).
    pub(crate) fn new(rules: Vec<ConnectTo>) -> Self {
        ConnectToResolver { rules, system: DefaultResolver::default() }
    }

    /// The rule for `uri` and where it connects, if one applies.
    pub(crate) fn target(&self, uri: &Uri) -> Option<(&ConnectTo, String, u16)> {
        let host = uri.host()?;
        let port = uri.port_u16().or_else(|| match uri.scheme_str() {
            Some("http") => Some(80),
            Some("https") => Some(443),
            _ => None,
        })?;
        self.rules.iter().find_map(|rule| rule.target(host, port).map(|(h, p)| (rule, h, p)))
    }
}

impl Resolver for ConnectToResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some((rule, host, port)) = self.target(uri) else {
            return self.system.resolve(uri, config, timeout);
        };
        let scheme = uri.scheme_str().unwrap_or("https");
        let authority =
            if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        let redirected: Uri = format!("{scheme}://{authority}/")
            .parse()
            .map_err(|e| ureq::Error::BadUri(format!("connect-to {rule}: {e}")))?;
        tracing::debug!(%uri, %rule, connect = %authority, "connect-to: connecting elsewhere");
        self.system.resolve(&redirected, config, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        for rule in [
            "smdp.example.com:443:127.0.0.1:8443",
            ":::",
            "a.example::b.example:",
            "[::1]:443:[fe80::1]:8443",
            "smdp_x.example:1:localhost:65535",
        ] {
            let parsed: ConnectTo = rule.parse().unwrap();
            assert_eq!(parsed.to_string(), rule);
        }
        let bad = |rule: &str| rule.parse::<ConnectTo>().unwrap_err().field;
        assert_eq!(bad("a.example=https://127.0.0.1"), ConnectToField::Rule);
        assert_eq!(bad("a:1:b"), ConnectToField::Rule);
        assert_eq!(bad("a:1:b:2:3"), ConnectToField::Rule);
        assert_eq!(bad("[::1:443:b:1"), ConnectToField::Rule);
        assert_eq!(bad("a b:1:c:2"), ConnectToField::Host);
        assert_eq!(bad("a:0:c:2"), ConnectToField::Port);
        assert_eq!(bad("a:x:c:2"), ConnectToField::Port);
        assert_eq!(bad("a:1:[c]:2"), ConnectToField::ConnectHost);
        assert_eq!(bad("a:1:c:65536"), ConnectToField::ConnectPort);
        assert_eq!(bad("a:1:c:+2"), ConnectToField::ConnectPort);
    }

    #[test]
    fn from_fields() {
        let rule = ConnectTo::new(Some("[::1]"), Some(443), Some("127.0.0.1"), None).unwrap();
        assert_eq!(rule.to_string(), "[::1]:443:127.0.0.1:");
        assert_eq!(rule.host(), Some("::1"));
        assert_eq!(rule, "[::1]:443:127.0.0.1:".parse().unwrap());
        assert_eq!(ConnectTo::new(None, Some(0), None, None).unwrap_err().field, ConnectToField::Port);
        assert_eq!(
            ConnectTo::new(None, None, Some("a/b"), None).unwrap_err().field,
            ConnectToField::ConnectHost
        );
    }

    #[test]
    fn matching() {
        let rule: ConnectTo = "SMDP.example.com:443:127.0.0.1:".parse().unwrap();
        assert_eq!(rule.target("smdp.EXAMPLE.com", 443), Some(("127.0.0.1".into(), 443)));
        assert_eq!(rule.target("smdp.example.com", 8443), None);
        assert!(rule.applies_to_address("smdp.example.com"));
        assert!(rule.applies_to_address("smdp.example.com:443"));
        assert!(!rule.applies_to_address("smdp.example.com:8443"));
        assert!(!rule.applies_to_address("other.example.com"));
        let any: ConnectTo = ":::9".parse().unwrap();
        assert_eq!(any.target("[::1]", 1), Some(("::1".into(), 9)));
    }

    #[test]
    fn resolver_targets() {
        let resolver = ConnectToResolver::new(vec![
            "a.example:443:127.0.0.1:8443".parse().unwrap(),
            "a.example::127.0.0.2:".parse().unwrap(),
        ]);
        let target = |url: &str| resolver.target(&url.parse().unwrap()).map(|(_, h, p)| (h, p));
        assert_eq!(target("https://a.example/x"), Some(("127.0.0.1".into(), 8443)));
        assert_eq!(target("https://A.EXAMPLE:9443/x"), Some(("127.0.0.2".into(), 9443)));
        assert_eq!(target("http://a.example/x"), Some(("127.0.0.2".into(), 80)));
        assert_eq!(target("https://b.example/x"), None);
    }
}
