//! `gp …`: GlobalPlatform card management over SCP03 (GPC v2.3.1 §11, Amendment D) on a card
//! in a PC/SC reader or, by default, on the simulated GP card kept in the user's data directory
//! (`oxicard_sim::gp::GpCard`, created on first use with the GlobalPlatform test key, KVN `30`).

mod info;
pub(crate) mod keys;
mod manage;

use std::path::PathBuf;

use oxicard_apdu::card::Card;
use oxicard_gp::data::{CardRecognitionData, tags};
use oxicard_gp::keys::Diversification;
use oxicard_gp::{ops, select_isd};
use oxicard_secure_channel::scp03::{
    IParameter, InitializeUpdateResponse, Mode, OpenOptions, Scp03Error, Scp03Session, SecurityLevel,
    StaticKeys,
};
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::sim::SimulatorTransport;

use crate::backend::{DynCard, open_reader};
use crate::cli::{Global, GpArgs, GpAuth, GpCmd, KdfScheme};
use crate::error::CliError;
use crate::output::Out;

/// Runs one `gp` command.
pub(crate) fn run(g: &Global, out: &Out, args: &GpArgs) -> Result<(), CliError> {
    match &args.command {
        GpCmd::Info => info::info(g, out, &args.auth),
        GpCmd::List => info::list(g, out, &args.auth),
        GpCmd::Install(install) => manage::install(g, out, &args.auth, install),
        GpCmd::Delete { aid, related } => manage::delete(g, out, &args.auth, aid, *related),
        GpCmd::Lock(lock) => manage::lock(g, out, &args.auth, lock, true),
        GpCmd::Unlock(lock) => manage::lock(g, out, &args.auth, lock, false),
        GpCmd::PutKey(put) => manage::put_key(g, out, &args.auth, put),
    }
}

/// `--sim=STATE`, else `<data dir>/oxicard/gp-card.json`.
pub(crate) fn sim_state_path(global: &Global) -> Result<PathBuf, CliError> {
    match global.sim.as_ref().and_then(Option::as_ref) {
        Some(path) => Ok(path.clone()),
        None => dirs::data_dir()
            .map(|d| d.join("oxicard").join("gp-card.json"))
            .ok_or_else(|| CliError::Sim("no user data directory; pass --sim=STATE".into())),
    }
}

/// The simulated GP card kept at `path` (created with the GP test key set, KVN `30`), locked
/// for this command.
pub(crate) fn open_sim_card(path: &std::path::Path) -> Result<GpCard, CliError> {
    let lock = crate::simstate::lock_state(path)?;
    let key = &keys::GP_TEST_KEY;
    let test_keys = StaticKeys::new(keys::SIM_KVN, key, key, key)
        .map_err(|e| CliError::Sim(format!("simulated GP card keys: {e}")))?;
    Ok(GpCard::open_locked(lock, || GpCard::new(&DEFAULT_ISD_AID, test_keys))?)
}

/// The card the global options name: `--reader NAME`, else the simulated GP card.
fn open_card(g: &Global) -> Result<DynCard, CliError> {
    match &g.reader {
        Some(name) => open_reader(name),
        None => Ok(Card::new(Box::new(SimulatorTransport::new(open_sim_card(&sim_state_path(g)?)?)))),
    }
}

/// A card with its ISD selected.
pub(crate) struct Selected {
    /// The card.
    pub(crate) card: DynCard,
    /// The ISD's AID.
    pub(crate) isd: Vec<u8>,
    /// Whether SELECT answered `6283` (CARD_LOCKED).
    pub(crate) locked: bool,
}

/// Opens the card and selects the ISD (`--isd`, else the known ISD AIDs).
pub(crate) fn select(g: &Global, auth: &GpAuth) -> Result<Selected, CliError> {
    let mut card = open_card(g)?;
    let aid = auth.isd.as_deref().map(|a| keys::parse_aid("--isd", a)).transpose()?;
    let (isd, response) = select_isd(&mut card, aid.as_deref()).map_err(|e| CliError::Gp {
        function: "gp_select_isd",
        detail: format!("no issuer security domain selected: {e}"),
    })?;
    Ok(Selected { card, isd, locked: response.sw == oxicard_gp::SW_CARD_LOCKED })
}

/// The card's SCP03 "i" from its Card Recognition Data (GET DATA `66`), if it tells.
fn scp03_i(card: &mut DynCard) -> Option<IParameter> {
    let data = ops::get_data(card, tags::CARD_DATA).ok()?;
    i_of(&CardRecognitionData::parse(&data).ok()?)
}

/// The SCP03 "i" that Card Recognition Data lists, if any.
pub(crate) fn i_of(crd: &CardRecognitionData) -> Option<IParameter> {
    IParameter::from_byte(u8::try_from(crd.scp03_i()?).ok()?).ok()
}

/// Bytes as upper-case hex, as AIDs are written.
pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
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
/// `f` in it.
pub(crate) fn with_session<R>(
    g: &Global,
    auth: &GpAuth,
    f: impl FnOnce(&mut Scp03Session<'_, DynCard>, &StaticKeys) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let static_keys = keys::static_keys(auth)?;
    let requested = keys::parse_level(&auth.level)?;
    let Selected { mut card, isd, .. } = select(g, auth)?;
    let i = scp03_i(&mut card);
    let level = choose_level(requested, i);
    let mut options = OpenOptions::new()
        .with_aid(&isd)
        .map_err(|e| CliError::Gp { function: "scp03_open", detail: format!("ISD AID: {e}") })?;
    if i.is_some_and(|i| i.mode() == Mode::S16) {
        options = options.with_mode(Mode::S16);
    }
    let scheme = auth.kdf.map(|k| match k {
        KdfScheme::Emv => Diversification::Emv,
        KdfScheme::Visa2 => Diversification::Visa2,
        KdfScheme::Kdf3 => Diversification::Kdf3,
    });
    // With a scheme, the card's keys are derived from the master key and the card's KDD.
    let mut card_keys = None;
    let keys_for = |info: &InitializeUpdateResponse| match scheme {
        None => Ok(None),
        Some(scheme) => {
            let kdd = info.key_diversification_data();
            tracing::debug!(kdd = %hex::encode_upper(kdd), ?scheme, "diversifying the keys");
            let keys = scheme.diversify_set(&static_keys, kdd).map_err(|_| {
                oxicard_secure_channel::Error::from(oxicard_secure_channel::ErrorKind::InvalidKeyLength)
            })?;
            card_keys = Some(keys.clone());
            Ok(Some(keys))
        }
    };
    let mut session =
        Scp03Session::open_with(&mut card, &static_keys, level, &options, keys_for).map_err(|e| {
            CliError::Gp {
                function: "scp03_open",
                detail: format!("SCP03 authentication failed: {}", open_hint(&e)),
            }
        })?;
    tracing::debug!(level = %format_args!("{:02X}", level.byte()), "SCP03 session open");
    f(&mut session, card_keys.as_ref().unwrap_or(&static_keys))
}

/// The SCP03 error with a hint at the usual cause.
fn open_hint(error: &Scp03Error) -> String {
    match error {
        // With a pseudo-random challenge the card's challenge is derived from its key: a
        // mismatch there, like a card cryptogram mismatch, usually means other keys.
        Scp03Error::Handshake(e)
            if matches!(
                e.kind,
                oxicard_secure_channel::ErrorKind::CardCryptogramMismatch
                    | oxicard_secure_channel::ErrorKind::CardChallengeMismatch
            ) =>
        {
            format!("{error} (wrong keys?)")
        }
        _ => error.to_string(),
    }
}

/// A failed GP operation as the command's error (`gp_<operation>` as the JSON message).
pub(crate) fn gp_error<E: std::fmt::Display>(function: &'static str) -> impl FnOnce(E) -> CliError {
    move |e| CliError::Gp { function, detail: e.to_string() }
}
