//! BSP segment verification (SGP.22 §2.6.4) on a live verifier: arbitrary segments
//! never panic and always fail closed (an error terminates the verifier, later calls
//! return `Terminated`, no unverified plaintext is released); a protect → verify round
//! trip of fuzz-chosen keys, tag and plaintext always succeeds, and the same segment
//! with any fuzz-chosen change is rejected.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::bsp::{
    BspKeys, BspProtector, BspVerifier, MAX_ACCEPTED_SEGMENT_LEN, MAX_SEGMENT_LEN, SegmentTag,
};

/// Verifies `segment` with either API; on failure checks that the verifier is
/// terminated and that the output holds no decrypted bytes (only the fill byte or zeros).
fn verify(verifier: &mut BspVerifier, segment: &[u8], in_place: bool) -> Option<Vec<u8>> {
    let result = if in_place {
        let mut copy = segment.to_vec();
        let result = verifier.verify_in_place(&mut copy).map(|(_, p)| p.to_vec());
        if result.is_err() {
            // Each byte is either as received (rejected before decryption) or wiped.
            assert!(
                copy.iter().zip(segment).all(|(c, s)| c == s || *c == 0),
                "plaintext released on failure"
            );
        }
        result
    } else {
        let mut out = vec![0xAAu8; MAX_ACCEPTED_SEGMENT_LEN];
        let result = verifier.verify(segment, &mut out).map(|v| out[..v.len].to_vec());
        if result.is_err() {
            assert!(out.iter().all(|&b| b == 0xAA || b == 0), "plaintext released on failure");
        }
        result
    };
    match result {
        Ok(plain) => Some(plain),
        Err(e) => {
            assert_ne!(e.kind, ErrorKind::BufferTooSmall);
            assert!(verifier.is_terminated(), "{e:?} left the verifier open");
            assert_eq!(verifier.verify(segment, &mut [0u8; 8]).unwrap_err().kind, ErrorKind::Terminated);
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut head = [0u8; 53];
    let n = head.len().min(data.len());
    head[..n].copy_from_slice(&data[..n]);
    let rest = data.get(head.len()..).unwrap_or(&[]);
    let flags = head[0];
    let tag = match flags & 3 {
        0 | 3 => SegmentTag::Encrypted87,
        1 => SegmentTag::MacOnly88,
        _ => SegmentTag::ProfileElements86,
    };
    let in_place = flags & 4 != 0;
    let keys = BspKeys::new(&head[1..17], &head[17..33], &head[33..49]).unwrap();
    let split = usize::from(u16::from_be_bytes([head[49], head[50]])) % (rest.len() + 1);
    let plain = &rest[..split.min(tag.max_plaintext())];
    let arbitrary = &rest[split..];

    // Round trip, optionally after a ReplaceSessionKeys.
    let mut protector = BspProtector::new(&keys).unwrap();
    let mut verifier = BspVerifier::new(&keys).unwrap();
    let mut wire = [0u8; MAX_SEGMENT_LEN];
    if flags & 8 != 0 {
        let ppk = BspKeys::new(&head[33..49], &head[1..17], &head[17..33]).unwrap();
        let n = protector.replace_session_keys(&ppk, &mut wire).unwrap();
        verifier.verify_replace_session_keys(&wire[..n]).unwrap();
    }
    let n = protector.protect(tag, plain, &mut wire).unwrap();
    let segment = &wire[..n];

    // The same segment changed at a fuzz-chosen byte is rejected by a twin verifier.
    let (at, mask) = (usize::from(head[51]) % n, head[52]);
    if mask != 0 {
        let mut twin = BspVerifier::new(&keys).unwrap();
        if flags & 8 != 0 {
            let ppk = BspKeys::new(&head[33..49], &head[1..17], &head[17..33]).unwrap();
            twin.replace_session_keys(&ppk).unwrap();
        }
        let mut changed = segment.to_vec();
        changed[at] ^= mask;
        assert!(verify(&mut twin, &changed, in_place).is_none(), "changed segment accepted");
    }

    assert_eq!(verify(&mut verifier, segment, in_place).as_deref(), Some(plain), "round trip failed");

    // Arbitrary segments on the live verifier (chained state after the round trip): cut
    // by their own headers where possible, otherwise taken whole.
    let mut input = arbitrary;
    while !input.is_empty() && !verifier.is_terminated() {
        let take = match input {
            [_, l @ 0..=0x7F, ..] => 2 + usize::from(*l),
            [_, 0x81, l, ..] => 3 + usize::from(*l),
            [_, 0x82, hi, lo, ..] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
            _ => input.len(),
        }
        .min(input.len());
        let (segment, tail) = input.split_at(take);
        let _ = verify(&mut verifier, segment, in_place ^ (tail.len() % 2 == 1));
        input = tail;
    }
});
