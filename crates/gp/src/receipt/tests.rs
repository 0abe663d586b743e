//! No published receipt vectors exist (GlobalPlatformPro's `ReceiptVerifier` and
//! kaoh/globalplatform's `validate_*_receipt` have no test data). The expected receipts below were
//! computed with Python's `cryptography` package (an independent AES-CMAC and DES
//! implementation) over the receipt data of GPC v2.3.1 Tables 11-14, C-11, C-12, C-15; the keys
//! and confirmation data were made up for the test.

use proptest::prelude::*;

use super::*;

const PACKAGE: [u8; 8] = [0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x05, 0x01];
const INSTANCE: [u8; 9] = [0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x05, 0x01, 0x01];
const ISD: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];

fn h(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}

fn data() -> ConfirmationData {
    ConfirmationData {
        counter: 1,
        sd_unique_data: h("4F5849430001"),
        token_identifier: None,
        token_data_digest: None,
    }
}

#[test]
fn no_confirmation() {
    assert_eq!(Confirmation::from_response(&[0x00]).unwrap(), None);
    assert_eq!(Confirmation::from_response(&[]).unwrap(), None);
    let err = Confirmation::from_response(&[0x00, 0x00]).unwrap_err();
    assert_eq!((err.kind, err.offset), (DecodeErrorKind::TrailingData, 1));
}

#[test]
fn decodes_a_load_confirmation() {
    // 1A: confirmation length; 10 + 16-byte receipt; 02 0001; 06 SD unique data.
    let response = h("1B1028503627617D89F73F4799CEDD62F5F302000106 4F5849430001".replace(' ', "").as_str());
    let confirmation = Confirmation::from_response(&response).unwrap().unwrap();
    assert_eq!(confirmation.receipt, h("28503627617D89F73F4799CEDD62F5F3"));
    assert_eq!(confirmation.data, data());
    assert_eq!(confirmation.to_response().unwrap(), response);
    let key = ReceiptKey::aes(&h("404142434445464748494A4B4C4D4E4F")).unwrap();
    let load = ReceiptContext::Load { load_file: &PACKAGE, security_domain: &ISD };
    confirmation.verify(&key, &load).unwrap();
    // Another SD AID, another counter, another key: refused.
    let other = ReceiptContext::Load { load_file: &PACKAGE, security_domain: &PACKAGE };
    assert_eq!(confirmation.verify(&key, &other), Err(ReceiptError::Mismatch));
    let mut replayed = confirmation.clone();
    replayed.data.counter = 2;
    assert_eq!(replayed.verify(&key, &load), Err(ReceiptError::Mismatch));
    let wrong = ReceiptKey::aes(&[0x40; 16]).unwrap();
    assert_eq!(confirmation.verify(&wrong, &load), Err(ReceiptError::Mismatch));
}

#[test]
fn receipts_under_aes_and_des_keys() {
    let aes = ReceiptKey::aes(&h("404142434445464748494A4B4C4D4E4F")).unwrap();
    let des = ReceiptKey::des(&h("404142434445464748494A4B4C4D4E4F")).unwrap();
    let load = ReceiptContext::Load { load_file: &PACKAGE, security_domain: &ISD };
    let install = ReceiptContext::Install { load_file: &PACKAGE, application: &INSTANCE };
    let delete = ReceiptContext::Delete { aid: &PACKAGE };
    assert_eq!(aes.receipt(&data(), &load).unwrap(), h("28503627617d89f73f4799cedd62f5f3"));
    assert_eq!(aes.receipt(&data(), &install).unwrap(), h("d7d9cde518921746d6963f8a4ad75daf"));
    assert_eq!(aes.receipt(&data(), &delete).unwrap(), h("c7a61e902834ee1a95d03463b7c4c137"));
    assert_eq!(des.receipt(&data(), &load).unwrap(), h("c930de517307a1a6"));
    let confirmation = Confirmation { receipt: h("c930de517307a1a6"), data: data() };
    confirmation.verify(&des, &load).unwrap();
    let none = Confirmation { receipt: Vec::new(), data: data() };
    assert_eq!(none.verify(&des, &load), Err(ReceiptError::NoReceipt));
    assert_eq!(ReceiptKey::aes(&[0; 15]).unwrap_err(), ReceiptError::KeyLength(15));
    assert_eq!(ReceiptKey::des(&[0; 24]).unwrap_err(), ReceiptError::KeyLength(24));
    assert!(format!("{aes:?}").contains("[redacted]"));
}

#[test]
fn token_fields_and_long_forms() {
    let mut with_token = data();
    with_token.token_identifier = Some(vec![0x93; 3]);
    with_token.token_data_digest = Some(vec![0xDD; 32]);
    // A 128-byte receipt needs `81 80`, and so does the confirmation around it.
    let confirmation = Confirmation { receipt: vec![0x5A; 128], data: with_token };
    let response = confirmation.to_response().unwrap();
    assert_eq!(response[..4], [0x81, 0xB1, 0x81, 0x80]);
    assert_eq!(Confirmation::from_response(&response).unwrap(), Some(confirmation));
    // A digest needs an identifier before it (possibly empty): positional fields.
    let mut digest_only = data();
    digest_only.token_data_digest = Some(vec![1]);
    let decoded = ConfirmationData::decode(&digest_only.encode().unwrap()).unwrap();
    assert_eq!(decoded.token_identifier, Some(Vec::new()));
    assert_eq!(decoded.token_data_digest, Some(vec![1]));
}

#[test]
fn decode_errors_have_kind_and_offset() {
    let cases: [(&str, DecodeErrorKind, usize); 10] = [
        ("82000100", DecodeErrorKind::InvalidLength, 0),
        ("05", DecodeErrorKind::Truncated, 1),
        ("0100", DecodeErrorKind::Missing, 2),
        ("0504010203 04", DecodeErrorKind::Missing, 6),
        ("0506 01020304", DecodeErrorKind::Truncated, 6),
        ("0600020001 01AA 90", DecodeErrorKind::TrailingData, 7),
        ("07000300010001AA", DecodeErrorKind::InvalidLength, 2),
        ("0600020001 02AA", DecodeErrorKind::Truncated, 7),
        ("0700020001 01AA 05", DecodeErrorKind::Truncated, 8),
        ("0900020001 01AA 00 00 FF", DecodeErrorKind::TrailingData, 9),
    ];
    for (bytes, kind, offset) in cases {
        let err = Confirmation::from_response(&h(&bytes.replace(' ', ""))).unwrap_err();
        assert_eq!((err.kind, err.offset), (kind, offset), "{bytes}");
    }
    let err = ConfirmationData::decode(&h("020001010000FF")).unwrap_err();
    assert_eq!((err.kind, err.offset), (DecodeErrorKind::Truncated, 7));
    let err = ConfirmationData::decode(&h("02000101AA0000FF")).unwrap_err();
    assert_eq!((err.kind, err.offset), (DecodeErrorKind::TrailingData, 7));
}

#[test]
fn too_long_fields_are_errors() {
    let mut long = data();
    long.sd_unique_data = vec![0; 256];
    assert_eq!(
        long.encode().unwrap_err(),
        ReceiptError::TooLong { field: "security domain unique data", len: 256 }
    );
    let big = Confirmation { receipt: vec![0; 250], data: data() };
    assert_eq!(big.to_response().unwrap_err(), ReceiptError::TooLong { field: "confirmation", len: 262 });
}

proptest! {
    #[test]
    fn confirmation_round_trip(counter in any::<u16>(),
                               receipt in proptest::collection::vec(any::<u8>(), 0..100),
                               unique in proptest::collection::vec(any::<u8>(), 0..40),
                               token in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
                               digest in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40))) {
        let token_identifier = if digest.is_some() { Some(token.unwrap_or_default()) } else { token };
        let confirmation = Confirmation {
            receipt,
            data: ConfirmationData { counter, sd_unique_data: unique, token_identifier, token_data_digest: digest },
        };
        let response = confirmation.to_response().unwrap();
        prop_assert_eq!(Confirmation::from_response(&response).unwrap(), Some(confirmation));
    }

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(Some(confirmation)) = Confirmation::from_response(&bytes) {
            let again = confirmation.to_response().unwrap();
            prop_assert_eq!(Confirmation::from_response(&again).unwrap(), Some(confirmation));
        }
    }
}
