use oxicard_apdu::card::CardError;
use oxicard_apdu::{Response, StatusWord};
use oxicard_secure_channel::scp03::SecretKey;

use super::*;
use crate::status::tests::Script;

fn ok(data: &str) -> Response {
    Response::new(hex::decode(data).unwrap(), StatusWord::SUCCESS)
}

#[test]
fn load_and_install_hellostk() {
    let cap = CapFile::from_zip(include_bytes!("../../testdata/hellostk.cap")).unwrap();
    let mut card = Script { answers: vec![ok("00"), ok(""), ok("00"), ok("")], seen: Vec::new() };
    assert_eq!(load(&mut card, &cap, &[], LoadOptions::default(), None).unwrap(), [0x00]);
    assert_eq!(card.seen.len(), 3);
    assert_eq!(hex::encode_upper(&card.seen[0]), "80E602000A05D07002CA440000000000");
    assert_eq!(card.seen[1][..4], [0x80, 0xE8, 0x00, 0x00]);
    assert_eq!(card.seen[2][..4], [0x80, 0xE8, 0x80, 0x01]);
    let instance = Instance::of(cap.package_aid(), cap.applet_aids()[0]);
    install(&mut card, &instance, Privileges::NONE, &InstallParameters::default()).unwrap();
    assert_eq!(
        hex::encode_upper(&card.seen[3]),
        "80E60C001E05D07002CA4408D07002CA4490010108D07002CA4490010101000 2C90000 00".replace(' ', "")
    );
}

#[test]
fn refusals() {
    let mut card =
        Script { answers: vec![Response::new(vec![], StatusWord::from_u16(0x6A80))], seen: Vec::new() };
    assert!(matches!(
        delete(&mut card, &oxicard_apdu::Aid::from_array([0xA0, 0, 0, 0, 1]), true),
        Err(OpError::Card(GpError::Status { operation: "DELETE", .. }))
    ));
    let mut card = Script { answers: vec![], seen: Vec::new() };
    assert!(matches!(
        get_data(&mut card, 0x66),
        Err(GpError::Transmit(CardError::MalformedResponse { len: 0 }))
    ));
}

#[test]
fn put_key_checks_kcvs() {
    let k = SecretKey::from_slice(&hex::decode("000102030405060708090a0b0c0d0e0f").unwrap()).unwrap();
    let pk = PutKey::aes_key_set(&k, None, 0x31, [&k, &k, &k]).unwrap();
    let mut card = Script { answers: vec![ok("31c35280c35280c35280")], seen: Vec::new() };
    put_key(&mut card, &pk).unwrap();
    let mut card = Script { answers: vec![ok("30c35280c35280c35280")], seen: Vec::new() };
    assert!(matches!(put_key(&mut card, &pk), Err(GpError::Mismatch { operation: "PUT KEY" })));
}
