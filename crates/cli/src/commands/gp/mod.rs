//! `gp …`: GlobalPlatform card management over SCP03 (GPC v2.3.1 §11, Amendment D) on a card
//! in a PC/SC reader or, by default, on the simulated GP card kept in the user's data directory
//! (`oxicard_sim::gp::GpCard`, created on first use with the GlobalPlatform test key, KVN `30`).

mod info;
mod keys;
mod manage;
mod session;

use crate::cli::{Global, GpArgs, GpCmd};
use crate::error::CliError;
use crate::output::Out;

/// Runs one `gp` command.
pub(crate) fn run(g: &Global, out: &Out, args: &GpArgs) -> Result<(), CliError> {
    match &args.command {
        GpCmd::Info => info::info(g, out, &args.auth),
        GpCmd::List => info::list(g, out, &args.auth),
        GpCmd::Install(install) => manage::install(g, out, &args.auth, install),
        GpCmd::Delete { aid, related } => manage::delete(g, out, &args.auth, aid, *related),
        GpCmd::Lock(lock) => manage::lock(g, out, &args.auth, lock, true),
        GpCmd::Unlock(lock) => manage::lock(g, out, &args.auth, lock, false),
        GpCmd::PutKey(put) => manage::put_key(g, out, &args.auth, put),
    }
}

/// Bytes as upper-case hex, as AIDs are written.
pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// A failed GP operation as the command's error (`gp_<operation>` as the JSON message), with
/// the status word and its meaning when the card refused a command ([`CliError::gp`]).
pub(crate) fn gp_error<E: std::error::Error + 'static>(function: &'static str) -> impl FnOnce(E) -> CliError {
    move |e| CliError::gp(function, crate::error::chain(&e), &e)
}
