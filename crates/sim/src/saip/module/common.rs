//! The shared types of `PE_Definitions-3.3.1` (SAIP v3.3.1 Annex A): integers, PEHeader,
//! ProfileHeader with its ServicesList, and the file system description (`File`, `Fcp`,
//! `ProprietaryInfo`) that the template PEs and GenericFileManagement use (SAIP v3.3.1 §8.3).

use crate::saip::schema::{MAX, Ty, a, c, choice, int, octets, opt, opt_t, p, req, req_t, seq, seq_of};

/// `NULL`.
pub(crate) static NULL: Ty = Ty::Null;
/// `OBJECT IDENTIFIER`.
pub(crate) static OID: Ty = Ty::Oid;
/// `OCTET STRING` without a size constraint.
pub(crate) static OCTETS: Ty = octets(0, MAX);
/// `OCTET STRING (SIZE(1))`.
pub(crate) static OCTET1: Ty = octets(1, 1);
/// `INTEGER` without a constraint (named numbers do not constrain, X.680 §19.7).
pub(crate) static INTEGER: Ty = int(i64::MIN, i64::MAX);
/// `UInt8 ::= INTEGER (0..255)`.
pub(crate) static UINT8: Ty = int(0, 255);
/// `UInt15 ::= INTEGER (0..32767)`.
pub(crate) static UINT15: Ty = int(0, 32_767);
/// `UInt16 ::= INTEGER (0..65535)`.
pub(crate) static UINT16: Ty = int(0, 65_535);
/// `ApplicationIdentifier ::= OCTET STRING (SIZE(5..16))`.
pub(crate) static AID: Ty = octets(5, 16);
/// `SEQUENCE OF OCTET STRING`, as `sdPersoData` and `processData` use it (SIZE (1..MAX)).
pub(crate) static OCTETS_LIST: Ty = seq_of(&OCTETS, 1, MAX);

/// `PEHeader ::= SEQUENCE { mandated NULL OPTIONAL, identification UInt15 }`.
pub(crate) static PE_HEADER: Ty = seq(&[opt("mandated", &NULL), req("identification", &UINT15)]);

/// `ServicesList`: the services the eUICC must support, every one `NULL OPTIONAL` (tags `[0]`
/// contactless … `[29]` eaka, in this order).
pub(crate) static SERVICES_LIST: Ty = seq(&[
    opt("contactless", &NULL),
    opt("usim", &NULL),
    opt("isim", &NULL),
    opt("csim", &NULL),
    opt("milenage", &NULL),
    opt("tuak128", &NULL),
    opt("cave", &NULL),
    opt("gba-usim", &NULL),
    opt("gba-isim", &NULL),
    opt("mbms", &NULL),
    opt("eap", &NULL),
    opt("javacard", &NULL),
    opt("multos", &NULL),
    opt("multiple-usim", &NULL),
    opt("multiple-isim", &NULL),
    opt("multiple-csim", &NULL),
    opt("tuak256", &NULL),
    opt("usim-test-algorithm", &NULL),
    opt("ber-tlv", &NULL),
    opt("dfLink", &NULL),
    opt("cat-tp", &NULL),
    opt("get-identity", &NULL),
    opt("profile-a-x25519", &NULL),
    opt("profile-b-p256", &NULL),
    opt("suciCalculatorApi", &NULL),
    opt("dns-resolution", &NULL),
    opt("scp11ac", &NULL),
    opt("scp11c-authorization-mechanism", &NULL),
    opt("s16mode", &NULL),
    opt("eaka", &NULL),
]);

/// `SEQUENCE OF OBJECT IDENTIFIER` (`eUICC-Mandatory-GFSTEList`).
static OID_LIST: Ty = seq_of(&OID, 0, MAX);
/// One `eUICC-Mandatory-AIDs` entry: `SEQUENCE { aid ApplicationIdentifier, version OCTET
/// STRING (SIZE(2)) }`.
static MANDATORY_AID: Ty = seq(&[req("aid", &AID), req("version", &VERSION2)]);
static VERSION2: Ty = octets(2, 2);
static MANDATORY_AIDS: Ty = seq_of(&MANDATORY_AID, 0, MAX);
/// `IotOptions ::= SEQUENCE { pix OCTET STRING (SIZE (7..11)) }`.
static IOT_OPTIONS: Ty = seq(&[req("pix", &PIX)]);
static PIX: Ty = octets(7, 11);
static PROFILE_TYPE: Ty = Ty::Utf8 { min: 1, max: 100 };
static ICCID: Ty = octets(10, 10);

/// `ProfileHeader` (SAIP v3.3.1 §8.2): versions, profileType, iccid (10 octets), pol, the
/// mandatory services, GFSTEs and AIDs, connectivity parameters and IoT options.
pub(crate) static PROFILE_HEADER: Ty = seq(&[
    req("major-version", &UINT8),
    req("minor-version", &UINT8),
    opt("profileType", &PROFILE_TYPE),
    req("iccid", &ICCID),
    opt("pol", &OCTETS),
    req("eUICC-Mandatory-services", &SERVICES_LIST),
    req("eUICC-Mandatory-GFSTEList", &OID_LIST),
    opt("connectivityParameters", &OCTETS),
    opt("eUICC-Mandatory-AIDs", &MANDATORY_AIDS),
    opt("iotOptions", &IOT_OPTIONS),
]);

static PATTERN: Ty = octets(1, 200);

/// `ProprietaryInfo` (explicitly tagged, hence not automatically): special file information,
/// fill or repeat pattern, BER-TLV file size and details.
static PROPRIETARY_INFO: Ty = seq(&[
    opt_t("specialFileInformation", p(0), &OCTET1),
    opt_t("fillPattern", p(1), &PATTERN),
    opt_t("repeatPattern", p(2), &PATTERN),
    opt_t("maximumFileSize", c(6), &OCTETS),
    opt_t("fileDetails", c(4), &OCTET1),
]);

static FILE_DESCRIPTOR: Ty = octets(2, 4);
static FILE_ID: Ty = octets(2, 2);
static SECURITY_ATTRIBUTES: Ty = octets(1, 3);
static SHORT_EF_ID: Ty = octets(0, 1);
static LINK_PATH: Ty = octets(0, 8);

/// `Fcp`: the file control parameters of ETSI TS 102 222 as SAIP v3.3.1 §8.3.2 writes them
/// (explicit tags, the FCP template's own).
pub(crate) static FCP: Ty = seq(&[
    opt_t("fileDescriptor", c(2), &FILE_DESCRIPTOR),
    opt_t("fileID", c(3), &FILE_ID),
    opt_t("dfName", c(4), &AID),
    opt_t("lcsi", c(10), &OCTET1),
    opt_t("securityAttributesReferenced", c(11), &SECURITY_ATTRIBUTES),
    opt_t("efFileSize", c(0), &OCTETS),
    opt_t("pinStatusTemplateDO", p(6), &OCTETS),
    opt_t("shortEFID", c(8), &SHORT_EF_ID),
    opt_t("proprietaryEFInfo", c(5), &PROPRIETARY_INFO),
    opt_t("linkPath", p(7), &LINK_PATH),
]);

/// One element of a `File`: `CHOICE { doNotCreate NULL, fileDescriptor Fcp, fillFileOffset
/// UInt16, fillFileContent OCTET STRING }` (tags `[0]`–`[3]`).
static FILE_ELEMENT: Ty = choice(&[
    req("doNotCreate", &NULL),
    req("fileDescriptor", &FCP),
    req("fillFileOffset", &UINT16),
    req("fillFileContent", &OCTETS),
]);

/// `File ::= SEQUENCE OF CHOICE { … }` (SAIP v3.3.1 §8.3.3).
pub(crate) static FILE: Ty = seq_of(&FILE_ELEMENT, 0, MAX);

/// `FileManagement`: one GenericFileManagement command list, `SEQUENCE (SIZE (1..MAX)) OF
/// CHOICE { filePath [0], createFCP [APPLICATION 2] Fcp, fillFileOffset UInt16, fillFileContent
/// [1] }` (tagged alternatives: `fillFileOffset` keeps its universal INTEGER tag).
static FILE_MANAGEMENT_ITEM: Ty = choice(&[
    req_t("filePath", c(0), &LINK_PATH),
    req_t("createFCP", a(2), &FCP),
    req("fillFileOffset", &UINT16),
    req_t("fillFileContent", c(1), &OCTETS),
]);
static FILE_MANAGEMENT: Ty = seq_of(&FILE_MANAGEMENT_ITEM, 1, MAX);
static FILE_MANAGEMENT_LIST: Ty = seq_of(&FILE_MANAGEMENT, 1, MAX);

/// `PE-GenericFileManagement` (SAIP v3.3.1 §8.3.5).
pub(crate) static PE_GENERIC_FILE_MANAGEMENT: Ty =
    seq(&[req("gfm-header", &PE_HEADER), req("fileManagementCMD", &FILE_MANAGEMENT_LIST)]);

/// `PE-Dummy ::= SEQUENCE {}` (the reserved `rfu1`–`rfu5` alternatives).
pub(crate) static PE_DUMMY: Ty = seq(&[]);
