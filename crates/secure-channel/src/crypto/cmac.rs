//! AES-CMAC (NIST SP 800-38B, RFC 4493) by the RustCrypto `cmac` crate, over a message
//! given as several slices (no concatenation buffer). The key is expanded once; each MAC
//! runs on a copy of the keyed instance, on the stack, wiped when dropped (the `aes` and
//! `cmac` crates' `zeroize` features).
//!
//! The crate replaced an own CMAC with K1/K2 precomputed per key: on the SCP03 bench the
//! own one was faster only for the shortest messages and slower from about 128-byte
//! payloads on, and on BSP (facade `benches/cmac.rs`, `benches/scp03.rs`, `benches/bsp.rs`).

use aes::{Aes128Enc, Aes192Enc, Aes256Enc};
use cmac::digest::consts::U16;
use cmac::{KeyInit, Mac};

use super::Block;
use crate::error::{ErrorKind, Result};

/// An AES-CMAC key of any of the three AES key sizes.
#[derive(Clone)]
pub(crate) enum Cmac {
    A128(cmac::Cmac<Aes128Enc>),
    A192(cmac::Cmac<Aes192Enc>),
    A256(cmac::Cmac<Aes256Enc>),
}

impl Cmac {
    /// Expands `key` (16, 24 or 32 bytes).
    pub(crate) fn new(key: &[u8]) -> Result<Self> {
        let mac = match key.len() {
            16 => cmac::Cmac::new_from_slice(key).map(Self::A128),
            24 => cmac::Cmac::new_from_slice(key).map(Self::A192),
            32 => cmac::Cmac::new_from_slice(key).map(Self::A256),
            _ => return Err(ErrorKind::InvalidKeyLength.into()),
        };
        mac.map_err(|_| ErrorKind::InvalidKeyLength.into())
    }

    /// The full 16-byte CMAC of the concatenation of `parts`.
    pub(crate) fn compute(&self, parts: &[&[u8]]) -> Block {
        match self {
            Self::A128(m) => tag(m.clone(), parts),
            Self::A192(m) => tag(m.clone(), parts),
            Self::A256(m) => tag(m.clone(), parts),
        }
    }
}

fn tag<M: Mac<OutputSize = U16>>(mut mac: M, parts: &[&[u8]]) -> Block {
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors as vectors;
    use proptest::prelude::*;

    // RFC 4493 §4 and NIST SP 800-38B Appendix D.1–D.3 (tests/vectors/cmac.txt).
    #[test]
    fn published_vectors() {
        let sections = vectors::parse(include_str!("../../tests/vectors/cmac.txt"));
        assert_eq!(sections.len(), 12);
        for s in sections {
            let cmac = Cmac::new(&s.hex("key")).unwrap();
            assert_eq!(hex::encode(cmac.compute(&[&s.hex("message")])), s.get("tag"), "[{}]", s.name);
            // The keyed instance is not consumed: a second MAC gives the same tag.
            assert_eq!(hex::encode(cmac.compute(&[&s.hex("message")])), s.get("tag"), "[{}]", s.name);
        }
    }

    #[test]
    fn key_lengths() {
        for n in [16, 24, 32] {
            assert!(Cmac::new(&vec![0; n]).is_ok());
        }
        for n in [0, 15, 17, 31, 33] {
            assert_eq!(Cmac::new(&vec![0; n]).err().map(|e| e.kind), Some(ErrorKind::InvalidKeyLength));
        }
    }

    proptest! {
        // Any key size, any message, split anywhere: the same tag as the message whole.
        #[test]
        fn split_parts_equal_whole(
            key in prop::sample::select(vec![16usize, 24, 32]).prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
            msg in prop::collection::vec(any::<u8>(), 0..200),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        ) {
            let cmac = Cmac::new(&key).unwrap();
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(msg.len() + 1)).collect();
            at.sort_unstable();
            let mut parts = Vec::new();
            let mut prev = 0;
            for cut in at {
                parts.push(&msg[prev..cut]);
                prev = cut;
            }
            parts.push(&msg[prev..]);
            prop_assert_eq!(cmac.compute(&parts), cmac.compute(&[&msg]));
        }
    }
}
