//! The simulator's test PKI and identity files. The SGP.22 PKI itself (certificates, chains,
//! keys, signatures, the credentials of each role) is `oxicard_euicc::pki`; this module makes
//! test ones and reads them from files.
//!
//! - [`TestPki`]: a complete test PKI generated on the fly (CI → EUM → eUICC, CI → DPauth /
//!   DPpb / DPtls, CI → DSauth; SGP.22 §4.5.2 certificate profiles), optionally reproducible
//!   from a seed, giving the identities of the software eUICC, the test SM-DP+ and the test
//!   SM-DS.
//! - [`EuiccIdentityFiles`]: the software eUICC's identity from PEM/DER files, bounded reads.

mod files;
mod generate;

pub use files::{EuiccIdentityFiles, IdentityFileError, MAX_IDENTITY_FILE_LEN};
pub use generate::{TestPki, TestPkiConfig, eid_for_seed};
