//! Key Information Template `E0` with Key Information Data `C0` entries
//! (GPC v2.3.1 §11.3.3.1, Tables 11-19 to 11-22).

use oxicard_apdu::tlv::{Mode, Tlv};

use super::{be_u32, expect_object, tags};
use crate::{DecodeError, DecodeErrorKind};

/// One component of a key: its type and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeyComponent {
    /// Key type (GPC v2.3.1 Table 11-16): `80` DES, `88` AES, `A1`..`A9` RSA, `B0`.. ECC, …
    pub key_type: u8,
    /// Length in bytes.
    pub length: u16,
}

impl KeyComponent {
    /// The value with the given members.
    pub fn new(key_type: u8, length: u16) -> Self {
        Self { key_type, length }
    }
}

/// One key (a `C0` entry).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeyInfo {
    /// Key identifier.
    pub id: u8,
    /// Key version number.
    pub version: u8,
    /// Components, usually one.
    pub components: Vec<KeyComponent>,
    /// Key usage and key access (extended format only, GPC v2.3.1 Table 11-21).
    pub usage_access: Option<(Vec<u8>, Vec<u8>)>,
}

impl KeyInfo {
    /// The value with the given members; `usage_access` is absent or empty (set it as fields).
    pub fn new(id: u8, version: u8, components: Vec<KeyComponent>) -> Self {
        Self { id, version, components, usage_access: None }
    }
}

impl KeyInfo {
    /// AES key type: `88` (GPC v2.3.1 Table 11-16).
    pub const TYPE_AES: u8 = 0x88;

    /// Decodes a `C0` value located at `base` in the input: basic format (type, 1-byte length
    /// pairs) or extended format (`FF` type, 2-byte length; then key usage and key access LVs).
    fn parse(value: &[u8], base: usize) -> Result<Self, DecodeError> {
        let trunc = |at: usize| DecodeError::new(DecodeErrorKind::Truncated, base + at);
        let (&id, rest) = value.split_first().ok_or(trunc(0))?;
        let (&version, _) = rest.split_first().ok_or(trunc(1))?;
        let extended = value.get(2) == Some(&0xFF);
        let mut at = 2;
        let mut components = Vec::new();
        let mut usage_access = None;
        if extended {
            while value.get(at) == Some(&0xFF) {
                let c = value.get(at + 1..at + 4).ok_or(trunc(value.len()))?;
                let (key_type, len) = c.split_first().ok_or(trunc(at + 1))?;
                let length = u16::try_from(be_u32(len)).unwrap_or(u16::MAX);
                components.push(KeyComponent { key_type: *key_type, length });
                at += 4;
            }
            let mut lv = || -> Result<Vec<u8>, DecodeError> {
                let n = usize::from(*value.get(at).ok_or(trunc(at))?);
                let v = value.get(at + 1..at + 1 + n).ok_or(trunc(value.len()))?.to_vec();
                at += 1 + n;
                Ok(v)
            };
            let usage = lv()?;
            let access = lv()?;
            usage_access = Some((usage, access));
        } else {
            while at < value.len() {
                let pair = value.get(at..at + 2).ok_or(trunc(value.len()))?;
                if let [key_type, length] = *pair {
                    components.push(KeyComponent { key_type, length: u16::from(length) });
                }
                at += 2;
            }
        }
        if at != value.len() {
            return Err(DecodeError::new(DecodeErrorKind::TrailingData, base + at));
        }
        if components.is_empty() {
            return Err(DecodeError::new(DecodeErrorKind::Missing, base + 2));
        }
        Ok(Self { id, version, components, usage_access })
    }
}

/// The Key Information Template: every key of the security domain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeyInformationTemplate {
    /// The keys, in card order.
    pub keys: Vec<KeyInfo>,
}

impl KeyInformationTemplate {
    /// Decodes the GET DATA `E0` response. Objects other than `C0` are skipped. A response
    /// that starts directly with the `C0` entries (the template tag left out, as some cards
    /// answer) is read the same way.
    pub fn parse(data: &[u8]) -> Result<Self, DecodeError> {
        let value = if data.first() == Some(&0xC0) {
            data
        } else {
            expect_object(data, u32::from(tags::KEY_INFORMATION))?
        };
        let base = data.len() - value.len();
        let mut keys = Vec::new();
        let mut reader = oxicard_apdu::tlv::Reader::new(value, Mode::Lenient);
        while let Some(tlv) = reader.read().map_err(|e| shift(e.into(), base))? {
            let tlv: Tlv<'_> = tlv;
            if tlv.tag().to_u32() == 0xC0 {
                keys.push(KeyInfo::parse(tlv.value(), base + tlv.value_offset())?);
            }
        }
        Ok(Self { keys })
    }

    /// The key versions present, each once, in card order.
    pub fn versions(&self) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        for k in &self.keys {
            if !out.contains(&k.version) {
                out.push(k.version);
            }
        }
        out
    }
}

impl KeyInformationTemplate {
    /// The GET DATA `E0` response: `E0 { C0 … }`, each key in the basic format (GPC v2.3.1
    /// Table 11-20) unless it has usage and access, then in the extended format (Table 11-21);
    /// what [`KeyInformationTemplate::parse`] reads back. Component lengths above 255 in the
    /// basic format are truncated to their low byte.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = oxicard_apdu::tlv::Writer::new();
        w.constructed(oxicard_apdu::tlv::Tag::from_u32_unchecked(0xE0), |w| {
            for key in &self.keys {
                let mut v = vec![key.id, key.version];
                match &key.usage_access {
                    None => {
                        for c in &key.components {
                            v.extend_from_slice(&[c.key_type, c.length as u8]);
                        }
                    }
                    Some((usage, access)) => {
                        for c in &key.components {
                            v.extend_from_slice(&[0xFF, c.key_type]);
                            v.extend_from_slice(&c.length.to_be_bytes());
                        }
                        for lv in [usage, access] {
                            // At most 255 bytes: a one-byte length.
                            let lv = lv.get(..255).unwrap_or(lv);
                            v.push(lv.len() as u8);
                            v.extend_from_slice(lv);
                        }
                    }
                }
                w.primitive(oxicard_apdu::tlv::Tag::from_u32_unchecked(0xC0), &v);
            }
        });
        w.finish()
    }
}

/// `e` moved by `base` bytes.
fn shift(e: DecodeError, base: usize) -> DecodeError {
    DecodeError::new(e.kind, e.offset + base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp02_default() {
        // OpenJavaCard GPKeyInfoTemplateTest KIT_SCP02_DEFAULT_BYTES: three DES keys, KVN FF.
        let kit =
            KeyInformationTemplate::parse(&hex::decode("e012c00401ff8010c00402ff8010c00403ff8010").unwrap())
                .unwrap();
        assert_eq!(kit.keys.len(), 3);
        for (k, id) in kit.keys.iter().zip(1..) {
            assert_eq!(k.id, id);
            assert_eq!(k.version, 0xFF);
            assert_eq!(k.components, [KeyComponent { key_type: 0x80, length: 16 }]);
            assert_eq!(k.usage_access, None);
        }
        assert_eq!(kit.versions(), [0xFF]);
        // The same entries without the E0 template.
        let bare = hex::decode("c00401ff8010c00402ff8010c00403ff8010").unwrap();
        assert_eq!(KeyInformationTemplate::parse(&bare).unwrap(), kit);
        // KIT_SCP02_DEFAULT_SHORT: the last entry lacks its length byte.
        assert_eq!(
            KeyInformationTemplate::parse(&hex::decode("e012c00401ff8010c00402ff8010c00403ff80").unwrap())
                .unwrap_err()
                .kind,
            DecodeErrorKind::Tlv
        );
    }

    #[test]
    fn aes_and_extended() {
        // Hand-built: an AES-128 key set 30 (basic format), and an extended-format AES-256 key
        // with empty usage and access (GPC v2.3.1 Table 11-21).
        let kit = KeyInformationTemplate::parse(
            &hex::decode("E016C00401308810C00402308810C0080130FF8800200000").unwrap(),
        )
        .unwrap();
        assert_eq!(kit.keys[0].components, [KeyComponent { key_type: KeyInfo::TYPE_AES, length: 16 }]);
        assert_eq!(kit.keys[2].components, [KeyComponent { key_type: 0x88, length: 32 }]);
        assert_eq!(kit.keys[2].usage_access, Some((vec![], vec![])));
        assert_eq!(kit.versions(), [0x30]);
        assert_eq!(hex::encode_upper(kit.to_bytes()), "E016C00401308810C00402308810C0080130FF8800200000");
    }

    #[test]
    fn malformed() {
        // C0 with an odd basic-format body: truncated pair at offset 7.
        assert_eq!(
            KeyInformationTemplate::parse(&hex::decode("E005C003013088").unwrap()).unwrap_err(),
            DecodeError::new(DecodeErrorKind::Truncated, 7)
        );
        assert_eq!(
            KeyInformationTemplate::parse(&hex::decode("E004C0020130").unwrap()).unwrap_err(),
            DecodeError::new(DecodeErrorKind::Missing, 6)
        );
    }
}
