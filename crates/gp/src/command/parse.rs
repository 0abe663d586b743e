//! The card side of the builders: command data fields decoded, for a card simulator
//! (GPC v2.3.1 §11.2, §11.5, §11.8).

use oxicard_secure_channel::scp03::{SecretKey, decrypt_key_data, key_check_value};

use crate::data::KeyInfo;
use crate::fields::Fields;
use crate::status::Privileges;
use crate::{DecodeError, DecodeErrorKind};

/// A decoded INSTALL command (GPC v2.3.1 Tables 11-44, 11-45, 11-47).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallRequest {
    /// P1 `02`.
    ForLoad {
        /// Executable Load File AID.
        load_file_aid: Vec<u8>,
        /// Security domain AID (empty: the ISD).
        security_domain_aid: Vec<u8>,
        /// Load File Data Block hash (may be empty).
        hash: Vec<u8>,
        /// Load parameters (raw).
        load_parameters: Vec<u8>,
        /// Load token (may be empty).
        token: Vec<u8>,
    },
    /// P1 `04`, `08` or `0C`.
    ForInstall {
        /// Executable Load File AID.
        load_file_aid: Vec<u8>,
        /// Executable Module AID.
        module_aid: Vec<u8>,
        /// Application AID.
        application_aid: Vec<u8>,
        /// Privileges (1 or 3 bytes on the wire).
        privileges: Privileges,
        /// Install parameters (raw: `C9 …` and optional `EF …`).
        parameters: Vec<u8>,
        /// Install token (may be empty).
        token: Vec<u8>,
        /// P1 has "make selectable".
        make_selectable: bool,
    },
    /// P1 `20`.
    ForPersonalization {
        /// The application the following STORE DATA commands go to.
        application_aid: Vec<u8>,
    },
}

impl InstallRequest {
    /// Decodes an INSTALL data field for P1 `p1`. An unknown P1 is
    /// [`DecodeErrorKind::InvalidValue`] at offset 0.
    pub fn parse(p1: u8, data: &[u8]) -> Result<Self, DecodeError> {
        let mut f = Fields::new(data, 0);
        let request = match p1 & 0x7F {
            0x02 => Self::ForLoad {
                load_file_aid: f.lv()?.to_vec(),
                security_domain_aid: f.lv()?.to_vec(),
                hash: f.lv()?.to_vec(),
                load_parameters: f.lv()?.to_vec(),
                token: f.lv()?.to_vec(),
            },
            0x04 | 0x08 | 0x0C => {
                let load_file_aid = f.lv()?.to_vec();
                let module_aid = f.lv()?.to_vec();
                let application_aid = f.lv()?.to_vec();
                let at = f.offset();
                let privileges = Privileges::from_slice(f.lv()?)
                    .ok_or(DecodeError::new(DecodeErrorKind::InvalidLength, at))?;
                Self::ForInstall {
                    load_file_aid,
                    module_aid,
                    application_aid,
                    privileges,
                    parameters: f.lv()?.to_vec(),
                    token: f.lv()?.to_vec(),
                    make_selectable: p1 & 0x08 != 0,
                }
            }
            0x20 => {
                f.lv()?;
                f.lv()?;
                let application_aid = f.lv()?.to_vec();
                f.lv()?;
                f.lv()?;
                f.lv()?;
                Self::ForPersonalization { application_aid }
            }
            _ => return Err(DecodeError::new(DecodeErrorKind::InvalidValue, 0)),
        };
        f.end()?;
        Ok(request)
    }
}

/// A decoded DELETE data field (GPC v2.3.1 Tables 11-23, 11-24).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteRequest {
    /// `4F len AID`: a load file, an application or a security domain.
    Object(Vec<u8>),
    /// `D0 01 id` and/or `D2 01 version`: keys.
    Key {
        /// Key identifier.
        id: Option<u8>,
        /// Key version number.
        version: Option<u8>,
    },
}

impl DeleteRequest {
    /// Decodes a DELETE data field.
    pub fn parse(data: &[u8]) -> Result<Self, DecodeError> {
        let mut f = Fields::new(data, 0);
        if data.first() == Some(&0x4F) {
            f.byte()?;
            let aid = f.lv()?.to_vec();
            f.end()?;
            return Ok(Self::Object(aid));
        }
        let (mut id, mut version) = (None, None);
        while !f.is_done() {
            let at = f.offset();
            let tag = f.byte()?;
            let [v] = *f.lv()? else { return Err(DecodeError::new(DecodeErrorKind::InvalidLength, at + 1)) };
            match tag {
                0xD0 => id = Some(v),
                0xD2 => version = Some(v),
                _ => return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag, at)),
            }
        }
        if id.is_none() && version.is_none() {
            return Err(DecodeError::new(DecodeErrorKind::Missing, 0));
        }
        Ok(Self::Key { id, version })
    }
}

/// A decoded PUT KEY for AES keys: the new key version and the clear keys, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutKeyRequest {
    /// The new key version number.
    pub new_kvn: u8,
    /// The keys (ENC, MAC, DEK for an SCP03 key set), decrypted.
    pub keys: Vec<SecretKey>,
}

impl PutKeyRequest {
    /// The value with the given members.
    pub fn new(new_kvn: u8, keys: Vec<SecretKey>) -> Self {
        Self { new_kvn, keys }
    }
}

impl PutKeyRequest {
    /// Decodes the data field of [`PutKey`](super::PutKey): per key `88 | L | keylen | E(key) |
    /// 03 | KCV`, decrypted with `dek` and checked against its KCV (a wrong KCV is
    /// [`DecodeErrorKind::InvalidValue`] at the KCV's offset). The expected card answer is
    /// `new_kvn` followed by the KCVs.
    pub fn parse(data: &[u8], dek: &SecretKey) -> Result<Self, DecodeError> {
        let mut f = Fields::new(data, 0);
        let new_kvn = f.byte()?;
        let mut keys = Vec::new();
        // Wiped on every path, errors included.
        let mut clear = zeroize::Zeroizing::new([0u8; 48]);
        while !f.is_done() {
            let at = f.offset();
            if f.byte()? != KeyInfo::TYPE_AES {
                return Err(DecodeError::new(DecodeErrorKind::InvalidValue, at));
            }
            let block = f.lv()?;
            let (&key_len, encrypted) =
                block.split_first().ok_or(DecodeError::new(DecodeErrorKind::InvalidLength, at + 1))?;
            let key_len = usize::from(key_len);
            let dst = clear
                .get_mut(..encrypted.len())
                .ok_or(DecodeError::new(DecodeErrorKind::InvalidLength, at + 1))?;
            decrypt_key_data(dek, encrypted, dst)
                .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidLength, at + 1))?;
            let key_bytes =
                dst.get(..key_len).ok_or(DecodeError::new(DecodeErrorKind::InvalidLength, at + 2))?;
            let key = SecretKey::from_slice(key_bytes)
                .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidLength, at + 2))?;
            dst.fill(0);
            let kcv_at = f.offset();
            let kcv = f.lv()?;
            let expected = key_check_value(key.as_bytes())
                .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidValue, at))?;
            if !kcv.is_empty() && kcv != expected {
                return Err(DecodeError::new(DecodeErrorKind::InvalidValue, kcv_at));
            }
            keys.push(key);
        }
        clear.fill(0);
        Ok(Self { new_kvn, keys })
    }

    /// The answer a card gives: the new KVN and each key's KCV (GPC v2.3.1 §11.8.3).
    pub fn response(&self) -> Vec<u8> {
        let mut out = vec![self.new_kvn];
        for key in &self.keys {
            out.extend_from_slice(&key_check_value(key.as_bytes()).unwrap_or_default());
        }
        out
    }
}
