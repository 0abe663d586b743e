//! lpac's JSON field names for profiles, chip info and notifications, and lpac's function
//! names of the discovery steps (see the README's compatibility table).

use base64::Engine as _;
use oxicard_euicc::discovery::DiscoveryStep;
use oxicard_euicc::es10::{
    BitFlags, EuiccConfiguredAddresses, EuiccInfo2, NotificationMetadata, ProfileInfo, bit_names,
};
use oxicard_euicc::iccid::Eid;
use oxicard_euicc::notify::dump::operation_name;
use serde_json::{Value, json};

/// One profile as lpac's `profile list` element.
pub(crate) fn profile(p: &ProfileInfo) -> Value {
    json!({
        "iccid": p.iccid.map(|i| i.to_string()),
        "isdpAid": p.isdp_aid.as_ref().map(hex::encode_upper),
        "profileState": p.state.map(|s| s.asn1_name()),
        "profileNickname": p.nickname,
        "serviceProviderName": p.service_provider_name,
        "profileName": p.profile_name,
        "iconType": p.icon_type.map(|t| t.asn1_name()),
        "icon": p.icon.as_ref().map(|i| base64::engine::general_purpose::STANDARD.encode(i)),
        "profileClass": p.class.map(|c| c.asn1_name()),
    })
}

/// lpac's `chip info` data.
pub(crate) fn chip_info(eid: &Eid, addresses: &EuiccConfiguredAddresses, info2: &EuiccInfo2) -> Value {
    let hex_list = |l: &[Vec<u8>]| l.iter().map(hex::encode).collect::<Vec<_>>();
    let names = |b: &BitFlags, table| b.names(table).collect::<Vec<_>>();
    json!({
        "eidValue": eid.to_string(),
        "EuiccConfiguredAddresses": {
            "defaultDpAddress": addresses.default_dp_address,
            "rootDsAddress": addresses.root_ds_address,
        },
        "EUICCInfo2": {
            "profileVersion": info2.profile_version.to_string(),
            "svn": info2.svn.to_string(),
            "euiccFirmwareVer": info2.firmware_version.to_string(),
            "extCardResource": {
                "installedApplication": info2.ext_card_resource.installed_applications(),
                "freeNonVolatileMemory": info2.ext_card_resource.free_non_volatile_memory(),
                "freeVolatileMemory": info2.ext_card_resource.free_volatile_memory(),
            },
            "uiccCapability": names(&info2.uicc_capability, bit_names::UICC_CAPABILITY),
            "ts102241Version": info2.ts102241_version.map(|v| v.to_string()),
            "globalplatformVersion": info2.globalplatform_version.map(|v| v.to_string()),
            "rspCapability": names(&info2.rsp_capability, bit_names::RSP_CAPABILITY),
            "euiccCiPKIdListForVerification": hex_list(&info2.ci_pkids_for_verification),
            "euiccCiPKIdListForSigning": hex_list(&info2.ci_pkids_for_signing),
            "euiccCategory": info2.euicc_category.map(|c| c.asn1_name()),
            "forbiddenProfilePolicyRules": info2.forbidden_profile_policy_rules.as_ref().map(|b| names(b, bit_names::PPR_IDS)),
            "ppVersion": info2.pp_version.to_string(),
            "sasAcreditationNumber": info2.sas_accreditation_number,
            "certificationDataObject": info2.certification_data.as_ref().map(|c| json!({
                "platformLabel": c.platform_label,
                "discoveryBaseURL": c.discovery_base_url,
            })),
        },
    })
}

/// One notification as lpac's `notification list` element.
pub(crate) fn notification(n: &NotificationMetadata) -> Value {
    json!({
        "seqNumber": n.seq_number,
        "profileManagementOperation": operation_name(&n.operation),
        "notificationAddress": n.address,
        "iccid": n.iccid.map(|i| i.to_string()),
    })
}

/// lpac's function name of a discovery step (progress messages and the error object): lpac's
/// discovery reuses its ES9+ InitiateAuthentication for ES11 (`src/applet/profile/discovery.c`).
pub(crate) fn discovery_function(step: DiscoveryStep) -> &'static str {
    match step {
        DiscoveryStep::GetEuiccInfo1 | DiscoveryStep::GetEuiccChallenge => {
            "es10b_get_euicc_challenge_and_info"
        }
        DiscoveryStep::InitiateAuthentication => "es9p_initiate_authentication",
        DiscoveryStep::AuthenticateServer => "es10b_authenticate_server",
        DiscoveryStep::AuthenticateClient => "es11_authenticate_client",
        _ => "discovery",
    }
}
