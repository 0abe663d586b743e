//! The profile download as a sans-IO state machine ([`DownloadSession`], SGP.22 §3.1.3): the one
//! implementation of the sequence, which [`download`](super::download) drives with blocking I/O.

use std::collections::VecDeque;

use crate::activation::ConfirmationCode;
use crate::authentication::{self, AuthEs10, AuthHttp, AuthStep, Authenticated, CommonCause, CommonStep};
use crate::es9::{
    AuthenticateClientRequest, AuthenticateClientResponse, Es9Error, GetBoundProfilePackageRequest,
    GetBoundProfilePackageResponse, HttpError, HttpRequest, HttpResponse, RspConfig, RspFunction, RspRequest,
    TransactionId, decode_answer,
};
use crate::es10::{
    CtxParams1, ErrorReason, InstallationError, Message, PendingNotification, PrepareDownloadRequest,
    PrepareDownloadResponse, ProfileInfo, ProfileInfoListRequest, ProfileInstallationResult, ProfileSearch,
    Rejection,
};
use crate::iccid::Iccid;
use crate::isdr::{Es10Error, WithDer, read_answer};
use crate::notify::{self, DeliveryEs10, DeliveryHttp, NotificationOutcome};
use crate::sans_io::{AwaitEs10, AwaitHttp, Es10Exchange, Event, Flow, HttpExchange, Machine, Next, Step};

use super::cancel::{self, CancelEs10, CancelHttp};
use super::load::LoadCursor;
use super::{
    Consent, DownloadError, DownloadErrorKind, DownloadRequest, DownloadResult, DownloadStep,
    InstallationContext, ProfileOffer, Progress, decode_profile_metadata,
};

/// A profile download driven by the caller, one exchange at a time (SGP.22 §3.1.3): the same
/// sequence, checks, cancellation and notification handling as [`download`](super::download),
/// which is this session driven with blocking I/O.
///
/// Call [`next_event`](Self::next_event) and do what the [`DownloadEvent`] asks — an ES10
/// exchange with the eUICC, an HTTP exchange with the SM-DP+, the consent — until
/// [`DownloadEvent::Done`]. Nothing in the session blocks or waits: it works the same under any
/// async runtime, an event loop, or with several sessions interleaved on one thread.
///
/// ```
/// use oxicard_euicc::activation::DeviceInfo;
/// use oxicard_euicc::download::{DownloadEvent, DownloadRequest, DownloadSession, DownloadTarget};
/// use oxicard_euicc::es9::RspConfig;
///
/// let target = DownloadTarget::new("smdp.example.com".into(), Some("MATCH-1".into()));
/// let request = DownloadRequest::new(target, DeviceInfo::from_tac("35290611".parse()?));
/// let mut session = DownloadSession::new(RspConfig::new(), &request);
/// // First it reports the step, then it asks for the eUICC's EUICCInfo1 (ES10b GetEUICCInfo).
/// assert!(matches!(session.next_event(), DownloadEvent::Progress(_)));
/// let DownloadEvent::Es10(exchange) = session.next_event() else { unreachable!() };
/// assert_eq!(exchange.command(), [0xBF, 0x20, 0x00]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DownloadSession {
    machine: Machine<Download>,
}

impl std::fmt::Debug for DownloadSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let flow = self.machine.flow();
        f.debug_struct("DownloadSession")
            .field("smdp_address", &flow.address)
            .field("step", &flow.step)
            .field("transaction_id", &flow.transaction)
            .finish_non_exhaustive()
    }
}

/// What a [`DownloadSession`] needs next, or its end (a step of SGP.22 §3.1.3).
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "the result comes once, by value as `download` returns it; boxing it would only add an allocation"
)]
pub enum DownloadEvent<'s> {
    /// A step starts, or a Bound Profile Package segment was loaded (reported once each, as
    /// [`DownloadHandler::progress`](super::DownloadHandler::progress) receives them).
    Progress(Progress),
    /// Send this ES10 request to the eUICC and answer with its response (ES10b, SGP.22 §5.7).
    Es10(Es10Exchange<'s>),
    /// POST this request to the SM-DP+ and answer with its response (ES9+, SGP.22 §5.6).
    Http(HttpExchange<'s>),
    /// Decide on the offered profile (SGP.22 §3.1.3.2 user consent, confirmation code).
    Consent(ConsentExchange<'s>),
    /// The download ended: the installed profile, or why not (after the session was cancelled
    /// when it had to be). Given once; later calls give a [`DownloadErrorKind::SessionOver`].
    Done(Result<DownloadResult, Box<DownloadError>>),
}

/// The offered profile, waiting for the caller's [`Consent`] (SGP.22 §3.1.3.2 user consent and
/// confirmation code): consumed by [`answer`](Self::answer).
#[derive(Debug)]
#[must_use = "the download waits for the consent"]
pub struct ConsentExchange<'s> {
    offer: &'s Offer,
    answer: &'s mut Option<Consent>,
}

impl<'s> ConsentExchange<'s> {
    /// The offer: SM-DP+, session, profile metadata, whether a confirmation code is required.
    pub fn offer(&self) -> ProfileOffer<'s> {
        let offer = self.offer;
        ProfileOffer {
            smdp_address: &offer.address,
            transaction_id: &offer.transaction_id,
            metadata: offer.metadata.clone(),
            metadata_der: offer.metadata_der.as_deref(),
            confirmation_code_required: offer.cc_required,
        }
    }

    /// Gives the session the decision.
    pub fn answer(self, consent: Consent) {
        *self.answer = Some(consent);
    }
}

impl DownloadSession {
    /// A download of `request` whose ES9+ requests are built with `config` (SGP.22 §6.5).
    pub fn new(config: RspConfig, request: &DownloadRequest) -> Self {
        let flow = Download {
            config,
            address: request.target.smdp_address.clone(),
            confirmation_code: request.confirmation_code.clone(),
            step: DownloadStep::GetEuiccInfo1,
            transaction: None,
            notes: VecDeque::new(),
        };
        let ctx_params1 = CtxParams1 {
            matching_id: request.target.matching_id.clone(),
            device_info: request.device_info.clone(),
        };
        let address = &request.target.smdp_address;
        let initiate = RspFunction::Es9InitiateAuthentication;
        Self {
            machine: authentication::start(flow, address, ctx_params1, initiate, Download::authenticating),
        }
    }

    /// The step the download is at (or failed at).
    pub fn step(&self) -> DownloadStep {
        self.machine.flow().step
    }

    /// What the session needs next (feeding it first the answer given to the previous
    /// exchange, if any): see [`DownloadEvent`].
    pub fn next_event(&mut self) -> DownloadEvent<'_> {
        match self.machine.next_event() {
            Event::Note(progress) => DownloadEvent::Progress(progress),
            Event::Es10(exchange) => DownloadEvent::Es10(exchange),
            Event::Http(exchange) => DownloadEvent::Http(exchange),
            Event::Ask(offer, answer) => DownloadEvent::Consent(ConsentExchange { offer, answer }),
            Event::Done(result) => DownloadEvent::Done(result),
        }
    }
}

/// The profile offered for consent.
#[derive(Debug)]
pub(crate) struct Offer {
    address: String,
    transaction_id: TransactionId,
    metadata: Option<ProfileInfo>,
    metadata_der: Option<Vec<u8>>,
    cc_required: bool,
}

/// The download's state between exchanges.
#[derive(Debug)]
pub(crate) struct Download {
    config: RspConfig,
    address: String,
    confirmation_code: Option<ConfirmationCode>,
    step: DownloadStep,
    /// The session to cancel on failure: set by InitiateAuthentication, cleared once the eUICC
    /// ended it (error answer forwarded, ProfileInstallationResult).
    transaction: Option<TransactionId>,
    notes: VecDeque<Progress>,
}

/// An ES9+ call and the eUICC's error code it forwards, if its ES10 answer was an error
/// (SGP.22 §5.6.3, §5.6.2: the SM-DP+ ends the session then).
#[derive(Debug)]
pub(crate) struct Call<R> {
    request: R,
    forwarded: Option<Rejection>,
    metadata: Option<ProfileInfo>,
}

/// The download waiting on the eUICC.
#[derive(Debug)]
pub(crate) enum DownloadEs10 {
    /// The common mutual authentication.
    Auth(AuthEs10),
    /// PrepareDownload's answer.
    Prepare(Box<Offered>),
    /// A Bound Profile Package segment's answer.
    Load(Box<Loading>),
    /// RemoveNotificationFromList of the ProfileInstallationResult.
    Deliver(DeliveryEs10, Box<Installed>),
    /// GetProfilesInfo of the profile already installed with the package's ICCID.
    Existing(Box<InstallFailure>, Iccid),
    /// ES10b CancelSession, with the failure that caused it.
    Cancel(CancelEs10, Box<DownloadError>),
}

/// The download waiting on the SM-DP+.
#[derive(Debug)]
pub(crate) enum DownloadHttp {
    /// The common mutual authentication.
    Auth(AuthHttp),
    /// AuthenticateClient's answer.
    Client(Call<AuthenticateClientRequest>),
    /// GetBoundProfilePackage's answer.
    Package(Call<GetBoundProfilePackageRequest>),
    /// HandleNotification of the ProfileInstallationResult.
    Deliver(DeliveryHttp, Box<Installed>),
    /// ES9+ CancelSession, with the failure that caused it.
    Cancel(CancelHttp, Box<DownloadError>),
}

/// The session and the profile the caller consented to.
#[derive(Debug)]
pub(crate) struct Offered {
    transaction_id: TransactionId,
    metadata: Option<ProfileInfo>,
}

/// What to do with the answer to an ES9+ call of the download.
type Answered<R> =
    fn(&mut Download, Call<R>, Result<<R as RspRequest>::Response, Es9Error>) -> Next<Download>;

/// The download after consent, before PrepareDownload.
#[derive(Debug)]
pub(crate) struct Decided {
    prepare: PrepareDownloadRequest,
}

/// A Bound Profile Package being loaded.
#[derive(Debug)]
pub(crate) struct Loading {
    transaction_id: TransactionId,
    metadata: Option<ProfileInfo>,
    bpp: Vec<u8>,
    cursor: LoadCursor,
}

/// The eUICC's ProfileInstallationResult and what the LPA knew before.
#[derive(Debug)]
pub(crate) struct Installed {
    transaction_id: TransactionId,
    metadata: Option<ProfileInfo>,
    result: ProfileInstallationResult,
}

/// A ProfileInstallationResult with an error, after its notification.
#[derive(Debug)]
pub(crate) struct InstallFailure {
    installed: Installed,
    delivered: NotificationOutcome,
    error: InstallationError,
}

type Outcome = Result<super::DownloadResult, Box<DownloadError>>;

impl Flow for Download {
    type Es10 = DownloadEs10;
    type Http = DownloadHttp;
    type Question = Offer;
    type Decision = Consent;
    type Decided = Decided;
    type Note = Progress;
    type Output = Outcome;

    fn on_es10(&mut self, then: DownloadEs10, answer: Result<Vec<u8>, Es10Error>) -> Next<Self> {
        match then {
            DownloadEs10::Auth(then) => {
                let step = then.resume(&self.config, answer);
                self.authenticating(step)
            }
            DownloadEs10::Prepare(offered) => match read_answer::<PrepareDownloadRequest>(answer) {
                Ok(prepared) => self.prepared(*offered, prepared),
                Err(error) => self.fail(error),
            },
            DownloadEs10::Load(loading) => self.loaded(loading, answer),
            DownloadEs10::Deliver(then, installed) => {
                let step = then.resume(&self.config, answer);
                self.delivering(step, installed)
            }
            DownloadEs10::Existing(failure, iccid) => {
                let profiles = read_answer::<ProfileInfoListRequest>(answer)
                    .and_then(|list| Ok(list.response.result.map_err(Rejection::from)?));
                let existing = match profiles {
                    Ok(profiles) => profiles.into_iter().find(|p| p.iccid == Some(iccid)),
                    Err(error) => {
                        tracing::info!(target: "oxicard::euicc", %iccid, "reading the installed profile failed: {}", oxicard_transport::ErrorChain(&error));
                        None
                    }
                };
                Next::Done(installation_failed(*failure, existing))
            }
            DownloadEs10::Cancel(then, error) => {
                let step = then.resume(&self.config, answer);
                cancelling(step, error)
            }
        }
    }

    fn on_http(
        &mut self,
        then: DownloadHttp,
        sent: HttpRequest,
        answer: Result<HttpResponse, HttpError>,
    ) -> Next<Self> {
        match then {
            DownloadHttp::Auth(then) => {
                let step = then.resume(&self.config, sent, answer);
                self.authenticating(step)
            }
            DownloadHttp::Client(call) => {
                let client = decode_answer(&call.request, &sent, answer);
                self.client_authenticated(call, client)
            }
            DownloadHttp::Package(call) => {
                let package = decode_answer(&call.request, &sent, answer);
                self.package_received(call, package)
            }
            DownloadHttp::Deliver(then, installed) => {
                let step = then.resume(&self.config, sent, answer);
                self.delivering(step, installed)
            }
            DownloadHttp::Cancel(then, error) => {
                let step = then.resume(&self.config, sent, answer);
                cancelling(step, error)
            }
        }
    }

    fn on_decision(&mut self, then: Decided, offer: Offer, consent: Consent) -> Next<Self> {
        let next = self.decided(then, offer, consent);
        self.or_fail(next)
    }

    fn take_note(&mut self) -> Option<Progress> {
        self.notes.pop_front()
    }

    fn over(&self) -> Outcome {
        Err(Box::new(self.error(DownloadErrorKind::SessionOver, None)))
    }
}

impl Download {
    /// Starts `step` and reports it; `bpp` is (bytes sent, bytes total) of the Bound Profile
    /// Package so far.
    fn enter(&mut self, step: DownloadStep, bpp: (usize, usize)) {
        self.step = step;
        tracing::debug!(target: "oxicard::euicc", %step, "download step");
        self.notes.push_back(Progress { step, bytes_sent: bpp.0, bytes_total: bpp.1, segment: None });
    }

    /// The error for a failure at the current step, nothing cancelled.
    fn error(&self, kind: DownloadErrorKind, transaction_id: Option<TransactionId>) -> DownloadError {
        DownloadError {
            step: self.step,
            kind,
            transaction_id,
            cancel: None,
            server_answer: None,
            notification: None,
            installation: None,
        }
    }

    /// Fails at the current step, after cancelling the session if there is one (SGP.22 §3.1.3,
    /// with the reason of [`DownloadErrorKind::cancel_reason`]).
    fn fail(&mut self, kind: impl Into<DownloadErrorKind>) -> Next<Self> {
        let transaction_id = self.transaction.take();
        let error = Box::new(self.error(kind.into(), transaction_id.clone()));
        match transaction_id {
            None => Next::Done(Err(error)),
            Some(transaction_id) => {
                let reason = error.kind.cancel_reason(self.step);
                cancelling(cancel::start(&self.address, &transaction_id, reason), error)
            }
        }
    }

    /// The eUICC's own error answer, forwarded to the SM-DP+ at `step` (which ended the session
    /// on both sides: nothing to cancel), with the SM-DP+'s answer to it.
    fn forwarded(
        &mut self,
        step: DownloadStep,
        rejection: Rejection,
        answer: Option<Es9Error>,
    ) -> Next<Self> {
        if let Some(answer) = &answer {
            tracing::info!(target: "oxicard::euicc", "SM-DP+ answer to the forwarded error: {}", oxicard_transport::ErrorChain(answer));
        }
        self.step = step;
        self.transaction = None;
        let mut error = self.error(rejection.into(), None);
        error.server_answer = answer;
        Next::Done(Err(Box::new(error)))
    }

    /// The next step, or the failure at the current step (with the session cancelled).
    fn or_fail(&mut self, next: Result<Next<Self>, DownloadErrorKind>) -> Next<Self> {
        next.unwrap_or_else(|kind| self.fail(kind))
    }

    /// Sends `request` for `function` to the SM-DP+, or takes the failure to build it (an
    /// address that cannot be used) as its answer.
    fn call<R: RspRequest>(
        &mut self,
        function: RspFunction,
        call: Call<R>,
        wrap: fn(Call<R>) -> DownloadHttp,
        answered: Answered<R>,
    ) -> Next<Self> {
        match self.config.request(function, &self.address, &call.request) {
            Ok(sent) => Next::Http(sent, wrap(call)),
            Err(error) => answered(self, call, Err(error)),
        }
    }

    /// The common mutual authentication (SGP.22 §3.1.3 steps 1–9), reporting each step.
    fn authenticating(&mut self, step: AuthStep) -> Next<Self> {
        if let Some(common) = step.awaiting() {
            self.enter(download_step(common), (0, 0));
        }
        step.lift(
            (),
            |then, ()| DownloadEs10::Auth(then),
            |then, ()| DownloadHttp::Auth(then),
            |done, ()| self.authenticated(done),
        )
    }

    /// After AuthenticateServer: ES9+ AuthenticateClient with the eUICC's answer (§5.6.3).
    fn authenticated(&mut self, authenticated: Authenticated) -> Next<Self> {
        let started = match authenticated {
            Ok(started) => started,
            Err(failure) => {
                self.step = download_step(failure.step);
                self.transaction = failure.transaction_id;
                return self.fail(match failure.cause {
                    CommonCause::Card(e) => DownloadErrorKind::from(e),
                    CommonCause::Server(e) => DownloadErrorKind::from(e),
                });
            }
        };
        self.transaction = Some(started.transaction_id.clone());
        self.enter(DownloadStep::AuthenticateClient, (0, 0));
        let forwarded = started
            .authenticated
            .response
            .result
            .as_ref()
            .err()
            .map(|e| Rejection::AuthenticateServer(e.code));
        let request = AuthenticateClientRequest {
            transaction_id: started.transaction_id,
            authenticate_server_response: started.authenticated.der,
        };
        let call = Call { request, forwarded, metadata: None };
        self.call(RspFunction::Es9AuthenticateClient, call, DownloadHttp::Client, Self::client_authenticated)
    }

    /// After AuthenticateClient: the offer, for consent (§3.1.3.2).
    fn client_authenticated(
        &mut self,
        call: Call<AuthenticateClientRequest>,
        client: Result<AuthenticateClientResponse, Es9Error>,
    ) -> Next<Self> {
        if let Some(rejection) = call.forwarded {
            // Forwarded: the SM-DP+ knows, the eUICC has no session left. The server's answer
            // (normally a Failed status naming the cause) goes with the eUICC's error.
            return self.forwarded(DownloadStep::AuthenticateServer, rejection, client.err());
        }
        let offer = self.offer(call.request.transaction_id, client);
        self.or_fail(offer)
    }

    /// The offer of the SM-DP+'s AuthenticateClient answer, its metadata decoded and its
    /// `smdpSigned2` checked.
    fn offer(
        &mut self,
        transaction_id: TransactionId,
        client: Result<AuthenticateClientResponse, Es9Error>,
    ) -> Result<Next<Self>, DownloadErrorKind> {
        let client = client?;
        let metadata = client.profile_metadata.as_deref().map(decode_profile_metadata).transpose()?;
        let prepare = PrepareDownloadRequest {
            smdp_signed2: client.smdp_signed2,
            smdp_signature2: client.smdp_signature2,
            hash_cc: None,
            smdp_certificate: client.smdp_certificate,
        };
        prepare.validate()?;
        let cc_required = prepare.cc_required()?;
        self.enter(DownloadStep::Consent, (0, 0));
        let offer = Offer {
            address: self.address.clone(),
            transaction_id,
            metadata,
            metadata_der: client.profile_metadata,
            cc_required,
        };
        Ok(Next::Ask(offer, Decided { prepare }))
    }

    /// After consent: PrepareDownload (§5.7.5), with the hashed confirmation code when the
    /// SM-DP+ requires one.
    fn decided(
        &mut self,
        then: Decided,
        offer: Offer,
        consent: Consent,
    ) -> Result<Next<Self>, DownloadErrorKind> {
        let Decided { mut prepare } = then;
        let code = match consent {
            Consent::Accept(code) => code.or_else(|| self.confirmation_code.clone()),
            Consent::Decline(reason) => return Err(DownloadErrorKind::Declined(reason)),
        };
        if offer.cc_required {
            let code = code.ok_or(DownloadErrorKind::ConfirmationCodeMissing)?;
            prepare.hash_cc = Some(code.hash(&prepare.transaction_id()?));
        }
        self.enter(DownloadStep::PrepareDownload, (0, 0));
        prepare.validate().map_err(Es10Error::MalformedRequest)?;
        let offered = Offered { transaction_id: offer.transaction_id, metadata: offer.metadata };
        Ok(Next::Es10(prepare.to_der(), DownloadEs10::Prepare(Box::new(offered))))
    }

    /// After PrepareDownload: ES9+ GetBoundProfilePackage with the eUICC's answer (§5.6.2).
    fn prepared(&mut self, offered: Offered, prepared: WithDer<PrepareDownloadResponse>) -> Next<Self> {
        let Offered { transaction_id, metadata } = offered;
        self.enter(DownloadStep::GetBoundProfilePackage, (0, 0));
        let forwarded = prepared.response.result.err().map(|e| Rejection::PrepareDownload(e.code));
        let request =
            GetBoundProfilePackageRequest { transaction_id, prepare_download_response: prepared.der };
        let call = Call { request, forwarded, metadata };
        self.call(RspFunction::Es9GetBoundProfilePackage, call, DownloadHttp::Package, Self::package_received)
    }

    /// After GetBoundProfilePackage: the load, segment by segment (§5.7.6).
    fn package_received(
        &mut self,
        call: Call<GetBoundProfilePackageRequest>,
        package: Result<GetBoundProfilePackageResponse, Es9Error>,
    ) -> Next<Self> {
        if let Some(rejection) = call.forwarded {
            return self.forwarded(DownloadStep::PrepareDownload, rejection, package.err());
        }
        let load = package.map_err(DownloadErrorKind::from).and_then(|package| {
            let bpp = package.bound_profile_package;
            self.enter(DownloadStep::LoadBoundProfilePackage, (0, bpp.len()));
            let cursor = LoadCursor::new(&bpp)?;
            Ok(Loading { transaction_id: call.request.transaction_id, metadata: call.metadata, bpp, cursor })
        });
        match load {
            Ok(loading) => self.load_next(Box::new(loading)),
            Err(kind) => self.fail(kind),
        }
    }

    /// Sends the next segment, or fails: the eUICC gave no ProfileInstallationResult.
    fn load_next(&mut self, loading: Box<Loading>) -> Next<Self> {
        match loading.cursor.next_segment() {
            Some(segment) => {
                let command = loading.bpp.get(segment).unwrap_or_default().to_vec();
                Next::Es10(command, DownloadEs10::Load(loading))
            }
            None => self.fail(Es10Error::NoInstallationResult),
        }
    }

    /// After a segment: its progress, then the next segment or the result.
    fn loaded(&mut self, mut loading: Box<Loading>, answer: Result<Vec<u8>, Es10Error>) -> Next<Self> {
        let response = match answer {
            Ok(response) => response,
            Err(error) => return self.fail(error),
        };
        let notes = &mut self.notes;
        let answered =
            loading.cursor.answered(&response, &mut |segment| notes.push_back(Progress::loaded(segment)));
        match answered {
            None => self.load_next(loading),
            Some(Err(error)) => self.fail(error),
            Some(Ok(result)) => {
                // The eUICC ended the session with its result: nothing to cancel from here on.
                self.transaction = None;
                let len = loading.bpp.len();
                self.enter(DownloadStep::HandleNotification, (len, len));
                let Loading { transaction_id, metadata, .. } = *loading;
                let notification = PendingNotification::ProfileInstallationResult(result.clone());
                let step = notify::start_delivery(&self.config, &notification, true);
                self.delivering(step, Box::new(Installed { transaction_id, metadata, result }))
            }
        }
    }

    /// The ProfileInstallationResult's delivery (§5.6.4, §3.5), then the download's end.
    fn delivering(
        &mut self,
        step: Step<DeliveryEs10, DeliveryHttp, NotificationOutcome>,
        installed: Box<Installed>,
    ) -> Next<Self> {
        step.lift(installed, DownloadEs10::Deliver, DownloadHttp::Deliver, |delivered, installed| {
            installation_ended(*installed, delivered)
        })
    }
}

/// The cancellation (§3.1.3), then the end with `error` and the report.
fn cancelling(
    step: Step<CancelEs10, CancelHttp, super::CancelReport>,
    error: Box<DownloadError>,
) -> Next<Download> {
    step.lift(error, DownloadEs10::Cancel, DownloadHttp::Cancel, |report, mut error| {
        error.cancel = Some(report);
        Next::Done(Err(error))
    })
}

/// After the result notification: the installed profile, or the installation error — naming
/// the profile already there for `installFailedDueToIccidAlreadyExistsOnEuicc`, read with
/// GetProfilesInfo (§5.7.15) first.
fn installation_ended(installed: Installed, delivered: NotificationOutcome) -> Next<Download> {
    let result = &installed.result;
    let iccid = result.notification_metadata().iccid.or(installed.metadata.as_ref().and_then(|m| m.iccid));
    match result.outcome() {
        Ok(aid) => Next::Done(Ok(DownloadResult {
            isdp_aid: aid.to_vec(),
            iccid,
            transaction_id: installed.transaction_id,
            metadata: installed.metadata,
            notification: delivered,
            installation_result: installed.result,
        })),
        Err(error) => {
            let failure = InstallFailure { installed, delivered, error };
            match (error.reason, iccid) {
                (ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc, Some(iccid)) => {
                    let request =
                        ProfileInfoListRequest { search: Some(ProfileSearch::Iccid(iccid)), tag_list: None };
                    Next::Es10(request.to_der(), DownloadEs10::Existing(Box::new(failure), iccid))
                }
                _ => Next::Done(installation_failed(failure, None)),
            }
        }
    }
}

/// The error of a failed installation (§5.7.6), with the ICCIDs the LPA knows and the profile
/// already installed, if one was read.
fn installation_failed(failure: InstallFailure, existing: Option<ProfileInfo>) -> Outcome {
    let InstallFailure { installed: Installed { transaction_id, metadata, result }, delivered, error } =
        failure;
    let offered_iccid = metadata.as_ref().and_then(|m| m.iccid);
    let result_iccid = result.notification_metadata().iccid;
    let seq_number = Some(result.notification_metadata().seq_number);
    Err(Box::new(DownloadError {
        step: DownloadStep::LoadBoundProfilePackage,
        kind: DownloadErrorKind::Installation(error),
        transaction_id: Some(transaction_id),
        cancel: None,
        server_answer: None,
        notification: Some(delivered),
        installation: Some(InstallationContext { offered_iccid, result_iccid, seq_number, existing }),
    }))
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
