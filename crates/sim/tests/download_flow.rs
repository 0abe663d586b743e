//! ES8+ download on the software eUICC with its PKI identity, driven through the LPA's `Isdr`
//! (APDUs, STORE DATA, BPP segments): the happy path and the negative cases of issue 5, each
//! with the SGP.22 error and the eUICC state unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod download_support;

use download_support::*;
use oxicard_euicc::es10::*;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::pki::{RspCertificate, SignedData};
use oxicard_euicc::roles::euicc::SIMA_RESPONSE_OK;
use oxicard_sim::pki::TestPki;

#[test]
fn download_installs_the_profile_with_a_signed_result() {
    let pki = pki();
    let identity = pki.euicc_identity().unwrap();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();

    // EUICCInfo1 advertises the identity's CI.
    let info1 = isdr.euicc_info1().unwrap().response;
    assert_eq!(info1.ci_pkids_for_signing, vec![smdp.identity.ci_pkid().unwrap()]);

    let challenge = isdr.euicc_challenge().unwrap();
    let auth = isdr.authenticate_server(&smdp.authenticate_request(&challenge)).unwrap();
    let ok = auth.response.result.clone().unwrap();
    // euiccSigned1 = 30 { 80 txId, 83 serverAddress, 84 serverChallenge, BF22 …, A0 ctxParams1 }.
    let mut prefix = vec![0x80, 0x10];
    prefix.extend_from_slice(&TRANSACTION_ID);
    prefix.extend_from_slice(&[0x83, 0x10]);
    prefix.extend_from_slice(SMDP_ADDRESS.as_bytes());
    prefix.extend_from_slice(&[0x84, 0x10]);
    prefix.extend_from_slice(&SERVER_CHALLENGE);
    let signed1_value = &ok.euicc_signed1[3..];
    assert_eq!(ok.euicc_signed1[..3], [0x30, 0x81, (ok.euicc_signed1.len() - 3) as u8]);
    assert_eq!(&signed1_value[..prefix.len()], prefix.as_slice());
    assert_eq!(&signed1_value[prefix.len()..prefix.len() + 2], &[0xBF, 0x22]);
    let ctx_params1 = smdp.authenticate_request(&challenge).ctx_params1.to_der();
    assert!(ok.euicc_signed1.ends_with(&ctx_params1));
    // The SM-DP+ side: the chain and euiccSignature1 verify.
    let euicc_cert = RspCertificate::from_der(&ok.euicc_certificate).unwrap();
    let eum_cert = RspCertificate::from_der(&ok.eum_certificate).unwrap();
    assert_eq!(ok.euicc_certificate, identity.certificate().der());
    smdp.identity.verify_euicc_chain(&euicc_cert, &eum_cert, None).unwrap();
    verify_euicc(
        &identity,
        &SignedData::EuiccSigned1 { euicc_signed1: &ok.euicc_signed1 },
        &ok.euicc_signature1,
    );

    let prepare_request = smdp.prepare_request(&ok.euicc_signature1, None);
    let prepared = isdr.prepare_download(&prepare_request).unwrap().response.result.unwrap();
    verify_euicc(
        &identity,
        &SignedData::EuiccSigned2 {
            euicc_signed2: &prepared.euicc_signed2,
            smdp_signature2: &prepare_request.smdp_signature2,
        },
        &prepared.euicc_signature2,
    );
    let otpk = prepared.euicc_otpk().unwrap();
    assert_eq!(otpk.len(), 65);
    assert_eq!(otpk[0], 0x04);
    // euiccSigned2 = 30 56 { 80 10 txId, 5F49 41 otPK } (no hashCc): 18 + 68 bytes.
    assert_eq!(prepared.euicc_signed2[..4], [0x30, 0x56, 0x80, 0x10]);
    assert_eq!(prepared.euicc_signed2[20..23], [0x5F, 0x49, 0x41]);

    let upp = smdp.upp(3000);
    let bpp = smdp.bpp(&otpk, &eid(&pki), &upp);
    let mut segments = 0;
    let result = isdr.load_bound_profile_package(&bpp, |_| segments += 1).unwrap();
    assert!(result.outcome().is_ok(), "{:?}", result.outcome());
    // BF36+BF23, A0+87, A1, 88, A2+87, A3, then the UPP in 1007-byte 86s (1020-byte segments, SGP.22 v3.0 §2.5.3).
    assert_eq!(upp.len(), 3400); // the built package (370 bytes) and a 3030-byte nonStandard PE
    assert_eq!(segments, 1 + 1 + 2 + 1 + 1 + 4);
    let aid = hex::decode("A0000005591010FFFFFFFF8900001000").unwrap();
    assert_eq!(result.outcome().unwrap(), aid.as_slice());
    let data = result.data();
    assert_eq!(data.transaction_id, TRANSACTION_ID);
    assert_eq!(data.notification_metadata.address, SMDP_ADDRESS);
    assert_eq!(data.notification_metadata.iccid, Some(iccid()));
    assert_eq!(data.notification_metadata.operation, BitFlags::from_bits([notification_event::INSTALL]));
    assert_eq!(data.smdp_oid, smdp.identity.smdp_oid());
    assert_eq!(
        data.final_result,
        FinalResult::Success { aid: aid.clone(), sima_response: SIMA_RESPONSE_OK.to_vec() }
    );
    // euiccSignPIR over the BF27 TLV, verifiable with CERT.EUICC.
    let der = result.as_der();
    let data_der = data.to_der();
    // BF37 81 A6 { BF27 …, 5F37 40 … }.
    assert_eq!(der[..4], [0xBF, 0x37, 0x81, (data_der.len() + 67) as u8]);
    assert_eq!(&der[4..4 + data_der.len()], data_der.as_slice());
    verify_euicc(
        &identity,
        &SignedData::ProfileInstallationResultData { data: &data_der },
        &der[4 + data_der.len()..],
    );

    // Visible in GetProfilesInfo with its metadata; the PIR is a pending notification.
    let profiles = isdr.profiles().unwrap();
    assert_eq!(profiles.len(), 1);
    let profile = &profiles[0];
    assert_eq!(profile.iccid, Some(iccid()));
    assert_eq!(profile.isdp_aid.as_deref(), Some(aid.as_slice()));
    assert_eq!(profile.state, Some(ProfileState::Disabled));
    assert_eq!(profile.service_provider_name.as_deref(), Some("OXI"));
    assert_eq!(profile.profile_name.as_deref(), Some("Test profile"));
    assert_eq!(profile.class, Some(ProfileClass::Operational));
    let pending = isdr.retrieve_notifications(None).unwrap();
    assert_eq!(pending.len(), 1);
    match &pending[0] {
        PendingNotification::ProfileInstallationResult(stored) => assert_eq!(stored.as_der(), der),
        other => panic!("unexpected notification {other:?}"),
    }

    // The session is over: a replayed PrepareDownload finds none, a replayed BPP gets 6985 for
    // its later segments after a PIR error for the first.
    let replay = isdr.prepare_download(&prepare_request).unwrap().response.result.unwrap_err();
    assert_eq!(replay.code, DownloadErrorCode::NoSessionContext);
    let replayed = isdr.load_bound_profile_package(&bpp, |_| ()).unwrap();
    assert_eq!(
        replayed.outcome().unwrap_err(),
        InstallationError::new(BppCommandId::InitialiseSecureChannel, ErrorReason::InvalidTransactionId)
    );
    assert_eq!(isdr.profiles().unwrap().len(), 1);
    assert_eq!(isdr.list_notifications(None).unwrap().len(), 1);

    // Enabling the downloaded profile produces an enable notification signed by SK.EUICC.
    isdr.enable_profile(iccid(), false).unwrap();
    let notifications = isdr.retrieve_notifications(None).unwrap();
    let PendingNotification::OtherSignedNotification(enable) = &notifications[1] else { panic!() };
    let outer = oxicard_euicc::asn1::single(enable.as_der(), der::Tag::Sequence, "n").unwrap();
    let members: Vec<_> = outer.fields("n").unwrap().iter().map(|f| f.raw().to_vec()).collect();
    assert_eq!(members[0], enable.metadata().to_der());
    assert_eq!(members[2], identity.certificate().der());
    assert_eq!(members[3], identity.eum_certificate().der());
    verify_euicc(
        &identity,
        &SignedData::OtherNotification { tbs_other_notification: &members[0] },
        &members[1],
    );
}

#[test]
fn confirmation_code_hash_is_required_and_signed() {
    let pki = pki();
    let identity = pki.euicc_identity().unwrap();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    smdp.cc_required = true;
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let challenge = isdr.euicc_challenge().unwrap();
    let ok =
        isdr.authenticate_server(&smdp.authenticate_request(&challenge)).unwrap().response.result.unwrap();

    // ccRequiredFlag without hashCc: undefinedError, the session stays.
    let missing = isdr.prepare_download(&smdp.prepare_request(&ok.euicc_signature1, None)).unwrap();
    let error = missing.response.result.unwrap_err();
    assert_eq!(error, SessionError::new(TRANSACTION_ID.to_vec(), DownloadErrorCode::UndefinedError));

    // With hashCc: copied into euiccSigned2 (the SM-DP+ checks it, the eUICC does not).
    let hash = smdp.hash_cc("1234");
    let request = smdp.prepare_request(&ok.euicc_signature1, Some(hash));
    let prepared = isdr.prepare_download(&request).unwrap().response.result.unwrap();
    let mut tail = vec![0x04, 0x20];
    tail.extend_from_slice(&hash);
    assert!(prepared.euicc_signed2.ends_with(&tail));
    verify_euicc(
        &identity,
        &SignedData::EuiccSigned2 {
            euicc_signed2: &prepared.euicc_signed2,
            smdp_signature2: &request.smdp_signature2,
        },
        &prepared.euicc_signature2,
    );
}

/// The same download with every key on brainpoolP256r1 (SGP.22 §2.6.5): the one-time keys
/// follow the curve of CERT.DPpb.
#[test]
fn download_on_brainpool() {
    let config = oxicard_sim::pki::TestPkiConfig {
        curve: oxicard_euicc::pki::Curve::BrainpoolP256r1,
        seed: Some([0x6B; 32]),
        ..oxicard_sim::pki::TestPkiConfig::default()
    };
    let pki = TestPki::generate(&config).unwrap();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, &smdp);
    oxicard_euicc::pki::PublicKey::from_sec1_bytes(oxicard_euicc::pki::Curve::BrainpoolP256r1, &otpk)
        .unwrap();
    let bpp = smdp.bpp(&otpk, &eid(&pki), &smdp.upp(500));
    let result = isdr.load_bound_profile_package(&bpp, |_| ()).unwrap();
    assert!(result.outcome().is_ok(), "{:?}", result.outcome());
    assert_eq!(isdr.profiles().unwrap().len(), 1);
}

/// A file-backed eUICC keeps the downloaded profile and its PIR across a restart.
#[test]
fn downloaded_profile_is_persisted() {
    let pki = pki();
    let identity = pki.euicc_identity().unwrap();
    let dir = std::env::temp_dir().join(format!("oxicard-sim-dl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("euicc.json");
    let _ = std::fs::remove_file(&path);
    let open = || {
        let euicc = oxicard_sim::euicc::SoftEuicc::open_with(
            &path,
            oxicard_sim::euicc::EuiccConfig::for_identity(&identity),
        )
        .unwrap()
        .with_identity(identity.clone());
        oxicard_apdu::card::Card::new(oxicard_transport::sim::SimulatorTransport::new(euicc))
    };
    let mut card = open();
    let mut smdp = TestSmdp::new(&pki);
    {
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        let challenge = isdr.euicc_challenge().unwrap();
        let ok = isdr
            .authenticate_server(&smdp.authenticate_request(&challenge))
            .unwrap()
            .response
            .result
            .unwrap();
        let prepared = isdr.prepare_download(&smdp.prepare_request(&ok.euicc_signature1, None)).unwrap();
        let otpk = prepared.response.result.unwrap().euicc_otpk().unwrap();
        let bpp = smdp.bpp(&otpk, &eid(&pki), &smdp.upp(200));
        assert!(isdr.load_bound_profile_package(&bpp, |_| ()).unwrap().outcome().is_ok());
    }
    drop(card);
    let mut card = open();
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.profiles().unwrap()[0].iccid, Some(iccid()));
    assert_eq!(isdr.list_notifications(None).unwrap().len(), 1);
    assert_eq!(isdr.eid().unwrap().digits(), pki.config().eid);
    drop(isdr);
    std::fs::remove_dir_all(&dir).unwrap();
}
