//! Card key diversification: per-card static SCP03 keys computed from an issuer master key
//! and the card's key diversification data (KDD, the first 10 bytes of the INITIALIZE
//! UPDATE response, GP Card Spec Amendment D §7.1.1.6).
//!
//! Three schemes used by deployed cards, named as in GlobalPlatformPro
//! (`pro.javacard.gp.keys.PlaintextKeys`, `kdf_templates`):
//!
//! | scheme | 16-byte diversification data / KDF input per key (`k` = 01 ENC, 02 MAC, 03 DEK) |
//! |---|---|
//! | [`Diversification::Emv`] (EMV CPS 1.1 §5.4.2.2) | `KDD[4..10] ‖ F0 k ‖ KDD[4..10] ‖ 0F k`, AES-ECB under the master key |
//! | [`Diversification::Visa2`] | `KDD[0..2] ‖ KDD[4..8] ‖ F0 k ‖ KDD[0..2] ‖ KDD[4..8] ‖ 0F k`, AES-ECB |
//! | [`Diversification::Kdf3`] | NIST SP 800-108 counter mode, AES-CMAC: block `i = i ‖ 00 00 00 k 00 ‖ KDD` |
//!
//! EMV and VISA2 were defined for 3DES (SCP02) keys, where the 16 bytes are 3DES-ECB
//! encrypted; for AES cards the same 16 bytes are AES-ECB encrypted, which yields an
//! AES-128 key — only 16-byte master keys are accepted for these two. KDF3 produces keys of
//! the master key's length (16, 24 or 32 bytes).
//!
//! Intermediate buffers holding key material are wiped after use; the resulting keys are
//! [`SecretKey`]s (zeroized on drop, redacted in `Debug`).

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use cmac::block_api::CmacCipher;
use cmac::{Cmac, Mac};
use oxicard_secure_channel::scp03::{SecretKey, StaticKeys};

/// The GlobalPlatform test key `404142…4F`: the key development cards ship with for ENC, MAC
/// and DEK alike, and GlobalPlatformPro's default key (`pro.javacard.gp.keys.PlaintextKeys`,
/// `DEFAULT_KEY`). A card still on it has no secret keys: rotate them with PUT KEY.
pub const TEST_KEY: [u8; 16] =
    [0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F];

/// Length of the key diversification data returned by INITIALIZE UPDATE (Amendment D
/// §7.1.1.6, Table 7-2: 10 bytes).
pub const KDD_LEN: usize = 10;

/// A key diversification scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Diversification {
    /// EMV CPS 1.1 §5.4.2.2: the six rightmost KDD bytes (`KDD[4..10]`), `F0 k`, the same six
    /// bytes, `0F k`; AES-ECB under the master key (AES-128 masters only).
    Emv,
    /// VISA2: KDD bytes 0, 1, 4, 5, 6, 7, `F0 k`, the same six bytes, `0F k`; AES-ECB under
    /// the master key (AES-128 masters only).
    Visa2,
    /// KDF3: the SCP03 KDF (AES-CMAC, one-byte counter first) over `00 00 00 k 00 ‖ KDD`,
    /// as GlobalPlatformPro's `kdf3` template; any AES key length.
    Kdf3,
}

/// Which static key is being derived; the value is the `k` byte of the diversification data
/// (GlobalPlatformPro `GPCardKeys.KeyPurpose`: ENC 01, MAC 02, DEK 03).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum KeyPurpose {
    /// Key-ENC: `01`.
    Enc = 0x01,
    /// Key-MAC: `02`.
    Mac = 0x02,
    /// Key-DEK: `03`.
    Dek = 0x03,
}

/// Why a key could not be diversified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiversifyError {
    /// The key diversification data is not [`KDD_LEN`] bytes long.
    #[error("key diversification data must be 10 bytes, got {0}")]
    KddLength(usize),
    /// The scheme cannot produce a key of the master key's length (EMV and VISA2 need an
    /// AES-128 master key).
    #[error("{0:?} diversification does not support {1}-byte master keys")]
    KeyLength(Diversification, usize),
}

impl Diversification {
    /// The per-card key for `purpose` from `master` and the card's 10-byte `kdd`.
    pub fn diversify_key(
        self,
        master: &SecretKey,
        purpose: KeyPurpose,
        kdd: &[u8],
    ) -> Result<SecretKey, DiversifyError> {
        let kdd: &[u8; KDD_LEN] = kdd.try_into().map_err(|_| DiversifyError::KddLength(kdd.len()))?;
        let k = purpose as u8;
        let mut out = [0u8; 32];
        let len = master.key_len();
        match self {
            Self::Emv | Self::Visa2 => {
                let aes = aes::Aes128::new_from_slice(master.as_bytes())
                    .map_err(|_| DiversifyError::KeyLength(self, len))?;
                let [k0, k1, _, _, k4, k5, k6, k7, k8, k9] = *kdd;
                let six = if self == Self::Emv { [k4, k5, k6, k7, k8, k9] } else { [k0, k1, k4, k5, k6, k7] };
                let mut block = aes::Block::default();
                for (half, tag) in block.chunks_mut(8).zip([0xF0, 0x0F]) {
                    for (dst, src) in half.iter_mut().zip(six.iter().chain(&[tag, k])) {
                        *dst = *src;
                    }
                }
                aes.encrypt_block(&mut block);
                for (dst, src) in out.iter_mut().zip(block.iter_mut()) {
                    *dst = *src;
                    *src = 0;
                }
            }
            Self::Kdf3 => {
                kdf3(master, k, kdd, out.get_mut(..len).ok_or(DiversifyError::KeyLength(self, len))?)?
            }
        }
        let key_len = if self == Self::Kdf3 { len } else { 16 };
        let key = out
            .get(..key_len)
            .and_then(|bytes| SecretKey::from_slice(bytes).ok())
            .ok_or(DiversifyError::KeyLength(self, len));
        out.fill(0);
        key
    }

    /// The per-card static key set (ENC, MAC, DEK under version `kvn`) from one master key.
    pub fn diversify(self, master: &SecretKey, kvn: u8, kdd: &[u8]) -> Result<StaticKeys, DiversifyError> {
        let masters = StaticKeys::new(kvn, master.as_bytes(), master.as_bytes(), master.as_bytes())
            .map_err(|_| DiversifyError::KeyLength(self, master.key_len()))?;
        self.diversify_set(&masters, kdd)
    }

    /// The per-card static key set from a set of master keys: each of ENC, MAC and DEK
    /// diversified from its own master, under the masters' key version (no DEK without a
    /// master DEK).
    pub fn diversify_set(self, masters: &StaticKeys, kdd: &[u8]) -> Result<StaticKeys, DiversifyError> {
        let error = |_| DiversifyError::KeyLength(self, masters.key_len());
        let enc = self.diversify_key(masters.enc(), KeyPurpose::Enc, kdd)?;
        let mac = self.diversify_key(masters.mac(), KeyPurpose::Mac, kdd)?;
        match masters.dek() {
            Some(dek) => {
                let dek = self.diversify_key(dek, KeyPurpose::Dek, kdd)?;
                StaticKeys::new(masters.kvn(), enc.as_bytes(), mac.as_bytes(), dek.as_bytes()).map_err(error)
            }
            None => StaticKeys::without_dek(masters.kvn(), enc.as_bytes(), mac.as_bytes()).map_err(error),
        }
    }
}

/// KDF3: `out[16(i-1)..16i] = AES-CMAC(master, i ‖ 00 00 00 k 00 ‖ KDD)` for i = 1, 2.
fn kdf3(master: &SecretKey, k: u8, kdd: &[u8; KDD_LEN], out: &mut [u8]) -> Result<(), DiversifyError> {
    let err = || DiversifyError::KeyLength(Diversification::Kdf3, master.key_len());
    for (i, chunk) in (1u8..).zip(out.chunks_mut(16)) {
        let input = [i, 0x00, 0x00, 0x00, k, 0x00];
        let mut tag = match master.key_len() {
            16 => cmac_once::<aes::Aes128>(master.as_bytes(), &input, kdd),
            24 => cmac_once::<aes::Aes192>(master.as_bytes(), &input, kdd),
            32 => cmac_once::<aes::Aes256>(master.as_bytes(), &input, kdd),
            _ => None,
        }
        .ok_or_else(err)?;
        for (dst, src) in chunk.iter_mut().zip(tag.iter_mut()) {
            *dst = *src;
            *src = 0;
        }
    }
    Ok(())
}

fn cmac_once<C>(key: &[u8], a: &[u8], b: &[u8]) -> Option<[u8; 16]>
where
    C: CmacCipher + KeyInit,
{
    let mut mac = <Cmac<C> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(a);
    mac.update(b);
    <[u8; 16]>::try_from(mac.finalize().into_bytes().as_slice()).ok()
}

#[cfg(test)]
mod tests;
