//! The life of the test servers and the vpcd card: the address they serve under, and running
//! until the end of input.

use crate::error::CliError;

/// The address `listen` binds to (port 0 gives a free port): test servers serve under that
/// address, so it is also their SM-DP+ / SM-DS address.
pub(crate) fn bind_address(listen: &str) -> Result<String, CliError> {
    let probe = std::net::TcpListener::bind(listen)
        .map_err(|e| CliError::Sim(format!("cannot listen on {listen}: {e}")))?;
    let bound = probe.local_addr().map_err(|e| CliError::Sim(format!("listen: {e}")))?;
    Ok(bound.to_string())
}

/// Blocks until end of input (or Ctrl-C, which ends the process). What comes before is
/// dropped as it is read, through a fixed buffer: memory stays the same whatever stdin gives
/// (`< /dev/zero` keeps the server running, reading, without growing).
pub(crate) fn wait_for_eof() {
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
}
