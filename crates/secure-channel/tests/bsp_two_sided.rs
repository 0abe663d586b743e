//! BSP both ways (SGP.22 §2.6.4): whatever the SM-DP+ side protects, the eUICC side
//! verifies and decrypts to the same plaintext, across random keys, tags, plaintext
//! sizes and ReplaceSessionKeys in the middle; any single flipped bit, truncation or
//! extension is rejected and terminates the verifier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::bsp::{
    BspKeys, BspProtector, BspVerifier, MAX_ENCRYPTED_PLAINTEXT, MAX_MAC_ONLY_PLAINTEXT, MAX_SEGMENT_LEN,
    SegmentTag, protected_len, segmented_len, split_segments,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Segment(SegmentTag, Vec<u8>),
    ReplaceSessionKeys(Vec<u8>),
}

/// One protected step on the wire and what the verifier must give back.
#[derive(Clone, Debug)]
struct Wire {
    bytes: Vec<u8>,
    step: Step,
}

fn tag() -> impl Strategy<Value = SegmentTag> {
    prop::sample::select(vec![SegmentTag::Encrypted87, SegmentTag::MacOnly88, SegmentTag::ProfileElements86])
}

fn plaintext(tag: SegmentTag) -> impl Strategy<Value = Vec<u8>> {
    let max = tag.max_plaintext();
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..70),
        1 => prop::collection::vec(any::<u8>(), 0..=max),
        1 => prop::collection::vec(any::<u8>(), max - 20..=max),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => tag().prop_flat_map(|t| plaintext(t).prop_map(move |p| Step::Segment(t, p))),
        1 => prop::collection::vec(any::<u8>(), 48).prop_map(Step::ReplaceSessionKeys),
    ]
}

fn key_set() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![16usize, 24, 32])
        .prop_flat_map(|n| prop::collection::vec(any::<u8>(), 16 + 2 * n))
}

fn keys_of(bytes: &[u8]) -> BspKeys {
    let n = (bytes.len() - 16) / 2;
    BspKeys::new(&bytes[..16], &bytes[16..16 + n], &bytes[16 + n..]).unwrap()
}

fn protect_all(keys: &BspKeys, steps: &[Step]) -> Vec<Wire> {
    let mut protector = BspProtector::new(keys).unwrap();
    let mut out = vec![0u8; MAX_SEGMENT_LEN];
    steps
        .iter()
        .map(|step| {
            let n = match step {
                Step::Segment(tag, plain) => {
                    let n = protector.protect(*tag, plain, &mut out).unwrap();
                    assert_eq!(Some(n), protected_len(*tag, plain.len()));
                    n
                }
                Step::ReplaceSessionKeys(k) => {
                    let n = protector
                        .replace_session_keys(
                            &BspKeys::new(&k[..16], &k[16..32], &k[32..]).unwrap(),
                            &mut out,
                        )
                        .unwrap();
                    assert_eq!(protector.block_counter(), 1);
                    n
                }
            };
            assert!(n <= MAX_SEGMENT_LEN);
            Wire { bytes: out[..n].to_vec(), step: step.clone() }
        })
        .collect()
}

/// Feeds one wire step to the verifier; `in_place` picks the API.
fn verify_one(
    verifier: &mut BspVerifier,
    wire: &Wire,
    in_place: bool,
) -> Result<(), oxicard_secure_channel::Error> {
    match &wire.step {
        Step::Segment(tag, plain) => {
            let got = if in_place {
                let mut bytes = wire.bytes.clone();
                let (t, p) = verifier.verify_in_place(&mut bytes)?;
                (t, p.to_vec())
            } else {
                let mut out = vec![0u8; wire.bytes.len()];
                let v = verifier.verify(&wire.bytes, &mut out)?;
                (v.tag, out[..v.len].to_vec())
            };
            assert_eq!(&got, &(*tag, plain.clone()));
            Ok(())
        }
        Step::ReplaceSessionKeys(_) => verifier.verify_replace_session_keys(&wire.bytes),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn protect_then_verify_round_trips(
        keys in key_set(),
        steps in prop::collection::vec(step(), 1..10),
        in_place in any::<bool>(),
    ) {
        let keys = keys_of(&keys);
        let wire = protect_all(&keys, &steps);
        let mut verifier = BspVerifier::new(&keys).unwrap();
        for (i, w) in wire.iter().enumerate() {
            verify_one(&mut verifier, w, in_place ^ (i % 2 == 1)).unwrap();
        }
        prop_assert!(!verifier.is_terminated());
    }

    #[test]
    fn any_flipped_bit_is_rejected_and_terminates(
        keys in key_set(),
        steps in prop::collection::vec(step(), 1..6),
        which in any::<prop::sample::Index>(),
        bit in any::<prop::sample::Index>(),
        in_place in any::<bool>(),
    ) {
        let keys = keys_of(&keys);
        let mut wire = protect_all(&keys, &steps);
        let target = which.index(wire.len());
        let bits = wire[target].bytes.len() * 8;
        let bit = bit.index(bits);
        wire[target].bytes[bit / 8] ^= 1 << (bit % 8);
        let mut verifier = BspVerifier::new(&keys).unwrap();
        for w in &wire[..target] {
            verify_one(&mut verifier, w, in_place).unwrap();
        }
        // A flipped segment must fail (never panic, never release plaintext)...
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            verify_one(&mut verifier, &wire[target], in_place)
        }));
        prop_assert!(matches!(failed, Ok(Err(_))), "flipped bit {} of segment {} accepted", bit, target);
        // ...and terminate: every later segment, even an intact one, is refused.
        prop_assert!(verifier.is_terminated());
        for w in &wire[target..] {
            prop_assert_eq!(verify_one(&mut verifier, w, in_place).unwrap_err().kind, ErrorKind::Terminated);
        }
    }

    #[test]
    fn truncated_or_extended_segments_are_rejected(
        keys in key_set(),
        t in tag(),
        plain in prop::collection::vec(any::<u8>(), 0..100),
        cut in 1usize..40,
        extra in prop::collection::vec(any::<u8>(), 1..20),
    ) {
        let keys = keys_of(&keys);
        let wire = protect_all(&keys, &[Step::Segment(t, plain)]);
        let bytes = &wire[0].bytes;
        let mut out = vec![0u8; 2048];
        let short = &bytes[..bytes.len().saturating_sub(cut)];
        let mut verifier = BspVerifier::new(&keys).unwrap();
        prop_assert!(verifier.verify(short, &mut out).is_err());
        prop_assert!(verifier.is_terminated());
        let long: Vec<u8> = bytes.iter().chain(&extra).copied().collect();
        let mut verifier = BspVerifier::new(&keys).unwrap();
        prop_assert!(verifier.verify(&long, &mut out).is_err());
        prop_assert!(verifier.is_terminated());
    }

    // Large plaintexts cut into ≤ 1020-byte segments and verified one by one give back the
    // plaintext.
    #[test]
    fn segmented_round_trip(
        keys in key_set(),
        t in tag(),
        data in prop::collection::vec(any::<u8>(), 0..4000),
    ) {
        let keys = keys_of(&keys);
        let mut protector = BspProtector::new(&keys).unwrap();
        let mut wire = vec![0u8; segmented_len(t, data.len())];
        let n = protector.protect_segmented(t, &data, &mut wire).unwrap();
        prop_assert_eq!(n, wire.len());
        let mut verifier = BspVerifier::new(&keys).unwrap();
        let mut plain = Vec::new();
        let mut buf = vec![0u8; MAX_SEGMENT_LEN];
        for segment in split_segments(&wire) {
            let segment = segment.unwrap();
            prop_assert!(segment.len() <= MAX_SEGMENT_LEN);
            let v = verifier.verify(segment, &mut buf).unwrap();
            prop_assert_eq!(v.tag, t);
            plain.extend_from_slice(&buf[..v.len]);
        }
        prop_assert_eq!(plain, data);
    }
}

#[test]
fn limits_are_enforced_on_both_sides() {
    let keys = BspKeys::new(&[1; 16], &[2; 16], &[3; 16]).unwrap();
    let mut protector = BspProtector::new(&keys).unwrap();
    let mut out = vec![0u8; 2048];
    for (tag, max) in
        [(SegmentTag::Encrypted87, MAX_ENCRYPTED_PLAINTEXT), (SegmentTag::MacOnly88, MAX_MAC_ONLY_PLAINTEXT)]
    {
        assert_eq!(
            protector.protect(tag, &vec![0; max + 1], &mut out).unwrap_err().kind,
            ErrorKind::DataTooLong
        );
        assert_eq!(protector.protect(tag, &vec![0; max], &mut out).unwrap(), MAX_SEGMENT_LEN);
    }
    // A short output buffer: the error names the size and nothing advanced.
    let counter = protector.block_counter();
    assert_eq!(
        protector.protect(SegmentTag::Encrypted87, &[0; 16], &mut out[..41]).unwrap_err(),
        oxicard_secure_channel::Error::buffer_too_small(42)
    );
    assert_eq!(protector.block_counter(), counter);

    // The verifier: too small an output buffer does not terminate; oversize segments do.
    let mut protector = BspProtector::new(&keys).unwrap();
    let n = protector.protect(SegmentTag::Encrypted87, &[7; 20], &mut out).unwrap();
    let segment = out[..n].to_vec();
    let mut verifier = BspVerifier::new(&keys).unwrap();
    let mut small = [0u8; 31];
    assert_eq!(
        verifier.verify(&segment, &mut small).unwrap_err(),
        oxicard_secure_channel::Error::buffer_too_small(32)
    );
    assert!(!verifier.is_terminated());
    let mut plain = [0u8; 32];
    assert_eq!(verifier.verify(&segment, &mut plain).unwrap().len, 20);
    let mut huge = vec![0x86, 0x82, 0x04, 0x0D];
    huge.resize(4 + 0x40D, 0);
    assert_eq!(verifier.verify(&huge, &mut out).unwrap_err().kind, ErrorKind::DataTooLong);
    assert!(verifier.is_terminated());
}

#[test]
fn structural_errors_terminate() {
    let keys = BspKeys::new(&[1; 16], &[2; 16], &[3; 16]).unwrap();
    let mut out = [0u8; 64];
    for (bytes, kind) in [
        (&[][..], ErrorKind::Truncated),
        (&[0x89, 0x08, 0, 0, 0, 0, 0, 0, 0, 0][..], ErrorKind::InvalidValue),
        (&[0x87, 0x08, 0, 0, 0, 0, 0, 0, 0, 0][..], ErrorKind::InvalidLength), // empty ciphertext
        (&[0x87, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0][..], ErrorKind::InvalidLength), // 1-byte ciphertext
        (&[0x88, 0x08, 0, 0, 0, 0, 0, 0, 0, 0][..], ErrorKind::MacMismatch),
    ] {
        let mut verifier = BspVerifier::new(&keys).unwrap();
        assert_eq!(verifier.verify(bytes, &mut out).unwrap_err().kind, kind, "{bytes:02x?}");
        assert!(verifier.is_terminated());
    }
}

/// A segment with a valid MAC whose plaintext does not end in `80 00…` padding of 1 to
/// 16 bytes (hand-built with the RustCrypto `aes`/`cmac` crates; examples, not published
/// vectors) is rejected after the MAC check, and nothing is released.
#[test]
fn bad_padding_with_a_valid_mac() {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    use cmac::Mac;
    let (mcv, enc, mac) = ([9u8; 16], [0x11u8; 16], [0x22u8; 16]);
    let keys = BspKeys::new(&mcv, &enc, &mac).unwrap();
    let aes = aes::Aes128::new_from_slice(&enc).unwrap();
    let mut icv = aes::Block::from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    aes.encrypt_block(&mut icv);
    let mut marker_then_zero_block = [0u8; 32];
    marker_then_zero_block[3] = 0x80;
    for padded in [&[0x41u8; 16][..], &[0u8; 16], &marker_then_zero_block] {
        // AES-CBC by hand, then the MAC over MCV || 87 L || C.
        let mut prev = icv;
        let mut segment = vec![0x87, (padded.len() + 8) as u8];
        for chunk in padded.chunks(16) {
            let mut block = aes::Block::try_from(chunk).unwrap();
            for (b, p) in block.iter_mut().zip(prev.iter()) {
                *b ^= p;
            }
            aes.encrypt_block(&mut block);
            segment.extend_from_slice(&block);
            prev = block;
        }
        let mut cmac = <cmac::Cmac<aes::Aes128> as KeyInit>::new_from_slice(&mac).unwrap();
        cmac.update(&mcv);
        cmac.update(&segment);
        segment.extend_from_slice(&cmac.finalize().into_bytes()[..8]);
        let mut verifier = BspVerifier::new(&keys).unwrap();
        let mut out = [0xAAu8; 32];
        assert_eq!(verifier.verify(&segment, &mut out).unwrap_err().kind, ErrorKind::InvalidPadding);
        assert_eq!(&out[..padded.len()], &vec![0u8; padded.len()][..]);
        assert!(verifier.is_terminated());
        let mut verifier = BspVerifier::new(&keys).unwrap();
        assert_eq!(verifier.verify_in_place(&mut segment).unwrap_err().kind, ErrorKind::InvalidPadding);
        assert_eq!(&segment[2..], &vec![0u8; padded.len() + 8][..]);
    }
}

#[test]
fn replace_session_keys_needs_an_87_with_bf26() {
    let keys = BspKeys::new(&[1; 16], &[2; 16], &[3; 16]).unwrap();
    let mut protector = BspProtector::new(&keys).unwrap();
    let mut out = [0u8; 128];
    // A MAC-only segment carrying a valid BF26 is refused: the keys must travel encrypted.
    let ppk = BspKeys::new(&[4; 16], &[5; 16], &[6; 16]).unwrap();
    let mut der = [0u8; 64];
    let len = ppk.write_replace_session_keys(&mut der).unwrap();
    let n = protector.protect(SegmentTag::MacOnly88, &der[..len], &mut out).unwrap();
    let mut verifier = BspVerifier::new(&keys).unwrap();
    assert_eq!(verifier.verify_replace_session_keys(&out[..n]).unwrap_err().kind, ErrorKind::InvalidValue);
    assert!(verifier.is_terminated());
    // An 87 that is not a BF26.
    let mut protector = BspProtector::new(&keys).unwrap();
    let n = protector.protect(SegmentTag::Encrypted87, &[0xBF, 0x24, 0x00], &mut out).unwrap();
    let mut verifier = BspVerifier::new(&keys).unwrap();
    assert_eq!(verifier.verify_replace_session_keys(&out[..n]).unwrap_err().kind, ErrorKind::InvalidValue);
    assert!(verifier.is_terminated());
    // Too long to be a BF26.
    let mut protector = BspProtector::new(&keys).unwrap();
    let mut big = vec![0u8; 300];
    let n = protector.protect(SegmentTag::Encrypted87, &[0; 200], &mut big).unwrap();
    big.truncate(n);
    let mut verifier = BspVerifier::new(&keys).unwrap();
    assert_eq!(verifier.verify_replace_session_keys(&big).unwrap_err().kind, ErrorKind::DataTooLong);
    assert!(verifier.is_terminated());
}

#[test]
fn debug_shows_no_secrets() {
    let keys = BspKeys::new(&[0x42; 16], &[0x42; 16], &[0x42; 16]).unwrap();
    let protector = BspProtector::new(&keys).unwrap();
    let verifier = BspVerifier::new(&keys).unwrap();
    assert_eq!(format!("{protector:?}"), "BspProtector { counter: 1, .. }");
    assert_eq!(format!("{verifier:?}"), "BspVerifier { counter: Some(1), terminated: false, .. }");
    assert_eq!(format!("{keys:?}"), "BspKeys([redacted])");
}
