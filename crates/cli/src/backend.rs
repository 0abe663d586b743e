//! Opening the card: the software eUICC (see [`crate::simstate`]), the simulated GP card (see
//! [`crate::simstate::gp`]) or the card in a PC/SC reader; the ISD-R options.
//!
//! The right card, and only it:
//!
//! - `--reader NAME` (or `OXICARD_READER`) picks the reader named exactly `NAME`, else the one
//!   reader whose name contains `NAME`; several matches are an error listing them. A blank name
//!   and a reader together with `--sim` are usage errors.
//! - A command's work on a reader's card runs in one PC/SC transaction
//!   (`SCardBeginTransaction` … `SCardEndTransaction`, PC/SC Part 5), so that no other
//!   application's commands or resets come between its APDUs: the ISD-R's logical channel and
//!   the SCP03 session stay ours until the command ends.
//! - The card is left as it was when the command ends (`SCardEndTransaction` and
//!   `SCardDisconnect` with `SCARD_LEAVE_CARD`), on success and failure alike; no command
//!   resets it.
//! - A reset by another application (`SCARD_W_RESET_CARD`) ends the command with
//!   [`CliError::CardReset`]; nothing is retried.

use oxicard_apdu::card::Card;
use oxicard_euicc::isdr::{ISD_R_AID, Isdr, IsdrOptions};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::gp::GpCard;
use oxicard_sim::storage::StateError;
use std::path::Path;

use oxicard_transport::modem::{self, ModemOptions, ModemProtocol, ProxyUse, SerialSettings};
use oxicard_transport::pcsc::{ConnectOptions, OnReset, PcscCard, PcscContext};
use oxicard_transport::sim::{CardSimulator, Latency, SimulatorTransport};
use oxicard_transport::{ChannelOpening, ErrorKind, ResetKind, Transport, TransportError};

use crate::cli::{ChannelKind, Global, ModemProxy};
use crate::error::CliError;
use crate::simstate::SimPaths;

/// A card behind any transport, which may borrow for `'t` (a PC/SC transaction, a simulator).
pub(crate) type DynCard<'t> = Card<Box<dyn Transport + 't>>;

/// A software card that keeps its state in a file: the software eUICC, the simulated GP card.
pub(crate) trait StatefulSimulator: CardSimulator {
    /// What it is, for messages: "the software eUICC".
    const WHAT: &'static str;

    /// Why its last state write failed, if one did (the command was answered with an error and
    /// undone).
    fn last_save_error(&self) -> Option<&StateError>;
}

impl StatefulSimulator for SoftEuicc {
    const WHAT: &'static str = "the software eUICC";

    fn last_save_error(&self) -> Option<&StateError> {
        SoftEuicc::last_save_error(self)
    }
}

impl StatefulSimulator for GpCard {
    const WHAT: &'static str = "the simulated GP card";

    fn last_save_error(&self) -> Option<&StateError> {
        GpCard::last_save_error(self)
    }
}

/// Runs `f` on the card the global options name: the card in the `--reader` reader (in one
/// PC/SC transaction, see the [module docs](self)), the eUICC behind the `--at` / `--qmi` /
/// `--mbim` modem, else the software eUICC.
pub(crate) fn with_card<R>(
    global: &Global,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    with_card_or(global, || SimPaths::from_global(global)?.open(), f)
}

/// [`with_card`] with `simulator` as the card when no reader or modem is named.
pub(crate) fn with_card_or<S: StatefulSimulator, R>(
    global: &Global,
    simulator: impl FnOnce() -> Result<S, CliError>,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    match chosen_card(global)? {
        CardChoice::Reader(name) => with_reader(name, f),
        CardChoice::Modem(protocol, path) => with_modem(protocol, path, modem_options(global), f),
        CardChoice::Simulator => with_simulator(simulator()?, global.latency, f),
    }
}

/// The card the global options name.
#[derive(Debug, PartialEq, Eq)]
enum CardChoice<'g> {
    /// `--reader NAME`.
    Reader(&'g str),
    /// `--at`, `--qmi` or `--mbim DEVICE`.
    Modem(ModemProtocol, &'g Path),
    /// Neither: the software card (`--sim`, or its default state file).
    Simulator,
}

/// The card the global options name. A blank reader name (`--reader ""`, or an empty
/// `OXICARD_READER`, which clap passes on as `""`), a modem option without its device, and two
/// cards named at once are usage errors, not "the first reader".
fn chosen_card(global: &Global) -> Result<CardChoice<'_>, CliError> {
    let mut named: Vec<(String, CardChoice<'_>)> = Vec::new();
    if let Some(name) = global.reader.as_deref() {
        if name.trim().is_empty() {
            return Err(CliError::Usage(format!(
                "--reader {name:?} (or OXICARD_READER): a reader name cannot be empty; `oxicard readers` \
                 lists them, and without a reader the software card is used"
            )));
        }
        named.push((format!("--reader {name:?} (or OXICARD_READER)"), CardChoice::Reader(name)));
    }
    for (protocol, device) in global.modems() {
        let option = protocol.as_str();
        match device {
            None => {}
            Some(None) => {
                return Err(CliError::Usage(format!(
                    "--{option} needs the modem's DEVICE (`oxicard devices` lists the candidates)"
                )));
            }
            Some(Some(path)) => named.push((
                format!("--{option} {} (or OXICARD_{})", path.display(), option.to_ascii_uppercase()),
                CardChoice::Modem(protocol, path),
            )),
        }
    }
    if global.sim.is_some() {
        named.push(("--sim".into(), CardChoice::Simulator));
    }
    if let [(first, _), (second, _), ..] = named.as_slice() {
        return Err(CliError::Usage(format!(
            "{first} and {second} name two different cards: give one of them"
        )));
    }
    let choice = named.pop().map_or(CardChoice::Simulator, |(_, choice)| choice);
    if global.slot.is_some() && !matches!(choice, CardChoice::Modem(..)) {
        return Err(CliError::Usage(
            "--slot (or OXICARD_SLOT) is a modem's SIM slot: give --qmi or --mbim".into(),
        ));
    }
    Ok(choice)
}

/// The modem options of the global flags: the SIM slot, the serial port's baud rate, the use
/// of ModemManager's proxy.
pub(crate) fn modem_options(global: &Global) -> ModemOptions {
    let mut options = ModemOptions::default();
    options.slot = global.slot;
    if let Some(baud) = global.baud {
        options.serial = SerialSettings::default().with_baud_rate(baud);
    }
    options.proxy = match global.modem_proxy {
        None | Some(ModemProxy::Auto) => ProxyUse::Auto,
        Some(ModemProxy::Never) => ProxyUse::Never,
        Some(ModemProxy::Only) => ProxyUse::Only,
    };
    options
}

/// Runs `f` on the eUICC behind the modem at `path` ([`oxicard_transport::modem::open`]); the
/// modem's channels, client IDs and session are released when `f` returns, whatever it
/// returns.
fn with_modem<R>(
    protocol: ModemProtocol,
    path: &Path,
    options: ModemOptions,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let transport = modem::open(protocol, path, &options).map_err(|source| CliError::Transport {
        context: format!(
            "cannot open the {} modem {}",
            protocol.as_str().to_ascii_uppercase(),
            path.display()
        ),
        source,
    })?;
    let mut card: DynCard<'_> = Card::new(transport);
    f(&mut card)
}

/// The reader `name` picks among `readers`: the one of exactly that name, else the one whose
/// name contains it. None is [`CliError::UnknownReader`], several [`CliError::AmbiguousReader`].
fn pick_reader<'r>(name: &str, readers: &'r [String]) -> Result<&'r str, CliError> {
    if let Some(exact) = readers.iter().find(|r| *r == name) {
        return Ok(exact);
    }
    let matching: Vec<&String> = readers.iter().filter(|r| r.contains(name)).collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] if readers.is_empty() => Err(CliError::UnknownReader {
            name: name.to_owned(),
            detail: "no PC/SC readers are connected".into(),
        }),
        [] => Err(CliError::UnknownReader {
            name: name.to_owned(),
            detail: format!("readers are {}", readers.join(", ")),
        }),
        several => Err(CliError::AmbiguousReader {
            name: name.to_owned(),
            readers: several.iter().map(|r| (*r).clone()).collect(),
        }),
    }
}

/// A transport error on `reader` while doing `what`; a reset by another application is
/// [`CliError::CardReset`].
fn transport_error(reader: &str, what: &str, source: TransportError) -> CliError {
    let reset = source.kind() == ErrorKind::CardReset;
    let error = CliError::Transport { context: format!("{what} {reader:?}"), source };
    if reset { CliError::CardReset { function: error.function(), reader: reader.to_owned() } } else { error }
}

/// The card in the PC/SC reader `name` ([`pick_reader`]), connected shared, as a transport of
/// its own (for `sim modem`, which puts it behind a simulated modem for as long as it runs).
pub(crate) fn reader_transport(name: &str) -> Result<Box<dyn Transport>, CliError> {
    Ok(Box::new(connect_reader(name, &ConnectOptions::default())?))
}

/// Connects to the card in the PC/SC reader `name` ([`pick_reader`]).
fn connect_reader(name: &str, options: &ConnectOptions) -> Result<PcscCard, CliError> {
    let unavailable = |detail: String| CliError::UnknownReader { name: name.to_owned(), detail };
    let context = PcscContext::establish()
        .map_err(|e| unavailable(format!("PC/SC is not available ({})", crate::error::chain(&e))))?;
    let readers = context
        .list_readers()
        .map_err(|e| unavailable(format!("cannot list the PC/SC readers ({})", crate::error::chain(&e))))?;
    let reader = pick_reader(name, &readers)?;
    context
        .connect(reader, options)
        .map_err(|source| transport_error(reader, "cannot connect to reader", source))
}

/// Runs `f` on the card in the PC/SC reader `name` ([`pick_reader`]), connected shared and in
/// one transaction; disconnects leaving the card as it is, whatever `f` returns.
fn with_reader<R>(
    name: &str,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    // A reset by someone else is reported, never papered over by a reconnect.
    let mut card = connect_reader(name, &ConnectOptions::default().on_reset(OnReset::Fail))?;
    let result = in_transaction(&mut card, f);
    let reader = card.reader().to_owned();
    if let Err(err) = card.disconnect() {
        tracing::warn!(target: "oxicard::cli", "disconnecting from reader {reader:?}: {err}");
    }
    result
}

/// Runs `f` on `card` inside one PC/SC transaction (`SCardBeginTransaction`), ended with
/// `SCARD_LEAVE_CARD` (`SCardEndTransaction`) whatever `f` returns.
fn in_transaction<R>(
    card: &mut PcscCard,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let reader = card.reader().to_owned();
    let mut transaction = card
        .transaction()
        .map_err(|source| transport_error(&reader, "cannot begin a PC/SC transaction on reader", source))?;
    tracing::debug!(target: "oxicard::cli", "PC/SC transaction on {reader:?} begun");
    let result = run_watched(&mut transaction, &reader, f);
    if let Err(err) = transaction.end() {
        tracing::warn!(target: "oxicard::cli", "ending the PC/SC transaction on {reader:?}: {err}");
    }
    result
}

/// Runs `f` on a card over `transport`; a failure during which the card reported a reset by
/// another application becomes [`CliError::CardReset`] (keeping the failed function's name).
fn run_watched<T: Transport, R>(
    transport: T,
    reader: &str,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let mut watch = ResetWatch { inner: transport, reset: false };
    let result = {
        let mut card: DynCard<'_> = Card::new(Box::new(&mut watch));
        f(&mut card)
    };
    match result {
        Err(error) if watch.reset => {
            Err(CliError::CardReset { function: error.function(), reader: reader.to_owned() })
        }
        result => result,
    }
}

/// A transport that notes whether the card reported a reset by another application
/// ([`ErrorKind::CardReset`], PC/SC `SCARD_W_RESET_CARD`), whatever layer above turned the
/// error into.
struct ResetWatch<T> {
    inner: T,
    reset: bool,
}

impl<T> ResetWatch<T> {
    /// Passes `result` on, noting a reset.
    fn note<V>(&mut self, result: Result<V, TransportError>) -> Result<V, TransportError> {
        if let Err(err) = &result
            && err.kind() == ErrorKind::CardReset
        {
            self.reset = true;
        }
        result
    }
}

impl<T: Transport> Transport for ResetWatch<T> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let result = self.inner.exchange(command, response);
        self.note(result)
    }

    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        let result = self.inner.reset(kind);
        self.note(result)
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        let result = self.inner.reconnect();
        self.note(result)
    }

    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
        let result = self.inner.open_logical_channel(aid);
        self.note(result)
    }

    fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
        let result = self.inner.close_logical_channel(number);
        self.note(result)
    }

    fn has_basic_channel(&self) -> bool {
        self.inner.has_basic_channel()
    }
}

/// Runs `f` on `simulator`, each command answered after `latency` (`--latency`); when `f` fails
/// and the simulator could not save its state, the error says so with the cause
/// ([`CliError::SimSave`]).
fn with_simulator<S: StatefulSimulator, R>(
    simulator: S,
    latency: std::time::Duration,
    f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let mut transport = SimulatorTransport::new(Latency::new(simulator, latency));
    let result = {
        let mut card: DynCard<'_> = Card::new(Box::new(&mut transport));
        f(&mut card)
    };
    result.map_err(|error| match transport.simulator().inner().last_save_error() {
        Some(cause) => {
            CliError::SimSave { function: error.function(), card: S::WHAT, cause: crate::error::chain(cause) }
        }
        None => error,
    })
}

/// The extended-length STORE DATA block size of `--extended`: the largest extended Lc
/// (ISO/IEC 7816-4 §5.1), so that every ES10 request of a download is one command.
const EXTENDED_SEGMENT_SIZE: usize = 65_535;

/// The ISD-R options of the global flags.
pub(crate) fn isdr_options(global: &Global) -> Result<IsdrOptions, CliError> {
    let mut options = IsdrOptions::default();
    if let Some(aid) = &global.isd_r {
        let aid = hex::decode(aid).map_err(|e| CliError::Usage(format!("--isd-r: not hex: {e}")))?;
        if !(5..=16).contains(&aid.len()) {
            return Err(CliError::Usage("--isd-r: an AID has 5 to 16 bytes".into()));
        }
        options.aid = aid;
        options.fallback_aids.clear(); // an explicit AID is the only one tried
    } else {
        options.aid = ISD_R_AID.to_vec();
    }
    if let Some(size) = global.segment_size {
        options.segment_size = usize::from(size);
    }
    if global.extended {
        options.extended_segment_size = Some(EXTENDED_SEGMENT_SIZE);
    }
    options.logical_channel = global.channel == ChannelKind::Logical && !global.no_logical_channel;
    Ok(options)
}

/// Runs `f` on the opened ISD-R of the card the global options name ([`with_card`]: on a
/// reader, the whole ES10 sequence is one PC/SC transaction). The ISD-R's logical channel is
/// closed when `f` fails too (when the [`Isdr`] is dropped).
pub(crate) fn with_isdr<R>(
    global: &Global,
    f: impl FnOnce(&mut Isdr<&mut DynCard<'_>>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let options = isdr_options(global)?;
    with_card(global, |card| {
        let mut isdr = Isdr::open(card, &options).map_err(CliError::es10("euicc_init"))?;
        let result = f(&mut isdr)?;
        isdr.close().map_err(CliError::es10("euicc_fini"))?;
        Ok(result)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

    use oxicard_transport::mock::{Fault, MockTransport};

    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn exact_name_wins_then_a_single_containing_name() {
        // Hand-made reader names; the second contains the first.
        let readers = names(&["ACS ACR39U 00 00", "ACS ACR39U 00 00 (2)", "Virtual PCD 00 01"]);
        assert_eq!(pick_reader("ACS ACR39U 00 00", &readers).unwrap(), "ACS ACR39U 00 00");
        assert_eq!(pick_reader("PCD", &readers).unwrap(), "Virtual PCD 00 01");
        assert_eq!(pick_reader("(2)", &readers).unwrap(), "ACS ACR39U 00 00 (2)");
    }

    #[test]
    fn several_or_no_matching_readers_are_errors_listing_them() {
        let readers = names(&["Virtual PCD 00 00", "Virtual PCD 00 01", "Other 00"]);
        let error = pick_reader("Virtual", &readers).unwrap_err();
        assert_eq!(
            error.to_string(),
            "reader name \"Virtual\" matches 2 readers: Virtual PCD 00 00, Virtual PCD 00 01; \
             give the whole name"
        );
        assert_eq!(error.function(), "reader_ambiguous");
        let error = pick_reader("Nope", &readers).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown reader \"Nope\": readers are Virtual PCD 00 00, Virtual PCD 00 01, Other 00"
        );
        let error = pick_reader("Nope", &[]).unwrap_err();
        assert_eq!(error.to_string(), "unknown reader \"Nope\": no PC/SC readers are connected");
    }

    /// A reset reported in the middle of an ES10 sequence, wrapped by the card and ES10 layers,
    /// is the typed error with the function's name; nothing after it is sent but the ISD-R's
    /// channel close (which fails the same way).
    #[test]
    fn a_reset_reported_mid_command_is_card_reset() {
        // MANAGE CHANNEL open (ISO/IEC 7816-4 §11.1.2) answers channel 1; from then on every
        // command meets the reset, as pcscd answers until the handle reconnects.
        const OPEN: [u8; 5] = [0x00, 0x70, 0x00, 0x00, 0x01];
        let mut mock = MockTransport::new();
        mock.expect(OPEN).respond([0x01, 0x90, 0x00]);
        mock.fault_when(|command| command != OPEN, Fault::Fail(ErrorKind::CardReset));
        let handle = mock.handle();
        let options = IsdrOptions::default().with_isd_r_aid(ISD_R_AID.to_vec());
        let error = run_watched(mock, "Hand-made Reader 00", |card| {
            let mut isdr = Isdr::open(card, &options).map_err(CliError::es10("euicc_init"))?;
            isdr.profiles().map_err(CliError::es10("es10c_get_profiles_info"))
        })
        .unwrap_err();
        assert!(matches!(error, CliError::CardReset { function: "euicc_init", .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            "euicc_init: the card in reader \"Hand-made Reader 00\" was reset by another application; \
             nothing was retried (check the card's state, then run the command again)"
        );
        assert_eq!(error.exit_code(), 1);
        // MANAGE CHANNEL open, the SELECT that met the reset, the channel close from Drop.
        assert_eq!(handle.exchange_count(), 3, "{:?}", handle.transcript());
    }

    #[test]
    fn a_failure_without_a_reset_stays_as_it_is() {
        let error = run_watched(MockTransport::new(), "R", |_| -> Result<(), CliError> {
            Err(CliError::Usage("x".into()))
        })
        .unwrap_err();
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
    }

    /// The software eUICC whose state directory disappeared: the failed command's error says
    /// that the state could not be saved, and why, under the failed function's name.
    #[test]
    fn a_failed_save_of_the_software_euicc_is_the_error_with_its_cause() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = dir.path().join("state");
        std::fs::create_dir(&state_dir).unwrap();
        let path = state_dir.join("euicc.json");
        let euicc = SoftEuicc::open(&path).unwrap();
        std::fs::remove_dir_all(&state_dir).unwrap();
        let options = IsdrOptions::default().with_isd_r_aid(ISD_R_AID.to_vec());
        let error = with_simulator(euicc, std::time::Duration::ZERO, |card| {
            let mut isdr = Isdr::open(card, &options).map_err(CliError::es10("euicc_init"))?;
            isdr.set_default_dp_address("smdp.example.com")
                .map_err(CliError::es10("es10a_set_default_dp_address"))
        })
        .unwrap_err();
        let message = error.to_string();
        let expected = format!(
            "es10a_set_default_dp_address: the software eUICC could not save its state: state file: {}",
            path.display()
        );
        assert!(message.starts_with(&expected), "{message}");
        assert!(message.contains("No such file or directory"), "{message}");
        assert_eq!((error.function(), error.exit_code()), ("es10a_set_default_dp_address", 1));
    }

    /// The simulated GP card whose state file became a directory: INITIALIZE UPDATE (which
    /// counts a session) cannot be saved, and the error says so.
    #[test]
    fn a_failed_save_of_the_simulated_gp_card_is_the_error_with_its_cause() {
        use oxicard_secure_channel::scp03::{OpenOptions, Scp03Session, SecurityLevel, StaticKeys};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gp-card.json");
        let gp = crate::simstate::gp::open_card(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep"), b"x").unwrap();
        let key = &oxicard_gp::keys::TEST_KEY;
        let keys = StaticKeys::new(crate::simstate::gp::SIM_KVN, key, key, key).unwrap();
        let error = with_simulator(gp, std::time::Duration::ZERO, |card| {
            Scp03Session::open(card, &keys, SecurityLevel::C_MAC, &OpenOptions::new())
                .map(drop)
                .map_err(|e| CliError::Gp { function: "scp03_open", detail: crate::error::chain(&e) })
        })
        .unwrap_err();
        let message = error.to_string();
        let expected = format!(
            "scp03_open: the simulated GP card could not save its state: state file: {}",
            path.display()
        );
        assert!(message.starts_with(&expected), "{message}");
        assert_eq!(error.function(), "scp03_open");
    }

    #[test]
    fn blank_names_missing_devices_and_two_cards_are_usage_errors() {
        let parse = |args: &[&str]| {
            <crate::cli::Cli as clap::Parser>::try_parse_from([&["oxicard"], args].concat()).unwrap().global
        };
        let usage = |args: &[&str], says: &str| {
            let error = chosen_card(&parse(args)).unwrap_err();
            assert!(matches!(error, CliError::Usage(_)), "{args:?}: {error:?}");
            assert!(error.to_string().contains(says), "{args:?}: {error}");
        };
        for name in ["", " ", "\t"] {
            usage(&["--reader", name, "profile", "list"], "a reader name cannot be empty");
        }
        usage(&["--reader", "R", "--sim=x.json", "profile", "list"], "and --sim name two different cards");
        usage(
            &["--at", "/dev/ttyUSB2", "--sim=x.json", "chip", "info"],
            "--at /dev/ttyUSB2 (or OXICARD_AT) and --sim",
        );
        usage(
            &["--reader", "R", "--qmi", "/dev/cdc-wdm0", "chip", "info"],
            "(or OXICARD_READER) and --qmi /dev/cdc-wdm0",
        );
        usage(
            &["--qmi", "/dev/cdc-wdm0", "--mbim", "/dev/cdc-wdm1", "chip", "info"],
            "name two different cards",
        );
        usage(&["chip", "info", "--mbim"], "--mbim needs the modem's DEVICE");
        usage(
            &["--slot", "2", "--sim=x.json", "chip", "info"],
            "--slot (or OXICARD_SLOT) is a modem's SIM slot",
        );
        assert_eq!(
            chosen_card(&parse(&["--reader", "R", "profile", "list"])).unwrap(),
            CardChoice::Reader("R")
        );
        let qmi = parse(&["--qmi", "/dev/cdc-wdm0", "--slot", "2", "chip", "info"]);
        assert_eq!(
            chosen_card(&qmi).unwrap(),
            CardChoice::Modem(ModemProtocol::Qmi, Path::new("/dev/cdc-wdm0"))
        );
        assert_eq!(modem_options(&qmi).slot, Some(2));
        let at = parse(&["chip", "info", "--at", "/dev/ttyUSB2", "--baud", "9600"]);
        assert_eq!(
            chosen_card(&at).unwrap(),
            CardChoice::Modem(ModemProtocol::At, Path::new("/dev/ttyUSB2"))
        );
        assert_eq!(modem_options(&at).serial, SerialSettings::default().with_baud_rate(9600));
        if std::env::var_os("OXICARD_MODEM_PROXY").is_none() {
            assert_eq!(modem_options(&qmi).proxy, ProxyUse::Auto);
        }
        for (when, proxy) in [("auto", ProxyUse::Auto), ("never", ProxyUse::Never), ("only", ProxyUse::Only)]
        {
            let cli = parse(&["--qmi", "/dev/cdc-wdm0", "--modem-proxy", when, "chip", "info"]);
            assert_eq!(modem_options(&cli).proxy, proxy);
        }
        if ["OXICARD_READER", "OXICARD_AT", "OXICARD_QMI", "OXICARD_MBIM"]
            .iter()
            .all(|v| std::env::var_os(v).is_none())
        {
            assert_eq!(
                chosen_card(&parse(&["--sim=x.json", "profile", "list"])).unwrap(),
                CardChoice::Simulator
            );
        }
    }
}
