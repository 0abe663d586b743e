//! The LPA's two fallbacks (`oxicard_euicc::isdr`) against the software eUICC made to look like
//! removable eUICCs:
//!
//! - its ISD-R at each vendor AID of `VENDOR_ISD_R_AIDS` (`EuiccConfig::isdr_aid`): found, on
//!   the same logical channel, one SELECT per AID tried; the standard card gets the APDUs it got
//!   before; an explicit AID disables the search;
//! - a card that refuses EnableProfile / DisableProfile / DeleteProfile naming the profile by
//!   ICCID (a wrapper answering the ICCID form with `iccidOrAidNotFound`, `undefinedError` or
//!   `6A80`, as removable eUICCs from ECP are reported to: lpac `docs/USAGE.md`, 3899/SimAdmin
//!   issue #31): the operation is done by ISD-P AID, and the state of the card shows it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::{ProfileInfo, ProfileState};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Es10Error, ISD_R_AID, ISD_R_AID_5BER, Isdr, IsdrOptions, VENDOR_ISD_R_AIDS};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_transport::sim::{CardSimulator, SimulatorTransport};

/// A software eUICC whose ISD-R is at `aid`, with `channels` logical channels.
fn euicc_at(aid: &[u8], channels: u8) -> SoftEuicc {
    SoftEuicc::in_memory(EuiccConfig {
        isdr_aid: aid.to_vec(),
        logical_channels: channels,
        ..EuiccConfig::default()
    })
}

#[test]
fn a_standard_card_sees_two_apdus_to_open() {
    let mut card = Card::new(SimulatorTransport::new(SoftEuicc::new()));
    let isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID);
    drop(isdr);
    let euicc = card.transport().simulator();
    // MANAGE CHANNEL, SELECT, and the close.
    assert_eq!(euicc.commands_seen(), 3);
    assert_eq!(euicc.open_channels(), [0]);
}

#[test]
fn every_vendor_aid_is_found_in_order_on_the_same_channel() {
    for (index, aid) in VENDOR_ISD_R_AIDS.iter().enumerate() {
        let mut card = Card::new(SimulatorTransport::new(euicc_at(aid, 3)));
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        assert_eq!(isdr.aid(), aid.as_slice());
        assert_eq!(isdr.channel(), 1, "the channel of the first SELECT");
        assert_eq!(isdr.eid().unwrap().digits(), "89882119900000000000000000000005");
        isdr.close().unwrap();
        let euicc = card.transport().simulator();
        // MANAGE CHANNEL, the standard SELECT and `index + 1` vendor ones, GetEID, close.
        assert_eq!(euicc.commands_seen(), 1 + 1 + (index as u64 + 1) + 1 + 1, "{}", hex::encode_upper(aid));
        assert_eq!(euicc.open_channels(), [0], "no channel left open");
    }
}

#[test]
fn the_search_works_on_the_basic_channel() {
    // No logical channel: MANAGE CHANNEL is refused (6881), everything on channel 0.
    let mut card = Card::new(SimulatorTransport::new(euicc_at(&ISD_R_AID_5BER, 0)));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!((isdr.channel(), isdr.aid()), (0, ISD_R_AID_5BER.as_slice()));
    assert!(isdr.profiles().unwrap().is_empty());
}

#[test]
fn an_explicit_aid_disables_the_search() {
    let mut card = Card::new(SimulatorTransport::new(euicc_at(&ISD_R_AID_5BER, 3)));
    let err = Isdr::open(&mut card, &IsdrOptions::with_aid(ISD_R_AID)).unwrap_err();
    assert!(matches!(&err, Es10Error::IsdrNotFound { refused } if refused.len() == 1), "{err:?}");
    let euicc = card.transport().simulator();
    assert_eq!(euicc.commands_seen(), 3, "MANAGE CHANNEL, one SELECT, close");
    assert_eq!(euicc.open_channels(), [0]);
    // The vendor AID given explicitly: found at once.
    let isdr = Isdr::open(&mut card, &IsdrOptions::with_aid(ISD_R_AID_5BER)).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID_5BER);
}

#[test]
fn a_card_with_no_isdr_at_all() {
    let mut card = Card::new(SimulatorTransport::new(euicc_at(&[0xA0, 0x00, 0x00, 0x05, 0x59, 0x99], 3)));
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    let Es10Error::IsdrNotFound { refused } = &err else { panic!("{err:?}") };
    assert_eq!(refused.len(), 1 + VENDOR_ISD_R_AIDS.len());
    assert_eq!(card.transport().simulator().open_channels(), [0]);
}

// --- A card that refuses the ICCID form ------------------------------------------------------

/// How the wrapper refuses a request naming a profile by ICCID.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// The function's result code, e.g. `1` iccidOrAidNotFound, `127` undefinedError.
    Result(u8),
    /// A status word for the STORE DATA, e.g. `6A80`.
    Status(u16),
}

/// The software eUICC behind a wrapper that refuses EnableProfile (`BF31`), DisableProfile
/// (`BF32`) and DeleteProfile (`BF33`) by ICCID (`5A`) and passes everything else on.
struct RefusesIccid {
    inner: SoftEuicc,
    refusal: Refusal,
    refused: usize,
}

/// The request tag (`31`, `32`, `33`) of a one-block STORE DATA naming a profile by ICCID.
fn by_iccid(apdu: &[u8]) -> Option<u8> {
    let [cla, 0xE2, 0x91, 0x00, lc, rest @ ..] = apdu else { return None };
    if cla & 0x80 == 0 {
        return None;
    }
    match rest.get(..usize::from(*lc))? {
        [0xBF, tag @ (0x31 | 0x32), _, 0xA0, _, 0x5A, ..] => Some(*tag),
        [0xBF, 0x33, _, 0x5A, ..] => Some(0x33),
        _ => None,
    }
}

impl CardSimulator for RefusesIccid {
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        let Some(tag) = by_iccid(command) else { return self.inner.process(command, response) };
        self.refused += 1;
        match self.refusal {
            Refusal::Result(code) => {
                response.extend_from_slice(&[0xBF, tag, 0x03, 0x80, 0x01, code, 0x90, 0x00])
            }
            Refusal::Status(sw) => response.extend_from_slice(&sw.to_be_bytes()),
        }
    }
}

const ICCID: &str = "8944478600004573128";

fn refusing(refusal: Refusal) -> Card<SimulatorTransport<RefusesIccid>> {
    let mut inner = SoftEuicc::new();
    let iccid: Iccid = ICCID.parse().unwrap();
    inner.install_profile_for_tests(ProfileInfo::new(iccid)).unwrap();
    Card::new(SimulatorTransport::new(RefusesIccid { inner, refusal, refused: 0 }))
}

fn state(card: &Card<SimulatorTransport<RefusesIccid>>) -> Vec<ProfileState> {
    card.transport().simulator().inner.state().profiles().iter().filter_map(|p| p.state).collect()
}

#[test]
fn enable_disable_delete_by_iccid_are_done_by_isdp_aid() {
    for refusal in
        [Refusal::Result(1), Refusal::Result(127), Refusal::Status(0x6A80), Refusal::Status(0x6A88)]
    {
        let mut card = refusing(refusal);
        let iccid: Iccid = ICCID.parse().unwrap();
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        isdr.enable_profile(iccid, false).unwrap();
        isdr.disable_profile(iccid, false).unwrap();
        isdr.close().unwrap();
        assert_eq!(state(&card), [ProfileState::Disabled], "{refusal:?}");
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        isdr.enable_profile(iccid, false).unwrap();
        drop(isdr);
        assert_eq!(state(&card), [ProfileState::Enabled], "{refusal:?}");
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        isdr.disable_profile(iccid, false).unwrap();
        isdr.delete_profile(iccid).unwrap();
        drop(isdr);
        assert!(state(&card).is_empty(), "{refusal:?}: deleted");
        assert_eq!(card.transport().simulator().refused, 5, "{refusal:?}: each by ICCID first");
    }
}

#[test]
fn without_the_fallback_the_refusal_is_the_answer() {
    let mut card = refusing(Refusal::Result(1));
    let options = IsdrOptions::default().with_isdp_aid_fallback(false);
    let mut isdr = Isdr::open(&mut card, &options).unwrap();
    let err = isdr.enable_profile(ICCID.parse::<Iccid>().unwrap(), false).unwrap_err();
    assert_eq!(
        oxicard_transport::ErrorChain(&err).to_string(),
        "EnableProfile failed: iccidOrAidNotFound (1)"
    );
    drop(isdr);
    assert_eq!(state(&card), [ProfileState::Disabled]);
}

#[test]
fn a_card_that_accepts_iccids_gets_no_extra_apdu() {
    let mut inner = SoftEuicc::new();
    let iccid: Iccid = ICCID.parse().unwrap();
    inner.install_profile_for_tests(ProfileInfo::new(iccid)).unwrap();
    let mut card = Card::new(SimulatorTransport::new(inner));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.enable_profile(iccid, false).unwrap();
    isdr.disable_profile(iccid, false).unwrap();
    isdr.delete_profile(iccid).unwrap();
    drop(isdr);
    let euicc = card.transport().simulator();
    // MANAGE CHANNEL, SELECT, three one-block STORE DATA, close.
    assert_eq!(euicc.commands_seen(), 6);
    assert_eq!(euicc.es10_requests_seen(), 3);
}
