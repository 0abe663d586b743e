//! `gp …`: the SCP03 keys and session options, and the GlobalPlatform commands.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

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
    /// Secure channel protocol: `02`, `03`, or `auto` (the one the card's Card Recognition Data
    /// lists, else the type of its keys, else SCP03). SCP02 takes 16-byte (3DES) keys.
    #[arg(long, global = true, value_name = "SCP", default_value = "auto", env = "OXICARD_GP_SCP")]
    pub(crate) scp: String,
    /// Security level: hex byte (01 C-MAC, 03 +C-DEC, 13 +R-MAC, 33 +R-ENC (SCP03), 11, 31) or
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
    /// Add or replace a key set (PUT KEY, GPC v2.3.1 §11.8): AES keys under the static DEK in
    /// SCP03, DES keys under the DEK session key in SCP02.
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
    /// Sign the load file for DAP verification (GPC v2.3.1 §9.2.1, Appendix C.3) with this
    /// private key (PEM: RSA PKCS#1/PKCS#8, or EC P-256 SEC 1/PKCS#8): a DAP Block for the
    /// security domain the load file goes to (the ISD), before the Load File Data Block.
    #[arg(long, value_name = "PEM")]
    pub(crate) dap_key: Option<PathBuf>,
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
