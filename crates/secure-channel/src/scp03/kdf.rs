//! The SCP03 data derivation function: NIST SP 800-108 KDF in counter mode with
//! AES-CMAC as PRF, in the fixed-input layout of GP Card Spec Amendment D §4.1.5:
//!
//! ```text
//! label      11 × 00 || derivation constant   (12 bytes)
//! separator  00
//! L          output length in bits, 2 bytes big-endian
//! i          iteration counter, 1 byte, from 01
//! context    e.g. host challenge || card challenge
//! ```
//!
//! The PRF outputs of iterations 1, 2, … are concatenated and truncated to L bits.

use crate::crypto::{BLOCK, Cmac};
use crate::error::{ErrorKind, Result};

/// The derivation constants of Amendment D Table 4-1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum DerivationConstant {
    /// `00`: card cryptogram (key S-MAC).
    CardCryptogram = 0x00,
    /// `01`: host cryptogram (key S-MAC).
    HostCryptogram = 0x01,
    /// `02`: pseudo-random card challenge (static Key-ENC).
    CardChallenge = 0x02,
    /// `04`: S-ENC (static Key-ENC).
    SEnc = 0x04,
    /// `06`: S-MAC (static Key-MAC).
    SMac = 0x06,
    /// `07`: S-RMAC (static Key-MAC).
    SRmac = 0x07,
}

/// The largest output: 255 iterations of 16 bytes (the counter is one byte).
pub const MAX_OUTPUT: usize = 255 * BLOCK;

/// Derives `out.len()` bytes from `key` (16, 24 or 32 bytes), `constant` and `context`
/// (Amendment D §4.1.5). [`ErrorKind::InvalidLength`] if `out` is empty or longer than
/// [`MAX_OUTPUT`].
pub fn kdf(key: &[u8], constant: DerivationConstant, context: &[u8], out: &mut [u8]) -> Result<()> {
    kdf_with(&Cmac::new(key)?, constant, &[context], out)
}

/// [`kdf`] with a prepared CMAC key and the context in parts.
pub(crate) fn kdf_with(
    prf: &Cmac,
    constant: DerivationConstant,
    context: &[&[u8]],
    out: &mut [u8],
) -> Result<()> {
    if out.is_empty() || out.len() > MAX_OUTPUT {
        return Err(ErrorKind::InvalidLength.into());
    }
    let bits = u16::try_from(out.len() * 8).map_err(|_| ErrorKind::InvalidLength)?;
    let [l_hi, l_lo] = bits.to_be_bytes();
    let mut fixed = [0u8; 16];
    // label (11 × 00 || constant) || separator 00 || L || i
    if let Some(slot) = fixed.get_mut(11..15) {
        slot.copy_from_slice(&[constant as u8, 0x00, l_hi, l_lo]);
    }
    for (i, chunk) in (1u8..=255).zip(out.chunks_mut(BLOCK)) {
        if let Some(counter) = fixed.get_mut(15) {
            *counter = i;
        }
        let mut parts: [&[u8]; 4] = [&fixed, &[], &[], &[]];
        for (slot, part) in parts.iter_mut().skip(1).zip(context) {
            *slot = part;
        }
        let block = prf.compute(&parts);
        for (dst, byte) in chunk.iter_mut().zip(block) {
            *dst = byte;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // GP Amendment D §4.1.5 layout, checked on an intermediate value recomputed from the pySim
    // vector SCP03_Test_AES128_33 (tests/unittests/test_globalplatform.py): its S-ENC.
    #[test]
    fn s_enc_of_pysim_aes128_33() {
        let key = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
        let context = hex::decode("fdf38259a1e0de443b1aca81e821f219").unwrap();
        let mut out = [0u8; 16];
        kdf(&key, DerivationConstant::SEnc, &context, &mut out).unwrap();
        assert_eq!(hex::encode(out), "bc5689f3a0b783a9ed6da1c5c6bc1f99");
    }

    #[test]
    fn output_bounds() {
        let mut empty = [0u8; 0];
        assert!(kdf(&[0; 16], DerivationConstant::SMac, &[], &mut empty).is_err());
        let mut big = vec![0u8; MAX_OUTPUT + 1];
        assert!(kdf(&[0; 16], DerivationConstant::SMac, &[], &mut big).is_err());
        assert!(kdf(&[0; 16], DerivationConstant::SMac, &[], &mut big[..MAX_OUTPUT]).is_ok());
    }
}
