//! The credentials of each SGP.22 role (SGP.22 §2.6.2, §4.5.2): what the eUICC, an SM-DP+ and an
//! SM-DS sign with, and the CIs each trusts. Built from parsed certificates and keys, or from
//! their PEM/DER bytes; reading them from files is the caller's business.

use std::time::SystemTime;

use crate::es10::Oid;

use super::cert::RspCertificate;
use super::chain::{ChainError, TrustStore, VerifiedChain};
use super::error::PkiError;
use super::key::PrivateKey;
use super::oid::RspRole;
use super::pem::as_pem;
use super::signature::Tr03111Signature;
use super::signed::SignedData;

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

/// What an eUICC signs and verifies with (SGP.22 §2.6.2: SK.EUICC.ECDSA,
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

/// What an SM-DP+ signs with (SGP.22 §2.6.2: SK/CERT.DPauth.ECDSA, SK/CERT.DPpb.ECDSA,
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

    /// [`TrustStore::verify_euicc_chain`] with the trusted CIs of this SM-DP+ (SGP.22 §5.6.3
    /// AuthenticateClient).
    pub fn verify_euicc_chain(
        &self,
        euicc_certificate: &RspCertificate,
        eum_certificate: &RspCertificate,
        at: Option<SystemTime>,
    ) -> Result<VerifiedChain, PkiError> {
        self.trusted_cis.verify_euicc_chain(euicc_certificate, eum_certificate, at)
    }
}

/// What an SM-DS signs with (SGP.22 §2.6.2 / §4.5.2: SK/CERT.DSauth.ECDSA for
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
}
