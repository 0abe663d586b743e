//! Static-key diversification for 3DES cards (EMV CPS v1.1 and VISA2): the static keys
//! of a card derived from a master key (KMC) and the key diversification data (KDD) of
//! its INITIALIZE UPDATE response (GP Card Spec v2.3.1 Table E-8: "data typically used by
//! a backend system to derive the card static keys"). Schemes as implemented by
//! GlobalPlatformPro (`PlaintextKeys.kdf_templates`) and kaoh/globalplatform
//! (`EMV_CPS11_derive_keys`, `VISA2_derive_keys`).

use super::keys::{SecretKey, StaticKeys};

/// A diversification scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Diversification {
    /// EMV CPS v1.1: block `KDD[4..10] F0 k KDD[4..10] 0F k` (the six least significant
    /// bytes of the KDD: KMCID ‖ CSN).
    EmvCps11,
    /// VISA2: block `KDD[0..2] KDD[4..8] F0 k KDD[0..2] KDD[4..8] 0F k` (the last two bytes of
    /// the ISD AID and the IC serial number).
    Visa2,
}

/// The key type byte `k` of the diversification block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum KeyType {
    /// `01`: ENC.
    Enc = 0x01,
    /// `02`: MAC.
    Mac = 0x02,
    /// `03`: DEK.
    Dek = 0x03,
}

/// The 16-byte diversification block of `scheme` for `key_type`.
fn block(scheme: Diversification, kdd: &[u8; 10], key_type: KeyType) -> [u8; 16] {
    let k = key_type as u8;
    let [a0, a1, _, _, a4, a5, a6, a7, a8, a9] = *kdd;
    match scheme {
        Diversification::EmvCps11 => [a4, a5, a6, a7, a8, a9, 0xF0, k, a4, a5, a6, a7, a8, a9, 0x0F, k],
        Diversification::Visa2 => [a0, a1, a4, a5, a6, a7, 0xF0, k, a0, a1, a4, a5, a6, a7, 0x0F, k],
    }
}

/// One diversified key: 3DES-ECB of the diversification block under the master key (each
/// 8-byte half encrypted on its own; parity bits not adjusted).
pub fn diversify_key(
    master: &SecretKey,
    kdd: &[u8; 10],
    scheme: Diversification,
    key_type: KeyType,
) -> SecretKey {
    let mut data = block(scheme, kdd, key_type);
    master.expand().ecb_encrypt(&mut data);
    let key = SecretKey::new(data);
    zeroize::Zeroize::zeroize(&mut data);
    key
}

/// The card's static keys ENC, MAC and DEK diversified from `master` with the KDD of its
/// INITIALIZE UPDATE response, under key version `kvn` (use with
/// [`Handshake::process_initialize_update_response_with`](super::Handshake::process_initialize_update_response_with)).
pub fn diversify(master: &SecretKey, kdd: &[u8; 10], scheme: Diversification, kvn: u8) -> StaticKeys {
    StaticKeys::from_keys(
        kvn,
        diversify_key(master, kdd, scheme, KeyType::Enc),
        diversify_key(master, kdd, scheme, KeyType::Mac),
        diversify_key(master, kdd, scheme, KeyType::Dek),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // GlobalPlatformPro TestPlaintextKeys / TestPlaintextKeysProvider: master key 404142…4F,
    // KDD 00010203040506070809; published KCVs of the diversified keys.
    #[test]
    fn gppro_diversified_kcvs() {
        let master =
            SecretKey::from_slice(&hex::decode("404142434445464748494a4b4c4d4e4f").unwrap()).unwrap();
        let kdd: [u8; 10] = hex::decode("00010203040506070809").unwrap().try_into().unwrap();
        let kcvs = |scheme| {
            let keys = diversify(&master, &kdd, scheme, 1);
            [keys.enc(), keys.mac(), keys.dek()].map(|k| hex::encode_upper(k.check_value()))
        };
        assert_eq!(kcvs(Diversification::EmvCps11), ["C33013", "6F4CA6", "BB8179"]);
        assert_eq!(kcvs(Diversification::Visa2), ["2BE598", "58DA38", "3C328E"]);
    }
}
