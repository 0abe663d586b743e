//! How a `gp` command reaches the issuer security domain: the card (reader, modem or simulated
//! GP card), the ISD selected — on the basic channel, or on a logical channel the transport
//! opens when it has no basic channel (MBIM) — and, for the commands that need one, the
//! library's connect policy ([`oxicard_gp::connect`]) opening the secure channel session.

use oxicard_apdu::Aid;
use oxicard_apdu::card::{CardChannel, LogicalChannel};
use oxicard_gp::KNOWN_ISD_AIDS;
use oxicard_gp::connect::{ConnectError, ConnectOptions, IsdSelection, ManagedSession, Protocol, connect};
use oxicard_gp::keys::Diversification;
use oxicard_gp::status_word::{Operation, explain};
use oxicard_secure_channel::scp02::Scp02Error;
use oxicard_secure_channel::scp03::{Scp03Error, StaticKeys};

use super::keys;
use crate::backend::{self, DynCard};
use crate::cli::{Global, GpAuth, KdfScheme};
use crate::error::CliError;
use crate::simstate::gp;

/// The channel the ISD is selected on: the basic channel, or one the transport opened to it.
pub(crate) type GpChannel<'c, 't> = LogicalChannel<&'c mut DynCard<'t>>;

/// A secure channel session with the ISD.
pub(crate) type GpSession<'c, 't> = ManagedSession<GpChannel<'c, 't>>;

/// The selected ISD.
pub(crate) struct Selected {
    /// The ISD's AID.
    pub(crate) isd: Aid,
    /// Whether SELECT answered `6283` (CARD_LOCKED).
    pub(crate) locked: bool,
}

/// The ISD `--isd` names, parsed.
fn isd_aid(auth: &GpAuth) -> Result<Option<Aid>, CliError> {
    auth.isd.as_deref().map(|text| keys::parse_aid("--isd", text)).transpose()
}

/// Runs `f` on the card the global options name, on the channel where the ISD is reached: the
/// basic channel, or — on a transport without one — a logical channel the transport opens to
/// the ISD (`aid`, else the first of the known ISD AIDs it opens), closed afterwards. The card
/// in the `--reader` reader is used in one PC/SC transaction (see [`crate::backend`]), else the
/// simulated GP card.
fn with_channel<R>(
    g: &Global,
    aid: Option<Aid>,
    f: impl FnOnce(GpChannel<'_, '_>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    backend::with_card_or(
        g,
        || gp::open_card(&gp::state_path(g)?),
        |card| {
            if card.transport().has_basic_channel() {
                return f(LogicalChannel::attach(card, 0));
            }
            let candidates: Vec<Aid> = match aid {
                Some(aid) => vec![aid],
                None => KNOWN_ISD_AIDS.to_vec(),
            };
            let mut last = None;
            for candidate in candidates {
                match card.open_logical_channel(Some(&candidate)) {
                    Ok(opened) => {
                        tracing::debug!(isd = %candidate, channel = opened.number, "ISD reached on a logical channel");
                        return f(LogicalChannel::adopt(card, opened.number));
                    }
                    Err(error) => last = Some(error),
                }
            }
            let detail = "no issuer security domain reached on a logical channel".to_owned();
            Err(match last {
                Some(error) => CliError::gp(
                    "gp_select_isd",
                    format!("{detail}: {}", crate::error::chain(&error)),
                    &error,
                ),
                None => CliError::Gp { function: "gp_select_isd", detail },
            })
        },
    )
}

/// Runs `f` with the ISD selected (`--isd`, else the known ISD AIDs), no secure channel.
pub(crate) fn with_selected<R>(
    g: &Global,
    auth: &GpAuth,
    f: impl FnOnce(&mut GpChannel<'_, '_>, Selected) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let aid = isd_aid(auth)?;
    with_channel(g, aid, |mut channel| {
        let selection = aid.map_or(IsdSelection::Known, IsdSelection::Aid);
        let (isd, response) = oxicard_gp::select_isd(&mut channel, selection)
            .map_err(|e| CliError::gp("gp_select_isd", crate::error::chain(&e), &e))?;
        let selected = Selected { isd, locked: response.sw == oxicard_gp::SW_CARD_LOCKED };
        f(&mut channel, selected)
    })
}

/// Opens the secure channel session with the ISD by the library's connect policy (the keys of
/// `auth`; the level `--level` names or the highest the card allows; keys diversified with
/// `--kdf`) and runs `f` in it with the card's static keys (after diversification).
pub(crate) fn with_session<R>(
    g: &Global,
    auth: &GpAuth,
    f: impl FnOnce(&mut GpSession<'_, '_>, &StaticKeys) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let static_keys = keys::static_keys(auth)?;
    let aid = isd_aid(auth)?;
    let mut options = ConnectOptions::new().with_isd(aid.map_or(IsdSelection::Known, IsdSelection::Aid));
    match auth.scp.to_ascii_lowercase().trim_start_matches("scp") {
        "auto" => {}
        "02" | "2" => options = options.with_protocol(Protocol::Scp02),
        "03" | "3" => options = options.with_protocol(Protocol::Scp03),
        other => return Err(CliError::Usage(format!("--scp: {other:?} is not 02, 03 or auto"))),
    }
    if let Some(level) = keys::parse_level(&auth.level)? {
        options = options.with_level(level);
    }
    if let Some(scheme) = auth.kdf {
        options = options.with_diversification(match scheme {
            KdfScheme::Emv => Diversification::Emv,
            KdfScheme::Visa2 => Diversification::Visa2,
            KdfScheme::Kdf3 => Diversification::Kdf3,
        });
    }
    with_channel(g, aid, |channel| {
        let mut session = connect(channel, &static_keys, &options)
            .map_err(|e| CliError::gp("scp03_open", open_hint(&e), &e))?;
        let keys = session.keys().clone();
        f(&mut session, &keys)
    })
}

/// The connect error with a hint at the usual cause; a handshake step the card refused with
/// what its status word means for that step ([`oxicard_gp::status_word`], as in the JSON
/// error).
fn open_hint(error: &ConnectError) -> String {
    let refused = match error {
        ConnectError::Scp03(Scp03Error::Status { step, sw }) => Some(("SCP03", Operation::from(*step), *sw)),
        ConnectError::Scp02(Scp02Error::Status { step, sw }) => Some(("SCP02", Operation::from(*step), *sw)),
        _ => None,
    };
    match refused {
        Some((protocol, step, sw)) => {
            format!("{protocol} authentication failed: {step} answered {}", explain(Some(step), sw))
        }
        // With a pseudo-random challenge the card's challenge is derived from its key: a
        // mismatch there, like a card cryptogram mismatch, usually means other keys.
        None if error.wrong_keys() => format!("{} (wrong keys?)", crate::error::chain(error)),
        None => crate::error::chain(error),
    }
}
