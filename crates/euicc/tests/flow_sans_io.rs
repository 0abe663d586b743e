//! The sans-IO sessions driven by hand (`DownloadSession`, `DiscoverySession`, SGP.22 §3.1.3,
//! §3.6.1) over the fake eUICC and the ES9+ test double: the same APDUs, requests and progress as
//! the blocking `download` / `discover`, the consent and cancellation as exchanges, an exchange
//! asked again until answered, and the end given once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use oxicard_euicc::discovery::{DiscoveryEvent, DiscoverySession, DiscoveryStep, discover_with_progress};
use oxicard_euicc::download::*;
use oxicard_euicc::es9::{HttpClient, RspConfig, RspFunction};
use oxicard_euicc::es10::CancelSessionReason;
use oxicard_euicc::es11::EventEntry;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::NotificationOutcome;
use support::smdp::SMDP;
use support::{Rig, device, download_request, wire};

/// What a hand-driven download saw: each event in order, by kind.
#[derive(Debug, Default, PartialEq, Eq)]
struct Trace {
    events: Vec<String>,
    progress: Vec<Progress>,
}

/// Drives `session` by hand to its end: each ES10 exchange with `isdr`, each HTTP exchange with
/// `http`, the consent with `consent`.
fn drive<T: oxicard_apdu::card::CardChannel>(
    session: &mut DownloadSession,
    isdr: &mut Isdr<T>,
    http: &mut impl HttpClient,
    consent: Consent,
) -> (Result<DownloadResult, Box<DownloadError>>, Trace) {
    let mut trace = Trace::default();
    loop {
        match session.next_event() {
            DownloadEvent::Progress(progress) => trace.progress.push(progress),
            DownloadEvent::Es10(exchange) => {
                // The request's tag: two bytes for BF.., one otherwise.
                let command = exchange.command();
                let tag = if command[0] & 0x1F == 0x1F { &command[..2] } else { &command[..1] };
                trace.events.push(format!("ES10 {}", hex::encode_upper(tag)));
                let answer = isdr.es10(exchange.command());
                exchange.answer(answer);
            }
            DownloadEvent::Http(exchange) => {
                trace.events.push(format!("HTTP {}", exchange.request().function));
                let answer = http.post(exchange.request());
                exchange.answer(answer);
            }
            DownloadEvent::Consent(exchange) => {
                let offer = exchange.offer();
                assert_eq!(offer.smdp_address, SMDP);
                trace.events.push(format!("consent {}", offer.metadata.unwrap().profile_name.unwrap()));
                exchange.answer(consent.clone());
            }
            DownloadEvent::Done(result) => return (result, trace),
        }
    }
}

#[test]
fn a_download_driven_by_hand_is_the_blocking_download() {
    // Blocking.
    let mut blocking = Rig::new();
    let mut progress = Vec::new();
    let mut handler = |offer: &ProfileOffer<'_>| {
        assert!(offer.metadata.is_some());
        Consent::Accept(None)
    };
    struct Handler<'a, F>(&'a mut F, &'a mut Vec<Progress>);
    impl<F: FnMut(&ProfileOffer<'_>) -> Consent> DownloadHandler for Handler<'_, F> {
        fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent {
            (self.0)(offer)
        }
        fn progress(&mut self, progress: &Progress) {
            self.1.push(*progress);
        }
    }
    let mut isdr = Isdr::open(&mut blocking.card, &IsdrOptions::default()).unwrap();
    let expected = download(
        &mut isdr,
        &mut blocking.smdp.client(),
        &download_request(),
        &mut Handler(&mut handler, &mut progress),
    )
    .unwrap();
    drop(isdr);

    // By hand.
    let mut rig = Rig::new();
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut session = DownloadSession::new(RspConfig::new(), &download_request());
    assert_eq!(session.step(), DownloadStep::GetEuiccInfo1);
    let (result, trace) = drive(&mut session, &mut isdr, &mut rig.smdp, Consent::Accept(None));
    drop(isdr);
    let result = result.unwrap();

    assert_eq!(trace.progress, progress, "the same progress, in the same order");
    assert_eq!(wire(&rig.wire).commands, wire(&blocking.wire).commands, "the same APDUs");
    assert_eq!(rig.smdp.calls, blocking.smdp.calls, "the same ES9+ calls");
    assert_eq!(result.isdp_aid, expected.isdp_aid);
    assert_eq!(result.installation_result, expected.installation_result);
    assert!(matches!(result.notification, NotificationOutcome::Removed));
    assert_eq!(session.step(), DownloadStep::HandleNotification);
    let mut events = vec!["ES10 BF20", "ES10 BF2E", "HTTP ES9+.InitiateAuthentication", "ES10 BF38"];
    events.extend(["HTTP ES9+.AuthenticateClient", "consent Fake Profile", "ES10 BF21"]);
    events.push("HTTP ES9+.GetBoundProfilePackage");
    assert_eq!(trace.events[..8], events);
    // The segments (BF36+BF23, A0+87, A1, 88 ×2, A3, 86 ×3), then the result notification.
    let segments: Vec<&str> = trace.events[8..trace.events.len() - 2].iter().map(String::as_str).collect();
    assert_eq!(
        segments,
        ["ES10 BF36", "ES10 A0", "ES10 A1", "ES10 88", "ES10 88", "ES10 A3", "ES10 86", "ES10 86", "ES10 86"]
    );
    assert_eq!(trace.events[trace.events.len() - 2..], ["HTTP ES9+.HandleNotification", "ES10 BF30"]);
}

#[test]
fn a_declined_offer_is_cancelled_on_both_sides_through_exchanges() {
    let mut rig = Rig::new();
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut session = DownloadSession::new(RspConfig::new(), &download_request());
    let (result, trace) = drive(&mut session, &mut isdr, &mut rig.smdp, Consent::postpone());
    drop(isdr);
    let error = result.unwrap_err();
    assert!(matches!(error.kind, DownloadErrorKind::Declined(CancelSessionReason::Postponed)), "{error}");
    assert!(error.cancel.as_ref().unwrap().is_complete(), "{error:?}");
    assert_eq!(
        trace.events[trace.events.len() - 3..],
        ["consent Fake Profile", "ES10 BF41", "HTTP ES9+.CancelSession"]
    );
    assert_eq!(rig.smdp.cancel_reasons(), [Some(CancelSessionReason::Postponed)]);
    assert_eq!(session.step(), DownloadStep::Consent);
}

#[test]
fn an_exchange_left_unanswered_is_asked_again_and_the_end_is_given_once() {
    let mut rig = Rig::new();
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut session = DownloadSession::new(RspConfig::new(), &download_request());
    assert!(
        matches!(session.next_event(), DownloadEvent::Progress(p) if p.step == DownloadStep::GetEuiccInfo1)
    );
    // Asked, dropped, asked again: the same request, and nothing was sent meanwhile.
    let DownloadEvent::Es10(first) = session.next_event() else { panic!() };
    let command = first.command().to_vec();
    drop(first);
    let DownloadEvent::Es10(again) = session.next_event() else { panic!() };
    assert_eq!(again.command(), command);
    assert_eq!(wire(&rig.wire).store_data_count(), 0);
    drop(again);

    let (result, _) = drive(&mut session, &mut isdr, &mut rig.smdp, Consent::Accept(None));
    drop(isdr);
    assert!(result.is_ok());
    let DownloadEvent::Done(Err(over)) = session.next_event() else { panic!() };
    assert!(matches!(over.kind, DownloadErrorKind::SessionOver), "{over}");
    assert_eq!(
        over.to_string(),
        "profile download failed at ES9+.HandleNotification: the download session already gave its result"
    );
    assert!(format!("{session:?}").starts_with("DownloadSession { smdp_address: \"smdp.example.com\""));
}

#[test]
fn a_discovery_driven_by_hand_is_the_blocking_discovery() {
    let events = vec![EventEntry::new("EVENT-0001".into(), SMDP.into())];
    let mut blocking = Rig::new();
    blocking.smdp.events = events.clone();
    let mut steps = Vec::new();
    let mut isdr = Isdr::open(&mut blocking.card, &IsdrOptions::default()).unwrap();
    let expected =
        discover_with_progress(&mut isdr, &mut blocking.smdp.client(), "smds.example.com", device(), |s| {
            steps.push(s)
        });
    drop(isdr);

    let mut rig = Rig::new();
    rig.smdp.events = events;
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut session = DiscoverySession::new(RspConfig::new(), "smds.example.com", device());
    let mut seen = Vec::new();
    let found = loop {
        match session.next_event() {
            DiscoveryEvent::Progress(step) => seen.push(step),
            DiscoveryEvent::Es10(exchange) => exchange.perform(&mut isdr),
            DiscoveryEvent::Http(exchange) => {
                assert!(exchange.request().url.starts_with("https://smds.example.com/gsma/rsp2/es9plus/"));
                exchange.perform(&mut rig.smdp);
            }
            DiscoveryEvent::Done(found) => break found,
        }
    };
    drop(isdr);
    assert_eq!(found.unwrap(), expected.unwrap());
    assert_eq!(seen, steps);
    assert_eq!(seen.last(), Some(&DiscoveryStep::AuthenticateClient));
    assert_eq!(wire(&rig.wire).commands, wire(&blocking.wire).commands);
    assert_eq!(
        rig.smdp.functions(),
        [RspFunction::Es11InitiateAuthentication, RspFunction::Es11AuthenticateClient]
    );
    let DiscoveryEvent::Done(Err(over)) = session.next_event() else { panic!() };
    assert_eq!(
        over.to_string(),
        "profile discovery failed at ES11.AuthenticateClient: the discovery session already gave its result"
    );
}

/// A session moves to another thread or task (an async runtime's `spawn` needs it).
#[test]
fn sessions_are_send() {
    fn send<T: Send>() {}
    send::<DownloadSession>();
    send::<DiscoverySession>();
    send::<oxicard_euicc::es9::HttpError>();
}
