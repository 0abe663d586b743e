//! The profile download flow (SGP.22 §3.1.3) over the fake eUICC and the ES9+ test double
//! (`tests/support`): the happy path with its exact exchanges, consent and confirmation code
//! handling, and the CancelSession calls after a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use oxicard_euicc::activation::{ActivationCode, ConfirmationCode, DeviceInfo};
use oxicard_euicc::download::*;
use oxicard_euicc::es9::{Es9Error, RspFunction};
use oxicard_euicc::es10::*;
use oxicard_euicc::es11::EventEntry;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use support::smdp::{ICCID, MATCHING_ID, SMDP, TRANSACTION_ID};
use support::{Es9Fault, Rig, lock, store_data_sequences, wire};

use RspFunction::*;

fn request() -> DownloadRequest {
    let code: ActivationCode = format!("LPA:1${SMDP}${MATCHING_ID}").parse().unwrap();
    DownloadRequest::new(&code, DeviceInfo::from_imei("356938035643809".parse().unwrap()))
}

/// Records every offer and progress event; answers with `consent`.
struct Recorder {
    consent: Consent,
    offers: Vec<(Option<String>, bool)>,
    progress: Vec<Progress>,
}

impl Recorder {
    fn new(consent: Consent) -> Self {
        Self { consent, offers: Vec::new(), progress: Vec::new() }
    }

    fn steps(&self) -> Vec<DownloadStep> {
        let mut steps: Vec<_> =
            self.progress.iter().filter(|p| p.segment.is_none()).map(|p| p.step).collect();
        steps.dedup();
        steps
    }
}

impl DownloadHandler for Recorder {
    fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent {
        assert_eq!(offer.smdp_address, SMDP);
        assert_eq!(offer.transaction_id.as_bytes(), TRANSACTION_ID);
        let name = offer.metadata.as_ref().and_then(|m| m.profile_name.clone());
        self.offers.push((name, offer.confirmation_code_required));
        self.consent.clone()
    }

    fn progress(&mut self, progress: &Progress) {
        self.progress.push(*progress);
    }
}

/// Runs a download over `rig` with `request`, answering the offer with `consent`.
fn run(
    rig: &mut Rig,
    request: &DownloadRequest,
    handler: &mut Recorder,
) -> Result<DownloadResult, Box<DownloadError>> {
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let result = download(&mut isdr, &mut rig.smdp.client(), request, handler);
    isdr.close().unwrap();
    result
}

const ALL_STEPS: [DownloadStep; 10] = [
    DownloadStep::GetEuiccInfo1,
    DownloadStep::GetEuiccChallenge,
    DownloadStep::InitiateAuthentication,
    DownloadStep::AuthenticateServer,
    DownloadStep::AuthenticateClient,
    DownloadStep::Consent,
    DownloadStep::PrepareDownload,
    DownloadStep::GetBoundProfilePackage,
    DownloadStep::LoadBoundProfilePackage,
    DownloadStep::HandleNotification,
];

#[test]
fn happy_path_exact_sequence_and_apdu_counts() {
    let mut rig = Rig::new();
    let mut handler = Recorder::new(Consent::Accept(None));
    let done = run(&mut rig, &request(), &mut handler).unwrap();

    // ES9+: exactly these calls, to the activation code's SM-DP+ (the PIR to its notificationAddress).
    assert_eq!(
        rig.smdp.calls,
        [Es9InitiateAuthentication, Es9AuthenticateClient, Es9GetBoundProfilePackage, Es9HandleNotification]
            .map(|f| (f, SMDP.to_owned()))
    );
    // ES10: GetEUICCInfo1, GetEUICCChallenge, AuthenticateServer, PrepareDownload, the BPP
    // segments (as lpac and euicc-go `v2/bpp.go` cut them: BF36+BF23, A0+87, A1, 88, 88, A3, 86 ×3),
    // RemoveNotificationFromList.
    let euicc = lock(&rig.euicc);
    assert_eq!(
        euicc.calls,
        ["BF20", "BF2E", "BF38", "BF21", "BF36", "A0", "A1", "88", "88", "A3", "86", "86", "86", "BF30"]
    );
    assert!(euicc.cancels.is_empty());
    assert!(euicc.notifications.is_empty(), "the acknowledged PIR is removed");
    assert_eq!(euicc.profiles.len(), 1);
    assert_eq!(euicc.profiles[0].iccid.to_string(), ICCID);
    assert_eq!(euicc.profiles[0].name.as_deref(), Some("Fake Profile"));
    drop(euicc);

    // APDUs: MANAGE CHANNEL, SELECT, then one STORE DATA per 255-byte block of each ES10 request
    // and GET RESPONSE rounds for responses over 256 bytes, then MANAGE CHANNEL close.
    let log = wire(&rig.wire);
    let bpp = &rig.smdp.bpp;
    let segments = bpp::segments(bpp).unwrap();
    assert_eq!(bpp.len(), 3278);
    assert_eq!(
        segments.iter().map(|s| s.bytes.len()).collect::<Vec<_>>(),
        [165, 44, 2, 25, 26, 4, 1004, 1004, 1004]
    );
    // Never more blocks than the segmentation requires: each request in ceil(len / 255) blocks.
    let requests = store_data_sequences(&log.commands);
    let lengths: Vec<usize> = requests.iter().map(|r| r.len()).collect();
    assert_eq!(lengths[..4], [3, 3, 519, 399]); // BF20, BF2E, BF38, BF21
    let blocks: usize = lengths.iter().map(|len| len.div_ceil(255)).sum();
    assert_eq!(log.store_data_count(), blocks);
    // BF20 1, BF2E 1, BF38 3, BF21 2, the BPP 6 + 3 × 4, BF30 1.
    assert_eq!(log.store_data_count(), 26);
    // AuthenticateServer's answer (585 bytes) needs two GET RESPONSE.
    assert_eq!(log.get_response_count(), 2);
    assert_eq!(log.commands.len(), 2 + 26 + 2 + 1);
    drop(log);

    assert_eq!(done.transaction_id.as_bytes(), TRANSACTION_ID);
    assert_eq!(done.iccid.unwrap().to_string(), ICCID);
    assert_eq!(done.isdp_aid, hex::decode("A0000005591010FFFFFFFF8900001000").unwrap());
    assert!(matches!(done.notification, NotificationOutcome::Removed));
    assert_eq!(rig.smdp.notifications.len(), 1);
    assert_eq!(rig.smdp.notifications[0].as_der(), done.installation_result.as_der());

    // The offer and the progress events.
    assert_eq!(handler.offers, [(Some("Fake Profile".to_owned()), false)]);
    assert_eq!(handler.steps(), ALL_STEPS);
    let loads: Vec<_> =
        handler.progress.iter().filter_map(|p| p.segment.map(|_| (p.bytes_sent, p.bytes_total))).collect();
    assert_eq!(loads.len(), 9);
    assert_eq!(loads.last(), Some(&(3278, 3278)));
    assert!(loads.windows(2).all(|w| w[0].0 < w[1].0));
    let last = handler.progress.last().unwrap();
    assert_eq!(
        (last.step, last.bytes_sent, last.bytes_total),
        (DownloadStep::HandleNotification, 3278, 3278)
    );
    assert!(handler.progress.windows(2).all(|w| w[0].bytes_sent <= w[1].bytes_sent));
}

/// No notification is lost: every ProfileInstallationResult the eUICC produced is either still
/// pending on it or was acknowledged by the server (and then removed).
fn assert_no_notification_lost(rig: &Rig) {
    let euicc = lock(&rig.euicc);
    for seq in 1..euicc.next_seq {
        let pending = euicc.pending_seqs().contains(&seq);
        let acknowledged = rig.smdp.notifications.iter().any(|n| n.metadata().seq_number == seq);
        assert!(pending || acknowledged, "notification {seq} lost");
        assert!(!(pending && acknowledged), "notification {seq} acknowledged but not removed");
    }
}

fn assert_nothing_installed(rig: &Rig) {
    let euicc = lock(&rig.euicc);
    assert!(euicc.profiles.is_empty());
    assert!(euicc.notifications.is_empty());
    assert!(!euicc.has_session(), "the eUICC session was cancelled");
}

/// The cancellation seen by both sides: the eUICC's reasons and the reasons in the signed
/// responses the SM-DP+ received (`None` for a forwarded eUICC error).
fn cancels(rig: &Rig) -> (Vec<CancelSessionReason>, Vec<Option<CancelSessionReason>>) {
    let euicc = lock(&rig.euicc);
    for (tx, _) in &euicc.cancels {
        assert_eq!(tx, &TRANSACTION_ID);
    }
    for (tx, _) in &rig.smdp.cancels {
        assert_eq!(tx.as_bytes(), TRANSACTION_ID);
    }
    (euicc.cancels.iter().map(|(_, r)| *r).collect(), rig.smdp.cancel_reasons())
}

fn declined(consent: Consent, reason: CancelSessionReason) {
    let mut rig = Rig::new();
    let mut handler = Recorder::new(consent);
    let err = run(&mut rig, &request(), &mut handler).unwrap_err();
    assert_eq!(err.step, DownloadStep::Consent);
    assert!(matches!(err.kind, DownloadErrorKind::Declined(r) if r == reason));
    let cancel = err.cancel.as_ref().unwrap();
    assert_eq!(cancel.reason, reason);
    assert!(cancel.is_complete());
    assert_eq!(cancels(&rig), (vec![reason], vec![Some(reason)]));
    assert_eq!(lock(&rig.euicc).calls, ["BF20", "BF2E", "BF38", "BF41"]);
    assert_eq!(rig.smdp.functions(), [Es9InitiateAuthentication, Es9AuthenticateClient, Es9CancelSession]);
    assert_nothing_installed(&rig);
    assert_eq!(handler.steps().last(), Some(&DownloadStep::Consent));
}

#[test]
fn user_refusal_cancels_with_end_user_rejection_on_both_sides() {
    declined(Consent::refuse(), CancelSessionReason::EndUserRejection);
}

#[test]
fn postponing_cancels_with_postponed() {
    declined(Consent::postpone(), CancelSessionReason::Postponed);
}

#[test]
fn a_ppr_refusal_cancels_with_ppr_not_allowed() {
    declined(Consent::Decline(CancelSessionReason::PprNotAllowed), CancelSessionReason::PprNotAllowed);
}

#[test]
fn confirmation_code_from_the_request_is_hashed_into_prepare_download() {
    let mut rig = Rig::new();
    rig.smdp.confirmation_code = Some("1234".into());
    let mut handler = Recorder::new(Consent::Accept(None));
    let request = request().with_confirmation_code(ConfirmationCode::new("1234"));
    run(&mut rig, &request, &mut handler).unwrap();
    assert_eq!(handler.offers, [(Some("Fake Profile".to_owned()), true)]);
    assert_eq!(lock(&rig.euicc).profiles.len(), 1);
}

#[test]
fn confirmation_code_from_the_consent_callback() {
    let mut rig = Rig::new();
    rig.smdp.confirmation_code = Some("1234".into());
    let mut handler = Recorder::new(Consent::Accept(Some(ConfirmationCode::new("1234"))));
    // The callback's code wins over the request's.
    let request = request().with_confirmation_code(ConfirmationCode::new("0000"));
    run(&mut rig, &request, &mut handler).unwrap();
    assert_eq!(lock(&rig.euicc).profiles.len(), 1);
}

#[test]
fn wrong_confirmation_code_is_a_typed_server_error_and_cancels() {
    let mut rig = Rig::new();
    rig.smdp.confirmation_code = Some("1234".into());
    let mut handler = Recorder::new(Consent::Accept(Some(ConfirmationCode::new("9999"))));
    let err = run(&mut rig, &request(), &mut handler).unwrap_err();
    assert_eq!(err.step, DownloadStep::GetBoundProfilePackage);
    let code = err.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.2.7", "3.8"));
    assert_eq!(code.meaning(), Some("confirmation code refused"));
    assert!(matches!(
        &err.kind,
        DownloadErrorKind::Server(Es9Error::FunctionFailed { function: Es9GetBoundProfilePackage, .. })
    ));
    let reason = CancelSessionReason::UndefinedReason;
    assert_eq!(cancels(&rig), (vec![reason], vec![Some(reason)]));
    assert_nothing_installed(&rig);
    assert!(err.report().contains("8.2.7"), "{err}");
}

#[test]
fn missing_confirmation_code_cancels_before_prepare_download() {
    let mut rig = Rig::new();
    rig.smdp.confirmation_code = Some("1234".into());
    let mut handler = Recorder::new(Consent::Accept(None));
    let err = run(&mut rig, &request(), &mut handler).unwrap_err();
    assert_eq!(err.step, DownloadStep::Consent);
    assert!(matches!(err.kind, DownloadErrorKind::ConfirmationCodeMissing));
    let reason = CancelSessionReason::EndUserRejection;
    assert_eq!(cancels(&rig), (vec![reason], vec![Some(reason)]));
    assert_eq!(lock(&rig.euicc).calls, ["BF20", "BF2E", "BF38", "BF41"]);
    assert_nothing_installed(&rig);
}

#[test]
fn an_sm_ds_event_is_downloaded_with_its_event_id() {
    let mut rig = Rig::new();
    rig.smdp.matching_id = Some("EVENT-0001".into());
    let event = EventEntry::new("EVENT-0001".into(), "smdp2.example.com".into());
    let request = DownloadRequest::new(&event, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    download(&mut isdr, &mut rig.smdp.client(), &request, &mut accept).unwrap();
    drop(isdr);
    assert!(rig.smdp.calls.iter().all(|(_, address)| address == "smdp2.example.com"));
}

#[test]
fn a_refused_matching_id_fails_at_authenticate_client() {
    let mut rig = Rig::new();
    rig.smdp.matching_id = Some("ANOTHER-ID".into());
    let err = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap_err();
    assert_eq!(err.step, DownloadStep::AuthenticateClient);
    let code = err.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.2.6", "3.8"));
    assert_eq!(cancels(&rig).0, [CancelSessionReason::UndefinedReason]);
    assert_nothing_installed(&rig);
}

#[test]
fn an_authenticate_server_error_is_forwarded_and_not_cancelled() {
    let mut rig = Rig::new();
    rig.smdp.wrong_challenge = true;
    let err = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap_err();
    assert_eq!(err.step, DownloadStep::AuthenticateServer);
    assert!(matches!(
        err.kind,
        DownloadErrorKind::Rejected(Rejection::AuthenticateServer(
            AuthenticateErrorCode::EuiccChallengeMismatch
        ))
    ));
    assert!(err.cancel.is_none());
    assert_eq!(lock(&rig.euicc).calls, ["BF20", "BF2E", "BF38"]);
    // The error response went to AuthenticateClient (the SM-DP+ refuses it: 8.1 / 6.1).
    assert_eq!(rig.smdp.functions(), [Es9InitiateAuthentication, Es9AuthenticateClient]);
    assert_nothing_installed(&rig);
}

#[test]
fn a_prepare_download_error_is_forwarded_and_not_cancelled() {
    let mut rig = Rig::new();
    rig.smdp.wrong_signed2_transaction = true;
    let err = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap_err();
    assert_eq!(err.step, DownloadStep::PrepareDownload);
    assert!(matches!(
        err.kind,
        DownloadErrorKind::Rejected(Rejection::PrepareDownload(DownloadErrorCode::InvalidTransactionId))
    ));
    assert!(err.cancel.is_none());
    assert_eq!(lock(&rig.euicc).calls, ["BF20", "BF2E", "BF38", "BF21"]);
    assert_eq!(
        rig.smdp.functions(),
        [Es9InitiateAuthentication, Es9AuthenticateClient, Es9GetBoundProfilePackage]
    );
}

#[test]
fn an_installation_error_is_typed_and_its_result_still_notified() {
    let mut rig = Rig::new();
    let error = InstallationError::new(
        BppCommandId::LoadProfileElements,
        ErrorReason::InstallFailedDueToPeProcessingError,
    );
    lock(&rig.euicc).install_error = Some(error);
    let err = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap_err();
    assert_eq!(err.step, DownloadStep::LoadBoundProfilePackage);
    assert!(matches!(err.kind, DownloadErrorKind::Installation(e) if e == error));
    assert!(err.cancel.is_none(), "the ProfileInstallationResult ended the session");
    assert!(matches!(err.notification, Some(NotificationOutcome::Removed)));
    // The eUICC answered the first 86 with the error: the LPA stopped sending.
    assert_eq!(
        lock(&rig.euicc).calls,
        ["BF20", "BF2E", "BF38", "BF21", "BF36", "A0", "A1", "88", "88", "A3", "86", "BF30"]
    );
    assert_eq!(rig.smdp.notifications.len(), 1);
    let PendingNotification::ProfileInstallationResult(pir) = &rig.smdp.notifications[0] else { panic!() };
    assert_eq!(pir.outcome(), Err(error));
    assert_nothing_installed(&rig);
    assert_no_notification_lost(&rig);
}

/// Checks the typed error an [`Es9Fault`] becomes.
type Es9Check = fn(&Es9Error) -> bool;

/// The ES9+ error classes: the fault, and a check of the typed error it becomes.
fn es9_faults() -> Vec<(Es9Fault, Es9Check)> {
    vec![
        (Es9Fault::Failed("8.8.5", "4.1"), |e| {
            e.status_code().is_some_and(|c| c.subject_code == "8.8.5" && c.reason_code == "4.1")
        }),
        (Es9Fault::Http(500), |e| matches!(e, Es9Error::HttpStatus { status: 500, .. })),
        (Es9Fault::Malformed, |e| matches!(e, Es9Error::MissingField { .. })),
        (Es9Fault::NotJson, |e| matches!(e, Es9Error::NotJson { .. })),
        (Es9Fault::Transport, |e| matches!(e, Es9Error::Transport { .. })),
        (Es9Fault::Timeout, |e| matches!(e, Es9Error::Timeout { .. })),
    ]
}

#[test]
fn every_es9_error_class_at_every_download_function() {
    let cases = [
        (Es9InitiateAuthentication, DownloadStep::InitiateAuthentication, &["BF20", "BF2E"][..]),
        (Es9AuthenticateClient, DownloadStep::AuthenticateClient, &["BF20", "BF2E", "BF38", "BF41"][..]),
        (
            Es9GetBoundProfilePackage,
            DownloadStep::GetBoundProfilePackage,
            &["BF20", "BF2E", "BF38", "BF21", "BF41"][..],
        ),
    ];
    for (function, step, calls) in cases {
        for (fault, check) in es9_faults() {
            let context = format!("{fault:?} at {function}");
            let mut rig = Rig::new();
            rig.smdp.faults.insert(function, fault.clone());
            let err = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap_err();
            assert_eq!(err.step, step, "{context}");
            let DownloadErrorKind::Server(es9) = &err.kind else { panic!("{context}: {err}") };
            assert!(check(es9), "{context}: {es9}");
            assert_eq!(es9.function(), Some(function), "{context}");
            assert_eq!(lock(&rig.euicc).calls, calls, "{context}");
            if function == Es9InitiateAuthentication {
                // No session yet: nothing to cancel.
                assert!(err.cancel.is_none() && err.transaction_id.is_none(), "{context}");
                assert!(cancels(&rig).0.is_empty(), "{context}");
            } else {
                let reason = if fault == Es9Fault::Timeout {
                    CancelSessionReason::Timeout
                } else {
                    CancelSessionReason::UndefinedReason
                };
                assert_eq!(cancels(&rig), (vec![reason], vec![Some(reason)]), "{context}");
                assert!(err.cancel.as_ref().unwrap().is_complete(), "{context}");
                assert_eq!(rig.smdp.functions().last(), Some(&Es9CancelSession), "{context}");
            }
            assert_nothing_installed(&rig);
        }
    }
}

#[test]
fn every_es9_error_class_at_handle_notification_keeps_the_result_for_retry() {
    for (fault, check) in es9_faults() {
        let mut rig = Rig::new();
        rig.smdp.faults.insert(Es9HandleNotification, fault.clone());
        let done = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap();
        let NotificationOutcome::NotDelivered(e) = &done.notification else { panic!("{fault:?}") };
        assert!(check(e), "{fault:?}: {e}");
        let euicc = lock(&rig.euicc);
        assert_eq!(euicc.profiles.len(), 1, "installed all the same");
        assert_eq!(euicc.pending_seqs(), [1], "the PIR stays on the eUICC");
        assert_eq!(euicc.calls.last().map(String::as_str), Some("86"), "no RemoveNotificationFromList");
        drop(euicc);
        assert_no_notification_lost(&rig);
    }
}

#[test]
fn a_failed_es9_cancel_session_is_reported() {
    let mut rig = Rig::new();
    rig.smdp.faults.insert(Es9CancelSession, Es9Fault::Http(503));
    let err = run(&mut rig, &request(), &mut Recorder::new(Consent::refuse())).unwrap_err();
    assert!(matches!(err.kind, DownloadErrorKind::Declined(CancelSessionReason::EndUserRejection)));
    let cancel = err.cancel.as_ref().unwrap();
    assert!(cancel.euicc.as_ref().unwrap().result.is_ok());
    assert!(matches!(cancel.server, Some(Err(Es9Error::HttpStatus { status: 503, .. }))));
    assert!(!cancel.is_complete());
    assert!(err.report().contains("not confirmed"), "{err}");
}

#[test]
fn a_bound_profile_package_that_cannot_be_segmented_is_never_sent() {
    let mut rig = Rig::new();
    // `BF36 { BF23 {}, A1 {} }`: sequenceOf87 (A0) is missing (hand-made).
    rig.smdp.bpp_override = Some(hex::decode("BF3605BF2300A100").unwrap());
    let err = run(&mut rig, &request(), &mut Recorder::new(Consent::Accept(None))).unwrap_err();
    assert_eq!(err.step, DownloadStep::LoadBoundProfilePackage);
    assert!(matches!(err.kind, DownloadErrorKind::Decode(_)), "{err}");
    let reason = CancelSessionReason::LoadBppExecutionError;
    assert_eq!(cancels(&rig), (vec![reason], vec![Some(reason)]));
    assert_eq!(lock(&rig.euicc).calls, ["BF20", "BF2E", "BF38", "BF21", "BF41"]);
    assert_nothing_installed(&rig);
}
