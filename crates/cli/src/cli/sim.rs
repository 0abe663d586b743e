//! `sim …`: the software eUICC, the simulated GP card in the vpcd reader, the test servers.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
    /// Serve a simulated modem on a pseudo-terminal until Ctrl-C or end of input: `--at`,
    /// `--qmi` or `--mbim` (alone) picks its protocol; the eUICC behind it is the software
    /// eUICC (`--sim`), the simulated GP card (`--gp`) or the card in `--reader NAME`. Prints
    /// the device path to give to `oxicard --at|--qmi|--mbim DEVICE` (or to lpac, ModemManager…).
    Modem(SimModemArgs),
    /// Run the test SM-DP+ (trusting the software eUICC's test PKI) until Ctrl-C or end of input.
    Smdp(SmdpArgs),
    /// Run a test SM-DS with events for the software eUICC until Ctrl-C or end of input.
    Smds(SmdsArgs),
    /// The SAIP profile package the software eUICC kept for an installed profile: ICCID, IMSI,
    /// profile type, SAIP version and its profile elements.
    Show {
        /// The profile's ICCID.
        iccid: String,
    },
}

/// `sim modem`.
#[derive(Debug, Args)]
pub(crate) struct SimModemArgs {
    /// Put the simulated GlobalPlatform card (the `gp` commands' default card) behind the modem.
    #[arg(long)]
    pub(crate) gp: bool,
    /// A quirk of real modems to show, by name (repeatable; `--quirk list` lists them).
    #[arg(long = "quirk", value_name = "NAME")]
    pub(crate) quirks: Vec<String>,
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

/// `sim smds`.
#[derive(Debug, Args)]
pub(crate) struct SmdsArgs {
    /// Address to listen on; it is also the SM-DS address to discover from.
    #[arg(long, default_value = "127.0.0.1:8444")]
    pub(crate) listen: String,
    /// An event for the software eUICC's EID: the SM-DP+ address and the EventID (repeatable).
    #[arg(long = "event", value_name = "ADDRESS=EVENTID")]
    pub(crate) events: Vec<String>,
    /// Plain HTTP instead of HTTPS.
    #[arg(long)]
    pub(crate) http: bool,
}
