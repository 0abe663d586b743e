//! The eUICC role and the SM-DP+ role of this crate against each other, without the simulator
//! (SGP.22 §3.1.3): the common mutual authentication, PrepareDownload, a Bound Profile Package
//! built and protected with BSP by `roles::smdp` and loaded by `roles::euicc`, the signed
//! ProfileInstallationResult verified by the SM-DP+, CancelSession both ways; and every signed
//! element tampered with, each refused with the SGP.22 error code the receiving role must answer.
//!
//! The PKI is `tests/data/rsp-test-pki` (a generated test PKI, not a published vector); the
//! profile data (ICCID, names, the UPP bytes) are hand-made examples.
#![cfg(all(feature = "euicc-role", feature = "smdp-role"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::time::SystemTime;

use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::activation::hash_confirmation_code;
use oxicard_euicc::asn1::{Encoder, app, ctx, ctx_c};
use oxicard_euicc::es9::{InitiateAuthenticationRequest, RspFunction};
use oxicard_euicc::es10::bpp::segments;
use oxicard_euicc::es10::{
    AuthenticateErrorCode, AuthenticateServerRequest, AuthenticateServerResponse, BppCommandId,
    CancelSessionError, CancelSessionReason, CancelSessionRequest, CancelSessionResponse, CtxParams1,
    DownloadErrorCode, ErrorReason, EuiccInfo1, EuiccInfo2, FinalResult, InstallationError, Message,
    PendingNotification, PrepareDownloadRequest, PrepareDownloadResponse, ProfileInfo,
    ProfileInstallationResult, Version,
};
use oxicard_euicc::iccid::{Eid, Iccid};
use oxicard_euicc::pki::{
    CertifiedKey, EuiccIdentity, OneTimeKeyPair, RspCertificate, SmdpIdentity, TrustStore,
};
use oxicard_euicc::roles::euicc::{
    EuiccDownload, EuiccPlatform, InstallRefusal, PackageRefusal, RequestError, SIMA_RESPONSE_OK,
};
use oxicard_euicc::roles::smdp::{
    BppInput, ClientVerified, ConfirmationCheck, SignedNotification, SmdpError, authenticate_client,
    bound_profile_package, check_confirmation_code, initiate_authentication, sign_smdp_signed2,
    verify_cancel_session, verify_prepare_download_response,
};
use oxicard_secure_channel::bsp::BspKeys;

const ADDRESS: &str = "smdp.example.com";
const TX: [u8; 16] = [0x11; 16];
const EUICC_CHALLENGE: [u8; 16] = [0x44; 16];
const SERVER_CHALLENGE: [u8; 16] = [0x22; 16];
const HOST_ID: &[u8] = b"HOST-ID-TEST";
const ICCID: &str = "8944478600004573128";
const MATCHING_ID: &str = "MATCH-1";

fn pem(name: &str) -> &'static str {
    match name {
        "ci" => include_str!("data/rsp-test-pki/ci.pem"),
        "eum" => include_str!("data/rsp-test-pki/eum.pem"),
        "euicc" => include_str!("data/rsp-test-pki/euicc.pem"),
        "euicc.key" => include_str!("data/rsp-test-pki/euicc.key.pem"),
        "dp-auth" => include_str!("data/rsp-test-pki/dp-auth.pem"),
        "dp-auth.key" => include_str!("data/rsp-test-pki/dp-auth.key.pem"),
        "dp-pb" => include_str!("data/rsp-test-pki/dp-pb.pem"),
        "dp-pb.key" => include_str!("data/rsp-test-pki/dp-pb.key.pem"),
        _ => panic!("{name}"),
    }
}

fn certified(name: &str) -> CertifiedKey {
    let key = format!("{name}.key");
    CertifiedKey::from_pem_or_der(pem(name).as_bytes(), pem(&key).as_bytes()).unwrap()
}

fn trust() -> TrustStore {
    TrustStore::new(vec![RspCertificate::from_pem(pem("ci")).unwrap()]).unwrap()
}

fn euicc_identity() -> EuiccIdentity {
    EuiccIdentity::new(certified("euicc"), RspCertificate::from_pem(pem("eum")).unwrap(), trust()).unwrap()
}

fn smdp_identity() -> SmdpIdentity {
    SmdpIdentity::new(certified("dp-auth"), certified("dp-pb"), None, trust()).unwrap()
}

fn iccid() -> Iccid {
    ICCID.parse().unwrap()
}

/// The card the eUICC role runs on: in memory.
struct Card {
    eid: Eid,
    pkid: Vec<u8>,
    challenge: Option<[u8; 16]>,
    free: u64,
    installed: Vec<(ProfileInfo, Vec<u8>, Vec<u8>)>,
    seq: u64,
    notifications: Vec<PendingNotification>,
    refusal: Option<PackageRefusal>,
}

impl Card {
    fn new(identity: &EuiccIdentity) -> Card {
        Card {
            eid: identity.eid().parse().unwrap(),
            pkid: identity.ci_pkids_for_signing().remove(0),
            challenge: Some(EUICC_CHALLENGE),
            free: 1 << 20,
            installed: Vec::new(),
            seq: 1,
            notifications: Vec::new(),
            refusal: None,
        }
    }
}

impl EuiccPlatform for Card {
    fn eid(&self) -> Eid {
        self.eid
    }

    fn euicc_info2(&self) -> EuiccInfo2 {
        // Hand-made EUICCInfo2 with the members SGP.22 §5.7.8 requires (profileVersion 2.3.1,
        // svn 2.2.2, …, sasAcreditationNumber "TEST"); its CI PKID lists (`00`) are
        // placeholders: it is only signed in euiccSigned1 here.
        let der = hex::decode(
            "BF222D810302030182030202028303000100840085020560880100A903040100AA0304010004030000010C0454455354",
        );
        EuiccInfo2::from_der(&der.unwrap()).unwrap()
    }

    fn euicc_challenge(&self) -> Option<[u8; 16]> {
        self.challenge
    }

    fn end_session(&mut self) {
        self.challenge = None;
    }

    fn free_memory(&self) -> u64 {
        self.free
    }

    fn has_profile(&self, iccid: &Iccid) -> bool {
        self.installed.iter().any(|(p, _, _)| p.iccid.as_ref() == Some(iccid))
    }

    fn install_profile(&mut self, profile: ProfileInfo, upp: Vec<u8>) -> Result<Vec<u8>, InstallRefusal> {
        let aid = vec![0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0x01];
        self.installed.push((profile, upp, aid.clone()));
        Ok(aid)
    }

    fn next_seq_number(&mut self) -> u64 {
        self.seq += 1;
        self.seq - 1
    }

    fn default_dp_address(&self) -> Option<String> {
        None
    }

    fn push_notification(&mut self, notification: PendingNotification) {
        self.notifications.push(notification);
    }

    fn check_profile_package(&self, _upp: &[u8], _iccid: Iccid) -> Result<(), PackageRefusal> {
        self.refusal.clone().map_or(Ok(()), Err)
    }
}

/// The StoreMetadataRequest `BF25 { 5A iccid, 91 spn, 92 name }` (SGP.22 §5.5.3).
fn metadata() -> Vec<u8> {
    let mut e = Encoder::new();
    e.nested(ctx_c(37), |e| {
        e.tlv(app(26), iccid().as_bytes());
        e.utf8(ctx(17), "OXI");
        e.utf8(ctx(18), "Two-sided profile");
    });
    e.finish()
}

/// A hand-made UPP long enough for several `86` segments.
fn upp() -> Vec<u8> {
    (0..3000u32).map(|i| (i % 251) as u8).collect()
}

/// Both roles and the messages between them, one step at a time.
struct Download {
    euicc: EuiccDownload<EuiccIdentity>,
    card: Card,
    smdp: SmdpIdentity,
    ppk: BspKeys,
}

impl Download {
    fn new() -> Download {
        let identity = euicc_identity();
        let card = Card::new(&identity);
        Download {
            euicc: EuiccDownload::for_identity(identity),
            card,
            smdp: smdp_identity(),
            ppk: BspKeys::new(&[0x01; 16], &[0x02; 16], &[0x03; 16]).unwrap(),
        }
    }

    fn euicc_info1(&self) -> Vec<u8> {
        EuiccInfo1::new(Version::new(2, 2, 2), vec![self.card.pkid.clone()], vec![self.card.pkid.clone()])
            .to_der()
    }

    /// ES9+.InitiateAuthentication on the SM-DP+, as the AuthenticateServer request it leads to.
    fn authenticate_server_request(&self) -> AuthenticateServerRequest {
        let request = InitiateAuthenticationRequest::new(ADDRESS.into(), EUICC_CHALLENGE, self.euicc_info1());
        let f = RspFunction::Es9InitiateAuthentication;
        let initiated =
            initiate_authentication(f, ADDRESS, self.smdp.auth(), &request, &TX, &SERVER_CHALLENGE).unwrap();
        assert_eq!(initiated.transaction_id.as_bytes(), TX);
        let mut authenticate_server_request = AuthenticateServerRequest::new(
            initiated.server_signed1,
            initiated.server_signature1,
            initiated.server_certificate,
            CtxParams1::new(Some(MATCHING_ID.into()), DeviceInfo::from_tac("35290611".parse().unwrap())),
        );
        authenticate_server_request.euicc_ci_pkid_to_be_used = Some(initiated.euicc_ci_pkid_to_be_used);
        authenticate_server_request
    }

    /// ES10b.AuthenticateServer on the eUICC: the response TLV as the card answers it.
    fn authenticate_server(&mut self, request: &AuthenticateServerRequest) -> Vec<u8> {
        self.euicc.handle(&request.to_der(), &mut self.card).unwrap()
    }

    /// ES9+.AuthenticateClient on the SM-DP+.
    fn authenticate_client(&self, response: &[u8]) -> Result<ClientVerified, SmdpError> {
        let f = RspFunction::Es9AuthenticateClient;
        authenticate_client(
            f,
            ADDRESS,
            &TX,
            &SERVER_CHALLENGE,
            response,
            self.smdp.trusted_cis(),
            Some(now()),
        )
        .map_err(|refused| refused.error)
    }

    fn prepare_download_request(
        &self,
        euicc_signature1: &[u8],
        hash_cc: Option<[u8; 32]>,
    ) -> PrepareDownloadRequest {
        let signed2 = sign_smdp_signed2(&self.smdp, &TX, hash_cc.is_some(), euicc_signature1).unwrap();
        let mut prepare_download_request = PrepareDownloadRequest::new(
            signed2.smdp_signed2,
            signed2.smdp_signature2,
            self.smdp.pb().certificate().der().to_vec(),
        );
        prepare_download_request.hash_cc = hash_cc;
        prepare_download_request
    }

    /// ES10b.PrepareDownload on the eUICC: the response TLV as the card answers it.
    fn prepare_download(&mut self, request: &PrepareDownloadRequest) -> Vec<u8> {
        self.euicc.handle(&request.to_der(), &mut self.card).unwrap()
    }

    /// Both roles up to PrepareDownload: CERT.EUICC (as the SM-DP+ verified it), the
    /// smdpSignature2 TLV and the PrepareDownloadResponse DER.
    fn until_prepared(&mut self, hash_cc: Option<[u8; 32]>) -> (RspCertificate, Vec<u8>, Vec<u8>) {
        let request = self.authenticate_server_request();
        let response = self.authenticate_server(&request);
        let verified = self.authenticate_client(&response).unwrap();
        assert_eq!(verified.matching_id, MATCHING_ID);
        assert_eq!(hex::encode_upper(verified.eid), self.card.eid.digits());
        let prepare = self.prepare_download_request(&verified.euicc_signature1, hash_cc);
        let prepared = self.prepare_download(&prepare);
        (verified.euicc_certificate, prepare.smdp_signature2, prepared)
    }

    /// ES9+.GetBoundProfilePackage: the BPP's segments as LoadBoundProfilePackage sends them.
    fn bpp_segments(
        &self,
        euicc_certificate: &RspCertificate,
        smdp_signature2: &[u8],
        prepared: &[u8],
    ) -> Vec<Vec<u8>> {
        let f = RspFunction::Es9GetBoundProfilePackage;
        let signed2 = verify_prepare_download_response(f, &TX, smdp_signature2, euicc_certificate, prepared)
            .map_err(|refused| refused.error)
            .unwrap();
        let eid = self.card.eid.to_bytes();
        let curve = self.smdp.pb().private_key().curve();
        let dp_otk = OneTimeKeyPair::generate(curve).unwrap();
        let (metadata, upp) = (metadata(), upp());
        let input = {
            let mut bpp_input =
                BppInput::new(&TX, HOST_ID, &eid, &signed2.euicc_otpk, &metadata, &upp, &dp_otk);
            bpp_input.ppk = Some(&self.ppk);
            bpp_input
        };
        let bpp = bound_profile_package(&self.smdp, &input).unwrap();
        segments(&bpp).unwrap().iter().map(|s| s.bytes.to_vec()).collect()
    }

    /// LoadBoundProfilePackage: every segment until one gets an answer, which must be the last.
    fn load(&mut self, segments: &[Vec<u8>]) -> ProfileInstallationResult {
        for (index, segment) in segments.iter().enumerate() {
            let answer = self.euicc.handle(segment, &mut self.card).unwrap();
            if !answer.is_empty() {
                return ProfileInstallationResult::from_der(&answer).unwrap();
            }
            assert!(index + 1 < segments.len(), "no ProfileInstallationResult");
        }
        panic!("no segments")
    }

    /// A whole download; the PIR and the CERT.EUICC the SM-DP+ verified.
    fn run(
        &mut self,
        tamper_segment: impl FnOnce(&mut Vec<Vec<u8>>),
    ) -> (ProfileInstallationResult, RspCertificate) {
        let (certificate, smdp_signature2, prepared) = self.until_prepared(None);
        let mut segments = self.bpp_segments(&certificate, &smdp_signature2, &prepared);
        tamper_segment(&mut segments);
        (self.load(&segments), certificate)
    }
}

fn now() -> SystemTime {
    SystemTime::now()
}

/// Flips the last byte of `bytes` (in a signature, a MAC, a certificate's signature).
fn flip_last(bytes: &mut [u8]) {
    *bytes.last_mut().unwrap() ^= 0x01;
}

fn authentication_error(response: &[u8]) -> (AuthenticateErrorCode, Vec<u8>) {
    let error = AuthenticateServerResponse::from_der(response).unwrap().result.unwrap_err();
    (error.code, error.transaction_id)
}

/// A change to the AuthenticateServer request.
type AuthenticateTamper = fn(&mut AuthenticateServerRequest, &Download);
/// A change to the PrepareDownload request (given the session's euiccSignature1).
type PrepareTamper = fn(&mut PrepareDownloadRequest, &Download, &[u8]);
/// A change to the BPP segments.
type SegmentTamper = fn(&mut Vec<Vec<u8>>);
/// A change to the eUICC's AuthenticateServerResponse.
type ResponseTamper = fn(&mut Vec<u8>);

fn codes(error: &SmdpError) -> (&str, &str) {
    (error.code.subject_code.as_str(), error.code.reason_code.as_str())
}

#[test]
fn the_smdp_role_builds_a_bpp_the_euicc_role_installs() {
    let mut download = Download::new();
    let (pir, certificate) = download.run(|_| {});
    let FinalResult::Success { aid, sima_response } = &pir.data().final_result else {
        panic!("{:?}", pir.data().final_result)
    };
    assert_eq!(sima_response, &SIMA_RESPONSE_OK);
    // The eUICC installed the metadata's profile with the UPP exactly as the SM-DP+ bound it.
    let (profile, installed_upp, installed_aid) = &download.card.installed[0];
    assert_eq!(profile.iccid, Some(iccid()));
    assert_eq!(profile.profile_name.as_deref(), Some("Two-sided profile"));
    assert_eq!(profile.profile_size, Some(3000));
    assert_eq!(installed_upp, &upp());
    assert_eq!(installed_aid, aid);
    // The PIR: the session's transactionId and serverAddress, CERT.DPpb's OID, stored pending.
    assert_eq!(pir.data().transaction_id, TX);
    assert_eq!(pir.notification_metadata().address, ADDRESS);
    assert_eq!(pir.notification_metadata().iccid, Some(iccid()));
    assert_eq!(pir.data().smdp_oid, download.smdp.smdp_oid());
    assert_eq!(
        download.card.notifications,
        vec![PendingNotification::ProfileInstallationResult(pir.clone())]
    );
    assert!(!download.euicc.in_session());
    assert_eq!(download.card.challenge, None);
    // ES9+.HandleNotification: euiccSignPIR verifies with the session's CERT.EUICC.
    let f = RspFunction::Es9HandleNotification;
    let received = SignedNotification::parse(f, pir.as_der()).unwrap();
    received.verify_installation_result(f, &certificate).unwrap();
}

#[test]
fn the_confirmation_code_hash_reaches_the_smdp() {
    let mut download = Download::new();
    let hash = hash_confirmation_code("1234", &TX);
    let (certificate, smdp_signature2, prepared) = download.until_prepared(Some(hash));
    let f = RspFunction::Es9GetBoundProfilePackage;
    let signed2 = verify_prepare_download_response(f, &TX, &smdp_signature2, &certificate, &prepared)
        .map_err(|refused| refused.error)
        .unwrap();
    let hash_cc = signed2.hash_cc.as_deref();
    assert_eq!(check_confirmation_code("1234", &TX, hash_cc), ConfirmationCheck::Matches);
    assert_eq!(check_confirmation_code("4321", &TX, hash_cc), ConfirmationCheck::Wrong);
    assert_eq!(check_confirmation_code("1234", &TX, None), ConfirmationCheck::Missing);
}

#[test]
fn cancel_session_is_signed_and_verified() {
    let mut download = Download::new();
    let request = download.authenticate_server_request();
    let response = download.authenticate_server(&request);
    let verified = download.authenticate_client(&response).unwrap();
    let cancel = CancelSessionRequest::new(TX.to_vec(), CancelSessionReason::Postponed);
    let answer = download.euicc.handle(&cancel.to_der(), &mut download.card).unwrap();
    assert!(!download.euicc.in_session());
    let f = RspFunction::Es9CancelSession;
    let smdp_oid = download.smdp.smdp_oid();
    let reason = verify_cancel_session(f, &TX, &verified.euicc_certificate, smdp_oid.as_ref(), &answer);
    assert_eq!(reason.unwrap(), CancelSessionReason::Postponed);
    // The signature tampered with: 8.1 / 6.1.
    let mut tampered = answer.clone();
    flip_last(&mut tampered);
    let error = verify_cancel_session(f, &TX, &verified.euicc_certificate, smdp_oid.as_ref(), &tampered);
    assert_eq!(codes(&error.unwrap_err()), ("8.1", "6.1"));
    // No session any more: invalidTransactionId(5) on the eUICC.
    let again = download.euicc.handle(&cancel.to_der(), &mut download.card).unwrap();
    let again = CancelSessionResponse::from_der(&again).unwrap();
    assert_eq!(again.result, Err(CancelSessionError::InvalidTransactionId));
}

#[test]
fn authenticate_server_refuses_each_tampered_element() {
    let cases: [(&str, AuthenticateTamper, AuthenticateErrorCode); 6] = [
        ("serverSigned1", |r, _| flip_last(&mut r.server_signed1), AuthenticateErrorCode::InvalidSignature),
        (
            "serverSignature1",
            |r, _| flip_last(&mut r.server_signature1),
            AuthenticateErrorCode::InvalidSignature,
        ),
        (
            "CERT.DPauth",
            |r, _| flip_last(&mut r.server_certificate),
            AuthenticateErrorCode::InvalidCertificate,
        ),
        (
            "CERT.DPpb instead of CERT.DPauth",
            |r, d| r.server_certificate = d.smdp.pb().certificate().der().to_vec(),
            AuthenticateErrorCode::InvalidOid,
        ),
        (
            "euiccCiPKIdToBeUsed",
            |r, _| flip_last(r.euicc_ci_pkid_to_be_used.as_mut().unwrap()),
            AuthenticateErrorCode::CiPKUnknown,
        ),
        (
            "euiccChallenge (correctly signed)",
            |r, d| {
                let request = InitiateAuthenticationRequest::new(ADDRESS.into(), [0x45; 16], d.euicc_info1());
                let f = RspFunction::Es9InitiateAuthentication;
                let other =
                    initiate_authentication(f, ADDRESS, d.smdp.auth(), &request, &TX, &SERVER_CHALLENGE)
                        .unwrap();
                r.server_signed1 = other.server_signed1;
                r.server_signature1 = other.server_signature1;
            },
            AuthenticateErrorCode::EuiccChallengeMismatch,
        ),
    ];
    for (what, tamper, expected) in cases {
        let mut download = Download::new();
        let mut request = download.authenticate_server_request();
        tamper(&mut request, &download);
        let response = download.authenticate_server(&request);
        assert_eq!(authentication_error(&response), (expected, TX.to_vec()), "{what}");
        assert!(!download.euicc.in_session(), "{what}");
        // The challenge stays: the genuine request still succeeds.
        let genuine = download.authenticate_server_request();
        let answer = download.authenticate_server(&genuine);
        assert!(AuthenticateServerResponse::from_der(&answer).unwrap().result.is_ok(), "{what}");
    }
}

#[test]
fn prepare_download_refuses_each_tampered_element() {
    let cases: [(&str, PrepareTamper, DownloadErrorCode); 5] = [
        (
            "smdpSigned2 (ccRequiredFlag FALSE to TRUE)",
            |r, _, _| *r.smdp_signed2.last_mut().unwrap() = 0xFF,
            DownloadErrorCode::InvalidSignature,
        ),
        ("smdpSignature2", |r, _, _| flip_last(&mut r.smdp_signature2), DownloadErrorCode::InvalidSignature),
        ("CERT.DPpb", |r, _, _| flip_last(&mut r.smdp_certificate), DownloadErrorCode::InvalidCertificate),
        (
            "CERT.DPauth instead of CERT.DPpb",
            |r, d, _| r.smdp_certificate = d.smdp.auth().certificate().der().to_vec(),
            DownloadErrorCode::InvalidCertificate,
        ),
        (
            "another transactionId (correctly signed)",
            |r, d, euicc_signature1| {
                let other = sign_smdp_signed2(&d.smdp, &[0x12; 16], false, euicc_signature1).unwrap();
                r.smdp_signed2 = other.smdp_signed2;
                r.smdp_signature2 = other.smdp_signature2;
            },
            DownloadErrorCode::InvalidTransactionId,
        ),
    ];
    for (what, tamper, expected) in cases {
        let mut download = Download::new();
        let request = download.authenticate_server_request();
        let response = download.authenticate_server(&request);
        let euicc_signature1 =
            AuthenticateServerResponse::from_der(&response).unwrap().result.unwrap().euicc_signature1;
        let mut prepare = download.prepare_download_request(&euicc_signature1, None);
        tamper(&mut prepare, &download, &euicc_signature1);
        let answer = PrepareDownloadResponse::from_der(&download.prepare_download(&prepare)).unwrap();
        let error = answer.result.unwrap_err();
        // The error names the transactionId of the request (`30 13 80 10 <transactionId> …`).
        assert_eq!(
            (error.code, error.transaction_id.as_slice()),
            (expected, &prepare.smdp_signed2[4..20]),
            "{what}"
        );
        // The session stays open: the genuine request still succeeds.
        let genuine = download.prepare_download_request(&euicc_signature1, None);
        let answer = PrepareDownloadResponse::from_der(&download.prepare_download(&genuine)).unwrap();
        assert!(answer.result.is_ok(), "{what}");
    }
}

/// The index of the first segment starting with `tag`.
fn segment(segments: &[Vec<u8>], tag: &[u8]) -> usize {
    segments.iter().position(|s| s.starts_with(tag)).unwrap()
}

#[test]
fn load_bound_profile_package_refuses_each_tampered_element() {
    let cases: [(&str, SegmentTamper, BppCommandId, ErrorReason); 6] = [
        (
            "smdpSign of InitialiseSecureChannel",
            |s| flip_last(&mut s[0]),
            BppCommandId::InitialiseSecureChannel,
            ErrorReason::InvalidSignature,
        ),
        (
            "hostId of InitialiseSecureChannel",
            |s| {
                let at = s[0].windows(HOST_ID.len()).position(|w| w == HOST_ID).unwrap();
                s[0][at] ^= 0x01;
            },
            BppCommandId::InitialiseSecureChannel,
            ErrorReason::InvalidSignature,
        ),
        (
            "ConfigureISDP (87, MAC)",
            |s| flip_last(&mut s[1]),
            BppCommandId::ConfigureIsdp,
            ErrorReason::Scp03tSecurityError,
        ),
        (
            "StoreMetadata (88, MAC)",
            |s| {
                let at = segment(s, &[0x88]);
                flip_last(&mut s[at]);
            },
            BppCommandId::StoreMetadata,
            ErrorReason::Scp03tSecurityError,
        ),
        (
            "ReplaceSessionKeys (87 of A2, MAC)",
            |s| {
                let at = segment(s, &[0xA2]);
                flip_last(&mut s[at]);
            },
            BppCommandId::ReplaceSessionKeys,
            ErrorReason::Scp03tSecurityError,
        ),
        (
            "profile elements (86, MAC)",
            |s| {
                let at = s.len() - 2;
                flip_last(&mut s[at]);
            },
            BppCommandId::LoadProfileElements,
            ErrorReason::Scp03tSecurityError,
        ),
    ];
    for (what, tamper, command, reason) in cases {
        let mut download = Download::new();
        let (pir, certificate) = download.run(tamper);
        assert_eq!(
            pir.data().final_result,
            FinalResult::Error { error: InstallationError::new(command, reason), sima_response: None },
            "{what}"
        );
        assert!(download.card.installed.is_empty(), "{what}");
        assert!(!download.euicc.in_session(), "{what}");
        // The failed result is signed, pending, and verifies on the SM-DP+.
        assert_eq!(download.card.notifications.len(), 1, "{what}");
        let f = RspFunction::Es9HandleNotification;
        SignedNotification::parse(f, pir.as_der())
            .unwrap()
            .verify_installation_result(f, &certificate)
            .unwrap();
    }
}

#[test]
fn the_profile_package_interpreter_refusal_is_the_result() {
    let mut download = Download::new();
    let refusal = {
        let mut package_refusal = PackageRefusal::new(ErrorReason::InstallFailedDueToIccidMismatch);
        package_refusal.sima_response = Some(vec![0x30, 0x00]);
        package_refusal
    };
    download.card.refusal = Some(refusal.clone());
    let (pir, _) = download.run(|_| {});
    assert_eq!(
        pir.data().final_result,
        FinalResult::Error {
            error: InstallationError::new(BppCommandId::LoadProfileElements, refusal.reason),
            sima_response: refusal.sima_response,
        }
    );
    assert_eq!(pir.notification_metadata().iccid, Some(iccid()));
    assert!(download.card.installed.is_empty());
}

#[test]
fn a_segment_without_a_bpp_in_progress_is_not_expected() {
    let mut download = Download::new();
    let (certificate, smdp_signature2, prepared) = download.until_prepared(None);
    let segments = download.bpp_segments(&certificate, &smdp_signature2, &prepared);
    assert_eq!(download.euicc.handle(&segments[1], &mut download.card), Err(RequestError::NotExpected));
    assert_eq!(download.euicc.handle(&[0xBF], &mut download.card), Err(RequestError::Malformed));
}

#[test]
fn authenticate_client_refuses_each_tampered_element() {
    let cases: [(&str, ResponseTamper, (&str, &str)); 3] = [
        (
            "euiccSigned1",
            |der| {
                // The last byte of ctxParams1 inside euiccSigned1: the TAC's last octet.
                let at = der.windows(4).position(|w| w == [0x35, 0x29, 0x06, 0x11]).unwrap() + 3;
                der[at] ^= 0x01;
            },
            ("8.1", "6.1"),
        ),
        (
            "euiccSignature1",
            |der| {
                let at = der.windows(3).position(|w| w == [0x5F, 0x37, 0x40]).unwrap() + 3 + 63;
                der[at] ^= 0x01;
            },
            ("8.1", "6.1"),
        ),
        ("CERT.EUM", |der| flip_last(der), ("8.1.2", "6.1")),
    ];
    for (what, tamper, expected) in cases {
        let mut download = Download::new();
        let request = download.authenticate_server_request();
        let mut response = download.authenticate_server(&request);
        tamper(&mut response);
        let error = download.authenticate_client(&response).unwrap_err();
        assert_eq!(codes(&error), expected, "{what}");
    }
}

#[test]
fn get_bound_profile_package_refuses_a_tampered_euicc_signed2() {
    let mut download = Download::new();
    let (certificate, smdp_signature2, mut prepared) = download.until_prepared(None);
    flip_last(&mut prepared);
    let f = RspFunction::Es9GetBoundProfilePackage;
    let refused =
        verify_prepare_download_response(f, &TX, &smdp_signature2, &certificate, &prepared).unwrap_err();
    assert_eq!(codes(&refused.error), ("8.1", "6.1"));
    assert!(!refused.end_session);
}
