//! Profile download: the whole SGP.22 §3.1.3 sequence between the eUICC (ES10b), the SM-DP+ (ES9+)
//! and the caller (consent, confirmation code, progress), with session cancellation on failure.
//!
//! ```no_run
//! # use oxicard_apdu::card::Card;
//! # fn demo<T: oxicard_transport::Transport>(
//! #     card: &mut Card<T>,
//! #     es9: &mut dyn oxicard_euicc::es9::Es9Client,
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
//! and removed from the eUICC only once the server acknowledged it ([`notify::deliver`]). An
//! installation error is a [`DownloadErrorKind::Installation`], with the ICCIDs of the offer, of
//! the result and, for `installFailedDueToIccidAlreadyExistsOnEuicc`, the profile already
//! installed ([`DownloadError::installation`]). No Bound Profile Package segment follows the
//! result, even one that came early ([`Isdr::load_bound_profile_package`]).
//!
//! The LPA does not check the SM-DP+ certificates or signatures: the eUICC does (SGP.22 §5.7.13,
//! §5.7.5). Comparing the activation code's SM-DP+ OID with the certificate's is left to the caller.

use oxicard_transport::Transport;

use crate::activation::{ActivationCode, ConfirmationCode, DeviceInfo};
use crate::authentication::{self, CommonCause, CommonStep, ServerAuthenticated};
use crate::der_util::{DecodeError, DecodeReason, Encoder, ctx_c, private_c, single};
use crate::es9::{
    AuthenticateClientRequest, Es9Client, Es9Error, GetBoundProfilePackageRequest, TransactionId,
};
use crate::es10::{
    CancelSessionReason, CtxParams1, ErrorReason, Message, PendingNotification, PrepareDownloadRequest,
    ProfileInfo, ProfileInfoListRequest, ProfileInfoListResponse, ProfileInstallationResult, ProfileSearch,
    Rejection,
};
use crate::es11::EventEntry;
use crate::iccid::Iccid;
use crate::isdr::Isdr;
use crate::notify::{self, NotificationOutcome};

mod cancel;
mod error;
mod progress;

pub use cancel::cancel_session;
pub use error::{CancelReport, DownloadError, DownloadErrorKind, InstallationContext};
pub use progress::{DownloadStep, Progress};

/// Where to download from: the SM-DP+ address and the MatchingID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DownloadTarget {
    /// The SM-DP+ address (FQDN, optionally `:port`).
    pub smdp_address: String,
    /// The MatchingID sent in `ctxParams1` (AC_Token or SM-DS EventID); `None` when there is none
    /// (the SM-DP+ then identifies the order by EID, SGP.22 §3.1.2).
    pub matching_id: Option<String>,
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
    /// [`notify::process_notifications`]).
    pub notification: NotificationOutcome,
}

/// Downloads and installs a profile (SGP.22 §3.1.3): see the [module docs](self).
///
/// The error is boxed: it carries the cause, the cancellation report and, after an installation
/// error, the notification's fate.
///
/// `isdr` is an open ISD-R, `es9` the ES9+ client, `handler` decides on the offered profile and
/// receives progress events.
pub fn download<T, C, H>(
    isdr: &mut Isdr<'_, T>,
    es9: &mut C,
    request: &DownloadRequest,
    handler: &mut H,
) -> Result<DownloadResult, Box<DownloadError>>
where
    T: Transport,
    C: Es9Client + ?Sized,
    H: DownloadHandler + ?Sized,
{
    let mut session = Session {
        isdr,
        es9,
        handler,
        address: &request.target.smdp_address,
        step: DownloadStep::GetEuiccInfo1,
        transaction: None,
    };
    session.run(request)
}

/// One download in progress.
struct Session<'a, 'c, T: Transport, C: ?Sized, H: ?Sized> {
    isdr: &'a mut Isdr<'c, T>,
    es9: &'a mut C,
    handler: &'a mut H,
    address: &'a str,
    step: DownloadStep,
    /// The session to cancel on failure: set by InitiateAuthentication, cleared once the eUICC
    /// ended it (error answer forwarded, ProfileInstallationResult).
    transaction: Option<TransactionId>,
}

impl<T, C, H> Session<'_, '_, T, C, H>
where
    T: Transport,
    C: Es9Client + ?Sized,
    H: DownloadHandler + ?Sized,
{
    /// Starts `step`; `bpp` is (bytes sent, bytes total) of the Bound Profile Package so far.
    fn enter(&mut self, step: DownloadStep, bpp: (usize, usize)) {
        report(&mut self.step, self.handler, step, bpp);
    }

    /// The error for a failure at the current step, after cancelling the session if there is one.
    fn fail(&mut self, kind: impl Into<DownloadErrorKind>) -> Box<DownloadError> {
        let kind = kind.into();
        let transaction_id = self.transaction.take();
        let cancel = transaction_id.as_ref().map(|tx| {
            let reason = kind.cancel_reason(self.step);
            cancel_session(self.isdr, self.es9, self.address, tx, reason)
        });
        Box::new(DownloadError {
            step: self.step,
            kind,
            transaction_id,
            cancel,
            server_answer: None,
            notification: None,
            installation: None,
        })
    }

    /// The error for the eUICC's own error answer, forwarded to the SM-DP+ (which ended the
    /// session on both sides: nothing to cancel), with the SM-DP+'s answer to it.
    fn forwarded(&mut self, rejection: Rejection, answer: Option<Es9Error>) -> Box<DownloadError> {
        if let Some(answer) = &answer {
            tracing::info!(target: "oxicard::euicc", "SM-DP+ answer to the forwarded error: {answer}");
        }
        let mut error = self.fail(rejection);
        error.server_answer = answer;
        error
    }

    fn run(&mut self, request: &DownloadRequest) -> Result<DownloadResult, Box<DownloadError>> {
        let ctx_params1 = CtxParams1 {
            matching_id: request.target.matching_id.clone(),
            device_info: request.device_info.clone(),
        };
        let (es9, handler, step, address) =
            (&mut *self.es9, &mut *self.handler, &mut self.step, self.address);
        let started = authentication::authenticate_server(
            self.isdr,
            address,
            ctx_params1,
            |initiate| es9.initiate_authentication(address, initiate),
            |common| report(step, handler, download_step(common), (0, 0)),
        );
        let ServerAuthenticated { transaction_id, authenticated } = match started {
            Ok(started) => started,
            Err(failure) => {
                self.step = download_step(failure.step);
                self.transaction = failure.transaction_id;
                return Err(self.fail(match failure.cause {
                    CommonCause::Card(e) => DownloadErrorKind::from(e),
                    CommonCause::Server(e) => DownloadErrorKind::from(e),
                }));
            }
        };
        self.transaction = Some(transaction_id.clone());

        self.enter(DownloadStep::AuthenticateClient, (0, 0));
        let client_request = AuthenticateClientRequest {
            transaction_id: transaction_id.clone(),
            authenticate_server_response: authenticated.der,
        };
        let client = self.es9.authenticate_client(self.address, &client_request);
        if let Err(error) = &authenticated.response.result {
            // Forwarded: the SM-DP+ knows, the eUICC has no session left. The server's answer
            // (normally a Failed status naming the cause) goes with the eUICC's error.
            self.transaction = None;
            self.step = DownloadStep::AuthenticateServer;
            return Err(self.forwarded(Rejection::AuthenticateServer(error.code), client.err()));
        }
        let client = client.map_err(|e| self.fail(e))?;
        let metadata = client.profile_metadata.as_deref().map(decode_profile_metadata).transpose();
        let metadata = metadata.map_err(|e| self.fail(e))?;
        let mut prepare = PrepareDownloadRequest {
            smdp_signed2: client.smdp_signed2,
            smdp_signature2: client.smdp_signature2,
            hash_cc: None,
            smdp_certificate: client.smdp_certificate,
        };
        prepare.validate().map_err(|e| self.fail(e))?;
        let cc_required = prepare.cc_required().map_err(|e| self.fail(e))?;

        self.enter(DownloadStep::Consent, (0, 0));
        let offer = ProfileOffer {
            smdp_address: self.address,
            transaction_id: &transaction_id,
            metadata,
            metadata_der: client.profile_metadata.as_deref(),
            confirmation_code_required: cc_required,
        };
        let code = match self.handler.consent(&offer) {
            Consent::Accept(code) => code.or_else(|| request.confirmation_code.clone()),
            Consent::Decline(reason) => return Err(self.fail(DownloadErrorKind::Declined(reason))),
        };
        let metadata = offer.metadata;
        if cc_required {
            let Some(code) = code else { return Err(self.fail(DownloadErrorKind::ConfirmationCodeMissing)) };
            let signed_transaction_id = prepare.transaction_id().map_err(|e| self.fail(e))?;
            prepare.hash_cc = Some(code.hash(&signed_transaction_id));
        }

        self.enter(DownloadStep::PrepareDownload, (0, 0));
        let prepared = self.isdr.prepare_download(&prepare).map_err(|e| self.fail(e))?;

        self.enter(DownloadStep::GetBoundProfilePackage, (0, 0));
        let bpp_request = GetBoundProfilePackageRequest {
            transaction_id: transaction_id.clone(),
            prepare_download_response: prepared.der,
        };
        let bpp = self.es9.get_bound_profile_package(self.address, &bpp_request);
        if let Err(error) = prepared.response.result {
            self.transaction = None;
            self.step = DownloadStep::PrepareDownload;
            return Err(self.forwarded(Rejection::PrepareDownload(error.code), bpp.err()));
        }
        let bpp = bpp.map_err(|e| self.fail(e))?.bound_profile_package;

        self.enter(DownloadStep::LoadBoundProfilePackage, (0, bpp.len()));
        let handler = &mut *self.handler;
        let loaded = self
            .isdr
            .load_bound_profile_package(&bpp, |segment| handler.progress(&Progress::loaded(segment)));
        let result = loaded.map_err(|e| self.fail(e))?;
        // The eUICC ended the session with its result: nothing to cancel from here on.
        self.transaction = None;

        self.enter(DownloadStep::HandleNotification, (bpp.len(), bpp.len()));
        let notification = PendingNotification::ProfileInstallationResult(result.clone());
        let delivered = notify::deliver(self.isdr, self.es9, &notification, true);
        match result.outcome() {
            Ok(aid) => Ok(DownloadResult {
                transaction_id,
                isdp_aid: aid.to_vec(),
                iccid: result.notification_metadata().iccid.or(metadata.as_ref().and_then(|m| m.iccid)),
                metadata,
                notification: delivered,
                installation_result: result,
            }),
            Err(error) => {
                let offered_iccid = metadata.as_ref().and_then(|m| m.iccid);
                let result_iccid = result.notification_metadata().iccid;
                let existing = match error.reason {
                    ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc => {
                        self.installed_profile(result_iccid.or(offered_iccid))
                    }
                    _ => None,
                };
                Err(Box::new(DownloadError {
                    step: DownloadStep::LoadBoundProfilePackage,
                    kind: DownloadErrorKind::Installation(error),
                    transaction_id: Some(transaction_id),
                    cancel: None,
                    server_answer: None,
                    notification: Some(delivered),
                    installation: Some(InstallationContext { offered_iccid, result_iccid, existing }),
                }))
            }
        }
    }
}

impl<T, C, H> Session<'_, '_, T, C, H>
where
    T: Transport,
    C: Es9Client + ?Sized,
    H: DownloadHandler + ?Sized,
{
    /// After `installFailedDueToIccidAlreadyExistsOnEuicc`: the installed profile with `iccid`
    /// (ES10c GetProfilesInfo with the ICCID as search criterion, SGP.22 §5.7.15), to name it in
    /// the error; `None` when it cannot be read (logged; the error stays the eUICC's result).
    fn installed_profile(&mut self, iccid: Option<Iccid>) -> Option<ProfileInfo> {
        let iccid = iccid?;
        let request = ProfileInfoListRequest { search: Some(ProfileSearch::Iccid(iccid)), tag_list: None };
        match self.isdr.profiles_with(&request) {
            Ok(profiles) => profiles.into_iter().find(|p| p.iccid == Some(iccid)),
            Err(error) => {
                tracing::info!(target: "oxicard::euicc", %iccid, "reading the installed profile failed: {error}");
                None
            }
        }
    }
}

/// The download step of a common mutual authentication step.
const fn download_step(step: CommonStep) -> DownloadStep {
    match step {
        CommonStep::GetEuiccInfo1 => DownloadStep::GetEuiccInfo1,
        CommonStep::GetEuiccChallenge => DownloadStep::GetEuiccChallenge,
        CommonStep::InitiateAuthentication => DownloadStep::InitiateAuthentication,
        CommonStep::AuthenticateServer => DownloadStep::AuthenticateServer,
    }
}

/// Records `step` as the current one and reports it to `handler`; `bpp` is (bytes sent, bytes
/// total) of the Bound Profile Package so far.
fn report<H: DownloadHandler + ?Sized>(
    current: &mut DownloadStep,
    handler: &mut H,
    step: DownloadStep,
    bpp: (usize, usize),
) {
    *current = step;
    tracing::debug!(target: "oxicard::euicc", %step, "download step");
    handler.progress(&Progress { step, bytes_sent: bpp.0, bytes_total: bpp.1, segment: None });
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
