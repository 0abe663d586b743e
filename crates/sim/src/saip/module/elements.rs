//! The PEs that are not file-system templates (SAIP v3.3.1 §8.4–§8.9: PIN and PUK codes, AKA
//! and CDMA parameters, security domains, RFM, applications, non-standard, end) and the
//! `ProfileElement` CHOICE itself (SAIP v3.3.1 §8.1, tags `[0]` header … `[33]` opt-iot).

use super::common::{
    AID, INTEGER, OCTET1, OCTETS, OCTETS_LIST, OID, PE_DUMMY, PE_GENERIC_FILE_MANAGEMENT, PE_HEADER,
    PROFILE_HEADER, UINT8, UINT16,
};
use super::templates::*;
use crate::saip::schema::{MAX, Ty, a, c, choice, octets, opt, opt_t, p, req, req_t, seq, seq_of};

static OCTET3: Ty = octets(3, 3);
static OCTET5: Ty = octets(5, 5);
static OCTET6: Ty = octets(6, 6);
static OCTET8: Ty = octets(8, 8);
static OCTET16: Ty = octets(16, 16);
static OCTET80: Ty = octets(80, 80);
static OCTET_1_2: Ty = octets(1, 2);
static OCTET_2_4: Ty = octets(2, 4);
static FILE_PATH: Ty = octets(0, 8);

/// `PINConfiguration` (SAIP v3.3.1 §8.5.1).
static PIN_CONFIGURATION: Ty = seq(&[
    req("keyReference", &INTEGER),
    req("pinValue", &OCTET8),
    opt("unblockingPINReference", &INTEGER),
    opt("pinAttributes", &UINT8),
    opt("maxNumOfAttemps-retryNumLeft", &UINT8),
]);
static PIN_CONFIGURATIONS: Ty = seq_of(&PIN_CONFIGURATION, 1, 26);
static PIN_CODES: Ty = choice(&[req("pinconfig", &PIN_CONFIGURATIONS), req("filePath", &FILE_PATH)]);
/// `PE-PINCodes`.
pub(crate) static PE_PIN_CODES: Ty = seq(&[req("pin-Header", &PE_HEADER), req("pinCodes", &PIN_CODES)]);

/// `PUKConfiguration` (SAIP v3.3.1 §8.5.2).
static PUK_CONFIGURATION: Ty = seq(&[
    req("keyReference", &INTEGER),
    req("pukValue", &OCTET8),
    opt("maxNumOfAttemps-retryNumLeft", &UINT8),
]);
static PUK_CONFIGURATIONS: Ty = seq_of(&PUK_CONFIGURATION, 1, 16);
/// `PE-PUKCodes`.
pub(crate) static PE_PUK_CODES: Ty =
    seq(&[req("puk-Header", &PE_HEADER), req("pukCodes", &PUK_CONFIGURATIONS)]);

/// `MappingParameter`.
static MAPPING_PARAMETER: Ty = seq(&[req("mappingOptions", &OCTET1), req("mappingSource", &AID)]);
/// `AlgoParameter` (SAIP v3.3.1 §8.6.1): Milenage, TUAK or the test algorithm.
static ALGO_PARAMETER: Ty = seq(&[
    req("algorithmID", &INTEGER),
    req("algorithmOptions", &OCTET1),
    req("key", &OCTETS),
    req("opc", &OCTETS),
    opt("rotationConstants", &OCTET5),
    opt("xoringConstants", &OCTET80),
    opt("authCounterMax", &OCTET3),
    opt("numberOfKeccak", &UINT8),
]);
static ALGO_CONFIGURATION: Ty =
    choice(&[req("mappingParameter", &MAPPING_PARAMETER), req("algoParameter", &ALGO_PARAMETER)]);
static SQN_INIT: Ty = seq_of(&OCTET6, 32, 32);
/// `PE-AKAParameter`.
pub(crate) static PE_AKA_PARAMETER: Ty = seq(&[
    req("aka-header", &PE_HEADER),
    req("algoConfiguration", &ALGO_CONFIGURATION),
    opt("sqnOptions", &OCTET1),
    opt("sqnDelta", &OCTET6),
    opt("sqnAgeLimit", &OCTET6),
    opt("sqnInit", &SQN_INIT),
]);

/// `PE-CDMAParameter` (SAIP v3.3.1 §8.6.2).
pub(crate) static PE_CDMA_PARAMETER: Ty = seq(&[
    req("cdma-header", &PE_HEADER),
    req("authenticationKey", &OCTET8),
    opt("ssd", &OCTET16),
    opt("hrpdAccessAuthenticationData", &HRPD),
    opt("simpleIPAuthenticationData", &SIMPLE_IP),
    opt("mobileIPAuthenticationData", &MOBILE_IP),
]);
static HRPD: Ty = octets(2, 32);
static SIMPLE_IP: Ty = octets(3, 483);
static MOBILE_IP: Ty = octets(5, 957);

/// `ApplicationSystemParameters` (GlobalPlatform install parameters, SAIP v3.3.1 §8.7.3).
static APPLICATION_SYSTEM_PARAMETERS: Ty = seq(&[
    opt_t("volatileMemoryQuotaC7", p(7), &OCTET_2_4),
    opt_t("nonVolatileMemoryQuotaC8", p(8), &OCTET_2_4),
    opt_t("globalServiceParameters", p(11), &OCTETS),
    opt_t("implicitSelectionParameter", p(15), &OCTETS),
    opt_t("volatileReservedMemory", p(23), &OCTET_2_4),
    opt_t("nonVolatileReservedMemory", p(24), &OCTET_2_4),
    opt_t("ts102226SIMFileAccessToolkitParameter", p(10), &OCTETS),
    opt_t("ts102226AdditionalContactlessParameters", c(0), &ADDITIONAL_CONTACTLESS),
    opt_t("contactlessProtocolParameters", p(25), &OCTETS),
    opt_t("userInteractionContactlessParameters", p(26), &OCTETS),
    opt_t("cumulativeGrantedVolatileMemory", c(2), &OCTET_2_4),
    opt_t("cumulativeGrantedNonVolatileMemory", c(3), &OCTET_2_4),
]);
/// `TS102226AdditionalContactlessParameters ::= SEQUENCE { protocolParameterData OCTET STRING }`.
static ADDITIONAL_CONTACTLESS: Ty = seq(&[req("protocolParameterData", &OCTETS)]);
/// `UICCApplicationParameters` (ETSI TS 102 226 parameters).
static UICC_APPLICATION_PARAMETERS: Ty = seq(&[
    opt_t("uiccToolkitApplicationSpecificParametersField", c(0), &OCTETS),
    opt_t("uiccAccessApplicationSpecificParametersField", c(1), &OCTETS),
    opt_t("uiccAdministrativeAccessApplicationSpecificParametersField", c(2), &OCTETS),
]);
/// `ControlReferenceTemplate ::= SEQUENCE { applicationProviderIdentifier [APPLICATION 32] }`.
static CONTROL_REFERENCE_TEMPLATE: Ty = seq(&[req_t("applicationProviderIdentifier", a(32), &OCTETS)]);

/// `ApplicationInstance` (SAIP v3.3.1 §8.7.3).
static APPLICATION_INSTANCE: Ty = seq(&[
    req_t("applicationLoadPackageAID", a(15), &AID),
    req_t("classAID", a(15), &AID),
    req_t("instanceAID", a(15), &AID),
    opt_t("extraditeSecurityDomainAID", a(15), &AID),
    req_t("applicationPrivileges", c(2), &OCTETS),
    opt_t("lifeCycleState", c(3), &OCTET1),
    req_t("applicationSpecificParametersC9", p(9), &OCTETS),
    opt_t("systemSpecificParameters", p(15), &APPLICATION_SYSTEM_PARAMETERS),
    opt_t("applicationParameters", p(10), &UICC_APPLICATION_PARAMETERS),
    opt("processData", &OCTETS_LIST),
    opt_t("controlReferenceTemplate", c(16), &CONTROL_REFERENCE_TEMPLATE),
]);
static APPLICATION_INSTANCES: Ty = seq_of(&APPLICATION_INSTANCE, 1, MAX);

/// `ApplicationLoadPackage` (SAIP v3.3.1 §8.7.2).
static APPLICATION_LOAD_PACKAGE: Ty = seq(&[
    req_t("loadPackageAID", a(15), &AID),
    opt_t("securityDomainAID", a(15), &AID),
    opt_t("nonVolatileCodeLimitC6", p(6), &OCTETS),
    opt_t("volatileDataLimitC7", p(7), &OCTETS),
    opt_t("nonVolatileDataLimitC8", p(8), &OCTETS),
    opt_t("hashValue", p(1), &OCTETS),
    req_t("loadBlockObject", p(4), &OCTETS),
]);
/// `PE-Application`.
pub(crate) static PE_APPLICATION: Ty = seq(&[
    req("app-Header", &PE_HEADER),
    opt("loadBlock", &APPLICATION_LOAD_PACKAGE),
    opt("instanceList", &APPLICATION_INSTANCES),
]);

/// One key component: `SEQUENCE { keyType [0], keyData [6], macLength [7] UInt8 DEFAULT 8 }`.
static KEY_COMPONENT: Ty = seq(&[
    req_t("keyType", c(0), &OCTETS),
    req_t("keyData", c(6), &OCTETS),
    opt_t("macLength", c(7), &UINT8),
]);
static KEY_COMPONENTS: Ty = seq_of(&KEY_COMPONENT, 1, MAX);
/// `KeyObject` (SAIP v3.3.1 §8.6.3, GlobalPlatform key attributes).
static KEY_OBJECT: Ty = seq(&[
    req_t("keyUsageQualifier", c(21), &OCTET_1_2),
    opt_t("keyAccess", c(22), &OCTET1),
    req_t("keyIdentifier", c(2), &OCTET1),
    req_t("keyVersionNumber", c(3), &OCTET1),
    opt_t("keyCounterValue", c(5), &OCTETS),
    req("keyComponents", &KEY_COMPONENTS),
]);
static KEY_LIST: Ty = seq_of(&KEY_OBJECT, 1, MAX);
/// `openPersoData ::= SEQUENCE { restrictParameter [PRIVATE 25], contactlessProtocolParameters
/// OCTET STRING }` (one component tagged: no automatic tags).
static OPEN_PERSO_DATA: Ty =
    seq(&[opt_t("restrictParameter", p(25), &OCTET1), opt("contactlessProtocolParameters", &OCTETS)]);
static CAT_TP_PARAMETERS: Ty = seq(&[req("catTpMaxSduSize", &UINT16), req("catTpMaxPduSize", &UINT16)]);
/// `PE-SecurityDomain` (SAIP v3.3.1 §8.6).
pub(crate) static PE_SECURITY_DOMAIN: Ty = seq(&[
    req("sd-Header", &PE_HEADER),
    req("instance", &APPLICATION_INSTANCE),
    opt("keyList", &KEY_LIST),
    opt("sdPersoData", &OCTETS_LIST),
    opt("openPersoData", &OPEN_PERSO_DATA),
    opt("catTpParameters", &CAT_TP_PARAMETERS),
]);

/// `ADFRFMAccess`.
static ADF_RFM_ACCESS: Ty =
    seq(&[req("adfAID", &AID), req("adfAccessDomain", &OCTETS), req("adfAdminAccessDomain", &OCTETS)]);
static TAR_LIST: Ty = seq_of(&OCTET3, 1, MAX);
/// `PE-RFM` (SAIP v3.3.1 §8.8; tagged, hence not automatically: the access domains keep the
/// universal OCTET STRING tag).
pub(crate) static PE_RFM: Ty = seq(&[
    req_t("rfm-header", c(0), &PE_HEADER),
    req_t("instanceAID", a(15), &AID),
    opt_t("securityDomainAID", a(15), &AID),
    opt_t("tarList", c(0), &TAR_LIST),
    req_t("minimumSecurityLevel", c(1), &OCTET1),
    req("uiccAccessDomain", &OCTETS),
    req("uiccAdminAccessDomain", &OCTETS),
    opt("adfRFMAccess", &ADF_RFM_ACCESS),
]);

/// `PE-NonStandard` (SAIP v3.3.1 §8.9).
pub(crate) static PE_NON_STANDARD: Ty =
    seq(&[req("nonStandard-header", &PE_HEADER), req("issuerID", &OID), req("content", &OCTETS)]);

/// `PE-End` (SAIP v3.3.1 §8.10).
pub(crate) static PE_END: Ty = seq(&[req("end-header", &PE_HEADER)]);

/// `ProfileElement ::= CHOICE { … }`: the alternatives in order, tag `[n]` for the n-th.
pub(crate) static PROFILE_ELEMENT: Ty = choice(&[
    req("header", &PROFILE_HEADER),
    req("genericFileManagement", &PE_GENERIC_FILE_MANAGEMENT),
    req("pinCodes", &PE_PIN_CODES),
    req("pukCodes", &PE_PUK_CODES),
    req("akaParameter", &PE_AKA_PARAMETER),
    req("cdmaParameter", &PE_CDMA_PARAMETER),
    req("securityDomain", &PE_SECURITY_DOMAIN),
    req("rfm", &PE_RFM),
    req("application", &PE_APPLICATION),
    req("nonStandard", &PE_NON_STANDARD),
    req("end", &PE_END),
    req("rfu1", &PE_DUMMY),
    req("rfu2", &PE_DUMMY),
    req("rfu3", &PE_DUMMY),
    req("rfu4", &PE_DUMMY),
    req("rfu5", &PE_DUMMY),
    req("mf", &PE_MF),
    req("cd", &PE_CD),
    req("telecom", &PE_TELECOM),
    req("usim", &PE_USIM),
    req("opt-usim", &PE_OPT_USIM),
    req("isim", &PE_ISIM),
    req("opt-isim", &PE_OPT_ISIM),
    req("phonebook", &PE_PHONEBOOK),
    req("gsm-access", &PE_GSM_ACCESS),
    req("csim", &PE_CSIM),
    req("opt-csim", &PE_OPT_CSIM),
    req("eap", &PE_EAP),
    req("df-5gs", &PE_DF_5GS),
    req("df-saip", &PE_DF_SAIP),
    req("df-snpn", &PE_DF_SNPN),
    req("df-5gprose", &PE_DF_5GPROSE),
    req("iot", &PE_IOT),
    req("opt-iot", &PE_OPT_IOT),
]);
