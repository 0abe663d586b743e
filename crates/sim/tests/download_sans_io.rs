//! Downloads and a discovery driven by hand (`oxicard_euicc::download::DownloadSession`,
//! `discovery::DiscoverySession`, SGP.22 §3.1.3, §3.6.1) — no blocking driver, one thread — on
//! software eUICCs with their PKI identity against the test SM-DP+ and SM-DS in process
//! (`InProcessClient`): two downloads on two eUICCs interleaved one event at a time; one download
//! waiting on its GetBoundProfilePackage while another runs from start to end; the same APDUs as
//! the blocking `download`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::discovery::{DiscoveryEvent, DiscoverySession};
use oxicard_euicc::download::{
    Consent, DownloadError, DownloadEvent, DownloadRequest, DownloadResult, DownloadSession, ProfileOffer,
    download,
};
use oxicard_euicc::es9::{HttpClient, RspClient, RspFunction};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{InProcessClient, ProfileBuilder, ProfileMetadata, TestSmdp, TestSmds};
use oxicard_transport::sim::SimulatorTransport;

const ADDRESS: &str = "smdp.example.com";
const ICCID_A: &str = "8944478600004573128";
const ICCID_B: &str = "8944478600004573136";

type SimCard = Card<SimulatorTransport<SoftEuicc>>;

fn pki() -> TestPki {
    TestPki::from_seed([7; 32]).unwrap()
}

fn card(pki: &TestPki) -> SimCard {
    Card::new(SimulatorTransport::new(SoftEuicc::from_identity(pki.euicc_identity().unwrap())))
}

/// The test SM-DP+ in process, serving profile A under `MATCH-A` and profile B under `MATCH-B`.
fn smdp(pki: &TestPki) -> RspClient<InProcessClient> {
    let package = |iccid: &str, name: &str| {
        let iccid: Iccid = iccid.parse().unwrap();
        ProfileBuilder::new(iccid)
            .padding(4_000)
            .package(ProfileMetadata::new(iccid, name, "oxicard", ADDRESS))
    };
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS)
        .with_profile("MATCH-A", package(ICCID_A, "profile A"))
        .with_profile("MATCH-B", package(ICCID_B, "profile B"));
    InProcessClient::new(smdp)
}

/// The in-process SM-DP+ and two software eUICCs of the same PKI.
fn setup() -> (RspClient<InProcessClient>, SimCard, SimCard) {
    let pki = pki();
    (smdp(&pki), card(&pki), card(&pki))
}

fn request(matching_id: &str) -> DownloadRequest {
    let code: ActivationCode = format!("1${ADDRESS}${matching_id}").parse().unwrap();
    DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()))
}

/// One download in progress: its eUICC, its session, its end.
struct Lane<'c> {
    name: char,
    isdr: Isdr<&'c mut SimCard>,
    session: DownloadSession,
    result: Option<Result<DownloadResult, Box<DownloadError>>>,
}

impl<'c> Lane<'c> {
    fn new(
        name: char,
        card: &'c mut SimCard,
        client: &RspClient<InProcessClient>,
        matching_id: &str,
    ) -> Self {
        let isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
        let session = DownloadSession::new(client.config().clone(), &request(matching_id));
        Self { name, isdr, session, result: None }
    }

    /// Does the one thing the session asks next; `false` once the download ended.
    fn step(&mut self, http: &mut impl HttpClient, trace: &mut Vec<(char, String)>) -> bool {
        if self.result.is_some() {
            return false;
        }
        let what = match self.session.next_event() {
            DownloadEvent::Progress(progress) => format!("progress {}", progress.step),
            DownloadEvent::Es10(exchange) => {
                exchange.perform(&mut self.isdr);
                "ES10".to_owned()
            }
            DownloadEvent::Http(exchange) => {
                let function = exchange.request().function;
                exchange.perform(http);
                format!("HTTP {function}")
            }
            DownloadEvent::Consent(exchange) => {
                let name = exchange.offer().metadata.unwrap().profile_name.unwrap();
                exchange.answer(Consent::Accept(None));
                format!("consent {name}")
            }
            DownloadEvent::Done(result) => {
                self.result = Some(result);
                "done".to_owned()
            }
        };
        trace.push((self.name, what));
        true
    }

    /// Runs the session to its end.
    fn finish(&mut self, http: &mut impl HttpClient, trace: &mut Vec<(char, String)>) {
        while self.step(http, trace) {}
    }

    /// The installed profile's ICCID, checked on the eUICC.
    fn installed(self) -> Iccid {
        let mut isdr = self.isdr;
        let result = self.result.unwrap().unwrap();
        assert!(matches!(result.notification, NotificationOutcome::Removed), "{:?}", result.notification);
        let profiles = isdr.profiles().unwrap();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].iccid, result.iccid);
        assert!(isdr.list_notifications(None).unwrap().is_empty());
        isdr.close().unwrap();
        result.iccid.unwrap()
    }
}

#[test]
fn two_downloads_on_two_euiccs_interleave_on_one_thread() {
    let (mut client, mut card_a, mut card_b) = setup();
    let mut a = Lane::new('A', &mut card_a, &client, "MATCH-A");
    let mut b = Lane::new('B', &mut card_b, &client, "MATCH-B");

    // One event of A, one of B, and so on: neither waits for the other.
    let mut trace = Vec::new();
    loop {
        let a_more = a.step(client.http_mut(), &mut trace);
        let b_more = b.step(client.http_mut(), &mut trace);
        if !a_more && !b_more {
            break;
        }
    }
    let lanes: String = trace.iter().map(|(lane, _)| *lane).collect();
    assert!(lanes.starts_with(&"AB".repeat(30)), "{lanes}");
    // Both sessions were open on the SM-DP+ at once: B's InitiateAuthentication came before A's
    // GetBoundProfilePackage, and A's before B's.
    let at = |lane: char, what: &str| trace.iter().position(|(l, w)| *l == lane && w == what).unwrap();
    assert!(at('B', "HTTP ES9+.InitiateAuthentication") < at('A', "HTTP ES9+.GetBoundProfilePackage"));
    assert!(at('A', "HTTP ES9+.InitiateAuthentication") < at('B', "HTTP ES9+.GetBoundProfilePackage"));
    assert!(at('A', "consent profile A") < at('B', "consent profile B"));

    assert_eq!(a.installed(), ICCID_A.parse().unwrap());
    assert_eq!(b.installed(), ICCID_B.parse().unwrap());
    let server = client.http().server();
    assert_eq!(server.notifications().len(), 2);
    assert_eq!(server.open_sessions(), 0);
}

#[test]
fn a_download_waits_on_the_network_while_another_runs_to_its_end() {
    let (mut client, mut card_a, mut card_b) = setup();
    let mut a = Lane::new('A', &mut card_a, &client, "MATCH-A");
    let mut b = Lane::new('B', &mut card_b, &client, "MATCH-B");
    let mut trace = Vec::new();

    // A up to its GetBoundProfilePackage request, which stays unanswered...
    let pending = loop {
        match a.session.next_event() {
            DownloadEvent::Http(exchange)
                if exchange.request().function == RspFunction::Es9GetBoundProfilePackage =>
            {
                break exchange;
            }
            DownloadEvent::Progress(_) => {}
            DownloadEvent::Es10(exchange) => exchange.perform(&mut a.isdr),
            DownloadEvent::Http(exchange) => exchange.perform(client.http_mut()),
            DownloadEvent::Consent(exchange) => exchange.answer(Consent::Accept(None)),
            DownloadEvent::Done(result) => panic!("{result:?}"),
        }
    };
    // ... while B downloads from start to end on the same thread.
    b.finish(client.http_mut(), &mut trace);
    assert_eq!(client.http().server().open_sessions(), 1, "A's session is still open");
    // Then A's answer arrives, and A ends.
    pending.perform(client.http_mut());
    a.finish(client.http_mut(), &mut trace);

    assert_eq!(b.installed(), ICCID_B.parse().unwrap());
    assert_eq!(a.installed(), ICCID_A.parse().unwrap());
    let server = client.http().server();
    let iccids: Vec<_> = server.notifications().iter().map(|n| n.metadata.iccid).collect();
    assert_eq!(iccids, [Some(ICCID_B.parse().unwrap()), Some(ICCID_A.parse().unwrap())]);
    assert_eq!(server.open_sessions(), 0);
}

#[test]
fn a_download_by_hand_sends_the_apdus_of_the_blocking_download() {
    let pki = pki();
    let mut client = smdp(&pki);

    let mut blocking = card(&pki);
    let mut isdr = Isdr::open(&mut blocking, &IsdrOptions::default()).unwrap();
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    download(&mut isdr, &mut client, &request("MATCH-A"), &mut accept).unwrap();
    isdr.close().unwrap();

    let mut by_hand = card(&pki);
    {
        let mut lane = Lane::new('A', &mut by_hand, &client, "MATCH-A");
        lane.finish(client.http_mut(), &mut Vec::new());
        let Lane { isdr, result, .. } = lane;
        isdr.close().unwrap();
        assert!(result.unwrap().is_ok());
    }

    let seen = |card: &SimCard| {
        let euicc = card.transport().simulator();
        (euicc.commands_seen(), euicc.es10_requests_seen())
    };
    assert_eq!(seen(&by_hand), seen(&blocking));
}

#[test]
fn a_discovery_by_hand_then_a_download_by_hand_of_its_event() {
    let pki = pki();
    let eid = pki.euicc_identity().unwrap().eid();
    let smds =
        TestSmds::new(pki.smds_identity().unwrap(), "smds.example.com").with_event(&eid, "MATCH-B", ADDRESS);
    let mut smds = InProcessClient::new(smds);
    let mut client = smdp(&pki);
    let mut card = card(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();

    let device = DeviceInfo::from_tac("35290611".parse().unwrap());
    let mut discovery = DiscoverySession::new(smds.config().clone(), "smds.example.com", device.clone());
    let events = loop {
        match discovery.next_event() {
            DiscoveryEvent::Progress(_) => {}
            DiscoveryEvent::Es10(exchange) => exchange.perform(&mut isdr),
            DiscoveryEvent::Http(exchange) => exchange.perform(smds.http_mut()),
            DiscoveryEvent::Done(events) => break events.unwrap(),
        }
    };
    assert_eq!(events.len(), 1);

    let mut session =
        DownloadSession::new(client.config().clone(), &DownloadRequest::new(&events[0], device));
    let result = loop {
        match session.next_event() {
            DownloadEvent::Progress(_) => {}
            DownloadEvent::Es10(exchange) => exchange.perform(&mut isdr),
            DownloadEvent::Http(exchange) => exchange.perform(client.http_mut()),
            DownloadEvent::Consent(exchange) => exchange.answer(Consent::Accept(None)),
            DownloadEvent::Done(result) => break result.unwrap(),
        }
    };
    assert_eq!(result.iccid, Some(ICCID_B.parse().unwrap()));
    assert_eq!(isdr.profiles().unwrap().len(), 1);
    isdr.close().unwrap();
    assert_eq!(smds.http().server().retrievals(), std::slice::from_ref(&eid));
}

#[test]
fn the_in_process_client_reaches_only_its_server_and_shares_a_running_servers_state() {
    let pki = pki();
    let mut client = smdp(&pki);
    let notification = oxicard_euicc::es9::HandleNotificationRequest::new(vec![0x30, 0x00]);
    let error = client.handle_notification("other.example.com", &notification).unwrap_err();
    let oxicard_euicc::es9::Es9Error::Transport { source, .. } = &error else { panic!("{error:?}") };
    let detail = oxicard_transport::ErrorChain(source).to_string();
    assert!(detail.contains("is not the in-process server smdp.example.com"), "{detail}");

    // The in-process client of a running HTTPS server: the same SM-DP+ state, no socket.
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile(
        "MATCH-A",
        ProfileBuilder::new(ICCID_A.parse().unwrap()).package(ProfileMetadata::new(
            ICCID_A.parse().unwrap(),
            "profile A",
            "oxicard",
            ADDRESS,
        )),
    );
    let server = oxicard_sim::smdp::SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let mut client = server.in_process_client();
    let mut card = card(&pki);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    download(&mut isdr, &mut client, &request("MATCH-A"), &mut accept).unwrap();
    isdr.close().unwrap();
    assert_eq!(server.smdp().notifications().len(), 1);
}
