//! `notification …`.

use std::path::PathBuf;

use clap::Subcommand;

use super::NetArgs;

/// `notification …`.
#[derive(Debug, Subcommand)]
pub(crate) enum NotificationCmd {
    /// The pending notifications.
    List,
    /// Send each pending notification; remove those the server acknowledged.
    Process {
        /// Keep them on the eUICC even when acknowledged.
        #[arg(long)]
        keep: bool,
        /// Network options.
        #[command(flatten)]
        net: NetArgs,
    },
    /// Remove one notification without sending it (after a `replay` elsewhere acknowledged it).
    Remove {
        /// Its sequence number.
        seq: u64,
    },
    /// Write every pending notification to FILE, byte-exact, to send from another machine with
    /// `notification replay`: JSON lines as lpac's `notification dump` (EID, sequence number,
    /// operation, address, ICCID, and the signed notification in base64). Nothing is removed.
    Dump {
        /// The dump file: written atomically, owner-only (0600); not replaced unless --force.
        file: PathBuf,
        /// Replace FILE when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Send the notifications of a dump file to their servers (ES9+ HandleNotification) from
    /// this machine, without any card; nothing is removed from the eUICC: remove each
    /// acknowledged one there with `notification remove SEQ`.
    Replay {
        /// The dump file (`notification dump`, or lpac's).
        file: PathBuf,
        /// Network options.
        #[command(flatten)]
        net: NetArgs,
    },
}
