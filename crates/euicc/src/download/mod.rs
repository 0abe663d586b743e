//! Profile download: the whole SGP.22 §3.1.3 sequence between the eUICC (ES10b), the SM-DP+ (ES9+)
//! and the caller (consent, confirmation code, progress), with session cancellation on failure.
//!
//! ```no_run
//! # use oxicard_apdu::card::Card;
//! # fn demo<T: oxicard_transport::Transport>(
//! #     card: &mut Card<T>,
//! #     es9: &mut oxicard_euicc::es9::HttpEs9Client,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
//! use oxicard_euicc::download::{Consent, DownloadRequest, ProfileOffer, download};
//! use oxicard_euicc::isdr::{Isdr, IsdrOptions};
//!
//! let code: ActivationCode = "LPA:1$smdp.example.com$04386-AGYFT-A74Y8-3F815".parse()?;
//! let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse()?));
//! let mut isdr = Isdr::open(card, &IsdrOptions::default())?;
//! let mut consent = |offer: &ProfileOffer<'_>| {
//!     println!("install {:?}?", offer.metadata.as_ref().and_then(|m| m.profile_name.clone()));
//!     Consent::Accept(None)
//! };
//! let installed = download(&mut isdr, es9, &request, &mut consent)?;
//! println!("installed, ISD-P {}", hex::encode_upper(&installed.isdp_aid));
//! # Ok(())
//! # }
//! ```
//!
//! [`download`] blocks on each exchange. [`DownloadSession`] is the same download as a sans-IO
//! state machine the caller drives ([`crate::sans_io`]): it says what it needs next — an ES10
//! exchange with the eUICC, an HTTP exchange with the SM-DP+, the consent — and takes the answer,
//! so a download can run on any async runtime or event loop without blocking a thread;
//! `download` is that session driven with blocking I/O, so both behave the same in every detail.
//!
//! # The sequence
//!
//! | step | exchange |
//! |---|---|
//! | [`DownloadStep::GetEuiccInfo1`], [`DownloadStep::GetEuiccChallenge`] | ES10b `BF20`, `BF2E` |
//! | [`DownloadStep::InitiateAuthentication`] | ES9+ `initiateAuthentication`: the transactionId |
//! | [`DownloadStep::AuthenticateServer`] | ES10b `BF38` with `ctxParams1` (MatchingID, DeviceInfo) |
//! | [`DownloadStep::AuthenticateClient`] | ES9+ `authenticateClient`: profile metadata, `smdpSigned2` |
//! | [`DownloadStep::Consent`] | [`DownloadHandler::consent`] (may decline; gives the confirmation code) |
//! | [`DownloadStep::PrepareDownload`] | ES10b `BF21` (with `hashCc` when `ccRequiredFlag` is set) |
//! | [`DownloadStep::GetBoundProfilePackage`] | ES9+ `getBoundProfilePackage` |
//! | [`DownloadStep::LoadBoundProfilePackage`] | ES10b `BF36` in the segments of [`bpp::segments`](crate::es10::bpp::segments) → `BF37` |
//! | [`DownloadStep::HandleNotification`] | ES9+ `handleNotification` (the `BF37`), then ES10b `BF30` once acknowledged |
//!
//! # Failures
//!
//! Every failure is a [`DownloadError`] naming the step and the cause. Once the session exists
//! (after InitiateAuthentication) and until the eUICC produced its ProfileInstallationResult, a
//! failure cancels the session on both sides ([`cancel_session`]) with the reason of
//! [`DownloadErrorKind::cancel_reason`] — `endUserRejection`, `postponed`… as the caller chose,
//! `timeout`, `loadBppExecutionError`, `undefinedReason`. Two failures need no cancellation: an
//! error answer of the eUICC to AuthenticateServer or PrepareDownload is forwarded to the SM-DP+
//! (AuthenticateClient / GetBoundProfilePackage carry it, SGP.22 §5.6.3, §5.6.2), which ends the
//! session on both sides; the server's answer to it is kept ([`DownloadError::server_answer`]).
//!
//! The cause stays the error: the cancellation ([`DownloadError::cancel`]) is reported after it,
//! with what each side answered, and never replaces it — an SM-DP+ refusal keeps its subjectCode
//! and reasonCode ([`DownloadError::status_code`]) whatever the CancelSession gives.
//!
//! The ProfileInstallationResult is a notification: it is sent to the SM-DP+ whatever it says,
//! and removed from the eUICC only once the server acknowledged it ([`notify::deliver`](crate::notify::deliver)). An
//! installation error is a [`DownloadErrorKind::Installation`], with the ICCIDs of the offer, of
//! the result and, for `installFailedDueToIccidAlreadyExistsOnEuicc`, the profile already
//! installed ([`DownloadError::installation`]). No Bound Profile Package segment follows the
//! result, even one that came early ([`Isdr::load_bound_profile_package`]).
//!
//! The LPA does not check the SM-DP+ certificates or signatures: the eUICC does (SGP.22 §5.7.13,
//! §5.7.5). Comparing the activation code's SM-DP+ OID with the certificate's is left to the caller.

use oxicard_apdu::card::CardChannel;

use crate::activation::{ActivationCode, ConfirmationCode, DeviceInfo};
use crate::asn1::{DecodeError, DecodeReason, Encoder, ctx_c, private_c, single};
use crate::es9::{HttpClient, RspClient, TransactionId};
use crate::es10::{
    CancelSessionReason, Message, ProfileInfo, ProfileInfoListResponse, ProfileInstallationResult,
};
use crate::es11::EventEntry;
use crate::iccid::Iccid;
use crate::isdr::Isdr;
use crate::notify::NotificationOutcome;

mod cancel;
mod error;
pub(crate) mod load;
mod progress;
mod session;

pub use cancel::cancel_session;
pub use error::{CancelReport, DownloadError, DownloadErrorKind, InstallationContext};
pub use progress::{DownloadStep, Progress};
pub use session::{ConsentExchange, DownloadEvent, DownloadSession};

/// Where to download from: the SM-DP+ address and the MatchingID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DownloadTarget {
    /// The SM-DP+ address (FQDN, optionally `:port`).
    pub smdp_address: String,
    /// The MatchingID sent in `ctxParams1` (AC_Token or SM-DS EventID); `None` when there is none
    /// (the SM-DP+ then identifies the order by EID, SGP.22 §3.1.2).
    pub matching_id: Option<String>,
}

impl DownloadTarget {
    /// The value with the given members.
    pub fn new(smdp_address: String, matching_id: Option<String>) -> Self {
        Self { smdp_address, matching_id }
    }
}

impl DownloadTarget {
    /// From an activation code (SGP.22 §4.1): its SM-DP+ address and MatchingID (an empty one
    /// is not sent).
    pub fn from_activation_code(code: &ActivationCode) -> Self {
        let matching_id = Some(code.matching_id()).filter(|m| !m.is_empty()).map(str::to_owned);
        Self { smdp_address: code.smdp_address().to_owned(), matching_id }
    }

    /// From an SM-DS event (SGP.22 §3.6.2): the event's server address, its EventID as MatchingID.
    pub fn from_event(event: &EventEntry) -> Self {
        Self { smdp_address: event.rsp_server_address.clone(), matching_id: Some(event.event_id.clone()) }
    }
}

impl From<&ActivationCode> for DownloadTarget {
    fn from(code: &ActivationCode) -> Self {
        Self::from_activation_code(code)
    }
}

impl From<&EventEntry> for DownloadTarget {
    fn from(event: &EventEntry) -> Self {
        Self::from_event(event)
    }
}

/// What to download, for which device.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadRequest {
    /// The SM-DP+ and MatchingID.
    pub target: DownloadTarget,
    /// The device, sent in AuthenticateServer's `ctxParams1` (SGP.22 §5.7.13).
    pub device_info: DeviceInfo,
    /// The confirmation code, if known in advance; [`Consent::Accept`] may also give it.
    pub confirmation_code: Option<ConfirmationCode>,
}

impl DownloadRequest {
    /// A request for `target` (an activation code, an SM-DS event, or a [`DownloadTarget`]).
    pub fn new(target: impl Into<DownloadTarget>, device_info: DeviceInfo) -> Self {
        Self { target: target.into(), device_info, confirmation_code: None }
    }

    /// Sets the confirmation code.
    #[must_use]
    pub fn with_confirmation_code(mut self, code: ConfirmationCode) -> Self {
        self.confirmation_code = Some(code);
        self
    }
}

/// The profile the SM-DP+ offers, shown to the caller before anything is installed
/// (SGP.22 §3.1.3.2 "user consent").
#[derive(Debug)]
#[non_exhaustive]
pub struct ProfileOffer<'a> {
    /// The SM-DP+ address.
    pub smdp_address: &'a str,
    /// The RSP session.
    pub transaction_id: &'a TransactionId,
    /// The decoded profile metadata (`StoreMetadataRequest`, SGP.22 §5.5.3: ICCID, service
    /// provider, name, icon, class, notification configuration, owner, policy rules), when the
    /// SM-DP+ sent it.
    pub metadata: Option<ProfileInfo>,
    /// The metadata TLV (`BF25 …`) as received.
    pub metadata_der: Option<&'a [u8]>,
    /// Whether the SM-DP+ requires a confirmation code (`ccRequiredFlag` of `smdpSigned2`).
    pub confirmation_code_required: bool,
}

/// The caller's decision on a [`ProfileOffer`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Consent {
    /// Go on; with the confirmation code when one is required (else the request's is used).
    Accept(Option<ConfirmationCode>),
    /// Stop, cancelling the session with this reason: `endUserRejection` (see
    /// [`Consent::refuse`]), `postponed`, `pprNotAllowed` (the profile's policy rules are not
    /// allowed by the eUICC's rules authorisation table), `metadataMismatch`…
    Decline(CancelSessionReason),
}

impl Consent {
    /// The end user refused: `endUserRejection(0)`.
    pub const fn refuse() -> Self {
        Self::Decline(CancelSessionReason::EndUserRejection)
    }

    /// The end user postponed: `postponed(1)`.
    pub const fn postpone() -> Self {
        Self::Decline(CancelSessionReason::Postponed)
    }
}

/// The caller's side of a download: consent and progress.
///
/// Closures `FnMut(&ProfileOffer<'_>) -> Consent` implement it (without progress reports).
pub trait DownloadHandler {
    /// Decides on the offered profile (called once, after ES9+ AuthenticateClient).
    fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent;

    /// Called at the start of each step and after each Bound Profile Package segment.
    fn progress(&mut self, progress: &Progress) {
        let _ = progress;
    }
}

impl<F: FnMut(&ProfileOffer<'_>) -> Consent> DownloadHandler for F {
    fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent {
        self(offer)
    }
}

/// A successful download.
#[derive(Debug)]
#[non_exhaustive]
pub struct DownloadResult {
    /// The RSP session.
    pub transaction_id: TransactionId,
    /// The new profile's ISD-P AID.
    pub isdp_aid: Vec<u8>,
    /// Its ICCID (from the ProfileInstallationResult, else from the metadata).
    pub iccid: Option<Iccid>,
    /// The profile metadata the caller consented to.
    pub metadata: Option<ProfileInfo>,
    /// The ProfileInstallationResult as the eUICC signed it.
    pub installation_result: ProfileInstallationResult,
    /// What happened to its notification (delivered and removed, or kept for a later
    /// [`notify::process_notifications`](crate::notify::process_notifications)).
    pub notification: NotificationOutcome,
}

/// Downloads and installs a profile (SGP.22 §3.1.3): see the [module docs](self).
///
/// The error is boxed: it carries the cause, the cancellation report and, after an installation
/// error, the notification's fate.
///
/// `isdr` is an open ISD-R, `es9` the ES9+ client, `handler` decides on the offered profile and
/// receives progress events. This drives a [`DownloadSession`] with blocking I/O.
pub fn download<T, C, H>(
    isdr: &mut Isdr<T>,
    es9: &mut RspClient<C>,
    request: &DownloadRequest,
    handler: &mut H,
) -> Result<DownloadResult, Box<DownloadError>>
where
    T: CardChannel,
    C: HttpClient + ?Sized,
    H: DownloadHandler + ?Sized,
{
    let mut session = DownloadSession::new(es9.config().clone(), request);
    loop {
        match session.next_event() {
            DownloadEvent::Progress(progress) => handler.progress(&progress),
            DownloadEvent::Es10(exchange) => exchange.perform(isdr),
            DownloadEvent::Http(exchange) => exchange.perform(es9.http_mut()),
            DownloadEvent::Consent(exchange) => {
                let consent = handler.consent(&exchange.offer());
                exchange.answer(consent);
            }
            DownloadEvent::Done(result) => return result,
        }
    }
}

/// Decodes the profile metadata (`StoreMetadataRequest`, `BF25`, SGP.22 §5.5.3). Its members have
/// the tags of the same ProfileInfo members (§5.7.15: `5A 91 92 93 94 95 B6 B7 99`), so it is
/// decoded as a ProfileInfo; members ProfileInfo does not have are skipped.
pub fn decode_profile_metadata(der: &[u8]) -> Result<ProfileInfo, DecodeError> {
    let metadata = single(der, ctx_c(37), "StoreMetadataRequest")?;
    let mut e = Encoder::new();
    e.nested(ctx_c(45), |e| e.nested(ctx_c(0), |e| e.tlv(private_c(3), metadata.value())));
    let list = ProfileInfoListResponse::from_der(&e.finish())?;
    list.result
        .ok()
        .and_then(|mut profiles| profiles.pop())
        .ok_or_else(|| DecodeError::new("StoreMetadataRequest", DecodeReason::Missing("profile metadata")))
}
