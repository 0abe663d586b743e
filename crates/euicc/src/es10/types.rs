//! Value types shared by the ES10 messages (SGP.22 §2.2 basic types).

use std::fmt;
use std::str::FromStr;

use crate::asn1::{DecodeError, Encoder, Fields, ctx};

/// A named-bit BIT STRING (X.690 §8.6, §11.2.2): the set of bit positions that are 1,
/// bit 0 being the most significant bit of the first octet.
///
/// Used for `PprIds`, `NotificationEvent`, `UICCCapability`, `RspCapability`, the eUICC memory
/// reset options and the PPR flags (SGP.22 §2.2). Decoding is lenient (non-zero unused bits and
/// trailing zero bits are dropped); encoding is DER (no trailing zero bits).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct BitFlags {
    /// MSB-first bytes without trailing zero bytes.
    bytes: Vec<u8>,
}

impl BitFlags {
    /// No bit set.
    pub const fn new() -> Self {
        Self { bytes: Vec::new() }
    }

    /// The flags with the given bit positions set.
    pub fn from_bits(bits: impl IntoIterator<Item = usize>) -> Self {
        let mut flags = Self::new();
        for bit in bits {
            flags.insert(bit);
        }
        flags
    }

    /// Sets `bit`.
    pub fn insert(&mut self, bit: usize) {
        let index = bit / 8;
        if self.bytes.len() <= index {
            self.bytes.resize(index + 1, 0);
        }
        if let Some(byte) = self.bytes.get_mut(index) {
            *byte |= 0x80 >> (bit % 8);
        }
    }

    /// `self` with `bit` set.
    #[must_use]
    pub fn with(mut self, bit: usize) -> Self {
        self.insert(bit);
        self
    }

    /// Clears `bit`.
    pub fn remove(&mut self, bit: usize) {
        if let Some(byte) = self.bytes.get_mut(bit / 8) {
            *byte &= !(0x80 >> (bit % 8));
        }
        self.trim();
    }

    /// Whether `bit` is set.
    pub fn contains(&self, bit: usize) -> bool {
        self.bytes.get(bit / 8).is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0)
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The set bit positions, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.bytes.iter().enumerate().flat_map(|(index, byte)| {
            (0..8).filter(move |bit| byte & (0x80 >> bit) != 0).map(move |bit| index * 8 + bit)
        })
    }

    fn trim(&mut self) {
        while self.bytes.last() == Some(&0) {
            self.bytes.pop();
        }
    }

    /// From BIT STRING contents (unused-bits octet, then the bits). `None` when the unused-bits
    /// count is above 7, or non-zero for an empty string.
    pub fn from_der_contents(contents: &[u8]) -> Option<Self> {
        let (&unused, bits) = contents.split_first()?;
        if unused > 7 || (bits.is_empty() && unused != 0) {
            return None;
        }
        let mut bytes = bits.to_vec();
        if let Some(last) = bytes.last_mut() {
            *last &= 0xFFu8 << unused;
        }
        let mut flags = Self { bytes };
        flags.trim();
        Some(flags)
    }

    /// The DER BIT STRING contents: unused-bits octet, then the bits without trailing zeros.
    pub fn to_der_contents(&self) -> Vec<u8> {
        let unused = self.bytes.last().map_or(0, |last| last.trailing_zeros() as u8);
        let mut out = Vec::with_capacity(self.bytes.len() + 1);
        out.push(unused);
        out.extend_from_slice(&self.bytes);
        out
    }
}

impl fmt::Debug for BitFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<usize> for BitFlags {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        Self::from_bits(iter)
    }
}

/// `VersionType ::= OCTET STRING (SIZE(3))`: major, minor, revision (SGP.22 §2.2),
/// e.g. `02 02 02` = v2.2.2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
    /// Revision.
    pub revision: u8,
}

impl Version {
    /// `major.minor.revision`.
    pub const fn new(major: u8, minor: u8, revision: u8) -> Self {
        Self { major, minor, revision }
    }

    /// The three octets.
    pub const fn to_bytes(self) -> [u8; 3] {
        [self.major, self.minor, self.revision]
    }

    pub(crate) fn decode(field: &crate::asn1::Field<'_>) -> Result<Self, DecodeError> {
        let [major, minor, revision] = field.octets_n::<3>()?;
        Ok(Self { major, minor, revision })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.revision)
    }
}

/// An OBJECT IDENTIFIER as its contents octets (X.690 §8.19), with any arc size: SM-DP+ OIDs
/// in profile metadata and notifications are whatever the SM-DP+ chose (e.g. `2.999.10`).
///
/// Converts to and from [`der::asn1::ObjectIdentifier`] where that type can hold it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(Vec<u8>);

/// Why a dotted string is not an OID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an OBJECT IDENTIFIER: {0}")]
pub struct OidError(&'static str);

impl Oid {
    /// From contents octets; `None` unless they are well formed (non-empty, minimal
    /// sub-identifiers, each at most 128 bits, the last one complete).
    pub fn from_der_contents(contents: &[u8]) -> Option<Self> {
        let oid = Self(contents.to_vec());
        oid.arcs().map(|_| oid)
    }

    /// The contents octets.
    pub fn as_der_contents(&self) -> &[u8] {
        &self.0
    }

    /// The sub-identifiers (X.690 §8.19.2), `None` if malformed.
    fn subidentifiers(&self) -> Option<Vec<u128>> {
        let mut out = Vec::new();
        let mut current: u128 = 0;
        let mut started = false;
        for &byte in &self.0 {
            if !started && byte == 0x80 {
                return None; // non-minimal
            }
            started = true;
            if current >> 121 != 0 {
                return None; // would overflow
            }
            current = (current << 7) | u128::from(byte & 0x7F);
            if byte & 0x80 == 0 {
                out.push(current);
                current = 0;
                started = false;
            }
        }
        if started || out.is_empty() {
            return None;
        }
        Some(out)
    }

    /// The arcs (the first sub-identifier split into two, X.690 §8.19.4).
    pub fn arcs(&self) -> Option<Vec<u128>> {
        let subs = self.subidentifiers()?;
        let (&first, rest) = subs.split_first()?;
        let (a, b) = match first {
            0..=39 => (0, first),
            40..=79 => (1, first - 40),
            _ => (2, first - 80),
        };
        let mut arcs = vec![a, b];
        arcs.extend_from_slice(rest);
        Some(arcs)
    }
}

impl FromStr for Oid {
    type Err = OidError;

    /// Parses dotted decimal, e.g. `"1.3.6.1.4.1.31746"` or `"2.999.10"`.
    fn from_str(s: &str) -> Result<Self, OidError> {
        let arcs: Vec<u128> = s
            .split('.')
            .map(|arc| {
                if arc.is_empty() || !arc.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(OidError("arcs are decimal numbers"));
                }
                arc.parse::<u128>().map_err(|_| OidError("arc too large"))
            })
            .collect::<Result<_, _>>()?;
        let [first, second, rest @ ..] = arcs.as_slice() else {
            return Err(OidError("at least two arcs"));
        };
        if *first > 2 || (*first < 2 && *second > 39) {
            return Err(OidError("first arcs out of range"));
        }
        let head =
            first.checked_mul(40).and_then(|v| v.checked_add(*second)).ok_or(OidError("arc too large"))?;
        let mut out = Vec::new();
        for sub in std::iter::once(head).chain(rest.iter().copied()) {
            crate::asn1::push_base128(&mut out, sub);
        }
        Ok(Self(out))
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.arcs() {
            Some(arcs) => {
                for (index, arc) in arcs.iter().enumerate() {
                    if index > 0 {
                        f.write_str(".")?;
                    }
                    write!(f, "{arc}")?;
                }
                Ok(())
            }
            None => write!(f, "<malformed OID {}>", hex::encode_upper(&self.0)),
        }
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

impl From<der::asn1::ObjectIdentifier> for Oid {
    fn from(oid: der::asn1::ObjectIdentifier) -> Self {
        Self(oid.as_bytes().to_vec())
    }
}

impl TryFrom<&Oid> for der::asn1::ObjectIdentifier {
    type Error = der::Error;

    fn try_from(oid: &Oid) -> Result<Self, der::Error> {
        der::asn1::ObjectIdentifier::from_bytes(&oid.0).map_err(|_| der::ErrorKind::OidMalformed.into())
    }
}

/// `OperatorID ::= SEQUENCE { mccMnc OCTET STRING (SIZE(3)), gid1, gid2 }` (SGP.22 §2.2):
/// the profile owner and the RAT's allowed operators.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OperatorId {
    /// MCC and MNC coded as in 3GPP TS 24.008 §10.5.1.13 (3 octets, swapped BCD, `F` filler).
    pub mcc_mnc: Vec<u8>,
    /// Contents of EF.GID1 (3GPP TS 31.102), when given.
    pub gid1: Option<Vec<u8>>,
    /// Contents of EF.GID2, when given.
    pub gid2: Option<Vec<u8>>,
}

impl OperatorId {
    /// The value with the given members; `gid1`, `gid2` are absent or empty (set them as fields).
    pub fn new(mcc_mnc: Vec<u8>) -> Self {
        Self { mcc_mnc, gid1: None, gid2: None }
    }
}

impl OperatorId {
    /// The MCC and MNC as digits, e.g. `("262", "01")` for `62 F2 10`
    /// (3GPP TS 24.008 Figure 10.5.13); `None` unless `mcc_mnc` is 3 octets.
    pub fn plmn(&self) -> Option<(String, String)> {
        let [a, b, c] = <[u8; 3]>::try_from(self.mcc_mnc.as_slice()).ok()?;
        let digit = |n: u8| char::from_digit(u32::from(n), 16).map(|d| d.to_ascii_uppercase());
        let mcc: String = [a & 0x0F, a >> 4, b & 0x0F].into_iter().filter_map(digit).collect();
        let mnc: String =
            [c & 0x0F, c >> 4, b >> 4].into_iter().filter(|&n| n != 0x0F).filter_map(digit).collect();
        Some((mcc, mnc))
    }

    pub(crate) fn decode(fields: &Fields<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            mcc_mnc: fields.req(ctx(0), "mccMnc")?.octets()?,
            gid1: fields.opt(ctx(1), "gid1").map(|f| f.octets()).transpose()?,
            gid2: fields.opt(ctx(2), "gid2").map(|f| f.octets()).transpose()?,
        })
    }

    pub(crate) fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(ctx(0), &self.mcc_mnc);
        e.opt(self.gid1.as_ref(), |e, v| e.tlv(ctx(1), v));
        e.opt(self.gid2.as_ref(), |e, v| e.tlv(ctx(2), v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_flags_der() {
        // asn1tools DER of the SGP.22 v2 module: all three memory reset options = 82 02 05 E0;
        // install PMO = 07 80.
        assert_eq!(BitFlags::from_bits([0, 1, 2]).to_der_contents(), [0x05, 0xE0]);
        assert_eq!(BitFlags::from_bits([0]).to_der_contents(), [0x07, 0x80]);
        assert_eq!(BitFlags::from_bits([3]).to_der_contents(), [0x04, 0x10]);
        assert_eq!(BitFlags::new().to_der_contents(), [0x00]);
        assert_eq!(BitFlags::from_bits([8]).to_der_contents(), [0x07, 0x00, 0x80]);
        // Lenient: unused bits with content, trailing zero octets.
        let f = BitFlags::from_der_contents(&[0x04, 0xFF, 0x00]).unwrap();
        assert_eq!(f.iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(BitFlags::from_der_contents(&[0x08, 0xFF]).is_none());
        assert!(BitFlags::from_der_contents(&[0x01]).is_none());
        assert!(BitFlags::from_der_contents(&[]).is_none());
    }

    #[test]
    fn oids() {
        let oid: Oid = "2.999.10".parse().unwrap();
        assert_eq!(oid.as_der_contents(), [0x88, 0x37, 0x0A]);
        assert_eq!(oid.to_string(), "2.999.10");
        let oid: Oid = "1.3.6.1.4.1.31746".parse().unwrap();
        assert_eq!(oid.as_der_contents(), [0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xF8, 0x02]);
        assert!(Oid::from_der_contents(&[0x80, 0x01]).is_none());
        assert!(Oid::from_der_contents(&[0x81]).is_none());
        assert!(Oid::from_der_contents(&[]).is_none());
        assert!("1.40".parse::<Oid>().is_err());
        assert!("3.1".parse::<Oid>().is_err());
        let big = "2.25.340282366920938463463374607431768211455".parse::<Oid>().unwrap();
        assert_eq!(big.to_string(), "2.25.340282366920938463463374607431768211455");
        let der_oid = der::asn1::ObjectIdentifier::try_from(&oid).unwrap();
        assert_eq!(der_oid.to_string(), "1.3.6.1.4.1.31746");
    }

    #[test]
    fn plmn_digits() {
        // 3GPP TS 24.008 Figure 10.5.13 layout; hand-made example (MCC 262, MNC 01).
        let op = OperatorId { mcc_mnc: vec![0x62, 0xF2, 0x10], gid1: None, gid2: None };
        assert_eq!(op.plmn(), Some(("262".into(), "01".into())));
    }
}
