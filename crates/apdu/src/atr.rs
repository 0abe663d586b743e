//! Answer To Reset: the interface bytes (ISO/IEC 7816-3 §8.2) and the historical
//! bytes' card capabilities (ISO/IEC 7816-4 §8.1.1.2.7), which say whether the
//! card takes extended-length APDUs and command chaining.

use crate::error::{Error, ErrorKind};

/// Most bytes an ATR can have (ISO/IEC 7816-3 §8.2.1: TS + 32).
pub const MAX_LEN: usize = 33;

/// A parsed Answer To Reset, borrowing the raw bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atr<'a> {
    raw: &'a [u8],
    historical: &'a [u8],
    protocols: u16,
    has_tck: bool,
}

impl<'a> Atr<'a> {
    /// Parses `raw` (TS T0 interface bytes, historical bytes, TCK).
    ///
    /// Checks the structure and the TCK checksum (the XOR of T0..TCK is zero,
    /// ISO/IEC 7816-3 §8.2.5) when a protocol other than T=0 is indicated.
    pub fn parse(raw: &'a [u8]) -> Result<Self, Error> {
        if raw.len() > MAX_LEN {
            return Err(Error::new(ErrorKind::TrailingData, MAX_LEN));
        }
        match raw.first() {
            Some(0x3B | 0x3F) => {}
            Some(_) => return Err(Error::new(ErrorKind::InvalidValue, 0)),
            None => return Err(Error::new(ErrorKind::Truncated, 0)),
        }
        let t0 = *raw.get(1).ok_or(Error::new(ErrorKind::Truncated, 1))?;
        let historical_len = usize::from(t0 & 0x0F);
        let mut y = t0 >> 4;
        let mut pos = 2;
        let mut protocols = 0u16;
        let mut first_protocol_seen = false;
        loop {
            // TAi, TBi, TCi are skipped; TDi announces the next group.
            let skipped = (y & 0x7).count_ones() as usize;
            pos += skipped;
            if y & 0x8 == 0 {
                break;
            }
            let td = *raw.get(pos).ok_or(Error::new(ErrorKind::Truncated, pos))?;
            pos += 1;
            protocols |= 1 << (td & 0x0F);
            first_protocol_seen = true;
            y = td >> 4;
        }
        if !first_protocol_seen {
            protocols = 1; // T=0 implied when TD1 is absent
        }
        let historical_end = pos + historical_len;
        let historical = raw.get(pos..historical_end).ok_or(Error::new(ErrorKind::Truncated, raw.len()))?;
        let has_tck = protocols & !1 != 0;
        let end = historical_end + usize::from(has_tck);
        if raw.len() < end {
            return Err(Error::new(ErrorKind::Truncated, raw.len()));
        }
        if raw.len() > end {
            return Err(Error::new(ErrorKind::TrailingData, end));
        }
        if has_tck {
            let xor = raw.iter().skip(1).fold(0u8, |acc, b| acc ^ b);
            if xor != 0 {
                return Err(Error::new(ErrorKind::InvalidValue, end - 1));
            }
        }
        Ok(Self { raw, historical, protocols, has_tck })
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// The historical bytes (ISO/IEC 7816-4 §8.1.1).
    pub const fn historical_bytes(&self) -> &'a [u8] {
        self.historical
    }

    /// Whether the card offers protocol T=`t` (0..=15) in its interface bytes.
    pub const fn offers_protocol(&self, t: u8) -> bool {
        t < 16 && self.protocols & (1 << t) != 0
    }

    /// Whether the ATR ends with a TCK check byte (it does when a protocol other than T=0 is offered).
    pub const fn has_tck(&self) -> bool {
        self.has_tck
    }

    /// The card capabilities data object (compact-TLV tag `7`) of the historical
    /// bytes, when the category indicator is `00` or `80` and the object is present.
    pub fn card_capabilities(&self) -> Option<CardCapabilities> {
        let (&category, rest) = self.historical.split_first()?;
        let objects = match category {
            0x80 => rest,
            // Category 00: the last three bytes are the status indicator, not objects.
            0x00 => rest.get(..rest.len().checked_sub(3)?)?,
            _ => return None,
        };
        let mut remaining = objects;
        while let Some((&header, tail)) = remaining.split_first() {
            let len = usize::from(header & 0x0F);
            let value = tail.get(..len)?;
            if header >> 4 == 0x7 {
                return Some(CardCapabilities::from_bytes(value));
            }
            remaining = tail.get(len..)?;
        }
        None
    }
}

/// Card capabilities (ISO/IEC 7816-4 §8.1.1.2.7, Tables 118–120): the first
/// software function table (selection methods), the data coding byte and the
/// third table (chaining, extended length, logical channels). Absent bytes are zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CardCapabilities {
    /// First software function table: selection methods.
    pub selection_methods: u8,
    /// Second software function table: data coding byte.
    pub data_coding: u8,
    /// Third software function table: chaining, extended length, logical channels.
    pub third: u8,
}

impl CardCapabilities {
    /// From the 1–3 bytes of the compact-TLV object.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        Self { selection_methods: at(0), data_coding: at(1), third: at(2) }
    }

    /// Third table b8: command chaining supported.
    pub const fn command_chaining(&self) -> bool {
        self.third & 0x80 != 0
    }

    /// Third table b7: extended Lc and Le fields supported.
    pub const fn extended_length(&self) -> bool {
        self.third & 0x40 != 0
    }

    /// Third table b6: extended length information in EF.ATR/INFO.
    pub const fn extended_length_info_in_ef_atr(&self) -> bool {
        self.third & 0x20 != 0
    }

    /// Logical channels the card supports, counting the basic channel: `None`
    /// when b5 b4 say "no logical channel", else b3..b1 + 1 (`8` means "8 or more").
    pub const fn logical_channels(&self) -> Option<u8> {
        if self.third & 0x18 == 0 { None } else { Some((self.third & 0x07) + 1) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A T=0/T=1 ATR with card capabilities `F7 41 E0` (chaining, extended length);
    /// the working ATR given for vsmartcard-vpcd virtual cards.
    const VPCD_ATR: [u8; 15] =
        [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];

    #[test]
    fn parses_interface_and_historical_bytes() {
        let atr = Atr::parse(&VPCD_ATR).unwrap();
        assert!(atr.offers_protocol(0) && atr.offers_protocol(1) && !atr.offers_protocol(2));
        assert!(atr.has_tck());
        assert_eq!(atr.historical_bytes(), &VPCD_ATR[4..14]);
        let caps = atr.card_capabilities().unwrap();
        assert_eq!(caps, CardCapabilities { selection_methods: 0xF7, data_coding: 0x41, third: 0xE0 });
        assert!(caps.command_chaining() && caps.extended_length() && caps.extended_length_info_in_ef_atr());
        assert_eq!(caps.logical_channels(), None);
    }

    #[test]
    fn rejects_bad_checksum_and_lengths() {
        let mut bad = VPCD_ATR;
        bad[14] ^= 1;
        assert_eq!(Atr::parse(&bad), Err(Error::new(ErrorKind::InvalidValue, 14)));
        assert_eq!(Atr::parse(&VPCD_ATR[..13]), Err(Error::new(ErrorKind::Truncated, 13)));
        assert_eq!(Atr::parse(&[]), Err(Error::new(ErrorKind::Truncated, 0)));
        assert_eq!(Atr::parse(&[0x3C, 0x00]), Err(Error::new(ErrorKind::InvalidValue, 0)));
        let mut long = VPCD_ATR.to_vec();
        long.push(0);
        assert_eq!(Atr::parse(&long), Err(Error::new(ErrorKind::TrailingData, 15)));
    }

    /// YubiKey 5 NFC, as `pcsc_scan` shows it (public ATR lists): historical bytes
    /// `80 | 73 C0 21 C0 | 57 "YubiKey"`.
    #[test]
    fn yubikey_5_nfc() {
        let raw = [
            0x3B, 0x8D, 0x80, 0x01, 0x80, 0x73, 0xC0, 0x21, 0xC0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4B, 0x65,
            0x79, 0xF9,
        ];
        let atr = Atr::parse(&raw).unwrap();
        assert!(atr.offers_protocol(0) && atr.offers_protocol(1));
        assert_eq!(atr.historical_bytes().len(), 13);
        let caps = atr.card_capabilities().unwrap();
        assert_eq!(caps.third, 0xC0);
        assert!(caps.command_chaining() && caps.extended_length() && !caps.extended_length_info_in_ef_atr());
    }

    /// sysmoISIM-SJA2 (pySim's `SysmocomSJA2` card model): TA1 = 96, T=0 and T=15
    /// (TA3 = 87), card capabilities `FE 21 1B`: no chaining, no extended length,
    /// 4 logical channels.
    #[test]
    fn sysmo_isim_sja2() {
        let raw = [
            0x3B, 0x9F, 0x96, 0x80, 0x1F, 0x87, 0x80, 0x31, 0xE0, 0x73, 0xFE, 0x21, 0x1B, 0x67, 0x4A, 0x4C,
            0x75, 0x30, 0x34, 0x05, 0x4B, 0xA9,
        ];
        let atr = Atr::parse(&raw).unwrap();
        assert!(atr.offers_protocol(0) && atr.offers_protocol(15) && !atr.offers_protocol(1));
        assert!(atr.has_tck());
        let caps = atr.card_capabilities().unwrap();
        assert_eq!(caps, CardCapabilities { selection_methods: 0xFE, data_coding: 0x21, third: 0x1B });
        assert!(!caps.command_chaining() && !caps.extended_length());
        assert_eq!(caps.logical_channels(), Some(4));
    }

    #[test]
    fn t0_only_atr_has_no_tck() {
        // TS=3B, T0=02 (no interface bytes, two historical bytes): T=0 implied.
        let atr = Atr::parse(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
        assert!(atr.offers_protocol(0) && !atr.has_tck());
        assert_eq!(atr.card_capabilities(), None);
    }
}
