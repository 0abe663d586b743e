//! Identity and crypto of the simulator: the SGP.22 PKI (GSMA SGP.22 §4.5.2 certificate profiles,
//! §2.6 security overview), its signature formats (BSI TR-03111 plain `r ‖ s` inside SGP.22 ASN.1,
//! DER inside X.509) and the elliptic-curve key agreement of the BSP (SGP.22 §2.6.7 / §5.7.6,
//! BSI TR-03111 §4.3.1 ECKA-DH).
//!
//! - [`TestPki`]: a complete test PKI generated on the fly (CI → EUM → eUICC, CI → DPauth /
//!   DPpb / DPtls, CI → DSauth), optionally reproducible from a seed.
//! - [`EuiccIdentity`] / [`SmdpIdentity`] / [`SmdsIdentity`]: what the software eUICC, the test
//!   SM-DP+ and the test SM-DS sign with, generated or loaded from PEM/DER files (e.g. the GSMA SGP.26 test certificates).
//! - [`PrivateKey`] / [`PublicKey`]: ECDSA with SHA-256 and ECKA-DH on NIST P-256 and
//!   brainpoolP256r1 ([`Curve`]).
//! - [`Tr03111Signature`]: the 64-byte `r ‖ s` form carried in `5F37` fields.
//! - [`SignedData`]: the exact byte string behind each SGP.22 signature.
//! - [`RspCertificate`], [`TrustStore`]: certificate parsing (bytes kept verbatim) and chain
//!   verification up to a trusted CI, with the `id-rspRole-*` policy checks of SGP.22 §4.5.2.

mod cert;
mod chain;
mod error;
mod generate;
mod key;
mod load;
pub mod oid;
mod signature;
mod signed;

pub use cert::{KeyUsages, RspCertificate};
pub use chain::{ChainError, TrustStore, VerifiedChain};
pub use error::PkiError;
pub use generate::{TestPki, TestPkiConfig, eid_for_seed};
pub use key::{Curve, OneTimeKeyPair, PrivateKey, PublicKey, SharedSecret};
pub use load::{CertifiedKey, EuiccIdentity, MAX_IDENTITY_FILE_LEN, SmdpIdentity, SmdsIdentity};
pub use oid::RspRole;
pub use signature::{SIGNATURE_TAG, Tr03111Signature};
pub use signed::SignedData;
