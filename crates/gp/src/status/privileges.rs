//! Privileges (GPC v2.3.1 §11.1.2, Tables 11-7 to 11-9): three bytes, one bit each.

use core::fmt;

/// A set of privileges, kept as the 3 bytes of GPC v2.3.1 Table 11-7 (byte 1 in bits 23..16).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Privileges(u32);

/// Defines the named privilege bits and their names, in table order.
macro_rules! privileges {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $text:literal;)*) => {
        impl Privileges {
            $($(#[$doc])* pub const $name: Self = Self($bit);)*

            /// Every named privilege with its name, in GPC v2.3.1 Table 11-7 order.
            pub const NAMED: &'static [(Self, &'static str)] = &[$((Self::$name, $text)),*];
        }
    };
}

privileges! {
    /// Byte 1 b8: Security Domain.
    SECURITY_DOMAIN = 0x80_0000, "SecurityDomain";
    /// Byte 1 b7: DAP Verification (with Security Domain).
    DAP_VERIFICATION = 0x40_0000, "DAPVerification";
    /// Byte 1 b6: Delegated Management.
    DELEGATED_MANAGEMENT = 0x20_0000, "DelegatedManagement";
    /// Byte 1 b5: Card Lock.
    CARD_LOCK = 0x10_0000, "CardLock";
    /// Byte 1 b4: Card Terminate.
    CARD_TERMINATE = 0x08_0000, "CardTerminate";
    /// Byte 1 b3: Card Reset (Default Selected in GP 2.1.1).
    CARD_RESET = 0x04_0000, "CardReset";
    /// Byte 1 b2: CVM Management.
    CVM_MANAGEMENT = 0x02_0000, "CVMManagement";
    /// Byte 1 b1: Mandated DAP Verification (with Security Domain and DAP Verification).
    MANDATED_DAP_VERIFICATION = 0x01_0000, "MandatedDAPVerification";
    /// Byte 2 b8: Trusted Path.
    TRUSTED_PATH = 0x00_8000, "TrustedPath";
    /// Byte 2 b7: Authorized Management.
    AUTHORIZED_MANAGEMENT = 0x00_4000, "AuthorizedManagement";
    /// Byte 2 b6: Token Verification.
    TOKEN_VERIFICATION = 0x00_2000, "TokenVerification";
    /// Byte 2 b5: Global Delete.
    GLOBAL_DELETE = 0x00_1000, "GlobalDelete";
    /// Byte 2 b4: Global Lock.
    GLOBAL_LOCK = 0x00_0800, "GlobalLock";
    /// Byte 2 b3: Global Registry.
    GLOBAL_REGISTRY = 0x00_0400, "GlobalRegistry";
    /// Byte 2 b2: Final Application.
    FINAL_APPLICATION = 0x00_0200, "FinalApplication";
    /// Byte 2 b1: Global Service.
    GLOBAL_SERVICE = 0x00_0100, "GlobalService";
    /// Byte 3 b8: Receipt Generation.
    RECEIPT_GENERATION = 0x00_0080, "ReceiptGeneration";
    /// Byte 3 b7: Ciphered Load File Data Block.
    CIPHERED_LOAD_FILE_DATA_BLOCK = 0x00_0040, "CipheredLoadFileDataBlock";
    /// Byte 3 b6: Contactless Activation.
    CONTACTLESS_ACTIVATION = 0x00_0020, "ContactlessActivation";
    /// Byte 3 b5: Contactless Self-Activation.
    CONTACTLESS_SELF_ACTIVATION = 0x00_0010, "ContactlessSelfActivation";
}

impl Privileges {
    /// No privilege.
    pub const NONE: Self = Self(0);

    /// From the 3 bytes of Table 11-7.
    pub const fn from_bytes(bytes: [u8; 3]) -> Self {
        let [a, b, c] = bytes;
        Self((a as u32) << 16 | (b as u32) << 8 | c as u32)
    }

    /// From 1 byte (the legacy GET STATUS format and GP 2.1.1 cards: byte 1 only) or 3 bytes;
    /// `None` for other lengths.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        match *bytes {
            [a] => Some(Self::from_bytes([a, 0, 0])),
            [a, b, c] => Some(Self::from_bytes([a, b, c])),
            _ => None,
        }
    }

    /// The 3 bytes of Table 11-7.
    pub const fn to_bytes(self) -> [u8; 3] {
        let [_, a, b, c] = self.0.to_be_bytes();
        [a, b, c]
    }

    /// Whether every privilege of `other` is in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of both sets.
    #[must_use]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The names of the privileges present, in table order (RFU bits are not named).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMED.iter().filter(move |(p, _)| self.contains(*p)).map(|(_, n)| *n)
    }
}

impl fmt::Debug for Privileges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.to_bytes();
        write!(f, "Privileges({a:02X}{b:02X}{c:02X}")?;
        for name in self.names() {
            write!(f, " {name}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gppro_vectors() {
        // GlobalPlatformPro TestParseTags.testPrivileges: 80C000 is exactly these three.
        let p = Privileges::from_bytes([0x80, 0xC0, 0x00]);
        assert_eq!(p.names().collect::<Vec<_>>(), ["SecurityDomain", "TrustedPath", "AuthorizedManagement"]);
        assert_eq!(p.to_bytes(), [0x80, 0xC0, 0x00]);
        // 9EFE80 holds 13 privileges.
        let p = Privileges::from_bytes([0x9E, 0xFE, 0x80]);
        assert_eq!(p.names().count(), 13);
        assert!(p.contains(Privileges::RECEIPT_GENERATION.with(Privileges::CARD_LOCK)));
        assert!(!p.contains(Privileges::DAP_VERIFICATION));
    }

    #[test]
    fn every_bit_named_once() {
        let all = Privileges::NAMED.iter().fold(Privileges::NONE, |acc, (p, _)| acc.with(*p));
        assert_eq!(all.to_bytes(), [0xFF, 0xFF, 0xF0]);
        assert_eq!(Privileges::NAMED.len(), 20);
        assert_eq!(Privileges::from_slice(&[0x80]), Some(Privileges::SECURITY_DOMAIN));
        assert_eq!(Privileges::from_slice(&[0x80, 0]), None);
        assert_eq!(format!("{:?}", Privileges::SECURITY_DOMAIN), "Privileges(800000 SecurityDomain)");
    }
}
