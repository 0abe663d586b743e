//! Response APDUs `data SW1 SW2` (ISO/IEC 7816-4 §5.1).

use oxicard_apdu::{ErrorKind, Response, ResponseView, StatusWord};
use proptest::prelude::*;

#[allow(clippy::unwrap_used)] // test helper
fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

#[test]
fn gp_card_data_response() {
    // Card data returned by a real card to GET DATA 80CA006600, from osmocom/pysim
    // pySim/global_platform/__init__.py (comment "card data sample"); the
    // status word 9000 is appended here (the sample gives the data only).
    let data = hex("6631 732f 0607 2a864886fc6b01 600c 060a 2a864886fc6b02020101 \
         6309 0607 2a864886fc6b03 640b 0609 2a864886fc6b040215");
    let bytes = [data.clone(), hex("9000")].concat();
    let view = ResponseView::parse(&bytes).unwrap();
    assert_eq!(view.data(), &data[..]);
    assert_eq!(view.sw(), StatusWord::SUCCESS);
    assert_eq!(view.to_vec(), bytes);
    assert_eq!(view.encoded_len(), 53);
}

#[test]
fn status_only_and_errors() {
    // Hand-built: a lone status word, then too-short inputs.
    let bytes = hex("6A82");
    let view = ResponseView::parse(&bytes).unwrap();
    assert!(view.data().is_empty());
    assert_eq!(view.sw(), StatusWord::FILE_NOT_FOUND);
    let err = ResponseView::parse(&[]).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::Truncated, 0));
    let err = Response::parse(&[0x90]).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::Truncated, 1));
}

#[test]
fn encode_into() {
    let view = ResponseView::new(&[1, 2, 3], StatusWord::new(0x61, 0x10));
    let mut small = [0u8; 4];
    let err = view.encode_into(&mut small).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::BufferTooSmall, 5));
    let mut buf = [0xEEu8; 6];
    assert_eq!(view.encode_into(&mut buf).unwrap(), 5);
    assert_eq!(buf, [1, 2, 3, 0x61, 0x10, 0xEE]);
}

#[test]
fn owned_response() {
    let r = Response::new(vec![0xCA, 0xFE], StatusWord::SUCCESS);
    assert_eq!(r.data(), &[0xCA, 0xFE]);
    assert_eq!(r.sw(), StatusWord::SUCCESS);
    assert_eq!(r.to_vec(), hex("CAFE9000"));
    assert_eq!(r.encoded_len(), 4);
    let mut buf = [0u8; 4];
    assert_eq!(r.encode_into(&mut buf).unwrap(), 4);
    assert_eq!(Response::from(r.as_view()), r);
    assert_eq!(r.as_view().to_response(), r);
    assert_eq!(r.clone().into_data(), vec![0xCA, 0xFE]);
    assert_eq!(r.into_parts(), (vec![0xCA, 0xFE], StatusWord::SUCCESS));
}

proptest! {
    #[test]
    fn response_round_trip(data in proptest::collection::vec(any::<u8>(), 0..=600), sw in any::<u16>()) {
        let r = Response::new(data.clone(), StatusWord::from_u16(sw));
        let bytes = r.to_vec();
        prop_assert_eq!(bytes.len(), data.len() + 2);
        prop_assert_eq!(&bytes[..data.len()], &data[..]);
        prop_assert_eq!(&bytes[data.len()..], &sw.to_be_bytes()[..]);
        prop_assert_eq!(Response::parse(&bytes).unwrap(), r);
    }

    #[test]
    fn any_two_or_more_bytes_parse(bytes in proptest::collection::vec(any::<u8>(), 2..=64)) {
        prop_assert_eq!(ResponseView::parse(&bytes).unwrap().to_vec(), bytes);
    }
}
