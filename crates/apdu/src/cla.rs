//! The class byte CLA: logical channel, command chaining and secure messaging
//! indication (ISO/IEC 7816-4 §5.4.1, GlobalPlatform Card Specification 2.3.1 §11.1.4).
//!
//! Two codings exist:
//!
//! | CLA             | coding                                 | b8  | b7 | b6 | b5    | b4 b3 | b2 b1   |
//! |-----------------|----------------------------------------|-----|----|----|-------|-------|---------|
//! | `00`–`3F`       | first interindustry (Table 2)          | 0   | 0  | –  | chain | SM    | channel |
//! | `40`–`7F`       | further interindustry (Table 3)        | 0   | 1  | SM | chain | channel − 4 (b4..b1) ||
//! | `80`–`BF`       | proprietary, first coding (GP §11.1.4) | 1   | 0  | –  | chain | SM    | channel |
//! | `C0`–`FE`       | proprietary, further coding            | 1   | 1  | SM | chain | channel − 4 (b4..b1) ||
//!
//! `FF` is invalid (ISO/IEC 7816-3 reserves it for PPS).
//!
//! The first coding addresses channels 0–3, the further coding 4–19.

use crate::error::{Error, ErrorKind};

/// The class byte of a command APDU (ISO/IEC 7816-4 §5.4.1).
///
/// The methods read and change the logical channel number, the command
/// chaining bit and the secure messaging indication, in both the first and
/// the further interindustry coding. Proprietary class bytes (b8 = 1, as used
/// by GlobalPlatform) follow the same coding (GPC 2.3.1 §11.1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cla(pub u8);

/// The highest logical channel number, 19 (ISO/IEC 7816-4 §5.4.1, Table 3).
const MAX_CHANNEL: u8 = 19;

/// Command chaining bit b5 (both codings, ISO/IEC 7816-4 §5.4.1 Tables 2 and 3).
const CHAINING: u8 = 0x10;
/// Bit b7: set in the further interindustry coding.
const FURTHER: u8 = 0x40;
/// Bit b8: proprietary class.
const PROPRIETARY: u8 = 0x80;
/// Secure messaging indication of the first coding: b4 b3.
const SM_FIRST_MASK: u8 = 0x0C;
/// b4 b3 = 01: proprietary secure messaging (ISO) / GlobalPlatform secure messaging.
const SM_FIRST_ON: u8 = 0x04;
/// Secure messaging indication of the further coding: b6.
const SM_FURTHER: u8 = 0x20;
/// Channel bits of the first coding: b2 b1.
const CHANNEL_FIRST_MASK: u8 = 0x03;
/// Channel bits of the further coding: b4..b1 (channel − 4).
const CHANNEL_FURTHER_MASK: u8 = 0x0F;
/// The one invalid class byte.
const INVALID: u8 = 0xFF;

impl Cla {
    /// The highest logical channel number, 19 (ISO/IEC 7816-4 §5.4.1, Table 3).
    pub const MAX_CHANNEL: u8 = MAX_CHANNEL;

    /// The basic interindustry class `00`: channel 0, no chaining, no secure messaging.
    pub const INTERINDUSTRY: Cla = Cla(0x00);

    /// The GlobalPlatform proprietary class `80` (GPC 2.3.1 §11.1.4).
    pub const GLOBALPLATFORM: Cla = Cla(0x80);

    /// `true` if the class byte uses the further interindustry coding (b7 = 1,
    /// channels 4–19; ISO/IEC 7816-4 §5.4.1 Table 3).
    pub const fn is_further_coding(self) -> bool {
        self.0 & FURTHER != 0
    }

    /// The logical channel number 0–19 (ISO/IEC 7816-4 §5.4.1): b2 b1 in the
    /// first coding, 4 + b4..b1 in the further coding.
    pub const fn channel(self) -> u8 {
        if self.is_further_coding() {
            4 + (self.0 & CHANNEL_FURTHER_MASK)
        } else {
            self.0 & CHANNEL_FIRST_MASK
        }
    }

    /// The same class on logical channel `channel` (ISO/IEC 7816-4 §5.4.1).
    ///
    /// Switches between the first (0–3) and the further (4–19) coding as
    /// needed, keeping the proprietary bit b8, the chaining bit and the secure
    /// messaging indication. Moving from the first to the further coding maps
    /// any secure messaging indication (b4 b3 ≠ 00) to b6; moving back maps b6
    /// to b4 b3 = 01. Within the first coding every other bit is kept.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] (offset 0) if `channel` is above 19, if the
    /// class byte is `FF`, or if the result would be `FF`.
    pub const fn with_channel(self, channel: u8) -> Result<Cla, Error> {
        if channel > MAX_CHANNEL || !self.is_valid() {
            return Err(Error::new(ErrorKind::InvalidValue, 0));
        }
        let sm = self.is_secure_messaging();
        let keep = self.0 & (PROPRIETARY | CHAINING);
        let cla = if channel <= 3 {
            let rest = if self.is_further_coding() {
                if sm { SM_FIRST_ON } else { 0 }
            } else {
                // First coding: keep b6 and the SM bits as they are.
                self.0 & (SM_FURTHER | SM_FIRST_MASK)
            };
            keep | rest | channel
        } else {
            keep | FURTHER | if sm { SM_FURTHER } else { 0 } | (channel - 4)
        };
        if cla == INVALID {
            return Err(Error::new(ErrorKind::InvalidValue, 0));
        }
        Ok(Cla(cla))
    }

    /// `true` if the command chaining bit b5 (`10`) is set: more commands of
    /// the chain follow (ISO/IEC 7816-4 §5.3.3, §5.4.1). `false` for `FF`.
    pub const fn is_chained(self) -> bool {
        self.is_valid() && self.0 & CHAINING != 0
    }

    /// The same class with the command chaining bit b5 set or cleared
    /// (ISO/IEC 7816-4 §5.4.1). Only that bit changes, so `EF` with chaining
    /// becomes the invalid `FF`: check [`Cla::is_valid`] when that matters.
    #[must_use]
    pub const fn with_chaining(self, chained: bool) -> Cla {
        if chained { Cla(self.0 | CHAINING) } else { Cla(self.0 & !CHAINING) }
    }

    /// `true` if the class indicates secure messaging (ISO/IEC 7816-4 §5.4.1):
    /// b4 b3 ≠ 00 in the first coding, b6 = 1 in the further coding.
    /// `false` for `FF`.
    pub const fn is_secure_messaging(self) -> bool {
        if !self.is_valid() {
            false
        } else if self.is_further_coding() {
            self.0 & SM_FURTHER != 0
        } else {
            self.0 & SM_FIRST_MASK != 0
        }
    }

    /// The same class with secure messaging indicated or not (ISO/IEC 7816-4
    /// §5.4.1). First coding: "on" sets b4 b3 = 01 (proprietary SM, as used by
    /// GlobalPlatform secure channels: `80` → `84`) unless an indication is
    /// already present, "off" clears b4 b3. Further coding: sets or clears b6.
    #[must_use]
    pub const fn with_secure_messaging(self, on: bool) -> Cla {
        if self.is_further_coding() {
            if on { Cla(self.0 | SM_FURTHER) } else { Cla(self.0 & !SM_FURTHER) }
        } else if !on {
            Cla(self.0 & !SM_FIRST_MASK)
        } else if self.0 & SM_FIRST_MASK != 0 {
            self
        } else {
            Cla(self.0 | SM_FIRST_ON)
        }
    }

    /// `true` for a proprietary class: b8 set, and not the invalid `FF`
    /// (ISO/IEC 7816-4 §5.4.1).
    pub const fn is_proprietary(self) -> bool {
        self.0 & PROPRIETARY != 0 && self.is_valid()
    }

    /// `true` unless the class byte is the invalid `FF` (ISO/IEC 7816-4 §5.4.1).
    pub const fn is_valid(self) -> bool {
        self.0 != INVALID
    }
}

impl From<u8> for Cla {
    fn from(value: u8) -> Self {
        Cla(value)
    }
}

impl From<Cla> for u8 {
    fn from(value: Cla) -> Self {
        value.0
    }
}
