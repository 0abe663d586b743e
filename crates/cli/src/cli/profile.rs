//! `profile …`, with the options of `profile download` and `profile discover`.

use clap::{Args, Subcommand};

use super::NetArgs;

/// `profile …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProfileCmd {
    /// The installed profiles.
    List,
    /// Enable a profile (by ICCID or ISD-P AID).
    Enable {
        /// ICCID (digits) or ISD-P AID (hex).
        profile: String,
        /// Ask the eUICC for a REFRESH.
        #[arg(long)]
        refresh: bool,
    },
    /// Disable a profile (by ICCID or ISD-P AID).
    Disable {
        /// ICCID (digits) or ISD-P AID (hex).
        profile: String,
        /// Ask the eUICC for a REFRESH.
        #[arg(long)]
        refresh: bool,
    },
    /// Delete a disabled profile (by ICCID or ISD-P AID).
    Delete {
        /// ICCID (digits) or ISD-P AID (hex).
        profile: String,
    },
    /// Set a profile's nickname.
    Nickname {
        /// The profile's ICCID.
        iccid: String,
        /// The nickname (at most 64 bytes; "" clears it).
        name: String,
    },
    /// Download and install a profile from an SM-DP+.
    Download(DownloadArgs),
    /// Pending profile events on an SM-DS (lpac's `profile discovery`).
    #[command(alias = "discovery")]
    Discover(DiscoverArgs),
}

/// `profile download`.
#[derive(Debug, Args)]
pub(crate) struct DownloadArgs {
    /// Activation code or QR string: `LPA:1$smdp.example.com$MATCHING-ID`.
    pub(crate) code: Option<String>,
    /// The activation code as an option (lpac's `-a`).
    #[arg(long = "activation-code", short = 'a', value_name = "CODE", conflicts_with_all = ["code", "address"])]
    pub(crate) activation_code: Option<String>,
    /// SM-DP+ address (instead of an activation code).
    #[arg(long, short = 's', conflicts_with = "code")]
    pub(crate) address: Option<String>,
    /// Matching ID (with --address), taken as the server issued it: characters outside SGP.22
    /// §4.1.1's 0-9 A-Z a-z '-' (servers use '_' and '.') are sent as given, with a warning; at
    /// most 255 bytes, no control character, no '$'.
    #[arg(long, short = 'm', requires = "address")]
    pub(crate) matching_id: Option<String>,
    /// Confirmation code. On the command line it is visible to other local users (ps,
    /// /proc): prefer OXICARD_CONFIRMATION_CODE or the prompt.
    #[arg(long, short = 'c', env = "OXICARD_CONFIRMATION_CODE", hide_env_values = true)]
    pub(crate) confirmation_code: Option<String>,
    /// The device's IMEI (sent in DeviceInfo); default: TAC 35290611 only.
    #[arg(long, short = 'i')]
    pub(crate) imei: Option<String>,
    /// Accept the offered profile without asking.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Network options.
    #[command(flatten)]
    pub(crate) net: NetArgs,
}

/// `profile discover`.
#[derive(Debug, Args)]
pub(crate) struct DiscoverArgs {
    /// SM-DS address (FQDN); default: the eUICC's root SM-DS (ES10a.GetEuiccConfiguredAddresses
    /// `rootDsAddress`).
    #[arg(long, short = 's', value_name = "ADDRESS")]
    pub(crate) smds: Option<String>,
    /// The device's IMEI (sent in DeviceInfo); default: TAC 35290611 only.
    #[arg(long, short = 'i')]
    pub(crate) imei: Option<String>,
    /// Network options.
    #[command(flatten)]
    pub(crate) net: NetArgs,
}
