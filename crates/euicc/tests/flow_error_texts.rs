//! Errors users can act on, over the fake eUICC and the ES9+ test double: an SM-DP+ refusal
//! names its subjectCode, reasonCode and their meaning and keeps them when the session is then
//! cancelled (whatever the cancellation gives); an eUICC error forwarded to the SM-DP+ comes
//! with the server's answer; an installation failure names bppCommandId, errorReason and both
//! ICCIDs; and once the eUICC answered a Bound Profile Package segment with its
//! ProfileInstallationResult, nothing more of the package is sent (a real eUICC answers `6A88`
//! to what follows, which would hide the result).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::sync::{Arc, Mutex};

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::download::*;
use oxicard_euicc::es9::{
    Es9Error, REASON_CODES, RspFunction, STATUS_CODES, SUBJECT_CODES, StatusCode, reason_code_name,
    subject_code_name,
};
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use oxicard_transport::sim::{CardSimulator, SimulatorTransport};
use support::euicc::{EuiccState, signature};
use support::smdp::{ICCID, MATCHING_ID, SMDP, TRANSACTION_ID};
use support::{Es9Fault, FakeEuicc, FakeSmdp, Rig, Wire, WireLog, lock, wire};

use RspFunction::*;

fn request() -> DownloadRequest {
    let code: ActivationCode = format!("LPA:1${SMDP}${MATCHING_ID}").parse().unwrap();
    DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()))
}

fn accept(_: &ProfileOffer<'_>) -> Consent {
    Consent::Accept(None)
}

fn run<T: oxicard_transport::Transport>(card: &mut Card<T>, smdp: &mut FakeSmdp) -> Box<DownloadError> {
    run_with(card, smdp, &IsdrOptions::default())
}

fn run_with<T: oxicard_transport::Transport>(
    card: &mut Card<T>,
    smdp: &mut FakeSmdp,
    options: &IsdrOptions,
) -> Box<DownloadError> {
    let mut isdr = Isdr::open(card, options).unwrap();
    let result = download(&mut isdr, &mut smdp.client(), &request(), &mut accept);
    drop(isdr);
    result.unwrap_err()
}

#[test]
fn every_listed_status_code_has_named_parts() {
    for code in STATUS_CODES {
        assert!(subject_code_name(code.subject_code).is_some(), "{code:?}");
        assert!(reason_code_name(code.reason_code).is_some(), "{code:?}");
    }
    for table in [SUBJECT_CODES, REASON_CODES] {
        for (i, a) in table.iter().enumerate() {
            assert!(table[i + 1..].iter().all(|b| b.code != a.code), "{a:?} twice");
        }
    }
    // A code no table lists is named by its nearest listed parent or its class.
    assert_eq!(subject_code_name("8.2.9"), Some("profile"));
    assert_eq!(reason_code_name("3.12"), Some("conditions of use not satisfied"));
    assert_eq!(subject_code_name("9.1"), None);
}

#[test]
fn a_status_code_says_what_and_why() {
    let code = |subject: &str, reason: &str| StatusCode::new(subject.into(), reason.into());
    assert_eq!(
        code("8.2.6", "3.8").to_string(),
        "subjectCode 8.2.6 (MatchingID) reasonCode 3.8 (refused): MatchingID (AC_Token or EventID) refused"
    );
    // A pair no SGP.22 table lists: both parts still named.
    assert_eq!(
        code("8.2.1", "4.2").to_string(),
        "subjectCode 8.2.1 (profile ICCID) reasonCode 4.2 (execution error)"
    );
    assert_eq!(
        code("9.9", "0.1").to_string(),
        "subjectCode 9.9 (unknown subject) reasonCode 0.1 (unknown reason)"
    );
    let full = {
        let mut status_code = code("8.2.1", "3.3");
        status_code.subject_identifier = Some("8944478600004573128".into());
        status_code.message = Some("already downloaded".into());
        status_code
    };
    assert_eq!(
        full.to_string(),
        "subjectCode 8.2.1 (profile ICCID) reasonCode 3.3 (already in use (uniqueness)): the profile \
         identified by the ICCID is not available, subjectIdentifier \"8944478600004573128\", message \
         \"already downloaded\""
    );
}

#[test]
fn a_server_refusal_stays_the_error_when_the_cancellation_is_refused_too() {
    let mut rig = Rig::new();
    rig.smdp.faults.insert(Es9AuthenticateClient, Es9Fault::Failed("8.2.6", "3.8"));
    rig.smdp.faults.insert(Es9CancelSession, Es9Fault::Failed("8.10.1", "3.9"));
    let err = run(&mut rig.card, &mut rig.smdp);
    // The primary error is the refusal, with its codes.
    assert_eq!(err.step, DownloadStep::AuthenticateClient);
    let code = err.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.2.6", "3.8"));
    // The cancellation is secondary: the eUICC confirmed it, the SM-DP+ refused it.
    let cancel = err.cancel.as_ref().unwrap();
    assert!(cancel.euicc.as_ref().unwrap().result.is_ok());
    let server = cancel.server.as_ref().unwrap().as_ref().unwrap_err();
    assert_eq!(server.status_code().unwrap().subject_code, "8.10.1");
    assert_eq!(
        err.report(),
        "profile download failed at ES9+.AuthenticateClient: SM-DP+ refused: ES9+.AuthenticateClient \
         Failed: subjectCode 8.2.6 (MatchingID) reasonCode 3.8 (refused): MatchingID (AC_Token or \
         EventID) refused; then the session was cancelled on the eUICC (undefinedReason (127)), not \
         confirmed by the SM-DP+: ES9+.CancelSession Failed: subjectCode 8.10.1 (TransactionID) \
         reasonCode 3.9 (unknown): the RSP session identified by the TransactionID is unknown"
    );
}

#[test]
fn a_server_refusal_with_a_complete_cancellation() {
    let mut rig = Rig::new();
    rig.smdp.faults.insert(Es9GetBoundProfilePackage, Es9Fault::Failed("8.2.7", "6.4"));
    let err = run(&mut rig.card, &mut rig.smdp);
    assert!(err.cancel.as_ref().unwrap().is_complete());
    assert_eq!(
        err.report(),
        "profile download failed at ES9+.GetBoundProfilePackage: SM-DP+ refused: \
         ES9+.GetBoundProfilePackage Failed: subjectCode 8.2.7 (confirmation code) reasonCode 6.4 \
         (maximum number of attempts exceeded): maximum number of confirmation code retries \
         exceeded; then the session was cancelled on both sides (undefinedReason (127))"
    );
}

#[test]
fn a_cancellation_the_euicc_could_not_make_is_said_after_the_cause() {
    let mut rig = Rig::new();
    rig.smdp.faults.insert(Es9AuthenticateClient, Es9Fault::Failed("8.2.6", "3.8"));
    // The eUICC never sees the CancelSession: its block is answered 6F00.
    wire(&rig.wire).faults.push(support::Fault {
        prefix: vec![0xBF, 0x41],
        occurrence: 0,
        action: support::FaultAction::StatusWord(0x6F00),
    });
    let err = run(&mut rig.card, &mut rig.smdp);
    let text = err.report();
    assert!(
        text.starts_with(
            "profile download failed at ES9+.AuthenticateClient: SM-DP+ refused: ES9+.AuthenticateClient \
             Failed: subjectCode 8.2.6 (MatchingID) reasonCode 3.8 (refused)"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "; then cancelling the session (undefinedReason (127)) failed on the eUICC: STORE DATA block 0 \
             refused with 6F00 (no precise diagnosis); nothing was sent to the SM-DP+"
        ),
        "{text}"
    );
}

#[test]
fn a_forwarded_euicc_error_comes_with_the_server_answer() {
    let mut rig = Rig::new();
    rig.smdp.wrong_challenge = true;
    let err = run(&mut rig.card, &mut rig.smdp);
    assert!(err.cancel.is_none());
    let answer = err.server_answer.as_ref().unwrap();
    assert_eq!(answer.function(), Some(Es9AuthenticateClient));
    assert_eq!(err.status_code().unwrap().subject_code, "8.1");
    assert_eq!(
        err.report(),
        "profile download failed at ES10b.AuthenticateServer: eUICC rejected: AuthenticateServer failed: \
         euiccChallengeMismatch (6); the SM-DP+ answered the forwarded error with: \
         ES9+.AuthenticateClient Failed: subjectCode 8.1 (eUICC) reasonCode 6.1 (verification failed): \
         the eUICC signature or the serverChallenge is invalid"
    );
}

/// The ICCID of the package in [`EarlyResult`]'s answer, other than the offered [`ICCID`].
const PACKAGE_ICCID: &str = "8944478600004573136";

/// What a real eUICC does around an early installation failure, on top of the fake: it answers
/// the first StoreMetadata segment (`88`) with a ProfileInstallationResult `errorResult
/// { storeMetadata, installFailedDueToIccidMismatch }` naming [`PACKAGE_ICCID`], keeps it as a
/// pending notification, and answers `6A88` (referenced data not found) to every Bound Profile
/// Package segment after it, and to any further block of the sequence it answered. Everything
/// else goes to the fake.
struct EarlyResult {
    inner: FakeEuicc,
    state: Arc<Mutex<EuiccState>>,
    /// Answer on the segment's first STORE DATA block instead of its last (an eUICC that
    /// rejects the segment as soon as it sees its start).
    on_first_block: bool,
    /// Inside a STORE DATA sequence this wrapper answers itself.
    intercepting: bool,
    /// The result was given.
    answered: bool,
    /// Bound Profile Package blocks received after the result.
    late_blocks: Arc<Mutex<usize>>,
}

impl EarlyResult {
    fn result(&self) -> Vec<u8> {
        let mut state = lock(&self.state);
        let seq_number = state.next_seq;
        state.next_seq += 1;
        let data = ProfileInstallationResultData::new(
            TRANSACTION_ID.to_vec(),
            {
                let mut notification_metadata = NotificationMetadata::new(
                    seq_number,
                    BitFlags::from_bits([notification_event::INSTALL]),
                    SMDP.into(),
                );
                notification_metadata.iccid = Some(PACKAGE_ICCID.parse().unwrap());
                notification_metadata
            },
            FinalResult::Error {
                error: InstallationError::new(
                    BppCommandId::StoreMetadata,
                    ErrorReason::InstallFailedDueToIccidMismatch,
                ),
                sima_response: None,
            },
        );
        let result = ProfileInstallationResult::new(data, &signature());
        state.notifications.push(PendingNotification::ProfileInstallationResult(result.clone()));
        result.as_der().to_vec()
    }
}

impl CardSimulator for EarlyResult {
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self) {
        self.intercepting = false;
        self.inner.reset();
    }

    fn process(&mut self, command: &[u8], out: &mut Vec<u8>) {
        let store_data = command.get(1) == Some(&0xE2);
        let (first_block, last_block) = (command.get(3) == Some(&0), command.get(2) == Some(&0x91));
        let data = command.get(5..).unwrap_or_default();
        let bpp_tag =
            matches!(data.first(), Some(0xA0..=0xA3 | 0x86..=0x88)) || data.starts_with(&[0xBF, 0x36]);
        if store_data && self.answered && (bpp_tag || !first_block) {
            *self.late_blocks.lock().unwrap() += 1;
            out.extend_from_slice(&[0x6A, 0x88]);
            return;
        }
        if store_data && first_block && data.first() == Some(&0x88) && !self.answered {
            self.intercepting = true;
        }
        if store_data && self.intercepting {
            if last_block || self.on_first_block {
                self.intercepting = false;
                self.answered = true;
                out.extend_from_slice(&self.result());
            }
            out.extend_from_slice(&[0x90, 0x00]);
            return;
        }
        self.inner.process(command, out);
    }
}

/// An [`EarlyResult`] eUICC in a recording transport.
fn early_result(on_first_block: bool) -> (Card<impl oxicard_transport::Transport>, EarlyParts) {
    let fake = FakeEuicc::new();
    let state = fake.state();
    let late_blocks = Arc::new(Mutex::new(0));
    let early = EarlyResult {
        inner: fake,
        state: Arc::clone(&state),
        on_first_block,
        intercepting: false,
        answered: false,
        late_blocks: Arc::clone(&late_blocks),
    };
    let (transport, log) = Wire::new(SimulatorTransport::new(early));
    (Card::new(transport), EarlyParts { state, late_blocks, log })
}

/// What the test looks at after an [`EarlyResult`] download.
struct EarlyParts {
    state: Arc<Mutex<EuiccState>>,
    late_blocks: Arc<Mutex<usize>>,
    log: Arc<Mutex<WireLog>>,
}

/// The result came with the first block of a StoreMetadata segment cut into 16-byte blocks: the
/// LPA sends neither the rest of that segment nor any segment after it.
#[test]
fn no_block_follows_a_result_that_came_mid_segment() {
    let (mut card, parts) = early_result(true);
    let mut smdp = FakeSmdp::new();
    let options = IsdrOptions::default().with_segment_size(16);
    let err = run_with(&mut card, &mut smdp, &options);
    assert_eq!(*parts.late_blocks.lock().unwrap(), 0);
    let log = wire(&parts.log);
    let first_88 = log.commands.iter().position(|c| c[1] == 0xE2 && c[3] == 0 && c[5] == 0x88).unwrap();
    // The 88 segment is longer than one block: only its first block went out.
    assert_eq!(log.commands[first_88][2], 0x11, "a block with more to follow");
    let after: Vec<&Vec<u8>> = log.commands[first_88 + 1..].iter().filter(|c| c[1] == 0xE2).collect();
    assert!(after.iter().all(|c| c[3] == 0 && c[5] == 0xBF), "{after:02X?}");
    drop(log);
    assert!(matches!(err.kind, DownloadErrorKind::Installation(_)), "{err}");
    assert!(matches!(err.notification, Some(NotificationOutcome::Removed)));
    assert!(lock(&parts.state).notifications.is_empty());
}

#[test]
fn no_segment_follows_an_early_installation_result_and_the_error_is_the_results() {
    let (mut card, parts) = early_result(false);
    let EarlyParts { state, late_blocks, log } = parts;
    let mut smdp = FakeSmdp::new();
    let err = run(&mut card, &mut smdp);

    // Nothing of the package after the answer: the last STORE DATA sequences are the 88 that
    // got the result, then RemoveNotificationFromList of the acknowledged result.
    assert_eq!(*late_blocks.lock().unwrap(), 0);
    let log: std::sync::MutexGuard<'_, WireLog> = wire(&log);
    let firsts: Vec<u8> = log.commands.iter().filter(|c| c[1] == 0xE2 && c[3] == 0).map(|c| c[5]).collect();
    let at = firsts.iter().position(|b| *b == 0x88).unwrap();
    assert_eq!(&firsts[at..], [0x88, 0xBF], "{firsts:02X?}");
    assert!(!firsts.contains(&0xA3) && !firsts.contains(&0x86), "{firsts:02X?}");
    drop(log);

    // The error is the result's, with both ICCIDs; the result went to the SM-DP+ and left the
    // eUICC; nothing was cancelled (the result ended the session).
    assert_eq!(err.step, DownloadStep::LoadBoundProfilePackage);
    assert!(matches!(
        err.kind,
        DownloadErrorKind::Installation(InstallationError {
            command: BppCommandId::StoreMetadata,
            reason: ErrorReason::InstallFailedDueToIccidMismatch,
            ..
        })
    ));
    let context = err.installation.as_ref().unwrap();
    assert_eq!(context.offered_iccid, Some(ICCID.parse::<Iccid>().unwrap()));
    assert_eq!(context.result_iccid, Some(PACKAGE_ICCID.parse::<Iccid>().unwrap()));
    assert!(err.cancel.is_none());
    assert!(matches!(err.notification, Some(NotificationOutcome::Removed)));
    assert_eq!(smdp.functions().last(), Some(&Es9HandleNotification));
    assert!(lock(&state).notifications.is_empty());
    assert_eq!(
        err.report(),
        format!(
            "profile download failed at ES10b.LoadBoundProfilePackage: installation failed at \
             storeMetadata (bppCommandId 2): installFailedDueToIccidMismatch (13): the package's ICCID \
             {PACKAGE_ICCID} is not the offered {ICCID}; the result notification was delivered and removed"
        )
    );
}

#[test]
fn an_iccid_already_on_the_euicc_is_named_with_its_profile() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        euicc.add_profile(ICCID, true, None);
        euicc.install_error = Some(InstallationError::new(
            BppCommandId::StoreMetadata,
            ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc,
        ));
    }
    let err = run(&mut rig.card, &mut rig.smdp);
    let existing = err.installation.as_ref().unwrap().existing.as_ref().unwrap();
    assert_eq!(existing.iccid, Some(ICCID.parse().unwrap()));
    assert_eq!(
        err.report(),
        format!(
            "profile download failed at ES10b.LoadBoundProfilePackage: installation failed at \
             storeMetadata (bppCommandId 2): installFailedDueToIccidAlreadyExistsOnEuicc (9): ICCID {ICCID} \
             is already on the eUICC (profile \"Profile 0\", enabled, ISD-P A0000005591010FFFFFFFF8900001000); \
             the result notification was delivered and removed"
        )
    );
}

#[test]
fn other_installation_errors_say_what_the_reason_means() {
    let mut rig = Rig::new();
    lock(&rig.euicc).install_error =
        Some(InstallationError::new(BppCommandId::LoadProfileElements, ErrorReason::Scp03tSecurityError));
    rig.smdp.notification_faults.insert(1, Es9Fault::Http(503));
    let err = run(&mut rig.card, &mut rig.smdp);
    let text = err.report();
    assert!(
        text.starts_with(
            "profile download failed at ES10b.LoadBoundProfilePackage: installation failed at \
             loadProfileElements (bppCommandId 5): scp03tSecurityError (8): a protected segment of the \
             package failed its integrity check or decryption; the result notification was not \
             delivered, kept for retry: ES9+.HandleNotification: HTTP status 503"
        ),
        "{text}"
    );
    assert!(matches!(err.notification, Some(NotificationOutcome::NotDelivered(Es9Error::HttpStatus { .. }))));
}
