//! The two encodings of an ECDSA signature in SGP.22: the BSI TR-03111 §5.2.1 plain format
//! `r ‖ s` (64 bytes for 256-bit curves) in every `[APPLICATION 55]` (`5F37`) field of the
//! SGP.22 ASN.1, and the DER `ECDSA-Sig-Value` (RFC 5480 §2.2.3 / X9.62) inside X.509
//! certificates.

use core::fmt;

use crate::asn1::{Encoder, app, single};
use der::asn1::UintRef;
use der::{Decode, Reader, SliceReader, Tag};

use super::error::PkiError;

/// The `[APPLICATION 55]` tag (`5F37`) of every SGP.22 signature field (SGP.22 §2.5.x ASN.1:
/// `serverSignature1`, `euiccSignature1`, `smdpSignature2`, `euiccSignature2`, `smdpSign`,
/// `euiccSignPIR`, `euiccCancelSessionSignature`, `euiccNotificationSignature`).
pub const SIGNATURE_TAG: der::Tag = app(55);

/// An ECDSA signature in BSI TR-03111 §5.2.1 plain format: `r` and `s` as 32-byte big-endian
/// integers, concatenated (64 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tr03111Signature([u8; 64]);

impl fmt::Debug for Tr03111Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tr03111Signature({})", hex::encode(self.0))
    }
}

impl Tr03111Signature {
    /// The signature `r ‖ s`.
    pub const fn from_bytes(bytes: [u8; 64]) -> Self {
        Tr03111Signature(bytes)
    }

    /// The signature from a 64-byte slice `r ‖ s`.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, PkiError> {
        <[u8; 64]>::try_from(bytes)
            .map(Tr03111Signature)
            .map_err(|_| PkiError::SignatureFormat("plain signature is not 64 bytes"))
    }

    /// The 64 bytes `r ‖ s`.
    pub const fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// `r`, 32 bytes big-endian.
    pub fn r(&self) -> &[u8] {
        let (r, _) = self.0.split_at(32);
        r
    }

    /// `s`, 32 bytes big-endian.
    pub fn s(&self) -> &[u8] {
        let (_, s) = self.0.split_at(32);
        s
    }

    /// The SGP.22 TLV `5F37 40 ‖ r ‖ s` (67 bytes).
    pub fn to_tlv(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.tlv(SIGNATURE_TAG, &self.0);
        e.finish()
    }

    /// Parses exactly one `5F37` TLV whose value is 64 bytes.
    pub fn from_tlv(tlv: &[u8]) -> Result<Self, PkiError> {
        let field = single(tlv, SIGNATURE_TAG, "signature")?;
        Tr03111Signature::from_slice(field.value())
    }

    /// Converts a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 §2.2.3):
    /// each INTEGER must be positive and fit 32 bytes once its sign octet is removed; shorter
    /// values are left-padded with zeros (TR-03111 §3.1.2 I2OS).
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let format = |_| PkiError::SignatureFormat("not a DER ECDSA-Sig-Value");
        let mut reader = SliceReader::new(der).map_err(format)?;
        let (r, s) =
            reader.sequence(|seq| Ok((UintRef::decode(seq)?, UintRef::decode(seq)?))).map_err(format)?;
        reader.finish().map_err(format)?;
        let mut out = [0u8; 64];
        for (half, value) in out.chunks_exact_mut(32).zip([r, s]) {
            let bytes = value.as_bytes();
            let offset = 32usize
                .checked_sub(bytes.len())
                .ok_or(PkiError::SignatureFormat("integer longer than 32 bytes"))?;
            half.get_mut(offset..).ok_or(PkiError::SignatureFormat("integer"))?.copy_from_slice(bytes);
        }
        Ok(Tr03111Signature(out))
    }

    /// The DER `ECDSA-Sig-Value` (RFC 5480 §2.2.3): minimal positive INTEGERs (leading zeros
    /// stripped, a `00` added when the high bit is set; X.690 §8.3.2).
    pub fn to_der(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            for half in self.0.chunks_exact(32) {
                // Leading zero bytes dropped, the last byte always kept.
                let skip = half.iter().position(|&b| b != 0).unwrap_or(half.len() - 1);
                let (_, magnitude) = half.split_at(skip);
                let mut value = Vec::with_capacity(33);
                if magnitude.first().is_some_and(|&b| b & 0x80 != 0) {
                    value.push(0);
                }
                value.extend_from_slice(magnitude);
                e.tlv(Tag::Integer, &value);
            }
        });
        e.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hand-built example (not a vector): r with the high bit set gets a `00` sign octet, s
    /// with leading zero octets is shortened.
    #[test]
    fn der_conversion_handles_sign_and_short_integers() {
        let mut raw = [0u8; 64];
        raw[0] = 0x80;
        raw[31] = 0x01;
        raw[62] = 0x7F;
        raw[63] = 0xFF;
        let sig = Tr03111Signature::from_bytes(raw);
        let der = sig.to_der();
        let mut expected = vec![0x30, 0x27, 0x02, 0x21, 0x00, 0x80];
        expected.extend_from_slice(&[0; 30]);
        expected.extend_from_slice(&[0x01, 0x02, 0x02, 0x7F, 0xFF]);
        assert_eq!(der, expected);
        assert_eq!(Tr03111Signature::from_der(&der).unwrap(), sig);
    }

    #[test]
    fn der_rejects_oversized_and_trailing() {
        let mut too_long = vec![0x30, 0x26, 0x02, 0x21, 0x01];
        too_long.extend_from_slice(&[0x11; 32]);
        too_long.extend_from_slice(&[0x02, 0x01, 0x01]);
        assert!(Tr03111Signature::from_der(&too_long).is_err());
        let mut trailing = Tr03111Signature::from_bytes([0x11; 64]).to_der();
        trailing.push(0);
        assert!(Tr03111Signature::from_der(&trailing).is_err());
    }

    #[test]
    fn tlv_is_5f37_40() {
        let tlv = Tr03111Signature::from_bytes([0xAB; 64]).to_tlv();
        assert_eq!(&tlv[..3], &[0x5F, 0x37, 0x40]);
        assert_eq!(tlv.len(), 67);
        assert_eq!(Tr03111Signature::from_tlv(&tlv).unwrap().as_bytes(), &[0xAB; 64]);
        assert!(Tr03111Signature::from_tlv(&tlv[..66]).is_err());
        let mut wrong_len = vec![0x5F, 0x37, 0x3F];
        wrong_len.extend_from_slice(&[0; 63]);
        assert!(Tr03111Signature::from_tlv(&wrong_len).is_err());
    }

    proptest! {
        #[test]
        fn der_round_trip(r in proptest::array::uniform32(any::<u8>()), s in proptest::array::uniform32(any::<u8>())) {
            let mut raw = [0u8; 64];
            raw[..32].copy_from_slice(&r);
            raw[32..].copy_from_slice(&s);
            let sig = Tr03111Signature::from_bytes(raw);
            prop_assert_eq!(Tr03111Signature::from_der(&sig.to_der()).unwrap(), sig);
        }
    }
}
