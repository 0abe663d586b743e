//! Profile discovery: retrieving the eUICC's pending events from an SM-DS (GSMA SGP.22 §3.6.1
//! "Event Retrieval", §3.6.2 "Profile Download initiated by the SM-DS", ES11 §5.8).
//!
//! ```no_run
//! # use oxicard_apdu::card::Card;
//! # fn demo<T: oxicard_transport::Transport>(
//! #     card: &mut Card<T>,
//! #     es11: &mut impl oxicard_euicc::es11::Es11Client,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use oxicard_euicc::activation::DeviceInfo;
//! use oxicard_euicc::discovery::discover;
//! use oxicard_euicc::isdr::{Isdr, IsdrOptions};
//!
//! let mut isdr = Isdr::open(card, &IsdrOptions::default())?;
//! let smds = isdr.configured_addresses()?.root_ds_address;
//! let events = discover(&mut isdr, es11, &smds, DeviceInfo::from_tac("35290611".parse()?))?;
//! for event in &events {
//!     // Each event downloads like the activation code `1$<rspServerAddress>$<eventId>`.
//!     println!("{} at {}", event.event_id, event.rsp_server_address);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # The sequence
//!
//! The common mutual authentication of a download, run against the SM-DS (the same code as
//! [`download`](crate::download::download)):
//!
//! | step | exchange |
//! |---|---|
//! | [`DiscoveryStep::GetEuiccInfo1`], [`DiscoveryStep::GetEuiccChallenge`] | ES10b `BF20`, `BF2E` |
//! | [`DiscoveryStep::InitiateAuthentication`] | ES11 `initiateAuthentication` (`smdpAddress` = the SM-DS address) |
//! | [`DiscoveryStep::AuthenticateServer`] | ES10b `BF38` with `ctxParams1` **without** `matchingId` (§5.7.13: the eUICC then accepts a CERT.DSauth) |
//! | [`DiscoveryStep::AuthenticateClient`] | ES11 `authenticateClient`: the `eventEntries` |
//!
//! Each [`EventEntry`] is then downloaded with [`DownloadRequest::new`](crate::download::DownloadRequest::new)
//! (its `rspServerAddress` as SM-DP+, its `eventId` as MatchingID); an entry may also point to
//! another SM-DS (cascaded discovery, §3.6.3), which the caller discovers in turn.
//!
//! # Failures
//!
//! Every failure is a [`DiscoveryError`] naming the step. **Nothing is cancelled**, unlike a
//! failed download:
//!
//! - ES11 has no CancelSession (SGP.22 §5.8 defines only InitiateAuthentication and
//!   AuthenticateClient), so there is no server to send the eUICC's signed cancellation to;
//! - lpac (`src/applet/profile/discovery.c`: on any error it prints it and cleans up HTTP state,
//!   no `es10b_cancel_session`) and euicc-go (`lpa/es11.go` `Discovery`: returns the error) do not
//!   cancel either;
//! - the eUICC's session context is discarded by the next GetEUICCChallenge, which every later
//!   download or discovery starts with (the eUICC keeps one RSP session, which
//!   GetEUICCChallenge, SGP.22 §5.7.7, starts anew).
//!
//! An error **answer** of the eUICC to AuthenticateServer is still forwarded to the SM-DS in
//! `authenticateClient` (its `authenticateServerResponse` may be an AuthenticateResponseError,
//! §5.8.2), as in a download; the error is then [`DiscoveryErrorKind::Rejected`] at
//! [`DiscoveryStep::AuthenticateServer`].
//!
//! The LPA does not check the SM-DS certificate or signature: the eUICC does (§5.7.13).

use core::fmt;

use oxicard_transport::Transport;

use crate::activation::DeviceInfo;
use crate::authentication::{self, CommonCause, CommonStep, ServerAuthenticated};
use crate::es9::{AuthenticateClientRequest, Es9Error, TransactionId};
use crate::es10::{CtxParams1, Rejection};
use crate::es11::{Es11Client, EventEntry};
use crate::isdr::{Es10Error, Isdr};

/// A step of event retrieval, in order (SGP.22 §3.6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DiscoveryStep {
    /// ES10b GetEUICCInfo (EUICCInfo1, `BF20`, §5.7.8).
    GetEuiccInfo1,
    /// ES10b GetEUICCChallenge (`BF2E`, §5.7.7).
    GetEuiccChallenge,
    /// ES11 InitiateAuthentication (§5.8.1).
    InitiateAuthentication,
    /// ES10b AuthenticateServer (`BF38`, §5.7.13), without MatchingID.
    AuthenticateServer,
    /// ES11 AuthenticateClient (§5.8.2): the event entries arrive.
    AuthenticateClient,
}

impl DiscoveryStep {
    /// The SGP.22 function name of the step.
    pub const fn name(self) -> &'static str {
        match self {
            Self::GetEuiccInfo1 => "ES10b.GetEUICCInfo",
            Self::GetEuiccChallenge => "ES10b.GetEUICCChallenge",
            Self::InitiateAuthentication => "ES11.InitiateAuthentication",
            Self::AuthenticateServer => "ES10b.AuthenticateServer",
            Self::AuthenticateClient => "ES11.AuthenticateClient",
        }
    }

    const fn from_common(step: CommonStep) -> Self {
        match step {
            CommonStep::GetEuiccInfo1 => Self::GetEuiccInfo1,
            CommonStep::GetEuiccChallenge => Self::GetEuiccChallenge,
            CommonStep::InitiateAuthentication => Self::InitiateAuthentication,
            CommonStep::AuthenticateServer => Self::AuthenticateServer,
        }
    }
}

impl fmt::Display for DiscoveryStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why event retrieval failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum DiscoveryErrorKind {
    /// An ES11 call failed: `functionExecutionStatus` Failed/Expired with its subjectCode and
    /// reasonCode ([`Es9Error::status_code`]), an HTTP or TLS error, a timeout, a malformed answer.
    Server(Es9Error),
    /// The eUICC answered with an error code (SGP.22 §5.7), e.g. AuthenticateServer
    /// `invalidCertificate` for an SM-DS certificate it does not trust.
    Rejected(Rejection),
    /// Talking to the eUICC failed: transport error, a STORE DATA refused with an error status
    /// word, a response that is not the expected DER.
    Card(Es10Error),
}

impl From<Es10Error> for DiscoveryErrorKind {
    fn from(error: Es10Error) -> Self {
        match error {
            Es10Error::Rejected(rejection) => Self::Rejected(rejection),
            other => Self::Card(other),
        }
    }
}

impl fmt::Display for DiscoveryErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(e) => write!(f, "SM-DS: {e}"),
            Self::Rejected(e) => write!(f, "eUICC rejected: {e}"),
            Self::Card(e) => write!(f, "eUICC: {e}"),
        }
    }
}

/// A failed event retrieval: at which step and why.
#[derive(Debug)]
pub struct DiscoveryError {
    /// The step that failed.
    pub step: DiscoveryStep,
    /// Why.
    pub kind: DiscoveryErrorKind,
    /// The RSP session with the SM-DS, if it had started (ES11 InitiateAuthentication succeeded).
    pub transaction_id: Option<TransactionId>,
}

impl DiscoveryError {
    /// The SM-DS's status code when the failure is an ES11 `Failed`/`Expired` answer.
    pub fn status_code(&self) -> Option<&crate::es9::StatusCode> {
        match &self.kind {
            DiscoveryErrorKind::Server(e) => e.status_code(),
            _ => None,
        }
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile discovery failed at {}: {}", self.step, self.kind)
    }
}

impl std::error::Error for DiscoveryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DiscoveryErrorKind::Server(e) => Some(e),
            DiscoveryErrorKind::Rejected(e) => Some(e),
            DiscoveryErrorKind::Card(e) => Some(e),
        }
    }
}

/// Retrieves the pending events of the eUICC from the SM-DS at `smds_address` (SGP.22 §3.6.1):
/// see the [module docs](self). `device_info` goes into `ctxParams1`, with no MatchingID.
///
/// The events are returned as the SM-DS listed them, possibly none. The error is boxed (it
/// carries the cause, e.g. an [`Es9Error`] with its URL and status code).
pub fn discover<T, C>(
    isdr: &mut Isdr<'_, T>,
    es11: &mut C,
    smds_address: &str,
    device_info: DeviceInfo,
) -> Result<Vec<EventEntry>, Box<DiscoveryError>>
where
    T: Transport,
    C: Es11Client + ?Sized,
{
    discover_with_progress(isdr, es11, smds_address, device_info, |_| {})
}

/// [`discover`], calling `progress` as each step starts.
pub fn discover_with_progress<T, C>(
    isdr: &mut Isdr<'_, T>,
    es11: &mut C,
    smds_address: &str,
    device_info: DeviceInfo,
    mut progress: impl FnMut(DiscoveryStep),
) -> Result<Vec<EventEntry>, Box<DiscoveryError>>
where
    T: Transport,
    C: Es11Client + ?Sized,
{
    let mut enter = |step: DiscoveryStep| {
        tracing::debug!(target: "oxicard::euicc", %step, "discovery step");
        progress(step);
    };
    let ctx_params1 = CtxParams1 { matching_id: None, device_info };
    let started = authentication::authenticate_server(
        isdr,
        smds_address,
        ctx_params1,
        |request| es11.es11_initiate_authentication(smds_address, request),
        |step| enter(DiscoveryStep::from_common(step)),
    );
    let ServerAuthenticated { transaction_id, authenticated } = started.map_err(|failure| {
        Box::new(DiscoveryError {
            step: DiscoveryStep::from_common(failure.step),
            kind: match failure.cause {
                CommonCause::Card(e) => e.into(),
                CommonCause::Server(e) => DiscoveryErrorKind::Server(e),
            },
            transaction_id: failure.transaction_id,
        })
    })?;

    enter(DiscoveryStep::AuthenticateClient);
    let request = AuthenticateClientRequest {
        transaction_id: transaction_id.clone(),
        authenticate_server_response: authenticated.der,
    };
    let client = es11.es11_authenticate_client(smds_address, &request);
    let fail =
        |step, kind| Box::new(DiscoveryError { step, kind, transaction_id: Some(transaction_id.clone()) });
    let client = authentication::forwarded(&authenticated.response, client)
        .map_err(|rejection| {
            fail(DiscoveryStep::AuthenticateServer, DiscoveryErrorKind::Rejected(rejection))
        })?
        .map_err(|e| fail(DiscoveryStep::AuthenticateClient, DiscoveryErrorKind::Server(e)))?;
    Ok(client.event_entries)
}
