//! X.509 certificates of the SGP.22 PKI (RFC 5280 profile of SGP.22 §4.5.2), parsed once and
//! kept byte for byte: SGP.22 signatures and LPAs compare and forward the exact DER.

use core::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::asn1::{Fields, ctx, single};
use crate::es10::Oid;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tag};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, KeyUsage, NameConstraints,
};

pub use x509_cert::ext::pkix::KeyUsages;

use super::error::PkiError;
use super::key::PublicKey;
use super::oid::{self, RspRole};

/// A parsed certificate of the SGP.22 PKI (CERT.CI, CERT.EUM, CERT.EUICC.ECDSA, CERT.DPauth, …),
/// with its original DER.
#[derive(Clone, PartialEq, Eq)]
pub struct RspCertificate {
    der: Vec<u8>,
    certificate: Certificate,
    public_key: PublicKey,
}

impl fmt::Debug for RspCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RspCertificate")
            .field("subject", &self.certificate.tbs_certificate().subject().to_string())
            .field("issuer", &self.certificate.tbs_certificate().issuer().to_string())
            .field("roles", &self.roles())
            .field("ski", &self.subject_key_identifier().map(hex::encode))
            .finish()
    }
}

impl RspCertificate {
    /// Parses a DER certificate (RFC 5280 §4.1); the bytes must be exactly one certificate with
    /// an EC public key on a supported curve.
    pub fn from_der(der: &[u8]) -> Result<RspCertificate, PkiError> {
        let certificate = Certificate::from_der(der)?;
        let public_key = PublicKey::from_spki(certificate.tbs_certificate().subject_public_key_info())?;
        Ok(RspCertificate { der: der.to_vec(), certificate, public_key })
    }

    /// Parses the first `CERTIFICATE` block of a PEM text (RFC 7468 §5).
    pub fn from_pem(pem: &str) -> Result<RspCertificate, PkiError> {
        RspCertificate::from_der(&super::pem::pem_block(pem, &["CERTIFICATE"])?)
    }

    /// Parses every `CERTIFICATE` block of a PEM text, in order.
    pub fn all_from_pem(pem: &str) -> Result<Vec<RspCertificate>, PkiError> {
        super::pem::pem_blocks(pem, &["CERTIFICATE"])?
            .iter()
            .map(|der| RspCertificate::from_der(der))
            .collect()
    }

    /// Parses DER, or PEM if `bytes` look like text starting with `-----BEGIN`.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<RspCertificate, PkiError> {
        match super::pem::as_pem(bytes) {
            Some(pem) => RspCertificate::from_pem(pem),
            None => RspCertificate::from_der(bytes),
        }
    }

    /// The certificate DER, exactly as parsed or generated.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`, RFC 7468 §5, LF line endings).
    pub fn to_pem(&self) -> Result<String, PkiError> {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .map_err(PkiError::PemEncoding)
    }

    /// The parsed certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The subject public key (PK.EUICC.ECDSA, PK.DPauth.ECDSA, …).
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The DER of `tbsCertificate`, the bytes its issuer signed (RFC 5280 §4.1.1.3).
    pub fn tbs_der(&self) -> Result<&[u8], PkiError> {
        let outer = single(&self.der, Tag::Sequence, "Certificate")?;
        let fields = Fields::parse(outer.value(), "Certificate")?;
        fields.first().map(|f| f.raw()).ok_or(PkiError::Certificate("no tbsCertificate"))
    }

    fn extension<'a, T: Decode<'a> + der::oid::AssociatedOid>(&'a self) -> Option<(bool, T)> {
        self.certificate.tbs_certificate().get_extension::<T>().ok().flatten()
    }

    /// The SubjectKeyIdentifier (RFC 5280 §4.2.1.2). For CERT.CI this is the CI PKID of
    /// `euiccCiPKIdListForVerification` / `…ForSigning` / `euiccCiPKIdToBeUsed` (SGP.22 §5.7.8,
    /// §5.7.13).
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        let extensions = self.certificate.tbs_certificate().extensions()?;
        let ext = extensions.iter().find(|e| e.extn_id == oid::SUBJECT_KEY_IDENTIFIER)?;
        // SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING, inside extnValue.
        let inner = single(ext.extn_value.as_bytes(), Tag::OctetString, "SubjectKeyIdentifier").ok()?;
        Some(inner.value())
    }

    /// The keyIdentifier of the AuthorityKeyIdentifier (RFC 5280 §4.2.1.1): the issuer's SKI.
    pub fn authority_key_identifier(&self) -> Option<Vec<u8>> {
        let (_, aki) = self.extension::<AuthorityKeyIdentifier>()?;
        aki.key_identifier.map(|k| k.as_bytes().to_vec())
    }

    /// The policy OIDs of the certificatePolicies extension (RFC 5280 §4.2.1.4).
    pub fn policies(&self) -> Vec<ObjectIdentifier> {
        self.extension::<CertificatePolicies>()
            .map(|(_, p)| p.0.iter().map(|info| info.policy_identifier).collect())
            .unwrap_or_default()
    }

    /// The SGP.22 roles named by the certificate policies (SGP.22 §4.5.2, v2 and v3 OIDs).
    pub fn roles(&self) -> Vec<RspRole> {
        self.policies().iter().filter_map(RspRole::from_oid).collect()
    }

    /// Whether the certificate carries the policy OID of `role`.
    pub fn has_role(&self, role: RspRole) -> bool {
        self.roles().contains(&role)
    }

    /// The keyUsage bits (RFC 5280 §4.2.1.3), `None` when the extension is absent.
    pub fn key_usage(&self) -> Option<x509_cert::ext::pkix::KeyUsage> {
        self.extension::<KeyUsage>().map(|(_, ku)| ku)
    }

    /// Whether keyUsage is present and has `usage` set.
    pub fn allows(&self, usage: KeyUsages) -> bool {
        self.key_usage().is_some_and(|ku| ku.0.contains(usage))
    }

    /// basicConstraints `cA` (RFC 5280 §4.2.1.9); false when absent.
    pub fn is_ca(&self) -> bool {
        self.extension::<BasicConstraints>().is_some_and(|(_, bc)| bc.ca)
    }

    /// The subjectAltName `registeredID` (RFC 5280 §4.2.1.6): the SM-DP+ OID of CERT.DPauth /
    /// CERT.DPpb (SGP.22 §4.5.2.1.0.2), used as `smdpOid` in CancelSession and the PIR. Parsed by
    /// hand into an [`Oid`]: test OIDs such as `2.999.10` do not fit `der`'s OID type.
    pub fn registered_id(&self) -> Option<Oid> {
        let extensions = self.certificate.tbs_certificate().extensions()?;
        let ext = extensions.iter().find(|e| e.extn_id == oid::SUBJECT_ALT_NAME)?;
        let names = single(ext.extn_value.as_bytes(), Tag::Sequence, "SubjectAltName").ok()?;
        let fields = Fields::parse(names.value(), "SubjectAltName").ok()?;
        // registeredID [8] IMPLICIT OBJECT IDENTIFIER.
        fields.opt(ctx(8), "registeredID").and_then(|f| Oid::from_der_contents(f.value()))
    }

    /// The subject `serialNumber` attribute (X.520): the EID of CERT.EUICC.ECDSA
    /// (SGP.22 §4.5.2.1.0.3).
    pub fn subject_serial_number(&self) -> Option<String> {
        self.certificate
            .tbs_certificate()
            .subject()
            .iter()
            .find(|atv| atv.oid == oid::AT_SERIAL_NUMBER)
            .and_then(|atv| String::from_utf8(atv.value.value().to_vec()).ok())
    }

    /// The EID of an eUICC certificate: the subject serialNumber when it is 32 decimal digits.
    pub fn eid(&self) -> Option<String> {
        self.subject_serial_number().filter(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The permitted EIN prefixes of an EUM certificate (variant O: nameConstraints
    /// permittedSubtrees directoryName serialNumber, SGP.22 §4.5.2.1.0.2).
    pub fn permitted_eins(&self) -> Vec<String> {
        let Some((_, constraints)) = self.extension::<NameConstraints>() else { return Vec::new() };
        constraints
            .permitted_subtrees
            .iter()
            .flatten()
            .filter_map(|subtree| match &subtree.base {
                GeneralName::DirectoryName(name) => Some(name),
                _ => None,
            })
            .flat_map(|name| name.iter())
            .filter(|atv| atv.oid == oid::AT_SERIAL_NUMBER)
            .filter_map(|atv| String::from_utf8(atv.value.value().to_vec()).ok())
            .collect()
    }

    /// notBefore and notAfter (RFC 5280 §4.1.2.5).
    pub fn validity(&self) -> (SystemTime, SystemTime) {
        let validity = self.certificate.tbs_certificate().validity();
        let at = |t: x509_cert::time::Time| UNIX_EPOCH + t.to_unix_duration();
        (at(validity.not_before), at(validity.not_after))
    }

    /// Whether `time` lies inside the validity period (bounds included).
    pub fn is_valid_at(&self, time: SystemTime) -> bool {
        let (not_before, not_after) = self.validity();
        not_before <= time && time <= not_after
    }

    /// Whether issuer and subject names are equal.
    pub fn is_self_issued(&self) -> bool {
        let tbs = self.certificate.tbs_certificate();
        tbs.issuer() == tbs.subject()
    }

    /// Verifies that `issuer`'s key signed this certificate: `signatureAlgorithm` must be
    /// ecdsa-with-SHA256 (SGP.22 §4.5.2) and the DER signature must verify over tbsCertificate.
    pub fn verify_signed_by(&self, issuer: &PublicKey) -> Result<(), PkiError> {
        if self.certificate.signature_algorithm().oid != oid::ECDSA_WITH_SHA256 {
            return Err(PkiError::Certificate("signature algorithm is not ecdsa-with-SHA256"));
        }
        let signature = self
            .certificate
            .signature()
            .as_bytes()
            .ok_or(PkiError::SignatureFormat("signature BIT STRING"))?;
        issuer.verify_der(self.tbs_der()?, signature)
    }

    /// The serial number, big-endian.
    pub fn serial_number(&self) -> &[u8] {
        self.certificate.tbs_certificate().serial_number().as_bytes()
    }

    /// The subject name DER.
    pub fn subject_der(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self.certificate.tbs_certificate().subject().to_der()?)
    }
}
