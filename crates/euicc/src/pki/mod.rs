//! The SGP.22 PKI (feature `pki`): certificates (SGP.22 §4.5.2 certificate profiles, §2.6
//! security overview), their chains up to a trusted CI (§4.5.2.2), the signature formats (BSI
//! TR-03111 plain `r ‖ s` inside SGP.22 ASN.1, DER inside X.509), the exact bytes each SGP.22
//! signature covers, and the keys: ECDSA with SHA-256 and the elliptic-curve key agreement of the
//! BSP (SGP.22 §2.6.7 / §5.7.6, BSI TR-03111 §4.3.1 ECKA-DH) on NIST P-256 and brainpoolP256r1.
//!
//! - [`RspCertificate`], [`TrustStore`]: certificate parsing (bytes kept verbatim) and chain
//!   verification up to a trusted CI, with the `id-rspRole-*` policy checks of SGP.22 §4.5.2.
//! - [`PrivateKey`] / [`PublicKey`]: ECDSA with SHA-256 and ECKA-DH on NIST P-256 and
//!   brainpoolP256r1 ([`Curve`]); [`OneTimeKeyPair`]: otSK/otPK of the BSP key agreement.
//! - [`Tr03111Signature`]: the 64-byte `r ‖ s` form carried in `5F37` fields.
//! - [`SignedData`]: the exact byte string behind each SGP.22 signature.
//! - [`EuiccIdentity`] / [`SmdpIdentity`] / [`SmdsIdentity`]: what the eUICC, an SM-DP+ and an
//!   SM-DS sign with and trust, from parsed certificates and keys or their PEM/DER bytes (e.g.
//!   the GSMA SGP.26 test certificates).
//!
//! Pure: no file, no clock unless a time is passed, no network. The only outside input is the
//! system random number generator, for [`PrivateKey::generate`] and [`OneTimeKeyPair::generate`].

mod cert;
mod chain;
mod credentials;
mod error;
mod key;
pub mod oid;
mod pem;
mod signature;
mod signed;

pub use cert::{KeyUsages, RspCertificate};
pub use chain::{ChainError, TrustStore, VerifiedChain};
pub use credentials::{CertifiedKey, EuiccIdentity, SmdpIdentity, SmdsIdentity};
pub use error::PkiError;
pub use key::{Curve, OneTimeKeyPair, PrivateKey, PublicKey, SharedSecret};
pub use signature::{SIGNATURE_TAG, Tr03111Signature};
pub use signed::SignedData;
