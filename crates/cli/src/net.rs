//! The ES9+ / ES11 HTTPS client of the commands that reach servers.

use oxicard_euicc::es9::HttpEs9Client;

use crate::cli::NetArgs;
use crate::error::CliError;
use crate::input::{MAX_CA_FILE_LEN, read_input};

/// The ES9+ client: web roots plus `--ca` files, `--connect-to` overrides.
pub(crate) fn es9_client(net: &NetArgs) -> Result<HttpEs9Client, CliError> {
    let mut builder = HttpEs9Client::builder();
    for path in &net.ca {
        let bytes = read_input("--ca", path, MAX_CA_FILE_LEN)?;
        builder = if bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            builder.add_ca_pem(&bytes)?
        } else {
            builder.add_ca_der(&bytes)?
        };
    }
    for item in &net.connect_to {
        let (address, url) = item
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--connect-to {item:?}: expected ADDRESS=URL")))?;
        builder = builder.override_address(address, url)?;
    }
    Ok(builder.build()?)
}
