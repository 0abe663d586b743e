//! The kinds of ProfileElement: the alternatives of the `ProfileElement` CHOICE of
//! `PE_Definitions-3.3.1` (SAIP v3.3.1 §8.1), each with its context tag number.

use super::module::elements::PROFILE_ELEMENT;
use super::schema::Ty;

/// A ProfileElement alternative (SAIP v3.3.1 §8.1); the discriminant is its tag number (`header`
/// `[0]` = `A0`, `end` `[10]` = `AA`, `mf` `[16]` = `B0`, `df-5gprose` `[31]` = `BF1F`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PeKind {
    /// `header` (ProfileHeader, §8.2).
    Header = 0,
    /// `genericFileManagement` (§8.3.5).
    GenericFileManagement = 1,
    /// `pinCodes` (§8.5.1).
    PinCodes = 2,
    /// `pukCodes` (§8.5.2).
    PukCodes = 3,
    /// `akaParameter` (§8.6.1).
    AkaParameter = 4,
    /// `cdmaParameter` (§8.6.2).
    CdmaParameter = 5,
    /// `securityDomain` (§8.6).
    SecurityDomain = 6,
    /// `rfm` (§8.8).
    Rfm = 7,
    /// `application` (§8.7).
    Application = 8,
    /// `nonStandard` (§8.9).
    NonStandard = 9,
    /// `end` (§8.10).
    End = 10,
    /// `rfu1` (reserved, `PE-Dummy`).
    Rfu1 = 11,
    /// `rfu2` (reserved, `PE-Dummy`).
    Rfu2 = 12,
    /// `rfu3` (reserved, `PE-Dummy`).
    Rfu3 = 13,
    /// `rfu4` (reserved, `PE-Dummy`).
    Rfu4 = 14,
    /// `rfu5` (reserved, `PE-Dummy`).
    Rfu5 = 15,
    /// `mf`: the MF with EF.ICCID, EF.DIR, EF.ARR (§8.3, template `id-MF`).
    Mf = 16,
    /// `cd`.
    Cd = 17,
    /// `telecom` (DF.TELECOM).
    Telecom = 18,
    /// `usim` (ADF.USIM with EF.IMSI).
    Usim = 19,
    /// `opt-usim`.
    OptUsim = 20,
    /// `isim`.
    Isim = 21,
    /// `opt-isim`.
    OptIsim = 22,
    /// `phonebook`.
    Phonebook = 23,
    /// `gsm-access`.
    GsmAccess = 24,
    /// `csim`.
    Csim = 25,
    /// `opt-csim`.
    OptCsim = 26,
    /// `eap`.
    Eap = 27,
    /// `df-5gs`.
    Df5gs = 28,
    /// `df-saip`.
    DfSaip = 29,
    /// `df-snpn`.
    DfSnpn = 30,
    /// `df-5gprose`.
    Df5gprose = 31,
    /// `iot` (IoT minimal profile, §7.5).
    Iot = 32,
    /// `opt-iot`.
    OptIot = 33,
}

impl PeKind {
    /// Every kind, in tag order.
    pub const ALL: [PeKind; 34] = [
        PeKind::Header,
        PeKind::GenericFileManagement,
        PeKind::PinCodes,
        PeKind::PukCodes,
        PeKind::AkaParameter,
        PeKind::CdmaParameter,
        PeKind::SecurityDomain,
        PeKind::Rfm,
        PeKind::Application,
        PeKind::NonStandard,
        PeKind::End,
        PeKind::Rfu1,
        PeKind::Rfu2,
        PeKind::Rfu3,
        PeKind::Rfu4,
        PeKind::Rfu5,
        PeKind::Mf,
        PeKind::Cd,
        PeKind::Telecom,
        PeKind::Usim,
        PeKind::OptUsim,
        PeKind::Isim,
        PeKind::OptIsim,
        PeKind::Phonebook,
        PeKind::GsmAccess,
        PeKind::Csim,
        PeKind::OptCsim,
        PeKind::Eap,
        PeKind::Df5gs,
        PeKind::DfSaip,
        PeKind::DfSnpn,
        PeKind::Df5gprose,
        PeKind::Iot,
        PeKind::OptIot,
    ];

    /// The kind whose context tag number is `number`.
    pub fn from_tag_number(number: u32) -> Option<PeKind> {
        usize::try_from(number).ok().and_then(|n| PeKind::ALL.get(n)).copied()
    }

    /// The context tag number (`[n]`, constructed).
    pub fn tag_number(self) -> u32 {
        self as u32
    }

    /// The ASN.1 identifier of the alternative (`header`, `pinCodes`, `opt-usim`, …).
    pub fn name(self) -> &'static str {
        self.alternative().map_or("?", |f| f.name)
    }

    /// The type of the alternative.
    pub(crate) fn ty(self) -> Option<&'static Ty> {
        self.alternative().map(|f| f.ty)
    }

    fn alternative(self) -> Option<&'static super::schema::Field> {
        match &PROFILE_ELEMENT {
            Ty::Choice { alts, .. } => alts.get(self as usize),
            _ => None,
        }
    }
}

impl core::fmt::Display for PeKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
