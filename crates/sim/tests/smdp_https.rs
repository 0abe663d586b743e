//! The test SM-DP+ behind its HTTP(S) server, driven by the euicc crate's `HttpEs9Client`
//! (SGP.22 §6.5 JSON binding over TLS, §2.6.6): a full download over HTTPS with the test CI as the
//! only trust anchor, a client with another CA refused, plain HTTP to loopback, and ES9+ failures
//! arriving as `FunctionFailed` with their status codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod smdp_common;

use std::io::{Read, Write};
use std::net::TcpStream;

use oxicard_euicc::es9::{
    CancelSessionRequestEs9, Es9Error, HandleNotificationRequest, HttpEs9Client, RspFunction,
};
use oxicard_euicc::es10::CancelSessionReason;
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::SmdpServer;
use smdp_common::*;

fn client(ci: &TestPki, server: &SmdpServer) -> HttpEs9Client {
    HttpEs9Client::builder()
        .webpki_roots(false)
        .add_ca_der(ci.ci().certificate().der())
        .unwrap()
        .override_address(ADDRESS, &server.base_url())
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn download_over_https() {
    let pki = pki();
    let server = SmdpServer::start(smdp(&pki), "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let mut client = client(&pki, &server);
    let mut euicc = Euicc::new(&pki);

    let init = client.initiate_authentication(ADDRESS, &initiate_request(&pki)).unwrap();
    assert_eq!(init.server_certificate, pki.dp_auth().certificate().der());
    let auth =
        client.authenticate_client(ADDRESS, &euicc.authenticate_server(&init, Some("MATCH-1"))).unwrap();
    let request = euicc.prepare_download(&auth, &init.transaction_id, None);
    let gbpp = client.get_bound_profile_package(ADDRESS, &request).unwrap();
    let opened = open_bpp(&pki, &euicc, &gbpp.bound_profile_package);
    assert_eq!(opened.upp, package(ICCID2, 2500).upp);

    let pir = euicc.pir(&pki, &init.transaction_id, ICCID2);
    client.handle_notification(ADDRESS, &HandleNotificationRequest::new(pir.clone())).unwrap();
    let smdp = server.smdp();
    assert_eq!(smdp.notifications().len(), 1);
    assert_eq!(smdp.notifications()[0].raw, pir);
    assert_eq!(smdp.open_sessions(), 0);
}

#[test]
fn failures_arrive_with_their_status_codes_and_cancel_works() {
    let pki = pki();
    let server = SmdpServer::start(smdp(&pki), "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let mut client = client(&pki, &server);
    let mut euicc = Euicc::new(&pki);
    let init = client.initiate_authentication(ADDRESS, &initiate_request(&pki)).unwrap();
    let error =
        client.authenticate_client(ADDRESS, &euicc.authenticate_server(&init, Some("NOPE"))).unwrap_err();
    let Es9Error::FunctionFailed { function, code: Some(code), .. } = &error else { panic!("{error}") };
    assert_eq!(*function, RspFunction::Es9AuthenticateClient);
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.2.6", "3.8"));

    let auth = client.authenticate_client(ADDRESS, &euicc.authenticate_server(&init, Some("CC-1"))).unwrap();
    let request = euicc.prepare_download(&auth, &init.transaction_id, Some("4321"));
    let error = client.get_bound_profile_package(ADDRESS, &request).unwrap_err();
    let code = error.status_code().unwrap();
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.2.7", "3.8"));

    let cancel = CancelSessionRequestEs9::new(
        init.transaction_id.clone(),
        euicc.cancel(&pki, init.transaction_id.as_bytes(), CancelSessionReason::Postponed),
    );
    client.cancel_session(ADDRESS, &cancel).unwrap();
    assert_eq!(server.smdp().cancelled_sessions().len(), 1);
}

#[test]
fn a_client_trusting_another_ci_is_refused() {
    let pki = pki();
    let server = SmdpServer::start(smdp(&pki), "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let other = TestPki::from_seed([8; 32]).unwrap();
    let mut client = client(&other, &server);
    let error = client.initiate_authentication(ADDRESS, &initiate_request(&pki)).unwrap_err();
    assert!(matches!(error, Es9Error::Tls { .. }), "{error}");
    assert_eq!(server.smdp().open_sessions(), 0);
}

#[test]
fn plain_http_on_loopback() {
    let pki = pki();
    let server = SmdpServer::start(smdp(&pki), "127.0.0.1:0", None).unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    let mut client = client(&pki, &server);
    let init = client.initiate_authentication(ADDRESS, &initiate_request(&pki)).unwrap();
    assert_eq!(init.transaction_id.as_bytes().len(), 16);
    assert_eq!(server.smdp().open_sessions(), 1);
}

#[test]
fn raw_http_requests() {
    let pki = pki();
    let server = SmdpServer::start(smdp(&pki), "127.0.0.1:0", None).unwrap();
    let exchange = |request: &str| {
        let mut stream = TcpStream::connect(server.local_addr()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    assert!(exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 405 "));
    assert!(exchange("POST /nope HTTP/1.1\r\nContent-Length: 0\r\n\r\n").starts_with("HTTP/1.1 404 "));
    assert!(
        exchange("POST /gsma/rsp2/es9plus/handleNotification HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 411 ")
    );
    let body = HandleNotificationRequest::new(vec![0x30, 0x00]).to_json();
    let request = format!(
        "POST /gsma/rsp2/es9plus/handleNotification HTTP/1.1\r\nX-Admin-Protocol: gsma/rsp/v2.2.0\r\n\
         Content-Length: {}\r\n\r\n{}",
        body.len(),
        String::from_utf8(body).unwrap()
    );
    let answer = exchange(&request);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("\"subjectCode\":\"8.1\""));
}

#[test]
fn dropping_the_server_closes_the_port() {
    let pki = pki();
    let server = SmdpServer::start(smdp(&pki), "127.0.0.1:0", None).unwrap();
    let address = server.local_addr();
    drop(server);
    assert!(TcpStream::connect(address).is_err());
}
