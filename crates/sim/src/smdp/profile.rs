//! Profiles the test SM-DP+ serves: an UnprotectedProfilePackage (SIMalliance/TCA eUICC Profile
//! Package: Interoperable Format Technical Specification v3.3.1, "SAIP": a DER sequence of
//! `ProfileElement`s of its ASN.1 module `PE_Definitions-3.3.1.asn`) with its profile metadata
//! (the `StoreMetadataRequest` `BF25` of SGP.22 §5.5.3), and an optional confirmation code.

use std::path::Path;
use std::sync::Arc;

use der::Tag;
use oxicard_euicc::asn1::{Encoder, app, ctx, ctx_c};
use oxicard_euicc::es10::{BitFlags, ProfileClass, notification_event};
use oxicard_euicc::iccid::Iccid;

use super::error::ProfileError;
use crate::saip::{Imsi, Package, iccid_to_reading_order};

/// The profile metadata the SM-DP+ sends in AuthenticateClient (`profileMetadata`) and inside the
/// BPP (`88` StoreMetadata segments): `StoreMetadataRequest ::= [37] SEQUENCE { 5A iccid,
/// 91 serviceProviderName, 92 profileName, [95 profileClass], [B6 notificationConfigurationInfo] }`
/// (SGP.22 §5.5.3; icons, owner and policy rules are not written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileMetadata {
    /// The ICCID, in the SGP.22 `Iccid` (EF.ICCID, nibble-swapped) coding; it must be the
    /// ProfileHeader's (SGP.22 §5.7.6 installFailedDueToIccidMismatch).
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
    /// The UnprotectedProfilePackage: DER ProfileElements one after the other (SAIP v3.3.1 §8.1).
    pub upp: Vec<u8>,
    /// The metadata.
    pub metadata: ProfileMetadata,
    /// The confirmation code (`ccRequiredFlag` TRUE when set).
    pub confirmation_code: Option<String>,
}

impl ProfilePackage {
    /// A package from UPP bytes. They must decode as a SAIP package ([`Package::decode`]: every
    /// PE valid, the ProfileHeader first, PE-End last), EF.ICCID must hold the header's ICCID,
    /// and the metadata must name it too — else the eUICC would fail the installation
    /// (installFailedDueToPEProcessingError / installFailedDueToIccidMismatch, SGP.22 §5.7.6).
    pub fn new(upp: Vec<u8>, metadata: ProfileMetadata) -> Result<ProfilePackage, ProfileError> {
        let iccid = checked_iccid(&upp)?;
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

    /// A package from a UPP DER file (e.g. a GSMA TS.48 test profile as pySim's SM-DP+ serves it).
    pub fn from_file(path: &Path, metadata: ProfileMetadata) -> Result<ProfilePackage, ProfileError> {
        let upp = std::fs::read(path)
            .map_err(|source| ProfileError::Io { path: path.to_owned(), source: Arc::new(source) })?;
        ProfilePackage::new(upp, metadata)
    }

    /// The same package with a confirmation code required.
    pub fn with_confirmation_code(mut self, code: &str) -> ProfilePackage {
        self.confirmation_code = Some(code.to_string());
        self
    }
}

/// The ICCID of an UPP: the ProfileHeader `iccid` (SAIP v3.3.1 §8.2), whose octets hold the
/// digits in reading order (`89 49 44 … 16 3F` is `8949449999999990163`), returned in the SGP.22
/// coding that the metadata and EF.ICCID use (`98 94 44 … 61 F3`). The whole package must
/// decode ([`Package::decode`]) and EF.ICCID must agree.
pub fn header_iccid(upp: &[u8]) -> Result<Iccid, ProfileError> {
    checked_iccid(upp)
}

/// Decodes `upp` and checks that EF.ICCID holds the header's ICCID.
fn checked_iccid(upp: &[u8]) -> Result<Iccid, ProfileError> {
    let package = Package::decode(upp).map_err(ProfileError::Package)?;
    let iccid = package.iccid();
    if package.ef_iccid() != Some(iccid) {
        return Err(ProfileError::EfIccidMismatch { header: iccid, ef_iccid: package.ef_iccid() });
    }
    Ok(iccid)
}

/// The DER contents of `id-MF` 2.23.143.1.2.1, the MF template (SAIP v3.3.1 Annex A).
const ID_MF: [u8; 6] = [0x67, 0x81, 0x0F, 0x01, 0x02, 0x01];
/// The DER contents of `id-USIM` 2.23.143.1.2.4, the USIM template (SAIP v3.3.1 Annex A).
const ID_USIM: [u8; 6] = [0x67, 0x81, 0x0F, 0x01, 0x02, 0x04];
/// The USIM AID of built profiles: RID `A000000087` (3GPP), application code `1002` (USIM,
/// 3GPP TS 31.110 / ETSI TS 101 220 Annex E), then a hand-made provider part.
pub const BUILT_USIM_AID: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];
/// The IMSI of built profiles unless set: MCC 001 / MNC 01, the ITU-T E.212 test network.
pub const BUILT_IMSI: &str = "001010000000001";
/// [`BUILT_IMSI`] as EF.IMSI contents (3GPP TS 31.102 §4.2.2): 8 octets, `9` = odd count.
const BUILT_IMSI_EF: [u8; 9] = [0x08, 0x09, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10];
/// `pinAppl1` / `pukAppl1` (PINKeyReferenceValue / PUKKeyReferenceValue 1).
const APPL1: i64 = 1;
/// `adm1` (PINKeyReferenceValue 10).
const ADM1: i64 = 10;
/// `secondPINAppl1` / `secondPUKAppl1` (129): the USIM's local PIN and its PUK.
const SECOND_APPL1: i64 = 129;
/// `algorithmID milenage(1)` of AlgoParameter.
const MILENAGE: i64 = 1;
/// The Milenage K of built profiles: `00 01 … 0F` (hand-made test key).
const BUILT_K: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
/// The Milenage OPc of built profiles: `0F 0E … 00` (hand-made test value).
const BUILT_OPC: [u8; 16] = [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];

/// Builds a test UnprotectedProfilePackage shaped like the GSMA TS.48 packages real SM-DP+s
/// serve (a hand-built example, not a vector):
///
/// ```text
/// A0 ProfileHeader { 80 major 02, 81 minor 03, 82 profileType, 83 iccid (reading order),
///                    A5 eUICC-Mandatory-services { 81 usim, 84 milenage },
///                    A6 eUICC-Mandatory-GFSTEList { 06 id-MF, 06 id-USIM } }
/// B0 PE-MF { A0 { 80 mandated, 81 id 1 }, 81 id-MF, A2 mf {}, A4 ef-iccid { 83 EF.ICCID },
///            A5 ef-dir { 83 USIM application record }, A6 ef-arr {} }
/// A3 PE-PUKCodes { A0 {…2}, A1 { 30 { 80 pukAppl1, 81 "11111111" }, 30 { 80 secondPUKAppl1, 81 "22222222" } } }
/// A2 PE-PINCodes { A0 {…3}, A1 { A0 { 30 { 80 pinAppl1, 81 "0000"FFFFFFFF, 82 pukAppl1 },
///                                   30 { 80 adm1, 81 "55555555" } } } }
/// B3 PE-USIM { A0 {…4}, 81 id-USIM, A2 adf-usim { A1 { 83 7FD0, 84 AID, C6 PIN status } },
///              A3 ef-imsi { 83 EF.IMSI }, A4 ef-arr, A8 ef-ust, AD ef-spn, AE ef-est, B2 ef-acc, B6 ef-ecc }
/// A2 PE-PINCodes { A0 {…5}, A1 { A0 { 30 { 80 secondPINAppl1, 81 "0000"FFFFFFFF, 82 secondPUKAppl1 } } } }
/// A4 PE-AKAParameter { A0 {…6}, A1 { A1 { 80 milenage, 81 00, 82 K, 83 OPc } } }
/// AA PE-End { A0 { 80 mandated, 81 id 7 } }
/// ```
///
/// As in real packages: the ProfileHeader `iccid` holds the digits in reading order while
/// EF.ICCID holds them nibble-swapped (ETSI TS 102 221 §13.2); every PEHeader sets `mandated`;
/// the USIM with its EF.IMSI (3GPP TS 31.102 §4.2.2) is listed in EF.DIR and protected by PINs
/// whose PUKs are defined; the header version is the SAIP 2.3 of the TS.48 v5 package (the
/// software eUICC declares profileVersion 2.3.1). Tags follow the AUTOMATIC TAGS of
/// `PE_Definitions-3.3.1`; empty `File`s take the template's default content. With
/// [`ProfileBuilder::padding`] a `nonStandard [9]` element of that many content bytes comes
/// before PE-End, to make large profiles (several `86` segments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileBuilder {
    iccid: Iccid,
    /// EF.IMSI contents.
    imsi: [u8; 9],
    profile_type: String,
    version: (u8, u8),
    padding: usize,
}

impl ProfileBuilder {
    /// A builder for `iccid` with profile type `oxicard test`, IMSI [`BUILT_IMSI`], SAIP 2.3.
    pub fn new(iccid: Iccid) -> ProfileBuilder {
        ProfileBuilder {
            iccid,
            imsi: BUILT_IMSI_EF,
            profile_type: "oxicard test".to_string(),
            version: (2, 3),
            padding: 0,
        }
    }

    /// The ProfileHeader `profileType` (1..100 characters).
    pub fn profile_type(mut self, profile_type: &str) -> ProfileBuilder {
        self.profile_type = profile_type.to_string();
        self
    }

    /// The IMSI written to EF.IMSI.
    pub fn imsi(mut self, imsi: Imsi) -> ProfileBuilder {
        self.imsi = imsi.to_ef();
        self
    }

    /// The ProfileHeader `major-version` and `minor-version` (default 2.3).
    pub fn saip_version(mut self, major: u8, minor: u8) -> ProfileBuilder {
        self.version = (major, minor);
        self
    }

    /// Adds a `nonStandard` element (`A9 { A0 { 80, 81 id }, 81 issuerID, 82 content }`) with
    /// `bytes` bytes of content.
    pub fn padding(mut self, bytes: usize) -> ProfileBuilder {
        self.padding = bytes;
        self
    }

    /// The UPP DER.
    pub fn build(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        let mut id = 0i64;
        let mut pe_header = |e: &mut Encoder| {
            id += 1;
            e.nested(ctx_c(0), |e| {
                e.tlv(ctx(0), &[]);
                e.int(ctx(1), id);
            });
        };
        let pin = |e: &mut Encoder, key: i64, value: &[u8; 8], puk: Option<i64>| {
            e.nested(Tag::Sequence, |e| {
                e.int(ctx(0), key);
                e.tlv(ctx(1), value);
                e.opt(puk.as_ref(), |e, puk| e.int(ctx(2), *puk));
            });
        };
        let pin_0000 = *b"0000\xFF\xFF\xFF\xFF";
        e.nested(ctx_c(0), |e| {
            e.int(ctx(0), i64::from(self.version.0));
            e.int(ctx(1), i64::from(self.version.1));
            e.utf8(ctx(2), &self.profile_type);
            e.tlv(ctx(3), &iccid_to_reading_order(&self.iccid));
            e.nested(ctx_c(5), |e| {
                e.tlv(ctx(1), &[]);
                e.tlv(ctx(4), &[]);
            });
            e.nested(ctx_c(6), |e| {
                e.tlv(Tag::ObjectIdentifier, &ID_MF);
                e.tlv(Tag::ObjectIdentifier, &ID_USIM);
            });
        });
        e.nested(ctx_c(16), |e| {
            pe_header(e);
            e.tlv(ctx(1), &ID_MF);
            e.nested(ctx_c(2), |_| {});
            e.nested(ctx_c(4), |e| e.tlv(ctx(3), self.iccid.as_bytes()));
            e.nested(ctx_c(5), |e| e.tlv(ctx(3), &usim_dir_record()));
            e.nested(ctx_c(6), |_| {});
        });
        e.nested(ctx_c(3), |e| {
            pe_header(e);
            e.nested(ctx_c(1), |e| {
                for (key, value) in [(APPL1, b"11111111"), (SECOND_APPL1, b"22222222")] {
                    e.nested(Tag::Sequence, |e| {
                        e.int(ctx(0), key);
                        e.tlv(ctx(1), value);
                    });
                }
            });
        });
        e.nested(ctx_c(2), |e| {
            pe_header(e);
            e.nested(ctx_c(1), |e| {
                e.nested(ctx_c(0), |e| {
                    pin(e, APPL1, &pin_0000, Some(APPL1));
                    pin(e, ADM1, b"55555555", None);
                });
            });
        });
        e.nested(ctx_c(19), |e| {
            pe_header(e);
            e.tlv(ctx(1), &ID_USIM);
            e.nested(ctx_c(2), |e| {
                e.nested(ctx_c(1), |e| {
                    e.tlv(ctx(3), &[0x7F, 0xD0]);
                    e.tlv(ctx(4), &BUILT_USIM_AID);
                    // pinStatusTemplateDO: secondPINAppl1, pinAppl1, adm1 (as TS.48 writes it).
                    e.tlv(
                        Tag::Private { constructed: false, number: der::TagNumber(6) },
                        &[0x81, 0x01, 0x0A],
                    );
                });
            });
            e.nested(ctx_c(3), |e| e.tlv(ctx(3), &self.imsi));
            for file in [4, 8, 13, 14, 18, 22] {
                e.nested(ctx_c(file), |_| {});
            }
        });
        e.nested(ctx_c(2), |e| {
            pe_header(e);
            e.nested(ctx_c(1), |e| {
                e.nested(ctx_c(0), |e| pin(e, SECOND_APPL1, &pin_0000, Some(SECOND_APPL1)))
            });
        });
        e.nested(ctx_c(4), |e| {
            pe_header(e);
            e.nested(ctx_c(1), |e| {
                e.nested(ctx_c(1), |e| {
                    e.int(ctx(0), MILENAGE);
                    e.tlv(ctx(1), &[0x00]);
                    e.tlv(ctx(2), &BUILT_K);
                    e.tlv(ctx(3), &BUILT_OPC);
                });
            });
        });
        if self.padding > 0 {
            e.nested(ctx_c(9), |e| {
                pe_header(e);
                // issuerID: the example-arc OID 2.999 (ITU-T X.660 §A: for examples).
                e.tlv(ctx(1), &[0x88, 0x37]);
                e.tlv(ctx(2), &vec![0x5A; self.padding]);
            });
        }
        e.nested(ctx_c(10), |e| pe_header(e));
        e.finish()
    }

    /// A [`ProfilePackage`] of [`ProfileBuilder::build`] with `metadata`, whose ICCID is set to
    /// the builder's.
    pub fn package(&self, mut metadata: ProfileMetadata) -> ProfilePackage {
        metadata.iccid = self.iccid;
        ProfilePackage { upp: self.build(), metadata, confirmation_code: None }
    }
}

/// The EF.DIR record of the built USIM (ETSI TS 102 221 §13.1): `61 { 4F AID, 50 "USIM" }`.
fn usim_dir_record() -> Vec<u8> {
    let mut e = Encoder::new();
    e.nested(Tag::Application { constructed: true, number: der::TagNumber(1) }, |e| {
        e.tlv(app(15), &BUILT_USIM_AID);
        e.tlv(app(16), b"USIM");
    });
    e.finish()
}
