//! AES-128/192/256 behind one type (FIPS 197). The key schedules zeroize on drop
//! (the `aes` crate's `zeroize` feature).

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256};

use crate::error::{ErrorKind, Result};

/// The AES block size in bytes.
pub(crate) const BLOCK: usize = 16;

/// One AES block.
pub(crate) type Block = [u8; BLOCK];

/// An expanded AES key of any of the three sizes.
#[derive(Clone)]
pub(crate) enum BlockCipher {
    A128(Aes128),
    A192(Aes192),
    A256(Aes256),
}

impl BlockCipher {
    /// Expands a 16, 24 or 32-byte key.
    pub(crate) fn new(key: &[u8]) -> Result<Self> {
        let cipher = match key.len() {
            16 => Aes128::new_from_slice(key).map(Self::A128),
            24 => Aes192::new_from_slice(key).map(Self::A192),
            32 => Aes256::new_from_slice(key).map(Self::A256),
            _ => return Err(ErrorKind::InvalidKeyLength.into()),
        };
        cipher.map_err(|_| ErrorKind::InvalidKeyLength.into())
    }

    /// Encrypts one block in place (AES-ECB of one block).
    pub(crate) fn encrypt(&self, block: &mut Block) {
        let b: &mut aes::Block = block.into();
        match self {
            Self::A128(c) => c.encrypt_block(b),
            Self::A192(c) => c.encrypt_block(b),
            Self::A256(c) => c.encrypt_block(b),
        }
    }

    /// Decrypts one block in place.
    pub(crate) fn decrypt(&self, block: &mut Block) {
        let b: &mut aes::Block = block.into();
        match self {
            Self::A128(c) => c.decrypt_block(b),
            Self::A192(c) => c.decrypt_block(b),
            Self::A256(c) => c.decrypt_block(b),
        }
    }
}
