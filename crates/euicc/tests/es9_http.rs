//! `HttpEs9Client` against an in-process HTTP(S) test server on 127.0.0.1 (SGP.22 §6.5 binding).
//!
//! The server is a few lines of std `TcpListener` plus a rustls `ServerConnection`; certificates come from a
//! throw-away CA made with rcgen. Every server thread handles a fixed number of connections and stops by
//! itself (bounded by an accept deadline).
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use oxicard_euicc::es9::{
    AuthenticateClientRequest, CancelSessionRequestEs9, Es9Error, GetBoundProfilePackageRequest,
    HandleNotificationRequest, HttpEs9Client, InitiateAuthenticationRequest, InitiateAuthenticationResponse,
    RspFunction, TransactionId,
};
use oxicard_euicc::es11::{Es11AuthenticateClientResponse, EventEntry};
use oxicard_transport::ErrorChain;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The SM-DP+ address the client is asked for; overridden to the local server.
const SMDP: &str = "testsmdpplus1.example.com";

/// What the server answers to one request.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    fn json(body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: 200,
            content_type: "application/json;charset=UTF-8",
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
}

/// What the server received.
#[derive(Debug)]
struct Recorded {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct Server {
    port: u16,
    requests: mpsc::Receiver<Recorded>,
    thread: JoinHandle<()>,
}

impl Server {
    /// Serves one connection per reply, over TLS when `tls` is given.
    fn start(tls: Option<Arc<rustls::ServerConfig>>, replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            for reply in replies {
                let Some(stream) = accept(&listener) else { return };
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                match &tls {
                    Some(cfg) => {
                        let conn = rustls::ServerConnection::new(cfg.clone()).unwrap();
                        let mut s = rustls::StreamOwned::new(conn, stream);
                        serve(&mut s, &reply, &tx);
                        s.conn.send_close_notify();
                        let _ = s.flush();
                    }
                    None => {
                        let mut s = stream;
                        serve(&mut s, &reply, &tx);
                    }
                }
            }
        });
        Server { port, requests: rx, thread }
    }

    fn join(self) -> Vec<Recorded> {
        self.thread.join().unwrap();
        self.requests.try_iter().collect()
    }
}

/// Accepts one connection within 10 s.
fn accept(listener: &TcpListener) -> Option<TcpStream> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((s, _)) => return Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(_) => return None,
        }
    }
    None
}

/// Reads one HTTP/1.1 request (Content-Length body), records it, writes `reply`. Errors (e.g. a client that
/// gave up, or a failed TLS handshake) end the connection quietly.
fn serve(s: &mut (impl Read + Write), reply: &Reply, tx: &mpsc::Sender<Recorded>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[header_end + 4..].to_vec();
    while body.len() < len {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let _ = tx.send(Recorded { request_line, headers, body });
    std::thread::sleep(reply.delay);
    let reason = match reply.status {
        200 => "OK",
        204 => "No Content",
        500 => "Internal Server Error",
        _ => "Other",
    };
    let mut out = format!("HTTP/1.1 {} {reason}\r\nConnection: close\r\n", reply.status);
    if reply.status != 204 {
        out.push_str(&format!(
            "Content-Type: {}\r\nContent-Length: {}\r\n",
            reply.content_type,
            reply.body.len()
        ));
    }
    out.push_str("X-Admin-Protocol: gsma/rsp/v2.1.0\r\n\r\n");
    let _ = s.write_all(out.as_bytes());
    let _ = s.write_all(&reply.body);
    let _ = s.flush();
}

/// A throw-away CA and a `localhost`/127.0.0.1 server certificate it issued.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn pki(name: &str) -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    ca.distinguished_name.push(DnType::CommonName, name);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf.subject_alt_names.push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf_cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    Pki { ca_pem: ca_cert.pem(), server: Arc::new(server) }
}

fn initiate_request() -> InitiateAuthenticationRequest {
    InitiateAuthenticationRequest::new(SMDP.into(), core::array::from_fn(|i| i as u8), vec![0xBF, 0x20, 0x00])
}

/// Hand-built example response (short placeholder TLVs, not real signatures).
fn initiate_response() -> InitiateAuthenticationResponse {
    InitiateAuthenticationResponse::new(
        "0123456789ABCDEF0123456789ABCDEF".parse().unwrap(),
        vec![0x30, 0x03, 0x80, 0x01, 0x01],
        vec![0x5F, 0x37, 0x02, 0x01, 0x02],
        vec![0x04, 0x02, 0xF5, 0x41],
        vec![0x30, 0x00],
    )
}

/// Plain-HTTP client to the loopback server (override only).
fn http_client(port: u16) -> HttpEs9Client {
    HttpEs9Client::builder()
        .timeout(Duration::from_secs(5))
        .override_address(SMDP, &format!("http://127.0.0.1:{port}"))
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn tls_with_custom_ca() {
    let pki = pki("oxicard test CA");
    let server = Server::start(Some(pki.server.clone()), vec![Reply::json(initiate_response().to_json())]);
    let mut client = HttpEs9Client::builder()
        .add_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .override_address(SMDP, &format!("https://localhost:{}", server.port))
        .unwrap()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let resp = client.initiate_authentication(SMDP, &initiate_request()).unwrap();
    assert_eq!(resp, initiate_response());

    let recorded = server.join();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.request_line, "POST /gsma/rsp2/es9plus/initiateAuthentication HTTP/1.1");
    assert_eq!(r.header("X-Admin-Protocol"), Some("gsma/rsp/v2.2.2"));
    assert_eq!(r.header("Content-Type"), Some("application/json;charset=UTF-8"));
    assert_eq!(r.header("User-Agent"), Some("gsma-rsp-lpad"));
    for name in ["User-Agent", "Content-Type", "X-Admin-Protocol"] {
        assert_eq!(r.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).count(), 1, "{name} once");
    }
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        r#"{"euiccChallenge":"AAECAwQFBgcICQoLDA0ODw==","euiccInfo1":"vyAA","smdpAddress":"testsmdpplus1.example.com"}"#
    );
}

#[test]
fn tls_with_ca_as_der_and_ip_host() {
    let pki = pki("oxicard test CA (DER)");
    let der = {
        let mut c = HttpEs9Client::builder();
        // Round-trip the PEM through the DER entry point.
        let b64: String = pki.ca_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        c = c.add_ca_der(&der).unwrap();
        c
    };
    let server = Server::start(Some(pki.server.clone()), vec![Reply { status: 204, ..Reply::json("") }]);
    let mut client = der
        .webpki_roots(false)
        .override_address(SMDP, &format!("https://127.0.0.1:{}", server.port))
        .unwrap()
        .build()
        .unwrap();
    client.handle_notification(SMDP, &HandleNotificationRequest::new(vec![0xBF, 0x37, 0x00])).unwrap();
    let recorded = server.join();
    assert_eq!(recorded[0].request_line, "POST /gsma/rsp2/es9plus/handleNotification HTTP/1.1");
    assert_eq!(recorded[0].body, br#"{"pendingNotification":"vzcA"}"#);
}

#[test]
fn wrong_ca_rejected() {
    let server_pki = pki("server CA");
    let other = pki("some other CA");
    let server =
        Server::start(Some(server_pki.server.clone()), vec![Reply::json(initiate_response().to_json())]);
    let mut client = HttpEs9Client::builder()
        .add_ca_pem(other.ca_pem.as_bytes())
        .unwrap()
        .override_address(SMDP, &format!("https://localhost:{}", server.port))
        .unwrap()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    assert!(matches!(err, Es9Error::Tls { function: RspFunction::Es9InitiateAuthentication, .. }), "{err:?}");
    assert!(ErrorChain(&err).to_string().contains("certificate"), "{err}");
    // The server never got a request.
    assert!(server.join().is_empty());
}

#[test]
fn html_500_body() {
    let html = "<html><head><title>500 Internal Server Error</title></head><body>oops</body></html>";
    let server = Server::start(
        None,
        vec![Reply { status: 500, content_type: "text/html", body: html.into(), delay: Duration::ZERO }],
    );
    let err = http_client(server.port).initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    match &err {
        Es9Error::HttpStatus { function, status, body } => {
            assert_eq!(*function, RspFunction::Es9InitiateAuthentication);
            assert_eq!(*status, 500);
            assert_eq!(body, html);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("ES9+.InitiateAuthentication: HTTP status 500"), "{err}");
    server.join();
}

#[test]
fn html_with_200_is_not_json() {
    let server = Server::start(
        None,
        vec![Reply {
            status: 200,
            content_type: "text/html",
            body: b"<html>captive portal</html>".to_vec(),
            delay: Duration::ZERO,
        }],
    );
    let err = http_client(server.port).initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    match err {
        Es9Error::NotJson { content_type, body, .. } => {
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert_eq!(body, "<html>captive portal</html>");
        }
        other => panic!("{other:?}"),
    }
    server.join();
}

#[test]
fn slow_server_times_out() {
    let server = Server::start(
        None,
        vec![Reply { delay: Duration::from_millis(1500), ..Reply::json(initiate_response().to_json()) }],
    );
    let mut client = HttpEs9Client::builder()
        .timeout(Duration::from_millis(300))
        .override_address(SMDP, &format!("http://127.0.0.1:{}", server.port))
        .unwrap()
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    assert!(
        matches!(err, Es9Error::Timeout { function: RspFunction::Es9InitiateAuthentication, .. }),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_millis(1400));
    server.join();
}

#[test]
fn malformed_json() {
    let server = Server::start(None, vec![Reply::json(r#"{"header":{"functionExecutionStatus":"#)]);
    let err = http_client(server.port).initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    assert!(matches!(err, Es9Error::NotJson { .. }), "{err:?}");
    server.join();
}

#[test]
fn missing_fields() {
    let body = r#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"transactionId":"01",
        "serverSigned1":"MAA=","serverSignature1":"MAA=","serverCertificate":"MAA="}"#;
    let server = Server::start(None, vec![Reply::json(body)]);
    let err = http_client(server.port).initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    assert!(matches!(err, Es9Error::MissingField { field: "euiccCiPKIdToBeUsed", .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "ES9+.InitiateAuthentication: mandatory member \"euiccCiPKIdToBeUsed\" is missing"
    );
    server.join();
}

/// osmo-smdpp answers errors with HTTP 200 and a `Failed` header (`osmo-smdpp.py` `handle_apierror`).
#[test]
fn function_execution_failure_mapped() {
    let body = r#"{"header": {"functionExecutionStatus": {"status": "Failed", "statusCodeData": {"subjectCode": "8.10.1", "reasonCode": "3.9", "message": "Unknown"}}}}"#;
    let server = Server::start(None, vec![Reply::json(body)]);
    let req = AuthenticateClientRequest::new(TransactionId::new(vec![0x01]).unwrap(), vec![0xBF, 0x38, 0x00]);
    let err = http_client(server.port).authenticate_client(SMDP, &req).unwrap_err();
    let code = err.status_code().expect("status code");
    assert_eq!((code.subject_code.as_str(), code.reason_code.as_str()), ("8.10.1", "3.9"));
    assert_eq!(code.meaning(), Some("the RSP session identified by the TransactionID is unknown"));
    assert_eq!(err.function(), Some(RspFunction::Es9AuthenticateClient));
    server.join();
}

#[test]
fn bpp_notification_cancel_over_http() {
    let tx = TransactionId::new(vec![0xAB, 0xCD]).unwrap();
    let bpp_body = r#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"transactionId":"ABCD","boundProfilePackage":"vzYA"}"#;
    let cancel_body =
        r#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"transactionId":"ABCD"}"#;
    let server = Server::start(
        None,
        vec![Reply::json(bpp_body), Reply { status: 204, ..Reply::json("") }, Reply::json(cancel_body)],
    );
    let mut client = http_client(server.port);
    let bpp = client
        .get_bound_profile_package(
            SMDP,
            &GetBoundProfilePackageRequest::new(tx.clone(), vec![0xBF, 0x21, 0x00]),
        )
        .unwrap();
    assert_eq!(bpp.bound_profile_package, [0xBF, 0x36, 0x00]);
    client.handle_notification(SMDP, &HandleNotificationRequest::new(vec![0x30, 0x00])).unwrap();
    client.cancel_session(SMDP, &CancelSessionRequestEs9::new(tx, vec![0xBF, 0x41, 0x00])).unwrap();
    let rec = server.join();
    let lines: Vec<&str> = rec.iter().map(|r| r.request_line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "POST /gsma/rsp2/es9plus/getBoundProfilePackage HTTP/1.1",
            "POST /gsma/rsp2/es9plus/handleNotification HTTP/1.1",
            "POST /gsma/rsp2/es9plus/cancelSession HTTP/1.1",
        ]
    );
    assert_eq!(rec[2].body, br#"{"cancelSessionResponse":"v0EA","transactionId":"ABCD"}"#);
}

#[test]
fn es11_events_over_http() {
    let resp = {
        let mut es11_authenticate_client_response = Es11AuthenticateClientResponse::default();
        es11_authenticate_client_response.transaction_id = Some(TransactionId::new(vec![0x01]).unwrap());
        es11_authenticate_client_response.event_entries = vec![
            EventEntry::new("EV-1".into(), "smdp1.example.com".into()),
            EventEntry::new("EV-2".into(), "smdp2.example.com".into()),
        ];
        es11_authenticate_client_response
    };
    let server =
        Server::start(None, vec![Reply::json(initiate_response().to_json()), Reply::json(resp.to_json())]);
    let mut client = HttpEs9Client::builder()
        .override_address("lpa.ds.example.com", &format!("http://localhost:{}/prefix/", server.port))
        .unwrap()
        .build()
        .unwrap();
    let init = client.es11_initiate_authentication("lpa.ds.example.com", &initiate_request()).unwrap();
    assert_eq!(init, initiate_response());
    let req = AuthenticateClientRequest::new(TransactionId::new(vec![0x01]).unwrap(), vec![0xBF, 0x38, 0x00]);
    let got = client.es11_authenticate_client("lpa.ds.example.com", &req).unwrap();
    assert_eq!(got, resp);
    let targets: Vec<String> =
        got.event_entries.iter().map(|e| e.to_activation_code().unwrap().to_string()).collect();
    assert_eq!(targets, ["1$smdp1.example.com$EV-1", "1$smdp2.example.com$EV-2"]);
    let rec = server.join();
    assert_eq!(rec[0].request_line, "POST /prefix/gsma/rsp2/es9plus/initiateAuthentication HTTP/1.1");
    assert_eq!(rec[1].request_line, "POST /prefix/gsma/rsp2/es9plus/authenticateClient HTTP/1.1");
}

#[test]
fn body_limit() {
    let server = Server::start(None, vec![Reply::json(vec![b' '; 4096])]);
    let mut client = HttpEs9Client::builder()
        .max_response_size(1024)
        .override_address(SMDP, &format!("http://127.0.0.1:{}", server.port))
        .unwrap()
        .build()
        .unwrap();
    let err = client.initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    assert!(matches!(err, Es9Error::BodyTooLarge { limit: 1024, .. }), "{err:?}");
    server.join();
}

#[test]
fn plain_http_refused_for_non_loopback() {
    for url in ["http://smdp.example.com", "http://10.0.0.1:8080", "http://192.168.1.1", "http://[::2]:80"] {
        let err = HttpEs9Client::builder().override_address(SMDP, url).unwrap_err();
        assert!(matches!(err, Es9Error::Config(ref m) if m.contains("loopback")), "{url}: {err:?}");
    }
    // Without an override every address is reached over https only, and must be a plain FQDN[:port].
    let client = HttpEs9Client::builder().build().unwrap();
    assert_eq!(
        client.url_for(SMDP, RspFunction::Es9InitiateAuthentication).unwrap(),
        "https://testsmdpplus1.example.com/gsma/rsp2/es9plus/initiateAuthentication"
    );
    for bad in ["http://x.example", "x.example/evil", "user@x.example", "x.example:99999", ""] {
        assert!(
            matches!(
                client.url_for(bad, RspFunction::Es9InitiateAuthentication),
                Err(Es9Error::InvalidAddress { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn refused_connection_is_transport_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = http_client(port).initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    assert!(matches!(err, Es9Error::Transport { .. }), "{err:?}");
}

/// The HTTP client's error stays reachable: Es9Error → HttpError → the `std::io::Error`.
#[test]
fn a_refused_connection_keeps_the_io_error_as_source() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = http_client(port).initiate_authentication(SMDP, &initiate_request()).unwrap_err();
    let Es9Error::Transport { source, .. } = &err else { panic!("{err:?}") };
    assert_eq!(source.kind(), oxicard_euicc::es9::HttpErrorKind::Transport);
    let http = std::error::Error::source(&err).unwrap();
    let io = http.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn config_errors() {
    assert!(HttpEs9Client::builder().add_ca_pem(b"not a pem").is_err());
    assert!(HttpEs9Client::builder().add_ca_der(b"\x30\x00").is_err());
    // No trust root at all: refused. Without web roots the GSMA CI roots remain.
    assert!(HttpEs9Client::builder().webpki_roots(false).gsma_ci_roots(false).build().is_err());
    assert!(HttpEs9Client::builder().webpki_roots(false).build().is_ok());
    assert!(HttpEs9Client::builder().admin_protocol("gsma/rsp/v2.5.0").is_ok());
    assert!(HttpEs9Client::builder().admin_protocol("v2.5").is_err());
}
