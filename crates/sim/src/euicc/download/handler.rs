//! [`Es8Handler`]: the ES8+ download functions of the software eUICC, backed by an
//! [`EuiccIdentity`] (SGP.22 §3.1.3, §5.7.5, §5.7.6, §5.7.13, §5.7.14; one RSP session at a
//! time, started by GetEUICCChallenge, §5.7.7).

use oxicard_apdu::StatusWord;
use oxicard_euicc::es10::Oid;

use super::super::{EuiccConfig, SoftEuicc};
use super::load::Loading;
use super::signer::IdentitySigner;
use super::{DownloadContext, DownloadHandler};
use crate::euicc::es10::tag_of;
use crate::pki::{EuiccIdentity, OneTimeKeyPair, PkiError, PublicKey, SignedData};

/// The RSP session after a successful AuthenticateServer (SGP.22 §3.1.3).
#[derive(Debug)]
pub(super) struct Session {
    /// `transactionId` of serverSigned1 (binary).
    pub(super) transaction_id: Vec<u8>,
    /// `serverAddress` of serverSigned1: the address of the installation notification.
    pub(super) server_address: String,
    /// The SM-DP+ OID of CERT.DPauth (subjectAltName registeredID).
    pub(super) dp_auth_oid: Option<Oid>,
    /// The `euiccSignature1` TLV (`5F37 40 …`) this eUICC returned.
    pub(super) euicc_signature1: Vec<u8>,
    /// Set by a successful PrepareDownload.
    pub(super) prepared: Option<Prepared>,
}

/// What PrepareDownload adds to the session.
#[derive(Debug)]
pub(super) struct Prepared {
    /// PK.DPpb.ECDSA (verifies InitialiseSecureChannel).
    pub(super) dp_pb_key: PublicKey,
    /// The SM-DP+ OID of CERT.DPpb (the `smdpOid` of the PIR).
    pub(super) dp_pb_oid: Option<Oid>,
    /// otSK.EUICC / otPK.EUICC.
    pub(super) one_time_key: OneTimeKeyPair,
}

/// The ES8+ [`DownloadHandler`] of the software eUICC: AuthenticateServer (SGP.22 §5.7.13),
/// PrepareDownload (§5.7.5), LoadBoundProfilePackage (§5.7.6) and CancelSession (§5.7.14),
/// signing with the eUICC key and verifying SM-DP+ certificates against the identity's
/// trusted CIs.
///
/// Out-of-order or replayed requests get the SGP.22 error code of the function (never a
/// panic); a failed request leaves the session and the installed profiles as they were, except
/// that a failed LoadBoundProfilePackage ends the session and leaves its signed
/// ProfileInstallationResult in the pending notifications.
#[derive(Debug)]
pub struct Es8Handler {
    pub(super) identity: EuiccIdentity,
    pub(super) session: Option<Session>,
    pub(super) loading: Option<Loading>,
}

impl Es8Handler {
    /// A handler signing and verifying with `identity`.
    pub fn new(identity: EuiccIdentity) -> Es8Handler {
        Es8Handler { identity, session: None, loading: None }
    }

    /// The identity.
    pub fn identity(&self) -> &EuiccIdentity {
        &self.identity
    }

    /// The `5F37 40 ‖ r ‖ s` TLV of the eUICC's signature over `data`.
    pub(super) fn sign_tlv(&self, data: &SignedData<'_>) -> Result<Vec<u8>, PkiError> {
        Ok(self.identity.sign(data)?.to_tlv())
    }

    /// Forgets the session and any BPP in progress.
    pub(super) fn end(&mut self, euicc: &mut DownloadContext<'_>) {
        self.session = None;
        self.loading = None;
        euicc.end_session();
    }
}

impl DownloadHandler for Es8Handler {
    fn handle(&mut self, request: &[u8], euicc: &mut DownloadContext<'_>) -> Result<Vec<u8>, StatusWord> {
        let tag = tag_of(request).ok_or(StatusWord::WRONG_DATA)?;
        match tag {
            [0xBF, 0x38] => self.authenticate_server(request, euicc),
            [0xBF, 0x21] => self.prepare_download(request, euicc),
            [0xBF, 0x41] => self.cancel_session(request, euicc),
            _ => self.load_segment(request, euicc),
        }
    }

    fn reset_session(&mut self) {
        self.session = None;
        self.loading = None;
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
    /// notifications signed by SK.EUICC ([`IdentitySigner`]), downloads by an [`Es8Handler`].
    pub fn from_identity(identity: EuiccIdentity) -> SoftEuicc {
        SoftEuicc::in_memory(EuiccConfig::for_identity(&identity)).with_identity(identity)
    }

    /// Uses `identity` for signing notifications ([`IdentitySigner`]) and for downloads
    /// ([`Es8Handler`]); the advertised CI key identifiers become the identity's. The EID of
    /// the configuration stays (see [`EuiccConfig::for_identity`]).
    #[must_use]
    pub fn with_identity(mut self, identity: EuiccIdentity) -> SoftEuicc {
        self.config.info2.ci_pkids_for_verification = identity.ci_pkids_for_verification();
        self.config.info2.ci_pkids_for_signing = identity.ci_pkids_for_signing();
        self.signer = Box::new(IdentitySigner::new(identity.clone()));
        self.download = Box::new(Es8Handler::new(identity));
        self
    }
}
