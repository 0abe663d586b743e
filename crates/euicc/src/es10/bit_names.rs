//! The ASN.1 names of the named bits of the BIT STRINGs in EUICCInfo2 (SGP.22 §5.7.8), by bit
//! position, for display and for lpac-style JSON; see [`BitFlags::names`].

use std::borrow::Cow;

use super::BitFlags;

/// `UICCCapability` (SGP.22 ASN.1 module, bits 0–18; bits 19–31 as in SIMalliance / TCA eUICC
/// Profile Package PE definitions v3.3.1 `UICCCapability`, which SGP.22 v3 takes over).
pub const UICC_CAPABILITY: &[&str] = &[
    "contactlessSupport",
    "usimSupport",
    "isimSupport",
    "csimSupport",
    "akaMilenage",
    "akaCave",
    "akaTuak128",
    "akaTuak256",
    "rfu1",
    "rfu2",
    "gbaAuthenUsim",
    "gbaAuthenISim",
    "mbmsAuthenUsim",
    "eapClient",
    "javacard",
    "multos",
    "multipleUsimSupport",
    "multipleIsimSupport",
    "multipleCsimSupport",
    "berTlvFileSupport",
    "dfLinkSupport",
    "catTp",
    "getIdentity",
    "profile-a-x25519",
    "profile-b-p256",
    "suciCalculatorApi",
    "dns-resolution",
    "scp11ac",
    "scp11c-authorization-mechanism",
    "s16mode",
    "eaka",
    "iotminimal",
];

/// `RspCapability` (SGP.22 §5.7.8; bits 4 and 5 since v2.2.2).
pub const RSP_CAPABILITY: &[&str] = &[
    "additionalProfile",
    "crlSupport",
    "rpmSupport",
    "testProfileSupport",
    "deviceInfoExtensibilitySupport",
    "serviceSpecificDataSupport",
];

/// `PprIds` (SGP.22 §2.9.2.1, the `forbiddenProfilePolicyRules` of EUICCInfo2 and a profile's
/// `profilePolicyRules`).
pub const PPR_IDS: &[&str] = &["pprUpdateControl", "ppr1", "ppr2", "ppr3"];

impl BitFlags {
    /// The set bits by name from `table` (one of this module's tables), ascending; a bit the
    /// table does not name is `bitN`.
    pub fn names<'a>(&'a self, table: &'a [&'static str]) -> impl Iterator<Item = Cow<'static, str>> + 'a {
        self.iter().map(move |bit| match table.get(bit) {
            Some(name) => Cow::Borrowed(*name),
            None => Cow::Owned(format!("bit{bit}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_position() {
        // The BIT STRING value `03 02 05 20`... here as positions: usimSupport(1), isimSupport(2).
        let flags = BitFlags::from_bits([1, 2, 29, 40]);
        let names: Vec<_> = flags.names(UICC_CAPABILITY).collect();
        assert_eq!(names, ["usimSupport", "isimSupport", "s16mode", "bit40"]);
        assert_eq!(UICC_CAPABILITY.len(), 32);
        let rsp: Vec<_> = BitFlags::from_bits([0, 3]).names(RSP_CAPABILITY).collect();
        assert_eq!(rsp, ["additionalProfile", "testProfileSupport"]);
        let ppr: Vec<_> = BitFlags::from_bits([1]).names(PPR_IDS).collect();
        assert_eq!(ppr, ["ppr1"]);
    }
}
