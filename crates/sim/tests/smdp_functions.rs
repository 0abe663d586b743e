//! The test SM-DP+'s five ES9+ functions (SGP.22 §5.6) driven by a hand-built eUICC side
//! (`smdp_common`): exact message layouts, signatures, the BPP opened with the eUICC's one-time
//! key and `BspVerifier`, and the SGP.22 status codes of the failure cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod smdp_common;

use oxicard_euicc::es9::{
    CancelSessionRequestEs9, GetBoundProfilePackageRequest, HandleNotificationRequest, TransactionId,
};
use oxicard_euicc::es10::bpp::segments;
use oxicard_euicc::es10::{
    BitFlags, CancelSessionReason, Message, NotificationMetadata, OtherSignedNotification, notification_event,
};
use oxicard_euicc::pki::SignedData;
use oxicard_euicc::roles::smdp::SmdpError;
use oxicard_sim::pki::{TestPki, TestPkiConfig};
use oxicard_sim::smdp::{ProfileBuilder, TestSmdp};
use smdp_common::*;

fn codes(error: &SmdpError) -> (&str, &str) {
    (error.code.subject_code.as_str(), error.code.reason_code.as_str())
}

#[test]
fn full_download_produces_a_bpp_the_euicc_opens_byte_exact() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let mut euicc = Euicc::new(&pki);

    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let tx = init.transaction_id.as_bytes().to_vec();
    assert_eq!(tx.len(), 16);
    // serverSigned1 = 30 { 80 10 tx, 81 10 euiccChallenge, 83 len address, 84 10 serverChallenge }.
    let signed1 = &init.server_signed1;
    assert_eq!(&signed1[..4], &[0x30, 0x48, 0x80, 0x10]);
    assert_eq!(&signed1[4..20], tx.as_slice());
    assert_eq!(&signed1[20..22], &[0x81, 0x10]);
    assert_eq!(&signed1[22..38], &CHALLENGE);
    assert_eq!(&signed1[38..40], &[0x83, 0x10]);
    assert_eq!(&signed1[40..56], ADDRESS.as_bytes());
    assert_eq!(&signed1[56..58], &[0x84, 0x10]);
    assert_eq!(signed1.len(), 74);
    SignedData::ServerSigned1 { server_signed1: signed1 }
        .verify_tlv(pki.dp_auth().certificate().public_key(), &init.server_signature1)
        .unwrap();
    let ski = pki.ci().certificate().subject_key_identifier().unwrap();
    assert_eq!(init.euicc_ci_pkid_to_be_used, [&[0x04, 0x14][..], ski].concat());
    assert_eq!(init.server_certificate, pki.dp_auth().certificate().der());

    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, Some("MATCH-1"))).unwrap();
    assert_eq!(auth.transaction_id.as_ref(), Some(&init.transaction_id));
    // smdpSigned2 = 30 15 { 80 10 tx, 01 01 00 (ccRequiredFlag FALSE) }.
    assert_eq!(auth.smdp_signed2, [&[0x30, 0x15, 0x80, 0x10][..], &tx, &[0x01, 0x01, 0x00]].concat());
    SignedData::SmdpSigned2 { smdp_signed2: &auth.smdp_signed2, euicc_signature1: &euicc.euicc_signature1 }
        .verify_tlv(pki.dp_pb().certificate().public_key(), &auth.smdp_signature2)
        .unwrap();
    let profile = package(ICCID2, 2500);
    assert_eq!(auth.profile_metadata.as_deref(), Some(profile.metadata.to_der().as_slice()));
    assert_eq!(auth.smdp_certificate, pki.dp_pb().certificate().der());

    let gbpp =
        smdp.get_bound_profile_package(&euicc.prepare_download(&auth, &init.transaction_id, None)).unwrap();
    let bpp = &gbpp.bound_profile_package;
    assert_eq!(&bpp[..2], &[0xBF, 0x36]);
    // The LPA's segmentation (SGP.22 §5.7.6) accepts it.
    assert!(segments(bpp).unwrap().len() >= 8);
    let opened = open_bpp(&pki, &euicc, bpp);
    assert_eq!(opened.configure_isdp, [0xBF, 0x24, 0x00]);
    assert_eq!(opened.metadata, profile.metadata.to_der());
    assert!(opened.replaced_keys);
    assert_eq!(opened.upp, profile.upp);
    assert_eq!(opened.profile_segments, profile.upp.len().div_ceil(1007));
    assert_eq!(opened.profile_segments, 3);

    // A second GetBoundProfilePackage in the same session is refused.
    let again = smdp.get_bound_profile_package(&euicc.prepare_download(&auth, &init.transaction_id, None));
    assert_eq!(codes(&again.unwrap_err()), ("8.2", "3.7"));

    let pir = euicc.pir(&pki, &init.transaction_id, ICCID2);
    smdp.handle_notification(&HandleNotificationRequest::new(pir.clone())).unwrap();
    let received = &smdp.notifications()[0];
    assert_eq!(received.raw, pir);
    assert_eq!(received.installation, Some((tx, true)));
    assert_eq!(received.metadata.seq_number, 1);
    assert_eq!(smdp.open_sessions(), 0);
}

#[test]
fn default_profile_without_ppk() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    smdp.set_replace_session_keys(false);
    smdp.set_host_id(&[0x80; 8]);
    let mut euicc = Euicc::new(&pki);
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap();
    let gbpp =
        smdp.get_bound_profile_package(&euicc.prepare_download(&auth, &init.transaction_id, None)).unwrap();
    let opened = open_bpp(&pki, &euicc, &gbpp.bound_profile_package);
    assert!(!opened.replaced_keys);
    assert_eq!(opened.upp, package(ICCID, 0).upp);
    assert_eq!(opened.profile_segments, 1);
}

#[test]
fn built_profile_package_bytes() {
    // Hand-built example (ProfileBuilder's documented layout), not a vector. Checked with Python
    // asn1tools over PE_Definitions-3.3.1: every PE decodes (header with iccid 89 44 47 … 12 8F in
    // reading order, EF.ICCID 98 44 74 … 21 F8, EF.IMSI of 001010000000001) and re-encodes to
    // the same bytes.
    let upp = ProfileBuilder::new(ICCID.parse().unwrap()).profile_type("T").build();
    let expected = [
        "A02D800102810103820154830A8944478600004573128FA50481008400A610060667810F010201060667810F010204",
        "B03FA0058000810101810667810F010201A200A40C830A984474680000543721F8A51C831A61184F10A0000000871002\
         FFFFFFFF890000010050045553494DA600",
        "A328A0058000810102A11F300D80010181083131313131313131300E8002008181083232323232323232",
        "A22CA0058000810103A123A0213010800101810830303030FFFFFFFF820101300D80010A81083535353535353535",
        "B347A0058000810104810667810F010204A21DA11B83027FD08410A0000000871002FFFFFFFF8900000100C60381010A\
         A30B8309080910100000000010A400A800AD00AE00B200B600",
        "A21FA0058000810105A116A014301280020081810830303030FFFFFFFF82020081",
        "A435A0058000810106A12CA12A8001018101008210000102030405060708090A0B0C0D0E0F83100F0E0D0C0B0A09080706\
         050403020100",
        "AA07A0058000810107",
    ]
    .concat();
    assert_eq!(hex::encode_upper(upp), expected.replace(' ', ""));
}

#[test]
fn unknown_matching_id_is_refused() {
    let pki = pki();
    let mut smdp =
        TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile("ONLY", package(ICCID, 0));
    let mut euicc = Euicc::new(&pki);
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let error = smdp.authenticate_client(&euicc.authenticate_server(&init, Some("NOPE"))).unwrap_err();
    assert_eq!(codes(&error), ("8.2.6", "3.8"));
    // No MatchingID and no default profile: refused as well.
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let error = smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap_err();
    assert_eq!(codes(&error), ("8.2.6", "3.8"));
}

#[test]
fn confirmation_code_missing_wrong_exceeded_and_right() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let mut euicc = Euicc::new(&pki);
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, Some("CC-1"))).unwrap();
    // ccRequiredFlag TRUE.
    assert_eq!(&auth.smdp_signed2[20..], &[0x01, 0x01, 0xFF]);
    let tx = &init.transaction_id;
    let missing = smdp.get_bound_profile_package(&euicc.prepare_download(&auth, tx, None)).unwrap_err();
    assert_eq!(codes(&missing), ("8.2.7", "2.2"));
    let wrong = smdp.get_bound_profile_package(&euicc.prepare_download(&auth, tx, Some("0000"))).unwrap_err();
    assert_eq!(codes(&wrong), ("8.2.7", "3.8"));
    let right = smdp.get_bound_profile_package(&euicc.prepare_download(&auth, tx, Some("1234"))).unwrap();
    assert_eq!(open_bpp(&pki, &euicc, &right.bound_profile_package).upp, package(ICCID2, 0).upp);

    // Three wrong codes end the session.
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, Some("CC-1"))).unwrap();
    let tx = &init.transaction_id;
    for expected in [("8.2.7", "3.8"), ("8.2.7", "3.8"), ("8.2.7", "6.4"), ("8.10.1", "3.9")] {
        let error =
            smdp.get_bound_profile_package(&euicc.prepare_download(&auth, tx, Some("9"))).unwrap_err();
        assert_eq!(codes(&error), expected);
    }
}

#[test]
fn initiate_authentication_checks_address_and_ci() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let wrong_address = {
        let mut initiate_authentication_request = initiate_request(&pki);
        initiate_authentication_request.smdp_address = "other.example.com".into();
        initiate_authentication_request
    };
    assert_eq!(codes(&smdp.initiate_authentication(&wrong_address).unwrap_err()), ("8.8.1", "3.8"));
    let other = TestPki::from_seed([8; 32]).unwrap();
    let unknown_ci = {
        let mut initiate_authentication_request = initiate_request(&pki);
        initiate_authentication_request.euicc_info1 = euicc_info1(&other);
        initiate_authentication_request
    };
    assert_eq!(codes(&smdp.initiate_authentication(&unknown_ci).unwrap_err()), ("8.8.2", "3.1"));
    let garbage = {
        let mut initiate_authentication_request = initiate_request(&pki);
        initiate_authentication_request.euicc_info1 = vec![0xBF, 0x20, 0x01];
        initiate_authentication_request
    };
    assert_eq!(codes(&smdp.initiate_authentication(&garbage).unwrap_err()), ("8.8.2", "3.1"));
    assert_eq!(smdp.open_sessions(), 0);
}

#[test]
fn authenticate_client_checks_signature_echoes_and_chain() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let mut euicc = Euicc::new(&pki);

    let unknown = TransactionId::new(vec![1, 2, 3]).unwrap();
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let mut request = euicc.authenticate_server(&init, None);
    request.transaction_id = unknown;
    assert_eq!(codes(&smdp.authenticate_client(&request).unwrap_err()), ("8.10.1", "3.9"));

    // A flipped bit in the signature.
    let mut request = euicc.authenticate_server(&init, None);
    let sig_at =
        request.authenticate_server_response.windows(3).position(|w| w == [0x5F, 0x37, 0x40]).unwrap();
    request.authenticate_server_response[sig_at + 10] ^= 1;
    assert_eq!(codes(&smdp.authenticate_client(&request).unwrap_err()), ("8.1", "6.1"));

    // A wrong serverChallenge echoed (correctly signed).
    let tx = init.transaction_id.as_bytes().to_vec();
    let request = euicc.authenticate_server_with(&init.transaction_id, &tx, ADDRESS, &[0; 16], None);
    assert_eq!(codes(&smdp.authenticate_client(&request).unwrap_err()), ("8.1", "6.1"));
    // Another transactionId inside euiccSigned1.
    let request = euicc.authenticate_server_with(&init.transaction_id, &[9; 16], ADDRESS, &[0; 16], None);
    assert_eq!(codes(&smdp.authenticate_client(&request).unwrap_err()), ("8.10.1", "3.9"));

    // An eUICC of another PKI: its CI is unknown to the SM-DP+.
    let other = TestPki::from_seed([8; 32]).unwrap();
    let mut stranger = Euicc::new(&other);
    let request = stranger.authenticate_server(&init, None);
    assert_eq!(codes(&smdp.authenticate_client(&request).unwrap_err()), ("8.11.1", "3.9"));

    // An eUICC certificate whose EID lies outside the EUM's permitted EINs.
    let config = TestPkiConfig { seed: Some([7; 32]), ..TestPkiConfig::default() };
    let same = TestPki::generate(&config).unwrap();
    let outside = same.issue_euicc("89001012012341234012345678901224").unwrap();
    let identity = oxicard_euicc::pki::EuiccIdentity::new(
        outside,
        same.eum().certificate().clone(),
        same.trust_store().unwrap(),
    )
    .unwrap();
    let mut outsider = Euicc { identity, euicc_signature1: Vec::new(), otk: None };
    let request = outsider.authenticate_server(&init, None);
    assert_eq!(codes(&smdp.authenticate_client(&request).unwrap_err()), ("8.1.2", "6.1"));

    // The genuine answer still works: failures do not end the session.
    smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap();
    let twice = smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap_err();
    assert_eq!(codes(&twice), ("8.10.1", "3.9"));
}

#[test]
fn get_bound_profile_package_checks_euicc_signature2() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let mut euicc = Euicc::new(&pki);
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap();
    let mut request = euicc.prepare_download(&auth, &init.transaction_id, None);
    let last = request.prepare_download_response.len() - 1;
    request.prepare_download_response[last] ^= 0x80;
    assert_eq!(codes(&smdp.get_bound_profile_package(&request).unwrap_err()), ("8.1", "6.1"));
    let garbage = GetBoundProfilePackageRequest::new(init.transaction_id.clone(), vec![0xBF, 0x21, 0x00]);
    assert_eq!(codes(&smdp.get_bound_profile_package(&garbage).unwrap_err()), ("8.1", "6.1"));
    smdp.get_bound_profile_package(&euicc.prepare_download(&auth, &init.transaction_id, None)).unwrap();
}

#[test]
fn cancel_session_verifies_and_ends_the_session() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let mut euicc = Euicc::new(&pki);
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap();
    let tx = init.transaction_id.as_bytes();

    let mut tampered = euicc.cancel(&pki, tx, CancelSessionReason::EndUserRejection);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let request = CancelSessionRequestEs9::new(init.transaction_id.clone(), tampered);
    assert_eq!(codes(&smdp.cancel_session(&request).unwrap_err()), ("8.1", "6.1"));

    let request = CancelSessionRequestEs9::new(
        init.transaction_id.clone(),
        euicc.cancel(&pki, tx, CancelSessionReason::EndUserRejection),
    );
    smdp.cancel_session(&request).unwrap();
    assert_eq!(smdp.cancelled_sessions(), &[(tx.to_vec(), CancelSessionReason::EndUserRejection)]);
    assert_eq!(smdp.open_sessions(), 0);
    let after = smdp.get_bound_profile_package(&euicc.prepare_download(&auth, &init.transaction_id, None));
    assert_eq!(codes(&after.unwrap_err()), ("8.10.1", "3.9"));
    assert_eq!(codes(&smdp.cancel_session(&request).unwrap_err()), ("8.10.1", "3.9"));
}

#[test]
fn other_notifications_are_verified() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let identity = pki.euicc_identity().unwrap();
    let metadata = {
        let mut notification_metadata =
            NotificationMetadata::new(7, BitFlags::from_bits([notification_event::ENABLE]), ADDRESS.into());
        notification_metadata.iccid = Some(ICCID.parse().unwrap());
        notification_metadata
    };
    let tbs = metadata.to_der();
    let signature =
        identity.sign(&SignedData::OtherNotification { tbs_other_notification: &tbs }).unwrap().to_tlv();
    let notification = OtherSignedNotification::new(
        metadata.clone(),
        &signature,
        identity.certificate().der(),
        identity.eum_certificate().der(),
    );
    let mut tampered = notification.as_der().to_vec();
    let at = tampered.windows(3).position(|w| w == [0x5F, 0x37, 0x40]).unwrap() + 5;
    tampered[at] ^= 1;
    let error = smdp.handle_notification(&HandleNotificationRequest::new(tampered)).unwrap_err();
    assert_eq!(codes(&error), ("8.1", "6.1"));
    smdp.handle_notification(&HandleNotificationRequest::new(notification.as_der().to_vec())).unwrap();
    assert_eq!(smdp.notifications().len(), 1);
    assert_eq!(smdp.notifications()[0].metadata, metadata);
    assert_eq!(smdp.notifications()[0].installation, None);

    // A PIR for a session the SM-DP+ does not know.
    let euicc = Euicc::new(&pki);
    let pir = euicc.pir(&pki, &TransactionId::new(vec![5; 16]).unwrap(), ICCID);
    let error = smdp.handle_notification(&HandleNotificationRequest::new(pir)).unwrap_err();
    assert_eq!(codes(&error), ("8.10.1", "3.9"));
}

#[test]
fn json_binding_paths_headers_and_statuses() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let body = initiate_request(&pki).to_json();
    let path = "/gsma/rsp2/es9plus/initiateAuthentication";
    let ok = smdp.handle_request(path, Some("gsma/rsp/v2.2.2"), &body);
    assert_eq!(ok.status, 200);
    assert!(String::from_utf8(ok.body).unwrap().contains("\"Executed-Success\""));
    let no_header = smdp.handle_request(path, None, &body);
    assert_eq!(no_header.status, 200);
    assert_eq!(
        String::from_utf8(no_header.body).unwrap(),
        "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\",\"statusCodeData\":\
         {\"message\":\"unsupported X-Admin-Protocol\",\"reasonCode\":\"2.1\",\"subjectCode\":\"1.2.2\"}}}}"
    );
    assert_eq!(smdp.handle_request("/gsma/rsp2/es9plus/other", Some("gsma/rsp/v2.2.2"), &body).status, 404);
    assert_eq!(smdp.handle_request(path, Some("gsma/rsp/v2.2.2"), b"{").status, 400);
    assert_eq!(smdp.handle_request(path, Some("gsma/rsp/v2.2.2"), b"{}").status, 400);

    let notification = HandleNotificationRequest::new(vec![0x30, 0x00]).to_json();
    let answer =
        smdp.handle_request("/gsma/rsp2/es9plus/handleNotification", Some("gsma/rsp/v2.1.0"), &notification);
    assert_eq!(answer.status, 200);
    assert!(String::from_utf8(answer.body).unwrap().contains("\"subjectCode\":\"8.1\""));
}

#[test]
fn sessions_are_bounded_and_an_unauthenticated_cancel_just_ends_one() {
    let pki = pki();
    let mut smdp = smdp(&pki);
    let first = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let request =
        CancelSessionRequestEs9::new(first.transaction_id.clone(), vec![0xBF, 0x41, 0x03, 0x81, 0x01, 0x05]);
    smdp.cancel_session(&request).unwrap();
    assert_eq!(smdp.open_sessions(), 0);

    let first = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    for _ in 0..300 {
        smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    }
    // At most 256 sessions; the oldest went first.
    assert_eq!(smdp.open_sessions(), 256);
    let mut euicc = Euicc::new(&pki);
    let error = smdp.authenticate_client(&euicc.authenticate_server(&first, None)).unwrap_err();
    assert_eq!(codes(&error), ("8.10.1", "3.9"));
}
