//! The SCP02 "i" parameter (GP Card Spec v2.3.1 §E.1.1 Table E-1) and the security
//! level (§E.5.2.3 Table E-11).

use crate::error::{Error, ErrorKind, Result};

/// How a session starts (GPC v2.3.1 §E.1.2): explicitly with INITIALIZE UPDATE and
/// EXTERNAL AUTHENTICATE, or implicitly with the first command that carries a C-MAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Initiation {
    /// INITIALIZE UPDATE + EXTERNAL AUTHENTICATE ("i" b3 set).
    Explicit,
    /// The first C-MAC authenticates the host; the ICV is a MAC over the AID ("i" b3 clear).
    Implicit,
}

/// The SCP02 "i" parameter: the options a card implements (GPC v2.3.1 §E.1.1 Table E-1).
///
/// | bit | mask | set | clear |
/// |---|---|---|---|
/// | b1 | `01` | 3 Secure Channel keys (ENC, MAC, DEK) | 1 base key |
/// | b2 | `02` | C-MAC on the unmodified APDU | C-MAC on the modified APDU |
/// | b3 | `04` | explicit initiation | implicit initiation |
/// | b4 | `08` | ICV = MAC over the AID | ICV = zero |
/// | b5 | `10` | ICV encryption for C-MAC | no ICV encryption |
/// | b6 | `20` | R-MAC supported | no R-MAC |
/// | b7 | `40` | well-known pseudo-random card challenge | unspecified challenge |
///
/// b8 is reserved (it would break the encoding of "i" as an OID sub-identifier,
/// Appendix H Table H-1 note 4) and rejected. Unlike SCP03, the INITIALIZE UPDATE response
/// does not carry "i": the host learns it from the Card Recognition Data
/// ([`IParameter::from_scp_oid`]) or from its configuration.
///
/// b1 changes nothing in the computation: a card with one base key derives every session
/// key from it, which [`StaticKeys::from_base_key`](super::StaticKeys::from_base_key)
/// models as three equal keys. b4 follows from b3 for every option the specifications
/// name (explicit: ICV zero; implicit: ICV over the AID, §E.3.2/§E.3.3); this crate takes
/// the ICV from the initiation mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IParameter(u8);

impl IParameter {
    /// `04`: explicit, C-MAC on the modified APDU, ICV zero, no ICV encryption, 1 base key
    /// (GP Card Spec v2.1.1 §E.1.1).
    pub const I04: Self = Self(0x04);
    /// `05`: `04` with 3 keys (GPC v2.1.1 §E.1.1).
    pub const I05: Self = Self(0x05);
    /// `0A`: implicit, C-MAC on the unmodified APDU, ICV = MAC over the AID, 1 base key
    /// (GPC v2.1.1 §E.1.1).
    pub const I0A: Self = Self(0x0A);
    /// `0B`: `0A` with 3 keys (GPC v2.1.1 §E.1.1).
    pub const I0B: Self = Self(0x0B);
    /// `14`: `04` with ICV encryption (GPC v2.1.1 §E.1.1).
    pub const I14: Self = Self(0x14);
    /// `15`: explicit, modified APDU, ICV zero, ICV encryption, 3 keys — the usual value
    /// (GPC v2.3.1 §E.1.1: a card supports at least one of `15`, `1A`, `55`).
    pub const I15: Self = Self(0x15);
    /// `1A`: implicit, unmodified APDU, ICV = MAC over the AID, ICV encryption, 1 base key
    /// (GPC v2.3.1 §E.1.1).
    pub const I1A: Self = Self(0x1A);
    /// `1B`: `1A` with 3 keys (GPC v2.1.1 §E.1.1).
    pub const I1B: Self = Self(0x1B);
    /// `44`: `04` with the pseudo-random card challenge (kaoh/globalplatform `security.h`).
    pub const I44: Self = Self(0x44);
    /// `45`: `05` with the pseudo-random card challenge (kaoh/globalplatform `security.h`).
    pub const I45: Self = Self(0x45);
    /// `54`: `14` with the pseudo-random card challenge (kaoh/globalplatform `security.h`).
    pub const I54: Self = Self(0x54);
    /// `55`: `15` with the pseudo-random card challenge (GPC v2.3.1 §E.1.1).
    pub const I55: Self = Self(0x55);

    /// Validates an "i" byte: [`ErrorKind::InvalidValue`] when the reserved b8 is set.
    pub const fn from_byte(i: u8) -> Result<Self> {
        if i & 0x80 != 0 {
            return Err(Error::of(ErrorKind::InvalidValue));
        }
        Ok(Self(i))
    }

    /// "i" from the value of the SCP OID `{globalPlatform 4 2 i}` =
    /// `2A 86 48 86 FC 6B 04 02 i` (Card Recognition Data, tag `64`, GPC v2.3.1 Appendix H
    /// Table H-1), given as the content of the OID (tag `06` and length removed).
    /// [`ErrorKind::WrongScpIdentifier`] for another protocol, [`ErrorKind::InvalidValue`]
    /// for a malformed OID.
    pub fn from_scp_oid(oid: &[u8]) -> Result<Self> {
        const PREFIX: [u8; 7] = [0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x04];
        match oid {
            [p @ .., 0x02, i] if *p == PREFIX => Self::from_byte(*i),
            [p @ .., _, _] if *p == PREFIX => Err(ErrorKind::WrongScpIdentifier.into()),
            _ => Err(ErrorKind::InvalidValue.into()),
        }
    }

    /// The byte.
    pub const fn byte(self) -> u8 {
        self.0
    }

    /// b1: three static keys (ENC, MAC, DEK) rather than one base key.
    pub const fn three_keys(self) -> bool {
        self.0 & 0x01 != 0
    }

    /// b2: the C-MAC is computed over the unmodified APDU (CLA and Lc as sent by the
    /// application; §E.4.4 Figure E-3) rather than the modified one (Figure E-4).
    pub const fn mac_on_unmodified_apdu(self) -> bool {
        self.0 & 0x02 != 0
    }

    /// b3: explicit or implicit initiation.
    pub const fn initiation(self) -> Initiation {
        if self.0 & 0x04 != 0 { Initiation::Explicit } else { Initiation::Implicit }
    }

    /// b5: the ICV is encrypted (single DES with the first half of the C-MAC session key)
    /// before every C-MAC but the first of a session (§E.3.4).
    pub const fn icv_encryption(self) -> bool {
        self.0 & 0x10 != 0
    }

    /// b6: R-MAC is supported.
    pub const fn r_mac(self) -> bool {
        self.0 & 0x20 != 0
    }

    /// b7: the card challenge is the well-known pseudo-random one (§E.4.2.3).
    pub const fn pseudo_random_challenge(self) -> bool {
        self.0 & 0x40 != 0
    }

    /// Whether the card accepts `level` in EXTERNAL AUTHENTICATE: R-MAC only where "i"
    /// offers it. (Command encryption needs explicit initiation, which EXTERNAL
    /// AUTHENTICATE implies.)
    pub const fn allows(self, level: SecurityLevel) -> bool {
        !level.r_mac() || self.r_mac()
    }
}

/// An SCP02 security level: P1 of EXTERNAL AUTHENTICATE (GPC v2.3.1 §E.5.2.3 Table E-11;
/// bit masks `01` C-MAC, `02` C-DECRYPTION, `10` R-MAC). SCP02 has no R-ENCRYPTION:
/// `30`, `31` and `33` are RFU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SecurityLevel(u8);

impl SecurityLevel {
    /// `00`: authenticated, no secure messaging.
    pub const NONE: Self = Self(0x00);
    /// `01`: C-MAC.
    pub const C_MAC: Self = Self(0x01);
    /// `03`: C-DECRYPTION and C-MAC.
    pub const C_DEC_C_MAC: Self = Self(0x03);
    /// `10`: R-MAC (commands without C-MAC).
    pub const R_MAC: Self = Self(0x10);
    /// `11`: C-MAC and R-MAC.
    pub const C_MAC_R_MAC: Self = Self(0x11);
    /// `13`: C-DECRYPTION, C-MAC and R-MAC.
    pub const C_DEC_C_MAC_R_MAC: Self = Self(0x13);

    /// Every defined level.
    pub const ALL: [Self; 6] =
        [Self::NONE, Self::C_MAC, Self::C_DEC_C_MAC, Self::R_MAC, Self::C_MAC_R_MAC, Self::C_DEC_C_MAC_R_MAC];

    /// Validates a level byte ([`ErrorKind::InvalidValue`] unless one of `00`, `01`, `03`,
    /// `10`, `11`, `13`).
    pub const fn from_byte(level: u8) -> Result<Self> {
        match level {
            0x00 | 0x01 | 0x03 | 0x10 | 0x11 | 0x13 => Ok(Self(level)),
            _ => Err(Error::of(ErrorKind::InvalidValue)),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i_bits() {
        let i = IParameter::I15;
        assert!(i.three_keys() && !i.mac_on_unmodified_apdu() && i.icv_encryption());
        assert_eq!(i.initiation(), Initiation::Explicit);
        assert!(!i.r_mac() && !i.pseudo_random_challenge());
        let i = IParameter::I1A;
        assert!(!i.three_keys() && i.mac_on_unmodified_apdu() && i.icv_encryption());
        assert_eq!(i.initiation(), Initiation::Implicit);
        assert!(IParameter::I55.pseudo_random_challenge());
        assert_eq!(IParameter::from_byte(0x95).unwrap_err().kind, ErrorKind::InvalidValue);
        assert!(!IParameter::I15.allows(SecurityLevel::C_MAC_R_MAC));
        assert!(IParameter::from_byte(0x35).unwrap().allows(SecurityLevel::C_DEC_C_MAC_R_MAC));
    }

    // osmocom/pysim pySim/global_platform/__init__.py: Card Recognition Data sample
    // `64 0B 06 09 2A864886FC6B040215` (SCP02, i = 15).
    #[test]
    fn i_from_card_recognition_oid() {
        let oid = hex::decode("2A864886FC6B040215").unwrap();
        assert_eq!(IParameter::from_scp_oid(&oid).unwrap(), IParameter::I15);
        let scp03 = hex::decode("2A864886FC6B040370").unwrap();
        assert_eq!(IParameter::from_scp_oid(&scp03).unwrap_err().kind, ErrorKind::WrongScpIdentifier);
        assert_eq!(IParameter::from_scp_oid(&[0x2A]).unwrap_err().kind, ErrorKind::InvalidValue);
    }

    #[test]
    fn levels() {
        for byte in 0..=255u8 {
            let valid = [0x00, 0x01, 0x03, 0x10, 0x11, 0x13].contains(&byte);
            assert_eq!(SecurityLevel::from_byte(byte).is_ok(), valid, "{byte:02x}");
        }
        assert!(SecurityLevel::R_MAC.r_mac() && !SecurityLevel::R_MAC.c_mac());
    }
}
