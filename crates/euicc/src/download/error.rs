//! Why and where a profile download failed, and what was done to cancel the session.

use core::fmt;

use crate::der_util::DecodeError;
use crate::es9::{Es9Error, TransactionId};
use crate::es10::{CancelSessionReason, CancelSessionResponse, InstallationError, Rejection};
use crate::isdr::Es10Error;
use crate::notify::NotificationOutcome;

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
        match self {
            Self::Server(e) => write!(f, "SM-DP+: {e}"),
            Self::Rejected(e) => write!(f, "eUICC rejected: {e}"),
            Self::Card(e) => write!(f, "eUICC: {e}"),
            Self::Decode(e) => write!(f, "invalid data: {e}"),
            Self::Declined(reason) => write!(f, "declined by the caller ({reason})"),
            Self::ConfirmationCodeMissing => f.write_str("a confirmation code is required"),
            Self::Installation(e) => write!(f, "installation failed: {e}"),
        }
    }
}

impl DownloadErrorKind {
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

/// A failed download: at which step, why, and what was cleaned up.
#[derive(Debug)]
pub struct DownloadError {
    /// The step that failed.
    pub step: DownloadStep,
    /// Why.
    pub kind: DownloadErrorKind,
    /// The RSP session, if it had started (ES9+ InitiateAuthentication succeeded).
    pub transaction_id: Option<TransactionId>,
    /// The session cancellation, when one was made: after any failure between InitiateAuthentication
    /// and the ProfileInstallationResult, except when the eUICC's own error response was forwarded
    /// to the SM-DP+ (which ends the session on both sides).
    pub cancel: Option<CancelReport>,
    /// For [`DownloadErrorKind::Installation`]: what happened to the ProfileInstallationResult
    /// notification (sent, and removed only once acknowledged).
    pub notification: Option<NotificationOutcome>,
}

impl DownloadError {
    /// The server's status code when the failure is an ES9+ `Failed`/`Expired` answer.
    pub fn status_code(&self) -> Option<&crate::es9::StatusCode> {
        match &self.kind {
            DownloadErrorKind::Server(e) => e.status_code(),
            _ => None,
        }
    }
}

impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile download failed at {}: {}", self.step, self.kind)?;
        if let Some(cancel) = &self.cancel {
            write!(f, " (session cancelled: {}", cancel.reason)?;
            if !cancel.is_complete() {
                f.write_str(", not confirmed by both sides")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for DownloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DownloadErrorKind::Server(e) => Some(e),
            DownloadErrorKind::Rejected(e) => Some(e),
            DownloadErrorKind::Card(e) => Some(e),
            DownloadErrorKind::Decode(e) => Some(e),
            DownloadErrorKind::Installation(e) => Some(e),
            DownloadErrorKind::Declined(_) | DownloadErrorKind::ConfirmationCodeMissing => None,
        }
    }
}
