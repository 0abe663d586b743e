//! The trust anchors of ES9+/ES11 TLS: the GSMA Certificate Issuer (CI) roots compiled into the
//! library, and a check of a server certificate chain against a set of roots at a chosen time.
//!
//! An SM-DP+ or SM-DS presents CERT.DP.TLS / CERT.DS.TLS, which chains to a GSMA CI, "a trusted
//! chain up to a GSMA CI" (SGP.22 v2.2.2 §4.5.2.2, as public LPA code quotes it); a GSMA CI is not a
//! web root. [`HttpEs9Client`](super::HttpEs9Client) trusts, by default, the web roots and
//! [`GSMA_CI_ROOTS`]; the SGP.26 test CIs ([`SGP26_TEST_CI_ROOTS`]) only when asked
//! ([`HttpEs9ClientBuilder::test_ci`](super::HttpEs9ClientBuilder::test_ci)).
//!
//! Every embedded certificate is a public CA certificate; the files are in the crate's `certs/`
//! folder with their sources, and a test checks each one's SHA-256 fingerprint against the
//! published value.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// A CA certificate compiled into the library (DER), with what identifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EmbeddedCertificate {
    /// A short name, e.g. `GSMA RSP2 Root CI1`.
    pub name: &'static str,
    /// The subject distinguished name, as OpenSSL prints it.
    pub subject: &'static str,
    /// SHA-256 over the DER, upper-case hex: the published fingerprint.
    pub sha256: &'static str,
    /// The SubjectKeyIdentifier, upper-case hex: the CI PKID an eUICC reports in
    /// `euiccCiPKIdListForVerification` (SGP.22 §5.7.8, EUICCInfo1/2).
    pub ci_pkid: &'static str,
    /// Where the public copy was taken from.
    pub source: &'static str,
    /// The certificate (DER).
    pub der: &'static [u8],
}

/// The public copy every embedded CI was taken from: euicc-go's CI bundle (MIT licence), itself a
/// download of `https://euicc-manual.osmocom.org/docs/pki/ci/bundle.pem`.
const EUICC_GO_BUNDLE: &str = "damonto/euicc-go http/rootci/bundle.pem (commit 12619c76), from euicc-manual.osmocom.org/docs/pki/ci/bundle.pem";

/// GSMA RSP2 Root CI1 (operated by DigiCert): the CI of almost every consumer eUICC in the field.
pub const GSMA_RSP2_ROOT_CI1: EmbeddedCertificate = EmbeddedCertificate {
    name: "GSMA RSP2 Root CI1",
    subject: "O = GSM Association, CN = GSM Association - RSP2 Root CI1",
    sha256: "5E3E91FD454327C3AF5D32A7A73BBC59FE43AA7D85FD32D5DB44423F80A56BB3",
    ci_pkid: "81370F5125D0B1D408D4C3B232E6D25E795BEBFB",
    source: EUICC_GO_BUNDLE,
    der: include_bytes!("../../certs/gsma-rsp2-root-ci1.der"),
};

/// OISTE GSMA CI G1 (operated by WISeKey), the GSMA CI issued in 2024.
pub const OISTE_GSMA_CI_G1: EmbeddedCertificate = EmbeddedCertificate {
    name: "OISTE GSMA CI G1",
    subject: "C = CH, O = OISTE Foundation, CN = OISTE GSMA CI G1",
    sha256: "9C9FA2E94602C260137122D9704D79993A6EF6D067CE0999EC2F4C109DD7A1A2",
    ci_pkid: "4C27967AD20C14B391E9601E41E604AD57C0222F",
    source: EUICC_GO_BUNDLE,
    der: include_bytes!("../../certs/oiste-gsma-ci-g1.der"),
};

/// The SGP.26 test CI on NIST P-256 of 2020 (`CN=Test CI`), the CI of pySim's test SM-DP+ data.
pub const SGP26_TEST_CI_NIST_2020: EmbeddedCertificate = EmbeddedCertificate {
    name: "SGP.26 Test CI (NIST P-256, 2020)",
    subject: "CN = Test CI, OU = TESTCERT, O = RSPTEST, C = IT",
    sha256: "597251C8A337D8ED1103AA1EB002227D5F9558E602852A03BDE9A9AE632CAFB4",
    ci_pkid: "F54172BDF98A95D65CBEB88A38A1C11D800A85C3",
    source: EUICC_GO_BUNDLE,
    der: include_bytes!("../../certs/sgp26-test-ci-nist-2020.der"),
};

/// The SGP.26 v3 test CI on NIST P-256 of 2023 (`CN=Test CI`).
pub const SGP26_TEST_CI_NIST_2023: EmbeddedCertificate = EmbeddedCertificate {
    name: "SGP.26 Test CI (NIST P-256, 2023)",
    subject: "CN = Test CI, OU = TESTCERT, O = RSPTEST, C = IT",
    sha256: "DB01E5C88878EBD792832EDD45E649EC0A8AF7A5CCFBA8E41F12A023EC40F198",
    ci_pkid: "34EECF13156518D48D30BDF06853404D115F955D",
    source: EUICC_GO_BUNDLE,
    der: include_bytes!("../../certs/sgp26-test-ci-nist-2023.der"),
};

/// The production GSMA CI roots trusted for ES9+/ES11 TLS by default: GSMA RSP2 Root CI1 and
/// OISTE GSMA CI G1, the "GSMA live CI" set of OpenEUICC (`RootCertificates.kt`).
pub const GSMA_CI_ROOTS: &[EmbeddedCertificate] = &[GSMA_RSP2_ROOT_CI1, OISTE_GSMA_CI_G1];

/// The SGP.26 test CIs, trusted only on request (`HttpEs9ClientBuilder::test_ci`). Only the NIST
/// P-256 ones: the Brainpool P256r1 test CIs cannot verify a TLS chain with this crate's TLS
/// stack (rustls with ring has no Brainpool signatures).
pub const SGP26_TEST_CI_ROOTS: &[EmbeddedCertificate] = &[SGP26_TEST_CI_NIST_2020, SGP26_TEST_CI_NIST_2023];

/// Why a server certificate chain was not accepted by [`verify_server_certificate`].
///
/// Two errors are equal when they are the same variant with the same values; rustls' error is
/// compared by its message.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ServerCertificateError {
    /// The server name is neither a DNS name nor an IP address.
    #[error("server name {name:?} is not a DNS name or an IP address")]
    InvalidServerName {
        /// The name given.
        name: String,
    },
    /// The verification time is before 1970-01-01.
    #[error("the verification time is before 1970")]
    InvalidTime,
    /// None of the roots could be used as a trust anchor.
    #[error("no usable trust anchor")]
    NoTrustAnchor,
    /// The chain does not verify: unknown issuer, expired, not valid for the name, … (rustls'
    /// error is the source).
    #[error("certificate chain for {name:?} rejected")]
    Rejected {
        /// The server name checked.
        name: String,
        /// rustls' reason.
        source: rustls::Error,
    },
}

impl PartialEq for ServerCertificateError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::InvalidServerName { name }, Self::InvalidServerName { name: other_name }) => {
                name == other_name
            }
            (Self::InvalidTime, Self::InvalidTime) | (Self::NoTrustAnchor, Self::NoTrustAnchor) => true,
            (Self::Rejected { name, source }, Self::Rejected { name: other_name, source: other_source }) => {
                name == other_name && source.to_string() == other_source.to_string()
            }
            _ => false,
        }
    }
}

impl Eq for ServerCertificateError {}

/// Verifies `end_entity` (DER, with `intermediates`) as a TLS server certificate for `server_name`
/// at time `at`, against `roots` (DER CA certificates): the check [`HttpEs9Client`](super::HttpEs9Client)
/// makes during the handshake (rustls' webpki verifier with the ring provider; RFC 5280 path
/// validation, serverAuth, the name in subjectAltName), with the time given instead of the clock.
/// Unparsable roots are skipped, as the client skips them.
pub fn verify_server_certificate<'r>(
    roots: impl IntoIterator<Item = &'r [u8]>,
    end_entity: &[u8],
    intermediates: &[&[u8]],
    server_name: &str,
    at: SystemTime,
) -> Result<(), ServerCertificateError> {
    let mut store = rustls::RootCertStore::empty();
    let (added, _ignored) =
        store.add_parsable_certificates(roots.into_iter().map(|der| CertificateDer::from(der.to_vec())));
    if added == 0 {
        return Err(ServerCertificateError::NoTrustAnchor);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|_| ServerCertificateError::NoTrustAnchor)?;
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|_| ServerCertificateError::InvalidServerName { name: server_name.to_owned() })?;
    let since_epoch: Duration =
        at.duration_since(UNIX_EPOCH).map_err(|_| ServerCertificateError::InvalidTime)?;
    let intermediates: Vec<CertificateDer<'_>> =
        intermediates.iter().map(|c| CertificateDer::from(*c)).collect();
    verifier
        .verify_server_cert(
            &CertificateDer::from(end_entity),
            &intermediates,
            &name,
            &[],
            UnixTime::since_unix_epoch(since_epoch),
        )
        .map(|_| ())
        .map_err(|source| ServerCertificateError::Rejected { name: server_name.to_owned(), source })
}
