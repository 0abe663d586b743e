//! Device information for AuthenticateServer (GSMA SGP.22 §4.2, §5.7.13 `DeviceInfo`).

use std::fmt;
use std::str::FromStr;

use crate::es10::DeviceCapabilities;

/// Why an IMEI or TAC was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceInfoError {
    /// The IMEI is not 14, 15 or 16 decimal digits, or its check digit is wrong.
    #[error("invalid IMEI: {0}")]
    Imei(String),
    /// The TAC is not 8 decimal digits.
    #[error("invalid TAC: {0}")]
    Tac(String),
}

/// Type Allocation Code: the first 8 digits of an IMEI (3GPP TS 23.003 §6.2.1).
///
/// In `DeviceInfo` it is `tac Octet4`, the 8 digits as plain BCD in natural order: TAC `35290611` is sent as
/// `35 29 06 11` (lpac's default TAC bytes; the v2.5 and v3 ASN.1 modules say `Octet4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tac([u8; 8]);

impl Tac {
    /// The TAC an LPA sends when it has no IMEI to give: `35290611`, sent as `35 29 06 11`, the
    /// TAC lpac puts in `DeviceInfo` when no IMEI is set (lpac `euicc/es10b.c`,
    /// `es10b_authenticate_server_r`). `DeviceInfo::from_tac(Tac::DEFAULT)` is such a device.
    pub const DEFAULT: Tac = Tac([3, 5, 2, 9, 0, 6, 1, 1]);

    /// The 4 bytes sent in `DeviceInfo.tac`.
    pub fn to_bytes(&self) -> [u8; 4] {
        let mut out = [0u8; 4];
        for (byte, pair) in out.iter_mut().zip(self.0.chunks_exact(2)) {
            if let [hi, lo] = pair {
                *byte = (hi << 4) | lo;
            }
        }
        out
    }
}

impl FromStr for Tac {
    type Err = DeviceInfoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = parse_digits(s).map_err(DeviceInfoError::Tac)?;
        let arr: [u8; 8] = digits
            .try_into()
            .map_err(|d: Vec<u8>| DeviceInfoError::Tac(format!("{} digits; a TAC has 8", d.len())))?;
        Ok(Tac(arr))
    }
}

impl fmt::Display for Tac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|d| write!(f, "{d}"))
    }
}

/// An IMEI (15 digits, last one the Luhn check digit) or IMEISV (16 digits) (3GPP TS 23.003 §6.2).
///
/// Parsing accepts:
/// - 14 digits (no check digit given): the Luhn check digit is computed and appended (TS 23.003 Annex B);
/// - 15 digits: the check digit is verified;
/// - 16 digits: an IMEISV (TAC, SNR, 2-digit SVN), which has no check digit.
///
/// In `DeviceInfo` it is `imei Octet8`, coded like EF.ICCID: BCD with the nibbles of each byte swapped,
/// padded with `F` (lpac `gsmbcd2bin`): `490154203237518` → `94 10 45 02 23 73 15 F8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Imei(Vec<u8>);

impl Imei {
    /// The Type Allocation Code: the first 8 digits.
    pub fn tac(&self) -> Tac {
        let mut tac = [0u8; 8];
        for (t, d) in tac.iter_mut().zip(&self.0) {
            *t = *d;
        }
        Tac(tac)
    }

    /// Whether this is a 16-digit IMEISV rather than a 15-digit IMEI.
    pub fn is_imeisv(&self) -> bool {
        self.0.len() == 16
    }

    /// The 8 bytes sent in `DeviceInfo.imei`: swapped-nibble BCD, `F`-padded.
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut out = [0xFFu8; 8];
        for (byte, pair) in out.iter_mut().zip(self.0.chunks(2)) {
            let lo = pair.first().copied().unwrap_or(0xF);
            let hi = pair.get(1).copied().unwrap_or(0xF);
            *byte = (hi << 4) | lo;
        }
        out
    }
}

/// Luhn check digit over the 14 IMEI digits (3GPP TS 23.003 Annex B): double every second digit starting
/// with the second from the left, add the digits of the products and the undoubled digits, and take the
/// complement to the next multiple of 10.
fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let p = d * 2;
                p / 10 + p % 10
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is < 10, so the result fits a u8.
    ((10 - sum % 10) % 10) as u8
}

impl FromStr for Imei {
    type Err = DeviceInfoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut digits = parse_digits(s).map_err(DeviceInfoError::Imei)?;
        match digits.len() {
            14 => {
                let cd = luhn_check_digit(&digits);
                digits.push(cd);
            }
            15 => {
                let (body, cd) = digits.split_at(14);
                let expected = luhn_check_digit(body);
                if cd != [expected] {
                    return Err(DeviceInfoError::Imei(format!(
                        "check digit is {}, expected {expected} (Luhn, 3GPP TS 23.003 Annex B)",
                        cd.first().copied().unwrap_or(0)
                    )));
                }
            }
            16 => {}
            n => {
                return Err(DeviceInfoError::Imei(format!(
                    "{n} digits; expected 14 or 15 (IMEI) or 16 (IMEISV)"
                )));
            }
        }
        Ok(Imei(digits))
    }
}

impl fmt::Display for Imei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|d| write!(f, "{d}"))
    }
}

fn parse_digits(s: &str) -> Result<Vec<u8>, String> {
    s.chars()
        .map(|c| c.to_digit(10).map(|d| d as u8).ok_or_else(|| format!("character {c:?} is not a digit")))
        .collect()
}

/// `DeviceInfo ::= SEQUENCE { 80 tac, A1 deviceCapabilities, [82 imei] }` (SGP.22 §5.7.13 / §4.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceInfo {
    /// Type Allocation Code: 4 bytes (8 digits) in v2.5/v3; the v2 module says `Octet8`.
    pub tac: Vec<u8>,
    /// The radio capabilities.
    pub capabilities: DeviceCapabilities,
    /// IMEI, 8 bytes in swapped BCD like an ICCID (15 digits + `F`).
    pub imei: Option<Vec<u8>>,
}

impl DeviceInfo {
    /// Device info for `imei`: the TAC is its first 8 digits; no capabilities (lpac sends an
    /// empty `A1 00` too).
    pub fn from_imei(imei: Imei) -> Self {
        Self {
            tac: imei.tac().to_bytes().to_vec(),
            capabilities: DeviceCapabilities::default(),
            imei: Some(imei.to_bytes().to_vec()),
        }
    }

    /// Device info with only a TAC (no IMEI) and no capabilities.
    pub fn from_tac(tac: Tac) -> Self {
        Self { tac: tac.to_bytes().to_vec(), capabilities: DeviceCapabilities::default(), imei: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// lpac `euicc/es10b.c` (`es10b_authenticate_server_r`): without an IMEI the `tac` of
    /// DeviceInfo is the bytes `0x35, 0x29, 0x06, 0x11`.
    #[test]
    fn default_tac_is_lpacs() {
        assert_eq!(Tac::DEFAULT.to_bytes(), [0x35, 0x29, 0x06, 0x11]);
        assert_eq!(Tac::DEFAULT.to_string(), "35290611");
        assert_eq!("35290611".parse::<Tac>(), Ok(Tac::DEFAULT));
        let device = DeviceInfo::from_tac(Tac::DEFAULT);
        assert_eq!((device.tac.as_slice(), device.imei), (&[0x35, 0x29, 0x06, 0x11][..], None));
    }
}
