//! Bringing one's own HTTP client (`es9::HttpClient`, SGP.22 §6.5): a client of a few lines runs a
//! whole download; a transport failure keeps its cause down the `source()` chain; an RSP server
//! address that could inject a path, a query, a fragment, credentials or a bad port never reaches
//! the client; the response size limit holds whatever the client reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::collections::VecDeque;
use std::error::Error;

use oxicard_euicc::discovery::{DiscoveryErrorKind, DiscoveryStep, discover};
use oxicard_euicc::download::*;
use oxicard_euicc::es9::*;
use oxicard_euicc::es11::EventEntry;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::{NotificationOptions, NotificationOutcome, process_notifications};
use support::smdp::{MATCHING_ID, SMDP};
use support::{FakeSmdp, Rig, device, download_request, lock};

fn accept(_: &ProfileOffer<'_>) -> Consent {
    Consent::Accept(None)
}

/// The whole HTTP stack of a caller, hand-written: canned answers in order, requests kept.
struct Canned {
    answers: VecDeque<Result<HttpResponse, HttpError>>,
    requests: Vec<HttpRequest>,
}

impl HttpClient for Canned {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.requests.push(request.clone());
        let refused = || HttpError::transport(std::io::Error::other("no answer left"));
        self.answers.pop_front().unwrap_or_else(|| Err(refused()))
    }
}

impl Canned {
    fn new(answers: impl IntoIterator<Item = Result<HttpResponse, HttpError>>) -> Self {
        Self { answers: answers.into_iter().collect(), requests: Vec::new() }
    }
}

/// An HTTP client around another that records every exchange.
struct Recording<'a> {
    inner: &'a mut FakeSmdp,
    exchanges: Vec<(HttpRequest, HttpResponse)>,
}

impl HttpClient for Recording<'_> {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let answer = self.inner.post(request)?;
        self.exchanges.push((request.clone(), answer.clone()));
        Ok(answer)
    }
}

#[test]
fn a_hand_written_client_of_canned_answers_runs_a_whole_download() {
    // The SM-DP+'s answers, as the test double gives them to a first download.
    let mut rig = Rig::new();
    let mut recording = Recording { inner: &mut rig.smdp, exchanges: Vec::new() };
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    download(&mut isdr, &mut RspClient::new(&mut recording), &download_request(), &mut accept).unwrap();
    drop(isdr);
    let exchanges = recording.exchanges;
    assert_eq!(exchanges.len(), 4, "InitiateAuthentication, AuthenticateClient, GetBPP, HandleNotification");

    // A fresh eUICC, and nothing but the canned answers: the library builds the same requests and
    // reads the answers into an installed profile.
    let mut rig = Rig::new();
    let mut canned = Canned::new(exchanges.iter().map(|(_, answer)| Ok(answer.clone())));
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let result =
        download(&mut isdr, &mut RspClient::new(&mut canned), &download_request(), &mut accept).unwrap();
    drop(isdr);
    assert!(matches!(result.notification, NotificationOutcome::Removed), "{:?}", result.notification);
    assert_eq!(lock(&rig.euicc).profiles.len(), 1);
    let sent: Vec<&HttpRequest> = exchanges.iter().map(|(request, _)| request).collect();
    assert_eq!(canned.requests.iter().collect::<Vec<_>>(), sent);
    let first = &canned.requests[0];
    assert_eq!(first.url, "https://smdp.example.com/gsma/rsp2/es9plus/initiateAuthentication");
    assert_eq!(
        first.headers().collect::<Vec<_>>(),
        [
            ("Content-Type", "application/json;charset=UTF-8"),
            ("X-Admin-Protocol", "gsma/rsp/v2.2.2"),
            ("User-Agent", "gsma-rsp-lpad"),
        ]
    );
    assert_eq!(first.max_response_size, DEFAULT_MAX_RESPONSE_SIZE);
}

/// Walks the `source()` chain of `error` to an `std::io::Error`.
fn io_cause<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a std::io::Error> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        next = error.source();
    }
    None
}

#[test]
fn a_transport_failure_keeps_its_cause_as_source() {
    let refused = || {
        let cause = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused by the test");
        Err(HttpError::transport(cause).with_note("connected to 192.0.2.1:443"))
    };

    // A download: DownloadError → Es9Error::Transport → HttpError → io::Error.
    let mut rig = Rig::new();
    let mut canned = Canned::new([refused()]);
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let error =
        download(&mut isdr, &mut RspClient::new(&mut canned), &download_request(), &mut accept).unwrap_err();
    drop(isdr);
    assert_eq!(error.step, DownloadStep::InitiateAuthentication);
    let DownloadErrorKind::Server(Es9Error::Transport { source, url, .. }) = &error.kind else {
        panic!("{error:?}")
    };
    assert_eq!(url, "https://smdp.example.com/gsma/rsp2/es9plus/initiateAuthentication");
    assert_eq!(source.to_string(), "transport error (connected to 192.0.2.1:443)");
    assert_eq!(source.kind(), HttpErrorKind::Transport);
    let server = error.source().unwrap();
    assert!(server.is::<Es9Error>());
    let http = server.source().unwrap();
    assert!(http.is::<HttpError>());
    let cause = http.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(cause.kind(), std::io::ErrorKind::ConnectionRefused);
    // Each layer says once what it was doing, the cause last.
    assert_eq!(
        oxicard_transport::ErrorChain(&*error).messages(),
        [
            "profile download failed at ES9+.InitiateAuthentication: SM-DP+",
            "ES9+.InitiateAuthentication: POST to https://smdp.example.com/gsma/rsp2/es9plus/initiateAuthentication failed",
            "transport error (connected to 192.0.2.1:443)",
            "refused by the test",
        ]
    );
    assert_eq!(error.aftermath(), None, "nothing to cancel before the session started");

    // A timeout keeps its cause too, and a discovery's error reaches it the same way.
    let mut rig = Rig::new();
    let timeout = HttpError::timeout(std::io::Error::from(std::io::ErrorKind::TimedOut));
    let mut canned = Canned::new([Err(timeout)]);
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let error =
        discover(&mut isdr, &mut RspClient::new(&mut canned), "smds.example.com", device()).unwrap_err();
    assert!(matches!(error.kind, DiscoveryErrorKind::Server(Es9Error::Timeout { .. })), "{error:?}");
    assert_eq!(io_cause(&*error).unwrap().kind(), std::io::ErrorKind::TimedOut);

    // A direct call.
    let mut client = RspClient::new(Canned::new([refused()]));
    let notification = HandleNotificationRequest::new(vec![0x30, 0x00]);
    let error = client.handle_notification(SMDP, &notification).unwrap_err();
    assert_eq!(io_cause(&error).unwrap().kind(), std::io::ErrorKind::ConnectionRefused);
}

/// Addresses that are not a host name with an optional port (SGP.22 §4.1: activation code field
/// 2 is an FQDN): each would put a path, a query, a fragment, credentials or white space into the
/// URL, or name no port.
const BAD_ADDRESSES: [&str; 14] = [
    "smdp.example.com/evil",
    "smdp.example.com/gsma/rsp2/es9plus/cancelSession?",
    "smdp.example.com?x=1",
    "smdp.example.com#fragment",
    "user@smdp.example.com",
    "user:password@smdp.example.com",
    "smdp example.com",
    " smdp.example.com",
    "smdp.example.com\r\nHost: evil.example",
    "smdp.example.com:99999",
    "smdp.example.com:0",
    "smdp.example.com:",
    "smdp.example.com:443x",
    "",
];

fn invalid_address(error: &Es9Error, address: &str) -> bool {
    matches!(error, Es9Error::InvalidAddress { address: a, .. } if a == address)
}

#[test]
fn an_address_that_could_inject_never_reaches_the_http_client() {
    for address in BAD_ADDRESSES {
        // A download from an activation-code-like target and from an SM-DS event.
        for target in [
            DownloadTarget::new(address.into(), Some(MATCHING_ID.into())),
            DownloadTarget::from_event(&EventEntry::new("EV".into(), address.into())),
        ] {
            let mut rig = Rig::new();
            let mut canned = Canned::new([]);
            let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
            let request = DownloadRequest::new(target, device());
            let error =
                download(&mut isdr, &mut RspClient::new(&mut canned), &request, &mut accept).unwrap_err();
            drop(isdr);
            assert!(canned.requests.is_empty(), "{address:?}: {:?}", canned.requests);
            assert_eq!(error.step, DownloadStep::InitiateAuthentication, "{address:?}");
            let DownloadErrorKind::Server(server) = &error.kind else { panic!("{address:?}: {error}") };
            assert!(invalid_address(server, address), "{address:?}: {error}");
            assert!(error.cancel.is_none(), "no session: {error:?}");
        }

        // A discovery from that SM-DS.
        let mut rig = Rig::new();
        let mut canned = Canned::new([]);
        let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
        let error = discover(&mut isdr, &mut RspClient::new(&mut canned), address, device()).unwrap_err();
        drop(isdr);
        assert!(canned.requests.is_empty(), "{address:?}");
        assert_eq!(error.step, DiscoveryStep::InitiateAuthentication, "{address:?}");
        assert!(
            matches!(&error.kind, DiscoveryErrorKind::Server(e) if invalid_address(e, address)),
            "{error}"
        );

        // Every direct call.
        let mut client = RspClient::new(Canned::new([]));
        let notification = HandleNotificationRequest::new(vec![0x30, 0x00]);
        assert!(invalid_address(&client.handle_notification(address, &notification).unwrap_err(), address));
        let request =
            GetBoundProfilePackageRequest::new(TransactionId::new(vec![1]).unwrap(), vec![0xBF, 0x21, 0x00]);
        assert!(invalid_address(&client.get_bound_profile_package(address, &request).unwrap_err(), address));
        assert!(client.http().requests.is_empty(), "{address:?}");
    }
}

#[test]
fn a_notification_address_that_could_inject_is_not_sent_and_the_notification_kept() {
    let mut rig = Rig::new();
    lock(&rig.euicc).add_profile("8944478600004573128", true, Some("dp.example.com/evil?"));
    lock(&rig.euicc).add_profile("8944478600004573136", false, Some("dp.example.com"));
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    isdr.disable_profile("8944478600004573128".parse::<oxicard_euicc::iccid::Iccid>().unwrap(), false)
        .unwrap();
    isdr.enable_profile("8944478600004573136".parse::<oxicard_euicc::iccid::Iccid>().unwrap(), false)
        .unwrap();
    let reports =
        process_notifications(&mut isdr, &mut rig.smdp.client(), &NotificationOptions::default()).unwrap();
    drop(isdr);
    assert_eq!(reports.len(), 2);
    let NotificationOutcome::NotDelivered(error) = &reports[0].outcome else { panic!("{reports:?}") };
    assert!(invalid_address(error, "dp.example.com/evil?"), "{error}");
    assert!(matches!(reports[1].outcome, NotificationOutcome::Removed), "{reports:?}");
    // Only the good one went out; the other stays on the eUICC.
    assert_eq!(rig.smdp.calls, [(RspFunction::Es9HandleNotification, "dp.example.com".to_owned())]);
    assert_eq!(lock(&rig.euicc).pending_seqs(), [reports[0].metadata.seq_number]);
}

#[test]
fn the_response_size_limit_holds_whatever_the_client_reads() {
    let config = RspConfig::new().with_max_response_size(80);
    let notification = HandleNotificationRequest::new(vec![0x30, 0x00]);

    // A client that reads everything: the library refuses the body.
    let mut client =
        RspClient::with_config(config.clone(), Canned::new([Ok(HttpResponse::json(vec![b' '; 81]))]));
    let error = client.handle_notification(SMDP, &notification).unwrap_err();
    assert!(matches!(error, Es9Error::BodyTooLarge { limit: 80, source: None, .. }), "{error:?}");
    assert_eq!(client.http().requests[0].max_response_size, 80);

    // A client that stops reading, as asked: its error is the source.
    let stopped = HttpError::body_too_large(std::io::Error::other("over 80 bytes"));
    let mut client = RspClient::with_config(config.clone(), Canned::new([Err(stopped)]));
    let error = client.handle_notification(SMDP, &notification).unwrap_err();
    assert!(matches!(error, Es9Error::BodyTooLarge { limit: 80, source: Some(_), .. }), "{error:?}");
    assert_eq!(error.to_string(), "ES9+.HandleNotification: response body larger than 80 bytes");

    // At the limit: accepted (an 80-byte 200 body that is a JSON header).
    let header = br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}}}"#;
    let mut padded = header.to_vec();
    padded.resize(80, b' ');
    let mut client = RspClient::with_config(config, Canned::new([Ok(HttpResponse::json(padded))]));
    client.handle_notification(SMDP, &notification).unwrap();
}
