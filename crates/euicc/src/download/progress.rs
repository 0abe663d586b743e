//! The steps of a profile download and the progress events reported for them (SGP.22 §3.1.3).

use core::fmt;

use crate::isdr::LoadProgress;

/// A step of the profile download sequence, in order (SGP.22 §3.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DownloadStep {
    /// ES10b GetEUICCInfo (EUICCInfo1, `BF20`, §5.7.8).
    GetEuiccInfo1,
    /// ES10b GetEUICCChallenge (`BF2E`, §5.7.7).
    GetEuiccChallenge,
    /// ES9+ InitiateAuthentication (§5.6.1): the RSP session (transactionId) starts here.
    InitiateAuthentication,
    /// ES10b AuthenticateServer (`BF38`, §5.7.13).
    AuthenticateServer,
    /// ES9+ AuthenticateClient (§5.6.3): the profile metadata arrives.
    AuthenticateClient,
    /// The caller's decision on the offered profile: consent and confirmation code (§3.1.3.2).
    Consent,
    /// ES10b PrepareDownload (`BF21`, §5.7.5).
    PrepareDownload,
    /// ES9+ GetBoundProfilePackage (§5.6.2).
    GetBoundProfilePackage,
    /// ES10b LoadBoundProfilePackage (`BF36` segments, §5.7.6), up to the ProfileInstallationResult.
    LoadBoundProfilePackage,
    /// ES9+ HandleNotification of the ProfileInstallationResult (§5.6.4), then its removal from
    /// the eUICC (RemoveNotificationFromList, §5.7.11) once acknowledged.
    HandleNotification,
}

impl DownloadStep {
    /// The SGP.22 function name of the step.
    pub const fn name(self) -> &'static str {
        match self {
            Self::GetEuiccInfo1 => "ES10b.GetEUICCInfo",
            Self::GetEuiccChallenge => "ES10b.GetEUICCChallenge",
            Self::InitiateAuthentication => "ES9+.InitiateAuthentication",
            Self::AuthenticateServer => "ES10b.AuthenticateServer",
            Self::AuthenticateClient => "ES9+.AuthenticateClient",
            Self::Consent => "user consent",
            Self::PrepareDownload => "ES10b.PrepareDownload",
            Self::GetBoundProfilePackage => "ES9+.GetBoundProfilePackage",
            Self::LoadBoundProfilePackage => "ES10b.LoadBoundProfilePackage",
            Self::HandleNotification => "ES9+.HandleNotification",
        }
    }
}

impl fmt::Display for DownloadStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A progress event: reported when a step starts, and after each LoadBoundProfilePackage segment.
///
/// `bytes_sent / bytes_total` only grows: it is 0/0 until the package arrives, 0/n when the load
/// starts, n/n from the end of the load on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The current step.
    pub step: DownloadStep,
    /// Bound Profile Package bytes sent to the eUICC so far (0 before the load).
    pub bytes_sent: usize,
    /// Bound Profile Package length (0 until the package arrived).
    pub bytes_total: usize,
    /// During the load: the segment just sent.
    pub segment: Option<LoadProgress>,
}

impl Progress {
    /// The event after a LoadBoundProfilePackage segment.
    pub const fn loaded(segment: LoadProgress) -> Self {
        Self {
            step: DownloadStep::LoadBoundProfilePackage,
            bytes_sent: segment.bytes_sent,
            bytes_total: segment.bytes_total,
            segment: Some(segment),
        }
    }
}
