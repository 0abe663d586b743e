//! `chip …`.

use clap::{Args, Subcommand};

/// `chip …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ChipCmd {
    /// EID, EUICCInfo2 and the configured addresses.
    Info,
    /// Set the default SM-DP+ address (ES10a.SetDefaultDpAddress).
    #[command(alias = "defaultsmdp")]
    DefaultDp {
        /// The SM-DP+ address (FQDN); "" clears it.
        address: String,
    },
    /// eUICCMemoryReset (SGP.22 §5.7.19).
    MemoryReset(MemoryResetArgs),
}

/// What `chip memory-reset` deletes.
#[derive(Debug, Args)]
pub(crate) struct MemoryResetArgs {
    /// Delete the operational profiles.
    #[arg(long)]
    pub(crate) operational: bool,
    /// Delete the field-loaded test profiles.
    #[arg(long)]
    pub(crate) test: bool,
    /// Reset the default SM-DP+ address.
    #[arg(long)]
    pub(crate) address: bool,
    /// All of the above.
    #[arg(long)]
    pub(crate) all: bool,
}
