//! `ProfileBuilder` makes packages shaped like the real GSMA TS.48 ones: they decode with the
//! SAIP decoder, the ProfileHeader `iccid` is in reading order while EF.ICCID is nibble-swapped,
//! every PEHeader is `mandated`, a USIM carries EF.IMSI, PINs and PUKs and an AKA PE come with it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::iccid::Iccid;
use oxicard_sim::saip::{Imsi, Package, PeKind, iccid_to_reading_order};
use oxicard_sim::smdp::{BUILT_IMSI, ProfileBuilder, header_iccid};
use proptest::prelude::*;

#[test]
fn built_packages_look_like_real_ones() {
    // A 19-digit ICCID, as in the TS.48 v5 package: the header ends in `…8F`, EF.ICCID in `…F8`.
    let iccid: Iccid = "8944478600004573128".parse().unwrap();
    let upp = ProfileBuilder::new(iccid).build();
    let package = Package::decode(&upp).unwrap();
    let kinds: Vec<PeKind> = package.elements().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            PeKind::Header,
            PeKind::Mf,
            PeKind::PukCodes,
            PeKind::PinCodes,
            PeKind::Usim,
            PeKind::PinCodes,
            PeKind::AkaParameter,
            PeKind::End
        ]
    );
    let ids: Vec<Option<u16>> = package.elements().iter().map(|e| e.identification).collect();
    assert_eq!(ids, [None, Some(1), Some(2), Some(3), Some(4), Some(5), Some(6), Some(7)]);
    assert!(package.elements().iter().skip(1).all(|e| e.mandated));
    let header = package.header();
    assert_eq!((header.major_version, header.minor_version), (2, 3));
    assert_eq!(header.profile_type.as_deref(), Some("oxicard test"));
    assert_eq!(header.mandatory_services, ["usim", "milenage"]);
    assert_eq!(header.mandatory_gfste, ["2.23.143.1.2.1", "2.23.143.1.2.4"]);
    assert_eq!(package.iccid(), iccid);
    assert_eq!(iccid_to_reading_order(&iccid), [0x89, 0x44, 0x47, 0x86, 0x00, 0x00, 0x45, 0x73, 0x12, 0x8F]);
    assert!(
        upp.windows(12)
            .any(|w| w == [0x83, 0x0A, 0x89, 0x44, 0x47, 0x86, 0x00, 0x00, 0x45, 0x73, 0x12, 0x8F])
    );
    assert_eq!(package.ef_iccid(), Some(iccid));
    assert_eq!(package.imsi().unwrap().digits(), BUILT_IMSI);
    assert_eq!(header_iccid(&upp), Ok(iccid));
}

#[test]
fn builder_options() {
    let iccid: Iccid = "89000123456789012341".parse().unwrap();
    let imsi: Imsi = "310150123456789".parse().unwrap();
    let upp = ProfileBuilder::new(iccid)
        .imsi(imsi.clone())
        .saip_version(3, 3)
        .profile_type("X")
        .padding(100)
        .build();
    let package = Package::decode(&upp).unwrap();
    assert_eq!(package.imsi(), Some(imsi));
    assert_eq!((package.header().major_version, package.header().minor_version), (3, 3));
    assert_eq!(package.header().profile_type.as_deref(), Some("X"));
    assert_eq!(package.elements()[7].kind, PeKind::NonStandard);
    assert_eq!(package.elements()[7].identification, Some(7));
    assert_eq!(package.elements()[8].identification, Some(8));
}

proptest! {
    #[test]
    fn every_built_package_decodes(digits in "[0-9]{18,20}", padding in 0usize..3000, imsi in "[0-9]{6,15}") {
        let iccid: Iccid = digits.parse().unwrap();
        let upp = ProfileBuilder::new(iccid).imsi(imsi.parse().unwrap()).padding(padding).build();
        let package = Package::decode(&upp).unwrap();
        prop_assert_eq!(package.iccid(), iccid);
        prop_assert_eq!(package.ef_iccid(), Some(iccid));
        prop_assert_eq!(package.imsi().map(|i| i.to_string()), Some(imsi));
    }
}
