//! Why and where a profile download failed, and what was done to cancel the session.
//!
//! The error's text ([`DownloadError::report`]: its message and its
//! [`source`](std::error::Error::source) chain, then [`DownloadError::aftermath`]) puts the
//! cause first, with what a user can act on: an SM-DP+ refusal with its subjectCode, reasonCode
//! and their meaning (SGP.22 §6.5.1.4), an installation failure with its bppCommandId,
//! errorReason and the ICCIDs concerned (SGP.22 §5.7.6), then what happened next (the server's answer to a forwarded eUICC error, the session cancellation on
//! each side, the fate of the installation result notification):
//!
//! ```text
//! profile download failed at ES9+.AuthenticateClient: SM-DP+ refused: ES9+.AuthenticateClient Failed: subjectCode 8.2.6 (MatchingID) reasonCode 3.8 (refused): MatchingID (AC_Token or EventID) refused; then the session was cancelled on the eUICC (undefinedReason (127)), not confirmed by the SM-DP+: ES9+.CancelSession Failed: subjectCode 8.10.1 (TransactionID) reasonCode 3.9 (unknown): the RSP session identified by the TransactionID is unknown
//! profile download failed at ES10b.LoadBoundProfilePackage: installation failed at storeMetadata (bppCommandId 2): installFailedDueToIccidMismatch (13): the package's ICCID 8944478600004573136 is not the offered 8944478600004573128; the result notification was delivered and removed
//! ```

use core::fmt;

use crate::asn1::DecodeError;
use crate::es9::{Es9Error, TransactionId};
use crate::es10::{
    CancelSessionReason, CancelSessionResponse, ErrorReason, InstallationError, ProfileInfo, Rejection,
};
use crate::iccid::Iccid;
use crate::isdr::Es10Error;
use crate::notify::NotificationOutcome;
use oxicard_transport::ErrorChain;

use super::DownloadStep;

/// Why a download failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum DownloadErrorKind {
    /// An ES9+ call failed: `functionExecutionStatus` Failed/Expired with its subjectCode and
    /// reasonCode ([`Es9Error::status_code`]), an HTTP or TLS error, a timeout, a malformed answer.
    Server(Es9Error),
    /// The eUICC answered an ES10 function with an error code (SGP.22 §5.7), e.g.
    /// AuthenticateServer `invalidSignature`.
    Rejected(Rejection),
    /// Talking to the eUICC failed: transport error, a STORE DATA refused with an error status
    /// word, no response.
    Card(Es10Error),
    /// The eUICC or the SM-DP+ sent data that is not the DER SGP.22 describes (a corrupt TLV,
    /// a Bound Profile Package that cannot be segmented, undecodable profile metadata).
    Decode(DecodeError),
    /// The caller declined the profile (user refusal, postponement, PPR not allowed…).
    Declined(CancelSessionReason),
    /// The SM-DP+ requires a confirmation code (`ccRequiredFlag`, SGP.22 §5.7.5) and none was given.
    ConfirmationCodeMissing,
    /// The eUICC installed nothing: its ProfileInstallationResult carries an `errorResult`
    /// (`bppCommandId`, `errorReason`, SGP.22 §5.7.6). The result was still sent to the SM-DP+
    /// as a notification (see [`DownloadError::notification`]).
    Installation(InstallationError),
    /// A [`DownloadSession`](super::DownloadSession) was asked for its next event after it had
    /// given its result ([`DownloadEvent::Done`](super::DownloadEvent::Done)).
    SessionOver,
}

impl From<Es10Error> for DownloadErrorKind {
    fn from(error: Es10Error) -> Self {
        match error {
            Es10Error::Rejected(rejection) => Self::Rejected(rejection),
            Es10Error::Decode(error) | Es10Error::MalformedRequest(error) => Self::Decode(error),
            other => Self::Card(other),
        }
    }
}

impl From<Es9Error> for DownloadErrorKind {
    fn from(error: Es9Error) -> Self {
        Self::Server(error)
    }
}

impl From<Rejection> for DownloadErrorKind {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected(rejection)
    }
}

impl From<DecodeError> for DownloadErrorKind {
    fn from(error: DecodeError) -> Self {
        Self::Decode(error)
    }
}

impl fmt::Display for DownloadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((label, cause)) = self.cause() {
            return write!(f, "{label}: {}", ErrorChain(cause));
        }
        match self {
            Self::Declined(reason) => write!(f, "declined by the caller ({reason})"),
            Self::ConfirmationCodeMissing => f.write_str("a confirmation code is required"),
            Self::Installation(e) => write_installation(f, e, None),
            Self::SessionOver => f.write_str("the download session already gave its result"),
            // Said by `cause` above.
            Self::Server(_) | Self::Rejected(_) | Self::Card(_) | Self::Decode(_) => Ok(()),
        }
    }
}

impl DownloadErrorKind {
    /// A failure whose cause is an error of its own (an [`Es9Error`], a [`Rejection`], an
    /// [`Es10Error`], a [`DecodeError`]): what [`DownloadError`]'s message says of it, and that
    /// error, its [`source`](std::error::Error::source); `None` for a failure its message says
    /// in full.
    fn cause(&self) -> Option<(&'static str, &(dyn std::error::Error + 'static))> {
        Some(match self {
            Self::Server(e @ Es9Error::FunctionFailed { .. }) => ("SM-DP+ refused", e),
            Self::Server(e) => ("SM-DP+", e),
            Self::Rejected(e) => ("eUICC rejected", e),
            Self::Card(e) => ("eUICC", e),
            Self::Decode(e) => ("invalid data", e),
            Self::Declined(_) | Self::ConfirmationCodeMissing | Self::Installation(_) | Self::SessionOver => {
                return None;
            }
        })
    }

    /// The CancelSession reason for this failure at `step` (SGP.22 §5.7.14 `CancelSessionReason`):
    /// the caller's own for [`Self::Declined`], `endUserRejection` without a confirmation code,
    /// `timeout` for an ES9+ timeout, `loadBppExecutionError` for a failed load, otherwise
    /// `undefinedReason`.
    pub fn cancel_reason(&self, step: DownloadStep) -> CancelSessionReason {
        match self {
            Self::Declined(reason) => *reason,
            Self::ConfirmationCodeMissing => CancelSessionReason::EndUserRejection,
            Self::Server(Es9Error::Timeout { .. }) => CancelSessionReason::Timeout,
            _ if step == DownloadStep::LoadBoundProfilePackage => CancelSessionReason::LoadBppExecutionError,
            _ => CancelSessionReason::UndefinedReason,
        }
    }
}

/// What cancelling the RSP session did on both sides (SGP.22 §3.1.3 "cancel session": ES10b
/// CancelSession §5.7.14, then ES9+ CancelSession §5.6.5 with the eUICC's signed response).
#[derive(Debug)]
#[non_exhaustive]
pub struct CancelReport {
    /// The reason sent to the eUICC.
    pub reason: CancelSessionReason,
    /// The eUICC's answer: its signed confirmation, or its error code (which is still forwarded).
    pub euicc: Result<CancelSessionResponse, Es10Error>,
    /// The SM-DP+'s answer to ES9+ CancelSession; `None` when there was nothing to forward
    /// (the eUICC did not answer).
    pub server: Option<Result<(), Es9Error>>,
}

impl CancelReport {
    /// Whether both sides confirmed the cancellation.
    pub fn is_complete(&self) -> bool {
        matches!(&self.euicc, Ok(r) if r.result.is_ok()) && matches!(self.server, Some(Ok(())))
    }
}

/// What each side made of the cancellation: `the session was cancelled on both sides
/// (undefinedReason (127))`, or which side did not confirm and its answer (the eUICC's error,
/// the SM-DP+'s subjectCode and reasonCode).
impl fmt::Display for CancelReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = self.reason;
        if self.is_complete() {
            return write!(f, "the session was cancelled on both sides ({reason})");
        }
        match &self.euicc {
            Err(error) => {
                return write!(
                    f,
                    "cancelling the session ({reason}) failed on the eUICC: {}; nothing was sent to the SM-DP+",
                    ErrorChain(error)
                );
            }
            Ok(answer) => match answer.result {
                Ok(_) => write!(f, "the session was cancelled on the eUICC ({reason})")?,
                Err(code) => write!(f, "the eUICC refused to cancel the session ({reason}): {code}")?,
            },
        }
        match &self.server {
            Some(Ok(())) => f.write_str(", confirmed by the SM-DP+"),
            Some(Err(error)) => write!(f, ", not confirmed by the SM-DP+: {}", ErrorChain(error)),
            None => f.write_str(", nothing was sent to the SM-DP+"),
        }
    }
}

/// What the LPA knows about the ICCIDs of a failed installation, to say which profile the
/// eUICC refused and why (SGP.22 §5.7.6 `installFailedDueToIccidAlreadyExistsOnEuicc`,
/// `installFailedDueToIccidMismatch`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallationContext {
    /// The ICCID of the profile metadata the SM-DP+ offered (ES9+ AuthenticateClient
    /// `profileMetadata`, SGP.22 §5.6.3), the one the caller consented to.
    pub offered_iccid: Option<Iccid>,
    /// The ICCID the eUICC put in the ProfileInstallationResult's `notificationMetadata`
    /// (SGP.22 §5.7.6): the one of the package it was loading.
    pub result_iccid: Option<Iccid>,
    /// The sequence number of the ProfileInstallationResult's notification (its
    /// `notificationMetadata`, SGP.22 §5.7.6): what a later `notification process` sends.
    pub seq_number: Option<u64>,
    /// For `installFailedDueToIccidAlreadyExistsOnEuicc`: the profile the eUICC already has with
    /// that ICCID, read with GetProfilesInfo (SGP.22 §5.7.15) after the failure; `None` when it
    /// could not be read.
    pub existing: Option<ProfileInfo>,
}

/// A failed download: at which step, why, and what was cleaned up.
#[derive(Debug)]
#[non_exhaustive]
pub struct DownloadError {
    /// The step that failed.
    pub step: DownloadStep,
    /// Why: the primary error (an SM-DP+ refusal, an eUICC error, the installation result).
    pub kind: DownloadErrorKind,
    /// The RSP session, if it had started (ES9+ InitiateAuthentication succeeded).
    pub transaction_id: Option<TransactionId>,
    /// The session cancellation, when one was made: after any failure between InitiateAuthentication
    /// and the ProfileInstallationResult, except when the eUICC's own error response was forwarded
    /// to the SM-DP+ (which ends the session on both sides). Secondary: it never replaces
    /// [`Self::kind`].
    pub cancel: Option<CancelReport>,
    /// When the eUICC's own error answer (AuthenticateServer, PrepareDownload) was forwarded to
    /// the SM-DP+ (SGP.22 §5.6.3, §5.6.2): the SM-DP+'s answer to it, when that was an error
    /// (normally a `Failed` status with its subjectCode and reasonCode).
    pub server_answer: Option<Es9Error>,
    /// For [`DownloadErrorKind::Installation`]: what happened to the ProfileInstallationResult
    /// notification (sent, and removed only once acknowledged).
    pub notification: Option<NotificationOutcome>,
    /// For [`DownloadErrorKind::Installation`]: the ICCIDs of the offer, of the result and of the
    /// profile already installed.
    pub installation: Option<InstallationContext>,
}

impl DownloadError {
    /// The server's status code when the failure is an ES9+ `Failed`/`Expired` answer, or the
    /// server's answer to a forwarded eUICC error.
    pub fn status_code(&self) -> Option<&crate::es9::StatusCode> {
        match &self.kind {
            DownloadErrorKind::Server(e) => e.status_code(),
            _ => self.server_answer.as_ref().and_then(Es9Error::status_code),
        }
    }
}

/// `profile download failed at STEP: ` and why: a label (`SM-DP+ refused`, `SM-DP+`,
/// `eUICC rejected`, `eUICC`, `invalid data`) when the cause is an error of its own, the
/// [`source`](std::error::Error::source) that `oxicard_transport::ErrorChain` prints after it;
/// otherwise the whole reason (a failed installation with its ICCIDs, a declined profile). What
/// was done after the failure is [`DownloadError::aftermath`]; [`DownloadError::report`] says
/// all of it on one line.
impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile download failed at {}: ", self.step)?;
        match (&self.kind, self.kind.cause()) {
            (_, Some((label, _))) => f.write_str(label),
            (DownloadErrorKind::Installation(error), None) => {
                write_installation(f, error, self.installation.as_ref())
            }
            (kind, None) => write!(f, "{kind}"),
        }
    }
}

impl DownloadError {
    /// What was done after the failure, when something was: the SM-DP+'s answer to the
    /// forwarded eUICC error, the session cancellation on each side, the fate of the
    /// installation result notification — `the session was cancelled on both sides
    /// (undefinedReason (127))`, parts joined by `"; "`.
    pub fn aftermath(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(answer) = &self.server_answer {
            parts.push(format!("the SM-DP+ answered the forwarded error with: {}", ErrorChain(answer)));
        }
        if let Some(cancel) = &self.cancel {
            parts.push(format!("then {cancel}"));
        }
        if let Some(notification) = &self.notification {
            parts.push(format!("the result notification was {notification}"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The whole story on one line, cause first: the message, each cause in turn
    /// (`oxicard_transport::ErrorChain`), then the [`aftermath`](Self::aftermath) — what a
    /// user is shown:
    ///
    /// ```text
    /// profile download failed at ES9+.GetBoundProfilePackage: SM-DP+ refused: ES9+.GetBoundProfilePackage Failed: subjectCode 8.2.7 (confirmation code) reasonCode 6.4 (maximum number of attempts exceeded): maximum number of confirmation code retries exceeded; then the session was cancelled on both sides (undefinedReason (127))
    /// ```
    pub fn report(&self) -> String {
        let chain = ErrorChain(self).to_string();
        match self.aftermath() {
            Some(aftermath) => format!("{chain}; {aftermath}"),
            None => chain,
        }
    }
}

/// The SM-DP+'s or the eUICC's error the download failed on. A failed installation has none:
/// its `errorResult` (the [`InstallationError`] of [`DownloadErrorKind::Installation`]) is said
/// in the message, with the ICCIDs only the download knows.
impl std::error::Error for DownloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.cause().map(|(_, cause)| cause)
    }
}

/// `installation failed at storeMetadata (bppCommandId 2): installFailedDueToIccidMismatch
/// (13): …`: the BPP command and the reason with their SGP.22 names and codes (§5.7.6), then
/// what the reason means, with the ICCIDs of `context` for the ICCID reasons.
fn write_installation(
    f: &mut fmt::Formatter<'_>,
    error: &InstallationError,
    context: Option<&InstallationContext>,
) -> fmt::Result {
    write!(
        f,
        "installation failed at {} (bppCommandId {}): {} ({})",
        error.command.asn1_name(),
        error.command.code(),
        error.reason.asn1_name(),
        error.reason.code()
    )?;
    let (offered, package) = context.map_or((None, None), |c| (c.offered_iccid, c.result_iccid));
    match error.reason {
        ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc => {
            match (package, offered) {
                (Some(p), Some(o)) if p != o => {
                    write!(f, ": the package's ICCID {p} (not the offered {o}) is already on the eUICC")?;
                }
                (Some(iccid), _) | (None, Some(iccid)) => {
                    write!(f, ": ICCID {iccid} is already on the eUICC")?
                }
                (None, None) => {
                    f.write_str(": a profile with the package's ICCID is already on the eUICC")?
                }
            }
            if let Some(existing) = context.and_then(|c| c.existing.as_ref()) {
                write!(f, " ({})", describe_profile(existing))?;
            }
            Ok(())
        }
        ErrorReason::InstallFailedDueToIccidMismatch => match (package, offered) {
            (Some(p), Some(o)) if p != o => write!(f, ": the package's ICCID {p} is not the offered {o}"),
            (Some(iccid), _) | (None, Some(iccid)) => {
                write!(f, ": the ICCID in the profile package does not match its metadata's ICCID {iccid}")
            }
            (None, None) => f.write_str(": the ICCID in the profile package does not match its metadata's"),
        },
        reason => match reason_meaning(reason) {
            Some(meaning) => write!(f, ": {meaning}"),
            None => Ok(()),
        },
    }
}

/// `profile "Name", disabled, ISD-P A000…`.
fn describe_profile(profile: &ProfileInfo) -> String {
    let mut parts = Vec::new();
    if let Some(name) = profile.nickname.as_ref().or(profile.profile_name.as_ref()) {
        parts.push(format!("profile {name:?}"));
    }
    if let Some(state) = profile.state {
        parts.push(state.asn1_name().to_owned());
    }
    if let Some(aid) = &profile.isdp_aid {
        parts.push(format!("ISD-P {}", hex::encode_upper(aid)));
    }
    if parts.is_empty() { "installed".to_owned() } else { parts.join(", ") }
}

/// What an ErrorReason of a failed installation means (SGP.22 §5.7.6), for those whose name
/// does not say it all; the ICCID reasons are worded with their ICCIDs by the caller.
fn reason_meaning(reason: ErrorReason) -> Option<&'static str> {
    Some(match reason {
        ErrorReason::IncorrectInputValues => "the eUICC found incorrect values in the package",
        ErrorReason::InvalidSignature => "the eUICC could not verify the SM-DP+'s signature of the package",
        ErrorReason::InvalidTransactionId => "the package is for another RSP session",
        ErrorReason::UnsupportedCrtValues => {
            "the eUICC does not support the package's key agreement parameters"
        }
        ErrorReason::UnsupportedRemoteOperationType => "the eUICC does not support the remote operation",
        ErrorReason::UnsupportedProfileClass => "the eUICC does not accept this profile class",
        ErrorReason::Scp03tStructureError => "a protected segment of the package is malformed",
        ErrorReason::Scp03tSecurityError => {
            "a protected segment of the package failed its integrity check or decryption"
        }
        ErrorReason::InstallFailedDueToInsufficientMemoryForProfile => {
            "the eUICC has not enough free memory for the profile"
        }
        ErrorReason::InstallFailedDueToInterruption => "the installation was interrupted",
        ErrorReason::InstallFailedDueToPeProcessingError => "the eUICC could not process a profile element",
        ErrorReason::TestProfileInstallFailedDueToInvalidNaaKey => "a key of the test profile is invalid",
        ErrorReason::PprNotAllowed => {
            "the profile's policy rules are not allowed by the eUICC's rules authorisation table"
        }
        ErrorReason::ServerAddressAbsentInEuiccAllowList => {
            "the SM-DP+ address is not in the eUICC's allow list"
        }
        ErrorReason::UnknownTlvInMetadata => "the profile metadata holds a member the eUICC does not know",
        ErrorReason::InstallFailedDueToUnknownError => "the eUICC gave no reason",
        _ => return None,
    })
}
