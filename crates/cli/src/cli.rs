//! The command line: global options and subcommands (clap derive).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// eSIM profiles on a software eUICC or a PC/SC reader.
///
/// Without `--reader`, commands talk to the software eUICC kept in the user's data directory
/// (created with a generated test identity on first use).
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

/// How to reach the ISD-R: basic channel or a logical one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ChannelKind {
    /// The basic channel 0.
    Basic,
    /// A logical channel opened with MANAGE CHANNEL (falls back to basic when refused).
    Logical,
}

/// Options of every command.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// PC/SC reader to use (see `oxicard readers`); without it, the software eUICC.
    #[arg(long, global = true, value_name = "NAME", env = "OXICARD_READER")]
    pub(crate) reader: Option<String>,
    /// Use the software eUICC with this state file (default: DATA_DIR/oxicard/euicc.json).
    #[arg(long, global = true, value_name = "STATE", num_args = 0..=1, require_equals = true)]
    pub(crate) sim: Option<Option<PathBuf>>,
    /// ISD-R AID in hex (default A0000005591010FFFFFFFF8900000100, SGP.22 §2.2.3).
    #[arg(long = "isd-r", global = true, value_name = "AID")]
    pub(crate) isd_r: Option<String>,
    /// Channel for the ISD-R.
    #[arg(long, global = true, value_enum, default_value_t = ChannelKind::Logical)]
    pub(crate) channel: ChannelKind,
    /// Same as `--channel basic`.
    #[arg(long, global = true)]
    pub(crate) no_logical_channel: bool,
    /// STORE DATA segment size in bytes, 1..=255 (default 255).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=255))]
    pub(crate) segment_size: Option<u16>,
    /// Trace APDUs to stderr (secrets redacted).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Machine output: lpac's JSON protocol, one object per line on stdout.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// PC/SC readers: name, card present, ATR.
    Readers,
    /// The eUICC: EID, EUICCInfo2, addresses, memory reset.
    #[command(subcommand)]
    Chip(ChipCmd),
    /// Profiles: list, enable, disable, delete, nickname, download, discover.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Pending notifications: list, process (send), remove.
    #[command(subcommand)]
    Notification(NotificationCmd),
    /// The software eUICC, the test SM-DP+ and the test SM-DS.
    #[command(subcommand)]
    Sim(SimCmd),
    /// The whole story in one command, in-process: software eUICC, test SM-DP+, download,
    /// enable, notifications, delete.
    Demo,
    /// Shell completions on stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

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
    Discover(crate::discover::DiscoverArgs),
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
    /// Matching ID (with --address).
    #[arg(long, short = 'm', requires = "address")]
    pub(crate) matching_id: Option<String>,
    /// Confirmation code.
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

/// How to reach SM-DP+ servers.
#[derive(Debug, Args, Default)]
pub(crate) struct NetArgs {
    /// Reach SM-DP+ ADDRESS at base URL URL instead (e.g. `smdp.example.com=https://127.0.0.1:8443`).
    #[arg(long = "connect-to", value_name = "ADDRESS=URL")]
    pub(crate) connect_to: Vec<String>,
    /// Extra CA certificate(s) to trust for TLS (PEM or DER file).
    #[arg(long = "ca", value_name = "FILE")]
    pub(crate) ca: Vec<PathBuf>,
}

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
    /// Remove one notification without sending it.
    Remove {
        /// Its sequence number.
        seq: u64,
    },
}

/// `sim …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SimCmd {
    /// Create the software eUICC: generated test identity, or imported certificates and key.
    Init(SimInitArgs),
    /// Insert the software eUICC in the vpcd virtual reader (pcscd + vsmartcard) until
    /// Ctrl-C or end of input.
    Serve {
        /// vpcd port.
        #[arg(long, default_value_t = 35963)]
        port: u16,
    },
    /// Run the test SM-DP+ (trusting the software eUICC's test PKI) until Ctrl-C or end of input.
    Smdp(SmdpArgs),
    /// Run a test SM-DS with events for the software eUICC until Ctrl-C or end of input.
    Smds(crate::discover::SmdsArgs),
}

/// `sim init`.
#[derive(Debug, Args)]
pub(crate) struct SimInitArgs {
    /// Replace an existing software eUICC (its profiles are lost).
    #[arg(long)]
    pub(crate) force: bool,
    /// CERT.EUICC.ECDSA (PEM or DER); with --key, --eum and --ci.
    #[arg(long, requires_all = ["key", "eum", "ci"])]
    pub(crate) cert: Option<PathBuf>,
    /// SK.EUICC.ECDSA (PKCS#8 or SEC1, PEM or DER).
    #[arg(long, requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// CERT.EUM.ECDSA.
    #[arg(long, requires = "cert")]
    pub(crate) eum: Option<PathBuf>,
    /// Trusted CI certificate(s).
    #[arg(long, requires = "cert")]
    pub(crate) ci: Vec<PathBuf>,
}

/// `sim smdp`.
#[derive(Debug, Args)]
pub(crate) struct SmdpArgs {
    /// Address to listen on; it is also the SM-DP+ address of the activation codes.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub(crate) listen: String,
    /// Directory of SAIP profile packages `MATCHING-ID.der` (besides the built test profiles
    /// `TEST` and `TEST-CC`, confirmation code 1234).
    #[arg(long)]
    pub(crate) profiles: Option<PathBuf>,
    /// Plain HTTP instead of HTTPS.
    #[arg(long)]
    pub(crate) http: bool,
}
