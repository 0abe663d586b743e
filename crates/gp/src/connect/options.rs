//! [`ConnectOptions`]: what [`connect`](super::connect) may choose and what the caller fixed.

use oxicard_apdu::Aid;
use oxicard_secure_channel::scp03::SecurityLevel;

use crate::keys::Diversification;

/// How the issuer security domain is selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IsdSelection {
    /// The first of [`KNOWN_ISD_AIDS`](crate::KNOWN_ISD_AIDS) the card accepts. The default.
    #[default]
    Known,
    /// This AID.
    Aid(Aid),
    /// SELECT without an AID, which selects the ISD (GPC v2.3.1 §11.9.2.3); its AID is read
    /// from the FCI.
    Default,
}

/// A secure channel protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// SCP02 (GPC v2.3.1 Appendix E): 3DES keys.
    Scp02,
    /// SCP03 (GPC Amendment D): AES keys.
    Scp03,
}

impl Protocol {
    /// The protocol number of the Card Recognition Data OID 1.2.840.114283.4.{scp} and of the
    /// INITIALIZE UPDATE response (`02`, `03`).
    pub const fn number(self) -> u8 {
        match self {
            Self::Scp02 => 0x02,
            Self::Scp03 => 0x03,
        }
    }

    /// The protocol of `number`, if it is one of these.
    pub const fn from_number(number: u32) -> Option<Self> {
        match number {
            2 => Some(Self::Scp02),
            3 => Some(Self::Scp03),
            _ => None,
        }
    }
}

impl core::fmt::Display for Protocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Scp02 => "SCP02",
            Self::Scp03 => "SCP03",
        })
    }
}

/// What [`connect`](super::connect) does; the default selects a known ISD, chooses the
/// protocol from the card and the highest security level the card allows, with the keys as
/// given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Which ISD.
    pub isd: IsdSelection,
    /// The protocol; `None`: the one the card publishes (Card Recognition Data, else the type
    /// of its keys; SCP03 when it publishes neither).
    pub protocol: Option<Protocol>,
    /// The security level (GPC v2.3.1 Table 10-1 / Amendment D Table 5-1 coding, the same
    /// byte for both protocols); `None`: the highest the card's "i" allows among C-MAC +
    /// C-DECRYPTION (`03`), + R-MAC (`13`), + R-ENCRYPTION (`33`, SCP03 only).
    pub level: Option<SecurityLevel>,
    /// Derive the card's static keys from the given (master) keys and the key diversification
    /// data of the card's INITIALIZE UPDATE response.
    pub diversification: Option<Diversification>,
}

impl ConnectOptions {
    /// The defaults (see the type).
    pub fn new() -> Self {
        Self::default()
    }

    /// The same options with `isd`.
    #[must_use]
    pub fn with_isd(mut self, isd: IsdSelection) -> Self {
        self.isd = isd;
        self
    }

    /// The same options with `protocol` fixed.
    #[must_use]
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// The same options with `level` fixed.
    #[must_use]
    pub fn with_level(mut self, level: SecurityLevel) -> Self {
        self.level = Some(level);
        self
    }

    /// The same options with keys diversified by `scheme`.
    #[must_use]
    pub fn with_diversification(mut self, scheme: Diversification) -> Self {
        self.diversification = Some(scheme);
        self
    }
}
