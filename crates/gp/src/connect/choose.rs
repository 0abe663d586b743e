//! The choices of [`connect`](super::connect): the protocol and the security level, from what
//! the card publishes and what the caller fixed.

use oxicard_secure_channel::scp03::{IParameter, SecurityLevel};

use super::options::Protocol;
use crate::data::{CardRecognitionData, KeyInformationTemplate};

/// DES key type (GPC v2.3.1 Table 11-16): SCP02's keys.
const KEY_TYPE_DES: u8 = 0x80;
/// AES key type (Table 11-16): SCP03's keys.
const KEY_TYPE_AES: u8 = 0x88;

/// Where the protocol choice came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Evidence {
    /// The caller fixed it.
    Asked,
    /// The Card Recognition Data lists it (GPC v2.3.1 Appendix H, tag `64`).
    CardRecognitionData,
    /// The key set of the version used has keys of its type (Key Information Template,
    /// §11.3.3.1).
    KeyType,
    /// Nothing told: SCP03, the protocol of current cards.
    Default,
}

/// The protocol: `asked`, else the first the Card Recognition Data lists that this host
/// speaks, else the type of the keys of version `kvn` (any version for `kvn` 0, "the first
/// key set", Amendment D §7.1.1), else SCP03.
pub(super) fn protocol(
    asked: Option<Protocol>,
    crd: Option<&CardRecognitionData>,
    keys: Option<&KeyInformationTemplate>,
    kvn: u8,
) -> (Protocol, Evidence) {
    if let Some(protocol) = asked {
        return (protocol, Evidence::Asked);
    }
    let listed =
        crd.and_then(|crd| crd.secure_channels.iter().find_map(|scp| Protocol::from_number(scp.scp)));
    if let Some(protocol) = listed {
        return (protocol, Evidence::CardRecognitionData);
    }
    let by_key = keys.and_then(|template| {
        template
            .keys
            .iter()
            .filter(|key| kvn == 0 || key.version == kvn)
            .flat_map(|key| key.components.iter())
            .find_map(|component| match component.key_type {
                KEY_TYPE_DES => Some(Protocol::Scp02),
                KEY_TYPE_AES => Some(Protocol::Scp03),
                _ => None,
            })
    });
    match by_key {
        Some(protocol) => (protocol, Evidence::KeyType),
        None => (Protocol::Scp03, Evidence::Default),
    }
}

/// The "i" parameter the Card Recognition Data gives for `protocol`, as a byte.
pub(super) fn i_parameter(crd: Option<&CardRecognitionData>, protocol: Protocol) -> Option<u8> {
    let entry = crd?.secure_channels.iter().find(|scp| Protocol::from_number(scp.scp) == Some(protocol))?;
    u8::try_from(entry.i?).ok()
}

/// The SCP03 level: `asked`, else the highest of `33`, `13`, `03` that `i` allows (`03`,
/// allowed by every "i", when the card publishes none).
pub(super) fn scp03_level(asked: Option<SecurityLevel>, i: Option<IParameter>) -> SecurityLevel {
    asked.unwrap_or(match i {
        Some(i) if i.allows(SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC) => SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
        Some(i) if i.allows(SecurityLevel::C_DEC_C_MAC_R_MAC) => SecurityLevel::C_DEC_C_MAC_R_MAC,
        _ => SecurityLevel::C_DEC_C_MAC,
    })
}
