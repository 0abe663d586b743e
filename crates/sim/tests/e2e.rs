//! End to end: our LPA (`oxicard_euicc`) → the test SM-DP+ over HTTPS (its DPtls certificate,
//! the test CI as the only trust anchor) → the software eUICC, first in process and then as a
//! card in the vpcd reader of a real `pcscd`. Download, list, enable, disable, delete; every
//! notification delivered to the SM-DP+ and removed from the eUICC.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::ConfirmationCode;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::download::{
    Consent, DownloadError, DownloadErrorKind, DownloadRequest, DownloadStep, ProfileOffer, download,
};
use oxicard_euicc::es9::{
    GetBoundProfilePackageResponse, HttpClient, HttpError, HttpEs9Client, HttpRequest, HttpResponse,
    RspClient, RspFunction, UreqHttpClient,
};
use oxicard_euicc::es10::{CancelSessionReason, ErrorReason, ProfileState};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::{NotificationOutcome, ProfileOperation, manage_profile};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};
use oxicard_transport::Transport;
use oxicard_transport::pcsc::ConnectOptions;
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::testbed::VirtualReader;

const ADDRESS: &str = "smdp.example.com";
const ICCID: &str = "8944478600004573128";

/// The test PKI, an SM-DP+ serving one profile under `MATCH-1` (and one that needs the
/// confirmation code `1234` under `CC-1`), its HTTPS server and a client that trusts only the
/// test CI and reaches `ADDRESS` at the server.
fn smdp() -> (TestPki, SmdpServer, HttpEs9Client) {
    smdp_of(TestPki::from_seed([7; 32]).unwrap())
}

fn smdp_of(pki: TestPki) -> (TestPki, SmdpServer, HttpEs9Client) {
    let iccid: Iccid = ICCID.parse().unwrap();
    let metadata = ProfileMetadata::new(iccid, "oxicard test", "oxicard", ADDRESS);
    let package = ProfileBuilder::new(iccid).padding(20_000).package(metadata.clone());
    let with_code = ProfileBuilder::new(iccid).package(metadata).with_confirmation_code("1234");
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS)
        .with_profile("MATCH-1", package)
        .with_profile("CC-1", with_code);
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let client = server.client(pki.ci().certificate().der()).unwrap();
    (pki, server, client)
}

/// The whole life of a profile on `card`, checked on both sides.
fn profile_life_cycle<T: Transport>(card: &mut Card<T>, server: &SmdpServer, client: &mut HttpEs9Client) {
    let iccid: Iccid = ICCID.parse().unwrap();
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    assert!(isdr.profiles().unwrap().is_empty());

    let code: ActivationCode = "LPA:1$smdp.example.com$MATCH-1".parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut offered = None;
    let mut consent = |offer: &ProfileOffer<'_>| {
        offered = offer.metadata.as_ref().and_then(|m| m.iccid);
        Consent::Accept(None)
    };
    let result = download(&mut isdr, client, &request, &mut consent).unwrap();
    assert_eq!(offered, Some(iccid));
    assert_eq!(result.iccid, Some(iccid));
    assert!(matches!(result.notification, NotificationOutcome::Removed), "{:?}", result.notification);

    let profiles = isdr.profiles().unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].iccid, Some(iccid));
    assert_eq!(profiles[0].state, Some(ProfileState::Disabled));
    assert_eq!(profiles[0].profile_name.as_deref(), Some("oxicard test"));

    for (operation, state) in [
        (ProfileOperation::Enable { refresh: false }, Some(ProfileState::Enabled)),
        (ProfileOperation::Disable { refresh: false }, Some(ProfileState::Disabled)),
        (ProfileOperation::Delete, None),
    ] {
        let reports = manage_profile(&mut isdr, iccid, operation, Some(client)).unwrap();
        assert_eq!(reports.len(), 1, "{operation:?}: {reports:?}");
        assert!(matches!(reports[0].outcome, NotificationOutcome::Removed), "{operation:?}: {reports:?}");
        let profiles = isdr.profiles().unwrap();
        assert_eq!(profiles.first().and_then(|p| p.state), state, "{operation:?}");
    }
    assert!(isdr.profiles().unwrap().is_empty());
    assert!(isdr.list_notifications(None).unwrap().is_empty());
    isdr.close().unwrap();

    // The SM-DP+ verified and recorded install, enable, disable and delete.
    let smdp = server.smdp();
    assert_eq!(smdp.notifications().len(), 4);
    assert_eq!(smdp.open_sessions(), 0);
}

#[test]
fn download_enable_disable_delete_in_process() {
    let (pki, server, mut client) = smdp();
    let euicc = SoftEuicc::from_identity(pki.euicc_identity().unwrap());
    let mut card = Card::new(SimulatorTransport::new(euicc));
    profile_life_cycle(&mut card, &server, &mut client);
    let state = card.transport().simulator().state();
    assert!(state.profiles().is_empty() && state.notifications().is_empty());
    assert_eq!(state.check(), Ok(()));
}

#[test]
fn pcsc_download_enable_disable_delete_through_pcscd() {
    let Some(reader) = VirtualReader::open_for_test(1).expect("CI=true: the PC/SC stack must be usable")
    else {
        return;
    };
    let (pki, server, mut client) = smdp();
    let inserted = reader.insert(SoftEuicc::from_identity(pki.euicc_identity().unwrap())).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    profile_life_cycle(&mut card, &server, &mut client);
    drop(card);
    let euicc = reader.remove(inserted).unwrap();
    assert!(euicc.state().profiles().is_empty() && euicc.state().notifications().is_empty());
    assert_eq!(euicc.state().check(), Ok(()));
}

/// A download with extended-length APDUs through pcscd and the vpcd bridge: each ES10 request,
/// each Bound Profile Package segment (about 1 KB) included, is one extended STORE DATA and its
/// whole answer comes back with it (no GET RESPONSE).
#[test]
fn pcsc_extended_length_download_through_pcscd() {
    let Some(reader) = VirtualReader::open_for_test(1).expect("CI=true: the PC/SC stack must be usable")
    else {
        return;
    };
    let (pki, _server, mut client) = smdp();
    let identity = pki.euicc_identity().unwrap();
    let config = EuiccConfig::for_identity(&identity).with_extended_length();
    let inserted = reader.insert(SoftEuicc::in_memory(config).with_identity(identity)).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    let options = IsdrOptions::default().with_extended_segment_size(Some(65_535));
    let mut isdr = Isdr::open(&mut card, &options).unwrap();
    let code: ActivationCode = format!("1${ADDRESS}$MATCH-1").parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    download(&mut isdr, &mut client, &request, &mut accept).unwrap();
    assert_eq!(isdr.extended_segment_size(), Some(65_535));
    isdr.close().unwrap();
    drop(card);
    let euicc = reader.remove(inserted).unwrap();
    assert_eq!(euicc.state().profiles().len(), 1);
    assert_eq!(euicc.commands_seen(), 3 + euicc.es10_requests_seen());
}

/// An HTTP client that flips one byte of the Bound Profile Package in transit: inside the first
/// `86` (profile elements) segment, so only the eUICC's BSP MAC check can notice.
struct Tampering(UreqHttpClient);

impl HttpClient for Tampering {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut answer = self.0.post(request)?;
        if request.function == RspFunction::Es9GetBoundProfilePackage {
            let mut response =
                GetBoundProfilePackageResponse::from_json(request.function, &answer.body).unwrap();
            let bpp = &mut response.bound_profile_package;
            let at = bpp.windows(2).rposition(|w| w == [0x86, 0x82]).unwrap() + 100;
            bpp[at] ^= 0x01;
            answer.body = response.to_json();
        }
        Ok(answer)
    }
}

/// Runs a download of `matching_id` on a fresh software eUICC of `pki`; returns the error and
/// checks that the eUICC holds no profile and no notification afterwards.
fn failed_download(
    pki: &TestPki,
    es9: &mut RspClient<dyn HttpClient + '_>,
    matching_id: &str,
    consent: Consent,
) -> Box<DownloadError> {
    let mut card =
        Card::new(SimulatorTransport::new(SoftEuicc::from_identity(pki.euicc_identity().unwrap())));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let code: ActivationCode = format!("1${ADDRESS}${matching_id}").parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut consent = |_: &ProfileOffer<'_>| consent.clone();
    let error = download(&mut isdr, es9, &request, &mut consent).unwrap_err();
    assert!(isdr.profiles().unwrap().is_empty(), "{error}");
    assert!(isdr.list_notifications(None).unwrap().is_empty(), "{error}");
    isdr.close().unwrap();
    error
}

#[test]
fn a_tampered_bpp_segment_installs_nothing_and_both_sides_know() {
    let (pki, server, client) = smdp();
    let (config, http) = client.into_parts();
    let mut es9 = RspClient::with_config(config, Tampering(http));
    let error = failed_download(&pki, &mut es9, "MATCH-1", Consent::Accept(None));
    let DownloadErrorKind::Installation(installation) = &error.kind else { panic!("{error}") };
    assert_eq!(installation.reason, ErrorReason::Scp03tSecurityError);
    assert!(matches!(error.notification, Some(NotificationOutcome::Removed)), "{error:?}");
    // The SM-DP+ received the signed failure result and closed the session.
    let smdp = server.smdp();
    assert_eq!(smdp.notifications().len(), 1);
    assert_eq!(smdp.notifications()[0].installation.as_ref().map(|(_, ok)| *ok), Some(false));
    assert_eq!(smdp.open_sessions(), 0);
}

/// An SM-DP+ whose certificates chain to another CI: the SM-DP+ itself sees from euiccInfo1 that
/// the eUICC cannot verify its DPauth and refuses (8.8.2 / 3.1); nothing reaches the eUICC.
/// (The eUICC's own refusal of an untrusted DPauth chain that is sent anyway is
/// `download_errors.rs::untrusted_dpauth_chain_is_refused`.)
#[test]
fn an_smdp_of_an_untrusted_ci_is_refused() {
    let (_, server, mut client) = smdp_of(TestPki::from_seed([8; 32]).unwrap());
    let pki = TestPki::from_seed([7; 32]).unwrap();
    let error = failed_download(&pki, &mut client, "MATCH-1", Consent::Accept(None));
    assert_eq!(error.step, DownloadStep::InitiateAuthentication, "{error}");
    let code = error.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.8.2", "3.1"));
    assert!(error.cancel.is_none(), "no session existed: {error:?}");
    assert_eq!(server.smdp().open_sessions(), 0);
}

#[test]
fn a_wrong_confirmation_code_is_refused_and_the_session_cancelled() {
    let (pki, server, mut client) = smdp();
    let wrong = Consent::Accept(Some(ConfirmationCode::new("4321")));
    let error = failed_download(&pki, &mut client, "CC-1", wrong);
    assert_eq!(error.step, DownloadStep::GetBoundProfilePackage, "{error}");
    let code = error.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.2.7", "3.8"));
    let cancel = error.cancel.as_ref().unwrap();
    assert!(cancel.euicc.is_ok(), "{cancel:?}");
    assert_eq!(server.smdp().open_sessions(), 0);
}

#[test]
fn a_refused_profile_is_cancelled_on_both_sides() {
    let (pki, server, mut client) = smdp();
    let error = failed_download(&pki, &mut client, "MATCH-1", Consent::refuse());
    assert!(
        matches!(error.kind, DownloadErrorKind::Declined(CancelSessionReason::EndUserRejection)),
        "{error}"
    );
    let cancel = error.cancel.as_ref().unwrap();
    assert!(cancel.is_complete(), "{cancel:?}");
    let smdp = server.smdp();
    assert_eq!(smdp.cancelled_sessions().len(), 1);
    assert_eq!(smdp.cancelled_sessions()[0].1, CancelSessionReason::EndUserRejection);
    assert_eq!(smdp.open_sessions(), 0);
}

/// The APDUs of one download of the 20 KB test profile onto a software eUICC built by
/// `config`, with `options`; the ISD-R's extended block size at the end.
fn download_apdus(
    config: impl FnOnce(EuiccConfig) -> EuiccConfig,
    options: &IsdrOptions,
) -> (u64, u64, Option<usize>) {
    let (pki, _server, mut client) = smdp();
    let identity = pki.euicc_identity().unwrap();
    let euicc = SoftEuicc::in_memory(config(EuiccConfig::for_identity(&identity))).with_identity(identity);
    let mut card = Card::new(SimulatorTransport::new(euicc));
    let mut isdr = Isdr::open(&mut card, options).unwrap();
    let code: ActivationCode = format!("1${ADDRESS}$MATCH-1").parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    download(&mut isdr, &mut client, &request, &mut accept).unwrap();
    let extended = isdr.extended_segment_size();
    isdr.close().unwrap();
    let euicc = card.transport().simulator();
    (euicc.commands_seen(), euicc.es10_requests_seen(), extended)
}

/// APDUs of one download of the 20 KB test profile, counted by the software eUICC: opening the
/// ISD-R (MANAGE CHANNEL + SELECT) and the STORE DATA blocks of each ES10 request (255-byte
/// segments) plus GET RESPONSE rounds for answers over 256 bytes — nothing more.
#[test]
fn download_apdu_count() {
    let (apdus, requests, _) = download_apdus(|config| config, &IsdrOptions::default());
    eprintln!("one download: {apdus} APDUs for {requests} ES10 requests");
    // Measured: 103 APDUs for 31 ES10 requests (the BPP alone is ~20 KB = 80 blocks).
    assert!((100..=105).contains(&apdus), "{apdus} APDUs");
}

/// With extended length (opt-in, on a card that takes it): each ES10 request — each Bound
/// Profile Package segment — is one STORE DATA and its whole answer comes back with it: the
/// APDUs are the two that open the ISD-R, one per request and the channel's close. On a card that refuses extended
/// length (`6700`), the first request costs one refused APDU, and short blocks follow.
#[test]
fn download_apdu_count_with_extended_length() {
    let extended = IsdrOptions::default().with_extended_segment_size(Some(65_535));
    let (apdus, requests, size) = download_apdus(EuiccConfig::with_extended_length, &extended);
    eprintln!("extended: {apdus} APDUs for {requests} ES10 requests");
    assert_eq!(apdus, 3 + requests, "MANAGE CHANNEL open, SELECT, one STORE DATA per request, close");
    assert_eq!(size, Some(65_535));
    let (short, _, _) = download_apdus(|config| config, &IsdrOptions::default());
    assert!(apdus * 3 <= short, "{apdus} extended against {short} short APDUs");

    // A card whose ATR announces no extended length: the card layer sends none.
    let (fallback, _, size) = download_apdus(|config| config, &extended);
    assert_eq!((fallback, size), (short, None));
    // A card whose ATR announces it but that refuses it (`6700`): one refused APDU, then
    // short blocks for the rest of the session.
    let lying = |config: EuiccConfig| EuiccConfig { extended_length: false, ..config.with_extended_length() };
    let (fallback, _, size) = download_apdus(lying, &extended);
    assert_eq!(size, None, "the refusal is remembered");
    assert_eq!(fallback, short + 1, "one refused extended APDU, then the short ones");
}
