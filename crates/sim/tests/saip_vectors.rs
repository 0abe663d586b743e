//! The SAIP decoder on the two real GSMA TS.48 test profile packages of `testdata/saip/` (from
//! osmocom pySim `smdpp-data/upp/`, byte for byte as its SM-DP+ serves them).
//!
//! Every expected value below was obtained by decoding the same files with Python `asn1tools`
//! (`asn1tools.compile_files("PE_Definitions-3.3.1.asn", "der").decode("ProfileElement", pe)`
//! for each top-level TLV), which also re-encodes each PE to the same bytes: both files are
//! canonical DER of the SAIP v3.3.1 module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_sim::saip::{Imsi, Package, PeKind, PeKind::*};

const TS48V1_A: &[u8] = include_bytes!("../testdata/saip/TS48v1_A.der");
const TS48V5: &[u8] = include_bytes!("../testdata/saip/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der");

/// (kind, identification, offset, length) of each PE, as asn1tools decodes them.
type Outline = [(PeKind, Option<u16>, usize, usize)];

const TS48V1_A_OUTLINE: &Outline = &[
    (Header, None, 0, 140),
    (Mf, Some(4), 140, 763),
    (PukCodes, Some(5), 903, 42),
    (PinCodes, Some(2), 945, 78),
    (Telecom, Some(7), 1023, 544),
    (PinCodes, Some(3), 1567, 33),
    (GenericFileManagement, Some(21), 1600, 737),
    (Usim, Some(8), 2337, 1182),
    (OptUsim, Some(9), 3519, 2607),
    (PinCodes, Some(10), 6126, 33),
    (AkaParameter, Some(11), 6159, 55),
    (GsmAccess, Some(12), 6214, 143),
    (Csim, Some(13), 6357, 1823),
    (OptCsim, Some(14), 8180, 1524),
    (PinCodes, Some(15), 9704, 33),
    (CdmaParameter, Some(16), 9737, 113),
    (Isim, Some(17), 9850, 473),
    (OptIsim, Some(18), 10323, 100),
    (PinCodes, Some(19), 10423, 33),
    (AkaParameter, Some(20), 10456, 55),
    (GenericFileManagement, Some(22), 10511, 240),
    (GenericFileManagement, Some(23), 10751, 433),
    (SecurityDomain, Some(24), 11184, 361),
    (Rfm, Some(25), 11545, 36),
    (Rfm, Some(26), 11581, 58),
    (Rfm, Some(27), 11639, 58),
    (Rfm, Some(28), 11697, 62),
    (End, Some(29), 11759, 9),
];

const TS48V5_OUTLINE: &Outline = &[
    (Header, None, 0, 162),
    (Mf, Some(4), 162, 779),
    (PukCodes, Some(5), 941, 42),
    (PinCodes, Some(2), 983, 78),
    (Telecom, Some(7), 1061, 535),
    (PinCodes, Some(3), 1596, 36),
    (GenericFileManagement, Some(23), 1632, 920),
    (Usim, Some(8), 2552, 1205),
    (OptUsim, Some(9), 3757, 2529),
    (PinCodes, Some(10), 6286, 36),
    (AkaParameter, Some(11), 6322, 55),
    (GsmAccess, Some(12), 6377, 140),
    (Df5gs, Some(13), 6517, 295),
    (DfSaip, Some(14), 6812, 68),
    (Csim, Some(15), 6880, 1796),
    (OptCsim, Some(16), 8676, 1445),
    (PinCodes, Some(17), 10121, 36),
    (CdmaParameter, Some(18), 10157, 113),
    (Isim, Some(19), 10270, 474),
    (OptIsim, Some(20), 10744, 94),
    (PinCodes, Some(21), 10838, 36),
    (AkaParameter, Some(22), 10874, 55),
    (GenericFileManagement, Some(24), 10929, 338),
    (GenericFileManagement, Some(25), 11267, 433),
    (SecurityDomain, Some(26), 11700, 361),
    (Rfm, Some(27), 12061, 36),
    (Rfm, Some(28), 12097, 58),
    (Rfm, Some(29), 12155, 58),
    (Rfm, Some(30), 12213, 62),
    (End, Some(31), 12275, 9),
];

fn outline(package: &Package<'_>) -> Vec<(PeKind, Option<u16>, usize, usize)> {
    package.elements().iter().map(|e| (e.kind, e.identification, e.offset, e.raw.len())).collect()
}

/// The PEs re-concatenate to the input, and every PE but the header is `mandated`.
fn check_slices(package: &Package<'_>, bytes: &[u8]) {
    assert_eq!(package.elements().iter().flat_map(|e| e.raw.iter().copied()).collect::<Vec<u8>>(), bytes);
    assert_eq!(package.bytes(), bytes);
    for element in package.elements() {
        assert_eq!(element.mandated, element.kind != Header, "{element:?}");
        assert_eq!(&bytes[element.offset..element.offset + element.raw.len()], element.raw);
    }
}

#[test]
fn ts48_v1_a_decodes_completely() {
    let package = Package::decode(TS48V1_A).unwrap();
    assert_eq!(outline(&package), TS48V1_A_OUTLINE);
    check_slices(&package, TS48V1_A);
    let header = package.header();
    assert_eq!((header.major_version, header.minor_version), (2, 1));
    assert_eq!(header.profile_type.as_deref(), Some("GSMA Generic eUICC Test Profile"));
    // iccid 89 00 01 23 45 67 89 01 23 41 (reading order).
    assert_eq!(header.iccid.digits(), "89000123456789012341");
    assert_eq!(header.mandatory_services, ["usim", "isim", "csim", "javacard", "usim-test-algorithm"]);
    let gfste: Vec<String> =
        [1, 3, 4, 5, 7, 8, 9, 10, 11].iter().map(|n| format!("2.23.143.1.2.{n}")).collect();
    assert_eq!(header.mandatory_gfste, gfste);
    assert!(header.mandatory_aids.is_empty());
    // EF.ICCID fillFileContent 98 00 10 32 54 76 98 10 32 14: the same ICCID, nibble-swapped.
    assert_eq!(
        package.ef_iccid().unwrap().to_bytes(),
        [0x98, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x14]
    );
    assert_eq!(package.ef_iccid(), Some(package.iccid()));
    // EF.IMSI fillFileContent 08 09 10 10 10 32 54 06 36.
    assert_eq!(package.ef_imsi(), Some([0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x06, 0x36]));
    assert_eq!(package.imsi(), Some("001010123456063".parse::<Imsi>().unwrap()));
    assert_eq!(package.first(End).unwrap().raw, [0xAA, 0x07, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x1D]);
}

#[test]
fn ts48_v5_decodes_completely() {
    let package = Package::decode(TS48V5).unwrap();
    assert_eq!(outline(&package), TS48V5_OUTLINE);
    check_slices(&package, TS48V5);
    let header = package.header();
    assert_eq!((header.major_version, header.minor_version), (2, 3));
    assert_eq!(header.profile_type.as_deref(), Some("GSMA Generic eUICC Test Profile"));
    // iccid 89 49 44 99 99 99 99 90 16 3F: 19 digits and one F.
    assert_eq!(header.iccid.digits(), "8949449999999990163");
    assert_eq!(
        header.mandatory_services,
        [
            "usim",
            "isim",
            "csim",
            "usim-test-algorithm",
            "ber-tlv",
            "get-identity",
            "profile-a-x25519",
            "profile-b-p256"
        ]
    );
    let gfste: Vec<String> =
        [1, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14].iter().map(|n| format!("2.23.143.1.2.{n}")).collect();
    assert_eq!(header.mandatory_gfste, gfste);
    // EF.ICCID 98 94 44 99 99 99 99 09 61 F3.
    assert_eq!(
        package.ef_iccid().unwrap().to_bytes(),
        [0x98, 0x94, 0x44, 0x99, 0x99, 0x99, 0x99, 0x09, 0x61, 0xF3]
    );
    assert_eq!(package.ef_iccid(), Some(package.iccid()));
    assert_eq!(package.imsi().unwrap().digits(), "001010123456063");
    assert_eq!(package.first(End).unwrap().raw, [0xAA, 0x07, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x1F]);
}

#[test]
fn pe_kinds_follow_the_choice_tags() {
    // ProfileElement alternatives in module order: header [0] … opt-iot [33].
    assert_eq!(PeKind::ALL.len(), 34);
    for (number, kind) in PeKind::ALL.iter().enumerate() {
        assert_eq!(kind.tag_number() as usize, number);
        assert_eq!(PeKind::from_tag_number(number as u32), Some(*kind));
    }
    assert_eq!(PeKind::from_tag_number(34), None);
    let names: Vec<&str> =
        [Header, End, Rfu1, Mf, OptUsim, Df5gs, Df5gprose, OptIot].iter().map(|k| k.name()).collect();
    assert_eq!(names, ["header", "end", "rfu1", "mf", "opt-usim", "df-5gs", "df-5gprose", "opt-iot"]);
}
