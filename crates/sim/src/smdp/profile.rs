//! Profiles the test SM-DP+ serves: an UnprotectedProfilePackage (SIMalliance/TCA eUICC Profile
//! Package: Interoperable Format Technical Specification v3.3.1, "SAIP": a DER sequence of
//! `ProfileElement`s of its ASN.1 module `PE_Definitions-3.3.1.asn`) with its profile metadata
//! (the `StoreMetadataRequest` `BF25` of SGP.22 §5.5.3), and an optional confirmation code.

use std::path::Path;

use der::Tag;
use oxicard_euicc::der_util::{Encoder, Fields, app, ctx, ctx_c};
use oxicard_euicc::es10::{BitFlags, ProfileClass, notification_event};
use oxicard_euicc::iccid::Iccid;

use super::error::ProfileError;

/// `ProfileHeader` major/minor version written by [`ProfileBuilder`]: 3.3 ("set to 3 for this
/// version of the specification", PE_Definitions-3.3.1 `ProfileHeader`).
const SAIP_VERSION: (u8, u8) = (3, 3);

/// The `templateID` of the MF template: `id-MF` 2.23.143.1.2.1 (SAIP v3.3.1 §A; DER contents
/// `67 81 0F 01 02 01`).
const MF_TEMPLATE_OID: [u8; 6] = [0x67, 0x81, 0x0F, 0x01, 0x02, 0x01];

/// The profile metadata the SM-DP+ sends in AuthenticateClient (`profileMetadata`) and inside the
/// BPP (`88` StoreMetadata segments): `StoreMetadataRequest ::= [37] SEQUENCE { 5A iccid,
/// 91 serviceProviderName, 92 profileName, [95 profileClass], [B6 notificationConfigurationInfo] }`
/// (SGP.22 §5.5.3; icons, owner and policy rules are not written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileMetadata {
    /// The ICCID (must equal the ProfileHeader's, SGP.22 §5.7.6 installFailedDueToIccidMismatch).
    pub iccid: Iccid,
    /// `serviceProviderName` (0..32 characters).
    pub service_provider_name: String,
    /// `profileName` (0..64 characters).
    pub profile_name: String,
    /// `profileClass`; `None` leaves it out (DEFAULT operational in the v2 module).
    pub profile_class: Option<ProfileClass>,
    /// `notificationConfigurationInfo`: (NotificationEvent bits, notificationAddress) pairs; the
    /// eUICC sends a notification of each listed operation to its address (SGP.22 §5.7.15).
    pub notifications: Vec<(BitFlags, String)>,
}

impl ProfileMetadata {
    /// Metadata with the given ICCID and names, class `test`, and install/enable/disable/delete
    /// notifications to `notification_address`.
    pub fn new(iccid: Iccid, name: &str, spn: &str, notification_address: &str) -> ProfileMetadata {
        let events = [
            notification_event::INSTALL,
            notification_event::ENABLE,
            notification_event::DISABLE,
            notification_event::DELETE,
        ];
        ProfileMetadata {
            iccid,
            service_provider_name: spn.to_string(),
            profile_name: name.to_string(),
            profile_class: Some(ProfileClass::Test),
            notifications: vec![(BitFlags::from_bits(events), notification_address.to_string())],
        }
    }

    /// The `BF25` StoreMetadataRequest TLV (DER of SGP.22 v2 `rsp.asn`), e.g. `BF2524
    /// 5A0A984474680000543721F8 91025350 9202504E 950102 B60B 3009 800204F0 8103612E62`
    /// (DER produced with asn1tools from the SGP.22 v2 RSPDefinitions module).
    pub fn to_der(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.nested(ctx_c(37), |e| {
            e.tlv(app(26), self.iccid.as_bytes());
            e.utf8(ctx(17), &self.service_provider_name);
            e.utf8(ctx(18), &self.profile_name);
            e.opt(self.profile_class.as_ref(), |e, c| e.int(ctx(21), c.code()));
            if !self.notifications.is_empty() {
                e.nested(ctx_c(22), |e| {
                    for (events, address) in &self.notifications {
                        e.nested(Tag::Sequence, |e| {
                            e.bits(ctx(0), events);
                            e.utf8(ctx(1), address);
                        });
                    }
                });
            }
        });
        e.finish()
    }
}

/// A profile the SM-DP+ can bind: the UPP (served as-is, cut into `86` segments), its metadata,
/// and the confirmation code the end user must enter, if any (SGP.22 §3.1.3.2 / §5.6.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfilePackage {
    /// The UnprotectedProfilePackage: DER ProfileElements one after the other.
    pub upp: Vec<u8>,
    /// The metadata.
    pub metadata: ProfileMetadata,
    /// The confirmation code (`ccRequiredFlag` TRUE when set).
    pub confirmation_code: Option<String>,
}

impl ProfilePackage {
    /// A package from UPP bytes; checks that they are a non-empty sequence of complete
    /// constructed context-tagged TLVs (ProfileElement CHOICE alternatives) that starts with a
    /// ProfileHeader (`A0`) whose ICCID is the metadata's (else the eUICC would fail the
    /// installation with installFailedDueToIccidMismatch, SGP.22 §5.7.6).
    pub fn new(upp: Vec<u8>, metadata: ProfileMetadata) -> Result<ProfilePackage, ProfileError> {
        let iccid = header_iccid(&upp)?;
        if iccid != metadata.iccid {
            return Err(ProfileError::IccidMismatch { header: iccid, metadata: metadata.iccid });
        }
        Ok(ProfilePackage { upp, metadata, confirmation_code: None })
    }

    /// A package from UPP bytes with metadata made from the ProfileHeader's ICCID and the given
    /// names ([`ProfileMetadata::new`]: class test, notifications to `notification_address`).
    pub fn from_upp(
        upp: Vec<u8>,
        name: &str,
        spn: &str,
        notification_address: &str,
    ) -> Result<ProfilePackage, ProfileError> {
        let iccid = header_iccid(&upp)?;
        ProfilePackage::new(upp, ProfileMetadata::new(iccid, name, spn, notification_address))
    }

    /// A package from a UPP DER file (e.g. one written by pySim's `saip-tool`).
    pub fn from_file(path: &Path, metadata: ProfileMetadata) -> Result<ProfilePackage, ProfileError> {
        let upp = std::fs::read(path).map_err(|e| ProfileError::Io(format!("{}: {e}", path.display())))?;
        ProfilePackage::new(upp, metadata)
    }

    /// The same package with a confirmation code required.
    pub fn with_confirmation_code(mut self, code: &str) -> ProfilePackage {
        self.confirmation_code = Some(code.to_string());
        self
    }
}

/// The `iccid` (`83`) of the ProfileHeader of an UPP whose outline is valid (see
/// [`ProfilePackage::new`]).
pub fn header_iccid(upp: &[u8]) -> Result<Iccid, ProfileError> {
    let header = check_upp(upp)?;
    let iccid = Fields::parse(header, "ProfileHeader")
        .and_then(|f| f.req(ctx(3), "iccid"))
        .and_then(|f| f.octets_n::<10>())
        .map_err(|e| ProfileError::Malformed(e.to_string()))?;
    Ok(Iccid::from_bytes(iccid))
}

/// Checks the outline of an UPP (see [`ProfilePackage::new`]); returns the ProfileHeader contents.
fn check_upp(upp: &[u8]) -> Result<&[u8], ProfileError> {
    let elements = Fields::parse(upp, "UnprotectedProfilePackage")
        .map_err(|e| ProfileError::Malformed(e.to_string()))?;
    let first = elements.first().ok_or(ProfileError::Malformed("no profile element".into()))?;
    if first.tag() != ctx_c(0) {
        return Err(ProfileError::Malformed("the first profile element is not a ProfileHeader (A0)".into()));
    }
    for element in elements.iter() {
        if element.tag().class() != der::Class::ContextSpecific || !element.tag().is_constructed() {
            return Err(ProfileError::Malformed("a profile element is not a constructed [n] TLV".into()));
        }
    }
    Ok(first.value())
}

/// Builds a minimal test UnprotectedProfilePackage (a hand-built example, not a vector):
///
/// ```text
/// A0 ProfileHeader { 80 major 03, 81 minor 03, 82 profileType, 83 iccid,
///                    A5 eUICC-Mandatory-services {}, A6 eUICC-Mandatory-GFSTEList { 06 id-MF } }
/// B0 PE-MF { A0 mf-header { 81 id 01 }, 81 templateID id-MF, A2 mf {}, A4 ef-iccid { 83 iccid },
///            A5 ef-dir {}, A6 ef-arr {} }
/// AA PE-End { A0 end-header { 81 id 02 } }
/// ```
///
/// Tags follow the AUTOMATIC TAGS of PE_Definitions-3.3.1 (`ProfileElement` alternatives
/// `header [0]`, `end [10]`, `mf [16]`). Empty `File`s use the template's default content.
/// With [`ProfileBuilder::padding`] a `nonStandard [9]` element of that many bytes is added
/// before the End element, to make large profiles (several `86` segments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileBuilder {
    iccid: Iccid,
    profile_type: String,
    padding: usize,
}

impl ProfileBuilder {
    /// A builder for `iccid` with profile type `oxicard test`.
    pub fn new(iccid: Iccid) -> ProfileBuilder {
        ProfileBuilder { iccid, profile_type: "oxicard test".to_string(), padding: 0 }
    }

    /// The ProfileHeader `profileType` (1..100 characters).
    pub fn profile_type(mut self, profile_type: &str) -> ProfileBuilder {
        self.profile_type = profile_type.to_string();
        self
    }

    /// Adds a `nonStandard` element (`A9 { A0 { 81 id }, 81 issuerID, 82 content }`) with
    /// `bytes` bytes of content.
    pub fn padding(mut self, bytes: usize) -> ProfileBuilder {
        self.padding = bytes;
        self
    }

    /// The UPP DER.
    pub fn build(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        let mut id = 0i64;
        let mut header = |e: &mut Encoder| {
            id += 1;
            e.nested(ctx_c(0), |e| e.int(ctx(1), id));
        };
        e.nested(ctx_c(0), |e| {
            e.int(ctx(0), i64::from(SAIP_VERSION.0));
            e.int(ctx(1), i64::from(SAIP_VERSION.1));
            e.utf8(ctx(2), &self.profile_type);
            e.tlv(ctx(3), self.iccid.as_bytes());
            e.nested(ctx_c(5), |_| {});
            e.nested(ctx_c(6), |e| e.tlv(Tag::ObjectIdentifier, &MF_TEMPLATE_OID));
        });
        e.nested(ctx_c(16), |e| {
            header(e);
            e.tlv(ctx(1), &MF_TEMPLATE_OID);
            e.nested(ctx_c(2), |_| {});
            e.nested(ctx_c(4), |e| e.tlv(ctx(3), self.iccid.as_bytes()));
            e.nested(ctx_c(5), |_| {});
            e.nested(ctx_c(6), |_| {});
        });
        if self.padding > 0 {
            e.nested(ctx_c(9), |e| {
                header(e);
                // issuerID: the example-arc OID 2.999 (ITU-T X.660 §A: for examples).
                e.tlv(ctx(1), &[0x88, 0x37]);
                e.tlv(ctx(2), &vec![0x5A; self.padding]);
            });
        }
        e.nested(ctx_c(10), |e| header(e));
        e.finish()
    }

    /// A [`ProfilePackage`] of [`ProfileBuilder::build`] with `metadata`, whose ICCID is set to
    /// the builder's.
    pub fn package(&self, mut metadata: ProfileMetadata) -> ProfilePackage {
        metadata.iccid = self.iccid;
        ProfilePackage { upp: self.build(), metadata, confirmation_code: None }
    }
}
