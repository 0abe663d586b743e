//! CERT.DP.TLS of the generated PKI is accepted by rustls (webpki) for `localhost` and
//! `127.0.0.1` with the CI as the only trust anchor, and its key loads as a rustls server key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use oxicard_sim::pki::TestPki;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};

#[test]
fn dp_tls_is_accepted_by_rustls() {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let pki = TestPki::from_seed([9; 32]).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(pki.ci().certificate().der().to_vec())).unwrap();
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let leaf = CertificateDer::from(pki.dp_tls().certificate().der().to_vec());
    for name in ["localhost", "127.0.0.1"] {
        let server_name = ServerName::try_from(name).unwrap();
        verifier.verify_server_cert(&leaf, &[], &server_name, &[], UnixTime::now()).unwrap();
    }
    let wrong = ServerName::try_from("example.com").unwrap();
    assert!(verifier.verify_server_cert(&leaf, &[], &wrong, &[], UnixTime::now()).is_err());

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        pki.dp_tls().private_key().to_pkcs8_der().unwrap().to_vec(),
    ));
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf], key)
        .unwrap();
}
