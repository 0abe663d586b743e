//! AES-CMAC (NIST SP 800-38B, RFC 4493) with the subkeys K1/K2 computed once per key,
//! over a message given as several slices (no concatenation buffer).

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{BLOCK, Block, BlockCipher, xor_into};
use crate::error::Result;

/// An AES-CMAC key: the expanded cipher and the two subkeys (RFC 4493 §2.3).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Cmac {
    #[zeroize(skip)]
    cipher: BlockCipher,
    k1: Block,
    k2: Block,
}

/// Doubling in GF(2^128) (RFC 4493 §2.3: left shift, xor `87` on carry).
fn dbl(block: &Block) -> Block {
    let mut out = [0u8; BLOCK];
    let mut carry = 0u8;
    for (o, b) in out.iter_mut().zip(block.iter()).rev() {
        *o = (*b << 1) | carry;
        carry = *b >> 7;
    }
    if let Some(last) = out.last_mut() {
        // Constant time: multiply the reduction constant by the carry bit.
        *last ^= 0x87 & 0u8.wrapping_sub(carry);
    }
    out
}

impl Cmac {
    /// Expands `key` (16, 24 or 32 bytes) and derives K1 and K2.
    pub(crate) fn new(key: &[u8]) -> Result<Self> {
        let cipher = BlockCipher::new(key)?;
        let mut l = [0u8; BLOCK];
        cipher.encrypt(&mut l);
        let k1 = dbl(&l);
        let k2 = dbl(&k1);
        l.zeroize();
        Ok(Self { cipher, k1, k2 })
    }

    /// The full 16-byte CMAC of the concatenation of `parts`.
    pub(crate) fn compute(&self, parts: &[&[u8]]) -> Block {
        let mut x = [0u8; BLOCK];
        let mut buf = [0u8; BLOCK];
        let mut n = 0usize;
        for part in parts {
            let mut data = *part;
            while !data.is_empty() {
                if n == BLOCK {
                    xor_into(&mut x, &buf);
                    self.cipher.encrypt(&mut x);
                    n = 0;
                }
                if n == 0 {
                    // Whole blocks straight from the input, keeping the last one back:
                    // it may be the final block, which takes a subkey.
                    while data.len() > BLOCK {
                        let (block, rest) = data.split_at(BLOCK);
                        xor_into(&mut x, block);
                        self.cipher.encrypt(&mut x);
                        data = rest;
                    }
                }
                let take = (BLOCK - n).min(data.len());
                let (head, rest) = data.split_at(take);
                if let Some(dst) = buf.get_mut(n..n + take) {
                    dst.copy_from_slice(head);
                }
                n += take;
                data = rest;
            }
        }
        if n == BLOCK {
            xor_into(&mut buf, &self.k1);
        } else {
            if let Some((first, rest)) = buf.get_mut(n..).and_then(|tail| tail.split_first_mut()) {
                *first = 0x80;
                rest.fill(0);
            }
            xor_into(&mut buf, &self.k2);
        }
        xor_into(&mut x, &buf);
        self.cipher.encrypt(&mut x);
        buf.zeroize();
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors as vectors;
    use ::cmac::Mac;
    use proptest::prelude::*;

    // RFC 4493 §4 and NIST SP 800-38B Appendix D.1–D.3 (tests/vectors/cmac.txt).
    #[test]
    fn published_vectors() {
        let sections = vectors::parse(include_str!("../../tests/vectors/cmac.txt"));
        assert_eq!(sections.len(), 12);
        for s in sections {
            let cmac = Cmac::new(&s.hex("key")).unwrap();
            assert_eq!(hex::encode(cmac.compute(&[&s.hex("message")])), s.get("tag"), "[{}]", s.name);
        }
    }

    fn oracle(key: &[u8], msg: &[u8]) -> Block {
        macro_rules! mac {
            ($aes:ty) => {{
                let mut m = <::cmac::Cmac<$aes> as Mac>::new_from_slice(key).unwrap();
                m.update(msg);
                m.finalize().into_bytes().into()
            }};
        }
        match key.len() {
            16 => mac!(aes::Aes128),
            24 => mac!(aes::Aes192),
            _ => mac!(aes::Aes256),
        }
    }

    proptest! {
        // The `cmac` crate is the oracle: any key size, any message, split anywhere.
        #[test]
        fn matches_the_cmac_crate(
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
            prop_assert_eq!(cmac.compute(&parts), oracle(&key, &msg));
        }
    }

    // RFC 4493 §2.3 subkey example (key 2b7e1516…, the RFC's Example "Subkey Generation").
    #[test]
    fn rfc4493_subkeys() {
        let key = hex::decode("2b7e151628aed2a6abf7158809cf4f3c").unwrap();
        let cmac = Cmac::new(&key).unwrap();
        assert_eq!(hex::encode(cmac.k1), "fbeed618357133667c85e08f7236a8de");
        assert_eq!(hex::encode(cmac.k2), "f7ddac306ae266ccf90bc11ee46d513b");
    }

    #[test]
    fn split_parts_equal_whole() {
        let key = [7u8; 16];
        let cmac = Cmac::new(&key).unwrap();
        let msg: Vec<u8> = (0u8..=99).collect();
        let whole = cmac.compute(&[&msg]);
        for cut1 in 0..msg.len() {
            let cut2 = (cut1 * 7 + 3) % (msg.len() + 1);
            let (a, b) = msg.split_at(cut1.min(cut2));
            let (b, c) = b.split_at(cut1.max(cut2) - cut1.min(cut2));
            assert_eq!(cmac.compute(&[a, b, c]), whole, "cuts {cut1} {cut2}");
        }
    }
}
