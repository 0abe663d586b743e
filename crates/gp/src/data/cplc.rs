//! Card Production Life Cycle data, tag `9F7F` (GPC v2.3.1 §H.4; the 42-byte layout of the
//! Visa GlobalPlatform Card Implementation Requirements, as GlobalPlatformPro reads it).

use super::expect_object;
use crate::{DecodeError, DecodeErrorKind};

/// Length of the CPLC value: 42 bytes.
pub(crate) const CPLC_LEN: usize = 42;

/// A CPLC date: 2 bytes `YDDD` in BCD — the last digit of the year and the day of the year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CplcDate(pub [u8; 2]);

impl CplcDate {
    /// The last digit of the year and the day of the year (1..=366), or `None` for `0000`
    /// (not set) and for values that are not BCD or whose day is out of range.
    pub fn decode(self) -> Option<(u8, u16)> {
        let [a, b] = self.0;
        let digits = [a >> 4, a & 0x0F, b >> 4, b & 0x0F];
        if digits.iter().any(|d| *d > 9) {
            return None;
        }
        let [y, d1, d2, d3] = digits;
        let day = u16::from(d1) * 100 + u16::from(d2) * 10 + u16::from(d3);
        (1..=366).contains(&day).then_some((y, day))
    }

    /// The calendar date `(year, month, day)`: the latest year not after `reference_year` that
    /// ends in the recorded digit (the encoding only keeps one digit). `None` as for
    /// [`CplcDate::decode`], and for day 366 of a common year.
    pub fn resolve(self, reference_year: u16) -> Option<(u16, u8, u8)> {
        let (digit, day) = self.decode()?;
        let back = (reference_year % 10 + 10 - u16::from(digit)) % 10;
        let year = reference_year.checked_sub(back)?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let lengths = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let mut left = day;
        for (month, len) in (1u8..).zip(lengths) {
            if left <= len {
                return Some((year, month, u8::try_from(left).ok()?));
            }
            left -= len;
        }
        None
    }
}

/// The CPLC data object, every field named (GPC v2.3.1 §H.4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Cplc {
    /// IC fabricator (e.g. `4790` NXP).
    pub ic_fabricator: [u8; 2],
    /// IC type.
    pub ic_type: [u8; 2],
    /// Operating system identifier.
    pub operating_system_id: [u8; 2],
    /// Operating system release date.
    pub operating_system_release_date: CplcDate,
    /// Operating system release level.
    pub operating_system_release_level: [u8; 2],
    /// IC fabrication date.
    pub ic_fabrication_date: CplcDate,
    /// IC serial number.
    pub ic_serial_number: [u8; 4],
    /// IC batch identifier.
    pub ic_batch_identifier: [u8; 2],
    /// IC module fabricator.
    pub ic_module_fabricator: [u8; 2],
    /// IC module packaging date.
    pub ic_module_packaging_date: CplcDate,
    /// ICC manufacturer.
    pub icc_manufacturer: [u8; 2],
    /// IC embedding date.
    pub ic_embedding_date: CplcDate,
    /// IC pre-personalizer.
    pub ic_pre_personalizer: [u8; 2],
    /// IC pre-personalization date.
    pub ic_pre_personalization_date: CplcDate,
    /// IC pre-personalization equipment identifier.
    pub ic_pre_personalization_equipment_id: [u8; 4],
    /// IC personalizer.
    pub ic_personalizer: [u8; 2],
    /// IC personalization date.
    pub ic_personalization_date: CplcDate,
    /// IC personalization equipment identifier.
    pub ic_personalization_equipment_id: [u8; 4],
}

impl Cplc {
    /// The GET DATA `9F7F` response for this CPLC: `9F7F 2A` and the 42 bytes, fields in
    /// order; what [`Cplc::parse`] reads back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0x9F, 0x7F, CPLC_LEN as u8];
        for field in [
            &self.ic_fabricator[..],
            &self.ic_type,
            &self.operating_system_id,
            &self.operating_system_release_date.0,
            &self.operating_system_release_level,
            &self.ic_fabrication_date.0,
            &self.ic_serial_number,
            &self.ic_batch_identifier,
            &self.ic_module_fabricator,
            &self.ic_module_packaging_date.0,
            &self.icc_manufacturer,
            &self.ic_embedding_date.0,
            &self.ic_pre_personalizer,
            &self.ic_pre_personalization_date.0,
            &self.ic_pre_personalization_equipment_id,
            &self.ic_personalizer,
            &self.ic_personalization_date.0,
            &self.ic_personalization_equipment_id,
        ] {
            out.extend_from_slice(field);
        }
        out
    }
}

/// Reads fixed-size fields in order, tracking the offset.
struct Fields<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let field = self
            .bytes
            .get(self.offset..self.offset + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or(DecodeError::new(DecodeErrorKind::Truncated, self.offset))?;
        self.offset += N;
        Ok(field)
    }

    fn date(&mut self) -> Result<CplcDate, DecodeError> {
        self.take().map(CplcDate)
    }
}

impl Cplc {
    /// Decodes the GET DATA `9F7F` response: `9F7F 2A` and 42 bytes, or the bare 42 bytes
    /// (some cards omit the tag). Errors are located in `data`.
    pub fn parse(data: &[u8]) -> Result<Self, DecodeError> {
        let (value, base) = if data.len() == CPLC_LEN {
            (data, 0)
        } else {
            (expect_object(data, u32::from(super::tags::CPLC))?, 3)
        };
        if value.len() != CPLC_LEN {
            return Err(DecodeError::new(DecodeErrorKind::InvalidLength, base.min(data.len())));
        }
        let mut f = Fields { bytes: value, offset: 0 };
        Ok(Self {
            ic_fabricator: f.take()?,
            ic_type: f.take()?,
            operating_system_id: f.take()?,
            operating_system_release_date: f.date()?,
            operating_system_release_level: f.take()?,
            ic_fabrication_date: f.date()?,
            ic_serial_number: f.take()?,
            ic_batch_identifier: f.take()?,
            ic_module_fabricator: f.take()?,
            ic_module_packaging_date: f.date()?,
            icc_manufacturer: f.take()?,
            ic_embedding_date: f.date()?,
            ic_pre_personalizer: f.take()?,
            ic_pre_personalization_date: f.date()?,
            ic_pre_personalization_equipment_id: f.take()?,
            ic_personalizer: f.take()?,
            ic_personalization_date: f.date()?,
            ic_personalization_equipment_id: f.take()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real card's answer, from fidesmo/fdsm FidesmoCardTest.testOldStorageAppletSupport
    // (status word removed).
    const FIDESMO: &str =
        "9F7F2A47906B644700E4D80300816500485399064800000000000000005758594E4E4E4E4E0000000000000000";

    #[test]
    fn fidesmo_card() {
        let cplc = Cplc::parse(&hex::decode(FIDESMO).unwrap()).unwrap();
        assert_eq!(cplc.ic_fabricator, [0x47, 0x90]);
        assert_eq!(cplc.ic_type, [0x6B, 0x64]);
        assert_eq!(cplc.operating_system_id, [0x47, 0x00]);
        assert_eq!(cplc.operating_system_release_date.decode(), None); // E4D8 is not BCD
        assert_eq!(cplc.operating_system_release_level, [0x03, 0x00]);
        assert_eq!(cplc.ic_fabrication_date, CplcDate([0x81, 0x65]));
        assert_eq!(cplc.ic_fabrication_date.decode(), Some((8, 165)));
        assert_eq!(cplc.ic_fabrication_date.resolve(2019), Some((2018, 6, 14)));
        assert_eq!(cplc.ic_serial_number, [0x00, 0x48, 0x53, 0x99]);
        assert_eq!(cplc.ic_batch_identifier, [0x06, 0x48]);
        assert_eq!(cplc.ic_module_packaging_date.decode(), None); // 0000: not set
        assert_eq!(cplc.ic_pre_personalizer, [0x57, 0x58]);
        assert_eq!(cplc.ic_pre_personalization_equipment_id, [0x4E; 4]);
        assert_eq!(cplc.ic_personalization_equipment_id, [0; 4]);
        assert_eq!(hex::encode_upper(cplc.to_bytes()), FIDESMO);
        // The bare value decodes the same.
        let bare = hex::decode(&FIDESMO[6..]).unwrap();
        assert_eq!(Cplc::parse(&bare).unwrap(), cplc);
    }

    #[test]
    fn dates() {
        // GlobalPlatformPro TestParseTags.testCPLCDateParse: 1210 is day 210 of a year ending in 1.
        assert_eq!(CplcDate([0x12, 0x10]).resolve(2021), Some((2021, 7, 29)));
        assert_eq!(CplcDate([0x12, 0x10]).resolve(2030), Some((2021, 7, 29)));
        // testCPLCDateParseInvalid: day 410 does not exist.
        assert_eq!(CplcDate([0x14, 0x10]).decode(), None);
        assert_eq!(CplcDate([0x33, 0x66]).resolve(2023), None); // day 366 of 2023
        assert_eq!(CplcDate([0x43, 0x66]).resolve(2024), Some((2024, 12, 31)));
    }

    #[test]
    fn malformed() {
        let data = hex::decode(FIDESMO).unwrap();
        assert_eq!(Cplc::parse(&data[..40]).unwrap_err().kind, DecodeErrorKind::Tlv);
        let mut short = data.clone();
        short[2] = 0x29;
        short.pop();
        assert_eq!(Cplc::parse(&short).unwrap_err(), DecodeError::new(DecodeErrorKind::InvalidLength, 3));
        let mut other = data;
        other[1] = 0x7E;
        assert_eq!(Cplc::parse(&other).unwrap_err(), DecodeError::new(DecodeErrorKind::UnexpectedTag, 0));
    }
}
