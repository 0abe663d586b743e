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
use support::{Es9Fault, Rig, lock, wire};

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
    let result = download(&mut isdr, &mut rig.smdp, request, handler);
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
    // segments (digest §5.2: BF36+BF23, A0+87, A1, 88, 88, A3, 86 ×3), RemoveNotificationFromList.
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
}

/// The ES10 requests of a command log: the concatenated data of each STORE DATA sequence.
fn store_data_sequences(commands: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut requests = Vec::new();
    let mut current = Vec::new();
    for c in commands.iter().filter(|c| c[1] == 0xE2) {
        current.extend_from_slice(&c[5..5 + usize::from(c[4])]);
        if c[2] == 0x91 {
            requests.push(std::mem::take(&mut current));
        }
    }
    requests
}
