//! ES9+/ES11 TLS trust and `connect-to` (SGP.22 §2.6.6, §4.5.2.2):
//!
//! - every embedded CI certificate is the published one (SHA-256 fingerprint, CI PKID);
//! - a real SGP.26 CERT.DP.TLS (pySim's test SM-DP+) chains to an embedded test CI, at a time
//!   inside its validity, only when the test CIs are asked for, only for its own name;
//! - a connect-to rule moves the TCP connection only: against an HTTPS server on 127.0.0.1 whose
//!   certificate names `smdp.example.com`, the request for `smdp.example.com` succeeds with that
//!   name as `Host` and SNI, and a request for another name is refused by the certificate check.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use oxicard_euicc::es9::{
    ConnectTo, EmbeddedCertificate, Es9Error, GSMA_CI_ROOTS, GSMA_RSP2_ROOT_CI1, HandleNotificationRequest,
    HttpEs9Client, OISTE_GSMA_CI_G1, SGP26_TEST_CI_NIST_2020, SGP26_TEST_CI_NIST_2023, SGP26_TEST_CI_ROOTS,
    ServerCertificateError,
};
use oxicard_transport::ErrorChain;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

/// The published SHA-256 fingerprints (DER) and CI PKIDs (SubjectKeyIdentifier) of the embedded
/// certificates, as listed with the public bundle copies they come from (euicc-go
/// `http/rootci/bundle.pem`, the CI registry of euicc-manual.osmocom.org; OpenEUICC's
/// `RootCertificates.kt` for the PKIDs of the GSMA live CI set).
const PUBLISHED: [(&str, &str, &str); 4] = [
    (
        "GSM Association - RSP2 Root CI1",
        "5E3E91FD454327C3AF5D32A7A73BBC59FE43AA7D85FD32D5DB44423F80A56BB3",
        "81370F5125D0B1D408D4C3B232E6D25E795BEBFB",
    ),
    (
        "OISTE GSMA CI G1",
        "9C9FA2E94602C260137122D9704D79993A6EF6D067CE0999EC2F4C109DD7A1A2",
        "4C27967AD20C14B391E9601E41E604AD57C0222F",
    ),
    (
        "Test CI",
        "597251C8A337D8ED1103AA1EB002227D5F9558E602852A03BDE9A9AE632CAFB4",
        "F54172BDF98A95D65CBEB88A38A1C11D800A85C3",
    ),
    (
        "Test CI",
        "DB01E5C88878EBD792832EDD45E649EC0A8AF7A5CCFBA8E41F12A023EC40F198",
        "34EECF13156518D48D30BDF06853404D115F955D",
    ),
];

/// pySim's SGP.26 CERT.DP.TLS (NIST), `smdpp-data/certs/DPtls/CERT_S_SM_DP_TLS_NIST.pem` at
/// osmocom/pysim commit 15df7cbf: `CN=testsmdpplus1.example.com`, issued by `CN=Test CI`
/// (the 2020 NIST test CI), serial 9, valid 2023-06-09 19:04:42 → 2024-07-11 19:04:42 UTC, SAN
/// `DNS:testsmdpplus1.example.com` and `RID:2.999.10`, EKU serverAuth + clientAuth.
const PYSIM_DP_TLS_PEM: &str = include_str!("data/pysim-cert-s-sm-dp-tls-nist.pem");
/// Its SHA-256 fingerprint (computed with `openssl x509 -fingerprint -sha256`).
const PYSIM_DP_TLS_SHA256: &str = "67B521938D4DC4593EC31BFF8E93E2822B591AA4D27ABE9B4FC82AEABA0A81A8";
/// The name in its subjectAltName.
const PYSIM_DP_NAME: &str = "testsmdpplus1.example.com";

fn at(unix_seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_seconds)
}

/// 2024-01-01 00:00:00 UTC: inside the pySim CERT.DP.TLS validity.
fn in_validity() -> SystemTime {
    at(1_704_067_200)
}

/// 2026-12-06 00:00:00 UTC: after it expired.
fn after_expiry() -> SystemTime {
    at(1_796_515_200)
}

fn sha256_hex(der: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(der))
}

/// The SubjectKeyIdentifier of a certificate: the OCTET STRING after OID 2.5.29.14.
fn subject_key_identifier(der: &[u8]) -> String {
    let marker = [0x06, 0x03, 0x55, 0x1D, 0x0E, 0x04, 0x16, 0x04, 0x14];
    let at = der.windows(marker.len()).position(|w| w == marker).expect("SKI extension");
    hex::encode_upper(&der[at + marker.len()..at + marker.len() + 20])
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

#[test]
fn embedded_certificates_are_the_published_ones() {
    let all: Vec<&EmbeddedCertificate> = GSMA_CI_ROOTS.iter().chain(SGP26_TEST_CI_ROOTS).collect();
    assert_eq!(all.len(), PUBLISHED.len());
    for (cert, (cn, sha256, pkid)) in all.iter().zip(PUBLISHED) {
        assert_eq!(sha256_hex(cert.der), sha256, "{}", cert.name);
        assert_eq!(cert.sha256, sha256, "{}", cert.name);
        assert_eq!(subject_key_identifier(cert.der), pkid, "{}", cert.name);
        assert_eq!(cert.ci_pkid, pkid, "{}", cert.name);
        assert!(cert.subject.contains(&format!("CN = {cn}")), "{}", cert.subject);
        // Usable as a trust anchor.
        let mut store = rustls::RootCertStore::empty();
        store.add(CertificateDer::from(cert.der)).unwrap();
    }
    assert_eq!(GSMA_CI_ROOTS, [GSMA_RSP2_ROOT_CI1, OISTE_GSMA_CI_G1]);
    assert_eq!(SGP26_TEST_CI_ROOTS, [SGP26_TEST_CI_NIST_2020, SGP26_TEST_CI_NIST_2023]);
}

/// The default trust set: GSMA CIs and web roots, no test CI; the test CIs only on request.
#[test]
fn default_and_test_ci_trust_sets() {
    let default = HttpEs9Client::builder();
    let roots = default.trusted_roots();
    for ci in GSMA_CI_ROOTS {
        assert!(roots.contains(&ci.der), "{}", ci.name);
    }
    for ci in SGP26_TEST_CI_ROOTS {
        assert!(!roots.contains(&ci.der), "{}", ci.name);
    }
    assert!(roots.len() > 100, "web roots too");
    let test = HttpEs9Client::builder().test_ci(true);
    for ci in SGP26_TEST_CI_ROOTS {
        assert!(test.trusted_roots().contains(&ci.der), "{}", ci.name);
    }
    let only_gsma = HttpEs9Client::builder().webpki_roots(false);
    assert_eq!(only_gsma.trusted_roots(), vec![GSMA_RSP2_ROOT_CI1.der, OISTE_GSMA_CI_G1.der]);
    let nothing = HttpEs9Client::builder().webpki_roots(false).gsma_ci_roots(false);
    assert!(nothing.trusted_roots().is_empty());
    assert!(matches!(nothing.build(), Err(Es9Error::Config(_))));
}

/// A real SGP.26 SM-DP+ TLS certificate (pySim's) verifies against the embedded 2020 test CI, as
/// the client's handshake would verify it, at a time inside its validity.
#[test]
fn pysim_dp_tls_chains_to_the_embedded_test_ci() {
    let leaf = pem_to_der(PYSIM_DP_TLS_PEM);
    assert_eq!(sha256_hex(&leaf), PYSIM_DP_TLS_SHA256);
    let with_test_ci = HttpEs9Client::builder().test_ci(true);
    with_test_ci.verify_server_certificate(&leaf, &[], PYSIM_DP_NAME, in_validity()).unwrap();
    // The very CI that issued it, alone.
    oxicard_euicc::es9::verify_server_certificate(
        [SGP26_TEST_CI_NIST_2020.der],
        &leaf,
        &[],
        PYSIM_DP_NAME,
        in_validity(),
    )
    .unwrap();
    // The 2023 test CI has the same subject but another key: it cannot verify it.
    let other = oxicard_euicc::es9::verify_server_certificate(
        [SGP26_TEST_CI_NIST_2023.der],
        &leaf,
        &[],
        PYSIM_DP_NAME,
        in_validity(),
    );
    assert!(matches!(other, Err(ServerCertificateError::Rejected { .. })), "{other:?}");
}

#[test]
fn pysim_dp_tls_is_refused_without_test_ci_for_another_name_and_when_expired() {
    let leaf = pem_to_der(PYSIM_DP_TLS_PEM);
    // Production trust (GSMA CIs + web roots): unknown issuer.
    let err = HttpEs9Client::builder().verify_server_certificate(&leaf, &[], PYSIM_DP_NAME, in_validity());
    match err {
        Err(ServerCertificateError::Rejected { source, .. }) => {
            assert!(source.to_string().contains("UnknownIssuer"), "{source}")
        }
        other => panic!("{other:?}"),
    }
    let with_test_ci = HttpEs9Client::builder().test_ci(true);
    // Another name.
    match with_test_ci.verify_server_certificate(&leaf, &[], "smdp.example.com", in_validity()) {
        Err(ServerCertificateError::Rejected { name, source }) => {
            assert_eq!(name, "smdp.example.com");
            assert!(source.to_string().contains("not valid for name"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    // After notAfter.
    match with_test_ci.verify_server_certificate(&leaf, &[], PYSIM_DP_NAME, after_expiry()) {
        Err(ServerCertificateError::Rejected { source, .. }) => {
            assert!(source.to_string().contains("xpired"), "{source}")
        }
        other => panic!("{other:?}"),
    }
    // Not a name at all.
    assert_eq!(
        with_test_ci.verify_server_certificate(&leaf, &[], "bad name", in_validity()),
        Err(ServerCertificateError::InvalidServerName { name: "bad name".into() })
    );
}

/// A throw-away CA and a server certificate for `names` it issued.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn pki(names: &[&str]) -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name.push(DnType::CommonName, "oxicard connect-to test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
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

/// What the HTTPS server saw of one connection: the SNI, and the request head if the handshake
/// got that far.
#[derive(Debug)]
struct Seen {
    sni: Option<String>,
    head: Option<String>,
}

/// An HTTPS server on 127.0.0.1 serving `connections` connections, each answered 204.
struct Server {
    port: u16,
    seen: mpsc::Receiver<Seen>,
    thread: JoinHandle<()>,
}

impl Server {
    fn start(config: Arc<rustls::ServerConfig>, connections: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let (tx, seen) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut served = 0;
            while served < connections && Instant::now() < deadline {
                let stream = match listener.accept() {
                    Ok((s, _)) => s,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                };
                served += 1;
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head = loop {
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break Some(String::from_utf8_lossy(&buf[..p]).into_owned());
                    }
                    match tls.read(&mut chunk) {
                        Ok(0) | Err(_) => break None,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let sni = tls.conn.server_name().map(str::to_owned);
                if head.is_some() {
                    let _ = tls.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
                let _ = tx.send(Seen { sni, head });
            }
        });
        Server { port, seen, thread }
    }

    fn join(self) -> Vec<Seen> {
        self.thread.join().unwrap();
        self.seen.try_iter().collect()
    }
}

fn notification() -> HandleNotificationRequest {
    HandleNotificationRequest::new(vec![0xBF, 0x37, 0x00])
}

fn host_header(head: &str) -> Option<&str> {
    head.lines().find_map(|l| l.strip_prefix("Host: ").or_else(|| l.strip_prefix("host: ")))
}

/// curl semantics: the connection goes to 127.0.0.1:PORT, the name stays `smdp.example.com`.
#[test]
fn connect_to_keeps_the_name_for_host_sni_and_certificate() {
    let pki = pki(&["smdp.example.com"]);
    let server = Server::start(pki.server.clone(), 2);
    let rule: ConnectTo = format!("smdp.example.com:443:127.0.0.1:{}", server.port).parse().unwrap();
    let any_port: ConnectTo = format!("smdp.example.com::127.0.0.1:{}", server.port).parse().unwrap();
    let mut client = HttpEs9Client::builder()
        .webpki_roots(false)
        .add_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .connect_to(rule)
        .connect_to(any_port)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    // The URL is the SM-DP+ address's, not the connect-to target's.
    assert_eq!(
        client.url_for("smdp.example.com", oxicard_euicc::es9::RspFunction::Es9HandleNotification).unwrap(),
        "https://smdp.example.com/gsma/rsp2/es9plus/handleNotification"
    );
    client.handle_notification("smdp.example.com", &notification()).unwrap();
    // An address with a port: the second (any-port) rule, Host with the port.
    client.handle_notification("SMDP.example.com:8443", &notification()).unwrap();
    let seen = server.join();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].sni.as_deref(), Some("smdp.example.com"));
    let head = seen[0].head.as_deref().unwrap();
    assert!(head.starts_with("POST /gsma/rsp2/es9plus/handleNotification HTTP/1.1"), "{head}");
    assert_eq!(host_header(head), Some("smdp.example.com"));
    assert_eq!(seen[1].sni.as_deref(), Some("smdp.example.com"));
    assert_eq!(host_header(seen[1].head.as_deref().unwrap()), Some("SMDP.example.com:8443"));
}

/// The certificate check stays on the requested name: a server whose certificate names
/// `smdp.example.com`, reached through a rule for `wrong.example.com`, is refused, and the
/// request never reaches it.
#[test]
fn connect_to_does_not_relax_the_name_check() {
    let pki = pki(&["smdp.example.com"]);
    let server = Server::start(pki.server.clone(), 1);
    let rule: ConnectTo = format!("wrong.example.com:443:127.0.0.1:{}", server.port).parse().unwrap();
    let mut client = HttpEs9Client::builder()
        .webpki_roots(false)
        .add_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .connect_to(rule.clone())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.handle_notification("wrong.example.com", &notification()).unwrap_err();
    match &err {
        Es9Error::Tls { url, source, .. } => {
            assert_eq!(url, "https://wrong.example.com/gsma/rsp2/es9plus/handleNotification");
            // The HTTP client's error says where it connected; its cause, rustls', what failed.
            assert_eq!(source.to_string(), format!("TLS error (connected per connect-to {rule})"));
            let detail = ErrorChain(source).to_string();
            assert!(detail.contains("not valid for name"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let seen = server.join();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].sni.as_deref(), Some("wrong.example.com"));
    assert!(seen[0].head.is_none(), "no request went through");
}

/// A rule for another host leaves requests alone; an unreachable target is a transport error
/// naming the rule.
#[test]
fn connect_to_only_applies_to_its_host() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let rule: ConnectTo = format!("smdp.example.com:443:127.0.0.1:{port}").parse().unwrap();
    let mut client =
        HttpEs9Client::builder().connect_to(rule.clone()).timeout(Duration::from_secs(5)).build().unwrap();
    let err = client.handle_notification("smdp.example.com", &notification()).unwrap_err();
    match &err {
        Es9Error::Transport { source, .. } => {
            assert_eq!(source.to_string(), format!("transport error (connected per connect-to {rule})"));
        }
        other => panic!("{other:?}"),
    }
    // `invalid.` names never resolve (RFC 6761 §6.4): the rule did not apply, no note.
    let err = client.handle_notification("smdp.invalid", &notification()).unwrap_err();
    assert!(!ErrorChain(&err).to_string().contains("connect-to"), "{err}");
}
