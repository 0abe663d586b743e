//! The options of every command: the card (`--reader`, `--at` / `--qmi` / `--mbim`, `--sim`), the ISD-R's channel and
//! STORE DATA segments, tracing, JSON output.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{ArgAction, Args, ValueEnum};
use oxicard_transport::modem::ModemProtocol;

/// How to reach the ISD-R: basic channel or a logical one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ChannelKind {
    /// The basic channel 0.
    Basic,
    /// A logical channel opened with MANAGE CHANNEL (falls back to basic when refused).
    Logical,
}

/// `--modem-proxy`: whether QMI and MBIM modems go through ModemManager's proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModemProxy {
    /// Through qmi-proxy / mbim-proxy when one listens, else the device itself.
    Auto,
    /// The device itself, never the proxy.
    Never,
    /// Through the proxy only: none listening is an error.
    Only,
}

/// Options of every command.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// PC/SC reader to use (see `oxicard readers`); without it, the software eUICC (for `gp`,
    /// the simulated GP card).
    #[arg(long, global = true, value_name = "NAME", env = "OXICARD_READER")]
    pub(crate) reader: Option<String>,
    /// Modem whose eUICC to use, through AT commands on this serial port (e.g. /dev/ttyUSB2,
    /// /dev/wwan0at0; see `oxicard devices`). For `sim modem`, alone: serve an AT modem.
    #[arg(long, global = true, value_name = "DEVICE", num_args = 0..=1, env = "OXICARD_AT", value_parser = device_path)]
    pub(crate) at: Option<Option<PathBuf>>,
    /// Modem whose eUICC to use, through QMI on this device (e.g. /dev/cdc-wdm0). For `sim
    /// modem`, alone: serve a QMI modem.
    #[arg(long, global = true, value_name = "DEVICE", num_args = 0..=1, env = "OXICARD_QMI", value_parser = device_path)]
    pub(crate) qmi: Option<Option<PathBuf>>,
    /// Modem whose eUICC to use, through MBIM on this device (e.g. /dev/cdc-wdm0). For `sim
    /// modem`, alone: serve an MBIM modem.
    #[arg(long, global = true, value_name = "DEVICE", num_args = 0..=1, env = "OXICARD_MBIM", value_parser = device_path)]
    pub(crate) mbim: Option<Option<PathBuf>>,
    /// The modem's SIM slot, from 1 (QMI, MBIM; default: the active one).
    #[arg(long, global = true, value_name = "N", env = "OXICARD_SLOT", value_parser = clap::value_parser!(u8).range(1..))]
    pub(crate) slot: Option<u8>,
    /// Baud rate of the AT modem's serial port (default 115200).
    #[arg(long, global = true, value_name = "BAUD", env = "OXICARD_BAUD")]
    pub(crate) baud: Option<u32>,
    /// Whether a QMI or MBIM modem is reached through ModemManager's qmi-proxy / mbim-proxy
    /// (default auto: when one listens, as libqmi and libmbim clients do while ModemManager
    /// holds the device).
    #[arg(long, global = true, value_name = "WHEN", value_enum, env = "OXICARD_MODEM_PROXY")]
    pub(crate) modem_proxy: Option<ModemProxy>,
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
    /// Send each ES10 request (each Bound Profile Package segment) in one extended-length STORE
    /// DATA and ask for its whole answer (ISO/IEC 7816-4 §5.1), on a card whose ATR announces
    /// extended length; a card that refuses it (`6700`, `6A80`, `6F00`) gets short APDUs for
    /// the rest of the command. Off by default: GlobalPlatform commands, STORE DATA included, use
    /// short lengths (GPC v2.3.1 §11.1.5) and SGP.22 asks no eUICC for extended APDUs.
    #[arg(long, global = true, env = "OXICARD_EXTENDED")]
    pub(crate) extended: bool,
    /// The simulated cards (the software eUICC, the simulated GP card, in process or served by
    /// `sim serve`) take this long to answer each command (`20ms`, `1s`; default `0`), as cards
    /// do on hardware (10–80 ms per APDU): the wall time of a command is then a real card's.
    #[arg(long, global = true, value_name = "TIME", default_value = "0", value_parser = latency, env = "OXICARD_LATENCY")]
    pub(crate) latency: std::time::Duration,
    /// Trace APDUs to stderr (secrets redacted).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Machine output: lpac's JSON protocol, one object per line on stdout.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

impl Global {
    /// `--at`, `--qmi` and `--mbim` with their protocols: `None` not given, `Some(None)` given
    /// without a device, `Some(Some(device))`.
    pub(crate) fn modems(&self) -> [(ModemProtocol, Option<Option<&std::path::Path>>); 3] {
        fn device(option: &Option<Option<PathBuf>>) -> Option<Option<&std::path::Path>> {
            option.as_ref().map(Option::as_deref)
        }
        [
            (ModemProtocol::At, device(&self.at)),
            (ModemProtocol::Qmi, device(&self.qmi)),
            (ModemProtocol::Mbim, device(&self.mbim)),
        ]
    }
}

/// `--sim=STATE` / `OXICARD_SIM`: a file name, not empty (an empty OXICARD_SIM would otherwise
/// name no file at all).
fn state_file(value: &str) -> Result<PathBuf, String> {
    if value.is_empty() {
        return Err("the state file name is empty (give a file, or `--sim` alone for the default)".into());
    }
    Ok(PathBuf::from(value))
}

/// `--at` / `--qmi` / `--mbim DEVICE` and their environment variables: a path, not empty.
fn device_path(value: &str) -> Result<PathBuf, String> {
    if value.is_empty() {
        return Err("the device name is empty (`oxicard devices` lists the candidates)".into());
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
const MIN_SEGMENT_SIZE: u16 = LARGEST_DOWNLOAD_REQUEST.div_ceil(STORE_DATA_BLOCKS);

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

/// A per-APDU latency: a whole number of milliseconds (`20ms`, or `20`) or seconds (`1s`), at
/// most 10 s.
fn latency(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (digits, unit) = match (text.strip_suffix("ms"), text.strip_suffix('s')) {
        (Some(millis), _) => (millis, 1),
        (None, Some(seconds)) => (seconds, 1000),
        (None, None) => (text, 1),
    };
    let value: u64 = digits.trim().parse().map_err(|_| format!("{text:?} is not a time like 20ms or 1s"))?;
    let millis = value.saturating_mul(unit);
    if millis > 10_000 {
        return Err(format!("{text} is longer than 10 s"));
    }
    Ok(std::time::Duration::from_millis(millis))
}
