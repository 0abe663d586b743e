//! [`IdentitySigner`]: the [`NotificationSigner`] backed by SK.EUICC.ECDSA.

use super::super::notifications::{NotificationSigner, SignError};
use crate::pki::EuiccIdentity;

/// Signs notifications with SK.EUICC.ECDSA (ECDSA with SHA-256, BSI TR-03111 plain `r ‖ s`,
/// SGP.22 §2.6.5) and hands out CERT.EUICC and CERT.EUM byte-exact.
#[derive(Clone, Debug)]
pub struct IdentitySigner {
    identity: EuiccIdentity,
}

impl IdentitySigner {
    /// A signer for `identity`.
    pub fn new(identity: EuiccIdentity) -> IdentitySigner {
        IdentitySigner { identity }
    }
}

impl NotificationSigner for IdentitySigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.identity.private_key().sign(message).as_bytes().to_vec())
    }

    fn euicc_certificate(&self) -> &[u8] {
        self.identity.certificate().der()
    }

    fn eum_certificate(&self) -> &[u8] {
        self.identity.eum_certificate().der()
    }
}
