//! BSP (SGP.22 §2.6.4) known-answer tests: pySim `tests/unittests/test_esim_bsp.py`
//! (`tests/vectors/bsp_pysim.txt`, `tests/vectors/bsp_pysim_bpp.txt`) and the intermediate
//! values of its mode51 vector, re-derived independently (`tests/vectors/bsp_digest.txt`). Both roles reproduce
//! every vector byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use cmac::Mac;
use common::vectors::{self, Section};
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::bsp::{
    BspKeys, BspProtector, BspVerifier, MAX_ACCEPTED_SEGMENT_LEN, SegmentTag, SharedInfo, x963_kdf_sha256,
};

fn pysim() -> Vec<Section> {
    vectors::parse(include_str!("vectors/bsp_pysim.txt"))
}

fn section<'a>(all: &'a [Section], name: &str) -> &'a Section {
    all.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no [{name}]"))
}

fn keys(s: &Section, prefix: &str) -> BspKeys {
    let get = |k: &str| s.hex(&format!("{prefix}{k}"));
    BspKeys::new(&get("mcv"), &get("enc"), &get("mac")).unwrap()
}

fn session_keys(s: &Section) -> BspKeys {
    BspKeys::new(&s.hex("initial_mcv"), &s.hex("s_enc"), &s.hex("s_mac")).unwrap()
}

/// The (tag, plaintext, segment) triples of a section, in order.
fn triples(s: &Section) -> Vec<(SegmentTag, Vec<u8>, Vec<u8>)> {
    let tags: Vec<_> = s.entries.iter().filter(|(k, _)| k == "tag").collect();
    let plains: Vec<_> = s.entries.iter().filter(|(k, _)| k == "plaintext").collect();
    let segments: Vec<_> = s.entries.iter().filter(|(k, _)| k == "segment").collect();
    assert_eq!(tags.len(), plains.len());
    assert_eq!(tags.len(), segments.len());
    tags.iter()
        .zip(plains)
        .zip(segments)
        .map(|((t, p), c)| {
            (
                SegmentTag::from_byte(u8::from_str_radix(&t.1, 16).unwrap()).unwrap(),
                hex::decode(&p.1).unwrap(),
                hex::decode(&c.1).unwrap(),
            )
        })
        .collect()
}

#[test]
fn pysim_key_derivation() {
    let all = pysim();
    for name in ["BSP_Test.test_kdf", "BSP_Test_mode51.test_kdf"] {
        let s = section(&all, name);
        let info = SharedInfo::new(&s.hex("host_id"), &s.hex("eid")).unwrap();
        let derived = BspKeys::derive(&s.hex("shared_secret"), &info).unwrap();
        assert_eq!(derived.initial_mcv(), &s.hex("initial_mcv")[..], "[{name}]");
        assert_eq!(derived.enc().as_bytes(), &s.hex("s_enc")[..], "[{name}]");
        assert_eq!(derived.mac().as_bytes(), &s.hex("s_mac")[..], "[{name}]");
        assert_eq!(derived, session_keys(s));
    }
}

#[test]
fn digest_worked_example() {
    let all = vectors::parse(include_str!("vectors/bsp_digest.txt"));
    assert_eq!(all.len(), 2);
    let kdf = &all[0];
    let info = SharedInfo::new(&kdf.hex("host_id"), &kdf.hex("eid")).unwrap();
    assert_eq!(info.as_bytes(), &kdf.hex("shared_info")[..]);
    let mut key_data = [0u8; 48];
    x963_kdf_sha256(&kdf.hex("shared_secret"), &[info.as_bytes()], &mut key_data).unwrap();
    assert_eq!(&key_data[..], &kdf.hex("key_data")[..]);
    let keys = BspKeys::derive(&kdf.hex("shared_secret"), &info).unwrap();

    // The intermediate values are consistent with the RustCrypto `aes`/`cmac` crates
    // (oracles), and the protector emits `87 18 C MAC` with exactly these C and MAC.
    let seg = &all[1];
    let aes = aes::Aes128::new_from_slice(keys.enc().as_bytes()).unwrap();
    let mut icv = aes::Block::from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    aes.encrypt_block(&mut icv);
    assert_eq!(&icv[..], &seg.hex("icv")[..]);
    let mut block: Vec<u8> = seg.hex("padded").iter().zip(icv.iter()).map(|(a, b)| a ^ b).collect();
    aes.encrypt_block(<&mut aes::Block>::try_from(&mut block[..]).unwrap());
    assert_eq!(block, seg.hex("ciphertext"));
    let mut mac = <cmac::Cmac<aes::Aes128> as KeyInit>::new_from_slice(keys.mac().as_bytes()).unwrap();
    mac.update(&seg.hex("mac_input"));
    assert_eq!(&mac.finalize().into_bytes()[..], &seg.hex("full_cmac")[..]);

    let mut protector = BspProtector::new(&keys).unwrap();
    let mut out = [0u8; 64];
    let n = protector.protect(SegmentTag::Encrypted87, &seg.hex("plaintext"), &mut out).unwrap();
    assert_eq!(&out[..n], &seg.hex("segment")[..]);
    assert_eq!(&out[2..18], &seg.hex("ciphertext")[..]);
    assert_eq!(&out[18..n], &seg.hex("full_cmac")[..8]);
}

/// The SM-DP+ side reproduces pySim's third-party trace: 87, 88, ReplaceSessionKeys
/// (87), then two 1020-byte 86 segments under the PPKs.
#[test]
fn mode51_protector() {
    let all = pysim();
    let session = section(&all, "BSP_Test_mode51.test_ciphering.session");
    let ppk_section = section(&all, "BSP_Test_mode51.test_ciphering.ppk");
    let ppk = session_keys(ppk_section);
    let mut protector = BspProtector::new(&session_keys(session)).unwrap();
    let mut out = vec![0u8; 2048];
    let steps = triples(session);
    assert_eq!(steps.len(), 3);
    for (i, (tag, plain, segment)) in steps.iter().enumerate().take(2) {
        assert_eq!(protector.block_counter(), i as u64 + 1);
        let n = protector.protect(*tag, plain, &mut out).unwrap();
        assert_eq!(hex::encode(&out[..n]), hex::encode(segment), "segment {i}");
    }
    // The third segment is ReplaceSessionKeys: the BF26 plaintext is our own encoding of
    // the PPKs, protected with the session keys at block counter 3.
    let (tag, rsk_plain, rsk_segment) = &steps[2];
    assert_eq!(*tag, SegmentTag::Encrypted87);
    assert_eq!(BspKeys::from_replace_session_keys(rsk_plain).unwrap(), ppk);
    assert_eq!(protector.block_counter(), 3);
    let n = protector.replace_session_keys(&ppk, &mut out).unwrap();
    assert_eq!(hex::encode(&out[..n]), hex::encode(rsk_segment));
    assert_eq!(protector.block_counter(), 1);
    for (i, (tag, plain, segment)) in triples(ppk_section).iter().enumerate() {
        assert_eq!(plain.len(), 1007);
        let n = protector.protect(*tag, plain, &mut out).unwrap();
        assert_eq!(n, 1020);
        assert_eq!(hex::encode(&out[..n]), hex::encode(segment), "86 segment {i}");
    }
}

/// The same trace from the eUICC side: verify, decrypt, switch keys, verify the 86s —
/// once into a buffer, once in place.
#[test]
fn mode51_verifier() {
    let all = pysim();
    let session = section(&all, "BSP_Test_mode51.test_ciphering.session");
    let ppk_section = section(&all, "BSP_Test_mode51.test_ciphering.ppk");
    for in_place in [false, true] {
        let mut verifier = BspVerifier::new(&session_keys(session)).unwrap();
        let steps = triples(session);
        for (tag, plain, segment) in steps.iter().take(2) {
            let mut seg = segment.clone();
            let mut out = vec![0u8; segment.len()];
            let got = if in_place {
                let (t, p) = verifier.verify_in_place(&mut seg).unwrap();
                (t, p.to_vec())
            } else {
                let v = verifier.verify(&seg, &mut out).unwrap();
                (v.tag, out[..v.len].to_vec())
            };
            assert_eq!(got, (*tag, plain.clone()));
        }
        assert_eq!(verifier.block_counter(), Some(3));
        verifier.verify_replace_session_keys(&steps[2].2).unwrap();
        assert_eq!(verifier.block_counter(), Some(1));
        for (tag, plain, segment) in triples(ppk_section) {
            let mut seg = segment.clone();
            let mut out = vec![0u8; 1008];
            let got = if in_place {
                let (t, p) = verifier.verify_in_place(&mut seg).unwrap();
                (t, p.to_vec())
            } else {
                let v = verifier.verify(&seg, &mut out).unwrap();
                (v.tag, out[..v.len].to_vec())
            };
            assert_eq!(got, (tag, plain));
        }
        assert!(!verifier.is_terminated());
    }
}

/// Minimal BER-TLV reader for the BPP container (tags of one or two bytes, lengths up to
/// `82 xx xx`): returns (tag, value, rest).
fn tlv(bytes: &[u8]) -> (u16, &[u8], &[u8]) {
    let (tag, rest) = if bytes[0] & 0x1F == 0x1F {
        (u16::from_be_bytes([bytes[0], bytes[1]]), &bytes[2..])
    } else {
        (u16::from(bytes[0]), &bytes[1..])
    };
    let (len, rest) = match rest[0] {
        0x81 => (usize::from(rest[1]), &rest[2..]),
        0x82 => (usize::from(u16::from_be_bytes([rest[1], rest[2]])), &rest[3..]),
        n => (usize::from(n), &rest[1..]),
    };
    (tag, &rest[..len], &rest[len..])
}

fn children(mut bytes: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (tag, value, rest) = tlv(bytes);
        out.push((tag, value));
        bytes = rest;
    }
    out
}

/// pySim `TestBSPdecode`: a whole Bound Profile Package. ConfigureISDP and StoreMetadata
/// with the session keys, the 13 `86` segments (1036 bytes, above the 1020-byte limit)
/// with PPKs given out of band; the concatenated plaintext is the UPP.
#[test]
fn pysim_bpp_decode() {
    let all = vectors::parse(include_str!("vectors/bsp_pysim_bpp.txt"));
    let s = &all[0];
    let bpp = s.hex("bpp");
    let (tag, body, rest) = tlv(&bpp);
    assert_eq!((tag, rest.len()), (0xBF36, 0));
    let parts = children(body);
    let tags: Vec<u16> = parts.iter().map(|p| p.0).collect();
    assert_eq!(tags, vec![0xBF23, 0xA0, 0xA1, 0xA3]);

    let mut verifier = BspVerifier::new(&session_keys(s)).unwrap();
    let mut out = vec![0u8; MAX_ACCEPTED_SEGMENT_LEN];
    let mut open = |verifier: &mut BspVerifier, seq: &[u8], tag: SegmentTag| -> Vec<u8> {
        let mut plain = Vec::new();
        for (outer, segment) in children(seq) {
            // Each element wraps a complete segment in the same tag (see the vector file).
            assert_eq!(outer, u16::from(tag.byte()));
            let v = verifier.verify(segment, &mut out).unwrap();
            assert_eq!(v.tag, tag);
            plain.extend_from_slice(&out[..v.len]);
        }
        plain
    };
    assert_eq!(open(&mut verifier, parts[1].1, SegmentTag::Encrypted87), s.hex("configure_isdp"));
    assert_eq!(open(&mut verifier, parts[2].1, SegmentTag::MacOnly88), s.hex("store_metadata"));
    verifier.replace_session_keys(&keys(s, "ppk_")).unwrap();
    let segments = children(parts[3].1);
    assert_eq!(segments.len(), 13);
    assert!(segments[..12].iter().all(|(_, seg)| seg.len() == 1036));
    let upp = open(&mut verifier, parts[3].1, SegmentTag::ProfileElements86);
    assert_eq!(upp.len(), 12251);
    assert_eq!(upp, s.hex("upp"));
    assert_eq!(verifier.block_counter(), Some(14));
}

/// A tampered pySim segment is rejected and terminates the verifier for good.
#[test]
fn tampered_vector_terminates() {
    let all = pysim();
    let session = section(&all, "BSP_Test_mode51.test_ciphering.session");
    let steps = triples(session);
    let mut verifier = BspVerifier::new(&session_keys(session)).unwrap();
    let mut seg = steps[0].2.clone();
    seg[5] ^= 0x01;
    let mut out = [0u8; 64];
    assert_eq!(verifier.verify(&seg, &mut out).unwrap_err().kind, ErrorKind::MacMismatch);
    assert!(verifier.is_terminated());
    assert_eq!(out, [0u8; 64]);
    assert_eq!(verifier.verify(&steps[0].2, &mut out).unwrap_err().kind, ErrorKind::Terminated);
    assert_eq!(
        verifier.replace_session_keys(&session_keys(session)).unwrap_err().kind,
        ErrorKind::Terminated
    );
    assert_eq!(format!("{verifier:?}"), "BspVerifier { counter: None, terminated: true, .. }");
}
