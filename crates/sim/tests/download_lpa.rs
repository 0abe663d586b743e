//! The whole download through the LPA's orchestration (`oxicard_euicc::download::download`)
//! against the software eUICC with its PKI identity, with a small in-test `HttpClient` that plays
//! the SM-DP+ (it verifies what an SM-DP+ verifies: the eUICC chain, euiccSignature1/2, hashCc,
//! the PIR signature).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod download_support;

use download_support::*;
use oxicard_euicc::activation::{ConfirmationCode, DeviceInfo};
use oxicard_euicc::download::{
    Consent, DownloadErrorKind, DownloadRequest, DownloadTarget, ProfileOffer, download,
};
use oxicard_euicc::es9::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequestEs9,
    GetBoundProfilePackageRequest, GetBoundProfilePackageResponse, HandleNotificationRequest, HttpClient,
    HttpError, HttpRequest, HttpResponse, InitiateAuthenticationRequest, InitiateAuthenticationResponse,
    RspClient, RspFunction, TransactionId,
};
use oxicard_euicc::es10::*;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use oxicard_euicc::pki::{EuiccIdentity, RspCertificate, SignedData};
use oxicard_sim::pki::TestPki;

/// The SM-DP+ played in the test.
struct PlayedSmdp {
    smdp: TestSmdp,
    eid: [u8; 16],
    euicc: EuiccIdentity,
    /// The confirmation code the SM-DP+ expects, when it requires one.
    code: Option<String>,
    /// Flip a byte of the first `86` of the BPP.
    tamper: bool,
    euicc_signature1: Option<Vec<u8>>,
    notifications: Vec<Vec<u8>>,
    cancelled: Vec<Vec<u8>>,
}

impl PlayedSmdp {
    fn new(pki: &TestPki) -> PlayedSmdp {
        PlayedSmdp {
            smdp: TestSmdp::new(pki),
            eid: eid(pki),
            euicc: pki.euicc_identity().unwrap(),
            code: None,
            tamper: false,
            euicc_signature1: None,
            notifications: Vec::new(),
            cancelled: Vec::new(),
        }
    }

    fn transaction_id(&self) -> TransactionId {
        TransactionId::new(self.smdp.transaction_id.clone()).unwrap()
    }
}

/// The SM-DP+ refuses a request: HTTP 400 with why.
struct Refused(String);

fn refused(why: &str) -> Refused {
    Refused(why.to_string())
}

/// The played SM-DP+ behind the library's HTTP requests: the function's request decoded from its
/// JSON, its answer encoded (HTTP 200, or 204 for the notification and the cancellation), a
/// refusal as HTTP 400.
impl HttpClient for PlayedSmdp {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let function = request.function;
        assert_eq!(request.url, format!("https://{SMDP_ADDRESS}{}", function.path()));
        let body = &request.body;
        let answer = match function {
            RspFunction::Es9InitiateAuthentication => {
                InitiateAuthenticationRequest::from_json(function, body)
                    .map(|r| self.initiate_authentication(&r).map(|a| a.to_json()))
            }
            RspFunction::Es9AuthenticateClient => AuthenticateClientRequest::from_json(function, body)
                .map(|r| self.authenticate_client(&r).map(|a| a.to_json())),
            RspFunction::Es9GetBoundProfilePackage => {
                GetBoundProfilePackageRequest::from_json(function, body)
                    .map(|r| self.get_bound_profile_package(&r).map(|a| a.to_json()))
            }
            RspFunction::Es9HandleNotification => {
                HandleNotificationRequest::from_json(function, body).map(|r| Ok(self.handle_notification(&r)))
            }
            RspFunction::Es9CancelSession => {
                CancelSessionRequestEs9::from_json(function, body).map(|r| Ok(self.cancel_session(&r)))
            }
            other => panic!("not an ES9+ function: {other}"),
        };
        Ok(match answer.unwrap() {
            Ok(json) if json.is_empty() => HttpResponse::new(204, json),
            Ok(json) => HttpResponse::json(json),
            Err(Refused(why)) => HttpResponse::new(400, why),
        })
    }
}

impl PlayedSmdp {
    fn initiate_authentication(
        &mut self,
        request: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationResponse, Refused> {
        let r = self.smdp.authenticate_request(&request.euicc_challenge);
        Ok(InitiateAuthenticationResponse::new(
            self.transaction_id(),
            r.server_signed1,
            r.server_signature1,
            r.euicc_ci_pkid_to_be_used.unwrap(),
            r.server_certificate,
        ))
    }

    fn authenticate_client(
        &mut self,
        request: &AuthenticateClientRequest,
    ) -> Result<AuthenticateClientResponse, Refused> {
        let response = AuthenticateServerResponse::from_der(&request.authenticate_server_response).unwrap();
        let ok = response.result.map_err(|e| refused(&format!("{e:?}")))?;
        let euicc_cert = RspCertificate::from_der(&ok.euicc_certificate).unwrap();
        let eum_cert = RspCertificate::from_der(&ok.eum_certificate).unwrap();
        self.smdp.identity.verify_euicc_chain(&euicc_cert, &eum_cert, None).unwrap();
        SignedData::EuiccSigned1 { euicc_signed1: &ok.euicc_signed1 }
            .verify_tlv(euicc_cert.public_key(), &ok.euicc_signature1)
            .unwrap();
        let prepare = self.smdp.prepare_request(&ok.euicc_signature1, None);
        self.euicc_signature1 = Some(ok.euicc_signature1);
        Ok({
            let mut authenticate_client_response = AuthenticateClientResponse::new(
                prepare.smdp_signed2,
                prepare.smdp_signature2,
                prepare.smdp_certificate,
            );
            authenticate_client_response.transaction_id = Some(self.transaction_id());
            authenticate_client_response.profile_metadata = Some(self.smdp.metadata());
            authenticate_client_response
        })
    }

    fn get_bound_profile_package(
        &mut self,
        request: &GetBoundProfilePackageRequest,
    ) -> Result<GetBoundProfilePackageResponse, Refused> {
        let response = PrepareDownloadResponse::from_der(&request.prepare_download_response).unwrap();
        let ok = response.result.map_err(|e| refused(&format!("{e:?}")))?;
        let smdp_signature2 =
            self.smdp.prepare_request(self.euicc_signature1.as_ref().unwrap(), None).smdp_signature2;
        SignedData::EuiccSigned2 { euicc_signed2: &ok.euicc_signed2, smdp_signature2: &smdp_signature2 }
            .verify_tlv(self.euicc.certificate().public_key(), &ok.euicc_signature2)
            .unwrap();
        if let Some(code) = &self.code {
            let mut tail = vec![0x04, 0x20];
            tail.extend_from_slice(&self.smdp.hash_cc(code));
            if !ok.euicc_signed2.ends_with(&tail) {
                return Err(refused("confirmation code"));
            }
        }
        let otpk = ok.euicc_otpk().unwrap();
        let upp = self.smdp.upp(5000);
        let mut bpp = self.smdp.bpp(&otpk, &self.eid, &upp);
        if self.tamper {
            let segment = bpp::segments(&bpp)
                .unwrap()
                .into_iter()
                .find(|s| s.kind == bpp::SegmentKind::ProfileElements)
                .unwrap();
            let at = segment.bytes.as_ptr() as usize - bpp.as_ptr() as usize;
            bpp[at + 40] ^= 0x01;
        }
        Ok({
            let mut get_bound_profile_package_response = GetBoundProfilePackageResponse::new(bpp);
            get_bound_profile_package_response.transaction_id = Some(self.transaction_id());
            get_bound_profile_package_response
        })
    }

    /// Returns the (empty) body of the answer, HTTP 204.
    fn handle_notification(&mut self, request: &HandleNotificationRequest) -> Vec<u8> {
        let pir = ProfileInstallationResult::from_der(&request.pending_notification).unwrap();
        let data = pir.data().to_der();
        let raw = pir.as_der();
        SignedData::ProfileInstallationResultData { data: &data }
            .verify_tlv(self.euicc.certificate().public_key(), &raw[raw.len() - 67..])
            .unwrap();
        self.notifications.push(request.pending_notification.clone());
        Vec::new()
    }

    /// Returns the (empty) body of the answer, HTTP 204.
    fn cancel_session(&mut self, request: &CancelSessionRequestEs9) -> Vec<u8> {
        self.cancelled.push(request.cancel_session_response.clone());
        Vec::new()
    }
}

fn request() -> DownloadRequest {
    let target = DownloadTarget::new(SMDP_ADDRESS.into(), Some("TEST-MATCHING-ID".into()));
    DownloadRequest::new(target, {
        let mut device_info = DeviceInfo::default();
        device_info.tac = vec![0x35, 0x29, 0x06, 0x11];
        device_info.capabilities = DeviceCapabilities::default();
        device_info
    })
}

fn accept(offer: &ProfileOffer<'_>) -> Consent {
    assert_eq!(offer.metadata.as_ref().unwrap().iccid, Some(iccid()));
    Consent::Accept(None)
}

#[test]
fn lpa_download_installs_and_delivers_the_signed_result() {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = PlayedSmdp::new(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let result = download(&mut isdr, &mut RspClient::new(&mut smdp), &request(), &mut accept).unwrap();
    let aid = hex::decode("A0000005591010FFFFFFFF8900001000").unwrap();
    assert_eq!(result.isdp_aid, aid);
    assert_eq!(result.iccid, Some(iccid()));
    assert!(matches!(result.notification, NotificationOutcome::Removed), "{:?}", result.notification);
    assert_eq!(smdp.notifications, vec![result.installation_result.as_der().to_vec()]);
    let profiles = isdr.profiles().unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].iccid, Some(iccid()));
    assert_eq!(profiles[0].profile_name.as_deref(), Some("Test profile"));
    assert!(isdr.list_notifications(None).unwrap().is_empty());
    assert!(smdp.cancelled.is_empty());
}

#[test]
fn lpa_download_with_confirmation_code() {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = PlayedSmdp::new(&pki);
    smdp.smdp.cc_required = true;
    smdp.code = Some("4711".into());

    // A wrong code: the SM-DP+ refuses, the LPA cancels; the eUICC signs the cancellation.
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let wrong = request().with_confirmation_code(ConfirmationCode::new("0000"));
    let error = download(&mut isdr, &mut RspClient::new(&mut smdp), &wrong, &mut accept).unwrap_err();
    assert!(matches!(error.kind, DownloadErrorKind::Server(_)), "{:?}", error.kind);
    let cancelled = CancelSessionResponse::from_der(&smdp.cancelled[0]).unwrap().result.unwrap();
    SignedData::EuiccCancelSessionSigned { signed: &cancelled.euicc_cancel_session_signed }
        .verify_tlv(smdp.euicc.certificate().public_key(), &cancelled.euicc_cancel_session_signature)
        .unwrap();
    assert!(isdr.profiles().unwrap().is_empty());
    assert!(isdr.list_notifications(None).unwrap().is_empty());

    // The right code: installed.
    let right = request().with_confirmation_code(ConfirmationCode::new("4711"));
    let result = download(&mut isdr, &mut RspClient::new(&mut smdp), &right, &mut accept).unwrap();
    assert_eq!(result.iccid, Some(iccid()));
    assert_eq!(isdr.profiles().unwrap().len(), 1);
}

#[test]
fn lpa_declined_offer_cancels_the_session() {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = PlayedSmdp::new(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let error =
        download(&mut isdr, &mut RspClient::new(&mut smdp), &request(), &mut |_: &ProfileOffer<'_>| {
            Consent::refuse()
        })
        .unwrap_err();
    assert!(matches!(error.kind, DownloadErrorKind::Declined(CancelSessionReason::EndUserRejection)));
    let report = error.cancel.unwrap();
    let signed = report.euicc.unwrap().result.unwrap().euicc_cancel_session_signed;
    // 30 1A { 80 10 txId, 81 03 88 37 0A, 82 01 00 endUserRejection }.
    assert_eq!(signed[signed.len() - 3..], [0x82, 0x01, 0x00]);
    assert_eq!(smdp.cancelled.len(), 1);
    assert!(isdr.profiles().unwrap().is_empty());
}

#[test]
fn lpa_tampered_bpp_reports_the_bsp_error_and_installs_nothing() {
    let pki = pki();
    let mut card = card(&pki);
    let mut smdp = PlayedSmdp::new(&pki);
    smdp.tamper = true;
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let error = download(&mut isdr, &mut RspClient::new(&mut smdp), &request(), &mut accept).unwrap_err();
    let DownloadErrorKind::Installation(installation) = error.kind else { panic!("{:?}", error.kind) };
    assert_eq!(
        installation,
        InstallationError::new(BppCommandId::LoadProfileElements, ErrorReason::Scp03tSecurityError)
    );
    // The error PIR reached the SM-DP+ and left the eUICC; nothing was installed.
    assert_eq!(smdp.notifications.len(), 1);
    assert!(isdr.profiles().unwrap().is_empty());
    assert!(isdr.list_notifications(None).unwrap().is_empty());
}
