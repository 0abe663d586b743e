//! How a `gp` command reaches the issuer security domain: the card (reader or simulated GP
//! card), the ISD selected, and an SCP03 session at the level asked for or the highest the card
//! allows (the connect policy).

use oxicard_gp::data::{CardRecognitionData, tags};
use oxicard_gp::keys::Diversification;
use oxicard_gp::status_word::{Operation, explain};
use oxicard_gp::{ops, select_isd};
use oxicard_secure_channel::scp03::{
    IParameter, InitializeUpdateResponse, Mode, OpenOptions, Scp03Error, Scp03Session, SecurityLevel,
    StaticKeys,
};

use super::keys;
use crate::backend::{self, DynCard};
use crate::cli::{Global, GpAuth, KdfScheme};
use crate::error::CliError;
use crate::simstate::gp;

/// Runs `f` on the card the global options name: the card in the `--reader` reader (in one
/// PC/SC transaction, see [`crate::backend`]), else the simulated GP card.
fn with_card<R>(g: &Global, f: impl FnOnce(&mut DynCard<'_>) -> Result<R, CliError>) -> Result<R, CliError> {
    backend::with_card_or(g, || gp::open_card(&gp::state_path(g)?), f)
}

/// The selected ISD.
pub(crate) struct Selected {
    /// The ISD's AID.
    pub(crate) isd: Vec<u8>,
    /// Whether SELECT answered `6283` (CARD_LOCKED).
    pub(crate) locked: bool,
}

/// Selects the ISD on `card`: `aid`, else the known ISD AIDs.
fn select(card: &mut DynCard<'_>, aid: Option<&[u8]>) -> Result<Selected, CliError> {
    let (isd, response) = select_isd(card, aid).map_err(|e| {
        let detail = format!("no issuer security domain selected: {}", crate::error::chain(&e));
        CliError::gp("gp_select_isd", detail, &e)
    })?;
    Ok(Selected { isd, locked: response.sw == oxicard_gp::SW_CARD_LOCKED })
}

/// Runs `f` on the card the global options name with its ISD selected (`--isd`, else the known
/// ISD AIDs); on a reader, all of it in one PC/SC transaction.
pub(crate) fn with_selected<R>(
    g: &Global,
    auth: &GpAuth,
    f: impl FnOnce(&mut DynCard<'_>, Selected) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let aid = auth.isd.as_deref().map(|a| keys::parse_aid("--isd", a)).transpose()?;
    with_card(g, |card| {
        let selected = select(card, aid.as_deref())?;
        f(card, selected)
    })
}

/// The card's SCP03 "i" from its Card Recognition Data (GET DATA `66`), if it tells.
fn scp03_i(card: &mut DynCard<'_>) -> Option<IParameter> {
    let data = ops::get_data(card, tags::CARD_DATA).ok()?;
    CardRecognitionData::parse(&data).ok()?.scp03_parameter()
}

/// The level `--level` names, or for `auto` the highest the card's "i" allows (level `03`,
/// allowed by every "i", when the card does not publish one).
fn choose_level(requested: Option<SecurityLevel>, i: Option<IParameter>) -> SecurityLevel {
    requested.unwrap_or(match i {
        Some(i) if i.allows(SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC) => SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
        Some(i) if i.allows(SecurityLevel::C_DEC_C_MAC_R_MAC) => SecurityLevel::C_DEC_C_MAC_R_MAC,
        _ => SecurityLevel::C_DEC_C_MAC,
    })
}

/// Opens the card, selects the ISD, opens an SCP03 session with the keys of `auth` and runs
/// `f` in it; on a reader, all of it in one PC/SC transaction, so that the session is not
/// broken by another application's commands.
pub(crate) fn with_session<R>(
    g: &Global,
    auth: &GpAuth,
    f: impl FnOnce(&mut Scp03Session<&mut DynCard<'_>>, &StaticKeys) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let static_keys = keys::static_keys(auth)?;
    let requested = keys::parse_level(&auth.level)?;
    let scheme = auth.kdf.map(|k| match k {
        KdfScheme::Emv => Diversification::Emv,
        KdfScheme::Visa2 => Diversification::Visa2,
        KdfScheme::Kdf3 => Diversification::Kdf3,
    });
    with_selected(g, auth, |card, Selected { isd, .. }| {
        let (mut session, card_keys) = open_session(card, &isd, requested, &static_keys, scheme)?;
        f(&mut session, card_keys.as_ref().unwrap_or(&static_keys))
    })
}

/// Opens an SCP03 session with the ISD `isd` (selected on `card`) at the `requested` level,
/// else the highest the card's "i" allows, in the mode the card publishes. With a `scheme`
/// the card's keys are derived from `static_keys` (master keys) and the card's key
/// diversification data, and returned with the session.
fn open_session<'c, 't>(
    card: &'c mut DynCard<'t>,
    isd: &[u8],
    requested: Option<SecurityLevel>,
    static_keys: &StaticKeys,
    scheme: Option<Diversification>,
) -> Result<(Scp03Session<&'c mut DynCard<'t>>, Option<StaticKeys>), CliError> {
    let i = scp03_i(card);
    let level = choose_level(requested, i);
    let mut options = OpenOptions::new()
        .with_aid(isd)
        .map_err(|e| CliError::Gp { function: "scp03_open", detail: format!("ISD AID: {e}") })?;
    if i.is_some_and(|i| i.mode() == Mode::S16) {
        options = options.with_mode(Mode::S16);
    }
    let mut card_keys = None;
    let keys_for = |info: &InitializeUpdateResponse| match scheme {
        None => Ok(None),
        Some(scheme) => {
            let kdd = info.key_diversification_data();
            tracing::debug!(kdd = %hex::encode_upper(kdd), ?scheme, "diversifying the keys");
            let keys = scheme.diversify_set(static_keys, kdd).map_err(|_| {
                oxicard_secure_channel::Error::from(oxicard_secure_channel::ErrorKind::InvalidKeyLength)
            })?;
            card_keys = Some(keys.clone());
            Ok(Some(keys))
        }
    };
    let session = Scp03Session::open_with(card, static_keys, level, &options, keys_for).map_err(|e| {
        CliError::gp("scp03_open", format!("SCP03 authentication failed: {}", open_hint(&e)), &e)
    })?;
    tracing::debug!(level = %format_args!("{:02X}", level.byte()), "SCP03 session open");
    Ok((session, card_keys))
}

/// The SCP03 error with a hint at the usual cause; a handshake step the card refused with what
/// its status word means for that step ([`oxicard_gp::status_word`], as in the JSON error).
fn open_hint(error: &Scp03Error) -> String {
    match error {
        Scp03Error::Status { step, sw } => {
            format!("{step} answered {}", explain(Some(Operation::from(*step)), *sw))
        }
        // With a pseudo-random challenge the card's challenge is derived from its key: a
        // mismatch there, like a card cryptogram mismatch, usually means other keys.
        Scp03Error::Handshake(e)
            if matches!(
                e.kind,
                oxicard_secure_channel::ErrorKind::CardCryptogramMismatch
                    | oxicard_secure_channel::ErrorKind::CardChallengeMismatch
            ) =>
        {
            format!("{} (wrong keys?)", crate::error::chain(error))
        }
        _ => crate::error::chain(error),
    }
}
