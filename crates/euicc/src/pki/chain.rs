//! Certificate chain verification up to a trusted CI (SGP.22 §4.5.2.2 certificate validation;
//! the checks follow RFC 5280 §6.1 where SGP.22 needs them, and pysim's `CertificateSet`:
//! self-signed CI with the CI policy and keyCertSign + cRLSign, intermediates with keyCertSign,
//! AKI → SKI links, each signature verified).

use std::time::SystemTime;

use super::cert::{KeyUsages, RspCertificate};
use super::error::PkiError;
use super::key::PublicKey;
use super::oid::RspRole;

/// At most this many certificates between the leaf and the CI (SGP.22 v3 allows a CI sub-CA and
/// an EUM sub-CA: CI → SubCA → EUM → SubCA → eUICC).
const MAX_INTERMEDIATES: usize = 3;

/// Why a chain does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The leaf does not carry the expected role's policy OID (SGP.22 `invalidOid` /
    /// "certificate policy").
    #[error("certificate has roles {found:?}, expected {expected:?}")]
    WrongRole {
        /// The role required.
        expected: RspRole,
        /// The roles found.
        found: Vec<RspRole>,
    },
    /// A keyUsage bit required by the certificate's place in the chain is missing
    /// (SGP.22 §4.5.2: digitalSignature for end entities, keyCertSign for CAs).
    #[error("certificate at depth {depth} lacks key usage: {missing}")]
    KeyUsage {
        /// 0 = leaf.
        depth: usize,
        /// What is missing.
        missing: &'static str,
    },
    /// No intermediate and no trusted CI issued the certificate at `depth`.
    #[error("no trusted issuer for the certificate at depth {depth}")]
    UnknownIssuer {
        /// 0 = leaf.
        depth: usize,
    },
    /// A signature in the chain does not verify.
    #[error("signature of the certificate at depth {depth} does not verify")]
    BadSignature {
        /// 0 = leaf.
        depth: usize,
    },
    /// A certificate is outside its validity period at the time given.
    #[error("certificate at depth {depth} is expired or not yet valid")]
    Expired {
        /// 0 = leaf; the CI is at the chain length.
        depth: usize,
    },
    /// The chain is longer than allowed.
    #[error("chain too long")]
    TooLong,
    /// A certificate offered as CI is not a valid CI certificate.
    #[error("not a CI certificate: {0}")]
    NotCi(&'static str),
}

/// The result of a successful verification.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedChain {
    /// The PKID (SubjectKeyIdentifier) of the CI the chain ends at.
    pub ci_pkid: Vec<u8>,
    /// The leaf's public key.
    pub public_key: PublicKey,
    /// How many intermediates were used (0 for DPauth / DPpb, 1 for EUM → eUICC).
    pub intermediates: usize,
}

/// A set of trusted CI certificates (the eUICC's PK.CI.ECDSA list for verification, or the
/// SM-DP+'s CI list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustStore {
    cis: Vec<RspCertificate>,
}

impl TrustStore {
    /// A store of the given CI certificates; each must be self-signed (signature verified),
    /// carry `id-rspRole-ci`, keyCertSign + cRLSign and a SubjectKeyIdentifier.
    pub fn new(cis: Vec<RspCertificate>) -> Result<TrustStore, PkiError> {
        for ci in &cis {
            check_ci(ci)?;
        }
        Ok(TrustStore { cis })
    }

    /// The CI certificates.
    pub fn cis(&self) -> &[RspCertificate] {
        &self.cis
    }

    /// The CI PKIDs (SKIs), in store order: `euiccCiPKIdListForVerification` (SGP.22 §5.7.8).
    pub fn pkids(&self) -> Vec<Vec<u8>> {
        self.cis.iter().filter_map(|c| c.subject_key_identifier().map(<[u8]>::to_vec)).collect()
    }

    /// The CI whose SKI is `pkid`.
    pub fn by_pkid(&self, pkid: &[u8]) -> Option<&RspCertificate> {
        self.cis.iter().find(|c| c.subject_key_identifier() == Some(pkid))
    }

    /// Verifies `leaf` (which must carry `role`) up to a trusted CI, using `intermediates`
    /// (e.g. CERT.EUM for CERT.EUICC). With `at`, every certificate must be valid at that time.
    ///
    /// Checks: the leaf's role policy and digitalSignature (keyCertSign for CA roles); each
    /// issuer found by AKI = SKI (or, without AKI, by name) among the intermediates, then the
    /// CIs; intermediates have keyCertSign and basicConstraints cA, and when the leaf is an
    /// eUICC certificate its issuer has the EUM role; every signature verifies.
    pub fn verify(
        &self,
        leaf: &RspCertificate,
        intermediates: &[RspCertificate],
        role: RspRole,
        at: Option<SystemTime>,
    ) -> Result<VerifiedChain, ChainError> {
        if !leaf.has_role(role) {
            return Err(ChainError::WrongRole { expected: role, found: leaf.roles() });
        }
        let leaf_usage = match role {
            RspRole::Ci | RspRole::Eum => KeyUsages::KeyCertSign,
            _ => KeyUsages::DigitalSignature,
        };
        if !leaf.allows(leaf_usage) {
            return Err(ChainError::KeyUsage { depth: 0, missing: usage_name(leaf_usage) });
        }
        let valid = |cert: &RspCertificate, depth| match at {
            Some(time) if !cert.is_valid_at(time) => Err(ChainError::Expired { depth }),
            _ => Ok(()),
        };
        let mut current = leaf;
        for depth in 0..=MAX_INTERMEDIATES {
            valid(current, depth)?;
            if let Some(ci) = self.cis.iter().find(|ci| issued_by(current, ci)) {
                current.verify_signed_by(ci.public_key()).map_err(|_| ChainError::BadSignature { depth })?;
                valid(ci, depth + 1)?;
                let ci_pkid = ci.subject_key_identifier().map(<[u8]>::to_vec).unwrap_or_default();
                return Ok(VerifiedChain { ci_pkid, public_key: *leaf.public_key(), intermediates: depth });
            }
            let issuer = intermediates
                .iter()
                .find(|candidate| !core::ptr::eq(*candidate, current) && issued_by(current, candidate))
                .ok_or(ChainError::UnknownIssuer { depth })?;
            if !issuer.allows(KeyUsages::KeyCertSign) {
                return Err(ChainError::KeyUsage { depth: depth + 1, missing: "keyCertSign" });
            }
            if !issuer.is_ca() {
                return Err(ChainError::KeyUsage { depth: depth + 1, missing: "basicConstraints cA" });
            }
            if depth == 0 && role == RspRole::Euicc && !issuer.has_role(RspRole::Eum) {
                return Err(ChainError::WrongRole { expected: RspRole::Eum, found: issuer.roles() });
            }
            current.verify_signed_by(issuer.public_key()).map_err(|_| ChainError::BadSignature { depth })?;
            current = issuer;
        }
        Err(ChainError::TooLong)
    }
    /// Verifies CERT.EUICC via CERT.EUM up to a trusted CI (SGP.22 §5.6.3 / §5.8.2
    /// AuthenticateClient, on the SM-DP+ or the SM-DS; §4.5.2.2), and that the EID lies in the
    /// EUM's permitted EINs when the EUM declares any (nameConstraints, SGP.22 §4.5.2.1.0.2).
    pub fn verify_euicc_chain(
        &self,
        euicc_certificate: &RspCertificate,
        eum_certificate: &RspCertificate,
        at: Option<SystemTime>,
    ) -> Result<VerifiedChain, PkiError> {
        let chain =
            self.verify(euicc_certificate, core::slice::from_ref(eum_certificate), RspRole::Euicc, at)?;
        let eins = eum_certificate.permitted_eins();
        let eid = euicc_certificate.eid().ok_or(PkiError::Certificate("eUICC certificate has no EID"))?;
        if !eins.is_empty()
            && !eins.iter().any(|ein| eid.to_ascii_uppercase().starts_with(&ein.to_ascii_uppercase()))
        {
            return Err(PkiError::Certificate("EID outside the EUM's permitted EINs"));
        }
        Ok(chain)
    }
}

fn usage_name(usage: KeyUsages) -> &'static str {
    if usage == KeyUsages::KeyCertSign { "keyCertSign" } else { "digitalSignature" }
}

/// Whether `issuer` is the issuer of `cert` by name, and by AKI = SKI when both are present.
fn issued_by(cert: &RspCertificate, issuer: &RspCertificate) -> bool {
    let names_match =
        cert.certificate().tbs_certificate().issuer() == issuer.certificate().tbs_certificate().subject();
    let ids_match = match (cert.authority_key_identifier(), issuer.subject_key_identifier()) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    };
    names_match && ids_match
}

/// The CI checks of [`TrustStore::new`].
fn check_ci(ci: &RspCertificate) -> Result<(), PkiError> {
    if !ci.has_role(RspRole::Ci) {
        return Err(ChainError::NotCi("no id-rspRole-ci policy").into());
    }
    if !(ci.allows(KeyUsages::KeyCertSign) && ci.allows(KeyUsages::CRLSign)) {
        return Err(ChainError::NotCi("keyUsage lacks keyCertSign or cRLSign").into());
    }
    if ci.subject_key_identifier().is_none() {
        return Err(ChainError::NotCi("no subjectKeyIdentifier").into());
    }
    if !ci.is_self_issued() || ci.verify_signed_by(ci.public_key()).is_err() {
        return Err(ChainError::NotCi("not self-signed").into());
    }
    Ok(())
}
