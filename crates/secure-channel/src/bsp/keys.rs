//! The BSP key set: initial MAC chaining value, S-ENC and S-MAC (SGP.22 §2.6.4.2), or
//! after ReplaceSessionKeys the PPK set (SGP.22 §2.5.5).

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::kdf::{SharedInfo, x963_kdf_sha256};
use crate::crypto::{BLOCK, Block};
use crate::error::{ErrorKind, Result};
use crate::scp03::SecretKey;

/// The tag of the ReplaceSessionKeysRequest, `[38]` constructed: `BF26`
/// (SGP.22 §5.5.1 / ES8+ `ReplaceSessionKeysRequest`).
pub const TAG_REPLACE_SESSION_KEYS: [u8; 2] = [0xBF, 0x26];

/// The length of an encoded ReplaceSessionKeysRequest with AES-128 keys:
/// `BF26 36 { 80 10 MCV, 81 10 PPK-ENC, 82 10 PPK-MAC }`, 57 bytes.
pub const REPLACE_SESSION_KEYS_LEN: usize = 3 + 3 * (2 + 16);

/// A BSP key set: the initial MAC chaining value (16 bytes), the encryption key
/// (S-ENC or PPK-ENC) and the MAC key (S-MAC or PPK-MAC).
///
/// Secret: zeroized on drop, `Debug` prints `[redacted]`, no `Display`, equality is
/// constant-time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BspKeys {
    initial_mcv: Block,
    enc: SecretKey,
    mac: SecretKey,
}

impl BspKeys {
    /// A key set from its parts: a 16-byte initial MAC chaining value
    /// ([`ErrorKind::InvalidLength`] otherwise) and two AES keys of one length (16, 24 or
    /// 32 bytes; [`ErrorKind::InvalidKeyLength`], [`ErrorKind::KeyLengthMismatch`]).
    /// SGP.22 uses AES-128 only.
    pub fn new(initial_mcv: &[u8], enc: &[u8], mac: &[u8]) -> Result<Self> {
        let initial_mcv: Block = initial_mcv.try_into().map_err(|_| ErrorKind::InvalidLength)?;
        let enc = SecretKey::from_slice(enc)?;
        let mac = SecretKey::from_slice(mac)?;
        if enc.key_len() != mac.key_len() {
            return Err(ErrorKind::KeyLengthMismatch.into());
        }
        Ok(Self { initial_mcv, enc, mac })
    }

    /// The session keys from the ECKA shared secret (SGP.22 §2.6.4.2): 48 bytes of
    /// [`x963_kdf_sha256`] over `shared_secret` and `shared_info`, split in this order
    /// into the initial MAC chaining value, S-ENC and S-MAC (16 bytes each).
    /// [`ErrorKind::InvalidLength`] if the shared secret is empty.
    pub fn derive(shared_secret: &[u8], shared_info: &SharedInfo) -> Result<Self> {
        let mut out = [0u8; 3 * BLOCK];
        let keys = x963_kdf_sha256(shared_secret, &[shared_info.as_bytes()], &mut out).and_then(|()| {
            let (mcv, rest) = out.split_at(BLOCK);
            let (enc, mac) = rest.split_at(BLOCK);
            Self::new(mcv, enc, mac)
        });
        out.zeroize();
        keys
    }

    /// The initial MAC chaining value.
    pub fn initial_mcv(&self) -> &[u8; 16] {
        &self.initial_mcv
    }

    /// S-ENC (or PPK-ENC).
    pub fn enc(&self) -> &SecretKey {
        &self.enc
    }

    /// S-MAC (or PPK-MAC).
    pub fn mac(&self) -> &SecretKey {
        &self.mac
    }

    /// Decodes a ReplaceSessionKeysRequest (SGP.22 §5.5.1, ES8+):
    /// `BF26 L { 80 initialMacChainingValue, 81 ppkEnc, 82 ppkCmac }`, DER (definite
    /// lengths, these three fields in this order, nothing after them). The MCV must be
    /// 16 bytes and the keys 16, 24 or 32 bytes of one length. [`ErrorKind::InvalidValue`]
    /// for any other structure.
    pub fn from_replace_session_keys(der: &[u8]) -> Result<Self> {
        let body = der.strip_prefix(&TAG_REPLACE_SESSION_KEYS[..]).ok_or(ErrorKind::InvalidValue)?;
        let (len, body) = short_length(body)?;
        if body.len() != len {
            return Err(ErrorKind::InvalidValue.into());
        }
        let (mcv, body) = field(body, 0x80)?;
        let (enc, body) = field(body, 0x81)?;
        let (mac, body) = field(body, 0x82)?;
        if !body.is_empty() {
            return Err(ErrorKind::InvalidValue.into());
        }
        Self::new(mcv, enc, mac).map_err(|_| ErrorKind::InvalidValue.into())
    }

    /// Encodes this key set as a ReplaceSessionKeysRequest (`BF26`, DER) into `out`;
    /// returns the length ([`REPLACE_SESSION_KEYS_LEN`] for AES-128).
    /// [`ErrorKind::BufferTooSmall`] if `out` is too short.
    pub fn write_replace_session_keys(&self, out: &mut [u8]) -> Result<usize> {
        let key_len = self.enc.key_len();
        // At most 2 + 16 + 2 * (2 + 32) = 86 bytes of content: the short length form.
        let content = 2 + BLOCK + 2 * (2 + key_len);
        let total = 3 + content;
        let dst = out.get_mut(..total).ok_or(crate::Error::buffer_too_small(total))?;
        let mut at = 0usize;
        for part in [
            &[0xBF, 0x26, content as u8, 0x80, BLOCK as u8][..],
            &self.initial_mcv,
            &[0x81, key_len as u8],
            self.enc.as_bytes(),
            &[0x82, key_len as u8],
            self.mac.as_bytes(),
        ] {
            if let Some(slot) = dst.get_mut(at..at + part.len()) {
                slot.copy_from_slice(part);
            }
            at += part.len();
        }
        Ok(total)
    }
}

/// A one-byte (short form) DER length: at most 127 (every ReplaceSessionKeysRequest).
fn short_length(bytes: &[u8]) -> Result<(usize, &[u8])> {
    match bytes.split_first() {
        Some((&len, rest)) if len < 0x80 => Ok((usize::from(len), rest)),
        _ => Err(ErrorKind::InvalidValue.into()),
    }
}

/// One primitive field `tag L value` with a short-form length.
fn field(bytes: &[u8], tag: u8) -> Result<(&[u8], &[u8])> {
    let rest = bytes.strip_prefix(&[tag]).ok_or(ErrorKind::InvalidValue)?;
    let (len, rest) = short_length(rest)?;
    if rest.len() < len {
        return Err(ErrorKind::InvalidValue.into());
    }
    Ok(rest.split_at(len))
}

impl fmt::Debug for BspKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BspKeys([redacted])")
    }
}

impl ConstantTimeEq for BspKeys {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.initial_mcv.ct_eq(&other.initial_mcv) & self.enc.ct_eq(&other.enc) & self.mac.ct_eq(&other.mac)
    }
}

impl PartialEq for BspKeys {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for BspKeys {}

#[cfg(test)]
mod tests {
    use super::*;

    // The ReplaceSessionKeys plaintext of pySim BSP_Test_mode51.test_ciphering
    // (tests/unittests/test_esim_bsp.py, its third segment; SGP.22 §2.6.4).
    const RSK: &str = "bf26368010000102030405060708090a0b0c0d0e0f8110010102030405060708090a0b0c0d0e0f\
                       8210020102030405060708090a0b0c0d0e0f";

    #[test]
    fn replace_session_keys_round_trip() {
        let der = hex::decode(RSK).unwrap();
        let keys = BspKeys::from_replace_session_keys(&der).unwrap();
        assert_eq!(hex::encode(keys.initial_mcv()), "000102030405060708090a0b0c0d0e0f");
        assert_eq!(hex::encode(keys.enc().as_bytes()), "010102030405060708090a0b0c0d0e0f");
        assert_eq!(hex::encode(keys.mac().as_bytes()), "020102030405060708090a0b0c0d0e0f");
        let mut out = [0u8; 100];
        assert_eq!(keys.write_replace_session_keys(&mut out).unwrap(), REPLACE_SESSION_KEYS_LEN);
        assert_eq!(&out[..REPLACE_SESSION_KEYS_LEN], &der[..]);
        assert_eq!(
            keys.write_replace_session_keys(&mut out[..56]).unwrap_err(),
            crate::Error::buffer_too_small(57)
        );
    }

    #[test]
    fn replace_session_keys_rejects_other_structures() {
        let der = hex::decode(RSK).unwrap();
        for bad in [
            &der[..56],                                    // truncated
            &[&der[..], &[0u8][..]].concat()[..],          // trailing byte (outer length mismatch)
            &[&[0xBF, 0x27], &der[2..]].concat()[..],      // other tag
            &[&der[..3], &[0x81], &der[4..]].concat()[..], // fields out of order
        ] {
            assert_eq!(BspKeys::from_replace_session_keys(bad).unwrap_err().kind, ErrorKind::InvalidValue);
        }
        // An MCV of 15 bytes.
        let mut short = der.clone();
        short[2] = 0x35;
        short[4] = 0x0F;
        short.remove(5);
        assert_eq!(BspKeys::from_replace_session_keys(&short).unwrap_err().kind, ErrorKind::InvalidValue);
    }

    #[test]
    fn secrets_are_redacted_and_compared() {
        let a = BspKeys::new(&[1; 16], &[2; 16], &[3; 16]).unwrap();
        assert_eq!(format!("{a:?}"), "BspKeys([redacted])");
        assert_eq!(a, a.clone());
        assert_ne!(a, BspKeys::new(&[1; 16], &[2; 16], &[4; 16]).unwrap());
        assert_eq!(BspKeys::new(&[1; 15], &[2; 16], &[3; 16]).unwrap_err().kind, ErrorKind::InvalidLength);
        assert_eq!(
            BspKeys::new(&[1; 16], &[2; 16], &[3; 32]).unwrap_err().kind,
            ErrorKind::KeyLengthMismatch
        );
    }
}
