//! The ES9+ / ES11 HTTPS client of the commands that reach servers: trust (embedded GSMA CI
//! roots, web roots, `--ca` / `OXICARD_CA`, `--test-ci`) and `--connect-to` /
//! `OXICARD_CONNECT_TO` (curl's semantics; the old `ADDRESS=URL` form as a deprecated alias).

use std::path::PathBuf;

use oxicard_euicc::es9::{ConnectTo, ConnectToField, HttpEs9Client};

use crate::cli::NetArgs;
use crate::error::CliError;
use crate::input::{MAX_CA_FILE_LEN, read_input};
use crate::output::printable;

/// The environment variable of `--ca`: files separated as in PATH (`:`, `;` on Windows).
const CA_ENV: &str = "OXICARD_CA";

/// One `--connect-to` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectRule {
    /// curl's `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`: only the TCP connection moves.
    ConnectTo(ConnectTo),
    /// The deprecated `ADDRESS=URL`: requests for ADDRESS go to the base URL URL (the URL is
    /// replaced, so the certificate is checked against URL's host).
    BaseUrl {
        /// The server address the rule is for.
        address: String,
        /// The base URL.
        url: String,
    },
}

impl ConnectRule {
    /// Whether the rule applies to requests for the RSP server `address` (`host[:port]`).
    pub(crate) fn applies_to(&self, address: &str) -> bool {
        match self {
            ConnectRule::ConnectTo(rule) => rule.applies_to_address(address),
            ConnectRule::BaseUrl { address: a, .. } => a.eq_ignore_ascii_case(address),
        }
    }
}

/// Parses one `--connect-to` value; the error names the option, the value and the field.
pub(crate) fn parse_connect_to(item: &str) -> Result<ConnectRule, CliError> {
    if let Some((address, url)) = item.split_once('=')
        && url.contains("://")
    {
        return Ok(ConnectRule::BaseUrl { address: address.to_owned(), url: url.to_owned() });
    }
    item.parse::<ConnectTo>().map(ConnectRule::ConnectTo).map_err(|e| {
        let problem = match e.field {
            ConnectToField::Rule => e.reason,
            field => format!("{field}: {}", e.reason),
        };
        CliError::Usage(format!(
            "--connect-to {item:?}: {problem} (expected {}, as curl's)",
            ConnectToField::Rule
        ))
    })
}

/// The `--ca` files and the option or variable they came from: the command line's, else
/// `OXICARD_CA`'s (empty entries skipped).
fn ca_files(net: &NetArgs) -> (&'static str, Vec<PathBuf>) {
    if !net.ca.is_empty() {
        return ("--ca", net.ca.clone());
    }
    match std::env::var_os(CA_ENV) {
        Some(list) => (CA_ENV, std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()).collect()),
        None => ("--ca", Vec::new()),
    }
}

/// The ES9+ client: GSMA CI and web roots, `--ca` files (or `OXICARD_CA`), the SGP.26 test
/// CIs with `--test-ci`, `--connect-to` rules (or `OXICARD_CONNECT_TO`).
pub(crate) fn es9_client(net: &NetArgs) -> Result<HttpEs9Client, CliError> {
    let mut builder = HttpEs9Client::builder().test_ci(net.test_ci);
    let (option, files) = ca_files(net);
    for path in files {
        let bytes = read_input(option, &path, MAX_CA_FILE_LEN)?;
        let pem = bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ");
        let added = if pem { builder.add_ca_pem(&bytes) } else { builder.add_ca_der(&bytes) };
        builder = added.map_err(|e| {
            CliError::Usage(format!("{option} {}: {}", path.display(), crate::error::chain(&e)))
        })?;
    }
    // Empty items are no rule: an empty OXICARD_CONNECT_TO, a trailing ','.
    for item in net.connect_to.iter().filter(|item| !item.is_empty()) {
        builder = match parse_connect_to(item)? {
            ConnectRule::ConnectTo(rule) => builder.connect_to(rule),
            ConnectRule::BaseUrl { address, url } => {
                eprintln!(
                    "oxicard: warning: {}",
                    printable(&format!(
                        "--connect-to {item:?}: the ADDRESS=URL form is deprecated: it replaces the URL, so the \
                         certificate is checked against the URL's host instead of {address:?}; use \
                         HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT (curl's --connect-to), which keeps the \
                         server's name for TLS"
                    ))
                );
                builder
                    .override_address(&address, &url)
                    .map_err(|e| CliError::Usage(format!("--connect-to {item:?}: {e}")))?
            }
        };
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_parse() {
        let curl = parse_connect_to("smdp.example.com:443:127.0.0.1:8443").unwrap();
        assert!(curl.applies_to("smdp.example.com"));
        assert!(curl.applies_to("SMDP.example.com:443"));
        assert!(!curl.applies_to("smdp.example.com:8443"));
        let legacy = parse_connect_to("smdp.example.com=https://127.0.0.1:8443").unwrap();
        assert_eq!(
            legacy,
            ConnectRule::BaseUrl { address: "smdp.example.com".into(), url: "https://127.0.0.1:8443".into() }
        );
        assert!(legacy.applies_to("smdp.example.com"));
        let error = parse_connect_to("smdp.example.com:443:127.0.0.1").unwrap_err().to_string();
        assert!(error.starts_with("--connect-to \"smdp.example.com:443:127.0.0.1\": "), "{error}");
        let error = parse_connect_to("a.example:443:127.0.0.1:http").unwrap_err().to_string();
        assert!(error.contains("CONNECT-TO-PORT: \"http\" is not a port number"), "{error}");
    }
}
