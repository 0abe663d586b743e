//! Negative ES8+ cases on the software eUICC (issue 5): each gets its SGP.22 error and leaves
//! the profiles (and, before the BPP, the notifications) unchanged; a session that survived a
//! refused request still completes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod download_support;

use download_support::*;
use oxicard_apdu::StatusWord;
use oxicard_euicc::es10::*;
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use oxicard_euicc::pki::SignedData;
use oxicard_sim::pki::{TestPki, TestPkiConfig};

/// The eUICC's observable state: profiles and pending notifications.
fn snapshot(card: &mut SimCard) -> (Vec<ProfileInfo>, Vec<NotificationMetadata>) {
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    (isdr.profiles().unwrap(), isdr.list_notifications(None).unwrap())
}

/// Downloads `bpp_of(otpk)` and returns the ProfileInstallationResult.
fn load_with(
    card: &mut SimCard,
    smdp: &mut TestSmdp,
    tamper: impl FnOnce(&mut Vec<u8>),
) -> ProfileInstallationResult {
    let pki = pki();
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, smdp);
    let mut bpp = smdp.bpp(&otpk, &eid(&pki), &smdp.upp(2500));
    tamper(&mut bpp);
    isdr.load_bound_profile_package(&bpp, |_| ()).unwrap()
}

/// The offset in `bpp` of the first segment of `kind`.
fn offset_of(bpp: &[u8], kind: bpp::SegmentKind) -> usize {
    let segment = bpp::segments(bpp).unwrap().into_iter().find(|s| s.kind == kind).unwrap();
    segment.bytes.as_ptr() as usize - bpp.as_ptr() as usize
}

fn error_of(result: &ProfileInstallationResult) -> InstallationError {
    result.outcome().unwrap_err()
}

/// Checks a failed installation: the error, nothing installed, the signed PIR pending.
fn assert_failed(card: &mut SimCard, result: &ProfileInstallationResult, expected: InstallationError) {
    assert_eq!(error_of(result), expected);
    assert_eq!(result.data().transaction_id, TRANSACTION_ID);
    let (profiles, notifications) = snapshot(card);
    assert!(profiles.is_empty());
    assert_eq!(notifications, vec![result.notification_metadata().clone()]);
    let identity = pki().euicc_identity().unwrap();
    let data = result.data().to_der();
    verify_euicc(
        &identity,
        &SignedData::ProfileInstallationResultData { data: &data },
        &result.as_der()[result.as_der().len() - 67..],
    );
}

#[test]
fn tampered_profile_element_segment_is_a_bsp_security_error() {
    let mut card = card(&pki());
    let mut smdp = TestSmdp::new(&pki());
    let result = load_with(&mut card, &mut smdp, |bpp| {
        let at = offset_of(bpp, bpp::SegmentKind::ProfileElements);
        bpp[at + 20] ^= 0x01;
    });
    let expected =
        InstallationError::new(BppCommandId::LoadProfileElements, ErrorReason::Scp03tSecurityError);
    assert_failed(&mut card, &result, expected);
}

#[test]
fn tampered_metadata_segment_is_a_bsp_security_error() {
    let mut card = card(&pki());
    let mut smdp = TestSmdp::new(&pki());
    let result = load_with(&mut card, &mut smdp, |bpp| {
        let at = offset_of(bpp, bpp::SegmentKind::StoreMetadata);
        bpp[at + 6] ^= 0x80;
    });
    let expected = InstallationError::new(BppCommandId::StoreMetadata, ErrorReason::Scp03tSecurityError);
    assert_failed(&mut card, &result, expected);
}

#[test]
fn tampered_initialise_secure_channel_is_an_invalid_signature() {
    let mut card = card(&pki());
    let mut smdp = TestSmdp::new(&pki());
    // Change the host id (`84 08 80…` inside A6), which smdpSign covers.
    let result = load_with(&mut card, &mut smdp, |bpp| {
        let at = bpp.windows(3).position(|w| w == [0x84, 0x08, 0x80]).unwrap();
        bpp[at + 2] = 0x81;
    });
    let expected =
        InstallationError::new(BppCommandId::InitialiseSecureChannel, ErrorReason::InvalidSignature);
    assert_failed(&mut card, &result, expected);
}

#[test]
fn metadata_without_profile_header_match_is_refused() {
    let mut card = card(&pki());
    let mut smdp = TestSmdp::new(&pki());
    let pki = pki();
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, &smdp);
    // A ProfileHeader with another ICCID than the metadata's.
    let mut other = TestSmdp::new(&pki);
    other.iccid = "8944478600004573136".parse().unwrap();
    let upp = other.upp(10);
    let bpp = smdp.bpp(&otpk, &eid(&pki), &upp);
    let result = isdr.load_bound_profile_package(&bpp, |_| ()).unwrap();
    drop(isdr);
    let expected = InstallationError::new(
        BppCommandId::LoadProfileElements,
        ErrorReason::InstallFailedDueToIccidMismatch,
    );
    assert_failed(&mut card, &result, expected);
}

#[test]
fn existing_iccid_is_refused_at_store_metadata() {
    let mut card = card(&pki());
    card.transport_mut().simulator_mut().install_profile_for_tests(ProfileInfo::new(iccid())).unwrap();
    let before = snapshot(&mut card);
    let mut smdp = TestSmdp::new(&pki());
    let result = load_with(&mut card, &mut smdp, |_| ());
    assert_eq!(
        error_of(&result),
        InstallationError::new(
            BppCommandId::StoreMetadata,
            ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc
        )
    );
    let after = snapshot(&mut card);
    assert_eq!(after.0, before.0);
    assert_eq!(after.1.len(), 1);
}

#[test]
fn untrusted_dpauth_chain_is_refused() {
    let pki = pki();
    let mut card = card(&pki);
    let smdp = TestSmdp::new(&pki);
    let stranger_pki =
        TestPki::generate(&TestPkiConfig { seed: Some([0xEE; 32]), ..TestPkiConfig::default() }).unwrap();
    let stranger = stranger_pki.smdp_identity().unwrap();
    let before = snapshot(&mut card);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let challenge = isdr.euicc_challenge().unwrap();

    // The stranger's CI is unknown: ciPKUnknown(7).
    let request = smdp.authenticate_request_signed_by(&challenge, &stranger);
    let error = isdr.authenticate_server(&request).unwrap().response.result.unwrap_err();
    assert_eq!(error, SessionError::new(TRANSACTION_ID.to_vec(), AuthenticateErrorCode::CiPKUnknown));
    assert_eq!(
        isdr.authenticate_server(&request).unwrap().der,
        hex::decode("BF3817A115801011111111111111111111111111111111020107").unwrap()
    );

    // Naming our CI does not help: CERT.DPauth does not chain to it, invalidCertificate(1).
    let mut lying = request.clone();
    lying.euicc_ci_pkid_to_be_used = smdp.authenticate_request(&challenge).euicc_ci_pkid_to_be_used;
    let error = isdr.authenticate_server(&lying).unwrap().response.result.unwrap_err();
    assert_eq!(error.code, AuthenticateErrorCode::InvalidCertificate);

    // CERT.DPpb in place of CERT.DPauth: wrong role, invalidOid(5).
    let mut wrong_role = smdp.authenticate_request(&challenge);
    wrong_role.server_certificate = smdp.identity.pb().certificate().der().to_vec();
    let error = isdr.authenticate_server(&wrong_role).unwrap().response.result.unwrap_err();
    assert_eq!(error.code, AuthenticateErrorCode::InvalidOid);

    // A serverSignature1 that does not verify: invalidSignature(2).
    let mut bad_signature = smdp.authenticate_request(&challenge);
    bad_signature.server_signature1[10] ^= 0x01;
    let error = isdr.authenticate_server(&bad_signature).unwrap().response.result.unwrap_err();
    assert_eq!(error.code, AuthenticateErrorCode::InvalidSignature);

    // Another challenge than the one issued: euiccChallengeMismatch(6).
    let error =
        isdr.authenticate_server(&smdp.authenticate_request(&[0; 16])).unwrap().response.result.unwrap_err();
    assert_eq!(error.code, AuthenticateErrorCode::EuiccChallengeMismatch);

    // None of it touched the session: the genuine request still succeeds, once.
    assert!(
        isdr.authenticate_server(&smdp.authenticate_request(&challenge)).unwrap().response.result.is_ok()
    );
    let replay = isdr
        .authenticate_server(&smdp.authenticate_request(&challenge))
        .unwrap()
        .response
        .result
        .unwrap_err();
    assert_eq!(replay.code, AuthenticateErrorCode::NoSessionContext);
    drop(isdr);
    assert_eq!(snapshot(&mut card), before);
}

#[test]
fn wrong_smdp_signature2_and_transaction_are_refused() {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    let before = snapshot(&mut card);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();

    // Before AuthenticateServer: noSessionContext(4), `BF21 17 A1 15 80 10 txId 02 01 04`.
    let signature1 = {
        let mut tlv = vec![0x5F, 0x37, 0x40];
        tlv.extend_from_slice(&[0x33; 64]);
        tlv
    };
    let early = isdr.prepare_download(&smdp.prepare_request(&signature1, None)).unwrap();
    assert_eq!(early.der, hex::decode("BF2117A115801011111111111111111111111111111111020104").unwrap());

    let challenge = isdr.euicc_challenge().unwrap();
    let ok =
        isdr.authenticate_server(&smdp.authenticate_request(&challenge)).unwrap().response.result.unwrap();

    // smdpSignature2 over another euiccSignature1: invalidSignature(2).
    let error =
        isdr.prepare_download(&smdp.prepare_request(&signature1, None)).unwrap().response.result.unwrap_err();
    assert_eq!(error.code, DownloadErrorCode::InvalidSignature);
    // CERT.DPauth in place of CERT.DPpb: invalidCertificate(1).
    let mut wrong_cert = smdp.prepare_request(&ok.euicc_signature1, None);
    wrong_cert.smdp_certificate = smdp.identity.auth().certificate().der().to_vec();
    let error = isdr.prepare_download(&wrong_cert).unwrap().response.result.unwrap_err();
    assert_eq!(error.code, DownloadErrorCode::InvalidCertificate);
    // Another transactionId: invalidTransactionId(5).
    let mut other = TestSmdp::new(&pki);
    other.transaction_id = vec![0x99; 16];
    let error = isdr
        .prepare_download(&other.prepare_request(&ok.euicc_signature1, None))
        .unwrap()
        .response
        .result
        .unwrap_err();
    assert_eq!(error, SessionError::new(vec![0x99; 16], DownloadErrorCode::InvalidTransactionId));

    // The session survived: the genuine request and the BPP go through.
    let prepared = isdr.prepare_download(&smdp.prepare_request(&ok.euicc_signature1, None)).unwrap();
    let otpk = prepared.response.result.unwrap().euicc_otpk().unwrap();
    drop(isdr);
    assert_eq!(snapshot(&mut card), before);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let bpp = smdp.bpp(&otpk, &eid(&pki), &smdp.upp(100));
    assert!(isdr.load_bound_profile_package(&bpp, |_| ()).unwrap().outcome().is_ok());
    assert_eq!(isdr.profiles().unwrap().len(), 1);
}

#[test]
fn cancelled_session_is_signed_and_ended() {
    let pki = pki();
    let identity = pki.euicc_identity().unwrap();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    let before = snapshot(&mut card);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, &smdp);

    // Unknown transaction: `BF41 03 81 01 05`.
    let unknown = isdr.cancel_session(&[0x42; 16], CancelSessionReason::EndUserRejection).unwrap();
    assert_eq!(unknown.der, hex::decode("BF4103810105").unwrap());

    let cancelled = isdr.cancel_session(&TRANSACTION_ID, CancelSessionReason::EndUserRejection).unwrap();
    let ok = cancelled.response.result.unwrap();
    // 30 1A { 80 10 txId, 81 03 88 37 0A (2.999.10, the SM-DP+ OID of CERT.DPauth), 82 01 00 }.
    let mut expected = hex::decode("301A8010").unwrap();
    expected.extend_from_slice(&TRANSACTION_ID);
    expected.extend_from_slice(&hex::decode("810388370A820100").unwrap());
    assert_eq!(ok.euicc_cancel_session_signed, expected);
    verify_euicc(
        &identity,
        &SignedData::EuiccCancelSessionSigned { signed: &ok.euicc_cancel_session_signed },
        &ok.euicc_cancel_session_signature,
    );

    // The session is gone: a second cancel, PrepareDownload and the BPP are refused.
    let again = isdr.cancel_session(&TRANSACTION_ID, CancelSessionReason::EndUserRejection).unwrap();
    assert_eq!(again.response.result.unwrap_err(), CancelSessionError::InvalidTransactionId);
    let bpp = smdp.bpp(&otpk, &eid(&pki), &smdp.upp(100));
    let result = isdr.load_bound_profile_package(&bpp, |_| ()).unwrap();
    assert_eq!(
        error_of(&result),
        InstallationError::new(BppCommandId::InitialiseSecureChannel, ErrorReason::InvalidTransactionId)
    );
    // A stray segment with no BPP in progress: 6985.
    let stray = isdr.es10(&[0xA1, 0x00]).unwrap_err();
    assert!(
        matches!(stray, Es10Error::Status { sw, .. } if sw == StatusWord::CONDITIONS_NOT_SATISFIED),
        "{stray:?}"
    );
    drop(isdr);
    assert_eq!(snapshot(&mut card), before);
}

#[test]
fn profile_larger_than_free_memory_is_refused() {
    let pki = pki();
    let identity = pki.euicc_identity().unwrap();
    let mut config = oxicard_sim::euicc::EuiccConfig::for_identity(&identity);
    config.total_memory = 1000;
    let euicc = oxicard_sim::euicc::SoftEuicc::in_memory(config).with_identity(identity);
    let mut card: SimCard =
        oxicard_apdu::card::Card::new(oxicard_transport::sim::SimulatorTransport::new(euicc));
    let mut smdp = TestSmdp::new(&pki);
    let result = load_with(&mut card, &mut smdp, |_| ());
    let expected = InstallationError::new(
        BppCommandId::LoadProfileElements,
        ErrorReason::InstallFailedDueToInsufficientMemoryForProfile,
    );
    assert_failed(&mut card, &result, expected);
}

/// A new GetEUICCChallenge starts over: the prepared session is gone (one RSP session at a time, SGP.22 §3.1.3).
#[test]
fn new_challenge_discards_the_session() {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = TestSmdp::new(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, &smdp);
    isdr.euicc_challenge().unwrap();
    let bpp = smdp.bpp(&otpk, &eid(&pki), &smdp.upp(100));
    let result = isdr.load_bound_profile_package(&bpp, |_| ()).unwrap();
    assert_eq!(
        error_of(&result),
        InstallationError::new(BppCommandId::InitialiseSecureChannel, ErrorReason::InvalidTransactionId)
    );
    let cancel = isdr.cancel_session(&TRANSACTION_ID, CancelSessionReason::Timeout).unwrap();
    assert_eq!(cancel.response.result.unwrap_err(), CancelSessionError::InvalidTransactionId);
    assert!(isdr.profiles().unwrap().is_empty());
    assert!(isdr.list_notifications(None).unwrap().is_empty());
}
