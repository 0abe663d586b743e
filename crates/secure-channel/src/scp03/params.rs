//! The "i" parameter (GP Card Spec Amendment D Table 5-1) and the security level
//! (Amendment D Table 7-3).

use crate::error::{ErrorKind, Result};

/// Challenge, cryptogram and MAC length: S8 (8 bytes) or S16 (16 bytes), chosen by
/// bit b1 of "i" (S16 mode; taken from GlobalPlatformPro, newer than Amendment D v1.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// 8-byte challenges, cryptograms and MACs.
    S8,
    /// 16-byte challenges, cryptograms and MACs.
    S16,
}

impl Mode {
    /// The challenge, cryptogram and MAC length in bytes: 8 or 16.
    pub const fn size(self) -> usize {
        match self {
            Self::S8 => 8,
            Self::S16 => 16,
        }
    }

    /// The first [`size`](Self::size) bytes of a full 16-byte value: an S8 challenge,
    /// cryptogram or MAC is the leftmost 8 bytes (Amendment D §6.2.2.2, §6.2.4).
    pub const fn truncate(self, full: &[u8; 16]) -> &[u8] {
        match self {
            Self::S8 => {
                let [head @ .., _, _, _, _, _, _, _, _] = full;
                head
            }
            Self::S16 => full,
        }
    }

    /// The mode whose challenges are `len` bytes long.
    pub fn from_size(len: usize) -> Result<Self> {
        match len {
            8 => Ok(Self::S8),
            16 => Ok(Self::S16),
            _ => Err(ErrorKind::InvalidChallengeLength.into()),
        }
    }
}

/// The SCP03 "i" parameter: the options a card implements (Amendment D Table 5-1).
///
/// | bit | mask | meaning |
/// |---|---|---|
/// | b1 | `01` | S16 mode (0: S8) |
/// | b5 | `10` | pseudo-random card challenge (0: random) |
/// | b7 b6 | `60` | `00` no R-MAC/R-ENC, `01` (`20`) R-MAC, `11` (`60`) R-MAC and R-ENC |
///
/// The combination b7 b6 = `10` (R-ENC without R-MAC) is not defined and rejected;
/// the RFU bits b2–b4 and b8 are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IParameter(u8);

impl IParameter {
    /// `70`: S8, pseudo-random challenge, R-MAC and R-ENC (the usual eUICC value).
    pub const S8_PSEUDO_RANDOM_RMAC_RENC: Self = Self(0x70);

    /// Validates an "i" byte ([`ErrorKind::InvalidValue`] for R-ENC without R-MAC).
    pub const fn from_byte(i: u8) -> Result<Self> {
        if i & 0x60 == 0x40 {
            return Err(crate::error::Error::of(ErrorKind::InvalidValue));
        }
        Ok(Self(i))
    }

    /// The byte.
    pub const fn byte(self) -> u8 {
        self.0
    }

    /// S8 or S16.
    pub const fn mode(self) -> Mode {
        if self.0 & 0x01 != 0 { Mode::S16 } else { Mode::S8 }
    }

    /// Whether the card challenge is pseudo-random (and the INITIALIZE UPDATE response
    /// carries the 3-byte sequence counter).
    pub const fn pseudo_random_challenge(self) -> bool {
        self.0 & 0x10 != 0
    }

    /// Whether the card supports R-MAC.
    pub const fn r_mac(self) -> bool {
        self.0 & 0x20 != 0
    }

    /// Whether the card supports R-ENC.
    pub const fn r_enc(self) -> bool {
        self.0 & 0x40 != 0
    }

    /// Whether the card accepts `level`: R-MAC and R-ENC only where "i" offers them.
    pub const fn allows(self, level: SecurityLevel) -> bool {
        (!level.r_mac() || self.r_mac()) && (!level.r_enc() || self.r_enc())
    }
}

/// A security level: P1 of EXTERNAL AUTHENTICATE (Amendment D Table 7-3; bit masks
/// `01` C-MAC, `02` C-DECRYPTION, `10` R-MAC, `20` R-ENCRYPTION).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SecurityLevel(u8);

impl SecurityLevel {
    /// `00`: authenticated, no secure messaging.
    pub const NONE: Self = Self(0x00);
    /// `01`: C-MAC.
    pub const C_MAC: Self = Self(0x01);
    /// `03`: C-DECRYPTION and C-MAC.
    pub const C_DEC_C_MAC: Self = Self(0x03);
    /// `11`: C-MAC and R-MAC.
    pub const C_MAC_R_MAC: Self = Self(0x11);
    /// `13`: C-DECRYPTION, C-MAC and R-MAC.
    pub const C_DEC_C_MAC_R_MAC: Self = Self(0x13);
    /// `31`: C-MAC, R-MAC and R-ENCRYPTION.
    pub const C_MAC_R_MAC_R_ENC: Self = Self(0x31);
    /// `33`: C-DECRYPTION, C-MAC, R-MAC and R-ENCRYPTION.
    pub const C_DEC_C_MAC_R_MAC_R_ENC: Self = Self(0x33);

    /// Every defined level.
    pub const ALL: [Self; 7] = [
        Self::NONE,
        Self::C_MAC,
        Self::C_DEC_C_MAC,
        Self::C_MAC_R_MAC,
        Self::C_DEC_C_MAC_R_MAC,
        Self::C_MAC_R_MAC_R_ENC,
        Self::C_DEC_C_MAC_R_MAC_R_ENC,
    ];

    /// Validates a level byte ([`ErrorKind::InvalidValue`] unless one of `00`, `01`,
    /// `03`, `11`, `13`, `31`, `33`).
    pub const fn from_byte(level: u8) -> Result<Self> {
        match level {
            0x00 | 0x01 | 0x03 | 0x11 | 0x13 | 0x31 | 0x33 => Ok(Self(level)),
            _ => Err(crate::error::Error::of(ErrorKind::InvalidValue)),
        }
    }

    /// The byte.
    pub const fn byte(self) -> u8 {
        self.0
    }

    /// Commands carry a C-MAC.
    pub const fn c_mac(self) -> bool {
        self.0 & 0x01 != 0
    }

    /// Command data is encrypted.
    pub const fn c_dec(self) -> bool {
        self.0 & 0x02 != 0
    }

    /// Responses carry an R-MAC.
    pub const fn r_mac(self) -> bool {
        self.0 & 0x10 != 0
    }

    /// Response data is encrypted.
    pub const fn r_enc(self) -> bool {
        self.0 & 0x20 != 0
    }

    /// Whether the encryption counter runs: with C-DECRYPTION (Amendment D §6.2.6) or
    /// R-ENCRYPTION (whose ICV is derived from it, §6.2.7). For level `31`, which has
    /// R-ENC without C-DEC, this crate counts every command as well (interpretation).
    pub const fn counts(self) -> bool {
        self.c_dec() || self.r_enc()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i_parameter_bits() {
        let i = IParameter::from_byte(0x70).unwrap();
        assert_eq!(
            (i.mode(), i.pseudo_random_challenge(), i.r_mac(), i.r_enc()),
            (Mode::S8, true, true, true)
        );
        let i = IParameter::from_byte(0x01).unwrap();
        assert_eq!(
            (i.mode(), i.pseudo_random_challenge(), i.r_mac(), i.r_enc()),
            (Mode::S16, false, false, false)
        );
        assert_eq!(IParameter::from_byte(0x40).unwrap_err().kind, ErrorKind::InvalidValue);
    }

    #[test]
    fn levels_against_i() {
        for byte in 0..=255u8 {
            let valid = [0x00, 0x01, 0x03, 0x11, 0x13, 0x31, 0x33].contains(&byte);
            assert_eq!(SecurityLevel::from_byte(byte).is_ok(), valid, "{byte:02x}");
        }
        let no_r = IParameter::from_byte(0x10).unwrap();
        let r_mac = IParameter::from_byte(0x30).unwrap();
        let all = IParameter::from_byte(0x70).unwrap();
        let allowed = |i: IParameter| SecurityLevel::ALL.iter().filter(|l| i.allows(**l)).count();
        assert_eq!((allowed(no_r), allowed(r_mac), allowed(all)), (3, 5, 7));
        assert!(!r_mac.allows(SecurityLevel::C_MAC_R_MAC_R_ENC));
    }
}
