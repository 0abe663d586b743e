//! GET DATA (GPC v2.3.1 §11.3): the command and decoders for the data objects a card
//! management tool reads from a security domain.
//!
//! Each decoder takes the response data as the card returns it (the data object with its tag)
//! and never panics: malformed input is a [`DecodeError`] with its offset.

mod cplc;
mod crd;
mod ids;
mod key_info;
pub(crate) mod oid;

pub use cplc::{Cplc, CplcDate};
pub use crd::{CardRecognitionData, GP_OID, ScpInfo};
pub use ids::{Cin, Iin, SequenceCounter};
pub use key_info::{KeyComponent, KeyInfo, KeyInformationTemplate};

use oxicard_apdu::CommandView;
use oxicard_apdu::tlv::{Mode, Tag, Tlv};

use crate::{CLA_GP, DecodeError, DecodeErrorKind};

/// INS of GET DATA: `CA` (GPC v2.3.1 §11.3.2).
pub const INS_GET_DATA: u8 = 0xCA;

/// Tags of the data objects GET DATA returns (GPC v2.3.1 §11.3.3, Table 11-17; CPLC: §H.4).
pub mod tags {
    /// Issuer Identification Number, `42`.
    pub const IIN: u16 = 0x0042;
    /// Card Image Number, `45`.
    pub const CIN: u16 = 0x0045;
    /// Card Data (Card Recognition Data), `66` (GPC v2.3.1 §H.2).
    pub const CARD_DATA: u16 = 0x0066;
    /// Key Information Template, `E0` (GPC v2.3.1 §11.3.3.1).
    pub const KEY_INFORMATION: u16 = 0x00E0;
    /// Sequence counter of the default key version number, `C1` (GPC v2.3.1 Table 11-17).
    pub const SEQUENCE_COUNTER: u16 = 0x00C1;
    /// Card Production Life Cycle data, `9F7F` (GPC v2.3.1 §H.4).
    pub const CPLC: u16 = 0x9F7F;
}

/// GET DATA for `tag` (`80 CA P1P2 00`, P1 P2 the tag, Le `00`; GPC v2.3.1 §11.3.2).
pub const fn get_data_command(tag: u16) -> CommandView<'static> {
    let [p1, p2] = tag.to_be_bytes();
    CommandView::new(CLA_GP, INS_GET_DATA, p1, p2).with_ne(256)
}

/// The value of the data object `tag` that `data` must consist of (nothing after it).
pub(crate) fn expect_object(data: &[u8], tag: u32) -> Result<&[u8], DecodeError> {
    let tlv = Tlv::parse(data, Mode::Lenient)?;
    if tlv.tag() != Tag::from_u32_unchecked(tag) {
        return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag, 0));
    }
    Ok(tlv.value())
}

/// A big-endian unsigned number of up to 4 bytes.
pub(crate) fn be_u32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |acc, b| acc.wrapping_shl(8) | u32::from(*b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_data_bytes() {
        // GPC v2.3.1 §11.3.2: CLA 80, INS CA, P1 P2 = tag, Le 00.
        assert_eq!(get_data_command(tags::CPLC).to_vec().unwrap(), [0x80, 0xCA, 0x9F, 0x7F, 0x00]);
        assert_eq!(get_data_command(tags::KEY_INFORMATION).to_vec().unwrap(), [0x80, 0xCA, 0x00, 0xE0, 0x00]);
    }
}
