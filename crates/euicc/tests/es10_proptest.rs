//! Property tests: every ES10 message round-trips through DER, decoders never panic, and the
//! BPP splitter covers every byte in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::der_util::{Encoder, ctx, ctx_c};
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
    (bytes(4), of(bytes(4)), of(bytes(4))).prop_map(|(mcc_mnc, gid1, gid2)| OperatorId {
        mcc_mnc,
        gid1,
        gid2,
    })
}

fn profile_id() -> impl Strategy<Value = ProfileIdentifier> {
    prop_oneof![bytes(17).prop_map(ProfileIdentifier::IsdpAid), iccid().prop_map(ProfileIdentifier::Iccid)]
}

fn nci() -> impl Strategy<Value = NotificationConfigurationInformation> {
    (flags(), text(20))
        .prop_map(|(operation, address)| NotificationConfigurationInformation { operation, address })
}

prop_compose! {
    fn profile_info()(
        iccid in of(iccid()), isdp_aid in of(bytes(17)), state in of(code()), nickname in of(text(64)),
        spn in of(text(32)), name in of(text(64)), icon_type in of(code()), icon in of(bytes(40)),
        class in of(code()), nc in of(vec(nci(), 0..3)), owner in of(operator()), dp in of(oid()),
        pprs in of(flags()), port in of(code()), size in of(code()),
    ) -> ProfileInfo {
        ProfileInfo {
            iccid,
            isdp_aid,
            state: state.map(ProfileState::from_code),
            nickname,
            service_provider_name: spn,
            profile_name: name,
            icon_type: icon_type.map(IconType::from_code),
            icon,
            class: class.map(ProfileClass::from_code),
            notification_configuration: nc,
            owner,
            dp_proprietary_data: dp.map(|dp_oid| DpProprietaryData { dp_oid }),
            policy_rules: pprs,
            enabled_on_esim_port: port,
            profile_size: size,
        }
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
        EuiccInfo2 {
            profile_version: versions[0],
            svn: versions[1],
            firmware_version: versions[2],
            ext_card_resource: ExtCardResource(ext),
            uicc_capability: uicc,
            ts102241_version: optional_versions.0.then_some(versions[3]),
            globalplatform_version: optional_versions.1.then_some(versions[4]),
            rsp_capability: rsp,
            ci_pkids_for_verification: pkids.clone(),
            ci_pkids_for_signing: pkids,
            euicc_category: category.map(EuiccCategory::from_code),
            forbidden_profile_policy_rules: forbidden,
            pp_version: versions[5],
            sas_accreditation_number: sas,
            certification_data: cert.map(|(platform_label, discovery_base_url)| CertificationDataObject {
                platform_label,
                discovery_base_url,
            }),
            tre_properties: tre,
            tre_product_reference: tre_ref,
            additional_profile_package_versions: more,
            lpa_mode: lpa.map(LpaMode::from_code),
            ci_pkids_for_signing_v3: v3,
            additional_euicc_info: extra,
            highest_svn: highest,
        }
    }
}

fn metadata() -> impl Strategy<Value = NotificationMetadata> {
    (any::<u64>(), flags(), text(30), of(iccid())).prop_map(|(seq_number, operation, address, iccid)| {
        NotificationMetadata { seq_number, operation, address, iccid }
    })
}

fn pir_data() -> impl Strategy<Value = ProfileInstallationResultData> {
    let success =
        (bytes(16), bytes(30)).prop_map(|(aid, sima_response)| FinalResult::Success { aid, sima_response });
    let error = (code(), code(), of(bytes(30))).prop_map(|(c, r, sima_response)| FinalResult::Error {
        error: InstallationError { command: BppCommandId::from_code(c), reason: ErrorReason::from_code(r) },
        sima_response,
    });
    (bytes(16), metadata(), of(oid()), prop_oneof![success, error]).prop_map(
        |(transaction_id, notification_metadata, smdp_oid, final_result)| ProfileInstallationResultData {
            transaction_id,
            notification_metadata,
            smdp_oid,
            final_result,
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
        CtxParams1 {
            matching_id,
            device_info: DeviceInfo {
                tac,
                capabilities: DeviceCapabilities {
                    gsm: v[0],
                    utran: v[1],
                    cdma2000_1x: v[2],
                    cdma2000_hrpd: v[3],
                    cdma2000_ehrpd: v[4],
                    eutran: v[5],
                    contactless: v[6],
                    rsp_crl: v[7],
                    tag88: v[8],
                    nr_5gc: v[9],
                    eutran_5gc: v[10],
                    lpa_svn: v[11],
                },
                imei,
            },
        }
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
        roundtrip(GetEuiccDataRequest { tag_list: tags })?;
        roundtrip(GetEuiccDataResponse { eid: Eid::from_bytes(eid) })?;
        let (svn, ids, v3, caps, highest) = i1;
        roundtrip(EuiccInfo1 {
            svn,
            ci_pkids_for_verification: ids.clone(),
            ci_pkids_for_signing: ids,
            ci_pkids_for_signing_v3: v3,
            rsp_capability: caps,
            highest_svn: highest,
        })?;
        roundtrip(i2)?;
    }

    #[test]
    fn addresses(default in of(text(30)), root in text(30), more in of(vec(text(10), 0..3)),
        pkid in of(bytes(20)), address in text(30), c in nonzero()) {
        roundtrip(EuiccConfiguredAddresses {
            default_dp_address: default,
            root_ds_address: root,
            additional_root_ds_addresses: more,
            allowed_ci_pkid: pkid.clone(),
        })?;
        roundtrip(SetDefaultDpAddressRequest { address, allowed_ci_pkid: pkid })?;
        roundtrip(SetDefaultDpAddressResponse { result: Ok(()) })?;
        roundtrip(SetDefaultDpAddressResponse { result: Err(SetDefaultDpAddressError::from_code(c)) })?;
    }

    #[test]
    fn profiles(profiles in vec(profile_info(), 0..4), c in nonzero(), id in profile_id(), refresh in any::<bool>(),
        port in of(code()), nick in text(64), i in iccid(), tags in of(bytes(6)),
        search in of(prop_oneof![bytes(16).prop_map(ProfileSearch::IsdpAid), iccid().prop_map(ProfileSearch::Iccid),
            code().prop_map(|c| ProfileSearch::ProfileClass(ProfileClass::from_code(c)))])) {
        roundtrip(ProfileInfoListRequest { search, tag_list: tags })?;
        roundtrip(ProfileInfoListResponse { result: Ok(profiles) })?;
        roundtrip(ProfileInfoListResponse { result: Err(ProfileInfoListError::from_code(c)) })?;
        roundtrip(EnableProfileRequest { profile: id.clone(), refresh, target_esim_port: port })?;
        roundtrip(DisableProfileRequest { profile: id.clone(), refresh })?;
        roundtrip(DeleteProfileRequest { profile: id })?;
        roundtrip(EnableProfileResponse { result: EnableProfileError::result(c), target_esim_port: port })?;
        roundtrip(DisableProfileResponse { result: DisableProfileError::result(c) })?;
        roundtrip(DeleteProfileResponse { result: DeleteProfileError::result(c) })?;
        roundtrip(SetNicknameRequest { iccid: i, nickname: nick })?;
        roundtrip(SetNicknameResponse { result: SetNicknameError::result(c) })?;
    }

    #[test]
    fn notifications(list in vec(metadata(), 0..4), ops in of(flags()), seq in any::<u64>(), c in nonzero(),
        pending in vec(pending(), 0..3), search in of(prop_oneof![any::<u64>().prop_map(NotificationSearch::SeqNumber),
            flags().prop_map(NotificationSearch::Operations)])) {
        roundtrip(ListNotificationRequest { operations: ops })?;
        roundtrip(ListNotificationResponse { result: Ok(list) })?;
        roundtrip(ListNotificationResponse { result: Err(ListNotificationError::from_code(c)) })?;
        roundtrip(RetrieveNotificationsListRequest { search })?;
        roundtrip(RetrieveNotificationsListResponse { result: Ok(pending) })?;
        roundtrip(RetrieveNotificationsListResponse { result: Err(RetrieveNotificationsListError::from_code(c)) })?;
        roundtrip(NotificationSentRequest { seq_number: seq })?;
        roundtrip(NotificationSentResponse { result: NotificationSentError::result(c) })?;
    }

    #[test]
    fn reset_and_rat(options in flags(), c in nonzero(), rules in vec((flags(), vec(operator(), 0..3), flags()), 0..3)) {
        roundtrip(EuiccMemoryResetRequest { options })?;
        roundtrip(EuiccMemoryResetResponse { result: EuiccMemoryResetError::result(c) })?;
        roundtrip(GetRatResponse {
            rules: rules
                .into_iter()
                .map(|(ppr_ids, allowed_operators, ppr_flags)| ProfilePolicyAuthorisationRule {
                    ppr_ids,
                    allowed_operators,
                    ppr_flags,
                })
                .collect(),
        })?;
    }

    #[test]
    fn download(challenge in any::<[u8; 16]>(), ctx in ctx_params(), s1 in tlv(der::Tag::Sequence),
        sig in tlv(SIG), pkid in of(tlv(der::Tag::OctetString)), cert in tlv(der::Tag::Sequence),
        hash in of(any::<[u8; 32]>()), tx in bytes(16), c in code(), other in of(tlv(ctx_c(0)))) {
        roundtrip(GetEuiccChallengeResponse { challenge })?;
        roundtrip(AuthenticateServerRequest {
            server_signed1: s1.clone(),
            server_signature1: sig.clone(),
            euicc_ci_pkid_to_be_used: pkid,
            server_certificate: cert.clone(),
            ctx_params1: ctx,
        })?;
        roundtrip(AuthenticateServerResponse { result: Ok(AuthenticateResponseOk {
            euicc_signed1: s1.clone(),
            euicc_signature1: sig.clone(),
            euicc_certificate: cert.clone(),
            eum_certificate: cert.clone(),
            other_certs_in_chain: other,
        }) })?;
        roundtrip(AuthenticateServerResponse { result: Err(SessionError {
            transaction_id: tx.clone(),
            code: AuthenticateErrorCode::from_code(c),
        }) })?;
        roundtrip(PrepareDownloadRequest {
            smdp_signed2: s1.clone(),
            smdp_signature2: sig.clone(),
            hash_cc: hash,
            smdp_certificate: cert,
        })?;
        roundtrip(PrepareDownloadResponse { result: Ok(PrepareDownloadResponseOk {
            euicc_signed2: s1.clone(),
            euicc_signature2: sig.clone(),
        }) })?;
        roundtrip(PrepareDownloadResponse { result: Err(SessionError {
            transaction_id: tx.clone(),
            code: DownloadErrorCode::from_code(c),
        }) })?;
        roundtrip(CancelSessionRequest { transaction_id: tx, reason: CancelSessionReason::from_code(c) })?;
        roundtrip(CancelSessionResponse { result: Ok(CancelSessionResponseOk {
            euicc_cancel_session_signed: s1,
            euicc_cancel_session_signature: sig,
        }) })?;
        roundtrip(CancelSessionResponse { result: Err(CancelSessionError::from_code(c)) })?;
    }

    #[test]
    fn crl_lpae_smds(crl in tlv(der::Tag::Sequence), missing in vec(any::<u64>(), 0..4), c in nonzero(),
        options in flags(), signed in tlv(ctx_c(1)), sig in tlv(SIG)) {
        roundtrip(LoadCrlRequest { crl })?;
        roundtrip(LoadCrlResponse { result: Ok(missing) })?;
        roundtrip(LoadCrlResponse { result: Err(LoadCrlError::from_code(c)) })?;
        roundtrip(LpaeActivationRequest { options })?;
        roundtrip(LpaeActivationResponse { result: LpaeActivationError::result(c) })?;
        roundtrip(VerifySmdsResponseRequest { smds_signed2: signed, smds_signature2: sig })?;
        roundtrip(VerifySmdsResponseResponse { result: Ok(()) })?;
        roundtrip(VerifySmdsResponseResponse { result: Err(VerifySmdsResponseError::from_code(c)) })?;
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
