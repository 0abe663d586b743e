//! Profile discovery (SGP.22 §3.6.1 event retrieval, ES11 §5.8) over the fake eUICC and the
//! ES9+/ES11 test double (`tests/support`): the exact exchanges (no MatchingID in ctxParams1),
//! the failing step of each fault and the absence of any cancellation, and discover → download.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::discovery::*;
use oxicard_euicc::download::{Consent, DownloadRequest, download};
use oxicard_euicc::es9::{Es9Error, RspFunction};
use oxicard_euicc::es10::*;
use oxicard_euicc::es11::EventEntry;
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use support::smdp::{SMDP, TRANSACTION_ID};
use support::{Es9Fault, Fault, FaultAction, Rig, lock, store_data_sequences, wire};

use RspFunction::*;

/// The SM-DS address of the tests.
const SMDS: &str = "smds.example.com";

fn device() -> DeviceInfo {
    DeviceInfo::from_imei("356938035643809".parse().unwrap())
}

/// ctxParams1 of event retrieval for [`device`], built by hand from the SGP.22 §5.7.13 ASN.1
/// (`CtxParamsForCommonAuthentication [0] { matchingId [0] absent, deviceInfo [1] { tac [0]
/// 35693803, deviceCapabilities [1] {}, imei [2] swapped BCD 356938035643809 + F } }`): an
/// example, not a captured vector.
const CTX_PARAMS1: [u8; 22] = [
    0xA0, 0x14, 0xA1, 0x12, 0x80, 0x04, 0x35, 0x69, 0x38, 0x03, 0xA1, 0x00, 0x82, 0x08, 0x53, 0x96, 0x83,
    0x30, 0x65, 0x34, 0x08, 0xF9,
];

fn events() -> Vec<EventEntry> {
    vec![
        EventEntry::new("EVENT-0001".into(), SMDP.into()),
        EventEntry::new("EVENT-0002".into(), "smdp2.example.com".into()),
    ]
}

fn run(rig: &mut Rig) -> Result<Vec<EventEntry>, Box<DiscoveryError>> {
    run_with_steps(rig).0
}

fn run_with_steps(rig: &mut Rig) -> (Result<Vec<EventEntry>, Box<DiscoveryError>>, Vec<DiscoveryStep>) {
    let mut steps = Vec::new();
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let result = discover_with_progress(&mut isdr, &mut rig.smdp.client(), SMDS, device(), |s| steps.push(s));
    isdr.close().unwrap();
    (result, steps)
}

#[test]
fn happy_path_exact_exchanges_without_matching_id() {
    let mut rig = Rig::new();
    rig.smdp.events = events();
    let (found, steps) = run_with_steps(&mut rig);
    assert_eq!(found.unwrap(), events());
    assert_eq!(
        steps,
        [
            DiscoveryStep::GetEuiccInfo1,
            DiscoveryStep::GetEuiccChallenge,
            DiscoveryStep::InitiateAuthentication,
            DiscoveryStep::AuthenticateServer,
            DiscoveryStep::AuthenticateClient,
        ]
    );

    // ES11 only, both to the SM-DS; no CancelSession anywhere.
    assert_eq!(
        rig.smdp.calls,
        [Es11InitiateAuthentication, Es11AuthenticateClient].map(|f| (f, SMDS.to_owned()))
    );
    let euicc = lock(&rig.euicc);
    assert_eq!(euicc.calls, ["BF20", "BF2E", "BF38"]);
    assert!(euicc.cancels.is_empty());
    drop(euicc);

    // The exact ES10 requests: GetEUICCInfo1 `BF20 00`, GetEUICCChallenge `BF2E 00`, then
    // AuthenticateServer ending with ctxParams1 without `80 matchingId`.
    let log = wire(&rig.wire);
    let requests = store_data_sequences(&log.commands);
    assert_eq!(requests.len(), 3);
    // APDUs: MANAGE CHANNEL + SELECT, one STORE DATA per 255-byte block (BF20 1, BF2E 1, BF38
    // 2 for its 494 bytes: the download's 519 less the 25-byte `80 17 <MatchingID>`, see
    // flow_download.rs), GET RESPONSE rounds for AuthenticateServer's answer, MANAGE CHANNEL
    // close.
    assert_eq!(requests.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 494]);
    assert_eq!(log.store_data_count(), 4);
    assert_eq!(log.get_response_count(), 2);
    assert_eq!(log.commands.len(), 2 + 4 + 2 + 1);
    assert_eq!(requests[0], [0xBF, 0x20, 0x00]);
    assert_eq!(requests[1], [0xBF, 0x2E, 0x00]);
    let authenticate = AuthenticateServerRequest::from_der(&requests[2]).unwrap();
    assert_eq!(authenticate.ctx_params1, CtxParams1::new(None, device()));
    assert!(requests[2].ends_with(&CTX_PARAMS1));
    // The address the server signed is the SM-DS's (serverSigned1 `83`).
    let address = [&[0x83, SMDS.len() as u8][..], SMDS.as_bytes()].concat();
    assert!(authenticate.server_signed1.windows(address.len()).any(|w| w == address));
    drop(log);
    // The SM-DS saw the same ctxParams1 in euiccSigned1.
    assert_eq!(rig.smdp.ctx_params1, [CTX_PARAMS1.to_vec()]);
}

#[test]
fn no_pending_event_is_an_empty_list() {
    let mut rig = Rig::new();
    assert_eq!(run(&mut rig).unwrap(), []);
    assert_eq!(rig.smdp.functions(), [Es11InitiateAuthentication, Es11AuthenticateClient]);
}

/// Every ES11 fault class at both functions: the step, the kind, the session, nothing cancelled.
#[test]
fn es11_faults_name_the_step_and_cancel_nothing() {
    let faults = [
        Es9Fault::Failed("8.1", "6.1"),
        Es9Fault::Http(500),
        Es9Fault::Malformed,
        Es9Fault::NotJson,
        Es9Fault::Transport,
        Es9Fault::Timeout,
    ];
    let cases = [
        (Es11InitiateAuthentication, DiscoveryStep::InitiateAuthentication, vec!["BF20", "BF2E"], false),
        (Es11AuthenticateClient, DiscoveryStep::AuthenticateClient, vec!["BF20", "BF2E", "BF38"], true),
    ];
    for (function, step, euicc_calls, started) in cases {
        for fault in &faults {
            let context = format!("{fault:?} at {function:?}");
            let mut rig = Rig::new();
            rig.smdp.events = events();
            rig.smdp.faults.insert(function, fault.clone());
            let err = run(&mut rig).unwrap_err();
            assert_eq!(err.step, step, "{context}");
            assert!(matches!(err.kind, DiscoveryErrorKind::Server(_)), "{context}");
            assert_eq!(err.transaction_id.is_some(), started, "{context}");
            if let Some(tx) = &err.transaction_id {
                assert_eq!(tx.as_bytes(), TRANSACTION_ID);
            }
            match fault {
                Es9Fault::Failed(subject, reason) => {
                    let code = err.status_code().unwrap();
                    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), (*subject, *reason));
                }
                Es9Fault::Timeout => {
                    assert!(matches!(err.kind, DiscoveryErrorKind::Server(Es9Error::Timeout { .. })))
                }
                _ => assert!(err.status_code().is_none(), "{context}"),
            }
            assert_eq!(lock(&rig.euicc).calls, euicc_calls, "{context}");
            assert!(lock(&rig.euicc).cancels.is_empty(), "{context}");
            assert!(!rig.smdp.functions().contains(&Es9CancelSession), "{context}");
            assert_eq!(err.to_string(), format!("profile discovery failed at {step}: SM-DS"), "{context}");
            let text = oxicard_transport::ErrorChain(&*err).to_string();
            assert!(
                text.starts_with(&format!("profile discovery failed at {step}: SM-DS: {function}")),
                "{text}"
            );
        }
    }
}

/// A transport fault on each ES10 request: the step, a card error, nothing cancelled.
#[test]
fn card_faults_name_the_step_and_cancel_nothing() {
    let cases: [(&[u8], DiscoveryStep, usize); 3] = [
        (&[0xBF, 0x20], DiscoveryStep::GetEuiccInfo1, 0),
        (&[0xBF, 0x2E], DiscoveryStep::GetEuiccChallenge, 0),
        (&[0xBF, 0x38], DiscoveryStep::AuthenticateServer, 1),
    ];
    for (prefix, step, server_calls) in cases {
        for action in
            [FaultAction::TransportError, FaultAction::StatusWord(0x6F00), FaultAction::CorruptResponse]
        {
            let context = format!("{action:?} at {step}");
            let mut rig = Rig::new();
            wire(&rig.wire).faults.push(Fault { prefix: prefix.to_vec(), occurrence: 0, action });
            let err = run(&mut rig).unwrap_err();
            assert_eq!(wire(&rig.wire).fired, 1, "{context}");
            assert_eq!(err.step, step, "{context}");
            match (action, &err.kind) {
                (FaultAction::TransportError, DiscoveryErrorKind::Card(Es10Error::Card(_)))
                | (FaultAction::CorruptResponse, DiscoveryErrorKind::Card(Es10Error::Decode(_))) => {}
                (
                    FaultAction::StatusWord(sw),
                    DiscoveryErrorKind::Card(Es10Error::Status { sw: got, .. }),
                ) => {
                    assert_eq!(got.to_u16(), sw, "{context}")
                }
                (_, kind) => panic!("{context}: unexpected {kind}"),
            }
            // The session exists once ES11 InitiateAuthentication succeeded.
            assert_eq!(err.transaction_id.is_some(), server_calls == 1, "{context}");
            assert_eq!(rig.smdp.calls.len(), server_calls, "{context}");
            assert!(lock(&rig.euicc).cancels.is_empty(), "{context}");
        }
    }
}

#[test]
fn an_authenticate_server_error_is_forwarded_to_the_smds() {
    let mut rig = Rig::new();
    rig.smdp.wrong_challenge = true;
    let err = run(&mut rig).unwrap_err();
    assert_eq!(err.step, DiscoveryStep::AuthenticateServer);
    assert!(matches!(
        err.kind,
        DiscoveryErrorKind::Rejected(Rejection::AuthenticateServer(
            AuthenticateErrorCode::EuiccChallengeMismatch
        ))
    ));
    // The error answer went to ES11 AuthenticateClient; nothing cancelled.
    assert_eq!(rig.smdp.functions(), [Es11InitiateAuthentication, Es11AuthenticateClient]);
    assert_eq!(lock(&rig.euicc).calls, ["BF20", "BF2E", "BF38"]);
    assert!(lock(&rig.euicc).cancels.is_empty());
}

/// SGP.22 §3.6.2: the discovered event downloads with its eventId as MatchingID.
#[test]
fn a_discovered_event_downloads_with_its_event_id() {
    let mut rig = Rig::new();
    rig.smdp.events = events();
    let found = run(&mut rig).unwrap();
    let event = &found[0];
    rig.smdp.matching_id = Some(event.event_id.clone());

    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut consent = |_: &oxicard_euicc::download::ProfileOffer<'_>| Consent::Accept(None);
    let done =
        download(&mut isdr, &mut rig.smdp.client(), &DownloadRequest::new(event, device()), &mut consent)
            .unwrap();
    isdr.close().unwrap();
    assert_eq!(done.transaction_id.as_bytes(), TRANSACTION_ID);
    assert_eq!(
        rig.smdp.functions(),
        [
            Es11InitiateAuthentication,
            Es11AuthenticateClient,
            Es9InitiateAuthentication,
            Es9AuthenticateClient,
            Es9GetBoundProfilePackage,
            Es9HandleNotification,
        ]
    );
    assert_eq!(rig.smdp.calls[2].1, SMDP);
    assert_eq!(lock(&rig.euicc).profiles.len(), 1);
}
