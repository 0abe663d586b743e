//! GetEUICCInfo (SGP.22 §5.7.8): `EUICCInfo1` (`BF20`) and `EUICCInfo2` (`BF22`).
//!
//! Fields of the v2 module (`rsp.asn`) plus the v3 additions (SGP.22 v3.0 §5.7.8 / RSPDefinitions
//! version-three: `treProperties` `8D`, `treProductReference` `8E`, `additionalProfilePackageVersions`
//! `AF`, `lpaMode` `90`, `euiccCiPKIdListForSigningV3` `B1`, `additionalEuiccInfo` `92`,
//! `highestSvn` `93`; in EUICCInfo1 also `euiccRspCapability` `88`).

use der::Tag;

use crate::asn1::{DecodeError, Encoder, Field, Fields, ctx, ctx_c};
use crate::es10::{BitFlags, Message, Version};

empty_request! {
    /// `GetEuiccInfo1Request ::= [32] SEQUENCE {}` (`BF20 00`, SGP.22 §5.7.8).
    GetEuiccInfo1Request, 32, "GetEuiccInfo1Request", EuiccInfo1
}

empty_request! {
    /// `GetEuiccInfo2Request ::= [34] SEQUENCE {}` (`BF22 00`, SGP.22 §5.7.8).
    GetEuiccInfo2Request, 34, "GetEuiccInfo2Request", EuiccInfo2
}

/// A `SEQUENCE OF SubjectKeyIdentifier` (CI public key identifiers, RFC 5280 §4.2.1.2): the
/// 20-byte key ids, in order.
fn decode_pkids(field: &Field<'_>) -> Result<Vec<Vec<u8>>, DecodeError> {
    field
        .fields("SubjectKeyIdentifier list")?
        .iter()
        .filter(|f| f.tag() == Tag::OctetString)
        .map(|f| f.octets())
        .collect()
}

fn encode_pkids(e: &mut Encoder, tag: Tag, ids: &[Vec<u8>]) {
    e.nested(tag, |e| ids.iter().for_each(|id| e.tlv(Tag::OctetString, id)));
}

fn opt_version(fields: &Fields<'_>, number: u32, name: &'static str) -> Result<Option<Version>, DecodeError> {
    fields.opt(ctx(number), name).map(|f| Version::decode(&f)).transpose()
}

fn encode_version(e: &mut Encoder, tag: Tag, version: Option<&Version>) {
    e.opt(version, |e, v| e.tlv(tag, &v.to_bytes()));
}

/// `EUICCInfo1 ::= [32] SEQUENCE` (SGP.22 §5.7.8), the data sent to the SM-DP+ in
/// InitiateAuthentication.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EuiccInfo1 {
    /// `svn` `82`: the SGP.22 version (v3: `lowestSvn`).
    pub svn: Version,
    /// `euiccCiPKIdListForVerification` `A9`.
    pub ci_pkids_for_verification: Vec<Vec<u8>>,
    /// `euiccCiPKIdListForSigning` `AA`.
    pub ci_pkids_for_signing: Vec<Vec<u8>>,
    /// v3 `euiccCiPKIdListForSigningV3` `B1`.
    pub ci_pkids_for_signing_v3: Option<Vec<Vec<u8>>>,
    /// v3 `euiccRspCapability` `88`.
    pub rsp_capability: Option<BitFlags>,
    /// v3 `highestSvn` `93`.
    pub highest_svn: Option<Version>,
}

impl EuiccInfo1 {
    /// The value with the given members; `ci_pkids_for_signing_v3`, `rsp_capability`, `highest_svn` are absent or empty (set them as fields).
    pub fn new(
        svn: Version,
        ci_pkids_for_verification: Vec<Vec<u8>>,
        ci_pkids_for_signing: Vec<Vec<u8>>,
    ) -> Self {
        Self {
            svn,
            ci_pkids_for_verification,
            ci_pkids_for_signing,
            ci_pkids_for_signing_v3: None,
            rsp_capability: None,
            highest_svn: None,
        }
    }
}

impl Message for EuiccInfo1 {
    const TAG: Tag = ctx_c(32);
    const NAME: &'static str = "EUICCInfo1";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            svn: Version::decode(&f.req(ctx(2), "svn")?)?,
            ci_pkids_for_verification: decode_pkids(&f.req(ctx_c(9), "euiccCiPKIdListForVerification")?)?,
            ci_pkids_for_signing: decode_pkids(&f.req(ctx_c(10), "euiccCiPKIdListForSigning")?)?,
            ci_pkids_for_signing_v3: f
                .opt(ctx_c(17), "euiccCiPKIdListForSigningV3")
                .map(|x| decode_pkids(&x))
                .transpose()?,
            rsp_capability: f.opt(ctx(8), "euiccRspCapability").map(|x| x.bits()).transpose()?,
            highest_svn: opt_version(&f, 19, "highestSvn")?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(ctx(2), &self.svn.to_bytes());
        encode_pkids(e, ctx_c(9), &self.ci_pkids_for_verification);
        encode_pkids(e, ctx_c(10), &self.ci_pkids_for_signing);
        e.opt(self.ci_pkids_for_signing_v3.as_ref(), |e, ids| encode_pkids(e, ctx_c(17), ids));
        e.opt(self.rsp_capability.as_ref(), |e, bits| e.bits(ctx(8), bits));
        encode_version(e, ctx(19), self.highest_svn.as_ref());
    }
}

/// `extCardResource`: ETSI TS 102 226 §8.2.1.7.2 "Extended Card Resources Information" TLVs
/// (`81` installed applications, `82` free non-volatile memory, `83` free volatile memory).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExtCardResource(pub Vec<u8>);

impl ExtCardResource {
    /// The unsigned big-endian value of the first simple TLV with `tag` (one-byte tags and lengths,
    /// as ETSI TS 102 226 codes them); `None` if absent, malformed or wider than 64 bits.
    fn value(&self, tag: u8) -> Option<u64> {
        let mut rest = self.0.as_slice();
        while let [t, len, tail @ ..] = rest {
            let value = tail.get(..usize::from(*len))?;
            if *t == tag {
                return (value.len() <= 8).then(|| value.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)));
            }
            rest = tail.get(usize::from(*len)..)?;
        }
        None
    }

    /// Number of installed applications (`81`).
    pub fn installed_applications(&self) -> Option<u64> {
        self.value(0x81)
    }

    /// Free non-volatile memory in bytes (`82`).
    pub fn free_non_volatile_memory(&self) -> Option<u64> {
        self.value(0x82)
    }

    /// Free volatile memory in bytes (`83`).
    pub fn free_volatile_memory(&self) -> Option<u64> {
        self.value(0x83)
    }
}

/// `CertificationDataObject` `AC { 80 platformLabel, 81 discoveryBaseURL }` (SGP.22 §5.7.8;
/// GlobalPlatform DLOA).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificationDataObject {
    /// `platformLabel`.
    pub platform_label: String,
    /// `discoveryBaseURL`.
    pub discovery_base_url: String,
}

impl CertificationDataObject {
    /// The value with the given members.
    pub fn new(platform_label: String, discovery_base_url: String) -> Self {
        Self { platform_label, discovery_base_url }
    }
}

code_enum! {
    /// `euiccCategory` of EUICCInfo2 (SGP.22 §5.7.8).
    pub enum EuiccCategory {
        /// `other(0)`.
        Other = 0 => "other",
        /// `basicEuicc(1)`.
        BasicEuicc = 1 => "basicEuicc",
        /// `mediumEuicc(2)`.
        MediumEuicc = 2 => "mediumEuicc",
        /// `contactlessEuicc(3)`.
        ContactlessEuicc = 3 => "contactlessEuicc",
    }
}

code_enum! {
    /// `LpaMode` (SGP.22 v3 §5.7.8): which LPA is active.
    pub enum LpaMode {
        /// `lpad(0)`: the LPA in the device.
        Lpad = 0 => "lpad",
        /// `lpae(1)`: the LPA in the eUICC.
        Lpae = 1 => "lpae",
    }
}

/// Bit positions of `RspCapability` / v3 `EuiccRspCapability` (SGP.22 §5.7.8).
pub mod rsp_capability {
    /// `additionalProfile(0)`: at least one more profile can be installed.
    pub const ADDITIONAL_PROFILE: usize = 0;
    /// `crlSupport(1)` (v3 `loadCrlSupport`).
    pub const CRL_SUPPORT: usize = 1;
    /// `rpmSupport(2)`: remote profile management.
    pub const RPM_SUPPORT: usize = 2;
    /// `testProfileSupport(3)`.
    pub const TEST_PROFILE_SUPPORT: usize = 3;
    /// `deviceInfoExtensibilitySupport(4)` (v2.2.2+).
    pub const DEVICE_INFO_EXTENSIBILITY_SUPPORT: usize = 4;
    /// `serviceSpecificDataSupport(5)` (v2.4+).
    pub const SERVICE_SPECIFIC_DATA_SUPPORT: usize = 5;
}

/// `EUICCInfo2 ::= [34] SEQUENCE` (SGP.22 §5.7.8).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EuiccInfo2 {
    /// `profileVersion` `81` (v3 `baseProfilePackageVersion`): SIMalliance profile package version.
    pub profile_version: Version,
    /// `svn` `82` (v3 `lowestSvn`).
    pub svn: Version,
    /// `euiccFirmwareVer` `83`.
    pub firmware_version: Version,
    /// `extCardResource` `84`: free memory and installed applications.
    pub ext_card_resource: ExtCardResource,
    /// `uiccCapability` `85` (SIMalliance ServicesList bits).
    pub uicc_capability: BitFlags,
    /// `javacardVersion` / `ts102241Version` `86`.
    pub ts102241_version: Option<Version>,
    /// `globalplatformVersion` `87`.
    pub globalplatform_version: Option<Version>,
    /// `rspCapability` `88`; bits in [`rsp_capability`].
    pub rsp_capability: BitFlags,
    /// `euiccCiPKIdListForVerification` `A9`.
    pub ci_pkids_for_verification: Vec<Vec<u8>>,
    /// `euiccCiPKIdListForSigning` `AA`.
    pub ci_pkids_for_signing: Vec<Vec<u8>>,
    /// `euiccCategory` `8B`.
    pub euicc_category: Option<EuiccCategory>,
    /// `forbiddenProfilePolicyRules` `99` (PprIds bits, see [`ppr`](crate::es10::ppr)).
    pub forbidden_profile_policy_rules: Option<BitFlags>,
    /// `ppVersion` `04`: protection profile version.
    pub pp_version: Version,
    /// `sasAcreditationNumber` `0C`.
    pub sas_accreditation_number: String,
    /// `certificationDataObject` `AC`.
    pub certification_data: Option<CertificationDataObject>,
    /// v3 `treProperties` `8D`.
    pub tre_properties: Option<BitFlags>,
    /// v3 `treProductReference` `8E`.
    pub tre_product_reference: Option<String>,
    /// v3 `additionalProfilePackageVersions` `AF`.
    pub additional_profile_package_versions: Option<Vec<Version>>,
    /// v3 `lpaMode` `90`.
    pub lpa_mode: Option<LpaMode>,
    /// v3 `euiccCiPKIdListForSigningV3` `B1`.
    pub ci_pkids_for_signing_v3: Option<Vec<Vec<u8>>>,
    /// v3 `additionalEuiccInfo` `92`.
    pub additional_euicc_info: Option<Vec<u8>>,
    /// v3 `highestSvn` `93`.
    pub highest_svn: Option<Version>,
}

impl Message for EuiccInfo2 {
    const TAG: Tag = ctx_c(34);
    const NAME: &'static str = "EUICCInfo2";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        // Automatic tagging gives `80`/`81` (X.680 §25.3); some encoders use universal `0C`: the
        // two strings are taken in order, whatever their tags.
        let certification_data = match f.opt(ctx_c(12), "certificationDataObject") {
            Some(c) => {
                let c = c.fields("CertificationDataObject")?;
                let strings: Vec<_> = c.iter().filter(|x| !x.tag().is_constructed()).collect();
                let [label, url, ..] = strings.as_slice() else {
                    return Err(DecodeError::new(
                        "CertificationDataObject",
                        crate::asn1::DecodeReason::Missing("discoveryBaseURL"),
                    ));
                };
                Some(CertificationDataObject {
                    platform_label: label.utf8()?,
                    discovery_base_url: url.utf8()?,
                })
            }
            None => None,
        };
        Ok(Self {
            profile_version: Version::decode(&f.req(ctx(1), "profileVersion")?)?,
            svn: Version::decode(&f.req(ctx(2), "svn")?)?,
            firmware_version: Version::decode(&f.req(ctx(3), "euiccFirmwareVer")?)?,
            ext_card_resource: ExtCardResource(f.req(ctx(4), "extCardResource")?.octets()?),
            uicc_capability: f.req(ctx(5), "uiccCapability")?.bits()?,
            ts102241_version: opt_version(&f, 6, "ts102241Version")?,
            globalplatform_version: opt_version(&f, 7, "globalplatformVersion")?,
            rsp_capability: f.req(ctx(8), "rspCapability")?.bits()?,
            ci_pkids_for_verification: decode_pkids(&f.req(ctx_c(9), "euiccCiPKIdListForVerification")?)?,
            ci_pkids_for_signing: decode_pkids(&f.req(ctx_c(10), "euiccCiPKIdListForSigning")?)?,
            euicc_category: f
                .opt(ctx(11), "euiccCategory")
                .map(|x| x.int().map(EuiccCategory::from_code))
                .transpose()?,
            forbidden_profile_policy_rules: f
                .opt(ctx(25), "forbiddenProfilePolicyRules")
                .map(|x| x.bits())
                .transpose()?,
            pp_version: Version::decode(&f.req(Tag::OctetString, "ppVersion")?)?,
            sas_accreditation_number: f.req(Tag::Utf8String, "sasAcreditationNumber")?.utf8()?,
            certification_data,
            tre_properties: f.opt(ctx(13), "treProperties").map(|x| x.bits()).transpose()?,
            tre_product_reference: f.opt(ctx(14), "treProductReference").map(|x| x.utf8()).transpose()?,
            additional_profile_package_versions: f
                .opt(ctx_c(15), "additionalProfilePackageVersions")
                .map(|x| {
                    x.fields("additionalProfilePackageVersions")?
                        .iter()
                        .filter(|v| v.tag() == Tag::OctetString)
                        .map(|v| Version::decode(&v))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            lpa_mode: f.opt(ctx(16), "lpaMode").map(|x| x.int().map(LpaMode::from_code)).transpose()?,
            ci_pkids_for_signing_v3: f
                .opt(ctx_c(17), "euiccCiPKIdListForSigningV3")
                .map(|x| decode_pkids(&x))
                .transpose()?,
            additional_euicc_info: f.opt(ctx(18), "additionalEuiccInfo").map(|x| x.octets()).transpose()?,
            highest_svn: opt_version(&f, 19, "highestSvn")?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(ctx(1), &self.profile_version.to_bytes());
        e.tlv(ctx(2), &self.svn.to_bytes());
        e.tlv(ctx(3), &self.firmware_version.to_bytes());
        e.tlv(ctx(4), &self.ext_card_resource.0);
        e.bits(ctx(5), &self.uicc_capability);
        encode_version(e, ctx(6), self.ts102241_version.as_ref());
        encode_version(e, ctx(7), self.globalplatform_version.as_ref());
        e.bits(ctx(8), &self.rsp_capability);
        encode_pkids(e, ctx_c(9), &self.ci_pkids_for_verification);
        encode_pkids(e, ctx_c(10), &self.ci_pkids_for_signing);
        e.opt(self.euicc_category.as_ref(), |e, c| e.int(ctx(11), c.code()));
        e.opt(self.forbidden_profile_policy_rules.as_ref(), |e, b| e.bits(ctx(25), b));
        e.tlv(Tag::OctetString, &self.pp_version.to_bytes());
        e.utf8(Tag::Utf8String, &self.sas_accreditation_number);
        e.opt(self.certification_data.as_ref(), |e, c| {
            e.nested(ctx_c(12), |e| {
                e.utf8(ctx(0), &c.platform_label);
                e.utf8(ctx(1), &c.discovery_base_url);
            });
        });
        e.opt(self.tre_properties.as_ref(), |e, b| e.bits(ctx(13), b));
        e.opt(self.tre_product_reference.as_ref(), |e, s| e.utf8(ctx(14), s));
        e.opt(self.additional_profile_package_versions.as_ref(), |e, versions| {
            e.nested(ctx_c(15), |e| versions.iter().for_each(|v| e.tlv(Tag::OctetString, &v.to_bytes())));
        });
        e.opt(self.lpa_mode.as_ref(), |e, m| e.int(ctx(16), m.code()));
        e.opt(self.ci_pkids_for_signing_v3.as_ref(), |e, ids| encode_pkids(e, ctx_c(17), ids));
        e.opt(self.additional_euicc_info.as_ref(), |e, v| e.tlv(ctx(18), v));
        encode_version(e, ctx(19), self.highest_svn.as_ref());
    }
}
