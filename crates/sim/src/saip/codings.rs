//! The two codings of the ICCID and the EF.IMSI coding.
//!
//! - ProfileHeader `iccid` (SAIP v3.3.1 §8.2): the ICCID digits in reading order, two per octet,
//!   high nibble first, `F`-padded: `89 49 44 99 … 16 3F` is `8949449999999990163`.
//! - EF.ICCID (ETSI TS 102 221 §13.2), ES8+ metadata and ES10 `Iccid` (SGP.22 §2.2): the same
//!   digits with the nibbles of each octet swapped, `98 94 44 99 … 61 F3` — the coding of
//!   [`Iccid`]. Each coding is the other with every octet's nibbles swapped.
//! - EF.IMSI (3GPP TS 31.102 §4.2.2): a length octet, then the digits swapped in pairs, the first
//!   octet holding digit 1 over the parity/type nibble (`1001` odd, `0001` even count).

use core::fmt;
use core::str::FromStr;

use oxicard_euicc::iccid::Iccid;

/// Swaps the nibbles of every octet (reading order ↔ EF.ICCID coding).
fn swap_nibbles(bytes: [u8; 10]) -> [u8; 10] {
    bytes.map(|b| b.rotate_left(4))
}

/// The ICCID of a ProfileHeader `iccid` (reading order). It must be 1 to 20 decimal digits, the
/// unused nibbles `F` at the end; the message says what is wrong otherwise.
pub fn iccid_from_reading_order(bytes: [u8; 10]) -> Result<Iccid, String> {
    let mut padding = false;
    for (position, nibble) in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]).enumerate() {
        match nibble {
            0x0..=0x9 if padding => return Err(format!("digit after the F padding at nibble {position}")),
            0x0..=0x9 => {}
            0xF if position == 0 => return Err("no digit".into()),
            0xF => padding = true,
            _ => return Err(format!("nibble {nibble:X} at position {position} is not a digit")),
        }
    }
    Ok(Iccid::from_bytes(swap_nibbles(bytes)))
}

/// The ProfileHeader `iccid` octets (reading order) of `iccid`.
pub fn iccid_to_reading_order(iccid: &Iccid) -> [u8; 10] {
    swap_nibbles(iccid.to_bytes())
}

/// An IMSI: 6 to 15 decimal digits (ITU-T E.212: MCC, MNC, MSIN).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Imsi(String);

/// The longest IMSI (ITU-T E.212 §6.1).
const MAX_IMSI_DIGITS: usize = 15;
/// The shortest IMSI accepted (an MCC, a two-digit MNC and one MSIN digit).
const MIN_IMSI_DIGITS: usize = 6;

impl Imsi {
    /// The digits.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The IMSI of EF.IMSI contents (3GPP TS 31.102 §4.2.2): `None` when the length octet, the
    /// type nibble (`001`), a digit or the padding is wrong.
    pub fn from_ef(bytes: &[u8]) -> Option<Imsi> {
        let (&len, rest) = bytes.split_first()?;
        let coded = rest.get(..usize::from(len))?;
        let (&first, others) = coded.split_first()?;
        if first & 0x07 != 0x01 {
            return None;
        }
        let odd = first & 0x08 != 0;
        let mut nibbles = vec![first >> 4];
        nibbles.extend(others.iter().flat_map(|b| [b & 0x0F, b >> 4]));
        if !odd && nibbles.pop() != Some(0x0F) {
            return None;
        }
        let digits: Option<String> =
            nibbles.iter().map(|&n| char::from_digit(u32::from(n), 10)).collect::<Option<String>>();
        digits.and_then(|d| d.parse().ok())
    }

    /// The 9-octet EF.IMSI contents: length, the digits, `F` padding.
    pub fn to_ef(&self) -> [u8; 9] {
        let digits: Vec<u8> = self.0.bytes().map(|c| c.wrapping_sub(b'0')).collect();
        let odd = digits.len() % 2 == 1;
        let mut nibbles = vec![if odd { 0x09 } else { 0x01 }];
        nibbles.extend_from_slice(&digits);
        if nibbles.len() % 2 == 1 {
            nibbles.push(0x0F);
        }
        let mut out = [0xFFu8; 9];
        let used = nibbles.len() / 2;
        if let Some(length) = out.first_mut() {
            *length = u8::try_from(used).unwrap_or(8);
        }
        for (slot, pair) in out.iter_mut().skip(1).zip(nibbles.chunks(2)) {
            if let [low, high] = pair {
                *slot = (high << 4) | low;
            }
        }
        out
    }
}

/// Why a string is not an IMSI.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an IMSI has 6 to 15 decimal digits")]
pub struct ImsiError;

impl FromStr for Imsi {
    type Err = ImsiError;

    fn from_str(s: &str) -> Result<Imsi, ImsiError> {
        let digits = s.bytes().all(|c| c.is_ascii_digit());
        if digits && (MIN_IMSI_DIGITS..=MAX_IMSI_DIGITS).contains(&s.len()) {
            Ok(Imsi(s.to_string()))
        } else {
            Err(ImsiError)
        }
    }
}

impl fmt::Display for Imsi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Imsi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Imsi({})", self.0)
    }
}

/// The dotted form of OBJECT IDENTIFIER contents (X.690 §8.19), e.g. `2.23.143.1.2.1`; `None`
/// when malformed or an arc exceeds 128 bits.
pub(crate) fn dotted_oid(bytes: &[u8]) -> Option<String> {
    let mut arcs = Vec::new();
    let mut value = 0u128;
    for &byte in bytes {
        value = value.checked_mul(128)? | u128::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            arcs.push(value);
            value = 0;
        }
    }
    let (&first, rest) = arcs.split_first()?;
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut out = format!("{a}.{b}");
    for arc in rest {
        out.push_str(&format!(".{arc}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iccid_codings() {
        // The TS.48 v5 ProfileHeader iccid and its EF.ICCID (pySim smdpp-data/upp, decoded with
        // asn1tools over PE_Definitions-3.3.1).
        let header = [0x89, 0x49, 0x44, 0x99, 0x99, 0x99, 0x99, 0x90, 0x16, 0x3F];
        let iccid = iccid_from_reading_order(header).unwrap();
        assert_eq!(iccid.digits(), "8949449999999990163");
        assert_eq!(iccid.to_bytes(), [0x98, 0x94, 0x44, 0x99, 0x99, 0x99, 0x99, 0x09, 0x61, 0xF3]);
        assert_eq!(iccid_to_reading_order(&iccid), header);
        let mut bad = header;
        bad[9] = 0x3A;
        assert_eq!(iccid_from_reading_order(bad), Err("nibble A at position 19 is not a digit".into()));
        bad[9] = 0xF3;
        assert_eq!(iccid_from_reading_order(bad), Err("digit after the F padding at nibble 19".into()));
        assert_eq!(iccid_from_reading_order([0xFF; 10]), Err("no digit".into()));
    }

    #[test]
    fn imsi_coding() {
        // TS.48 EF.IMSI `08 09 10 10 10 32 54 06 36` (3GPP TS 31.102 §4.2.2 coding).
        let ef = [0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x06, 0x36];
        let imsi = Imsi::from_ef(&ef).unwrap();
        assert_eq!(imsi.digits(), "001010123456063");
        assert_eq!(imsi.to_ef(), ef);
        // An even count: `001010123456` → length 7, `01 | 0 ...`, last high nibble F.
        let even: Imsi = "001010123456".parse().unwrap();
        assert_eq!(even.to_ef(), [0x07, 0x01, 0x10, 0x10, 0x10, 0x32, 0x54, 0xF6, 0xFF]);
        assert_eq!(Imsi::from_ef(&even.to_ef()), Some(even));
        assert_eq!(Imsi::from_ef(&[0x08, 0x0A, 0x10]), None);
        assert_eq!(Imsi::from_ef(&[0xFF; 9]), None);
        assert_eq!("12345".parse::<Imsi>(), Err(ImsiError));
        assert_eq!("1234567890123456".parse::<Imsi>(), Err(ImsiError));
    }

    #[test]
    fn dotted_oids() {
        assert_eq!(dotted_oid(&[0x67, 0x81, 0x0F, 0x01, 0x02, 0x01]).as_deref(), Some("2.23.143.1.2.1"));
        assert_eq!(dotted_oid(&[0x88, 0x37]).as_deref(), Some("2.999"));
        assert_eq!(dotted_oid(&[0x2B, 0x06]).as_deref(), Some("1.3.6"));
        assert_eq!(dotted_oid(&[]), None);
    }
}
