//! The eUICC role (feature `euicc-role`): the card side of the ES10b download functions (SGP.22
//! §5.7.13 AuthenticateServer, §5.7.5 PrepareDownload, §5.7.6 LoadBoundProfilePackage with the
//! ES8+ functions of the Bound Profile Package, §5.7.14 CancelSession; §3.1.3 profile download
//! and installation) and the signed notifications of §5.7.10.
//!
//! [`EuiccDownload`] holds one RSP session at a time and answers each request TLV with the
//! response TLV a real eUICC answers, with the SGP.22 error code of the function when a check
//! fails. It signs with an injected [`EuiccSigner`] (SK.EUICC.ECDSA: a key in memory such as
//! [`EuiccIdentity`], an HSM, a stand-in for tests) and verifies SM-DP+ certificates against the
//! trusted CIs it is given. What it reads and changes of the card (EID, EUICCInfo2, the
//! challenge of GetEUICCChallenge, free memory, the installed profiles, the notification
//! sequence numbers and list) comes through [`EuiccPlatform`], which also interprets the
//! profile package (SAIP, which SGP.22 leaves to the eUICC's Profile Package interpreter).
//!
//! ```
//! use oxicard_euicc::roles::euicc::{EuiccDownload, EuiccSigner, SignError};
//! use oxicard_euicc::pki::TrustStore;
//!
//! /// SK.EUICC.ECDSA kept elsewhere (an HSM, a secure element).
//! struct Hsm;
//!
//! impl EuiccSigner for Hsm {
//!     fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, SignError> {
//!         Err(SignError::new("no HSM in this example"))
//!     }
//!     fn euicc_certificate(&self) -> &[u8] {
//!         &[0x30, 0x00]
//!     }
//!     fn eum_certificate(&self) -> &[u8] {
//!         &[0x30, 0x00]
//!     }
//! }
//!
//! let mut euicc = EuiccDownload::new(Hsm, TrustStore::default());
//! // euicc.handle(request, &mut platform) for each AuthenticateServer, PrepareDownload,
//! // LoadBoundProfilePackage segment and CancelSession request.
//! assert!(!euicc.in_session());
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use crate::asn1::{Encoder, TlvHeader, app};
use crate::es10::{
    ErrorReason, EuiccInfo2, Message, NotificationMetadata, OtherSignedNotification, PendingNotification,
    ProfileInfo, ProfileInstallationResult, ProfileInstallationResultData,
};
use crate::iccid::{Eid, Iccid};
use crate::pki::{EuiccIdentity, OneTimeKeyPair, PublicKey, RspCertificate, SignedData, TrustStore};

mod authenticate;
mod cancel;
mod load;
mod prepare;

use load::Loading;

pub use load::SIMA_RESPONSE_OK;

/// Signing failed (an HSM error, a missing key, …): what went wrong, and the error that caused
/// it as the [`source`](std::error::Error::source) when there is one.
///
/// Two errors are equal when their reasons are and their sources have the same message.
#[derive(Clone, Debug)]
pub struct SignError {
    reason: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl SignError {
    /// Signing failed for `reason` (`no key loaded`).
    pub fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into(), source: None }
    }

    /// Signing failed while doing `reason` (`the HSM refused`) because of `source`, which
    /// becomes the [`source`](std::error::Error::source) (its message is not repeated).
    pub fn with_source(
        reason: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self { reason: reason.into(), source: Some(Arc::from(source.into())) }
    }

    /// What went wrong, in the signer's words.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "signing failed: {}", self.reason)
    }
}

impl std::error::Error for SignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl PartialEq for SignError {
    fn eq(&self, other: &Self) -> bool {
        self.reason == other.reason
            && self.source.as_ref().map(ToString::to_string) == other.source.as_ref().map(ToString::to_string)
    }
}

impl Eq for SignError {}

/// Signs what the eUICC signs with its private key SK.EUICC.ECDSA and hands out the
/// certificates that go with the signatures (SGP.22 §2.6.2; euiccSignature1 §5.7.13,
/// euiccSignature2 §5.7.5, euiccSignPIR §5.7.6, euiccCancelSessionSignature §5.7.14,
/// euiccNotificationSignature §5.7.10).
pub trait EuiccSigner {
    /// The signature over `message` (the exact bytes of [`SignedData::message`]), as the
    /// content of the `5F37` TLV: for ECDSA the 64-byte `r ‖ s` of BSI TR-03111 (SGP.22
    /// §2.6.5).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;

    /// CERT.EUICC.ECDSA, one DER `30 …` TLV, byte-exact (never re-encoded).
    fn euicc_certificate(&self) -> &[u8];

    /// CERT.EUM.ECDSA, one DER `30 …` TLV, byte-exact.
    fn eum_certificate(&self) -> &[u8];

    /// The `5F37` TLV of the signature over `message` (SGP.22 `[APPLICATION 55]` signature
    /// fields).
    fn sign_tlv(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let signature = self.sign(message)?;
        let mut e = Encoder::new();
        e.tlv(app(55), &signature);
        Ok(e.finish())
    }
}

/// SK.EUICC.ECDSA in memory: ECDSA with SHA-256, BSI TR-03111 plain `r ‖ s` (SGP.22 §2.6.5),
/// CERT.EUICC and CERT.EUM byte-exact.
impl EuiccSigner for EuiccIdentity {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.private_key().sign(message).as_bytes().to_vec())
    }

    fn euicc_certificate(&self) -> &[u8] {
        self.certificate().der()
    }

    fn eum_certificate(&self) -> &[u8] {
        EuiccIdentity::eum_certificate(self).der()
    }
}

/// The signed ProfileInstallationResult of `data` (SGP.22 §5.7.6: `BF37 { BF27 data,
/// 5F37 euiccSignPIR }`, the signature over the `BF27` TLV).
pub fn signed_installation_result(
    signer: &(impl EuiccSigner + ?Sized),
    data: ProfileInstallationResultData,
) -> Result<ProfileInstallationResult, SignError> {
    let signature = signer.sign_tlv(&data.to_der())?;
    Ok(ProfileInstallationResult::new(data, &signature))
}

/// The signed OtherSignedNotification of `metadata` (SGP.22 §5.7.10: `30 { BF2F tbs, 5F37
/// euiccNotificationSignature over BF2F, CERT.EUICC, CERT.EUM }`), as a pending notification.
pub fn signed_notification(
    signer: &(impl EuiccSigner + ?Sized),
    metadata: NotificationMetadata,
) -> Result<PendingNotification, SignError> {
    let signature = signer.sign_tlv(&metadata.to_der())?;
    Ok(PendingNotification::OtherSignedNotification(OtherSignedNotification::new(
        metadata,
        &signature,
        signer.euicc_certificate(),
        signer.eum_certificate(),
    )))
}

/// Why the eUICC refused to install a profile it received (SGP.22 §5.7.6 ErrorReason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InstallRefusal {
    /// `installFailedDueToIccidAlreadyExistsOnEuicc(9)`.
    #[error("a profile with this ICCID is installed")]
    IccidAlreadyExists,
    /// `installFailedDueToInsufficientMemoryForProfile(10)`.
    #[error("not enough free memory for the profile")]
    InsufficientMemory,
    /// The ProfileInfo lacks its ICCID (`incorrectInputValues(1)`).
    #[error("the profile has no ICCID")]
    MissingIccid,
}

impl InstallRefusal {
    /// The ErrorReason of the ProfileInstallationResult (SGP.22 §5.7.6).
    pub fn reason(self) -> ErrorReason {
        match self {
            Self::IccidAlreadyExists => ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc,
            Self::InsufficientMemory => ErrorReason::InstallFailedDueToInsufficientMemoryForProfile,
            Self::MissingIccid => ErrorReason::IncorrectInputValues,
        }
    }
}

/// The Profile Package interpreter refused the UnprotectedProfilePackage (SGP.22 §5.7.6
/// LoadProfileElements): the ErrorReason of the ProfileInstallationResult and the
/// `simaResponse` (the interpreter's EUICCResponse, SAIP v3.3.1 §8.11) naming what failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackageRefusal {
    /// The ErrorReason (e.g. `installFailedDueToPEProcessingError(12)`,
    /// `installFailedDueToIccidMismatch(13)`).
    pub reason: ErrorReason,
    /// The `simaResponse` of the failed result, if the interpreter gives one.
    pub sima_response: Option<Vec<u8>>,
}

impl PackageRefusal {
    /// The value with the given members; `sima_response` is absent or empty (set it as fields).
    pub fn new(reason: ErrorReason) -> Self {
        Self { reason, sima_response: None }
    }
}

/// What the eUICC role reads and changes of the eUICC it runs on, during one request. A card
/// simulator implements it over its state; changes should be persistent before the response
/// leaves the card.
pub trait EuiccPlatform {
    /// The EID (SGP.22 §5.7.20): the BSP shared info (§2.6.4.2).
    fn eid(&self) -> Eid;

    /// EUICCInfo2 as GetEUICCInfo answers it now (SGP.22 §5.7.8), signed in euiccSigned1.
    fn euicc_info2(&self) -> EuiccInfo2;

    /// The challenge of the last GetEUICCChallenge (SGP.22 §5.7.7), if the RSP session is open.
    fn euicc_challenge(&self) -> Option<[u8; 16]>;

    /// The challenge is used up or the session is over: forget it (SGP.22 §3.1.3, one session
    /// at a time).
    fn end_session(&mut self);

    /// Free non-volatile memory, in bytes: the profile elements must fit (SGP.22 §5.7.6).
    fn free_memory(&self) -> u64;

    /// Whether a profile with `iccid` is installed (SGP.22 §5.7.6
    /// installFailedDueToIccidAlreadyExistsOnEuicc).
    fn has_profile(&self, iccid: &Iccid) -> bool;

    /// Installs the downloaded profile (disabled) with its metadata and its UnprotectedProfilePackage
    /// (the plaintext of the `86` segments); returns the ISD-P AID the eUICC assigns.
    fn install_profile(&mut self, profile: ProfileInfo, upp: Vec<u8>) -> Result<Vec<u8>, InstallRefusal>;

    /// Takes the next notification sequence number (never reused; SGP.22 §5.7.6, §5.7.10).
    fn next_seq_number(&mut self) -> u64;

    /// The default SM-DP+ address (SGP.22 §5.7.3): the notification address of a
    /// ProfileInstallationResult with no session to send it to.
    fn default_dp_address(&self) -> Option<String>;

    /// Adds a notification (the ProfileInstallationResult) to the pending list (SGP.22 §3.5).
    fn push_notification(&mut self, notification: PendingNotification);

    /// The Profile Package interpreter (SGP.22 §5.7.6 LoadProfileElements; the package format
    /// is SAIP, SIMalliance/TCA): checks the complete UnprotectedProfilePackage `upp` of a
    /// profile whose metadata names `iccid`, before anything is installed. The default accepts
    /// every package.
    fn check_profile_package(&self, upp: &[u8], iccid: Iccid) -> Result<(), PackageRefusal> {
        let _ = (upp, iccid);
        Ok(())
    }

    /// The time certificate validity is checked at (SGP.22 §4.5.2.2); `None` checks none (an
    /// eUICC without a trusted clock). The default is the system clock.
    fn now(&self) -> Option<SystemTime> {
        Some(SystemTime::now())
    }
}

/// A request the eUICC refuses below SGP.22: no function response is possible. A card answers
/// it with a status word (`6A80` for [`RequestError::Malformed`], `6985` otherwise).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request is not the DER of the function its tag names.
    #[error("malformed request")]
    Malformed,
    /// A LoadBoundProfilePackage segment other than the first, with no BPP in progress, or a
    /// request no ES10b download function takes.
    #[error("no Bound Profile Package in progress")]
    NotExpected,
    /// The eUICC could not sign its answer.
    #[error(transparent)]
    Signing(#[from] SignError),
}

/// The RSP session after a successful AuthenticateServer (SGP.22 §3.1.3).
#[derive(Debug)]
struct Session {
    /// `transactionId` of serverSigned1 (binary).
    transaction_id: Vec<u8>,
    /// `serverAddress` of serverSigned1: the address of the installation notification.
    server_address: String,
    /// The SM-DP+ OID of CERT.DPauth (subjectAltName registeredID).
    dp_auth_oid: Option<crate::es10::Oid>,
    /// The `euiccSignature1` TLV (`5F37 40 …`) this eUICC returned.
    euicc_signature1: Vec<u8>,
    /// Set by a successful PrepareDownload.
    prepared: Option<Prepared>,
}

/// What PrepareDownload adds to the session.
#[derive(Debug)]
struct Prepared {
    /// PK.DPpb.ECDSA (verifies InitialiseSecureChannel).
    dp_pb_key: PublicKey,
    /// The SM-DP+ OID of CERT.DPpb (the `smdpOid` of the PIR).
    dp_pb_oid: Option<crate::es10::Oid>,
    /// otSK.EUICC / otPK.EUICC.
    one_time_key: OneTimeKeyPair,
}

/// The eUICC side of a profile download (SGP.22 §3.1.3): AuthenticateServer (§5.7.13),
/// PrepareDownload (§5.7.5), LoadBoundProfilePackage (§5.7.6) and CancelSession (§5.7.14),
/// signing with `S` and verifying SM-DP+ certificates against the trusted CIs.
///
/// Out-of-order or replayed requests get the SGP.22 error code of the function (never a
/// panic); a failed request leaves the session and the installed profiles as they were, except
/// that a failed LoadBoundProfilePackage ends the session and leaves its signed
/// ProfileInstallationResult in the pending notifications.
pub struct EuiccDownload<S> {
    signer: S,
    trusted_cis: TrustStore,
    /// `euiccCiPKIdListForSigning`: the CI of CERT.EUM (its AuthorityKeyIdentifier).
    ci_pkids_for_signing: Vec<Vec<u8>>,
    session: Option<Session>,
    loading: Option<Loading>,
}

impl<S> core::fmt::Debug for EuiccDownload<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EuiccDownload")
            .field("trusted_cis", &self.trusted_cis.pkids().iter().map(hex::encode).collect::<Vec<_>>())
            .field("session", &self.session.as_ref().map(|s| hex::encode(&s.transaction_id)))
            .field("loading", &self.loading)
            .finish_non_exhaustive()
    }
}

impl EuiccDownload<EuiccIdentity> {
    /// An eUICC signing with SK.EUICC of `identity` and trusting its CIs.
    pub fn for_identity(identity: EuiccIdentity) -> Self {
        let trusted_cis = identity.trusted_cis().clone();
        EuiccDownload::new(identity, trusted_cis)
    }
}

impl<S: EuiccSigner> EuiccDownload<S> {
    /// An eUICC signing with `signer` and verifying SM-DP+ certificates against `trusted_cis`
    /// (PK.CI.ECDSA for verification, SGP.22 §2.6.2). `euiccCiPKIdToBeUsed` must be the CI of
    /// the signer's CERT.EUM (its AuthorityKeyIdentifier).
    pub fn new(signer: S, trusted_cis: TrustStore) -> Self {
        let ci_pkids_for_signing = RspCertificate::from_der(signer.eum_certificate())
            .ok()
            .and_then(|eum| eum.authority_key_identifier())
            .into_iter()
            .collect();
        EuiccDownload { signer, trusted_cis, ci_pkids_for_signing, session: None, loading: None }
    }

    /// The signer.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// The trusted CIs.
    pub fn trusted_cis(&self) -> &TrustStore {
        &self.trusted_cis
    }

    /// Whether an RSP session is open (after AuthenticateServer, until the
    /// ProfileInstallationResult or CancelSession).
    pub fn in_session(&self) -> bool {
        self.session.is_some()
    }

    /// Processes one request by its tag: AuthenticateServer (`BF38`), PrepareDownload (`BF21`),
    /// CancelSession (`BF41`), otherwise a LoadBoundProfilePackage segment (`BF36`, `A0`–`A3`,
    /// `86`–`88`; `crate::es10::bpp`). Returns the response TLV (empty for a BPP segment that
    /// gets no answer yet).
    pub fn handle(&mut self, request: &[u8], euicc: &mut dyn EuiccPlatform) -> Result<Vec<u8>, RequestError> {
        let tag = TlvHeader::tag_of(request).ok_or(RequestError::Malformed)?;
        match tag {
            [0xBF, 0x38] => self.authenticate_server(request, euicc),
            [0xBF, 0x21] => self.prepare_download(request, euicc),
            [0xBF, 0x41] => self.cancel_session(request, euicc),
            _ => self.load_segment(request, euicc),
        }
    }

    /// The RSP session ended outside the role (a new GetEUICCChallenge, a card reset): forget
    /// the session and any BPP in progress.
    pub fn reset_session(&mut self) {
        self.session = None;
        self.loading = None;
    }

    /// The `5F37 40 ‖ r ‖ s` TLV of the eUICC's signature over `data`.
    fn sign_tlv(&self, data: &SignedData<'_>) -> Result<Vec<u8>, SignError> {
        let message = data
            .message()
            .map_err(|e| SignError::with_source("the message to sign could not be built", e))?;
        self.signer.sign_tlv(&message)
    }

    /// Forgets the session and any BPP in progress.
    fn end(&mut self, euicc: &mut dyn EuiccPlatform) {
        self.reset_session();
        euicc.end_session();
    }
}
