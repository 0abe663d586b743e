//! Every BER-TLV error kind with its exact absolute offset. The inputs are
//! hand-built examples (not sourced vectors) of the malformations X.690 §8.1 and
//! §10.1 describe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::tlv::{self, MAX_DEPTH, Mode, Reader, Tag, Tlv, Writer};
use oxicard_apdu::{Error, ErrorKind};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

const fn t(v: u32) -> Tag {
    Tag::from_u32_unchecked(v)
}

fn err(kind: ErrorKind, offset: usize) -> Error {
    Error::new(kind, offset)
}

/// Both `Tlv::parse` and `validate` report `expected`, in both modes.
fn both_modes(hex: &str, expected: Error) {
    let bytes = h(hex);
    for mode in [Mode::Der, Mode::Lenient] {
        assert_eq!(tlv::validate(&bytes, mode), Err(expected), "{hex} {mode:?}");
        assert_eq!(Tlv::validate(&bytes, mode), Err(expected), "{hex} {mode:?}");
    }
}

#[test]
fn empty_input() {
    assert_eq!(Tlv::parse(&[], Mode::Der), Err(err(ErrorKind::Truncated, 0)));
    assert_eq!(Tlv::parse_prefix(&[], Mode::Lenient), Err(err(ErrorKind::Truncated, 0)));
    assert_eq!(Reader::new(&[], Mode::Der).read(), Ok(None));
}

#[test]
fn truncated_tag() {
    both_modes("9F", err(ErrorKind::Truncated, 1));
    both_modes("1F81", err(ErrorKind::Truncated, 2));
    both_modes("5F", err(ErrorKind::Truncated, 1));
    // Inside a constructed value: the first byte missing is the end of the parent's value.
    both_modes("6F01 9F", err(ErrorKind::Truncated, 3));
    assert_eq!(Tag::from_bytes(&[0xBF, 0x81]), Err(err(ErrorKind::Truncated, 2)));
    assert_eq!(Tag::from_bytes(&[]), Err(err(ErrorKind::Truncated, 0)));
}

#[test]
fn truncated_length() {
    both_modes("84", err(ErrorKind::Truncated, 1));
    both_modes("84 82 01", err(ErrorKind::Truncated, 3));
    both_modes("9F65 84 0000", err(ErrorKind::Truncated, 5));
    both_modes("A504 8001 9F65", err(ErrorKind::Truncated, 6));
}

#[test]
fn truncated_value() {
    both_modes("84 03 0102", err(ErrorKind::Truncated, 4));
    both_modes("84 81 80", err(ErrorKind::Truncated, 3));
    both_modes("84 84 FFFFFFFF 00", err(ErrorKind::Truncated, 7));
    // The child's length reaches past its parent's value, though not past the
    // buffer: the parent's end (4) is reported.
    let bytes = h("6F02 8405 0102030405");
    let (parent, rest) = Tlv::parse_prefix(&bytes, Mode::Der).unwrap();
    assert_eq!(rest.len(), 5);
    let mut children = parent.children();
    assert_eq!(children.next(), Some(Err(err(ErrorKind::Truncated, 4))));
    assert_eq!(children.next(), None);
    assert_eq!(children.read(), Err(err(ErrorKind::Truncated, 4)), "read() repeats the error");
    assert_eq!(parent.find(t(0x84)), Err(err(ErrorKind::Truncated, 4)));
}

#[test]
fn non_minimal_length_der_only() {
    let bytes = h("84 8105 0102030405");
    assert_eq!(Tlv::parse(&bytes, Mode::Der), Err(err(ErrorKind::NonMinimalLength, 1)));
    let lenient = Tlv::validate(&bytes, Mode::Lenient).unwrap();
    assert_eq!(lenient.value(), h("0102030405"));
    assert_eq!(lenient.value_offset(), 3);
    assert_eq!(lenient.mode(), Mode::Lenient);
    // Re-encoding gives the DER form.
    let mut w = Writer::new();
    w.reencode(&lenient).unwrap();
    assert_eq!(w.finish(), h("8405 0102030405"));

    for (hex, offset) in [
        ("84 8100", 1),              // 0 in the long form
        ("84 8200 80", 1),           // leading zero byte (would be 81 80)
        ("84 830000 01 00", 1),      // 1 in three bytes
        ("6F05 84 8101 00 0000", 3), // nested: absolute offset of the length
    ] {
        let bytes = h(hex);
        assert_eq!(tlv::validate(&bytes, Mode::Der), Err(err(ErrorKind::NonMinimalLength, offset)), "{hex}");
    }
    tlv::validate(&h("84 8100"), Mode::Lenient).unwrap();
    tlv::validate(&h("84 8200 80").into_iter().chain([0; 0x80]).collect::<Vec<_>>(), Mode::Lenient).unwrap();
    tlv::validate(&h("84 8180").into_iter().chain([0; 0x80]).collect::<Vec<_>>(), Mode::Der).unwrap();
}

#[test]
fn indefinite_length() {
    both_modes("30 80 0400 0000", err(ErrorKind::IndefiniteLength, 1));
    both_modes("A003 9F65 80", err(ErrorKind::IndefiniteLength, 4));
}

#[test]
fn length_of_five_bytes() {
    both_modes("04 85 0000000001 00", err(ErrorKind::LengthTooLarge, 1));
    both_modes("04 FF", err(ErrorKind::LengthTooLarge, 1));
    // Four length bytes are fine.
    let bytes = h("04 84 01000000").into_iter().chain(vec![0; 0x0100_0000]).collect::<Vec<_>>();
    assert_eq!(Tlv::parse(&bytes, Mode::Der).unwrap().value().len(), 0x0100_0000);
}

#[test]
fn tag_of_five_bytes() {
    both_modes("1F818181 01 00", err(ErrorKind::InvalidTag, 0));
    both_modes("A006 1F81818101 00", err(ErrorKind::InvalidTag, 2));
    assert_eq!(Tag::from_bytes(&h("DF81818101")), Err(err(ErrorKind::InvalidTag, 0)));
    // A 4-byte tag whose last byte says "more" needs a fifth byte: invalid, not truncated.
    assert_eq!(Tag::from_bytes(&h("DF818181")), Err(err(ErrorKind::InvalidTag, 0)));
    // Four bytes are fine.
    let bytes = h("1F818101 00");
    let tlv = Tlv::parse(&bytes, Mode::Der).unwrap();
    assert_eq!(tlv.tag(), t(0x1F81_8101));
    assert_eq!(tlv.tag().number(), (1 << 14) + (1 << 7) + 1);
}

#[test]
fn non_minimal_tag_der_only() {
    // Number 30 fits in the first byte (X.690 §8.1.2.3).
    let bytes = h("1F1E 01 AA");
    assert_eq!(Tlv::parse(&bytes, Mode::Der), Err(err(ErrorKind::NonMinimalTag, 0)));
    let lenient = Tlv::parse(&bytes, Mode::Lenient).unwrap();
    assert_eq!(lenient.tag(), t(0x1F1E));
    assert_eq!(lenient.tag().number(), 30);
    assert_eq!(lenient.value(), [0xAA]);
    // First subsequent byte 80: a leading zero group (X.690 §8.1.2.4.2 c).
    let bytes = h("6F04 9F8001 00");
    assert_eq!(tlv::validate(&bytes, Mode::Der), Err(err(ErrorKind::NonMinimalTag, 2)));
    let lenient = Tlv::validate(&bytes, Mode::Lenient).unwrap();
    let child = lenient.children().next().unwrap().unwrap();
    assert_eq!((child.tag(), child.tag().number()), (t(0x9F8001), 1));
    assert_eq!(Tag::from_bytes(&h("5F1F")), Ok((t(0x5F1F), 2)), "31 is the first high-form number");
    assert_eq!(Tag::from_bytes(&h("5F1E")), Err(err(ErrorKind::NonMinimalTag, 0)));
    assert_eq!(Tag::from_bytes_mode(&h("5F1E"), Mode::Lenient), Ok((t(0x5F1E), 2)));
}

/// `n` nested constructed objects, the innermost empty: `30 len 30 len … 30 00`.
fn nested(n: usize) -> Vec<u8> {
    let mut w = Writer::new();
    fn go(w: &mut Writer, n: usize) {
        if n > 0 {
            w.constructed(t(0x30), |w| go(w, n - 1));
        }
    }
    go(&mut w, n);
    w.finish()
}

#[test]
fn depth_limit() {
    let ok = nested(MAX_DEPTH);
    assert_eq!(ok.len(), 2 * MAX_DEPTH);
    tlv::validate(&ok, Mode::Der).unwrap();
    // 33 levels: the 33rd tag is at offset 2 * 32 = 64.
    let deep = nested(MAX_DEPTH + 1);
    assert_eq!(&deep[..4], h("3040 303E"));
    for mode in [Mode::Der, Mode::Lenient] {
        assert_eq!(tlv::validate(&deep, mode), Err(err(ErrorKind::DepthExceeded, 64)));
        assert_eq!(Tlv::validate(&deep, mode), Err(err(ErrorKind::DepthExceeded, 64)));
    }
    // A hand-written walk through children() meets the same limit.
    let mut tlv = Tlv::parse(&deep, Mode::Der).unwrap();
    for _ in 1..MAX_DEPTH {
        tlv = tlv.children().next().unwrap().unwrap();
    }
    assert_eq!((tlv.depth(), tlv.offset()), (MAX_DEPTH, 62));
    assert_eq!(tlv.children().next(), Some(Err(err(ErrorKind::DepthExceeded, 64))));
    // Writer::reencode stops at the limit too.
    let top = Tlv::parse(&deep, Mode::Der).unwrap();
    assert_eq!(Writer::new().reencode(&top), Err(err(ErrorKind::DepthExceeded, 64)));
}

#[test]
fn trailing_data() {
    assert_eq!(Tlv::parse(&h("8401 00 FF"), Mode::Der), Err(err(ErrorKind::TrailingData, 3)));
    assert_eq!(Tlv::validate(&h("8401 00 8400"), Mode::Lenient), Err(err(ErrorKind::TrailingData, 3)));
    let bytes = h("8401 00 FF");
    let (tlv, rest) = Tlv::parse_prefix(&bytes, Mode::Der).unwrap();
    assert_eq!((tlv.raw(), rest), (&h("840100")[..], &[0xFF][..]));
    let bytes = h("8400 8500");
    let mut r = Reader::new(&bytes, Mode::Der);
    r.expect(t(0x84)).unwrap();
    assert_eq!(r.finish(), Err(err(ErrorKind::TrailingData, 2)));
}

#[test]
fn children_of_primitive() {
    let bytes = h("6F03 8401 00");
    let fci = Tlv::parse(&bytes, Mode::Der).unwrap();
    let aid = fci.find(t(0x84)).unwrap().unwrap();
    let mut children = aid.children();
    assert!(!children.is_empty());
    assert_eq!(children.next(), Some(Err(err(ErrorKind::WrongConstruction, 2))));
    assert_eq!(children.next(), None);
    assert_eq!(aid.find(t(0x01)), Err(err(ErrorKind::WrongConstruction, 2)));
    assert_eq!(fci.find_path(&[t(0x84), t(0x01)]), Err(err(ErrorKind::WrongConstruction, 2)));
    assert_eq!(aid.validate_children(), Ok(()), "a primitive value is opaque");
}

#[test]
fn expect_missing_and_unexpected() {
    let bytes = h("8401 00 8500");
    let mut r = Reader::new(&bytes, Mode::Der);
    assert_eq!(r.expect(t(0x85)), Err(err(ErrorKind::UnexpectedTag, 0)));
    assert_eq!(r.optional(t(0x85)), Ok(None));
    assert_eq!(r.offset(), 0, "a mismatch consumes nothing");
    assert_eq!(r.expect(t(0x84)).unwrap().offset(), 0);
    assert_eq!(r.peek().unwrap().unwrap().tag(), t(0x85));
    assert_eq!(r.optional(t(0x85)).unwrap().unwrap().offset(), 3);
    assert_eq!(r.expect(t(0x86)), Err(err(ErrorKind::Missing, 5)));
    assert_eq!(r.optional(t(0x86)), Ok(None));
    // A malformed object is reported by expect/optional, not taken for a mismatch.
    let bad = h("8402 00");
    let mut r = Reader::new(&bad, Mode::Der);
    assert_eq!(r.optional(t(0x85)), Err(err(ErrorKind::Truncated, 3)));
    assert_eq!(r.expect(t(0x84)), Err(err(ErrorKind::Truncated, 3)));
}

#[test]
fn reader_stops_after_first_error() {
    let bytes = h("8400 84 8500");
    let items: Vec<_> = Reader::new(&bytes, Mode::Der).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].unwrap().raw(), h("8400"));
    assert_eq!(items[1], Err(err(ErrorKind::LengthTooLarge, 3)));
}
