//! The card side of PUT KEY for an AES key set: the data field decoded as GPC v2.3.1
//! §11.8.2.3 specifies it, whichever form of the Key Component Block the host chose.
//!
//! Each key data field is of the Basic Format (Table 11-68): key type `88` (AES), the length of
//! the Key Component Block (BER, `80` also meaning 128, §11.8.2.3.1), the block, the length of
//! the key check value and the key check value. The block has one of two forms, told apart by
//! its length (§11.8.2.3.3):
//!
//! - not a multiple of the AES block size: Table 11-70, the length of the clear key (BER)
//!   followed by the encrypted, padded key — what GlobalPlatformPro and oxicard send
//!   (`88 11 10 E(key)` for a 16-byte key), valid in Amendment D v1.1 and v1.2 alike;
//! - a multiple of the block size: Table 11-71, the encrypted key alone — what pySim sends for
//!   16- and 32-byte keys (`88 10 E(key)`).
//!
//! Keys are encrypted under the static Key-DEK (Amendment D §6.2.8). The key check value is
//! mandatory for AES keys (§11.8.2.3.3, Appendix B.6) and checked (Amendment D §7.2.2).

use std::vec::Vec;

use oxicard_apdu::StatusWord;
use oxicard_gp::data::KeyInfo;
use oxicard_secure_channel::scp03::{SecretKey, decrypt_key_data, key_check_value};
use zeroize::Zeroizing;

use super::{SW_SECURITY, SW_WRONG_DATA};

/// The AES block size: the unit of the encrypted key component value.
const AES_BLOCK: usize = 16;

/// A decoded PUT KEY data field.
pub(super) struct PutKeyData {
    /// The Key Version Number of the keys in the data field.
    pub(super) new_kvn: u8,
    /// The keys, in the order of their key identifiers (the key bytes; DES keys too).
    pub(super) keys: Vec<SecretKey>,
    /// Each key's check value, as its type computes it (AES: Amendment D §6.2.5, DES: GPC
    /// v2.3.1 §B.6).
    pub(super) check_values: Vec<[u8; 3]>,
}

impl PutKeyData {
    /// The response data: the new KVN and each key's check value (GPC v2.3.1 §11.8.3.1).
    pub(super) fn response(&self) -> Vec<u8> {
        let mut out = std::vec![self.new_kvn];
        for kcv in &self.check_values {
            out.extend_from_slice(kcv);
        }
        out
    }
}

/// Decodes the PUT KEY data field `data`, decrypting under `dek`: `6A80` (wrong data) for a
/// malformed field, another key type or a missing key check value, `6982` for a key check
/// value that does not match (GPC v2.3.1 Table 11-78).
pub(super) fn parse(data: &[u8], dek: &SecretKey) -> Result<PutKeyData, StatusWord> {
    let (&new_kvn, mut rest) = data.split_first().ok_or(SW_WRONG_DATA)?;
    let mut keys = Vec::new();
    let mut check_values = Vec::new();
    while let Some((&key_type, tail)) = rest.split_first() {
        if key_type != KeyInfo::TYPE_AES {
            return Err(SW_WRONG_DATA);
        }
        let (block, tail) = length_prefixed(tail)?;
        let key = decrypt_component(block, dek)?;
        // The key check value: length `01`–`7F` (present for AES keys), value.
        let (&kcv_len, tail) = tail.split_first().ok_or(SW_WRONG_DATA)?;
        if kcv_len == 0 || kcv_len > 0x7F {
            return Err(SW_WRONG_DATA);
        }
        let (kcv, after) = tail.split_at_checked(usize::from(kcv_len)).ok_or(SW_WRONG_DATA)?;
        let expected = key_check_value(key.as_bytes()).map_err(|_| SW_WRONG_DATA)?;
        if expected.as_slice() != kcv {
            return Err(SW_SECURITY);
        }
        check_values.push(expected);
        rest = after;
        keys.push(key);
    }
    Ok(PutKeyData { new_kvn, keys, check_values })
}

/// A length (BER, `80` also meaning 128: GPC v2.3.1 §11.8.2.3.1) and what it covers; the rest.
fn length_prefixed(data: &[u8]) -> Result<(&[u8], &[u8]), StatusWord> {
    let (len, value) = ber_length(data).ok_or(SW_WRONG_DATA)?;
    if value.len() < len {
        return Err(SW_WRONG_DATA);
    }
    Ok(value.split_at(len))
}

/// A length field `01`–`80`, `81 xx` or `82 xx xx`, and the bytes after it.
fn ber_length(data: &[u8]) -> Option<(usize, &[u8])> {
    match data {
        [first @ 0x00..=0x80, rest @ ..] => Some((usize::from(*first), rest)),
        [0x81, len, rest @ ..] => Some((usize::from(*len), rest)),
        [0x82, hi, lo, rest @ ..] => Some((usize::from(u16::from_be_bytes([*hi, *lo])), rest)),
        _ => None,
    }
}

/// The clear key of a Key Component Block (Table 11-70 or 11-71, by its length).
fn decrypt_component(block: &[u8], dek: &SecretKey) -> Result<SecretKey, StatusWord> {
    let (key_len, encrypted) = if block.len().is_multiple_of(AES_BLOCK) {
        (block.len(), block)
    } else {
        ber_length(block).ok_or(SW_WRONG_DATA)?
    };
    if encrypted.is_empty() || key_len > encrypted.len() {
        return Err(SW_WRONG_DATA);
    }
    let mut clear = Zeroizing::new(std::vec![0u8; encrypted.len()]);
    decrypt_key_data(dek, encrypted, &mut clear).map_err(|_| SW_WRONG_DATA)?;
    let key = clear.get(..key_len).ok_or(SW_WRONG_DATA)?;
    SecretKey::from_slice(key).map_err(|_| SW_WRONG_DATA)
}

#[cfg(test)]
mod tests {
    use oxicard_secure_channel::scp03::encrypt_key_data;

    use super::*;

    /// One key data field `88 L KCB 03 KCV` for `key`, with the key length (Table 11-70) or
    /// without it (Table 11-71).
    fn field(dek: &SecretKey, key: &[u8], with_length: bool) -> Vec<u8> {
        let mut encrypted = [0u8; 32];
        let n = encrypt_key_data(dek, key, &mut encrypted).unwrap();
        let mut block = if with_length { std::vec![key.len() as u8] } else { Vec::new() };
        block.extend_from_slice(&encrypted[..n]);
        let mut out = std::vec![0x88, block.len() as u8];
        out.extend_from_slice(&block);
        out.push(0x03);
        out.extend_from_slice(&key_check_value(key).unwrap());
        out
    }

    #[test]
    fn both_key_component_block_forms() {
        // Hand-made example keys (not a published vector): DEK 42…, keys 40… of 16, 24 and 32 bytes.
        let dek = SecretKey::from_slice(&[0x42; 16]).unwrap();
        for len in [16, 24, 32] {
            let key: Vec<u8> = (0x40..0x40 + len).collect();
            // A 24-byte key is padded: only Table 11-70 (with the length) can carry it.
            let forms: &[bool] = if len == 24 { &[true] } else { &[true, false] };
            for &with_length in forms {
                let mut data = std::vec![0x31];
                data.extend_from_slice(&field(&dek, &key, with_length));
                let parsed = parse(&data, &dek).ok().unwrap();
                assert_eq!(parsed.keys[0].as_bytes(), key.as_slice(), "{len} {with_length}");
                let mut expected = std::vec![0x31];
                expected.extend_from_slice(&key_check_value(&key).unwrap());
                assert_eq!(parsed.response(), expected);
            }
        }
        // A wrong key check value: `6982`; none: `6A80`; another key type (DES `80`): `6A80`.
        let key = [0x40; 16];
        let mut data = std::vec![0x31];
        data.extend_from_slice(&field(&dek, &key, false));
        let last = data.len() - 1;
        data[last] ^= 1;
        assert_eq!(parse(&data, &dek).err(), Some(SW_SECURITY));
        data.truncate(data.len() - 4);
        data.push(0x00);
        assert_eq!(parse(&data, &dek).err(), Some(SW_WRONG_DATA));
        data[1] = 0x80;
        assert_eq!(parse(&data, &dek).err(), Some(SW_WRONG_DATA));
    }
}
