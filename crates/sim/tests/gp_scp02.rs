//! The simulated GP card speaking SCP02 (GPC v2.3.1 Appendix E), driven by the library's
//! connect policy: the protocol and "i" read from the card's Card Recognition Data, a CAP file
//! installed, a DES key set put (PUT KEY under the DEK session key) and used, wrong keys
//! refused before EXTERNAL AUTHENTICATE, the SCP02 setting kept in the state file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_gp::cap::CapFile;
use oxicard_gp::connect::{ConnectOptions, Evidence, Protocol, connect};
use oxicard_gp::keys::TEST_KEY;
use oxicard_gp::ops::{self, InstallCapOptions, install_cap};
use oxicard_gp::status::{Kind, get_status};
use oxicard_secure_channel::scp02::IParameter;
use oxicard_secure_channel::scp03::{SecurityLevel, StaticKeys};
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::sim::SimulatorTransport;

fn keys(kvn: u8, key: &[u8]) -> StaticKeys {
    StaticKeys::new(kvn, key, key, key).unwrap()
}

fn scp02_card(i: IParameter) -> GpCard {
    GpCard::new(&DEFAULT_ISD_AID, keys(0x20, &TEST_KEY)).with_scp02(i)
}

#[test]
fn connect_install_and_rotate_keys_over_scp02() {
    for i in [IParameter::I15, IParameter::I55] {
        let mut card = Card::new(SimulatorTransport::new(scp02_card(i)));
        let mut session = connect(&mut card, &keys(0x20, &TEST_KEY), &ConnectOptions::new()).unwrap();
        let info = session.info().clone();
        assert_eq!(
            (info.protocol, info.evidence, info.i),
            (Protocol::Scp02, Evidence::CardRecognitionData, i.byte())
        );
        assert_eq!(info.level, SecurityLevel::C_DEC_C_MAC);
        let cap = CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap();
        let installed = install_cap(&mut session, &cap, &InstallCapOptions::default()).unwrap();
        let apps = get_status(&mut session, Kind::Applications).unwrap();
        assert!(apps.iter().any(|e| e.aid == installed.instances[0].as_bytes()));

        // A new DES key set, version 21, replacing 20: encrypted under the DEK session key.
        let new_key = [0x11u8; 16];
        let put = session.new_key_set(Some(0x20), 0x21, [&new_key, &new_key, &new_key]).unwrap();
        ops::put_key(&mut session, &put).unwrap();
        drop(session);
        assert_eq!(card.transport().simulator().key_versions(), [0x21]);
        // The old keys are gone; the new ones open a session.
        let error = connect(&mut card, &keys(0x20, &TEST_KEY), &ConnectOptions::new()).unwrap_err();
        assert!(!error.wrong_keys(), "key version 20 is gone: {error:?}");
        let error = connect(&mut card, &keys(0x21, &TEST_KEY), &ConnectOptions::new()).unwrap_err();
        assert!(error.wrong_keys(), "{error:?}");
        let mut session = connect(&mut card, &keys(0x21, &new_key), &ConnectOptions::new()).unwrap();
        assert!(!get_status(&mut session, Kind::LoadFiles).unwrap().is_empty());
    }
}

#[test]
fn the_scp02_setting_survives_a_new_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gp.json");
    let fresh = || scp02_card(IParameter::I15);
    drop(GpCard::open(&path, fresh).unwrap());
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("\"scp02I\": \"15\""), "{saved}");
    // Reopened from the file (the fallback would be an SCP03 card): still SCP02.
    let reopened = GpCard::open(&path, || GpCard::new(&DEFAULT_ISD_AID, keys(0x20, &TEST_KEY))).unwrap();
    let mut card = Card::new(SimulatorTransport::new(reopened));
    let session = connect(&mut card, &keys(0x20, &TEST_KEY), &ConnectOptions::new()).unwrap();
    assert_eq!(session.info().protocol, Protocol::Scp02);
}
