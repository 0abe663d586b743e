//! Identities of the software eUICC, the test SM-DP+ and the test SM-DS, and loading them from
//! PEM/DER files
//! (e.g. the GSMA SGP.26 test certificates and keys).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use oxicard_euicc::es10::Oid;

use super::cert::RspCertificate;
use super::chain::{ChainError, TrustStore, VerifiedChain};
use super::error::PkiError;
use super::key::PrivateKey;
use super::oid::RspRole;
use super::signature::Tr03111Signature;
use super::signed::SignedData;
use crate::storage::{FollowLinks, read_file};

/// The text of `bytes` when they hold a PEM document (RFC 7468: text with a `-----BEGIN` line).
pub(crate) fn as_pem(bytes: &[u8]) -> Option<&str> {
    let text = core::str::from_utf8(bytes).ok()?;
    text.contains("-----BEGIN ").then_some(text)
}

/// The DER of every PEM block (RFC 7468 §2) of `pem` whose label is one of `labels`, in order;
/// other blocks and text between blocks are skipped.
pub(crate) fn pem_blocks(pem: &str, labels: &[&str]) -> Result<Vec<Vec<u8>>, PkiError> {
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = rest.get(start..).unwrap_or_default();
        let label_end = block.get(11..).and_then(|s| s.find("-----")).ok_or_else(|| bad_pem("BEGIN line"))?;
        let label = block.get(11..11 + label_end).unwrap_or_default();
        let end_line = format!("-----END {label}-----");
        let end = block.find(&end_line).ok_or_else(|| bad_pem("missing END line"))? + end_line.len();
        let text = block.get(..end).unwrap_or_default();
        if labels.contains(&label) {
            let (_, der) = der::pem::decode_vec(text.as_bytes()).map_err(|e| PkiError::Pem(e.to_string()))?;
            out.push(der);
        }
        rest = block.get(end..).unwrap_or_default();
    }
    Ok(out)
}

/// A PEM error saying what is wrong.
fn bad_pem(problem: &str) -> PkiError {
    PkiError::Pem(problem.to_string())
}

/// The DER of the first PEM block labelled one of `labels`.
pub(crate) fn pem_block(pem: &str, labels: &[&str]) -> Result<Vec<u8>, PkiError> {
    pem_blocks(pem, labels)?.into_iter().next().ok_or_else(|| PkiError::Pem(format!("no {labels:?} block")))
}

/// The largest certificate, private key or CI file read: 1 MiB. One certificate or key is
/// well under 2 KB even in PEM; the limit leaves room for a CI file listing many
/// certificates, with text around the PEM blocks.
pub const MAX_IDENTITY_FILE_LEN: u64 = 1024 * 1024;

/// Reads an identity file: a regular file (a link to one is followed) of at most
/// [`MAX_IDENTITY_FILE_LEN`] bytes; a FIFO or device is refused without being opened.
fn read(path: &Path) -> Result<Vec<u8>, PkiError> {
    Ok(read_file(path, MAX_IDENTITY_FILE_LEN, FollowLinks::Yes)?)
}

/// A certificate with its private key (SK.EUICC.ECDSA + CERT.EUICC.ECDSA, SK.DPauth + CERT.DPauth,
/// the TLS server key + CERT.DP.TLS, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertifiedKey {
    certificate: RspCertificate,
    private_key: PrivateKey,
}

impl CertifiedKey {
    /// Pairs `certificate` with `private_key`; the key must match the certificate's public key.
    pub fn new(certificate: RspCertificate, private_key: PrivateKey) -> Result<CertifiedKey, PkiError> {
        if private_key.public_key() != *certificate.public_key() {
            return Err(PkiError::Key("private key does not match the certificate"));
        }
        Ok(CertifiedKey { certificate, private_key })
    }

    /// From a certificate (PEM or DER) and a private key (PEM or DER; PKCS#8 or SEC1).
    pub fn from_pem_or_der(certificate: &[u8], private_key: &[u8]) -> Result<CertifiedKey, PkiError> {
        CertifiedKey::new(
            RspCertificate::from_pem_or_der(certificate)?,
            PrivateKey::from_pem_or_der(private_key)?,
        )
    }

    /// From a certificate file and a private key file (each PEM or DER), each a regular file
    /// of at most [`MAX_IDENTITY_FILE_LEN`] bytes.
    pub fn from_files(certificate: &Path, private_key: &Path) -> Result<CertifiedKey, PkiError> {
        CertifiedKey::from_pem_or_der(&read(certificate)?, &read(private_key)?)
    }

    /// The certificate.
    pub fn certificate(&self) -> &RspCertificate {
        &self.certificate
    }

    /// The private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.private_key
    }
}

/// The trust store of the CI certificates in `sources` (each PEM with one or more
/// certificates, or one DER certificate).
fn trust_store_from(sources: &[&[u8]]) -> Result<TrustStore, PkiError> {
    let mut cis = Vec::new();
    for bytes in sources {
        match as_pem(bytes) {
            Some(pem) => cis.extend(RspCertificate::all_from_pem(pem)?),
            None => cis.push(RspCertificate::from_der(bytes)?),
        }
    }
    TrustStore::new(cis)
}

/// Reads each of `paths` as [`read`] does.
fn read_all(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, PkiError> {
    paths.iter().map(|p| read(p)).collect()
}

/// What the software eUICC signs and verifies with (SGP.22 §2.6.2: SK.EUICC.ECDSA,
/// CERT.EUICC.ECDSA, CERT.EUM.ECDSA, and the PK.CI.ECDSA it trusts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EuiccIdentity {
    euicc: CertifiedKey,
    eum_certificate: RspCertificate,
    trusted_cis: TrustStore,
}

impl EuiccIdentity {
    /// An identity from its parts. CERT.EUICC must carry `id-rspRole-euicc` and an EID, CERT.EUM
    /// `id-rspRole-eum`, and the key must match CERT.EUICC.
    pub fn new(
        euicc: CertifiedKey,
        eum_certificate: RspCertificate,
        trusted_cis: TrustStore,
    ) -> Result<EuiccIdentity, PkiError> {
        for (cert, role) in [(euicc.certificate(), RspRole::Euicc), (&eum_certificate, RspRole::Eum)] {
            if !cert.has_role(role) {
                return Err(ChainError::WrongRole { expected: role, found: cert.roles() }.into());
            }
        }
        if euicc.certificate().eid().is_none() {
            return Err(PkiError::Certificate(
                "eUICC certificate subject serialNumber is not a 32-digit EID",
            ));
        }
        Ok(EuiccIdentity { euicc, eum_certificate, trusted_cis })
    }

    /// From PEM or DER bytes: CERT.EUICC, its private key (PKCS#8 or SEC1), CERT.EUM, and the
    /// trusted CI certificates (each source PEM with any number of certificates, or one DER).
    pub fn from_pem_or_der(
        euicc_certificate: &[u8],
        euicc_key: &[u8],
        eum_certificate: &[u8],
        cis: &[&[u8]],
    ) -> Result<EuiccIdentity, PkiError> {
        EuiccIdentity::new(
            CertifiedKey::from_pem_or_der(euicc_certificate, euicc_key)?,
            RspCertificate::from_pem_or_der(eum_certificate)?,
            trust_store_from(cis)?,
        )
    }

    /// From files, as [`EuiccIdentity::from_pem_or_der`]; each a regular file of at most
    /// [`MAX_IDENTITY_FILE_LEN`] bytes ([`PkiError::File`] names the file otherwise).
    pub fn from_files(
        euicc_certificate: &Path,
        euicc_key: &Path,
        eum_certificate: &Path,
        cis: &[PathBuf],
    ) -> Result<EuiccIdentity, PkiError> {
        let cis = read_all(cis)?;
        let refs: Vec<&[u8]> = cis.iter().map(Vec::as_slice).collect();
        EuiccIdentity::from_pem_or_der(
            &read(euicc_certificate)?,
            &read(euicc_key)?,
            &read(eum_certificate)?,
            &refs,
        )
    }

    /// CERT.EUICC.ECDSA.
    pub fn certificate(&self) -> &RspCertificate {
        self.euicc.certificate()
    }

    /// SK.EUICC.ECDSA.
    pub fn private_key(&self) -> &PrivateKey {
        self.euicc.private_key()
    }

    /// CERT.EUM.ECDSA.
    pub fn eum_certificate(&self) -> &RspCertificate {
        &self.eum_certificate
    }

    /// The trusted CIs (verification of SM-DP+ certificates).
    pub fn trusted_cis(&self) -> &TrustStore {
        &self.trusted_cis
    }

    /// The EID from CERT.EUICC's subject serialNumber.
    pub fn eid(&self) -> String {
        self.certificate().eid().unwrap_or_default()
    }

    /// `euiccCiPKIdListForVerification` (SGP.22 §4.3 EUICCInfo1): the trusted CIs' PKIDs.
    pub fn ci_pkids_for_verification(&self) -> Vec<Vec<u8>> {
        self.trusted_cis.pkids()
    }

    /// `euiccCiPKIdListForSigning` (SGP.22 §4.3 EUICCInfo1): the CI that certified CERT.EUM
    /// (CERT.EUM's AuthorityKeyIdentifier).
    pub fn ci_pkids_for_signing(&self) -> Vec<Vec<u8>> {
        self.eum_certificate.authority_key_identifier().into_iter().collect()
    }

    /// Signs `data` with SK.EUICC; `data` must be one of the eUICC-signed messages.
    pub fn sign(&self, data: &SignedData<'_>) -> Result<Tr03111Signature, PkiError> {
        if data.signer_role() != RspRole::Euicc {
            return Err(PkiError::Certificate("the eUICC does not sign this message"));
        }
        data.sign(self.private_key())
    }

    /// Verifies an SM-DP+ certificate (CERT.DPauth for AuthenticateServer, CERT.DPpb for
    /// PrepareDownload) up to a trusted CI, requiring `role`.
    pub fn verify_smdp_certificate(
        &self,
        certificate: &RspCertificate,
        role: RspRole,
        at: Option<SystemTime>,
    ) -> Result<VerifiedChain, ChainError> {
        self.trusted_cis.verify(certificate, &[], role, at)
    }
}

/// What the test SM-DP+ signs with (SGP.22 §2.6.2: SK/CERT.DPauth.ECDSA, SK/CERT.DPpb.ECDSA,
/// the TLS server key and CERT.DP.TLS) and the CIs it trusts for eUICC chains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmdpIdentity {
    auth: CertifiedKey,
    pb: CertifiedKey,
    tls: Option<CertifiedKey>,
    trusted_cis: TrustStore,
}

impl SmdpIdentity {
    /// An identity from its parts; CERT.DPauth / CERT.DPpb / CERT.DP.TLS must carry their roles.
    pub fn new(
        auth: CertifiedKey,
        pb: CertifiedKey,
        tls: Option<CertifiedKey>,
        trusted_cis: TrustStore,
    ) -> Result<SmdpIdentity, PkiError> {
        let tls_cert = tls.as_ref().map(|t| (t.certificate(), RspRole::DpTls));
        for (cert, role) in [(auth.certificate(), RspRole::DpAuth), (pb.certificate(), RspRole::DpPb)]
            .into_iter()
            .chain(tls_cert)
        {
            if !cert.has_role(role) {
                return Err(ChainError::WrongRole { expected: role, found: cert.roles() }.into());
            }
        }
        Ok(SmdpIdentity { auth, pb, tls, trusted_cis })
    }

    /// From PEM or DER bytes: (certificate, key) pairs of DPauth, DPpb and optionally DPtls, and
    /// the trusted CI certificates.
    pub fn from_pem_or_der(
        auth: (&[u8], &[u8]),
        pb: (&[u8], &[u8]),
        tls: Option<(&[u8], &[u8])>,
        cis: &[&[u8]],
    ) -> Result<SmdpIdentity, PkiError> {
        SmdpIdentity::new(
            CertifiedKey::from_pem_or_der(auth.0, auth.1)?,
            CertifiedKey::from_pem_or_der(pb.0, pb.1)?,
            tls.map(|(c, k)| CertifiedKey::from_pem_or_der(c, k)).transpose()?,
            trust_store_from(cis)?,
        )
    }

    /// CERT.DPauth.ECDSA and SK.DPauth.ECDSA.
    pub fn auth(&self) -> &CertifiedKey {
        &self.auth
    }

    /// CERT.DPpb.ECDSA and SK.DPpb.ECDSA.
    pub fn pb(&self) -> &CertifiedKey {
        &self.pb
    }

    /// CERT.DP.TLS and its key, when configured.
    pub fn tls(&self) -> Option<&CertifiedKey> {
        self.tls.as_ref()
    }

    /// The trusted CIs (verification of eUICC chains).
    pub fn trusted_cis(&self) -> &TrustStore {
        &self.trusted_cis
    }

    /// The SM-DP+ OID: the subjectAltName registeredID of CERT.DPauth (SGP.22 §4.5.2.1.0.2).
    pub fn smdp_oid(&self) -> Option<Oid> {
        self.auth.certificate().registered_id()
    }

    /// The PKID of the CI that certified CERT.DPauth (its AuthorityKeyIdentifier): the
    /// `euiccCiPKIdToBeUsed` the SM-DP+ picks in InitiateAuthentication (SGP.22 §3.1.2).
    pub fn ci_pkid(&self) -> Option<Vec<u8>> {
        self.auth.certificate().authority_key_identifier()
    }

    /// Signs `data` with SK.DPauth (serverSigned1) or SK.DPpb (smdpSigned2,
    /// InitialiseSecureChannel).
    pub fn sign(&self, data: &SignedData<'_>) -> Result<Tr03111Signature, PkiError> {
        match data.signer_role() {
            RspRole::DpAuth => data.sign(self.auth.private_key()),
            RspRole::DpPb => data.sign(self.pb.private_key()),
            _ => Err(PkiError::Certificate("the SM-DP+ does not sign this message")),
        }
    }

    /// Verifies CERT.EUICC via CERT.EUM up to a trusted CI (SGP.22 §5.6.2
    /// AuthenticateClient), and that the EID lies in the EUM's permitted EINs when the EUM
    /// declares any.
    pub fn verify_euicc_chain(
        &self,
        euicc_certificate: &RspCertificate,
        eum_certificate: &RspCertificate,
        at: Option<SystemTime>,
    ) -> Result<VerifiedChain, PkiError> {
        verify_euicc_chain(&self.trusted_cis, euicc_certificate, eum_certificate, at)
    }
}

/// Verifies CERT.EUICC via CERT.EUM up to one of `trusted_cis` (SGP.22 §5.6.3 / §5.8.2
/// AuthenticateClient, on the SM-DP+ or the SM-DS), and that the EID lies in the EUM's permitted
/// EINs when the EUM declares any.
fn verify_euicc_chain(
    trusted_cis: &TrustStore,
    euicc_certificate: &RspCertificate,
    eum_certificate: &RspCertificate,
    at: Option<SystemTime>,
) -> Result<VerifiedChain, PkiError> {
    let chain =
        trusted_cis.verify(euicc_certificate, core::slice::from_ref(eum_certificate), RspRole::Euicc, at)?;
    let eins = eum_certificate.permitted_eins();
    let eid = euicc_certificate.eid().ok_or(PkiError::Certificate("eUICC certificate has no EID"))?;
    if !eins.is_empty()
        && !eins.iter().any(|ein| eid.to_ascii_uppercase().starts_with(&ein.to_ascii_uppercase()))
    {
        return Err(PkiError::Certificate("EID outside the EUM's permitted EINs"));
    }
    Ok(chain)
}

/// What the test SM-DS signs with (SGP.22 §2.6.2 / §4.5.2: SK/CERT.DSauth.ECDSA for
/// serverSigned1, the TLS server key and certificate) and the CIs it trusts for eUICC chains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmdsIdentity {
    auth: CertifiedKey,
    tls: Option<CertifiedKey>,
    trusted_cis: TrustStore,
}

impl SmdsIdentity {
    /// An identity from its parts; CERT.DSauth must carry `id-rspRole-ds-auth`, the TLS
    /// certificate `id-rspRole-ds-tls` (or `id-rspRole-dp-tls`: a test host serving both).
    pub fn new(
        auth: CertifiedKey,
        tls: Option<CertifiedKey>,
        trusted_cis: TrustStore,
    ) -> Result<SmdsIdentity, PkiError> {
        if !auth.certificate().has_role(RspRole::DsAuth) {
            let found = auth.certificate().roles();
            return Err(ChainError::WrongRole { expected: RspRole::DsAuth, found }.into());
        }
        if let Some(tls) = &tls {
            let cert = tls.certificate();
            if !cert.has_role(RspRole::DsTls) && !cert.has_role(RspRole::DpTls) {
                return Err(ChainError::WrongRole { expected: RspRole::DsTls, found: cert.roles() }.into());
            }
        }
        Ok(SmdsIdentity { auth, tls, trusted_cis })
    }

    /// CERT.DSauth.ECDSA and SK.DSauth.ECDSA.
    pub fn auth(&self) -> &CertifiedKey {
        &self.auth
    }

    /// The TLS certificate and key, when configured.
    pub fn tls(&self) -> Option<&CertifiedKey> {
        self.tls.as_ref()
    }

    /// The trusted CIs (verification of eUICC chains).
    pub fn trusted_cis(&self) -> &TrustStore {
        &self.trusted_cis
    }

    /// The SM-DS OID: the subjectAltName registeredID of CERT.DSauth.
    pub fn smds_oid(&self) -> Option<Oid> {
        self.auth.certificate().registered_id()
    }

    /// Verifies CERT.EUICC via CERT.EUM up to a trusted CI (SGP.22 §5.8.2), with the EIN check
    /// of [`SmdpIdentity::verify_euicc_chain`].
    pub fn verify_euicc_chain(
        &self,
        euicc_certificate: &RspCertificate,
        eum_certificate: &RspCertificate,
        at: Option<SystemTime>,
    ) -> Result<VerifiedChain, PkiError> {
        verify_euicc_chain(&self.trusted_cis, euicc_certificate, eum_certificate, at)
    }
}
