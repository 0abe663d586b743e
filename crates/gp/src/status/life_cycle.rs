//! Life cycle states (GPC v2.3.1 §11.1.1, Tables 11-2 to 11-6), decoded per registry entry kind.

use super::Kind;

/// A decoded life cycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LifeCycle {
    /// Card `01` OP_READY (Table 11-2).
    OpReady,
    /// Card `07` INITIALIZED.
    Initialized,
    /// Card `0F` SECURED.
    Secured,
    /// Card `7F` CARD_LOCKED.
    CardLocked,
    /// Card `FF` TERMINATED.
    Terminated,
    /// Executable load file `01` LOADED (Table 11-3).
    Loaded,
    /// Application / security domain `03` INSTALLED (Tables 11-4, 11-5).
    Installed,
    /// Application / security domain `07` SELECTABLE.
    Selectable,
    /// Security domain `0F` PERSONALIZED (Table 11-5).
    Personalized,
    /// Application-specific state (`0xxx x111`, bits b4..b7 given here) of a selectable application.
    ApplicationSpecific(u8),
    /// Application / security domain LOCKED (b8 set over the previous state, `83`, `87`, `8F`, …).
    Locked,
    /// A value the tables do not define for this kind.
    Unknown(u8),
}

impl LifeCycle {
    /// Decodes `byte` as the life cycle of an entry of `kind`; `security_domain` tells an
    /// application from a security domain in the [`Kind::Applications`] scope.
    pub const fn decode(kind: Kind, security_domain: bool, byte: u8) -> Self {
        match kind {
            Kind::IssuerSecurityDomain => match byte {
                0x01 => Self::OpReady,
                0x07 => Self::Initialized,
                0x0F => Self::Secured,
                0x7F => Self::CardLocked,
                0xFF => Self::Terminated,
                _ => Self::Unknown(byte),
            },
            Kind::LoadFiles | Kind::LoadFilesAndModules => match byte {
                0x01 => Self::Loaded,
                _ => Self::Unknown(byte),
            },
            Kind::Applications => {
                if byte & 0x83 == 0x83 {
                    Self::Locked
                } else if byte == 0x03 {
                    Self::Installed
                } else if byte == 0x07 {
                    Self::Selectable
                } else if security_domain && byte == 0x0F {
                    Self::Personalized
                } else if !security_domain && byte & 0x87 == 0x07 {
                    Self::ApplicationSpecific((byte >> 3) & 0x0F)
                } else {
                    Self::Unknown(byte)
                }
            }
        }
    }

    /// The state's name in GPC v2.3.1 Tables 11-2 to 11-5 (`SECURED`, `SELECTABLE`, …);
    /// `APPLICATION_SPECIFIC` and `UNKNOWN` for the other values.
    pub const fn name(self) -> &'static str {
        match self {
            Self::OpReady => "OP_READY",
            Self::Initialized => "INITIALIZED",
            Self::Secured => "SECURED",
            Self::CardLocked => "CARD_LOCKED",
            Self::Terminated => "TERMINATED",
            Self::Loaded => "LOADED",
            Self::Installed => "INSTALLED",
            Self::Selectable => "SELECTABLE",
            Self::Personalized => "PERSONALIZED",
            Self::ApplicationSpecific(_) => "APPLICATION_SPECIFIC",
            Self::Locked => "LOCKED",
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_kind() {
        use LifeCycle as L;
        let isd = |b| LifeCycle::decode(Kind::IssuerSecurityDomain, true, b);
        assert_eq!(
            [isd(0x01), isd(0x07), isd(0x0F), isd(0x7F), isd(0xFF)],
            [L::OpReady, L::Initialized, L::Secured, L::CardLocked, L::Terminated]
        );
        assert_eq!(isd(0x03), L::Unknown(0x03));
        assert_eq!(LifeCycle::decode(Kind::LoadFiles, false, 0x01), L::Loaded);
        let app = |b| LifeCycle::decode(Kind::Applications, false, b);
        assert_eq!(
            [app(0x03), app(0x07), app(0x83), app(0x87), app(0x0F)],
            [L::Installed, L::Selectable, L::Locked, L::Locked, L::ApplicationSpecific(1)]
        );
        let sd = |b| LifeCycle::decode(Kind::Applications, true, b);
        assert_eq!([sd(0x0F), sd(0x8F), sd(0x17)], [L::Personalized, L::Locked, L::Unknown(0x17)]);
        assert_eq!(
            [isd(0x7F).name(), app(0x87).name(), sd(0x0F).name()],
            ["CARD_LOCKED", "LOCKED", "PERSONALIZED"]
        );
    }
}
