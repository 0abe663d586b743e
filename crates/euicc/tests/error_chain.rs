//! The error chains of the LPA, as printed with `ErrorChain`: an ES10 function under [`Isdr`]
//! whose STORE DATA the transport fails, an ES10 function the eUICC answers with its error code
//! (SGP.22 §5.7.18 DeleteProfile `iccidOrAidNotFound(1)`), an ES9+ call whose HTTP client fails with an
//! I/O error (SGP.22 §6.5), and a download that fails on it. Each message says what its own layer
//! was doing; none repeats its cause's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use oxicard_euicc::download::{Consent, DownloadStep, ProfileOffer, download};
use oxicard_euicc::es9::{
    HandleNotificationRequest, HttpClient, HttpError, HttpRequest, HttpResponse, RspClient,
};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use oxicard_transport::ErrorChain;
use support::smdp::{ICCID, SMDP};
use support::{Fault, FaultAction, Rig, download_request, wire};

/// An HTTP stack whose connections are refused.
struct Refusing;

impl HttpClient for Refusing {
    fn post(&mut self, _request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        Err(HttpError::transport(refused).with_note("connected to 192.0.2.1:443"))
    }
}

fn assert_reads_once(messages: &[String]) {
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its cause {:?}", pair[0], pair[1]);
    }
}

#[test]
fn an_es10_function_whose_transport_fails() {
    let mut rig = Rig::new();
    // SetNicknameRequest `BF29` (SGP.22 §5.7.21): its first STORE DATA block never reaches the card.
    wire(&rig.wire).faults.push(Fault {
        prefix: vec![0xBF, 0x29],
        occurrence: 0,
        action: FaultAction::TransportError,
    });
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let err = isdr.set_nickname(ICCID.parse().unwrap(), "work").unwrap_err();
    assert!(matches!(err, Es10Error::Card(_)), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(chain.messages(), ["transport failed", "injected fault: injected by the test"]);
    assert_reads_once(&chain.messages());
}

#[test]
fn an_es10_function_the_euicc_refuses() {
    let mut rig = Rig::new();
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    // No profile is installed: DeleteProfile answers iccidOrAidNotFound(1) (SGP.22 §5.7.18).
    let err = isdr.delete_profile(ICCID.parse::<Iccid>().unwrap()).unwrap_err();
    let chain = ErrorChain(&err);
    assert_eq!(chain.to_string(), "DeleteProfile failed: iccidOrAidNotFound (1)");
    assert_reads_once(&chain.messages());
}

#[test]
fn an_es9_call_whose_http_client_fails() {
    let mut client = RspClient::new(Refusing);
    let err =
        client.handle_notification(SMDP, &HandleNotificationRequest::new(vec![0x30, 0x00])).unwrap_err();
    let chain = ErrorChain(&err);
    assert_eq!(
        chain.messages(),
        [
            "ES9+.HandleNotification: POST to https://smdp.example.com/gsma/rsp2/es9plus/handleNotification failed",
            "transport error (connected to 192.0.2.1:443)",
            "connection refused",
        ]
    );
    assert_reads_once(&chain.messages());
}

#[test]
fn a_download_whose_http_client_fails() {
    let mut rig = Rig::new();
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let err =
        download(&mut isdr, &mut RspClient::new(Refusing), &download_request(), &mut accept).unwrap_err();
    assert_eq!(err.step, DownloadStep::InitiateAuthentication);
    let chain = ErrorChain(&*err);
    assert_eq!(
        chain.to_string(),
        "profile download failed at ES9+.InitiateAuthentication: SM-DP+: ES9+.InitiateAuthentication: POST to \
         https://smdp.example.com/gsma/rsp2/es9plus/initiateAuthentication failed: transport error (connected \
         to 192.0.2.1:443): connection refused"
    );
    assert_reads_once(&chain.messages());
    // Nothing happened after the failure: the report is the chain.
    assert_eq!(err.aftermath(), None);
    assert_eq!(err.report(), chain.to_string());
}

#[test]
fn a_dump_line_that_does_not_decode() {
    use oxicard_euicc::notify::dump::read_dump;
    // Cut short: the JSON parser's error is the source of `not JSON`.
    let error = read_dump(b"{\"type\":").unwrap_err();
    assert_eq!(
        ErrorChain(&error).messages(),
        ["line 1", "not JSON", "EOF while parsing a value at line 1 column 8"]
    );
    // Not 32 digits: the EID parser's error is the source.
    let error = read_dump(br#"{"type":"notification","eid":"1234"}"#).unwrap_err();
    let messages = ErrorChain(&error).messages();
    assert_eq!(messages[..2], ["line 1", "member \"eid\" is invalid"], "{messages:?}");
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_reads_once(&messages);
}

#[test]
fn a_profile_named_by_a_bad_iccid() {
    use oxicard_euicc::es10::ProfileIdentifier;
    let error = "894F".parse::<ProfileIdentifier>().unwrap_err();
    assert_eq!(ErrorChain(&error).messages(), ["bad ICCID", "not a decimal digit at position 3"]);
}

#[cfg(feature = "euicc-role")]
#[test]
fn a_signer_that_fails_keeps_its_cause() {
    use oxicard_euicc::roles::euicc::SignError;
    let hsm = std::io::Error::new(std::io::ErrorKind::TimedOut, "HSM timed out");
    let error = SignError::with_source("the HSM did not answer", hsm);
    assert_eq!(ErrorChain(&error).messages(), ["signing failed: the HSM did not answer", "HSM timed out"]);
    assert_eq!(error.reason(), "the HSM did not answer");
    assert_eq!(error.clone(), error);
    assert_ne!(error, SignError::new("the HSM did not answer"));
}
