//! LoadBoundProfilePackage segmentation on the software eUICC: both segmentation styles (the
//! container header with its first TLV, as lpac and euicc-go `v2/bpp.go` send, or whole containers),
//! containers out of order, and arbitrary segments (never a panic, nothing installed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod download_support;

use download_support::*;
use oxicard_euicc::asn1::{Fields, ctx_c, single};
use oxicard_euicc::es10::*;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use proptest::prelude::*;

/// A prepared session on a fresh eUICC; returns the card and the BPP for it.
fn prepared(upp_padding: usize) -> (SimCard, Vec<u8>) {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, &smdp);
    drop(isdr);
    let eid = eid(&pki);
    let upp = smdp.upp(upp_padding);
    let bpp = smdp.bpp(&otpk, &eid, &upp);
    (card, bpp)
}

/// The first segment (`BF36` header + `BF23`) and the raw containers `A0`…`A3`.
fn parts(bpp: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let first = bpp::segments(bpp).unwrap()[0].bytes.to_vec();
    let outer = single(bpp, ctx_c(54), "bpp").unwrap();
    let members = Fields::parse(outer.value(), "bpp").unwrap();
    (first, members.iter().skip(1).map(|m| m.raw().to_vec()).collect())
}

#[test]
fn whole_containers_are_accepted() {
    let (mut card, bpp) = prepared(2000);
    let (first, containers) = parts(&bpp);
    assert_eq!(containers.len(), 4);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert!(isdr.es10(&first).unwrap().is_empty());
    for container in &containers[..3] {
        assert!(isdr.es10(container).unwrap().is_empty());
    }
    let answer = isdr.es10(&containers[3]).unwrap();
    let result = ProfileInstallationResult::from_der(&answer).unwrap();
    assert!(result.outcome().is_ok(), "{:?}", result.outcome());
    assert_eq!(isdr.profiles().unwrap().len(), 1);
}

#[test]
fn the_whole_package_in_one_segment_is_accepted() {
    let (mut card, bpp) = prepared(100);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let result = ProfileInstallationResult::from_der(&isdr.es10(&bpp).unwrap()).unwrap();
    assert!(result.outcome().is_ok(), "{:?}", result.outcome());
}

#[test]
fn containers_out_of_order_are_a_structure_error() {
    let (mut card, bpp) = prepared(100);
    let (first, containers) = parts(&bpp);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert!(isdr.es10(&first).unwrap().is_empty());
    // A1 (StoreMetadata) before A0 (ConfigureISDP).
    let result = ProfileInstallationResult::from_der(&isdr.es10(&containers[1]).unwrap()).unwrap();
    assert_eq!(
        result.outcome().unwrap_err(),
        InstallationError::new(BppCommandId::StoreMetadata, ErrorReason::Scp03tStructureError)
    );
    // The session is over: the rest is refused with 6985, nothing was installed.
    assert!(isdr.es10(&containers[0]).is_err());
    assert!(isdr.profiles().unwrap().is_empty());
    assert_eq!(isdr.list_notifications(None).unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// After a valid first segment, arbitrary segments with BPP tags never panic and never
    /// install anything.
    #[test]
    fn arbitrary_segments_never_install(
        segments in proptest::collection::vec(
            (prop_oneof![Just(0xA0u8), Just(0xA1), Just(0xA3), Just(0x86), Just(0x87), Just(0x88)],
             proptest::collection::vec(any::<u8>(), 0..64)),
            1..6,
        )
    ) {
        let (mut card, bpp) = prepared(10);
        let (first, _) = parts(&bpp);
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        prop_assert!(isdr.es10(&first).unwrap().is_empty());
        for (tag, value) in segments {
            let mut segment = vec![tag, value.len() as u8];
            segment.extend_from_slice(&value);
            let _ = isdr.es10(&segment);
        }
        prop_assert!(isdr.profiles().unwrap().is_empty());
    }
}
