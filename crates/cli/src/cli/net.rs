//! The network options of the commands that reach SM-DP+ and SM-DS servers.

use std::path::PathBuf;

use clap::Args;

/// How to reach SM-DP+ and SM-DS servers (ES9+, ES11): where to connect, whom to trust.
#[derive(Debug, Args, Default)]
pub(crate) struct NetArgs {
    /// As curl's --connect-to: a request for HOST:PORT connects to CONNECT-TO-HOST:CONNECT-TO-PORT
    /// instead, while the URL, Host, TLS SNI and the certificate check stay on the server's
    /// address (e.g. `smdp.example.com:443:127.0.0.1:8443`; an empty field matches any host or
    /// port, or keeps the request's; IPv6 in brackets). Repeatable; several rules in
    /// OXICARD_CONNECT_TO separated by ',' (empty items are no rule). The old form ADDRESS=URL (replace the URL, e.g. for a
    /// plain-HTTP test server on loopback) still works but is deprecated.
    #[arg(
        long = "connect-to",
        value_name = "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT",
        env = "OXICARD_CONNECT_TO",
        value_delimiter = ','
    )]
    pub(crate) connect_to: Vec<String>,
    /// Also trust the CA certificate(s) in FILE (PEM or DER), besides the embedded GSMA CI roots
    /// and the web roots. Repeatable; from OXICARD_CA when not on the command line: files
    /// separated by ':' (';' on Windows), as in PATH.
    #[arg(long = "ca", value_name = "FILE")]
    pub(crate) ca: Vec<PathBuf>,
    /// Also trust the public SGP.26 test CIs (test SM-DP+ servers such as osmo-smdpp); never
    /// for production servers.
    #[arg(long = "test-ci")]
    pub(crate) test_ci: bool,
}
