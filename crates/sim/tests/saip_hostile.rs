//! Hostile input for the SAIP decoder, each refused with the exact error: which PE (index,
//! kind, identification), where (offset, field path) and what. The cases are mutations of the
//! real TS.48 v1 package (its layout as asn1tools decodes it, see `saip_vectors.rs`) and of
//! hand-built packages (`ProfileBuilder`, `Encoder`), not vectors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use der::Tag;
use oxicard_euicc::asn1::{Encoder, ctx, ctx_c};
use oxicard_sim::saip::{Package, PeKind, Problem, SaipError};
use oxicard_sim::smdp::ProfileBuilder;

const TS48V1_A: &[u8] = include_bytes!("../testdata/saip/TS48v1_A.der");

fn error(bytes: &[u8]) -> SaipError {
    Package::decode(bytes).unwrap_err()
}

fn err(
    index: usize,
    kind: Option<PeKind>,
    identification: Option<u16>,
    offset: usize,
    path: &str,
    problem: Problem,
) -> SaipError {
    SaipError { index, kind, identification, offset, path: path.into(), problem }
}

/// The PEs of the built test package, one TLV each.
fn built_pes() -> Vec<Vec<u8>> {
    let upp = ProfileBuilder::new("8944478600004573128".parse().unwrap()).build();
    Package::decode(&upp).unwrap().elements().iter().map(|e| e.raw.to_vec()).collect()
}

/// A package of the built ProfileHeader, `middle` PEs and the built PE-End.
fn with_pes(middle: &[Vec<u8>]) -> Vec<u8> {
    let pes = built_pes();
    [vec![pes[0].clone()], middle.to_vec(), vec![pes[pes.len() - 1].clone()]].concat().concat()
}

/// A PE-End with these PEHeader contents.
fn end_with(header: &[u8]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.nested(ctx_c(10), |e| e.tlv(ctx_c(0), header));
    e.finish()
}

#[test]
fn truncations() {
    assert_eq!(error(&[]), err(0, None, None, 0, "", Problem::Empty));
    assert_eq!(error(&TS48V1_A[..1]), err(0, None, None, 0, "", Problem::Truncated));
    // The header alone, then header and MF: no PE-End.
    assert_eq!(error(&TS48V1_A[..140]), err(0, Some(PeKind::Header), None, 0, "", Problem::MissingEnd));
    assert_eq!(error(&TS48V1_A[..903]), err(1, Some(PeKind::Mf), Some(4), 140, "", Problem::MissingEnd));
    // The PE-End (at 11759) cut by one byte.
    assert_eq!(error(&TS48V1_A[..TS48V1_A.len() - 1]), err(27, None, None, 11759, "", Problem::Truncated));
    // Without PE-End: the last PE is the fourth RFM.
    assert_eq!(
        error(&TS48V1_A[..11759]),
        err(26, Some(PeKind::Rfm), Some(28), 11697, "", Problem::MissingEnd)
    );
    // No prefix decodes: every cut at or next to a PE boundary, and every 13th elsewhere.
    let package = Package::decode(TS48V1_A).unwrap();
    let boundaries =
        package.elements().iter().flat_map(|e| [e.offset, e.offset + 1, e.offset + e.raw.len() - 1]);
    for len in boundaries.chain((0..TS48V1_A.len()).step_by(13)) {
        assert!(Package::decode(&TS48V1_A[..len]).is_err(), "{len}");
    }
}

#[test]
fn the_header_comes_first_and_once() {
    let pes = built_pes();
    let mf_first = [pes[1].clone(), pes[0].clone(), pes[7].clone()].concat();
    assert_eq!(error(&mf_first), err(0, Some(PeKind::Mf), Some(1), 0, "", Problem::HeaderNotFirst));
    let twice = [pes[0].clone(), pes[0].clone(), pes[7].clone()].concat();
    assert_eq!(error(&twice), err(1, Some(PeKind::Header), None, pes[0].len(), "", Problem::SecondHeader));
}

#[test]
fn the_end_comes_last() {
    // Another PE after PE-End: the PUK PE of the package, appended.
    let extra = [TS48V1_A, &TS48V1_A[903..945]].concat();
    assert_eq!(error(&extra), err(28, Some(PeKind::PukCodes), None, 11768, "", Problem::EndNotLast));
    // PE-End in the middle.
    let pes = built_pes();
    let early = [pes[0].clone(), pes[7].clone(), pes[1].clone(), pes[7].clone()].concat();
    let offset = pes[0].len() + pes[7].len();
    assert_eq!(error(&early), err(2, Some(PeKind::Mf), None, offset, "", Problem::EndNotLast));
    // Bytes after PE-End that are no PE.
    for tail in [&[0x00, 0x00][..], &[0x80, 0x00], &[0xAA]] {
        let trailing = [TS48V1_A, tail].concat();
        let problem = Problem::TrailingBytes(tail.len());
        assert_eq!(error(&trailing), err(28, None, None, 11768, "", problem), "{tail:02X?}");
    }
}

#[test]
fn unknown_elements_and_wrong_tags() {
    // The MF's tag B0 made primitive (90): no ProfileElement is primitive.
    let mut primitive = TS48V1_A.to_vec();
    primitive[140] = 0x90;
    let tag = Tag::ContextSpecific { constructed: false, number: der::TagNumber(16) };
    assert_eq!(error(&primitive), err(1, None, None, 140, "", Problem::UnknownElement(tag)));
    // [34] (BF 22) is past the last alternative (opt-iot [33]).
    let unknown = with_pes(&[vec![0xBF, 0x22, 0x00]]);
    let tag = Tag::ContextSpecific { constructed: true, number: der::TagNumber(34) };
    assert_eq!(error(&unknown), err(1, None, None, built_pes()[0].len(), "", Problem::UnknownElement(tag)));
    // PUK PE at 903: A3 28 A0 05 … A1 1F 30 0D 80 01 01 [919] 81 08 "11111111": the pukValue
    // tag changed to 82 (maxNumOfAttemps-retryNumLeft) skips the mandatory pukValue.
    let mut skipped = TS48V1_A.to_vec();
    assert_eq!(skipped[919], 0x81);
    skipped[919] = 0x82;
    let expected =
        err(2, Some(PeKind::PukCodes), Some(5), 919, "pukCodes.pukCodes[0]", Problem::Missing("pukValue"));
    assert_eq!(error(&skipped), expected);
    // The header's eUICC-Mandatory-services A5 made primitive (85): no such member.
    // (The header has no pol [4]: A5 follows the iccid, at 42 + 12.)
    let mut services = TS48V1_A.to_vec();
    let at = 54;
    assert_eq!(services[at], 0xA5);
    services[at] = 0x85;
    let tag = Tag::ContextSpecific { constructed: false, number: der::TagNumber(5) };
    assert_eq!(
        error(&services),
        err(0, Some(PeKind::Header), None, at, "header", Problem::UnexpectedTag(tag))
    );
}

#[test]
fn a_bad_iccid_in_the_header() {
    // Header: A0 81 89, 80 01 02, 81 01 01, 82 1F "GSMA Generic eUICC Test Profile", [42] 83 0A
    // 89 00 01 23 45 67 89 01 23 41.
    assert_eq!(&TS48V1_A[42..44], [0x83, 0x0A]);
    let mut letter = TS48V1_A.to_vec();
    letter[53] = 0x4A;
    let problem = Problem::Iccid("nibble A at position 19 is not a digit".into());
    assert_eq!(error(&letter), err(0, Some(PeKind::Header), None, 42, "header.iccid", problem));
    let mut padded = TS48V1_A.to_vec();
    padded[44] = 0xF9;
    let problem = Problem::Iccid("no digit".into());
    assert_eq!(error(&padded), err(0, Some(PeKind::Header), None, 42, "header.iccid", problem));
}

#[test]
fn constraints_and_encodings() {
    let offset = built_pes()[0].len();
    let case = |end: Vec<u8>| error(&with_pes(&[end]));
    // identification UInt15 (0..32767): 40000.
    let problem = Problem::OutOfRange { min: 0, max: 32_767 };
    let expected = err(1, Some(PeKind::End), None, offset + 4, "end.end-header.identification", problem);
    assert_eq!(case(end_with(&[0x81, 0x03, 0x00, 0x9C, 0x40])), expected);
    // A non-minimal INTEGER (X.690 §8.3.2).
    let expected = err(
        1,
        Some(PeKind::End),
        None,
        offset + 4,
        "end.end-header.identification",
        Problem::IntegerEncoding,
    );
    assert_eq!(case(end_with(&[0x81, 0x02, 0x00, 0x07])), expected);
    // mandated NULL with contents.
    let expected =
        err(1, Some(PeKind::End), Some(7), offset + 4, "end.end-header.mandated", Problem::NullContents);
    assert_eq!(case(end_with(&[0x80, 0x01, 0x00, 0x81, 0x01, 0x07])), expected);
    // The mandatory identification missing: reported at the end of the PEHeader.
    let expected =
        err(1, Some(PeKind::End), None, offset + 6, "end.end-header", Problem::Missing("identification"));
    assert_eq!(case(end_with(&[0x80, 0x00])), expected);
    // A member out of order: identification before mandated.
    let tag = Tag::ContextSpecific { constructed: false, number: der::TagNumber(0) };
    let expected =
        err(1, Some(PeKind::End), Some(7), offset + 7, "end.end-header", Problem::UnexpectedTag(tag));
    assert_eq!(case(end_with(&[0x81, 0x01, 0x07, 0x80, 0x00])), expected);

    // The MF templateID: an empty OBJECT IDENTIFIER.
    let mut e = Encoder::new();
    e.nested(ctx_c(16), |e| {
        e.nested(ctx_c(0), |e| e.tlv(ctx(1), &[0x01]));
        e.tlv(ctx(1), &[]);
    });
    let expected = err(1, Some(PeKind::Mf), Some(1), offset + 7, "mf.templateID", Problem::Oid);
    assert_eq!(error(&with_pes(&[e.finish()])), expected);

    // PE-AKAParameter whose algoConfiguration [1] holds two alternatives (X.690 §8.14.3).
    let mut e = Encoder::new();
    e.nested(ctx_c(4), |e| {
        e.nested(ctx_c(0), |e| e.tlv(ctx(1), &[0x01]));
        e.nested(ctx_c(1), |e| {
            e.nested(ctx_c(0), |e| {
                e.tlv(ctx(0), &[0x01]);
                e.tlv(ctx(1), &[0xA0, 0, 0, 0, 0x87]);
            });
            e.nested(ctx_c(0), |_| {});
        });
    });
    let expected = err(
        1,
        Some(PeKind::AkaParameter),
        Some(1),
        offset + 21,
        "akaParameter.algoConfiguration",
        Problem::ChoiceWrapper,
    );
    assert_eq!(error(&with_pes(&[e.finish()])), expected);

    // A PIN value of 7 octets (SIZE (8)).
    let mut e = Encoder::new();
    e.nested(ctx_c(2), |e| {
        e.nested(ctx_c(0), |e| e.tlv(ctx(1), &[0x01]));
        e.nested(ctx_c(1), |e| {
            e.nested(ctx_c(0), |e| {
                e.nested(Tag::Sequence, |e| {
                    e.tlv(ctx(0), &[0x01]);
                    e.tlv(ctx(1), b"1234567");
                });
            });
        });
    });
    let problem = Problem::Size { min: 8, max: 8, actual: 7 };
    let expected = err(
        1,
        Some(PeKind::PinCodes),
        Some(1),
        offset + 16,
        "pinCodes.pinCodes.pinconfig[0].pinValue",
        problem,
    );
    assert_eq!(error(&with_pes(&[e.finish()])), expected);
}

#[test]
fn header_strings_and_der_framing() {
    let pes = built_pes();
    // profileType: the built header is A0 2D 80 01 02 81 01 03 82 0C "oxicard test" …
    let header = &pes[0];
    assert_eq!(&header[8..10], [0x82, 0x0C]);
    let mut bad_utf8 = header.clone();
    bad_utf8[10] = 0xFF;
    let upp = [bad_utf8, pes[7].clone()].concat();
    assert_eq!(error(&upp), err(0, Some(PeKind::Header), None, 8, "header.profileType", Problem::Utf8));
    // A DER length in the long form for a short value (X.690 §10.1): 81 05 instead of 05.
    let mut e = Encoder::new();
    e.raw(&pes[0]);
    e.raw(&[0xAA, 0x81, 0x05, 0xA0, 0x03, 0x81, 0x01, 0x07]);
    let found = error(&e.finish());
    assert_eq!((found.index, found.kind, found.offset), (1, None, pes[0].len()));
    assert!(matches!(found.problem, Problem::Encoding(_)), "{found:?}");
    assert!(found.to_string().starts_with(&format!("PE 1 at offset {}: bad TLV", pes[0].len())), "{found}");
}

#[test]
fn errors_say_where() {
    let mut skipped = TS48V1_A.to_vec();
    skipped[919] = 0x82;
    assert_eq!(
        error(&skipped).to_string(),
        "PE 2 (pukCodes) #5 at offset 919, pukCodes.pukCodes[0]: mandatory pukValue is missing"
    );
}
