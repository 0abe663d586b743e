//! Command chaining (ISO/IEC 7816-4 §5.3.3): split and reassemble.

use oxicard_apdu::chain::{Reassembler, split};
use oxicard_apdu::{Command, CommandView, ErrorKind};
use proptest::prelude::*;

#[allow(clippy::unwrap_used)] // test helper
fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

#[test]
fn iso7816_crate_chained_vector() {
    // trussed-dev/iso7816 src/command.rs test `building_chained`: 200 bytes of 05
    // through a 105-byte buffer give `10 01 02 03 64 [05; 100]` (CLA with the
    // chaining bit), then the unchained rest `00 01 02 03 64 [05; 100]`.
    let data = [5u8; 200];
    let command = CommandView::new(0x00, 0x01, 0x02, 0x03).with_data(&data);
    let parts: Vec<Vec<u8>> = split(&command, 100).unwrap().map(|p| p.to_vec().unwrap()).collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0], [hex("10 01 02 03 64"), vec![5; 100]].concat());
    assert_eq!(parts[1], [hex("00 01 02 03 64"), vec![5; 100]].concat());
}

#[test]
fn split_600_bytes_at_255() {
    // Hand-built: what the card layer does for a 600-byte command on a card
    // without extended length: 255 + 255 + 90, Le only on the last part.
    let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
    let command = CommandView::new(0x80, 0xE8, 0x00, 0x00).with_data(&data).with_ne(256).with_extended(true);
    let chain = split(&command, 255).unwrap();
    assert_eq!(chain.len(), 3);
    let parts: Vec<CommandView<'_>> = chain.collect();
    assert_eq!(parts[0].to_vec().unwrap(), [hex("90E80000 FF"), data[..255].to_vec()].concat());
    assert_eq!(parts[1].to_vec().unwrap(), [hex("90E80000 FF"), data[255..510].to_vec()].concat());
    assert_eq!(parts[2].to_vec().unwrap(), [hex("80E80000 5A"), data[510..].to_vec(), hex("00")].concat());
    assert!(parts.iter().all(|p| !p.is_extended()));
}

#[test]
fn exact_size_iterator() {
    let data = [0u8; 10];
    let command = CommandView::new(0, 0xD6, 0, 0).with_data(&data);
    let mut chain = split(&command, 3).unwrap();
    for left in (0..=4).rev() {
        assert_eq!(chain.len(), left);
        assert_eq!(chain.next().is_some(), left > 0);
    }
    assert!(chain.next().is_none());
    assert_eq!(split(&command, 10).unwrap().len(), 1);
    assert_eq!(split(&command, 9).unwrap().len(), 2);
}

#[test]
fn empty_data_is_one_part() {
    let command = CommandView::new(0x00, 0xCA, 0x00, 0x66).with_ne(256).with_extended(true);
    let parts: Vec<_> = split(&command, 255).unwrap().collect();
    assert_eq!(parts, vec![command.with_extended(false)]);
    assert_eq!(parts[0].to_vec().unwrap(), hex("00CA006600"));
}

#[test]
fn split_errors() {
    let data = [0u8; 4];
    let command = CommandView::new(0, 0xD6, 0, 0).with_data(&data);
    for max in [0, 256] {
        let err = split(&command, max).unwrap_err();
        assert_eq!((err.kind, err.offset), (ErrorKind::InvalidValue, 0));
    }
    let err = split(&command.with_ne(257), 255).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::NeTooLarge, 4));
    // CLA EF with the chaining bit would be the invalid FF.
    let err = split(&command.with_cla(0xEF), 2).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::InvalidValue, 0));
    assert_eq!(split(&command.with_cla(0xEF), 4).unwrap().len(), 1);
    let big = vec![0u8; 65_536];
    let err = split(&command.with_data(&big), 255).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DataTooLong);
}

#[test]
fn reassembler_joins_parts() {
    let mut r = Reassembler::new(1000);
    assert!(r.is_idle());
    let p1 = hex("10DB3FFF 03 010203");
    let p2 = hex("10DB3FFF 02 0405");
    let p3 = hex("00DB3FFF 01 06 00");
    assert_eq!(r.push(&CommandView::parse(&p1).unwrap()).unwrap(), None);
    assert!(!r.is_idle());
    assert_eq!(r.buffered_len(), 3);
    assert_eq!(r.push(&CommandView::parse(&p2).unwrap()).unwrap(), None);
    let whole = r.push(&CommandView::parse(&p3).unwrap()).unwrap().unwrap();
    assert_eq!(whole, Command::new(0x00, 0xDB, 0x3F, 0xFF).with_data(vec![1, 2, 3, 4, 5, 6]).with_ne(256));
    assert!(r.is_idle());
    assert_eq!(r.buffered_len(), 0);
    assert_eq!(r.max_len(), 1000);
}

#[test]
fn reassembler_lone_command() {
    let mut r = Reassembler::new(16);
    let bytes = hex("00A40400 02 3F00 00");
    let view = CommandView::parse(&bytes).unwrap();
    assert_eq!(r.push(&view).unwrap(), Some(view.to_command()));
    assert!(r.is_idle());
}

#[test]
fn reassembler_mismatch_resets() {
    let mut r = Reassembler::new(100);
    let first = CommandView::new(0x10, 0xDB, 0x3F, 0xFF).with_data(&[1]);
    r.push(&first).unwrap();
    // Another INS: the offset is the header byte that differs.
    let err = r.push(&CommandView::new(0x00, 0xDA, 0x3F, 0xFF).with_data(&[2])).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::ChainingMismatch, 1));
    assert!(r.is_idle());
    assert_eq!(r.buffered_len(), 0);
    // Another channel in CLA.
    r.push(&first).unwrap();
    let err = r.push(&CommandView::new(0x01, 0xDB, 0x3F, 0xFF)).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::ChainingMismatch, 0));
    // P2 differs.
    r.push(&first).unwrap();
    let err = r.push(&CommandView::new(0x10, 0xDB, 0x3F, 0xFE)).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::ChainingMismatch, 3));
    assert!(r.is_idle());
}

#[test]
fn reassembler_limit_and_reset() {
    let mut r = Reassembler::new(4);
    r.push(&CommandView::new(0x10, 0xDB, 0, 0).with_data(&[1, 2, 3])).unwrap();
    let err = r.push(&CommandView::new(0x00, 0xDB, 0, 0).with_data(&[4, 5])).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::DataTooLong, 4));
    assert!(r.is_idle());
    let err = r.push(&CommandView::new(0x00, 0xDB, 0, 0).with_data(&[0; 5])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DataTooLong);
    r.push(&CommandView::new(0x10, 0xDB, 0, 0).with_data(&[1])).unwrap();
    r.reset();
    assert!(r.is_idle());
    assert_eq!(r.buffered_len(), 0);
}

proptest! {
    #[test]
    fn split_then_reassemble(
        cla in prop_oneof![Just(0x00u8), Just(0x80), Just(0x84), 0x40u8..=0x4F, 0xC0u8..=0xCF],
        ins in any::<u8>(), p1 in any::<u8>(), p2 in any::<u8>(),
        data in proptest::collection::vec(any::<u8>(), 0..=1500),
        ne in 0u32..=256,
        max_data in 1usize..=255,
    ) {
        let command = CommandView::new(cla, ins, p1, p2).with_data(&data).with_ne(ne);
        let chain = split(&command, max_data).unwrap();
        let count = chain.len();
        prop_assert_eq!(count, data.len().div_ceil(max_data).max(1));
        let mut r = Reassembler::new(65_535);
        let mut whole = None;
        for (i, part) in chain.enumerate() {
            prop_assert!(part.data().len() <= max_data);
            prop_assert!(!part.is_extended());
            let bytes = part.to_vec().unwrap();
            let parsed = CommandView::parse(&bytes).unwrap();
            let out = r.push(&parsed).unwrap();
            prop_assert_eq!(out.is_some(), i + 1 == count);
            whole = out;
        }
        let whole = whole.unwrap();
        prop_assert_eq!(whole.header(), command.header());
        prop_assert_eq!(whole.data(), &data[..]);
        prop_assert_eq!(whole.ne(), ne);
        prop_assert!(r.is_idle());
    }
}
