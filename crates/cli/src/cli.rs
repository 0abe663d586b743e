//! The command line: global options and subcommands (clap derive).

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

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
    /// PC/SC reader to use (see `oxicard readers`); without it, the software eUICC (for `gp`,
    /// the simulated GP card).
    #[arg(long, global = true, value_name = "NAME", env = "OXICARD_READER")]
    pub(crate) reader: Option<String>,
    /// Use the software card with this state file: the software eUICC (default
    /// DATA_DIR/oxicard/euicc.json), for `gp` the simulated GP card (DATA_DIR/oxicard/gp-card.json).
    /// From OXICARD_SIM when not on the command line (a file name; it counts as `--sim`, so it
    /// cannot be combined with a reader).
    #[arg(
        long,
        global = true,
        value_name = "STATE",
        num_args = 0..=1,
        require_equals = true,
        env = "OXICARD_SIM",
        value_parser = state_file
    )]
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
    /// STORE DATA segment size in bytes, 8..=255 (default 255). An ES10 request travels in at
    /// most 256 STORE DATA blocks (P2 numbers them in one byte, GPC v2.3.1 §11.11), and the
    /// largest request of a download (AuthenticateServer with the SM-DP+ certificate) takes
    /// up to about 2 KiB: blocks under 8 bytes cannot carry it.
    #[arg(
        long,
        global = true,
        value_name = "N",
        value_parser = clap::value_parser!(u16).try_map(segment_size)
    )]
    pub(crate) segment_size: Option<u16>,
    /// Trace APDUs to stderr (secrets redacted).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Machine output: lpac's JSON protocol, one object per line on stdout.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// `--sim=STATE` / `OXICARD_SIM`: a file name, not empty (an empty OXICARD_SIM would otherwise
/// name no file at all).
fn state_file(value: &str) -> Result<PathBuf, String> {
    if value.is_empty() {
        return Err("the state file name is empty (give a file, or `--sim` alone for the default)".into());
    }
    Ok(PathBuf::from(value))
}

/// How many STORE DATA blocks one ES10 request may take: P2 numbers them from `00` to `FF`
/// (GPC v2.3.1 §11.11).
const STORE_DATA_BLOCKS: u16 = 256;

/// The largest ES10 request a download sends, in bytes: AuthenticateServer (SGP.22 §5.7.13),
/// about 840 bytes of fields the LPA bounds or SGP.22 sizes (serverSigned1 with an SM-DP+
/// address of at most 259 characters, serverSignature1, euiccCiPKIdToBeUsed, ctxParams1 with a
/// MatchingID of at most 255 characters and DeviceInfo) plus CERT.DPauth, which SGP.22 does not
/// size but which is under 1 KiB (the test SM-DP+'s is 500 bytes: its AuthenticateServer is
/// 687). PrepareDownload is smaller (CERT.DPpb, no ctxParams1), and so is every Bound Profile
/// Package segment: at most 1020 bytes (SGP.22 v3.0 §2.5.3; 1036 as pySim's encoder makes
/// them) plus a 4-byte container header.
const LARGEST_DOWNLOAD_REQUEST: u16 = 2048;

/// The smallest `--segment-size` a download works with: the largest request in at most
/// [`STORE_DATA_BLOCKS`] blocks, 8 bytes.
pub(crate) const MIN_SEGMENT_SIZE: u16 = LARGEST_DOWNLOAD_REQUEST.div_ceil(STORE_DATA_BLOCKS);

/// `--segment-size`: [`MIN_SEGMENT_SIZE`] to 255 (a short APDU's data), saying why.
fn segment_size(size: u16) -> Result<u16, String> {
    match size {
        _ if size < MIN_SEGMENT_SIZE => Err(format!(
            "{size} is below {MIN_SEGMENT_SIZE}: a download's largest ES10 request (up to \
             {LARGEST_DOWNLOAD_REQUEST} bytes) must fit in {STORE_DATA_BLOCKS} STORE DATA blocks"
        )),
        256.. => Err(format!("{size} is above 255, the most data of a short APDU")),
        _ => Ok(size),
    }
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
    /// GlobalPlatform card management over SCP03: info, list, install, delete, lock, keys.
    Gp(GpArgs),
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

/// `gp …`: the card and how to authenticate to its issuer security domain.
#[derive(Debug, Args)]
pub(crate) struct GpArgs {
    /// Keys and security level.
    #[command(flatten)]
    pub(crate) auth: GpAuth,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: GpCmd,
}

/// The SCP03 key set and session options of the `gp` commands. Key values are never
/// printed: not in errors, not in `--help` (environment values are hidden), not in traces.
/// Every option whose environment value is hidden is a secret: given on the command line, it is
/// visible to other local users and `main` warns about it.
#[derive(Debug, Args, Default)]
pub(crate) struct GpAuth {
    /// One AES key (hex, 16/24/32 bytes) for ENC, MAC and DEK (default: the GlobalPlatform
    /// test key 404142…4F). On the command line it is visible to other local users (ps,
    /// /proc): prefer OXICARD_GP_KEY or --key-file.
    #[arg(long, global = true, value_name = "HEX", env = "OXICARD_GP_KEY", hide_env_values = true)]
    pub(crate) key: Option<String>,
    /// Key-ENC (hex), overrides --key. Visible to other local users on the command line:
    /// prefer OXICARD_GP_KEY_ENC or --key-file.
    #[arg(long, global = true, value_name = "HEX", env = "OXICARD_GP_KEY_ENC", hide_env_values = true)]
    pub(crate) key_enc: Option<String>,
    /// Key-MAC (hex), overrides --key. Visible to other local users on the command line:
    /// prefer OXICARD_GP_KEY_MAC or --key-file.
    #[arg(long, global = true, value_name = "HEX", env = "OXICARD_GP_KEY_MAC", hide_env_values = true)]
    pub(crate) key_mac: Option<String>,
    /// Key-DEK (hex), overrides --key. Visible to other local users on the command line:
    /// prefer OXICARD_GP_KEY_DEK or --key-file.
    #[arg(long, global = true, value_name = "HEX", env = "OXICARD_GP_KEY_DEK", hide_env_values = true)]
    pub(crate) key_dek: Option<String>,
    /// Key file: lines `key=HEX`, `enc=HEX`, `mac=HEX`, `dek=HEX`, `kvn=HEX`, `#` comments;
    /// options and environment variables take precedence.
    #[arg(long, global = true, value_name = "FILE", env = "OXICARD_GP_KEY_FILE")]
    pub(crate) key_file: Option<PathBuf>,
    /// Key version number in hex (default 00: the card's default key set).
    #[arg(long, global = true, value_name = "HEX", env = "OXICARD_GP_KVN")]
    pub(crate) kvn: Option<String>,
    /// The keys are a master key: diversify them per card with the key diversification
    /// data of INITIALIZE UPDATE (Amendment D §7.1.1.6).
    #[arg(long, global = true, value_enum, value_name = "SCHEME", env = "OXICARD_GP_KDF")]
    pub(crate) kdf: Option<KdfScheme>,
    /// SCP03 security level: hex byte (01 C-MAC, 03 +C-DEC, 13 +R-MAC, 33 +R-ENC, 11, 31) or
    /// `auto` (the highest the card's "i" parameter allows).
    #[arg(long, global = true, value_name = "LEVEL", default_value = "auto")]
    pub(crate) level: String,
    /// ISD AID in hex (default: the first known ISD AID the card selects).
    #[arg(long, global = true, value_name = "AID")]
    pub(crate) isd: Option<String>,
}

/// A key diversification scheme (GlobalPlatformPro's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum KdfScheme {
    /// EMV CPS 1.1 §5.4.2.2 (AES-128 master keys).
    Emv,
    /// VISA2 (AES-128 master keys).
    Visa2,
    /// KDF3: the SCP03 KDF over the KDD (any AES key length).
    Kdf3,
}

/// `gp …`.
#[derive(Debug, Subcommand)]
pub(crate) enum GpCmd {
    /// ISD, CPLC, Card Recognition Data, key information (no authentication needed).
    Info,
    /// The registry: ISD, applications and security domains, load files and their modules.
    List,
    /// Load a CAP file and install its applets (INSTALL [for load], LOAD, INSTALL [for install
    /// and make selectable]).
    Install(GpInstallArgs),
    /// Delete an application, a load file or a security domain (DELETE).
    Delete {
        /// The AID (hex).
        aid: String,
        /// Also delete what depends on it (a load file's applications): DELETE P2 `80`.
        #[arg(long)]
        related: bool,
    },
    /// Lock an application (SET STATUS, GPC v2.3.1 §11.10), or the card with --card.
    Lock(GpLockArgs),
    /// Unlock an application, or the card with --card.
    Unlock(GpLockArgs),
    /// Add or replace an AES key set (PUT KEY, GPC v2.3.1 §11.8; keys encrypted under the DEK).
    PutKey(GpPutKeyArgs),
}

/// `gp install`.
#[derive(Debug, Args)]
pub(crate) struct GpInstallArgs {
    /// The CAP file.
    pub(crate) cap: PathBuf,
    /// Install parameters for the applet (hex value of `C9`).
    #[arg(long, value_name = "HEX")]
    pub(crate) params: Option<String>,
    /// Install only this applet of the CAP (default: every applet).
    #[arg(long, value_name = "AID")]
    pub(crate) applet: Option<String>,
    /// Instance AID (default: the applet AID); needs a single applet.
    #[arg(long, value_name = "AID")]
    pub(crate) instance: Option<String>,
    /// Privileges, hex (1 or 3 bytes, GPC v2.3.1 §11.1.2), default none.
    #[arg(long, value_name = "HEX")]
    pub(crate) privileges: Option<String>,
    /// Delete the package (and its applications) first when it is on the card.
    #[arg(long)]
    pub(crate) replace: bool,
    /// The Load File Data Block hash in INSTALL [for load] (GPC v2.3.1 §11.5.2.3).
    #[arg(long, value_enum, default_value_t = LoadHash::Sha256)]
    pub(crate) hash: LoadHash,
    /// Load only, install nothing.
    #[arg(long, conflicts_with_all = ["applet", "instance", "params", "privileges"])]
    pub(crate) load_only: bool,
}

/// The hash of the Load File Data Block sent with INSTALL [for load].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LoadHash {
    /// SHA-256 (GP 2.3 cards).
    Sha256,
    /// SHA-1 (older cards).
    Sha1,
    /// No hash.
    None,
}

/// `gp lock | unlock`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct GpLockArgs {
    /// The application's AID (hex).
    pub(crate) aid: Option<String>,
    /// The card itself (card life cycle CARD_LOCKED / back to SECURED).
    #[arg(long)]
    pub(crate) card: bool,
}

/// `gp put-key`.
#[derive(Debug, Args)]
pub(crate) struct GpPutKeyArgs {
    /// The new key version number (hex, 01..7F).
    #[arg(long, value_name = "HEX")]
    pub(crate) new_kvn: String,
    /// One new AES key (hex) for ENC, MAC and DEK. On the command line it is visible to other
    /// local users (ps, /proc): prefer OXICARD_GP_NEW_KEY.
    #[arg(long, value_name = "HEX", env = "OXICARD_GP_NEW_KEY", hide_env_values = true)]
    pub(crate) new_key: Option<String>,
    /// New Key-ENC (hex), overrides --new-key. Visible to other local users on the command
    /// line: prefer OXICARD_GP_NEW_KEY_ENC.
    #[arg(long, value_name = "HEX", env = "OXICARD_GP_NEW_KEY_ENC", hide_env_values = true)]
    pub(crate) new_enc: Option<String>,
    /// New Key-MAC (hex), overrides --new-key. Visible to other local users on the command
    /// line: prefer OXICARD_GP_NEW_KEY_MAC.
    #[arg(long, value_name = "HEX", env = "OXICARD_GP_NEW_KEY_MAC", hide_env_values = true)]
    pub(crate) new_mac: Option<String>,
    /// New Key-DEK (hex), overrides --new-key. Visible to other local users on the command
    /// line: prefer OXICARD_GP_NEW_KEY_DEK.
    #[arg(long, value_name = "HEX", env = "OXICARD_GP_NEW_KEY_DEK", hide_env_values = true)]
    pub(crate) new_dek: Option<String>,
    /// Replace the key set of this version (hex) instead of adding one.
    #[arg(long, value_name = "HEX")]
    pub(crate) replace: Option<String>,
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
        /// Serve the simulated GlobalPlatform card (the `gp` commands' default card) instead.
        #[arg(long)]
        gp: bool,
    },
    /// Run the test SM-DP+ (trusting the software eUICC's test PKI) until Ctrl-C or end of input.
    Smdp(SmdpArgs),
    /// Run a test SM-DS with events for the software eUICC until Ctrl-C or end of input.
    Smds(crate::discover::SmdsArgs),
    /// The SAIP profile package the software eUICC kept for an installed profile: ICCID, IMSI,
    /// profile type, SAIP version and its profile elements.
    Show {
        /// The profile's ICCID.
        iccid: String,
    },
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
