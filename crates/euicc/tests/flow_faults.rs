//! A fault injected at each ES10 step of the download (transport error, error status word,
//! corrupt TLV in the response), over the fake eUICC and the ES9+ test double: the failing step
//! is named, the session is cancelled on both sides with the right reason once it exists, and no
//! notification is lost (a ProfileInstallationResult stays on the eUICC unless the server
//! acknowledged it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::download::*;
use oxicard_euicc::es9::RspFunction::*;
use oxicard_euicc::es10::CancelSessionReason;
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use support::smdp::{MATCHING_ID, SMDP};
use support::{Fault, FaultAction, Rig, lock, wire};

fn run(rig: &mut Rig) -> Result<DownloadResult, Box<DownloadError>> {
    let code: ActivationCode = format!("1${SMDP}${MATCHING_ID}").parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let result = download(&mut isdr, &mut rig.smdp.client(), &request, &mut accept);
    drop(isdr);
    result
}

const ACTIONS: [FaultAction; 3] =
    [FaultAction::TransportError, FaultAction::StatusWord(0x6F00), FaultAction::CorruptResponse];

/// Checks the ES10 error an injected `action` becomes.
fn assert_es10(error: &Es10Error, action: FaultAction, context: &str) {
    match (action, error) {
        (FaultAction::TransportError, Es10Error::Card(_))
        | (FaultAction::CorruptResponse, Es10Error::Decode(_)) => {}
        (FaultAction::StatusWord(sw), Es10Error::Status { sw: got, .. }) => {
            assert_eq!(got.to_u16(), sw, "{context}")
        }
        _ => panic!("{context}: unexpected {error}"),
    }
}

/// Checks the download error kind an injected `action` becomes.
fn assert_kind(kind: &DownloadErrorKind, action: FaultAction, context: &str) {
    match kind {
        DownloadErrorKind::Card(error) => assert_es10(error, action, context),
        DownloadErrorKind::Decode(_) => assert_eq!(action, FaultAction::CorruptResponse, "{context}"),
        _ => panic!("{context}: unexpected {kind}"),
    }
}

fn assert_no_notification_lost(rig: &Rig, context: &str) {
    let euicc = lock(&rig.euicc);
    for seq in 1..euicc.next_seq {
        let pending = euicc.pending_seqs().contains(&seq);
        let acknowledged = rig.smdp.notifications.iter().any(|n| n.metadata().seq_number == seq);
        assert!(
            pending != acknowledged,
            "{context}: notification {seq} pending {pending} acknowledged {acknowledged}"
        );
    }
}

/// `(prefix, occurrence)` of the first STORE DATA block of the faulty request, the step it
/// belongs to, and whether the session exists then.
struct Case {
    name: &'static str,
    prefix: &'static [u8],
    occurrence: usize,
    step: DownloadStep,
}

const BEFORE_SESSION: [Case; 2] = [
    Case { name: "GetEUICCInfo1", prefix: &[0xBF, 0x20], occurrence: 0, step: DownloadStep::GetEuiccInfo1 },
    Case {
        name: "GetEUICCChallenge",
        prefix: &[0xBF, 0x2E],
        occurrence: 0,
        step: DownloadStep::GetEuiccChallenge,
    },
];

#[test]
fn faults_before_the_session_exists_cancel_nothing() {
    for case in &BEFORE_SESSION {
        for action in ACTIONS {
            let context = format!("{action:?} at {}", case.name);
            let mut rig = Rig::new();
            wire(&rig.wire).faults.push(Fault {
                prefix: case.prefix.to_vec(),
                occurrence: case.occurrence,
                action,
            });
            let err = run(&mut rig).unwrap_err();
            assert_eq!(wire(&rig.wire).fired, 1, "{context}");
            assert_eq!(err.step, case.step, "{context}");
            assert_kind(&err.kind, action, &context);
            assert!(err.cancel.is_none() && err.transaction_id.is_none(), "{context}");
            assert!(rig.smdp.calls.is_empty(), "{context}");
            assert!(lock(&rig.euicc).cancels.is_empty(), "{context}");
        }
    }
}

#[test]
fn faults_in_authenticate_server_and_prepare_download_cancel_with_undefined_reason() {
    let cases = [
        (&[0xBF, 0x38][..], DownloadStep::AuthenticateServer, &[Es9InitiateAuthentication][..]),
        (
            &[0xBF, 0x21][..],
            DownloadStep::PrepareDownload,
            &[Es9InitiateAuthentication, Es9AuthenticateClient][..],
        ),
    ];
    for (prefix, step, es9_before) in cases {
        for action in ACTIONS {
            let context = format!("{action:?} at {step}");
            let mut rig = Rig::new();
            wire(&rig.wire).faults.push(Fault { prefix: prefix.to_vec(), occurrence: 0, action });
            let err = run(&mut rig).unwrap_err();
            assert_eq!(err.step, step, "{context}");
            assert_kind(&err.kind, action, &context);
            let reason = CancelSessionReason::UndefinedReason;
            assert_eq!(err.cancel.as_ref().unwrap().reason, reason, "{context}");
            let euicc = lock(&rig.euicc);
            assert_eq!(euicc.cancels.iter().map(|(_, r)| *r).collect::<Vec<_>>(), [reason], "{context}");
            assert!(!euicc.has_session(), "{context}");
            assert!(euicc.profiles.is_empty(), "{context}");
            drop(euicc);
            // The eUICC's answer went to the SM-DP+: its signed confirmation when it had a
            // session (it processed the corrupted request, or it had authenticated already),
            // its invalidTransactionId error when the faulty AuthenticateServer never reached it.
            let expected =
                if step == DownloadStep::AuthenticateServer && action != FaultAction::CorruptResponse {
                    None
                } else {
                    Some(reason)
                };
            assert_eq!(rig.smdp.cancel_reasons(), [expected], "{context}");
            let mut functions = es9_before.to_vec();
            functions.push(Es9CancelSession);
            assert_eq!(rig.smdp.functions(), functions, "{context}");
            assert_no_notification_lost(&rig, &context);
        }
    }
}

/// Every LoadBoundProfilePackage segment of the test BPP (`BF36+BF23, A0+87, A1, 88, 88, A3,
/// 86, 86, 86`) but the last.
const SEGMENTS: [(&str, &[u8], usize); 8] = [
    ("BF36+BF23", &[0xBF, 0x36], 0),
    ("A0+87", &[0xA0], 0),
    ("A1", &[0xA1], 0),
    ("88 #1", &[0x88], 0),
    ("88 #2", &[0x88], 1),
    ("A3", &[0xA3], 0),
    ("86 #1", &[0x86], 0),
    ("86 #2", &[0x86], 1),
];

#[test]
fn faults_during_the_load_cancel_with_load_bpp_execution_error() {
    for (name, prefix, occurrence) in SEGMENTS {
        for action in ACTIONS {
            let context = format!("{action:?} at segment {name}");
            let mut rig = Rig::new();
            wire(&rig.wire).faults.push(Fault { prefix: prefix.to_vec(), occurrence, action });
            let err = run(&mut rig).unwrap_err();
            assert_eq!(wire(&rig.wire).fired, 1, "{context}");
            assert_eq!(err.step, DownloadStep::LoadBoundProfilePackage, "{context}");
            assert_kind(&err.kind, action, &context);
            let reason = CancelSessionReason::LoadBppExecutionError;
            let cancel = err.cancel.as_ref().unwrap();
            assert_eq!(cancel.reason, reason, "{context}");
            assert!(cancel.is_complete(), "{context}");
            assert_eq!(rig.smdp.cancel_reasons(), [Some(reason)], "{context}");
            assert_eq!(rig.smdp.functions().last(), Some(&Es9CancelSession), "{context}");
            let euicc = lock(&rig.euicc);
            assert!(!euicc.has_session(), "{context}");
            assert!(euicc.profiles.is_empty() && euicc.notifications.is_empty(), "{context}");
            // The LPA stopped at the faulty segment: BF41 follows it.
            assert_eq!(euicc.calls.last().map(String::as_str), Some("BF41"), "{context}");
        }
    }
}

#[test]
fn a_lost_installation_result_stays_on_the_euicc() {
    // The last segment's answer is the ProfileInstallationResult: the eUICC installed the profile
    // and keeps the result as a pending notification, but the LPA never saw it.
    for action in ACTIONS {
        let context = format!("{action:?} at the last 86");
        let mut rig = Rig::new();
        wire(&rig.wire).faults.push(Fault { prefix: vec![0x86], occurrence: 2, action });
        let err = run(&mut rig).unwrap_err();
        assert_eq!(err.step, DownloadStep::LoadBoundProfilePackage, "{context}");
        assert_kind(&err.kind, action, &context);
        let euicc = lock(&rig.euicc);
        if action == FaultAction::CorruptResponse {
            // The eUICC finished: installed, PIR pending, session closed. The cancel it refused
            // (invalidTransactionId) was still forwarded.
            assert_eq!(euicc.profiles.len(), 1, "{context}");
            assert_eq!(euicc.pending_seqs(), [1], "{context}");
            drop(euicc);
            assert_eq!(rig.smdp.cancel_reasons(), [None], "{context}");
        } else {
            assert!(euicc.profiles.is_empty() && euicc.notifications.is_empty(), "{context}");
            drop(euicc);
            assert_eq!(rig.smdp.cancel_reasons(), [Some(CancelSessionReason::LoadBppExecutionError)]);
        }
        assert!(rig.smdp.notifications.is_empty(), "{context}");
        assert_no_notification_lost(&rig, &context);
    }
}

#[test]
fn a_fault_removing_the_acknowledged_result_keeps_it_and_the_profile() {
    for action in ACTIONS {
        let context = format!("{action:?} at RemoveNotificationFromList");
        let mut rig = Rig::new();
        wire(&rig.wire).faults.push(Fault { prefix: vec![0xBF, 0x30], occurrence: 0, action });
        let done = run(&mut rig).unwrap();
        let NotificationOutcome::AcknowledgedNotRemoved(error) = &done.notification else {
            panic!("{context}: {}", done.notification)
        };
        assert_es10(error, action, &context);
        assert_eq!(rig.smdp.notifications.len(), 1, "{context}");
        let euicc = lock(&rig.euicc);
        assert_eq!(euicc.profiles.len(), 1, "{context}");
        assert!(euicc.cancels.is_empty(), "{context}");
        // Still pending when the removal never reached the eUICC; a corrupted answer came
        // after the eUICC removed it.
        let expected: &[u64] = if action == FaultAction::CorruptResponse { &[] } else { &[1] };
        assert_eq!(euicc.pending_seqs(), expected, "{context}");
    }
}
