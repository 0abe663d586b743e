//! Static keys (GP Card Spec v2.3.1 §E.2 Tables E-2/E-3) and the 3DES secret key type.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::des::{DesKey, kcv};
use crate::error::{ErrorKind, Result};

/// A double-length 3DES key (16 bytes, keying option 2: K1 K2 K1; GPC v2.3.1 §B.1).
///
/// Secret: zeroized on drop, `Debug` prints `[redacted]`, no `Display`, and equality is
/// constant-time ([`ConstantTimeEq`]). DES parity bits are neither checked nor adjusted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey {
    bytes: [u8; 16],
}

impl SecretKey {
    /// A key from its bytes; [`ErrorKind::InvalidKeyLength`] unless 16 bytes.
    pub fn from_slice(key: &[u8]) -> Result<Self> {
        let bytes: [u8; 16] = key.try_into().map_err(|_| ErrorKind::InvalidKeyLength)?;
        Ok(Self { bytes })
    }

    /// A key from its 16 bytes.
    pub fn new(bytes: [u8; 16]) -> Self {
        Self { bytes }
    }

    /// The 16 key bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.bytes
    }

    /// The key check value: the first 3 bytes of 3DES-ECB of 8 × `00` (GPC v2.3.1 §B.6).
    pub fn check_value(&self) -> [u8; 3] {
        kcv(&self.expand())
    }

    pub(crate) fn expand(&self) -> DesKey {
        DesKey::new(&self.bytes)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl ConstantTimeEq for SecretKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.bytes.ct_eq(&other.bytes)
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretKey {}

/// A static SCP02 key set: ENC, MAC and DEK (GPC v2.3.1 §E.2 Table E-3), or one Secure
/// Channel base key used for all three (Table E-2), and the key version number (KVN) the
/// card knows them under (KVN `00` asks the card for the first available set, §E.5.1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticKeys {
    kvn: u8,
    enc: SecretKey,
    mac: SecretKey,
    dek: SecretKey,
}

impl StaticKeys {
    /// A set of three keys. [`ErrorKind::InvalidKeyLength`] unless each is 16 bytes.
    pub fn new(kvn: u8, enc: &[u8], mac: &[u8], dek: &[u8]) -> Result<Self> {
        Ok(Self {
            kvn,
            enc: SecretKey::from_slice(enc)?,
            mac: SecretKey::from_slice(mac)?,
            dek: SecretKey::from_slice(dek)?,
        })
    }

    /// A set from its three keys.
    pub fn from_keys(kvn: u8, enc: SecretKey, mac: SecretKey, dek: SecretKey) -> Self {
        Self { kvn, enc, mac, dek }
    }

    /// One Secure Channel base key ("i" b1 clear, Table E-2): every session key is derived
    /// from it (§E.4.1).
    pub fn from_base_key(kvn: u8, key: &[u8]) -> Result<Self> {
        Self::new(kvn, key, key, key)
    }

    /// The key version number.
    pub fn kvn(&self) -> u8 {
        self.kvn
    }

    /// The same keys under another key version number.
    #[must_use]
    pub fn with_kvn(mut self, kvn: u8) -> Self {
        self.kvn = kvn;
        self
    }

    /// ENC: derives the S-ENC session key (constant `0182`).
    pub fn enc(&self) -> &SecretKey {
        &self.enc
    }

    /// MAC: derives the C-MAC (`0101`) and R-MAC (`0102`) session keys.
    pub fn mac(&self) -> &SecretKey {
        &self.mac
    }

    /// DEK: derives the data encryption session key (`0181`).
    pub fn dek(&self) -> &SecretKey {
        &self.dek
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_debug_eq() {
        assert_eq!(SecretKey::from_slice(&[0; 24]).unwrap_err().kind, ErrorKind::InvalidKeyLength);
        assert_eq!(SecretKey::from_slice(&[0; 8]).unwrap_err().kind, ErrorKind::InvalidKeyLength);
        let a = SecretKey::from_slice(&[0x42; 16]).unwrap();
        assert_eq!(format!("{a:?}"), "SecretKey([redacted])");
        assert_eq!(a, SecretKey::new([0x42; 16]));
        assert_ne!(a, SecretKey::new([0x43; 16]));
        let keys = StaticKeys::from_base_key(0x20, &[0x42; 16]).unwrap();
        assert!(!format!("{keys:?}").contains("42"));
        assert_eq!((keys.enc(), keys.kvn()), (keys.dek(), 0x20));
        assert_eq!(keys.with_kvn(0x21).kvn(), 0x21);
    }
}
