//! Opening the card: the software eUICC (see [`crate::simstate`]) or a PC/SC reader; the
//! ISD-R options.

use oxicard_apdu::card::Card;
use oxicard_euicc::isdr::{ISD_R_AID, Isdr, IsdrOptions};
use oxicard_transport::Transport;
use oxicard_transport::pcsc::{ConnectOptions, PcscContext};
use oxicard_transport::sim::SimulatorTransport;

use crate::cli::{ChannelKind, Global};
use crate::error::CliError;
use crate::simstate::SimPaths;

/// A card behind any transport.
pub(crate) type DynCard = Card<Box<dyn Transport>>;

/// The card the global options name: `--reader NAME` (PC/SC), else the software eUICC.
pub(crate) fn open_card(global: &Global) -> Result<DynCard, CliError> {
    match &global.reader {
        Some(name) => open_reader(name),
        None => {
            let euicc = SimPaths::from_global(global)?.open()?;
            Ok(Card::new(Box::new(SimulatorTransport::new(euicc))))
        }
    }
}

/// The card in the PC/SC reader `name` (exact name, else the first reader whose name contains it).
pub(crate) fn open_reader(name: &str) -> Result<DynCard, CliError> {
    let context = PcscContext::establish().map_err(|e| CliError::UnknownReader {
        name: name.to_owned(),
        detail: format!("PC/SC is not available ({e})"),
    })?;
    let readers = context.list_readers().unwrap_or_default();
    let Some(reader) =
        readers.iter().find(|r| *r == name).or_else(|| readers.iter().find(|r| r.contains(name)))
    else {
        let detail = if readers.is_empty() {
            "no PC/SC readers are connected".to_string()
        } else {
            format!("readers are {}", readers.join(", "))
        };
        return Err(CliError::UnknownReader { name: name.to_owned(), detail });
    };
    let card = context.connect(reader, &ConnectOptions::default()).map_err(|source| CliError::Transport {
        context: format!("cannot connect to reader {reader:?}"),
        source,
    })?;
    Ok(Card::new(Box::new(card)))
}

/// The ISD-R options of the global flags.
pub(crate) fn isdr_options(global: &Global) -> Result<IsdrOptions, CliError> {
    let mut options = IsdrOptions::default();
    if let Some(aid) = &global.isd_r {
        let aid = hex::decode(aid).map_err(|e| CliError::Usage(format!("--isd-r: not hex: {e}")))?;
        if !(5..=16).contains(&aid.len()) {
            return Err(CliError::Usage("--isd-r: an AID has 5 to 16 bytes".into()));
        }
        options.aid = aid;
    } else {
        options.aid = ISD_R_AID.to_vec();
    }
    if let Some(size) = global.segment_size {
        options.segment_size = usize::from(size);
    }
    options.logical_channel = global.channel == ChannelKind::Logical && !global.no_logical_channel;
    Ok(options)
}

/// Runs `f` on the opened ISD-R of the card the global options name.
pub(crate) fn with_isdr<R>(
    global: &Global,
    f: impl FnOnce(&mut Isdr<'_, Box<dyn Transport>>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let mut card = open_card(global)?;
    let options = isdr_options(global)?;
    let mut isdr = Isdr::open(&mut card, &options).map_err(CliError::es10("euicc_init"))?;
    let result = f(&mut isdr)?;
    isdr.close().map_err(CliError::es10("euicc_fini"))?;
    Ok(result)
}
