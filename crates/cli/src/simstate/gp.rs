//! The simulated GP card's state file: where it is (`--sim=STATE`, else the user's data
//! directory) and how a command opens it (locked, created on first use with the GlobalPlatform
//! test key).

use std::path::{Path, PathBuf};

use oxicard_gp::keys::TEST_KEY;
use oxicard_secure_channel::scp03::StaticKeys;
use oxicard_sim::gp::{DEFAULT_ISD_AID, GP_STATE_FORMAT, GpCard};

use super::lock::lock_state_of;
use crate::cli::Global;
use crate::error::CliError;

/// The key version of the simulated card's key set (Amendment D reserves `30`–`3F` for SCP03).
pub(crate) const SIM_KVN: u8 = 0x30;

/// `--sim=STATE`, else `<data dir>/oxicard/gp-card.json`.
pub(crate) fn state_path(global: &Global) -> Result<PathBuf, CliError> {
    match global.sim.as_ref().and_then(Option::as_ref) {
        Some(path) => Ok(path.clone()),
        None => dirs::data_dir()
            .map(|d| d.join("oxicard").join("gp-card.json"))
            .ok_or_else(|| CliError::Sim("no user data directory; pass --sim=STATE".into())),
    }
}

/// The simulated GP card kept at `path` (created with the GP test key set, KVN `30`), locked
/// for this command.
pub(crate) fn open_card(path: &Path) -> Result<GpCard, CliError> {
    let lock = lock_state_of(path, GP_STATE_FORMAT, "simulated GP card")?;
    let test_keys = StaticKeys::new(SIM_KVN, &TEST_KEY, &TEST_KEY, &TEST_KEY)
        .map_err(|e| CliError::Sim(format!("simulated GP card keys: {}", crate::error::chain(&e))))?;
    Ok(GpCard::open_locked(lock, || GpCard::new(&DEFAULT_ISD_AID, test_keys))?)
}
