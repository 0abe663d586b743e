//! SCP02 session keys (GP Card Spec v2.3.1 §E.4.1, Figure E-2): 3DES-CBC with the static
//! key, ICV zero, over the 16-byte derivation data
//! `constant (2) || sequence counter (2) || 12 × 00`; the two ciphertext blocks are the
//! session key.

use super::keys::SecretKey;

/// The derivation constants of GPC v2.3.1 §E.4.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
#[non_exhaustive]
pub enum DerivationConstant {
    /// `0101`: the C-MAC session key (static MAC key or base key).
    CMac = 0x0101,
    /// `0102`: the R-MAC session key (static MAC key or base key).
    RMac = 0x0102,
    /// `0181`: the data encryption (DEK) session key (static DEK or base key).
    Dek = 0x0181,
    /// `0182`: the encryption session key S-ENC (static ENC key or base key).
    SEnc = 0x0182,
}

/// Derives one session key from `static_key`, `constant` and the 2-byte sequence
/// counter (big-endian) of the key set (§E.4.1).
pub fn session_key(
    static_key: &SecretKey,
    constant: DerivationConstant,
    sequence_counter: [u8; 2],
) -> SecretKey {
    let [c1, c2] = (constant as u16).to_be_bytes();
    let [s1, s2] = sequence_counter;
    let mut data = [c1, c2, s1, s2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    static_key.expand().cbc_encrypt(&[0; 8], &mut data);
    let key = SecretKey::new(data);
    zeroize::Zeroize::zeroize(&mut data);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    // miketlk/omfgp tests/omfgp/scp02_test.py: base key 404142…4F, sequence counter 0007.
    #[test]
    fn omfgp_session_keys() {
        let base = SecretKey::from_slice(&hex::decode("404142434445464748494a4b4c4d4e4f").unwrap()).unwrap();
        let key = |c| hex::encode_upper(session_key(&base, c, [0x00, 0x07]).as_bytes());
        assert_eq!(key(DerivationConstant::CMac), "7A227D376A9DBE23AB50B7DCB45B2093");
        assert_eq!(key(DerivationConstant::RMac), "EF14C57DB4BB9015E88963D9D920A588");
        assert_eq!(key(DerivationConstant::SEnc), "A2268F71917EFE0F33CC6166E1154E27");
    }

    // GlobalPlatformPro TestPlaintextKeys: SCP02 session keys of the static keys 404142…4F
    // with sequence counter 0000; the source publishes their KCVs.
    #[test]
    fn globalplatformpro_session_key_kcvs() {
        let base = SecretKey::from_slice(&hex::decode("404142434445464748494a4b4c4d4e4f").unwrap()).unwrap();
        let kcv = |c| hex::encode_upper(session_key(&base, c, [0, 0]).check_value());
        assert_eq!(kcv(DerivationConstant::SEnc), "F2DCDD");
        assert_eq!(kcv(DerivationConstant::CMac), "5FCC69");
        assert_eq!(kcv(DerivationConstant::Dek), "85272E");
        assert_eq!(kcv(DerivationConstant::RMac), "9F749A");
    }
}
