//! Identification data objects: IIN `42`, CIN `45` (GPC v2.3.1 §H.1, Table H-1) and the
//! sequence counter `C1` (GPC v2.3.1 Table 11-17).

use super::{be_u32, expect_object, tags};
use crate::{DecodeError, DecodeErrorKind};

/// Defines a newtype over the raw value of a variable-length identifier.
macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $tag:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub Vec<u8>);

        impl $name {
            /// Decodes the GET DATA response: the data object with its tag.
            pub fn parse(data: &[u8]) -> Result<Self, DecodeError> {
                expect_object(data, u32::from($tag)).map(|v| Self(v.to_vec()))
            }
        }
    };
}

identifier!(
    /// Issuer Identification Number (tag `42`): identifies the card issuer.
    Iin,
    tags::IIN
);
identifier!(
    /// Card Image Number (tag `45`): identifies the card within the issuer's cards.
    Cin,
    tags::CIN
);

/// The sequence counter of the default key version (tag `C1`), 2 or 3 bytes
/// (GPC v2.3.1 Table 11-17; 3 bytes under SCP03, Amendment D §7.1.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SequenceCounter(pub u32);

impl SequenceCounter {
    /// Decodes the GET DATA `C1` response.
    pub fn parse(data: &[u8]) -> Result<Self, DecodeError> {
        let value = expect_object(data, u32::from(tags::SEQUENCE_COUNTER))?;
        if !(1..=4).contains(&value.len()) {
            return Err(DecodeError::new(DecodeErrorKind::InvalidLength, 1));
        }
        Ok(Self(be_u32(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_card_values() {
        // Hand-built examples in the format of GPC v2.3.1 Table H-1 / Table 11-17.
        assert_eq!(Iin::parse(&[0x42, 0x01, 0x00]).unwrap(), Iin(vec![0]));
        assert_eq!(Cin::parse(&hex::decode("45080000000000000000").unwrap()).unwrap(), Cin(vec![0; 8]));
        assert_eq!(SequenceCounter::parse(&[0xC1, 0x03, 0, 0, 0]).unwrap(), SequenceCounter(0));
        // Hand-built example: counter 0x000019.
        assert_eq!(SequenceCounter::parse(&[0xC1, 0x03, 0, 0, 0x19]).unwrap(), SequenceCounter(0x19));
    }

    #[test]
    fn malformed() {
        assert_eq!(Iin::parse(&[0x45, 0x01, 0x00]).unwrap_err().kind, DecodeErrorKind::UnexpectedTag);
        assert_eq!(Cin::parse(&[0x45, 0x02, 0x00]).unwrap_err().kind, DecodeErrorKind::Tlv);
        assert_eq!(
            SequenceCounter::parse(&[0xC1, 0x00]).unwrap_err(),
            DecodeError::new(DecodeErrorKind::InvalidLength, 1)
        );
    }
}
