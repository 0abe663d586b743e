//! [`Es8Handler`]: the ES8+ download functions of the software eUICC, the eUICC role of
//! `oxicard_euicc::roles::euicc` backed by an [`EuiccIdentity`] (SGP.22 §3.1.3, §5.7.5, §5.7.6,
//! §5.7.13, §5.7.14; one RSP session at a time, started by GetEUICCChallenge, §5.7.7).

use oxicard_apdu::StatusWord;
use oxicard_euicc::pki::EuiccIdentity;
use oxicard_euicc::roles::euicc::EuiccDownload;

use super::super::{EuiccConfig, SoftEuicc};
use super::{DownloadContext, DownloadHandler, status_word};

/// The ES8+ [`DownloadHandler`] of the software eUICC: AuthenticateServer (SGP.22 §5.7.13),
/// PrepareDownload (§5.7.5), LoadBoundProfilePackage (§5.7.6) and CancelSession (§5.7.14) by
/// [`EuiccDownload`], signing with the eUICC key of the identity and verifying SM-DP+
/// certificates against its trusted CIs; the UPP goes through the software eUICC's SAIP checks.
///
/// Out-of-order or replayed requests get the SGP.22 error code of the function (never a
/// panic); a failed request leaves the session and the installed profiles as they were, except
/// that a failed LoadBoundProfilePackage ends the session and leaves its signed
/// ProfileInstallationResult in the pending notifications. A request the role refuses below
/// SGP.22 is `6A80` (malformed) or `6985`.
#[derive(Debug)]
pub struct Es8Handler {
    role: EuiccDownload<EuiccIdentity>,
}

impl Es8Handler {
    /// A handler signing and verifying with `identity`.
    pub fn new(identity: EuiccIdentity) -> Es8Handler {
        Es8Handler { role: EuiccDownload::for_identity(identity) }
    }

    /// The identity.
    pub fn identity(&self) -> &EuiccIdentity {
        self.role.signer()
    }
}

impl DownloadHandler for Es8Handler {
    fn handle(&mut self, request: &[u8], euicc: &mut DownloadContext<'_>) -> Result<Vec<u8>, StatusWord> {
        self.role.handle(request, euicc).map_err(|error| status_word(&error))
    }

    fn reset_session(&mut self) {
        self.role.reset_session();
    }
}

impl EuiccConfig {
    /// The default configuration with the EID of CERT.EUICC and the CI key identifiers of
    /// `identity` (`euiccCiPKIdListForVerification` / `…ForSigning`, SGP.22 §5.7.8).
    pub fn for_identity(identity: &EuiccIdentity) -> EuiccConfig {
        let mut config = EuiccConfig::default();
        if let Ok(eid) = identity.eid().parse() {
            config.eid = eid;
        }
        config.info2.ci_pkids_for_verification = identity.ci_pkids_for_verification();
        config.info2.ci_pkids_for_signing = identity.ci_pkids_for_signing();
        config
    }
}

impl SoftEuicc {
    /// An in-memory eUICC with `identity`: configuration [`EuiccConfig::for_identity`],
    /// notifications signed by SK.EUICC (the identity is the [`EuiccSigner`]), downloads by an
    /// [`Es8Handler`].
    ///
    /// [`EuiccSigner`]: oxicard_euicc::roles::euicc::EuiccSigner
    pub fn from_identity(identity: EuiccIdentity) -> SoftEuicc {
        SoftEuicc::in_memory(EuiccConfig::for_identity(&identity)).with_identity(identity)
    }

    /// Uses `identity` for signing notifications (the identity is the [`EuiccSigner`]) and for
    /// downloads ([`Es8Handler`]); the advertised CI key identifiers become the identity's. The
    /// EID of the configuration stays (see [`EuiccConfig::for_identity`]).
    ///
    /// [`EuiccSigner`]: oxicard_euicc::roles::euicc::EuiccSigner
    #[must_use]
    pub fn with_identity(mut self, identity: EuiccIdentity) -> SoftEuicc {
        self.config.info2.ci_pkids_for_verification = identity.ci_pkids_for_verification();
        self.config.info2.ci_pkids_for_signing = identity.ci_pkids_for_signing();
        self.signer = Box::new(identity.clone());
        self.download = Box::new(Es8Handler::new(identity));
        self
    }
}
