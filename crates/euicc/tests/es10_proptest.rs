//! Property tests: every ES10 message round-trips through DER, decoders never panic, and the
//! BPP splitter covers every byte in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::asn1::{Encoder, ctx, ctx_c};
use oxicard_euicc::es10::bpp;
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::{Eid, Iccid};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(".{{0,{max}}}")).unwrap()
}

fn iccid() -> impl Strategy<Value = Iccid> {
    any::<[u8; 10]>().prop_map(Iccid::from_bytes)
}

fn flags() -> impl Strategy<Value = BitFlags> {
    vec(0usize..40, 0..6).prop_map(BitFlags::from_bits)
}

fn version() -> impl Strategy<Value = Version> {
    any::<[u8; 3]>().prop_map(|[a, b, c]| Version::new(a, b, c))
}

fn code() -> impl Strategy<Value = i64> {
    any::<i64>()
}

fn nonzero() -> impl Strategy<Value = i64> {
    any::<i64>().prop_filter("0 is ok", |c| *c != 0)
}

fn oid() -> impl Strategy<Value = Oid> {
    (0u128..3, 0u128..40, vec(any::<u64>(), 0..6)).prop_map(|(a, b, rest)| {
        let mut s = format!("{a}.{b}");
        for arc in rest {
            s.push_str(&format!(".{arc}"));
        }
        s.parse().unwrap()
    })
}

/// A whole TLV with universal `tag` (`0x30`, `0x04`) or `5F37`, and arbitrary contents.
fn tlv(tag: der::Tag) -> impl Strategy<Value = Vec<u8>> {
    bytes(300).prop_map(move |content| {
        let mut e = Encoder::new();
        e.tlv(tag, &content);
        e.finish()
    })
}

fn operator() -> impl Strategy<Value = OperatorId> {
    (bytes(4), of(bytes(4)), of(bytes(4))).prop_map(|(mcc_mnc, gid1, gid2)| {
        let mut operator_id = OperatorId::new(mcc_mnc);
        operator_id.gid1 = gid1;
        operator_id.gid2 = gid2;
        operator_id
    })
}

fn profile_id() -> impl Strategy<Value = ProfileIdentifier> {
    prop_oneof![bytes(17).prop_map(ProfileIdentifier::IsdpAid), iccid().prop_map(ProfileIdentifier::Iccid)]
}

fn nci() -> impl Strategy<Value = NotificationConfigurationInformation> {
    (flags(), text(20))
        .prop_map(|(operation, address)| NotificationConfigurationInformation::new(operation, address))
}

prop_compose! {
    fn profile_info()(
        iccid in of(iccid()), isdp_aid in of(bytes(17)), state in of(code()), nickname in of(text(64)),
        spn in of(text(32)), name in of(text(64)), icon_type in of(code()), icon in of(bytes(40)),
        class in of(code()), nc in of(vec(nci(), 0..3)), owner in of(operator()), dp in of(oid()),
        pprs in of(flags()), port in of(code()), size in of(code()),
    ) -> ProfileInfo {
        let mut profile_info = ProfileInfo::default();
        profile_info.iccid = iccid;
        profile_info.isdp_aid = isdp_aid;
        profile_info.state = state.map(ProfileState::from_code);
        profile_info.nickname = nickname;
        profile_info.service_provider_name = spn;
        profile_info.profile_name = name;
        profile_info.icon_type = icon_type.map(IconType::from_code);
        profile_info.icon = icon;
        profile_info.class = class.map(ProfileClass::from_code);
        profile_info.notification_configuration = nc;
        profile_info.owner = owner;
        profile_info.dp_proprietary_data = dp.map(DpProprietaryData::new);
        profile_info.policy_rules = pprs;
        profile_info.enabled_on_esim_port = port;
        profile_info.profile_size = size;
        profile_info
    }
}

prop_compose! {
    fn euicc_info2()(
        versions in vec(version(), 7), ext in bytes(20), uicc in flags(), rsp in flags(),
        pkids in vec(bytes(21), 0..3), category in of(code()), forbidden in of(flags()),
        sas in text(64), cert in of((text(10), text(10))), tre in of(flags()), tre_ref in of(text(10)),
        more in of(vec(version(), 0..3)), lpa in of(code()), v3 in of(vec(bytes(21), 0..3)),
        extra in of(bytes(32)), highest in of(version()), optional_versions in (any::<bool>(), any::<bool>()),
    ) -> EuiccInfo2 {
        let mut euicc_info2 = EuiccInfo2::default();
        euicc_info2.profile_version = versions[0];
        euicc_info2.svn = versions[1];
        euicc_info2.firmware_version = versions[2];
        euicc_info2.ext_card_resource = ExtCardResource(ext);
        euicc_info2.uicc_capability = uicc;
        euicc_info2.ts102241_version = optional_versions.0.then_some(versions[3]);
        euicc_info2.globalplatform_version = optional_versions.1.then_some(versions[4]);
        euicc_info2.rsp_capability = rsp;
        euicc_info2.ci_pkids_for_verification = pkids.clone();
        euicc_info2.ci_pkids_for_signing = pkids;
        euicc_info2.euicc_category = category.map(EuiccCategory::from_code);
        euicc_info2.forbidden_profile_policy_rules = forbidden;
        euicc_info2.pp_version = versions[5];
        euicc_info2.sas_accreditation_number = sas;
        euicc_info2.certification_data = cert.map(|(platform_label, discovery_base_url)| CertificationDataObject::new(platform_label, discovery_base_url));
        euicc_info2.tre_properties = tre;
        euicc_info2.tre_product_reference = tre_ref;
        euicc_info2.additional_profile_package_versions = more;
        euicc_info2.lpa_mode = lpa.map(LpaMode::from_code);
        euicc_info2.ci_pkids_for_signing_v3 = v3;
        euicc_info2.additional_euicc_info = extra;
        euicc_info2.highest_svn = highest;
        euicc_info2
    }
}

fn metadata() -> impl Strategy<Value = NotificationMetadata> {
    (any::<u64>(), flags(), text(30), of(iccid())).prop_map(|(seq_number, operation, address, iccid)| {
        let mut notification_metadata = NotificationMetadata::new(seq_number, operation, address);
        notification_metadata.iccid = iccid;
        notification_metadata
    })
}

fn pir_data() -> impl Strategy<Value = ProfileInstallationResultData> {
    let success =
        (bytes(16), bytes(30)).prop_map(|(aid, sima_response)| FinalResult::Success { aid, sima_response });
    let error = (code(), code(), of(bytes(30))).prop_map(|(c, r, sima_response)| FinalResult::Error {
        error: InstallationError::new(BppCommandId::from_code(c), ErrorReason::from_code(r)),
        sima_response,
    });
    (bytes(16), metadata(), of(oid()), prop_oneof![success, error]).prop_map(
        |(transaction_id, notification_metadata, smdp_oid, final_result)| {
            let mut profile_installation_result_data =
                ProfileInstallationResultData::new(transaction_id, notification_metadata, final_result);
            profile_installation_result_data.smdp_oid = smdp_oid;
            profile_installation_result_data
        },
    )
}

fn pending() -> impl Strategy<Value = PendingNotification> {
    prop_oneof![
        (pir_data(), tlv(SIG)).prop_map(|(data, sig)| PendingNotification::ProfileInstallationResult(
            ProfileInstallationResult::new(data, &sig)
        )),
        (metadata(), tlv(SIG), tlv(der::Tag::Sequence), tlv(der::Tag::Sequence)).prop_map(
            |(m, s, c1, c2)| {
                PendingNotification::OtherSignedNotification(OtherSignedNotification::new(m, &s, &c1, &c2))
            }
        ),
    ]
}

fn ctx_params() -> impl Strategy<Value = CtxParams1> {
    (of(text(20)), bytes(8), vec(of(version()), 12), of(bytes(8))).prop_map(|(matching_id, tac, v, imei)| {
        let mut ctx_params1 = CtxParams1::default();
        ctx_params1.matching_id = matching_id;
        ctx_params1.device_info = {
            let mut device_info = DeviceInfo::default();
            device_info.tac = tac;
            device_info.capabilities = {
                let mut device_capabilities = DeviceCapabilities::default();
                device_capabilities.gsm = v[0];
                device_capabilities.utran = v[1];
                device_capabilities.cdma2000_1x = v[2];
                device_capabilities.cdma2000_hrpd = v[3];
                device_capabilities.cdma2000_ehrpd = v[4];
                device_capabilities.eutran = v[5];
                device_capabilities.contactless = v[6];
                device_capabilities.rsp_crl = v[7];
                device_capabilities.tag88 = v[8];
                device_capabilities.nr_5gc = v[9];
                device_capabilities.eutran_5gc = v[10];
                device_capabilities.lpa_svn = v[11];
                device_capabilities
            };
            device_info.imei = imei;
            device_info
        };
        ctx_params1
    })
}

const SIG: der::Tag = der::Tag::Application { constructed: false, number: der::TagNumber(55) };

/// Asserts `decode(encode(value)) == value`.
fn roundtrip<M: Message + PartialEq + std::fmt::Debug>(value: M) -> Result<(), TestCaseError> {
    let der = value.to_der();
    let decoded = M::from_der(&der).map_err(|e| TestCaseError::fail(format!("{}: {e}", M::NAME)))?;
    prop_assert_eq!(decoded, value);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn eid_and_info(eid in any::<[u8; 16]>(), tags in bytes(3), i1 in (version(), vec(bytes(21), 0..3),
        of(vec(bytes(21), 0..2)), of(flags()), of(version())), i2 in euicc_info2()) {
        roundtrip(GetEuiccDataRequest::new(tags))?;
        roundtrip(GetEuiccDataResponse::new(Eid::from_bytes(eid)))?;
        let (svn, ids, v3, caps, highest) = i1;
        roundtrip({
            let mut euicc_info1 = EuiccInfo1::new(svn, ids.clone(), ids);
            euicc_info1.ci_pkids_for_signing_v3 = v3;
            euicc_info1.rsp_capability = caps;
            euicc_info1.highest_svn = highest;
            euicc_info1
        })?;
        roundtrip(i2)?;
    }

    #[test]
    fn addresses(default in of(text(30)), root in text(30), more in of(vec(text(10), 0..3)),
        pkid in of(bytes(20)), address in text(30), c in nonzero()) {
        roundtrip({
            let mut euicc_configured_addresses = EuiccConfiguredAddresses::default();
            euicc_configured_addresses.default_dp_address = default;
            euicc_configured_addresses.root_ds_address = root;
            euicc_configured_addresses.additional_root_ds_addresses = more;
            euicc_configured_addresses.allowed_ci_pkid = pkid.clone();
            euicc_configured_addresses
        })?;
        roundtrip({ let mut set_default_dp_address_request = SetDefaultDpAddressRequest::default(); set_default_dp_address_request.address = address; set_default_dp_address_request.allowed_ci_pkid = pkid; set_default_dp_address_request })?;
        roundtrip(SetDefaultDpAddressResponse::new(Ok(())))?;
        roundtrip(SetDefaultDpAddressResponse::new(Err(SetDefaultDpAddressError::from_code(c))))?;
    }

    #[test]
    fn profiles(profiles in vec(profile_info(), 0..4), c in nonzero(), id in profile_id(), refresh in any::<bool>(),
        port in of(code()), nick in text(64), i in iccid(), tags in of(bytes(6)),
        search in of(prop_oneof![bytes(16).prop_map(ProfileSearch::IsdpAid), iccid().prop_map(ProfileSearch::Iccid),
            code().prop_map(|c| ProfileSearch::ProfileClass(ProfileClass::from_code(c)))])) {
        roundtrip({ let mut profile_info_list_request = ProfileInfoListRequest::default(); profile_info_list_request.search = search; profile_info_list_request.tag_list = tags; profile_info_list_request })?;
        roundtrip(ProfileInfoListResponse::new(Ok(profiles)))?;
        roundtrip(ProfileInfoListResponse::new(Err(ProfileInfoListError::from_code(c))))?;
        roundtrip({
            let mut enable_profile_request = EnableProfileRequest::new(id.clone(), refresh);
            enable_profile_request.target_esim_port = port;
            enable_profile_request
        })?;
        roundtrip(DisableProfileRequest::new(id.clone(), refresh))?;
        roundtrip(DeleteProfileRequest::new(id))?;
        roundtrip({
            let mut enable_profile_response = EnableProfileResponse::new(EnableProfileError::result(c));
            enable_profile_response.target_esim_port = port;
            enable_profile_response
        })?;
        roundtrip(DisableProfileResponse::new(DisableProfileError::result(c)))?;
        roundtrip(DeleteProfileResponse::new(DeleteProfileError::result(c)))?;
        roundtrip(SetNicknameRequest::new(i, nick))?;
        roundtrip(SetNicknameResponse::new(SetNicknameError::result(c)))?;
    }

    #[test]
    fn notifications(list in vec(metadata(), 0..4), ops in of(flags()), seq in any::<u64>(), c in nonzero(),
        pending in vec(pending(), 0..3), search in of(prop_oneof![any::<u64>().prop_map(NotificationSearch::SeqNumber),
            flags().prop_map(NotificationSearch::Operations)])) {
        roundtrip({ let mut list_notification_request = ListNotificationRequest::default(); list_notification_request.operations = ops; list_notification_request })?;
        roundtrip(ListNotificationResponse::new(Ok(list)))?;
        roundtrip(ListNotificationResponse::new(Err(ListNotificationError::from_code(c))))?;
        roundtrip({ let mut retrieve_notifications_list_request = RetrieveNotificationsListRequest::default(); retrieve_notifications_list_request.search = search; retrieve_notifications_list_request })?;
        roundtrip(RetrieveNotificationsListResponse::new(Ok(pending)))?;
        roundtrip(RetrieveNotificationsListResponse::new(Err(RetrieveNotificationsListError::from_code(c))))?;
        roundtrip({ let mut notification_sent_request = NotificationSentRequest::default(); notification_sent_request.seq_number = seq; notification_sent_request })?;
        roundtrip(NotificationSentResponse::new(NotificationSentError::result(c)))?;
    }

    #[test]
    fn reset_and_rat(options in flags(), c in nonzero(), rules in vec((flags(), vec(operator(), 0..3), flags()), 0..3)) {
        roundtrip({ let mut euicc_memory_reset_request = EuiccMemoryResetRequest::default(); euicc_memory_reset_request.options = options; euicc_memory_reset_request })?;
        roundtrip(EuiccMemoryResetResponse::new(EuiccMemoryResetError::result(c)))?;
        roundtrip({
            let mut get_rat_response = GetRatResponse::default();
            get_rat_response.rules = rules
                .into_iter()
                .map(|(ppr_ids, allowed_operators, ppr_flags)| ProfilePolicyAuthorisationRule::new(ppr_ids, allowed_operators, ppr_flags))
                .collect();
            get_rat_response
        })?;
    }

    #[test]
    fn download(challenge in any::<[u8; 16]>(), ctx in ctx_params(), s1 in tlv(der::Tag::Sequence),
        sig in tlv(SIG), pkid in of(tlv(der::Tag::OctetString)), cert in tlv(der::Tag::Sequence),
        hash in of(any::<[u8; 32]>()), tx in bytes(16), c in code(), other in of(tlv(ctx_c(0)))) {
        roundtrip(GetEuiccChallengeResponse::new(challenge))?;
        roundtrip({
            let mut authenticate_server_request = AuthenticateServerRequest::new(s1.clone(), sig.clone(), cert.clone(), ctx);
            authenticate_server_request.euicc_ci_pkid_to_be_used = pkid;
            authenticate_server_request
        })?;
        roundtrip(AuthenticateServerResponse::new(Ok({
            let mut authenticate_response_ok = AuthenticateResponseOk::new(s1.clone(), sig.clone(), cert.clone(), cert.clone());
            authenticate_response_ok.other_certs_in_chain = other;
            authenticate_response_ok
        })))?;
        roundtrip(AuthenticateServerResponse::new(Err(SessionError::new(tx.clone(), AuthenticateErrorCode::from_code(c)))))?;
        roundtrip({
            let mut prepare_download_request = PrepareDownloadRequest::new(s1.clone(), sig.clone(), cert);
            prepare_download_request.hash_cc = hash;
            prepare_download_request
        })?;
        roundtrip(PrepareDownloadResponse::new(Ok(PrepareDownloadResponseOk::new(s1.clone(), sig.clone()))))?;
        roundtrip(PrepareDownloadResponse::new(Err(SessionError::new(tx.clone(), DownloadErrorCode::from_code(c)))))?;
        roundtrip(CancelSessionRequest::new(tx, CancelSessionReason::from_code(c)))?;
        roundtrip(CancelSessionResponse::new(Ok(CancelSessionResponseOk::new(s1, sig))))?;
        roundtrip(CancelSessionResponse::new(Err(CancelSessionError::from_code(c))))?;
    }

    #[test]
    fn crl_lpae_smds(crl in tlv(der::Tag::Sequence), missing in vec(any::<u64>(), 0..4), c in nonzero(),
        options in flags(), signed in tlv(ctx_c(1)), sig in tlv(SIG)) {
        roundtrip(LoadCrlRequest::new(crl))?;
        roundtrip(LoadCrlResponse::new(Ok(missing)))?;
        roundtrip(LoadCrlResponse::new(Err(LoadCrlError::from_code(c))))?;
        roundtrip({ let mut lpae_activation_request = LpaeActivationRequest::default(); lpae_activation_request.options = options; lpae_activation_request })?;
        roundtrip(LpaeActivationResponse::new(LpaeActivationError::result(c)))?;
        roundtrip(VerifySmdsResponseRequest::new(signed, sig))?;
        roundtrip(VerifySmdsResponseResponse::new(Ok(())))?;
        roundtrip(VerifySmdsResponseResponse::new(Err(VerifySmdsResponseError::from_code(c))))?;
    }

    #[test]
    fn installation_result(data in pir_data(), sig in tlv(SIG)) {
        roundtrip(data.clone())?;
        let pir = ProfileInstallationResult::new(data.clone(), &sig);
        let decoded = ProfileInstallationResult::from_der(pir.as_der()).unwrap();
        prop_assert_eq!(decoded.data(), &data);
        prop_assert_eq!(decoded.as_der(), pir.as_der());
    }

    #[test]
    fn bpp_segments_cover_the_package(init in bytes(80), a0 in vec(bytes(40), 0..3), a1 in vec(bytes(300), 0..4),
        a2 in of(vec(bytes(40), 0..3)), a3 in vec(bytes(1100), 0..4)) {
        let mut e = Encoder::new();
        e.nested(ctx_c(54), |e| {
            e.tlv(ctx_c(35), &init);
            e.nested(ctx_c(0), |e| a0.iter().for_each(|x| e.tlv(ctx(7), x)));
            e.nested(ctx_c(1), |e| a1.iter().for_each(|x| e.tlv(ctx(8), x)));
            if let Some(a2) = &a2 {
                e.nested(ctx_c(2), |e| a2.iter().for_each(|x| e.tlv(ctx(7), x)));
            }
            e.nested(ctx_c(3), |e| a3.iter().for_each(|x| e.tlv(ctx(6), x)));
        });
        let package = e.finish();
        let segments = bpp::segments(&package).unwrap();
        let joined: Vec<u8> = segments.iter().flat_map(|s| s.bytes.iter().copied()).collect();
        prop_assert_eq!(&joined, &package);
        let expected = 1 + a0.len().max(1) + 1 + a1.len() + a2.as_ref().map_or(0, |v| v.len().max(1)) + 1 + a3.len();
        prop_assert_eq!(segments.len(), expected);
    }

    #[test]
    fn decoders_never_panic(data in bytes(200), tag in prop_oneof![Just(0xBFu8), any::<u8>()], second in any::<u8>()) {
        let mut input = vec![tag, second];
        input.extend(data);
        let _ = ProfileInfoListResponse::from_der(&input);
        let _ = EuiccInfo2::from_der(&input);
        let _ = RetrieveNotificationsListResponse::from_der(&input);
        let _ = AuthenticateServerResponse::from_der(&input);
        let _ = ProfileInstallationResult::from_der(&input);
        let _ = bpp::segments(&input);
    }
}
