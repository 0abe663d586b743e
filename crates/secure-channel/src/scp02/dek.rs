//! Sensitive data: DES keys for PUT KEY, encrypted with the data encryption session key
//! (GP Card Spec v2.3.1 §E.4.7), their key check values (§B.6), and the PUT KEY command
//! for DES keys (§11.8.2).

use super::des::BLOCK;
use super::keys::SecretKey;
use super::params::Initiation;
use super::wire::write_parts;
use crate::error::{Error, ErrorKind, Result};

/// INS of PUT KEY.
pub const INS_PUT_KEY: u8 = 0xD8;

/// The key type of a DES key in a key data field (GPC v2.3.1 Table 11-16): `80`.
pub const KEY_TYPE_DES: u8 = 0x80;

/// The length of one DES key data field in PUT KEY: `80 10 <16> 03 <3>`.
pub const DES_KEY_FIELD_LEN: usize = 22;

/// Copies `data` (whole 8-byte blocks: [`ErrorKind::InvalidLength`] otherwise) into `out`
/// and runs `dek` over it in the mode of `initiation` (GPC v2.3.1 §E.4.7): 3DES-ECB after
/// explicit initiation, 3DES-CBC with ICV zero after implicit initiation; returns the length.
fn crypt_key_data(
    dek: &SecretKey,
    initiation: Initiation,
    data: &[u8],
    out: &mut [u8],
    encrypt: bool,
) -> Result<usize> {
    if !data.len().is_multiple_of(BLOCK) {
        return Err(Error::new(ErrorKind::InvalidLength, data.len()));
    }
    let (dst, _) = out.split_at_mut_checked(data.len()).ok_or(Error::buffer_too_small(data.len()))?;
    dst.copy_from_slice(data);
    let key = dek.expand();
    match (initiation, encrypt) {
        (Initiation::Explicit, true) => key.ecb_encrypt(dst),
        (Initiation::Explicit, false) => key.ecb_decrypt(dst),
        (Initiation::Implicit, true) => key.cbc_encrypt(&[0; BLOCK], dst),
        (Initiation::Implicit, false) => key.cbc_decrypt(&[0; BLOCK], dst),
    }
    Ok(data.len())
}

/// Encrypts sensitive data (whole 8-byte blocks, no padding: DES keys need none) with the
/// data encryption session key `dek` (GPC v2.3.1 §E.4.7): 3DES-ECB after explicit
/// initiation, 3DES-CBC with ICV zero after implicit initiation. Writes into `out`;
/// returns the length. [`ErrorKind::InvalidLength`] for a partial block.
pub fn encrypt_key_data(
    dek: &SecretKey,
    initiation: Initiation,
    data: &[u8],
    out: &mut [u8],
) -> Result<usize> {
    crypt_key_data(dek, initiation, data, out, true)
}

/// Decrypts sensitive data encrypted with [`encrypt_key_data`] (card side; no padding is
/// removed, §E.4.7).
pub fn decrypt_key_data(
    dek: &SecretKey,
    initiation: Initiation,
    data: &[u8],
    out: &mut [u8],
) -> Result<usize> {
    crypt_key_data(dek, initiation, data, out, false)
}

/// The DES key check value of `key` (16 bytes): the first 3 bytes of 3DES-ECB of 8 × `00`
/// (GPC v2.3.1 §B.6). [`ErrorKind::InvalidKeyLength`] otherwise.
pub fn key_check_value(key: &[u8]) -> Result<[u8; 3]> {
    Ok(SecretKey::from_slice(key)?.check_value())
}

/// Writes the key data field of one DES key (GPC v2.3.1 §11.8.2.3, Table 11-68):
/// `80` (DES) `10` `<key encrypted with dek>` `03` `<KCV of the clear key>`; returns 22.
pub fn des_key_field(
    dek: &SecretKey,
    initiation: Initiation,
    key: &SecretKey,
    out: &mut [u8],
) -> Result<usize> {
    let mut encrypted = [0u8; 16];
    encrypt_key_data(dek, initiation, key.as_bytes(), &mut encrypted)?;
    write_parts(out, &[&[KEY_TYPE_DES, 0x10], &encrypted, &[0x03], &key.check_value()])
}

/// Parses one DES key data field (card side): decrypts the key with `dek` and checks its
/// KCV. Returns the key and the field length (22). [`ErrorKind::InvalidValue`] for another
/// key type or length, [`ErrorKind::Truncated`], [`ErrorKind::MacMismatch`] for a KCV that
/// does not match (the card answers `6982`, GPC v2.3.1 Table 11-78).
pub fn parse_des_key_field(
    dek: &SecretKey,
    initiation: Initiation,
    field: &[u8],
) -> Result<(SecretKey, usize)> {
    let Some((head, _)) = field.split_first_chunk::<DES_KEY_FIELD_LEN>() else {
        return Err(Error::new(ErrorKind::Truncated, field.len()));
    };
    let (tl, rest) = head.split_at(2);
    let (encrypted, rest) = rest.split_at(16);
    let (kcv_tl, received_kcv) = rest.split_at(1);
    if tl != [KEY_TYPE_DES, 0x10] || kcv_tl != [0x03] {
        return Err(ErrorKind::InvalidValue.into());
    }
    let mut clear = [0u8; 16];
    decrypt_key_data(dek, initiation, encrypted, &mut clear)?;
    let key = SecretKey::new(clear);
    zeroize::Zeroize::zeroize(&mut clear);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(key.check_value().as_slice(), received_kcv)) {
        return Err(ErrorKind::MacMismatch.into());
    }
    Ok((key, DES_KEY_FIELD_LEN))
}

/// Builds PUT KEY for DES keys (GPC v2.3.1 §11.8.2): `80 D8 P1 P2 Lc new-KVN key-fields 00`
/// with P1 = `replace_kvn` (`00`: add a new key set; b8 "more commands" clear), P2 = the
/// Key ID of the first key, with b8 set when there are several keys, and one
/// [`des_key_field`] per key (ENC, MAC, DEK in that order for a key set, as
/// GlobalPlatformPro does with P2 `81`). Up to 11 keys fit a short command under C-MAC.
#[allow(clippy::too_many_arguments)]
pub fn put_key_command(
    dek: &SecretKey,
    initiation: Initiation,
    replace_kvn: u8,
    new_kvn: u8,
    first_key_id: u8,
    keys: &[&SecretKey],
    out: &mut [u8],
) -> Result<usize> {
    if replace_kvn > 0x7F || first_key_id > 0x7F || keys.is_empty() {
        return Err(ErrorKind::InvalidValue.into());
    }
    let lc = 1 + DES_KEY_FIELD_LEN * keys.len();
    if lc > 255 {
        return Err(ErrorKind::DataTooLong.into());
    }
    let total = 5 + lc + 1;
    if out.len() < total {
        return Err(Error::buffer_too_small(total));
    }
    let p2 = first_key_id | if keys.len() > 1 { 0x80 } else { 0x00 };
    write_parts(out, &[&[0x80, INS_PUT_KEY, replace_kvn, p2, lc as u8, new_kvn]])?;
    let mut at = 6;
    for key in keys {
        let (_, rest) = out.split_at_mut_checked(at).ok_or(Error::buffer_too_small(total))?;
        at += des_key_field(dek, initiation, key, rest)?;
    }
    if let Some(le) = out.get_mut(at) {
        *le = 0x00;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scp02::kdf::{DerivationConstant, session_key};

    fn k(hex: &str) -> SecretKey {
        SecretKey::from_slice(&hex::decode(hex).unwrap()).unwrap()
    }

    // GlobalPlatformPro TestPlaintextKeys: 404142…4F encrypted for SCP02 under the session DEK
    // of the static keys 404142…4F at sequence counter 0000 (3DES-ECB).
    #[test]
    fn gppro_key_encryption() {
        let static_key = k("404142434445464748494a4b4c4d4e4f");
        let dek = session_key(&static_key, DerivationConstant::Dek, [0, 0]);
        let mut out = [0u8; 16];
        encrypt_key_data(&dek, Initiation::Explicit, static_key.as_bytes(), &mut out).unwrap();
        assert_eq!(hex::encode_upper(out), "EFBEE6C6D99D7B70BDE9D7E927F020AF");
        let mut back = [0u8; 16];
        decrypt_key_data(&dek, Initiation::Explicit, &out, &mut back).unwrap();
        assert_eq!(&back, static_key.as_bytes());
        // GPC v2.3.1 §B.6; GlobalPlatformPro TestPlaintextKeys: KCV 8BAF47.
        assert_eq!(hex::encode_upper(key_check_value(static_key.as_bytes()).unwrap()), "8BAF47");
    }

    #[test]
    fn key_fields_round_trip() {
        let dek = k("00112233445566778899aabbccddeeff");
        let key = k("404142434445464748494a4b4c4d4e4f");
        for initiation in [Initiation::Explicit, Initiation::Implicit] {
            let mut field = [0u8; 22];
            assert_eq!(des_key_field(&dek, initiation, &key, &mut field).unwrap(), 22);
            let (parsed, n) = parse_des_key_field(&dek, initiation, &field).unwrap();
            assert_eq!((parsed, n), (key.clone(), 22));
            let mut bad = field;
            bad[21] ^= 1;
            assert_eq!(parse_des_key_field(&dek, initiation, &bad).unwrap_err().kind, ErrorKind::MacMismatch);
            bad = field;
            bad[0] = 0x88;
            assert_eq!(
                parse_des_key_field(&dek, initiation, &bad).unwrap_err().kind,
                ErrorKind::InvalidValue
            );
        }
        assert_eq!(
            encrypt_key_data(&dek, Initiation::Explicit, &[0; 7], &mut [0; 8]).unwrap_err().kind,
            ErrorKind::InvalidLength
        );
        let mut cmd = [0u8; 80];
        let n =
            put_key_command(&dek, Initiation::Explicit, 0, 0x21, 1, &[&key, &key, &key], &mut cmd).unwrap();
        assert_eq!(n, 73);
        assert_eq!(&cmd[..6], &[0x80, 0xD8, 0x00, 0x81, 0x43, 0x21]);
        assert_eq!(cmd[72], 0x00);
        assert_eq!(
            put_key_command(&dek, Initiation::Explicit, 0x80, 0x21, 1, &[&key], &mut cmd).unwrap_err().kind,
            ErrorKind::InvalidValue
        );
    }
}
