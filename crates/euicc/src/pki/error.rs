//! The error type of the [`crate::pki`] module.

use crate::asn1::DecodeError;

use super::chain::ChainError;

/// Why a key, certificate, signature or identity could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// Malformed DER (ITU-T X.690), as reported by `der`.
    #[error("malformed DER")]
    Der(#[from] der::Error),
    /// An SGP.22 message around a signature is malformed (wrong tag, trailing bytes, …).
    #[error("malformed signed data")]
    Message(#[from] DecodeError),
    /// No usable PEM block (RFC 7468) with one of the expected labels.
    #[error("PEM: {0}")]
    Pem(String),
    /// A PEM block (RFC 7468) that does not decode, or DER that cannot be written as one.
    #[error("PEM encoding")]
    PemEncoding(#[source] der::pem::Error),
    /// A private or public key is not a valid point or scalar of its curve, or its encoding is wrong.
    #[error("invalid key: {0}")]
    Key(&'static str),
    /// The curve (named by its OID) is neither NIST P-256 nor brainpoolP256r1
    /// (SGP.22 §2.6.5: the two curves an eUICC supports).
    #[error("unsupported curve or key algorithm {0}")]
    UnsupportedCurve(String),
    /// The two keys of an operation are on different curves.
    #[error("keys are on different curves")]
    CurveMismatch,
    /// A signature has the wrong format (not 64 bytes `r ‖ s`, not a `5F37 40` TLV, bad DER).
    #[error("signature format: {0}")]
    SignatureFormat(&'static str),
    /// The ECDSA signature does not verify.
    #[error("signature does not verify")]
    InvalidSignature,
    /// A certificate lacks something this module needs (an extension, a supported algorithm, …).
    #[error("certificate: {0}")]
    Certificate(&'static str),
    /// Certificate chain verification failed.
    #[error("certificate chain does not verify")]
    Chain(#[from] ChainError),
    /// The system random number generator failed.
    #[error("random number generator failed")]
    Random,
}
