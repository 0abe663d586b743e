//! Property tests of the SAIP decoder: it never panics, whatever the bytes (random, or the real
//! TS.48 package mutated, cut, extended), and whenever it accepts bytes, its PEs are slices of
//! the input that re-concatenate to it, in order, each at its offset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_sim::saip::{Package, PeKind};
use proptest::prelude::*;

const TS48V1_A: &[u8] = include_bytes!("../testdata/saip/TS48v1_A.der");

/// Decodes `bytes`; when accepted, checks the slices and the header/end positions.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(package) = Package::decode(bytes) {
        let mut joined = Vec::with_capacity(bytes.len());
        for element in package.elements() {
            prop_assert_eq!(element.offset, joined.len());
            joined.extend_from_slice(element.raw);
        }
        prop_assert_eq!(joined.as_slice(), bytes);
        prop_assert_eq!(package.elements().first().map(|e| e.kind), Some(PeKind::Header));
        prop_assert_eq!(package.elements().last().map(|e| e.kind), Some(PeKind::End));
        prop_assert_eq!(package.elements().iter().filter(|e| e.kind == PeKind::End).count(), 1);
        let _ = (package.imsi(), package.ef_iccid(), package.iccid().digits());
    }
    Ok(())
}

/// A mutation of the real package.
#[derive(Clone, Debug)]
enum Mutation {
    /// XOR a byte.
    Flip(usize, u8),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
    /// Remove a range.
    Remove(usize, usize),
    /// Cut at a length.
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let len = TS48V1_A.len();
    prop_oneof![
        4 => (0..len, 1u8..=255).prop_map(|(at, x)| Mutation::Flip(at, x)),
        2 => (0..=len, proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, b)| Mutation::Insert(at, b)),
        1 => (0..len, 1usize..16).prop_map(|(at, n)| Mutation::Remove(at, n)),
        1 => (0..len).prop_map(Mutation::Cut),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    match mutation {
        Mutation::Flip(at, x) => {
            let len = bytes.len();
            if let Some(byte) = bytes.get_mut(*at % len.max(1)) {
                *byte ^= x;
            }
        }
        Mutation::Insert(at, b) => {
            let at = (*at).min(bytes.len());
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::Remove(at, n) => {
            let at = (*at).min(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Cut(len) => bytes.truncate(*len),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes)?;
    }

    #[test]
    fn tlv_shaped_bytes_never_panic(
        pes in proptest::collection::vec((0xA0u8..=0xBF, proptest::collection::vec(any::<u8>(), 0..40)), 0..8),
    ) {
        // Top-level TLVs with ProfileElement-like tags and random contents.
        let mut bytes = Vec::new();
        for (tag, value) in &pes {
            bytes.push(*tag);
            bytes.push(value.len() as u8);
            bytes.extend_from_slice(value);
        }
        check(&bytes)?;
    }

    #[test]
    fn mutated_real_packages_never_panic(mutations in proptest::collection::vec(mutation(), 1..4)) {
        let mut bytes = TS48V1_A.to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check(&bytes)?;
    }
}

#[test]
fn the_real_package_round_trips() {
    check(TS48V1_A).unwrap();
    assert!(Package::decode(TS48V1_A).is_ok());
}
