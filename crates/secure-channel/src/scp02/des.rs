//! The DES primitives of SCP02 (GP Card Spec v2.3.1 Appendix B.1, E.3): 3DES with
//! keying option 2 (K1, K2, K1) in CBC and ECB mode, the full 3DES MAC (ISO/IEC 9797-1
//! MAC algorithm 1), the retail MAC (ISO/IEC 9797-1 MAC algorithm 3, "single DES plus
//! final triple DES"), ISO/IEC 9797-1 padding method 2 and the DES key check value.
//!
//! Keys are expanded once ([`DesKey`]); the key schedules zeroize on drop (the `des`
//! crate's `zeroize` feature). MACs run over a message given in parts, through a small
//! running state ([`MacState`]) on the stack: nothing here allocates.

use des::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use des::{Des, TdesEde2};
use zeroize::Zeroize;

use crate::crypto::{pad_in_place_to, unpad, xor_into};

/// The DES block size in bytes.
pub(crate) const BLOCK: usize = 8;

/// One DES block.
pub(crate) type Block = [u8; BLOCK];

/// A double-length 3DES key prepared for every SCP02 use: the 3DES (EDE, K1 K2 K1)
/// schedule and the single-DES schedule of K1 (the CBC stage of the retail MAC,
/// GPC v2.3.1 §B.1.2.2, and ICV encryption, §E.3.4).
#[derive(Clone)]
pub(crate) struct DesKey {
    tdes: TdesEde2,
    k1: Des,
}

impl DesKey {
    /// Expands a 16-byte key.
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        let (k1, _) = key.split_at(BLOCK);
        // Both cannot fail: the lengths are fixed (16 and 8 bytes).
        let tdes = TdesEde2::new(key.into());
        let mut half = [0u8; BLOCK];
        half.copy_from_slice(k1);
        let k1 = Des::new((&half).into());
        half.zeroize();
        Self { tdes, k1 }
    }

    /// 3DES-encrypts one block in place (ECB of one block, GPC v2.3.1 §B.1.1.2).
    pub(crate) fn encrypt(&self, block: &mut Block) {
        self.tdes.encrypt_block(block.into());
    }

    /// 3DES-decrypts one block in place.
    pub(crate) fn decrypt(&self, block: &mut Block) {
        self.tdes.decrypt_block(block.into());
    }

    /// Single-DES-encrypts one block with K1 (ICV encryption, GPC v2.3.1 §E.3.4).
    pub(crate) fn encrypt_k1(&self, block: &mut Block) {
        self.k1.encrypt_block(block.into());
    }

    /// 3DES-CBC encryption in place (GPC v2.3.1 §B.1.1.1) of whole blocks; a trailing
    /// partial block is left untouched (callers pad first).
    pub(crate) fn cbc_encrypt(&self, iv: &Block, data: &mut [u8]) {
        let mut prev = *iv;
        for chunk in data.chunks_exact_mut(BLOCK) {
            xor_into(&mut prev, chunk);
            self.encrypt(&mut prev);
            chunk.copy_from_slice(&prev);
        }
    }

    /// 3DES-CBC decryption in place of whole blocks.
    pub(crate) fn cbc_decrypt(&self, iv: &Block, data: &mut [u8]) {
        let mut prev = *iv;
        for chunk in data.chunks_exact_mut(BLOCK) {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            let saved = block;
            self.decrypt(&mut block);
            xor_into(&mut block, &prev);
            chunk.copy_from_slice(&block);
            prev = saved;
        }
    }

    /// 3DES-ECB encryption in place of whole blocks (GPC v2.3.1 §B.1.1.2).
    pub(crate) fn ecb_encrypt(&self, data: &mut [u8]) {
        for chunk in data.chunks_exact_mut(BLOCK) {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            self.encrypt(&mut block);
            chunk.copy_from_slice(&block);
        }
    }

    /// 3DES-ECB decryption in place of whole blocks.
    pub(crate) fn ecb_decrypt(&self, data: &mut [u8]) {
        for chunk in data.chunks_exact_mut(BLOCK) {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            self.decrypt(&mut block);
            chunk.copy_from_slice(&block);
            block.zeroize();
        }
    }

    /// The full 3DES MAC (GPC v2.3.1 §B.1.2.1; ISO/IEC 9797-1 MAC algorithm 1 with 3DES)
    /// of the concatenation of `parts`, padded with method 2: the last block of 3DES-CBC.
    pub(crate) fn full_mac(&self, iv: &Block, parts: &[&[u8]]) -> Block {
        let mut state = MacState::new(iv);
        for part in parts {
            state.update(part, |b| self.encrypt(b));
        }
        state.finish(self)
    }

    /// The retail MAC (GPC v2.3.1 §B.1.2.2; ISO/IEC 9797-1 MAC algorithm 3) of the
    /// concatenation of `parts` with the ICV `iv`, padded with method 2.
    pub(crate) fn retail_mac(&self, iv: &Block, parts: &[&[u8]]) -> Block {
        let mut state = MacState::new(iv);
        for part in parts {
            state.retail_update(self, part);
        }
        state.finish(self)
    }
}

/// A MAC in progress over a message fed in parts: the CBC chaining value of the
/// complete blocks so far and the bytes of the incomplete last block. Since padding
/// method 2 always adds at least one byte, every complete block of the message is an
/// inner block: only the padded final block takes the final 3DES step.
#[derive(Clone, Zeroize)]
pub(crate) struct MacState {
    chain: Block,
    buf: Block,
    len: u8,
}

impl MacState {
    /// A MAC starting from the ICV `iv`.
    pub(crate) fn new(iv: &Block) -> Self {
        Self { chain: *iv, buf: [0; BLOCK], len: 0 }
    }

    /// Feeds `data`, each complete inner block through `encrypt` (single DES with K1
    /// for the retail MAC, 3DES for the full MAC).
    pub(crate) fn update(&mut self, mut data: &[u8], encrypt: impl Fn(&mut Block)) {
        while !data.is_empty() {
            let at = usize::from(self.len);
            let take = (BLOCK - at).min(data.len());
            let (now, rest) = data.split_at(take);
            if let Some(dst) = self.buf.get_mut(at..at + take) {
                dst.copy_from_slice(now);
            }
            data = rest;
            self.len = (at + take) as u8;
            if usize::from(self.len) == BLOCK {
                xor_into(&mut self.chain, &self.buf);
                encrypt(&mut self.chain);
                self.len = 0;
            }
        }
    }

    /// Feeds `data` to a retail MAC keyed with `key` (inner blocks single DES with K1).
    pub(crate) fn retail_update(&mut self, key: &DesKey, data: &[u8]) {
        self.update(data, |b| key.encrypt_k1(b));
    }

    /// Pads (method 2) and runs the final block through 3DES with `key`: the MAC. For the
    /// retail MAC this is DES(K1), DES⁻¹(K2), DES(K1) of the last block (§B.1.2.2); for the
    /// full 3DES MAC the same 3DES as every block.
    pub(crate) fn finish(mut self, key: &DesKey) -> Block {
        // `len` < 8: the padding fills the buffer's last block.
        let _ = pad_in_place_to::<BLOCK>(&mut self.buf, usize::from(self.len));
        let mut mac = self.chain;
        xor_into(&mut mac, &self.buf);
        key.encrypt(&mut mac);
        self.zeroize();
        mac
    }
}

/// The length of the data in `padded` (a whole number of blocks), strictly: the last
/// non-zero byte must be `80` and lie in the last block (1 to 8 padding bytes,
/// GPC v2.3.1 §B.1.3).
pub(crate) fn unpad_strict(padded: &[u8]) -> Option<usize> {
    let marker = unpad(padded)?;
    (padded.len() - marker <= BLOCK).then_some(marker)
}

/// The DES key check value (GPC v2.3.1 §B.6): the first 3 bytes of 3DES-ECB of
/// 8 × `00` under the key.
pub(crate) fn kcv(key: &DesKey) -> [u8; 3] {
    let mut block = [0u8; BLOCK];
    key.encrypt(&mut block);
    let [a, b, c, ..] = block;
    [a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hex: &str) -> DesKey {
        let bytes: [u8; 16] = hex::decode(hex).unwrap().try_into().unwrap();
        DesKey::new(&bytes)
    }

    // GPC v2.3.1 §B.6; GlobalPlatformPro TestPlaintextKeys (static DEK KCV of the SCP01 test).
    #[test]
    fn kcv_of_default_key() {
        assert_eq!(hex::encode(kcv(&key("404142434445464748494a4b4c4d4e4f"))), "8baf47");
    }

    #[test]
    fn retail_mac_is_des_cbc_then_final_3des() {
        // The definition of §B.1.2.2 spelled out with single-DES schedules: DES-CBC with K1
        // over every padded block, then DES⁻¹ with K2 and DES with K1 of the last result.
        let k = key("0123456789abcdeffedcba9876543210");
        let single = |hex: &str| Des::new_from_slice(&hex::decode(hex).unwrap()).unwrap();
        let (d1, d2) = (single("0123456789abcdef"), single("fedcba9876543210"));
        let msg: Vec<u8> = (0u8..21).collect();
        let iv = [7u8; 8];
        let mut padded = msg.clone();
        padded.push(0x80);
        padded.resize(24, 0);
        let mut chain = iv;
        for block in padded.chunks(8) {
            xor_into(&mut chain, block);
            d1.encrypt_block((&mut chain).into());
        }
        d2.decrypt_block((&mut chain).into());
        d1.encrypt_block((&mut chain).into());
        assert_eq!(k.retail_mac(&iv, &[&msg[..5], &msg[5..]]), chain);
        // The full 3DES MAC is the last block of 3DES-CBC over the padded message.
        let mut cbc = padded.clone();
        k.cbc_encrypt(&iv, &mut cbc);
        assert_eq!(&k.full_mac(&iv, &[&msg]), &cbc[16..]);
    }

    #[test]
    fn cbc_and_ecb_round_trip() {
        let k = key("404142434445464748494a4b4c4d4e4f");
        let plain: Vec<u8> = (0u8..32).collect();
        let mut data = plain.clone();
        k.cbc_encrypt(&[0; 8], &mut data);
        assert_ne!(data, plain);
        k.cbc_decrypt(&[0; 8], &mut data);
        assert_eq!(data, plain);
        k.ecb_encrypt(&mut data);
        assert_ne!(data, plain);
        k.ecb_decrypt(&mut data);
        assert_eq!(data, plain);
    }

    #[test]
    fn padding() {
        let mut buf = [0xAAu8; 24];
        assert_eq!(pad_in_place_to::<BLOCK>(&mut buf, 7), Some(8));
        assert_eq!(buf[7], 0x80);
        assert_eq!(pad_in_place_to::<BLOCK>(&mut buf, 8), Some(16));
        assert_eq!(&buf[8..16], &[0x80, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(pad_in_place_to::<BLOCK>(&mut buf[..15], 8), None);
        assert_eq!(unpad_strict(&[1, 2, 0x80, 0, 0, 0, 0, 0]), Some(2));
        assert_eq!(unpad_strict(&[0x80, 0, 0, 0, 0, 0, 0, 0]), Some(0));
        assert_eq!(unpad_strict(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(unpad_strict(&[1, 2, 3, 4, 5, 6, 7, 1]), None);
        assert_eq!(unpad_strict(&[0; 8]), None);
    }
}
