//! Key material for PUT KEY / STORE DATA: encryption with the static Key-DEK
//! (GP Card Spec Amendment D §6.2.8) and AES key check values (§7.2.2).

use super::keys::SecretKey;
use crate::crypto::{BLOCK, BlockCipher, cbc_decrypt, cbc_encrypt};
use crate::error::{Error, ErrorKind, Result};

/// Encrypts key material with Key-DEK: AES-CBC, ICV 16 × `00`, no padding method —
/// data that is not a whole number of blocks (a 24-byte AES key) is completed with `00`
/// bytes (the spec allows any value). Writes into `out`; returns the encrypted length.
pub fn encrypt_key_data(dek: &SecretKey, key_data: &[u8], out: &mut [u8]) -> Result<usize> {
    let len = key_data.len().div_ceil(BLOCK) * BLOCK;
    let dst = out.get_mut(..len).ok_or(Error::buffer_too_small(len))?;
    let (head, tail) = dst.split_at_mut(key_data.len());
    head.copy_from_slice(key_data);
    tail.fill(0);
    cbc_encrypt(&BlockCipher::new(dek.as_bytes())?, &[0; BLOCK], dst);
    Ok(len)
}

/// Decrypts key material encrypted with Key-DEK (the reverse of [`encrypt_key_data`];
/// any completion bytes stay: the caller knows the key length).
/// [`ErrorKind::InvalidLength`] unless a whole number of blocks.
pub fn decrypt_key_data(dek: &SecretKey, encrypted: &[u8], out: &mut [u8]) -> Result<usize> {
    if !encrypted.len().is_multiple_of(BLOCK) {
        return Err(Error::new(ErrorKind::InvalidLength, encrypted.len()));
    }
    let dst = out.get_mut(..encrypted.len()).ok_or(Error::buffer_too_small(encrypted.len()))?;
    dst.copy_from_slice(encrypted);
    cbc_decrypt(&BlockCipher::new(dek.as_bytes())?, &[0; BLOCK], dst);
    Ok(encrypted.len())
}

/// The AES key check value: the first 3 bytes of AES-ECB(key, 16 × `01`)
/// (Amendment D §7.2.2). `key` is 16, 24 or 32 bytes.
pub fn key_check_value(key: &[u8]) -> Result<[u8; 3]> {
    let mut block = [0x01; BLOCK];
    BlockCipher::new(key)?.encrypt(&mut block);
    let [a, b, c, ..] = block;
    Ok([a, b, c])
}

#[cfg(test)]
mod tests {
    use super::*;

    // osmocom/pysim tests/unittests/test_globalplatform.py, SCP03_KCV_Test (KCV: Amendment D §7.2.2).
    #[test]
    fn pysim_kcv() {
        for (key, kcv) in [
            ("000102030405060708090a0b0c0d0e0f", "c35280"),
            ("101112131415161718191a1b1c1d1e1f", "013808"),
            ("202122232425262728292a2b2c2d2e2f", "840de5"),
        ] {
            assert_eq!(hex::encode(key_check_value(&hex::decode(key).unwrap()).unwrap()), kcv);
        }
    }

    #[test]
    fn dek_round_trip() {
        let dek = SecretKey::from_slice(&[0x20; 16]).unwrap();
        let key = [0x42u8; 24];
        let mut enc = [0u8; 32];
        assert_eq!(encrypt_key_data(&dek, &key, &mut enc).unwrap(), 32);
        let mut dec = [0u8; 32];
        assert_eq!(decrypt_key_data(&dek, &enc, &mut dec).unwrap(), 32);
        assert_eq!(&dec[..24], &key);
        assert_eq!(&dec[24..], &[0; 8]);
        assert_eq!(encrypt_key_data(&dek, &key, &mut enc[..31]).unwrap_err(), Error::buffer_too_small(32));
        assert_eq!(decrypt_key_data(&dek, &enc[..20], &mut dec).unwrap_err().kind, ErrorKind::InvalidLength);
    }
}
