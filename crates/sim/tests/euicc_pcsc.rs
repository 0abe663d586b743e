//! The software eUICC as a card in a real PC/SC reader: our LPA -> `PcscCard` -> libpcsclite
//! -> `pcscd` -> `vsmartcard-vpcd` -> the vpcd bridge -> `SoftEuicc`.
//!
//! Needs `scripts/pcsc-stack.sh start`. Without the stack the test skips, except under
//! `CI=true`, where it fails (the rule of `crates/apdu/tests/pcsc_card.rs`). It uses the second
//! vpcd slot so that it does not wait on the card-layer tests of slot 0.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::{ProfileInfo, ProfileState};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::{DEFAULT_ATR, SoftEuicc};
use oxicard_transport::pcsc::ConnectOptions;
use oxicard_transport::testbed::VirtualReader;

/// Slot 1 of the virtual reader, or `None` (skip) when the stack is absent outside CI.
fn reader() -> Option<VirtualReader> {
    VirtualReader::open_for_test(1).expect("CI=true: the PC/SC stack must be usable")
}

#[test]
fn pcsc_lpa_manages_the_software_euicc_through_pcscd() {
    let Some(reader) = reader() else { return };
    let iccid: Iccid = "8944478600004573128".parse().unwrap();
    let mut euicc = SoftEuicc::new();
    euicc.install_profile_for_tests(ProfileInfo::new(iccid)).unwrap();
    let inserted = reader.insert(euicc).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    assert_eq!(card.atr(), DEFAULT_ATR);
    {
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        assert_eq!(isdr.eid().unwrap().digits(), "89882119900000000000000000000005");
        isdr.enable_profile(iccid, false).unwrap();
        isdr.set_nickname(iccid, "via pcscd").unwrap();
        let profiles = isdr.profiles().unwrap();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].state, Some(ProfileState::Enabled));
        assert_eq!(profiles[0].nickname.as_deref(), Some("via pcscd"));
        isdr.close().unwrap();
    }
    drop(card);
    let euicc = reader.remove(inserted).unwrap();
    // MANAGE CHANNEL, SELECT, GetEID, Enable, SetNickname, GetProfilesInfo, close: 7 APDUs.
    assert_eq!(euicc.commands_seen(), 7);
    assert_eq!(euicc.state().enabled_profile().unwrap().nickname.as_deref(), Some("via pcscd"));
}
