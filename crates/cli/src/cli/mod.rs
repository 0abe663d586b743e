//! The command line: global options and subcommands (clap derive), one module per command
//! group; the argument types are re-exported here.

mod chip;
mod global;
mod gp;
mod net;
mod notification;
mod profile;
mod sim;

use clap::{Parser, Subcommand};

pub(crate) use chip::{ChipCmd, MemoryResetArgs};
pub(crate) use global::{ChannelKind, Global, ModemProxy};
pub(crate) use gp::{GpArgs, GpAuth, GpCmd, GpInstallArgs, GpLockArgs, GpPutKeyArgs, KdfScheme, LoadHash};
pub(crate) use net::NetArgs;
pub(crate) use notification::NotificationCmd;
pub(crate) use profile::{DiscoverArgs, DownloadArgs, ProfileCmd};
pub(crate) use sim::{SimCmd, SimInitArgs, SimModemArgs, SmdpArgs, SmdsArgs};

/// eSIM profiles and GlobalPlatform cards, on a PC/SC reader or on software cards.
///
/// Without `--reader`, commands talk to the software eUICC kept in the user's data directory
/// (created with a generated test identity on first use), and the `gp` commands to a simulated
/// GlobalPlatform card kept there too.
#[derive(Debug, Parser)]
#[command(name = "oxicard", version, propagate_version = true)]
pub(crate) struct Cli {
    /// Options of every command.
    #[command(flatten)]
    pub(crate) global: Global,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// PC/SC readers: name, card present, ATR.
    Readers,
    /// Modem devices: serial ports for `--at`, cdc-wdm and WWAN ports for `--qmi` / `--mbim`,
    /// with the protocol and kernel driver when known.
    Devices,
    /// The eUICC: EID, EUICCInfo2, addresses, memory reset.
    #[command(subcommand)]
    Chip(ChipCmd),
    /// Profiles: list, enable, disable, delete, nickname, download, discover.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Pending notifications: list, process (send), remove.
    #[command(subcommand)]
    Notification(NotificationCmd),
    /// GlobalPlatform card management over SCP03: info, list, install, delete, lock, keys.
    Gp(GpArgs),
    /// The software eUICC, the test SM-DP+ and the test SM-DS.
    #[command(subcommand)]
    Sim(SimCmd),
    /// The whole story in one command, in-process: software eUICC, test SM-DP+, download,
    /// enable, notifications, delete.
    Demo,
    /// lpac's command line, environment and JSON output, byte for byte (the same as running
    /// oxicard under the name `lpac`): `oxicard lpac chip info`, `oxicard lpac profile list`…
    Lpac {
        /// lpac's arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
        args: Vec<std::ffi::OsString>,
    },
    /// Shell completions on stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}
