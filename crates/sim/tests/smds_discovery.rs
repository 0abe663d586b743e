//! SM-DS discovery end to end (SGP.22 §3.6.1 event retrieval, §3.6.2 download of the event):
//! our LPA (`oxicard_euicc::discovery`) → the test SM-DS over HTTPS (CERT.DSauth signing,
//! the test CI as the only trust anchor) → the software eUICC, then the download of the
//! discovered event from the test SM-DP+ with the EventID as MatchingID.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::discovery::{DiscoveryErrorKind, DiscoveryStep, discover};
use oxicard_euicc::download::{
    Consent, DownloadErrorKind, DownloadRequest, DownloadStep, ProfileOffer, download,
};
use oxicard_euicc::es9::{
    AuthenticateClientRequest, HttpEs9Client, InitiateAuthenticationRequest, RspFunction, TransactionId,
};
use oxicard_euicc::es10::{AuthenticateErrorCode, ProfileState, Rejection};
use oxicard_euicc::es11::EventEntry;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, SmdsServer, TestSmdp, TestSmds};
use oxicard_transport::sim::SimulatorTransport;

const SMDS: &str = "smds.example.com";
const SMDP: &str = "smdp.example.com";
const ICCID: &str = "8944478600004573128";
const EVENT: &str = "EVENT-42";

fn device() -> DeviceInfo {
    DeviceInfo::from_tac("35290611".parse().unwrap())
}

fn pki() -> TestPki {
    TestPki::from_seed([7; 32]).unwrap()
}

/// The SM-DS with one event for the PKI's eUICC (and one for another EID) over HTTPS, and a
/// client reaching it.
fn smds(pki: &TestPki) -> (SmdsServer, HttpEs9Client) {
    let eid = pki.euicc_identity().unwrap().eid();
    let smds = TestSmds::new(pki.smds_identity().unwrap(), SMDS).with_event(&eid, EVENT, SMDP).with_event(
        "89049032123451234512345678901299",
        "OTHER",
        SMDP,
    );
    let server = SmdpServer::start(smds, "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let client = server.client(pki.ci().certificate().der()).unwrap();
    (server, client)
}

/// The SM-DP+ serving the event's profile under the EventID, over HTTPS.
fn smdp(pki: &TestPki) -> (SmdpServer, HttpEs9Client) {
    let iccid: Iccid = ICCID.parse().unwrap();
    let metadata = ProfileMetadata::new(iccid, "discovered", "oxicard test", SMDP);
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), SMDP)
        .with_profile(EVENT, ProfileBuilder::new(iccid).package(metadata));
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let client = server.client(pki.ci().certificate().der()).unwrap();
    (server, client)
}

fn card(pki: &TestPki) -> Card<SimulatorTransport<SoftEuicc>> {
    Card::new(SimulatorTransport::new(SoftEuicc::from_identity(pki.euicc_identity().unwrap())))
}

#[test]
fn discover_over_https_then_download_the_event() {
    let pki = pki();
    let (smds_server, mut smds_client) = smds(&pki);
    let (smdp_server, mut smdp_client) = smdp(&pki);
    let mut card = card(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();

    let events = discover(&mut isdr, &mut smds_client, SMDS, device()).unwrap();
    assert_eq!(events, [EventEntry::new(EVENT.into(), SMDP.into())]);
    let eid = pki.euicc_identity().unwrap().eid();
    assert_eq!(smds_server.handler().retrievals(), std::slice::from_ref(&eid));
    assert_eq!(smds_server.handler().open_sessions(), 0);

    // §3.6.2: the event is an activation code `1$<SM-DP+>$<EventID>`.
    let code = events[0].to_activation_code().unwrap();
    assert_eq!(code.to_string(), format!("1${SMDP}${EVENT}"));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let done =
        download(&mut isdr, &mut smdp_client, &DownloadRequest::new(&events[0], device()), &mut accept)
            .unwrap();
    assert_eq!(done.iccid.unwrap().to_string(), ICCID);
    assert!(matches!(done.notification, NotificationOutcome::Removed));
    let profiles = isdr.profiles().unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].state, Some(ProfileState::Disabled));
    assert_eq!(profiles[0].profile_name.as_deref(), Some("discovered"));
    isdr.close().unwrap();
    assert_eq!(smdp_server.smdp().notifications().len(), 1);

    // The SM-DP+ deletes the event once downloaded (ES12.DeleteEvent); the next discovery is empty.
    assert!(smds_server.handler().remove_event(&eid, EVENT));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(discover(&mut isdr, &mut smds_client, SMDS, device()).unwrap(), []);
}

/// The eUICC accepts CERT.DSauth only without a MatchingID: a download-style authentication
/// against the SM-DS (ctxParams1 with a MatchingID) gets `invalidOid`, forwarded to the SM-DS.
#[test]
fn the_euicc_refuses_dsauth_with_a_matching_id() {
    let pki = pki();
    let (server, mut client) = smds(&pki);
    let mut card = card(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let target = EventEntry::new(EVENT.into(), SMDS.into());
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let error =
        download(&mut isdr, &mut client, &DownloadRequest::new(&target, device()), &mut accept).unwrap_err();
    assert_eq!(error.step, DownloadStep::AuthenticateServer, "{error}");
    assert!(
        matches!(
            error.kind,
            DownloadErrorKind::Rejected(Rejection::AuthenticateServer(AuthenticateErrorCode::InvalidOid))
        ),
        "{error}"
    );
    // The SM-DS got the eUICC's error in authenticateClient and closed the session.
    assert_eq!(server.handler().open_sessions(), 0);
    assert!(server.handler().retrievals().is_empty());
}

/// An SM-DS whose CERT.DSauth chains to a CI the eUICC does not know refuses in
/// InitiateAuthentication (8.8.2 / 3.1), before the eUICC signs anything.
#[test]
fn an_smds_of_an_untrusted_ci_is_refused() {
    let other = TestPki::from_seed([8; 32]).unwrap();
    let (server, mut client) = smds(&other);
    let pki = pki();
    let mut card = card(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let error = discover(&mut isdr, &mut client, SMDS, device()).unwrap_err();
    assert_eq!(error.step, DiscoveryStep::InitiateAuthentication, "{error}");
    assert!(matches!(error.kind, DiscoveryErrorKind::Server(_)));
    let code = error.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.8.2", "3.1"));
    assert!(error.transaction_id.is_none());
    assert_eq!(server.handler().open_sessions(), 0);
}

/// The SM-DS's own checks and its JSON binding, without the network.
#[test]
fn smds_functions_and_binding() {
    let pki = pki();
    let mut smds = TestSmds::new(pki.smds_identity().unwrap(), SMDS);
    let eid = pki.euicc_identity().unwrap().eid();
    smds.add_event(&eid.to_ascii_lowercase(), "E1", SMDP);
    smds.add_event(&eid, "E2", "smdp2.example.com");
    smds.add_event(&eid, "E1", "smdp3.example.com");
    let ids: Vec<_> =
        smds.events(&eid).iter().map(|e| (e.event_id.as_str(), e.rsp_server_address.as_str())).collect();
    assert_eq!(ids, [("E2", "smdp2.example.com"), ("E1", "smdp3.example.com")]);

    // Only the two ES11 functions are served.
    for path in ["/gsma/rsp2/es9plus/getBoundProfilePackage", "/gsma/rsp2/es11/authenticateClient"] {
        assert_eq!(smds.handle_request(path, Some("gsma/rsp/v2.2.0"), b"{}").status, 404, "{path}");
    }
    // Wrong SM-DS address (8.8.1 / 3.8).
    let mut isdr_card = card(&pki);
    let mut isdr = Isdr::open(&mut isdr_card, &IsdrOptions::default()).unwrap();
    let request = InitiateAuthenticationRequest::new(
        "other.example.com".into(),
        isdr.euicc_challenge().unwrap(),
        isdr.euicc_info1().unwrap().der,
    );
    let error = smds.initiate_authentication(&request).unwrap_err();
    assert_eq!((error.code.subject_code.as_str(), error.code.reason_code.as_str()), ("8.8.1", "3.8"));
    assert_eq!(error.function, RspFunction::Es11InitiateAuthentication);
    // Unknown transaction (8.10.1 / 3.9).
    let request =
        AuthenticateClientRequest::new(TransactionId::new(vec![0x11; 16]).unwrap(), vec![0xBF, 0x38, 0x00]);
    let error = smds.authenticate_client(&request).unwrap_err();
    assert_eq!((error.code.subject_code.as_str(), error.code.reason_code.as_str()), ("8.10.1", "3.9"));
    // Through the binding: an unsupported X-Admin-Protocol (1.2.2 / 2.1) in a Failed header.
    let answer =
        smds.handle_request("/gsma/rsp2/es9plus/initiateAuthentication", Some("gsma/rsp/v1.0"), b"{}");
    assert_eq!(answer.status, 200);
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["header"]["functionExecutionStatus"]["status"], "Failed");
    assert_eq!(json["header"]["functionExecutionStatus"]["statusCodeData"]["subjectCode"], "1.2.2");
}
