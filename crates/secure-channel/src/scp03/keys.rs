//! Static keys (GP Card Spec Amendment D §6.1) and the secret key type.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{ErrorKind, Result};

/// An AES key of 16, 24 or 32 bytes (AES-128/192/256).
///
/// Secret: zeroized on drop, `Debug` prints `[redacted]`, no `Display`, and equality
/// is constant-time ([`ConstantTimeEq`]).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey {
    bytes: [u8; 32],
    len: u8,
}

impl SecretKey {
    /// A key from its bytes; [`ErrorKind::InvalidKeyLength`] unless 16, 24 or 32 bytes.
    pub fn from_slice(key: &[u8]) -> Result<Self> {
        let len = match key.len() {
            16 => 16u8,
            24 => 24,
            32 => 32,
            _ => return Err(ErrorKind::InvalidKeyLength.into()),
        };
        let mut bytes = [0u8; 32];
        if let Some(dst) = bytes.get_mut(..key.len()) {
            dst.copy_from_slice(key);
        }
        Ok(Self { bytes, len })
    }

    /// The key bytes (16, 24 or 32 of them).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The key length in bytes: 16, 24 or 32.
    pub fn key_len(&self) -> usize {
        usize::from(self.len)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl ConstantTimeEq for SecretKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        // The length is not secret; the bytes are compared in constant time.
        self.len.ct_eq(&other.len) & self.bytes.ct_eq(&other.bytes)
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretKey {}

/// A static SCP03 key set: Key-ENC, Key-MAC and (optionally) Key-DEK, all of the same
/// length, and the key version number (KVN) the card knows them under
/// (GP Card Spec Amendment D §6.1; KVN `00` asks the card for the first available set,
/// Amendment D §7.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticKeys {
    kvn: u8,
    enc: SecretKey,
    mac: SecretKey,
    dek: Option<SecretKey>,
}

impl StaticKeys {
    /// A key set with a DEK. [`ErrorKind::InvalidKeyLength`] or
    /// [`ErrorKind::KeyLengthMismatch`] if the keys are not all 16, 24 or all 32 bytes.
    pub fn new(kvn: u8, enc: &[u8], mac: &[u8], dek: &[u8]) -> Result<Self> {
        let keys = Self::without_dek(kvn, enc, mac)?;
        let dek = SecretKey::from_slice(dek)?;
        if dek.key_len() != keys.enc.key_len() {
            return Err(ErrorKind::KeyLengthMismatch.into());
        }
        Ok(Self { dek: Some(dek), ..keys })
    }

    /// A key set without a DEK (enough to open a session; not to encrypt key material).
    pub fn without_dek(kvn: u8, enc: &[u8], mac: &[u8]) -> Result<Self> {
        let enc = SecretKey::from_slice(enc)?;
        let mac = SecretKey::from_slice(mac)?;
        if enc.key_len() != mac.key_len() {
            return Err(ErrorKind::KeyLengthMismatch.into());
        }
        Ok(Self { kvn, enc, mac, dek: None })
    }

    /// The key version number.
    pub fn kvn(&self) -> u8 {
        self.kvn
    }

    /// Key-ENC: derives S-ENC and the pseudo-random card challenge.
    pub fn enc(&self) -> &SecretKey {
        &self.enc
    }

    /// Key-MAC: derives S-MAC and S-RMAC.
    pub fn mac(&self) -> &SecretKey {
        &self.mac
    }

    /// Key-DEK: encrypts key material (Amendment D §6.2.8), if present.
    pub fn dek(&self) -> Option<&SecretKey> {
        self.dek.as_ref()
    }

    /// The common key length in bytes.
    pub fn key_len(&self) -> usize {
        self.enc.key_len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked() {
        assert!(SecretKey::from_slice(&[0; 15]).is_err());
        assert!(SecretKey::from_slice(&[0; 24]).is_ok());
        assert_eq!(
            StaticKeys::new(0x30, &[1; 16], &[2; 16], &[3; 24]).unwrap_err().kind,
            ErrorKind::KeyLengthMismatch
        );
        assert_eq!(
            StaticKeys::without_dek(0, &[1; 16], &[2; 32]).unwrap_err().kind,
            ErrorKind::KeyLengthMismatch
        );
        assert_eq!(StaticKeys::new(0x30, &[1; 32], &[2; 32], &[3; 32]).unwrap().key_len(), 32);
    }

    #[test]
    fn debug_is_redacted_and_eq_compares_bytes() {
        let a = SecretKey::from_slice(&[0x42; 16]).unwrap();
        let b = SecretKey::from_slice(&[0x42; 16]).unwrap();
        let c = SecretKey::from_slice(&[0x43; 16]).unwrap();
        assert_eq!(format!("{a:?}"), "SecretKey([redacted])");
        let keys = StaticKeys::new(1, &[0x42; 16], &[0x42; 16], &[0x42; 16]).unwrap();
        assert!(!format!("{keys:?}").contains("42"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, SecretKey::from_slice(&[0x42; 24]).unwrap());
    }
}
