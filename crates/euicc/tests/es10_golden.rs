//! ES10 codec against golden DER vectors.
//!
//! Sources: DER produced by compiling the SGP.22 v2 RSPDefinitions module (pySim
//! `pySim/esim/asn1/rsp/rsp.asn`) with asn1tools, cross-checked with lpac/euicc-go/pySim, and the
//! GET EID trace of pySim `tests/unittests/test_globalplatform.py`. Hand-made examples are marked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::asn1::DecodeReason;
use oxicard_euicc::es10::bpp::{self, SegmentKind};
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::{Eid, Iccid};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// The ICCID of euicc-go's identifier test (`v2/identifier.go`): `98 44 74 68 00 00 54 37 21 F8`.
fn iccid() -> Iccid {
    "8944478600004573128".parse().unwrap()
}

/// Encodes `value`, compares with `der`, decodes `der` back to `value`.
fn golden<M: Message + PartialEq + std::fmt::Debug>(value: &M, der: &str) {
    assert_eq!(hex::encode_upper(value.to_der()), der.replace(' ', ""), "{}", M::NAME);
    assert_eq!(&M::from_der(&h(der)).unwrap(), value, "{}", M::NAME);
}

#[test]
fn get_eid() {
    // pySim test_globalplatform.py: 80E2910006BF3E035C015A00 -> BF3E125A10…05 9000 (SGP.22 §5.7.20).
    golden(&GetEuiccDataRequest::default(), "BF3E035C015A");
    let response = GetEuiccDataResponse::from_der(&h("BF3E125A1089882119900000000000000000000005")).unwrap();
    assert_eq!(response.eid.to_string(), "89882119900000000000000000000005");
    assert!(response.eid.check_digits_valid());
    golden(&response, "BF3E125A1089882119900000000000000000000005");
    let eid: Eid = "89882119900000000000000000000005".parse().unwrap();
    assert_eq!(response.eid, eid);
}

#[test]
fn empty_requests() {
    // Requests without members (asn1tools DER): BF20 00, BF22 00, BF2E 00, BF3C 00, BF43 00.
    golden(&GetEuiccInfo1Request, "BF2000");
    golden(&GetEuiccInfo2Request, "BF2200");
    golden(&GetEuiccChallengeRequest, "BF2E00");
    golden(&EuiccConfiguredAddressesRequest, "BF3C00");
    golden(&GetRatRequest, "BF4300");
    golden(&ProfileInfoListRequest::default(), "BF2D00");
    golden(&ListNotificationRequest::default(), "BF2800");
    golden(&RetrieveNotificationsListRequest::default(), "BF2B00");
}

#[test]
fn set_default_dp_address() {
    // Digest §3: BF3F058003612E62.
    golden(
        &{
            let mut set_default_dp_address_request = SetDefaultDpAddressRequest::default();
            set_default_dp_address_request.address = "a.b".into();
            set_default_dp_address_request
        },
        "BF3F058003612E62",
    );
    // Hand-made responses (ok 0 / undefinedError 127).
    golden(&SetDefaultDpAddressResponse::new(Ok(())), "BF3F03800100");
    golden(&SetDefaultDpAddressResponse::new(Err(SetDefaultDpAddressError::UndefinedError)), "BF3F0380017F");
}

#[test]
fn prepare_download_error() {
    // Digest §3: BF2108A106800101020105 = downloadResponseError { txId 01, invalidTransactionId }.
    let response = PrepareDownloadResponse::from_der(&h("BF2108A106800101020105")).unwrap();
    let error = response.result.as_ref().unwrap_err();
    assert_eq!(error.transaction_id, [0x01]);
    assert_eq!(error.code, DownloadErrorCode::InvalidTransactionId);
    golden(&response, "BF2108A106800101020105");
}

#[test]
fn notifications() {
    // Digest §3: ListNotification for installs BF280481020780; RemoveNotificationFromList BF3003800105.
    golden(
        &{
            let mut list_notification_request = ListNotificationRequest::default();
            list_notification_request.operations = Some(BitFlags::from_bits([notification_event::INSTALL]));
            list_notification_request
        },
        "BF280481020780",
    );
    golden(
        &{
            let mut notification_sent_request = NotificationSentRequest::default();
            notification_sent_request.seq_number = 5;
            notification_sent_request
        },
        "BF3003800105",
    );
    // Digest §3 error: BF28 81 01 7F.
    golden(&ListNotificationResponse::new(Err(ListNotificationError::UndefinedError)), "BF2803 81017F");
    // Digest §4.3: NotificationMetadata.
    let metadata = {
        let mut notification_metadata = NotificationMetadata::new(
            5,
            BitFlags::from_bits([notification_event::INSTALL]),
            "smdp.example.com".into(),
        );
        notification_metadata.iccid = Some(iccid());
        notification_metadata
    };
    let der = "BF2F25 800105 81020780 0C10736D64702E6578616D706C652E636F6D 5A0A984474680000543721F8";
    golden(&metadata, der);
    // The same inside a ListNotification response (A0 wrapper).
    let list = format!("BF282AA028{}", der.replace(' ', ""));
    golden(&ListNotificationResponse::new(Ok(vec![metadata])), &list);
    // Digest §4.3 PMO table: enable 06 40, disable 05 20, delete 04 10.
    for (bit, contents) in [(1, "0640"), (2, "0520"), (3, "0410")] {
        assert_eq!(hex::encode_upper(BitFlags::from_bits([bit]).to_der_contents()), contents);
    }
    golden(
        &{
            let mut retrieve_notifications_list_request = RetrieveNotificationsListRequest::default();
            retrieve_notifications_list_request.search = Some(NotificationSearch::SeqNumber(5));
            retrieve_notifications_list_request
        },
        "BF2B05A003800105",
    );
    golden(
        &{
            let mut retrieve_notifications_list_request = RetrieveNotificationsListRequest::default();
            retrieve_notifications_list_request.search =
                Some(NotificationSearch::Operations(BitFlags::from_bits([0])));
            retrieve_notifications_list_request
        },
        "BF2B06A00481020780",
    );
}

#[test]
fn profile_info_list() {
    // Digest §3: tag list request BF2D065C045A4F9F70.
    golden(
        &{
            let mut profile_info_list_request = ProfileInfoListRequest::default();
            profile_info_list_request.tag_list = Some(h("5A4F9F70"));
            profile_info_list_request
        },
        "BF2D065C045A4F9F70",
    );
    // Search by ICCID (A0 { 5A }), hand-made from the ASN.1 ProfileInfoListRequest.
    golden(
        &{
            let mut profile_info_list_request = ProfileInfoListRequest::default();
            profile_info_list_request.search = Some(ProfileSearch::Iccid(iccid()));
            profile_info_list_request
        },
        "BF2D0EA00C5A0A984474680000543721F8",
    );
    // Digest §4.1 DER example (asn1tools).
    let der = "BF2D2C A02A E328 5A0A984474680000543721F8 4F10A0000005591010FFFFFFFF8900001000 9F700101 900178 950102";
    let response = ProfileInfoListResponse::from_der(&h(der)).unwrap();
    let profiles = response.result.as_ref().unwrap();
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p.iccid.unwrap().to_string(), "8944478600004573128");
    assert_eq!(p.isdp_aid.as_deref(), Some(&h("A0000005591010FFFFFFFF8900001000")[..]));
    assert_eq!(p.state, Some(ProfileState::Enabled));
    assert_eq!(p.nickname.as_deref(), Some("x"));
    assert_eq!(p.class(), ProfileClass::Operational);
    golden(&response, der);
    // Error: ProfileInfoListError `BF2D 81 xx` (SGP.22 §5.7.15), incorrectInputValues 1.
    golden(&ProfileInfoListResponse::new(Err(ProfileInfoListError::IncorrectInputValues)), "BF2D03810101");
}

#[test]
fn profile_info_every_field_and_unknown_extensions() {
    // Hand-made: every v2 member, then v3 members and unknown extensions the decoder must skip.
    let profile = {
        let mut profile_info = ProfileInfo::new(iccid());
        profile_info.isdp_aid = Some(h("A0000005591010FFFFFFFF8900001000"));
        profile_info.state = Some(ProfileState::Disabled);
        profile_info.nickname = Some("work".into());
        profile_info.service_provider_name = Some("SP".into());
        profile_info.profile_name = Some("PN".into());
        profile_info.icon_type = Some(IconType::Png);
        profile_info.icon = Some(vec![0x89, 0x50]);
        profile_info.class = Some(ProfileClass::Test);
        profile_info.notification_configuration = Some(vec![NotificationConfigurationInformation::new(
            BitFlags::from_bits([0, 1, 2, 3]),
            "a.b".into(),
        )]);
        profile_info.owner = Some({
            let mut operator_id = OperatorId::new(h("62F210"));
            operator_id.gid1 = Some(h("01"));
            operator_id
        });
        profile_info.dp_proprietary_data = Some(DpProprietaryData::new("2.999.10".parse().unwrap()));
        profile_info.policy_rules = Some(BitFlags::from_bits([ppr::PPR2]));
        profile_info.enabled_on_esim_port = Some(1);
        profile_info.profile_size = Some(30_000);
        profile_info
    };
    let response = ProfileInfoListResponse::new(Ok(vec![profile.clone()]));
    let der = response.to_der();
    assert_eq!(ProfileInfoListResponse::from_der(&der).unwrap(), response);
    // Same content with unknown members (v3 9F1F serviceDescription, BF22, a private tag DF7F)
    // added at the front, middle and end of the E3: still decoded, the extras skipped.
    let e3 = {
        let outer = oxicard_euicc::asn1::Fields::parse(&der[3..], "t").unwrap();
        let list = outer.first().unwrap();
        let e3 = list.fields("t").unwrap().first().unwrap();
        e3.value().to_vec()
    };
    let mut contents = h("9F1F020780");
    contents.extend_from_slice(&e3[..12]);
    contents.extend_from_slice(&h("BF2203800101"));
    contents.extend_from_slice(&e3[12..]);
    contents.extend_from_slice(&h("DF7F00"));
    let mut e = oxicard_euicc::asn1::Encoder::new();
    e.nested(ProfileInfoListResponse::TAG, |e| {
        e.nested(oxicard_euicc::asn1::ctx_c(0), |e| e.tlv(oxicard_euicc::asn1::private_c(3), &contents))
    });
    let with_extensions = e.finish();
    assert_eq!(ProfileInfoListResponse::from_der(&with_extensions).unwrap(), response);
    assert_eq!(profile.owner.unwrap().plmn(), Some(("262".into(), "01".into())));
}

#[test]
fn enable_disable_delete() {
    // Digest §3: EnableProfile by ICCID with refresh, DeleteProfile by ICCID.
    let enable = EnableProfileRequest::new(iccid().into(), true);
    golden(&enable, "BF3111A00C5A0A984474680000543721F88101FF");
    golden(&DeleteProfileRequest::new(iccid().into()), "BF330C5A0A984474680000543721F8");
    // Hand-made: by AID, no refresh.
    let aid = h("A0000005591010FFFFFFFF8900001000");
    golden(
        &DisableProfileRequest::new(ProfileIdentifier::IsdpAid(aid.clone()), false),
        "BF3217A0124F10A0000005591010FFFFFFFF8900001000810100",
    );
    golden(
        &DeleteProfileRequest::new(ProfileIdentifier::IsdpAid(aid)),
        "BF33124F10A0000005591010FFFFFFFF8900001000",
    );
    // Result codes (SGP.22 §5.7.16 EnableProfile).
    golden(&EnableProfileResponse::new(Ok(())), "BF3103800100");
    for (code, error) in [
        (1, EnableProfileError::IccidOrAidNotFound),
        (2, EnableProfileError::ProfileNotInDisabledState),
        (3, EnableProfileError::DisallowedByPolicy),
        (4, EnableProfileError::WrongProfileReenabling),
        (5, EnableProfileError::CatBusy),
        (127, EnableProfileError::UndefinedError),
        (99, EnableProfileError::Unknown(99)),
    ] {
        let response = EnableProfileResponse::new(Err(error));
        let decoded = EnableProfileResponse::from_der(&response.to_der()).unwrap();
        assert_eq!(decoded, response);
        assert_eq!(error.code(), code);
    }
    assert_eq!(
        DisableProfileResponse::from_der(&h("BF3203800102")).unwrap().result,
        Err(DisableProfileError::ProfileNotInEnabledState)
    );
    assert_eq!(
        DeleteProfileResponse::from_der(&h("BF3303800102")).unwrap().result,
        Err(DeleteProfileError::ProfileNotInDisabledState)
    );
    assert_eq!(EnableProfileError::CatBusy.to_string(), "catBusy (5)");
}

#[test]
fn memory_reset_each_option() {
    // Digest §3: all three v2 options = BF3404820205E0.
    golden(
        &{
            let mut euicc_memory_reset_request = EuiccMemoryResetRequest::default();
            euicc_memory_reset_request.options = BitFlags::from_bits([0, 1, 2]);
            euicc_memory_reset_request
        },
        "BF3404820205E0",
    );
    // Each option alone (named-bit DER, X.690 §11.2.2), hand-computed.
    for (bit, der) in [
        (reset_options::DELETE_OPERATIONAL_PROFILES, "BF340482020780"),
        (reset_options::DELETE_FIELD_LOADED_TEST_PROFILES, "BF340482020640"),
        (reset_options::RESET_DEFAULT_SMDP_ADDRESS, "BF340482020520"),
        (reset_options::DELETE_PRE_LOADED_TEST_PROFILES, "BF340482020410"),
        (reset_options::DELETE_PROVISIONING_PROFILES, "BF340482020308"),
    ] {
        golden(
            &{
                let mut euicc_memory_reset_request = EuiccMemoryResetRequest::default();
                euicc_memory_reset_request.options = BitFlags::from_bits([bit]);
                euicc_memory_reset_request
            },
            der,
        );
    }
    golden(&EuiccMemoryResetResponse::new(Err(EuiccMemoryResetError::NothingToDelete)), "BF3403800101");
    golden(&EuiccMemoryResetResponse::new(Err(EuiccMemoryResetError::CatBusy)), "BF3403800105");
}

#[test]
fn euicc_info1() {
    // Digest §4.2 (the signing list repeats the verification key id).
    let der = "BF2035 8203020202 A9160414 81370F5125D0B1D408D4C3B232E6D25E795BEBFB AA160414 81370F5125D0B1D408D4C3B232E6D25E795BEBFB";
    let info = EuiccInfo1::from_der(&h(der)).unwrap();
    assert_eq!(info.svn, Version::new(2, 2, 2));
    assert_eq!(info.ci_pkids_for_verification, vec![h("81370F5125D0B1D408D4C3B232E6D25E795BEBFB")]);
    assert_eq!(info.ci_pkids_for_signing.len(), 1);
    golden(&info, der);
    // v3 members and an unknown one: 88 euiccRspCapability, 93 highestSvn, 9F7F unknown.
    let v3 = "BF2041 8203020202 A9160414 81370F5125D0B1D408D4C3B232E6D25E795BEBFB AA160414 81370F5125D0B1D408D4C3B232E6D25E795BEBFB 88020490 9303030100 9F7F00";
    let info = EuiccInfo1::from_der(&h(v3)).unwrap();
    assert_eq!(info.highest_svn, Some(Version::new(3, 1, 0)));
    assert!(info.rsp_capability.as_ref().unwrap().contains(0));
    assert!(info.rsp_capability.as_ref().unwrap().contains(3));
}

#[test]
fn euicc_info2_full() {
    // Hand-made EUICCInfo2 with every v2 member in module order plus v3 members.
    let info = {
        let mut euicc_info2 = EuiccInfo2::default();
        euicc_info2.profile_version = Version::new(2, 3, 1);
        euicc_info2.svn = Version::new(2, 2, 2);
        euicc_info2.firmware_version = Version::new(4, 6, 0);
        euicc_info2.ext_card_resource = ExtCardResource(h("810100820400012345830200FF"));
        euicc_info2.uicc_capability = BitFlags::from_bits([0, 1, 2, 4, 14, 16]);
        euicc_info2.ts102241_version = Some(Version::new(9, 2, 0));
        euicc_info2.globalplatform_version = Some(Version::new(2, 3, 0));
        euicc_info2.rsp_capability = BitFlags::from_bits([0, 3, 4]);
        euicc_info2.ci_pkids_for_verification = vec![h("81370F5125D0B1D408D4C3B232E6D25E795BEBFB")];
        euicc_info2.ci_pkids_for_signing = vec![h("81370F5125D0B1D408D4C3B232E6D25E795BEBFB")];
        euicc_info2.euicc_category = Some(EuiccCategory::BasicEuicc);
        euicc_info2.forbidden_profile_policy_rules = Some(BitFlags::from_bits([ppr::PPR1]));
        euicc_info2.pp_version = Version::new(1, 0, 0);
        euicc_info2.sas_accreditation_number = "GI-BA-UP-0419".into();
        euicc_info2.certification_data =
            Some(CertificationDataObject::new("label".into(), "https://dloa.example".into()));
        euicc_info2.tre_properties = Some(BitFlags::from_bits([0]));
        euicc_info2.tre_product_reference = Some("tre".into());
        euicc_info2.additional_profile_package_versions = Some(vec![Version::new(3, 3, 1)]);
        euicc_info2.lpa_mode = Some(LpaMode::Lpad);
        euicc_info2.ci_pkids_for_signing_v3 = Some(vec![h("F54172BDF98A95D65CBEB88A38A1C11D800A85C3")]);
        euicc_info2.additional_euicc_info = Some(h("0102"));
        euicc_info2.highest_svn = Some(Version::new(3, 1, 0));
        euicc_info2
    };
    let der = info.to_der();
    assert_eq!(&der[..2], &[0xBF, 0x22]);
    assert_eq!(EuiccInfo2::from_der(&der).unwrap(), info);
    assert_eq!(info.ext_card_resource.installed_applications(), Some(0));
    assert_eq!(info.ext_card_resource.free_non_volatile_memory(), Some(0x12345));
    assert_eq!(info.ext_card_resource.free_volatile_memory(), Some(0xFF));
    // ppVersion is a universal OCTET STRING and sasAcreditationNumber a universal UTF8String
    // (the SEQUENCE has tagged members, so X.680 applies no automatic tagging).
    let text = hex::encode_upper(&der);
    assert!(text.contains("0403010000"), "{text}");
    assert!(text.contains("0C0D47492D42412D55502D30343139"), "{text}");
    // A mandatory member missing is a typed error.
    let err = EuiccInfo2::from_der(&h("BF2205 8103020301")).unwrap_err();
    assert_eq!(err.reason(), &DecodeReason::Missing("svn"));
}

#[test]
fn configured_addresses() {
    // Hand-made per the ASN.1 EuiccConfiguredAddressesResponse: BF3C { 80 default, 81 root }.
    golden(
        &{
            let mut euicc_configured_addresses = EuiccConfiguredAddresses::default();
            euicc_configured_addresses.default_dp_address = Some("a.b".into());
            euicc_configured_addresses.root_ds_address = "lpa.ds.gsma.com".into();
            euicc_configured_addresses
        },
        "BF3C16 8003612E62 810F6C70612E64732E67736D612E636F6D",
    );
    golden(
        &{
            let mut euicc_configured_addresses = EuiccConfiguredAddresses::default();
            euicc_configured_addresses.root_ds_address = "a".into();
            euicc_configured_addresses
        },
        "BF3C03 810161",
    );
}

#[test]
fn ctx_params1_and_authenticate_server() {
    // Digest §5.1 step 3: ctxParams1 with matchingId "ABC", TAC 35290611, E-UTRAN 13.0.0, IMEI 11…11.
    let ctx = {
        let mut ctx_params1 = CtxParams1::default();
        ctx_params1.matching_id = Some("ABC".into());
        ctx_params1.device_info = {
            let mut device_info = DeviceInfo::default();
            device_info.tac = h("35290611");
            device_info.capabilities = {
                let mut device_capabilities = DeviceCapabilities::default();
                device_capabilities.eutran = Some(Version::new(13, 0, 0));
                device_capabilities
            };
            device_info.imei = Some(h("1111111111111111"));
            device_info
        };
        ctx_params1
    };
    let der = "A01E 8003414243 A117 800435290611 A10585030D0000 82081111111111111111";
    assert_eq!(hex::encode_upper(ctx.to_der()), der.replace(' ', ""));
    // Hand-made request around it: the server TLVs are opaque and forwarded unchanged.
    let request = {
        let mut authenticate_server_request =
            AuthenticateServerRequest::new(h("3003800101"), h("5F370102"), h("30020500"), ctx);
        authenticate_server_request.euicc_ci_pkid_to_be_used = Some(h("040103"));
        authenticate_server_request
    };
    request.validate().unwrap();
    let encoded = request.to_der();
    assert_eq!(
        hex::encode_upper(&encoded),
        format!("BF3830{}", "3003800101 5F370102 040103 30020500".replace(' ', "") + &der.replace(' ', ""))
    );
    assert_eq!(AuthenticateServerRequest::from_der(&encoded).unwrap(), request);
    // A wrong TLV is caught before sending.
    let bad = {
        let mut authenticate_server_request = request;
        authenticate_server_request.server_signature1 = h("040102");
        authenticate_server_request
    };
    assert!(bad.validate().is_err());
}

#[test]
fn authenticate_server_responses() {
    // Hand-made error: A1 { 80 txId, 02 euiccChallengeMismatch }.
    let der = "BF3808 A106 800101 020106";
    let response = AuthenticateServerResponse::from_der(&h(der)).unwrap();
    let error = response.result.as_ref().unwrap_err();
    assert_eq!(error.code, AuthenticateErrorCode::EuiccChallengeMismatch);
    golden(&response, der);
    // Hand-made ok with opaque signed parts.
    let ok = "BF3813 A011 3003800101 5F370102 30020500 30020500";
    let response = AuthenticateServerResponse::from_der(&h(ok)).unwrap();
    let parts = response.result.as_ref().unwrap();
    assert_eq!(parts.euicc_signed1, h("3003800101"));
    assert_eq!(parts.eum_certificate, h("30020500"));
    golden(&response, ok);
}

#[test]
fn cancel_session() {
    // Digest §5.4: BF41 { 80 txId, 81 reason }; hand-made values.
    golden(
        &CancelSessionRequest::new(h("0102"), CancelSessionReason::EndUserRejection),
        "BF4107 80020102 810100",
    );
    golden(
        &CancelSessionRequest::new(h("01"), CancelSessionReason::LoadBppExecutionError),
        "BF4106 800101 810105",
    );
    golden(&CancelSessionResponse::new(Err(CancelSessionError::InvalidTransactionId)), "BF4103810105");
    let ok = "BF4113 A011 300B 800101 8103883703 820100 5F370102";
    let response = CancelSessionResponse::from_der(&h(ok)).unwrap();
    assert_eq!(
        response.result.as_ref().unwrap().euicc_cancel_session_signed,
        h("300B8001018103883703820100")
    );
    golden(&response, ok);
}

/// A ProfileInstallationResultData (asn1tools DER of the SGP.22 v2 module) with a hand-made
/// 64-byte signature.
fn pir_der() -> Vec<u8> {
    let data = "BF271C 800101 BF2F0C 800101 81020780 0C03612E62 A208 A106 800101 810108";
    let mut der = h("BF3762");
    der.extend(h(data));
    der.extend(h("5F3740"));
    der.extend([0x5A; 64]);
    der
}

#[test]
fn profile_installation_result() {
    let data = ProfileInstallationResultData::from_der(&h(
        "BF271C 800101 BF2F0C 800101 81020780 0C03612E62 A208 A106 800101 810108",
    ))
    .unwrap();
    assert_eq!(data.transaction_id, [0x01]);
    assert_eq!(data.notification_metadata.seq_number, 1);
    assert_eq!(data.notification_metadata.address, "a.b");
    assert_eq!(data.smdp_oid, None);
    let pir = ProfileInstallationResult::from_der(&pir_der()).unwrap();
    assert_eq!(pir.as_der(), &pir_der()[..]);
    assert_eq!(
        pir.outcome(),
        Err(InstallationError::new(BppCommandId::ConfigureIsdp, ErrorReason::Scp03tSecurityError))
    );
    assert_eq!(pir.to_der(), pir_der());
    let rebuilt = ProfileInstallationResult::new(data, &pir_der()[34..]);
    assert_eq!(rebuilt.as_der(), &pir_der()[..]);
    // As a pending notification in RetrieveNotificationsList (BF2B A0 { BF37 … }).
    let mut list = h("BF2B67A065");
    list.extend(pir_der());
    let response = RetrieveNotificationsListResponse::from_der(&list).unwrap();
    let items = response.result.as_ref().unwrap();
    assert_eq!(items[0].as_der(), &pir_der()[..]);
    assert_eq!(items[0].metadata().seq_number, 1);
    assert_eq!(response.to_der(), list);
}

#[test]
fn other_signed_notification() {
    // Hand-made: metadata of a delete (NotificationEvent PMO `04 10`), opaque signature and certificates.
    let metadata =
        NotificationMetadata::new(7, BitFlags::from_bits([notification_event::DELETE]), "a.b".into());
    let n = OtherSignedNotification::new(metadata.clone(), &h("5F370102"), &h("30020500"), &h("30020500"));
    assert_eq!(
        hex::encode_upper(n.as_der()),
        "301BBF2F0C800107810204100C03612E625F37010230020500 30020500".replace(' ', "")
    );
    let parsed = PendingNotification::from_der(n.as_der()).unwrap();
    assert_eq!(parsed.metadata(), &metadata);
}

#[test]
fn rat() {
    // Hand-made per the ASN.1 RulesAuthorisationTable: BF43 { A0 { 30 { 80 pprIds, A1 { 30 { 80 mccMnc } }, 82 flags } } }.
    let response = {
        let mut get_rat_response = GetRatResponse::default();
        get_rat_response.rules = vec![ProfilePolicyAuthorisationRule::new(
            BitFlags::from_bits([ppr::PPR1, ppr::PPR2]),
            vec![OperatorId::new(h("EEEEEE"))],
            BitFlags::from_bits([ppr_flags::CONSENT_REQUIRED]),
        )];
        get_rat_response
    };
    golden(&response, "BF4315 A013 3011 80020560 A107 3005 8003EEEEEE 82020780");
}

#[test]
fn set_nickname() {
    golden(&SetNicknameRequest::new(iccid(), "x".into()), "BF290F 5A0A984474680000543721F8 900178");
    golden(&SetNicknameResponse::new(Err(SetNicknameError::IccidNotFound)), "BF2903800101");
}

#[test]
fn bpp_segments_golden_outline() {
    // Digest §5.2 outline; the BF23 contents (elided there) are hand-made, 25 bytes.
    let bf23 = "BF2319 820101 800101 A609800188810110840101 5F490104 5F370105";
    let bpp = h(&format!("BF3636{bf23}A0038701AAA1068801BB8801CCA2038701DDA3068601EE8601FF"));
    let segments = bpp::segments(&bpp).unwrap();
    let got: Vec<(SegmentKind, String)> =
        segments.iter().map(|s| (s.kind, hex::encode_upper(s.bytes))).collect();
    let expected = [
        (SegmentKind::InitialiseSecureChannel, format!("BF3636{}", bf23.replace(' ', ""))),
        (SegmentKind::ConfigureIsdp, "A0038701AA".to_owned()),
        (SegmentKind::StoreMetadataHeader, "A106".to_owned()),
        (SegmentKind::StoreMetadata, "8801BB".to_owned()),
        (SegmentKind::StoreMetadata, "8801CC".to_owned()),
        (SegmentKind::ReplaceSessionKeys, "A2038701DD".to_owned()),
        (SegmentKind::ProfileElementsHeader, "A306".to_owned()),
        (SegmentKind::ProfileElements, "8601EE".to_owned()),
        (SegmentKind::ProfileElements, "8601FF".to_owned()),
    ];
    assert_eq!(got, expected);
    assert_eq!(segments.iter().flat_map(|s| s.bytes.iter().copied()).collect::<Vec<_>>(), bpp);
    // Wrong order / missing parts are errors.
    assert!(bpp::segments(&h("BF3605A0038701AA")).is_err());
    assert!(bpp::segments(&h("BF2300")).is_err());
}

#[test]
fn rejects_garbage_without_panicking() {
    for bytes in [&[][..], &[0xBF], &[0xBF, 0x2D], &[0xBF, 0x2D, 0x05, 0xA0], &[0xBF, 0x2D, 0x00, 0x00]] {
        assert!(ProfileInfoListResponse::from_der(bytes).is_err());
    }
    let err = ProfileInfoListResponse::from_der(&h("BF2E00")).unwrap_err();
    assert!(err.to_string().contains("expected tag BF2D, found BF2E"), "{err}");
}

#[test]
fn load_crl_lpae_verify_smds() {
    // Hand-made per the v2 module (LoadCRL, LpaeActivation) and the v3 module (VerifySmdsResponse).
    golden(&LoadCrlRequest::new(h("30020500")), "BF3504 30020500");
    golden(&LoadCrlResponse::new(Ok(vec![])), "BF3502 A000");
    golden(&LoadCrlResponse::new(Ok(vec![2, 3])), "BF350E A00C A00A 3003800102 3003800103");
    golden(&LoadCrlResponse::new(Err(LoadCrlError::VerificationKeyNotFound)), "BF3503 810104");
    golden(
        &{
            let mut lpae_activation_request = LpaeActivationRequest::default();
            lpae_activation_request.options = BitFlags::from_bits([lpae_option::ACTIVATE_CAT_BASED_LPAE]);
            lpae_activation_request
        },
        "BF4204 80020780",
    );
    golden(&LpaeActivationResponse::new(Err(LpaeActivationError::NotSupported)), "BF4203 800101");
    let verify = VerifySmdsResponseRequest::new(h("A103800101"), h("5F370102"));
    verify.validate().unwrap();
    golden(&verify, "BF4509 A103800101 5F370102");
    golden(&VerifySmdsResponseResponse::new(Ok(())), "BF4502 8000");
    golden(&VerifySmdsResponseResponse::new(Err(VerifySmdsResponseError::NoSession)), "BF4503 810104");
}
