//! PUT KEY for an SCP03 AES key set (GPC v2.3.1 §11.8; GP Amendment D §7.2) or an SCP02 DES
//! key set (GPC v2.3.1 §11.8.2.3, Table 11-70; Appendix E).

use oxicard_apdu::Command;
use oxicard_secure_channel::scp03::{SecretKey, encrypt_key_data, key_check_value};

use super::CommandError;
use crate::CLA_GP;
use crate::data::KeyInfo;

/// INS of PUT KEY: `D8` (GPC v2.3.1 §11.8.2).
pub const INS_PUT_KEY: u8 = 0xD8;

/// A PUT KEY command for Key-ENC, Key-MAC and Key-DEK (key identifiers 1, 2, 3), and the
/// answer the card must give. `Debug` shows only the header: the data carries key material
/// (encrypted, but still not for logs).
#[derive(Clone)]
#[non_exhaustive]
pub struct PutKey {
    /// The command: `80 D8 P1 81 Lc newKVN {88 L keylen E(key) 03 KCV}×3 00`.
    pub command: Command,
    /// The expected response data: the new KVN followed by the three KCVs (GPC v2.3.1 §11.8.3).
    pub expected_response: Vec<u8>,
}

impl core::fmt::Debug for PutKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PutKey").field("expected_response", &self.expected_response).finish_non_exhaustive()
    }
}

impl PutKey {
    /// PUT KEY of a key set (P2 `81`: key identifier 1, several keys, GPC v2.3.1 Table 11-68)
    /// replacing version `replace` (P1) or added (P1 `00`), with its data and expected answer.
    fn key_set(replace: Option<u8>, data: Vec<u8>, expected_response: Vec<u8>) -> Self {
        let command =
            Command::new(CLA_GP, INS_PUT_KEY, replace.unwrap_or(0x00), 0x81).with_data(data).with_ne(256);
        Self { command, expected_response }
    }

    /// Builds PUT KEY for the AES key set `keys` = [ENC, MAC, DEK] under version `new_kvn`.
    /// `replace`: the version being replaced (P1), or `None` to add a key set (P1 `00`).
    /// Each key is encrypted under the current static Key-DEK `dek` with
    /// [`encrypt_key_data`] and described as `88 | len(E)+1 | keylen | E(key) | 03 | KCV`
    /// (Amendment D §7.2; the layout GlobalPlatformPro's `encodeKey` sends). P2 `81`: key
    /// identifier 1, several keys (GPC v2.3.1 Table 11-68).
    pub fn aes_key_set(
        dek: &SecretKey,
        replace: Option<u8>,
        new_kvn: u8,
        keys: [&SecretKey; 3],
    ) -> Result<Self, CommandError> {
        let len = keys[0].key_len();
        if keys.iter().any(|k| k.key_len() != len) {
            return Err(CommandError::InvalidKey("keys of different lengths"));
        }
        let mut data = vec![new_kvn];
        let mut expected = vec![new_kvn];
        let mut encrypted = [0u8; 32];
        for key in keys {
            let n = encrypt_key_data(dek, key.as_bytes(), &mut encrypted)
                .map_err(|_| CommandError::InvalidKey("cannot encrypt"))?;
            let kcv = key_check_value(key.as_bytes()).map_err(|_| CommandError::InvalidKey("no KCV"))?;
            let cipher = encrypted.get(..n).ok_or(CommandError::InvalidKey("cannot encrypt"))?;
            data.extend_from_slice(&[KeyInfo::TYPE_AES, (n + 1) as u8, len as u8]);
            data.extend_from_slice(cipher);
            data.push(0x03);
            data.extend_from_slice(&kcv);
            expected.extend_from_slice(&kcv);
        }
        encrypted.fill(0);
        Ok(Self::key_set(replace, data, expected))
    }

    /// Builds PUT KEY for the DES key set `keys` = [ENC, MAC, DEK] (16-byte double-length
    /// 3DES keys) under version `new_kvn`, replacing version `replace` or adding a set. Each
    /// key is encrypted by `encrypt` — in an SCP02 session, with the DEK session key (3DES-ECB
    /// after explicit initiation, GPC v2.3.1 §E.4.7; `Scp02Session::encrypt_key_data`) — and
    /// described as `80 10 E(key) 03 KCV` (Table 11-70, the form without the key length byte
    /// that GlobalPlatformPro and pySim send for DES keys), the KCV that of GPC v2.3.1 §B.6.
    pub fn des_key_set(
        encrypt: impl Fn(&[u8], &mut [u8]) -> Result<usize, oxicard_secure_channel::Error>,
        replace: Option<u8>,
        new_kvn: u8,
        keys: [&oxicard_secure_channel::scp02::SecretKey; 3],
    ) -> Result<Self, CommandError> {
        use oxicard_secure_channel::scp02::KEY_TYPE_DES;
        let mut data = vec![new_kvn];
        let mut expected = vec![new_kvn];
        let mut encrypted = [0u8; 16];
        for key in keys {
            let n = encrypt(key.as_bytes(), &mut encrypted)
                .map_err(|_| CommandError::InvalidKey("cannot encrypt"))?;
            if n != encrypted.len() {
                return Err(CommandError::InvalidKey("a DES key encrypts to 16 bytes"));
            }
            let kcv = key.check_value();
            data.extend_from_slice(&[KEY_TYPE_DES, 0x10]);
            data.extend_from_slice(&encrypted);
            data.push(0x03);
            data.extend_from_slice(&kcv);
            expected.extend_from_slice(&kcv);
        }
        encrypted.fill(0);
        Ok(Self::key_set(replace, data, expected))
    }
}

/// Whether the card's PUT KEY response data equals [`PutKey::expected_response`] (key check
/// values are not secret, so a plain comparison is fine).
pub fn check_put_key_response(put_key: &PutKey, response: &[u8]) -> bool {
    put_key.expected_response == response
}
