//! The GlobalPlatform operations through an SCP03 session at every security level, against the
//! secure-channel crate's SCP03 card simulator replaying canned GP answers.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardChannel};
use oxicard_gp::command::PutKey;
use oxicard_gp::ops;
use oxicard_gp::status::{Kind, LifeCycle, get_status};
use oxicard_secure_channel::scp03::{
    IParameter, OpenOptions, Scp03Session, SecretKey, SecurityLevel, StaticKeys,
};
use oxicard_secure_channel::testcard::{Scp03TestCard, Scp03TestCardConfig};
use oxicard_transport::sim::SimulatorTransport;

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

// GlobalPlatformPro TestParseTags.testParseISD.
const ISD: &str = "E3144F07A00000015100009F700107C50180EA028000";

#[test]
fn every_level() {
    let dek = SecretKey::from_slice(&[0x42; 16]).unwrap();
    let new = SecretKey::from_slice(&[0x55; 16]).unwrap();
    let put_key = PutKey::aes_key_set(&dek, Some(0x30), 0x31, [&new, &new, &new]).unwrap();
    let mut answer = put_key.expected_response.clone();
    answer.extend_from_slice(&[0x90, 0x00]);
    for level in SecurityLevel::ALL {
        let mut config = Scp03TestCardConfig::new(keys(), IParameter::from_byte(0x70).unwrap());
        config.canned = vec![
            (h("80F28002024F0000"), h(&format!("{ISD}9000"))),
            (h("80F24002024F0000"), h("6A88")),
            (put_key.command.to_vec().unwrap(), answer.clone()),
        ];
        let mut card = Card::new(SimulatorTransport::new(Scp03TestCard::new(config)));
        let mut session = Scp03Session::open(&mut card, &keys(), level, &OpenOptions::new()).unwrap();
        let expected_room = match (level.c_mac(), level.c_dec()) {
            (false, _) => 255,
            (true, false) => 247,
            (true, true) => 239,
        };
        assert_eq!(session.max_command_data(), expected_room, "{level:?}");
        let isd = get_status(&mut session, Kind::IssuerSecurityDomain).unwrap();
        assert_eq!(isd[0].aid, h("A0000001510000"));
        assert_eq!(isd[0].life_cycle(), LifeCycle::Initialized);
        assert!(get_status(&mut session, Kind::Applications).unwrap().is_empty());
        ops::put_key(&mut session, &put_key).unwrap();
    }
}
