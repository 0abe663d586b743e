//! ICCID and EID values (SGP.22 §2.2 `Iccid`, §5.7.20 `eidValue`; ETSI TS 102 221 §13.2 EF.ICCID).

use std::fmt;
use std::str::FromStr;

/// An ICCID as coded in EF.ICCID and in SGP.22 `Iccid ::= [APPLICATION 26] OCTET STRING (SIZE(10))`:
/// BCD digits with the nibbles of each byte swapped, padded with `F` to 20 digits
/// (ETSI TS 102 221 §13.2; SGP.22 §2.2).
///
/// `"8944478600004573128"` ↔ `98 44 74 68 00 00 54 37 21 F8`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iccid([u8; 10]);

/// Why a string is not an ICCID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IccidError {
    /// Empty, or more than 20 digits.
    #[error("an ICCID has 1 to 20 digits, got {0}")]
    Length(usize),
    /// A character that is not a decimal digit.
    #[error("not a decimal digit at position {0}")]
    NotADigit(usize),
}

impl Iccid {
    /// The ICCID from its 10-byte EF.ICCID coding, as it is (any nibble value is kept).
    pub const fn from_bytes(bytes: [u8; 10]) -> Self {
        Self(bytes)
    }

    /// The 10-byte coding (swapped BCD, `F`-padded).
    pub const fn to_bytes(self) -> [u8; 10] {
        self.0
    }

    /// The 10-byte coding, borrowed.
    pub fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }

    /// The digits in natural order; decoding stops at the first `F` filler nibble. Nibbles
    /// `A`–`E` (not digits; a card error) are shown as hex letters.
    pub fn digits(&self) -> String {
        let mut out = String::with_capacity(20);
        for byte in self.0 {
            for nibble in [byte & 0x0F, byte >> 4] {
                if nibble == 0x0F {
                    return out;
                }
                out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('?').to_ascii_uppercase());
            }
        }
        out
    }
}

impl FromStr for Iccid {
    type Err = IccidError;

    /// Parses 1 to 20 decimal digits (18–20 in practice, ITU-T E.118).
    fn from_str(s: &str) -> Result<Self, IccidError> {
        let len = s.len();
        if len == 0 || len > 20 {
            return Err(IccidError::Length(s.chars().count()));
        }
        let mut bytes = [0xFFu8; 10];
        for (index, c) in s.bytes().enumerate() {
            if !c.is_ascii_digit() {
                return Err(IccidError::NotADigit(index));
            }
            let digit = c - b'0';
            if let Some(byte) = bytes.get_mut(index / 2) {
                *byte = if index % 2 == 0 { (*byte & 0xF0) | digit } else { (*byte & 0x0F) | (digit << 4) };
            }
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Iccid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

impl fmt::Debug for Iccid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iccid({})", self.digits())
    }
}

/// An eUICC identifier: 16 bytes, 32 decimal digits in plain BCD, natural order
/// (SGP.22 §5.7.20 `eidValue`; SGP.29 for the structure and check digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Eid([u8; 16]);

impl Eid {
    /// The EID from its 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 bytes.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// The 32 digits (upper-case hex if a nibble is not a digit).
    pub fn digits(&self) -> String {
        hex::encode_upper(self.0)
    }

    /// Whether the check digits are right: the 32-digit number mod 97 is 1 (SGP.29 §2.2,
    /// ISO/IEC 7064 MOD 97-10). `false` when a nibble is not a decimal digit.
    pub fn check_digits_valid(&self) -> bool {
        self.mod97() == Some(1)
    }

    /// The EID with correct check digits from its first 30 digits (the last two of a 32-digit
    /// input are replaced): set them to `00`, then `98 − (n mod 97)`, two digits (SGP.29 §2.2).
    pub fn with_check_digits(digits: &str) -> Result<Self, IccidError> {
        let body = match digits.len() {
            30 => digits,
            32 => digits.get(..30).ok_or(IccidError::NotADigit(0))?,
            other => return Err(IccidError::Length(other)),
        };
        let mut eid: Self = format!("{body}00").parse()?;
        let check = 98 - eid.mod97().unwrap_or(0);
        if let Some(last) = eid.0.last_mut() {
            *last = ((check / 10) as u8) << 4 | (check % 10) as u8;
        }
        Ok(eid)
    }

    fn mod97(&self) -> Option<u32> {
        let mut rest = 0u32;
        for byte in self.0 {
            for nibble in [byte >> 4, byte & 0x0F] {
                if nibble > 9 {
                    return None;
                }
                rest = (rest * 10 + u32::from(nibble)) % 97;
            }
        }
        Some(rest)
    }
}

impl FromStr for Eid {
    type Err = IccidError;

    /// Parses exactly 32 decimal digits.
    fn from_str(s: &str) -> Result<Self, IccidError> {
        if s.len() != 32 {
            return Err(IccidError::Length(s.chars().count()));
        }
        if let Some(index) = s.bytes().position(|c| !c.is_ascii_digit()) {
            return Err(IccidError::NotADigit(index));
        }
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| IccidError::NotADigit(0))?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for Eid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

impl fmt::Debug for Eid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Eid({})", self.digits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iccid_swapped_bcd() {
        // euicc-go v2/identifier_test.go, lpac hexutil.c gsmbcd (EF.ICCID coding, swapped BCD).
        let iccid: Iccid = "8944478600004573128".parse().unwrap();
        assert_eq!(iccid.to_bytes(), [0x98, 0x44, 0x74, 0x68, 0x00, 0x00, 0x54, 0x37, 0x21, 0xF8]);
        assert_eq!(iccid.to_string(), "8944478600004573128");
        assert_eq!(Iccid::from_bytes(iccid.to_bytes()), iccid);
        assert_eq!("".parse::<Iccid>(), Err(IccidError::Length(0)));
        assert_eq!("89x".parse::<Iccid>(), Err(IccidError::NotADigit(2)));
        assert_eq!("1".repeat(21).parse::<Iccid>(), Err(IccidError::Length(21)));
    }

    #[test]
    fn eid_check_digits() {
        // pySim tests/unittests/test_globalplatform.py GET EID vector (check digits as SGP.29).
        let eid: Eid = "89882119900000000000000000000005".parse().unwrap();
        assert_eq!(eid.to_bytes()[0], 0x89);
        assert_eq!(eid.to_string(), "89882119900000000000000000000005");
        assert!(eid.check_digits_valid());
        assert!(!Eid::from_bytes([0xAA; 16]).check_digits_valid());
    }
}
