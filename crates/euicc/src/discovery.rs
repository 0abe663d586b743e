//! Profile discovery: retrieving the eUICC's pending events from an SM-DS (GSMA SGP.22 §3.6.1
//! "Event Retrieval", §3.6.2 "Profile Download initiated by the SM-DS", ES11 §5.8).
//!
//! ```no_run
//! # use oxicard_apdu::card::Card;
//! # fn demo<T: oxicard_transport::Transport>(
//! #     card: &mut Card<T>,
//! #     es11: &mut oxicard_euicc::es9::HttpEs9Client,
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
//! [`discover`] blocks on each exchange; [`DiscoverySession`] is the same discovery as a sans-IO
//! state machine the caller drives ([`crate::sans_io`]), without blocking a thread.
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

use std::collections::VecDeque;
use std::convert::Infallible;

use oxicard_apdu::card::CardChannel;
use oxicard_transport::ErrorChain;

use crate::activation::DeviceInfo;
use crate::authentication::{self, AuthEs10, AuthHttp, AuthStep, Authenticated, CommonCause, CommonStep};
use crate::es9::{
    AuthenticateClientRequest, Es9Error, HttpClient, HttpError, HttpRequest, HttpResponse, RspClient,
    RspConfig, RspFunction, TransactionId, decode_answer,
};
use crate::es10::{AuthenticateServerResponse, CtxParams1, Rejection};
use crate::es11::{Es11AuthenticateClient, Es11AuthenticateClientResponse, EventEntry};
use crate::isdr::{Es10Error, Isdr};
use crate::sans_io::{AwaitEs10, AwaitHttp, Es10Exchange, Event, Flow, HttpExchange, Machine, Next};

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
    /// A [`DiscoverySession`] was asked for its next event after it had given its result
    /// ([`DiscoveryEvent::Done`]).
    SessionOver,
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
            Self::Server(e) => write!(f, "SM-DS: {}", ErrorChain(e)),
            Self::Rejected(e) => write!(f, "eUICC rejected: {}", ErrorChain(e)),
            Self::Card(e) => write!(f, "eUICC: {}", ErrorChain(e)),
            Self::SessionOver => f.write_str("the discovery session already gave its result"),
        }
    }
}

/// A failed event retrieval: at which step and why.
#[derive(Debug)]
#[non_exhaustive]
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

/// `profile discovery failed at STEP: ` and what failed: a label (`SM-DS`, `eUICC rejected`,
/// `eUICC`) when the cause is the [`source`](std::error::Error::source), printed after it by
/// `oxicard_transport::ErrorChain`.
impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile discovery failed at {}: ", self.step)?;
        match &self.kind {
            DiscoveryErrorKind::Server(_) => f.write_str("SM-DS"),
            DiscoveryErrorKind::Rejected(_) => f.write_str("eUICC rejected"),
            DiscoveryErrorKind::Card(_) => f.write_str("eUICC"),
            kind @ DiscoveryErrorKind::SessionOver => write!(f, "{kind}"),
        }
    }
}

impl std::error::Error for DiscoveryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DiscoveryErrorKind::Server(e) => Some(e),
            DiscoveryErrorKind::Rejected(e) => Some(e),
            DiscoveryErrorKind::Card(e) => Some(e),
            DiscoveryErrorKind::SessionOver => None,
        }
    }
}

/// Retrieves the pending events of the eUICC from the SM-DS at `smds_address` (SGP.22 §3.6.1):
/// see the [module docs](self). `device_info` goes into `ctxParams1`, with no MatchingID.
///
/// The events are returned as the SM-DS listed them, possibly none. The error is boxed (it
/// carries the cause, e.g. an [`Es9Error`] with its URL and status code).
pub fn discover<T, C>(
    isdr: &mut Isdr<T>,
    es11: &mut RspClient<C>,
    smds_address: &str,
    device_info: DeviceInfo,
) -> Result<Vec<EventEntry>, Box<DiscoveryError>>
where
    T: CardChannel,
    C: HttpClient + ?Sized,
{
    discover_with_progress(isdr, es11, smds_address, device_info, |_| {})
}

/// [`discover`], calling `progress` as each step starts. This drives a [`DiscoverySession`] with
/// blocking I/O.
pub fn discover_with_progress<T, C>(
    isdr: &mut Isdr<T>,
    es11: &mut RspClient<C>,
    smds_address: &str,
    device_info: DeviceInfo,
    mut progress: impl FnMut(DiscoveryStep),
) -> Result<Vec<EventEntry>, Box<DiscoveryError>>
where
    T: CardChannel,
    C: HttpClient + ?Sized,
{
    let mut session = DiscoverySession::new(es11.config().clone(), smds_address, device_info);
    loop {
        match session.next_event() {
            DiscoveryEvent::Progress(step) => progress(step),
            DiscoveryEvent::Es10(exchange) => exchange.perform(isdr),
            DiscoveryEvent::Http(exchange) => exchange.perform(es11.http_mut()),
            DiscoveryEvent::Done(result) => return result,
        }
    }
}

/// An event retrieval driven by the caller, one exchange at a time (SGP.22 §3.6.1): what
/// [`discover`] runs with blocking I/O. Call [`next_event`](Self::next_event) and do what the
/// [`DiscoveryEvent`] asks until [`DiscoveryEvent::Done`].
pub struct DiscoverySession {
    machine: Machine<Discovery>,
}

impl fmt::Debug for DiscoverySession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flow = self.machine.flow();
        f.debug_struct("DiscoverySession")
            .field("smds_address", &flow.address)
            .field("step", &flow.step)
            .finish_non_exhaustive()
    }
}

/// What a [`DiscoverySession`] needs next, or its end (a step of SGP.22 §3.6.1).
#[derive(Debug)]
pub enum DiscoveryEvent<'s> {
    /// A step starts (reported once each).
    Progress(DiscoveryStep),
    /// Send this ES10 request to the eUICC and answer with its response (ES10b, SGP.22 §5.7).
    Es10(Es10Exchange<'s>),
    /// POST this request to the SM-DS and answer with its response (ES11, SGP.22 §5.8).
    Http(HttpExchange<'s>),
    /// The retrieval ended: the events, or why not. Given once; later calls give a
    /// [`DiscoveryErrorKind::SessionOver`].
    Done(Result<Vec<EventEntry>, Box<DiscoveryError>>),
}

impl DiscoverySession {
    /// A retrieval of the eUICC's events from the SM-DS at `smds_address`, with `device_info` in
    /// `ctxParams1` and no MatchingID; the ES11 requests are built with `config` (SGP.22 §6.5).
    pub fn new(config: RspConfig, smds_address: &str, device_info: DeviceInfo) -> Self {
        let flow = Discovery {
            config,
            address: smds_address.to_owned(),
            step: DiscoveryStep::GetEuiccInfo1,
            notes: VecDeque::new(),
        };
        let ctx_params1 = CtxParams1 { matching_id: None, device_info };
        let initiate = RspFunction::Es11InitiateAuthentication;
        Self {
            machine: authentication::start(
                flow,
                smds_address,
                ctx_params1,
                initiate,
                Discovery::authenticating,
            ),
        }
    }

    /// The step the retrieval is at (or failed at).
    pub fn step(&self) -> DiscoveryStep {
        self.machine.flow().step
    }

    /// What the session needs next (feeding it first the answer given to the previous
    /// exchange, if any): see [`DiscoveryEvent`].
    pub fn next_event(&mut self) -> DiscoveryEvent<'_> {
        match self.machine.next_event() {
            Event::Note(step) => DiscoveryEvent::Progress(step),
            Event::Es10(exchange) => DiscoveryEvent::Es10(exchange),
            Event::Http(exchange) => DiscoveryEvent::Http(exchange),
            Event::Ask(never, _) => match *never {},
            Event::Done(result) => DiscoveryEvent::Done(result),
        }
    }
}

/// The retrieval's state between exchanges.
#[derive(Debug)]
pub(crate) struct Discovery {
    config: RspConfig,
    address: String,
    step: DiscoveryStep,
    notes: VecDeque<DiscoveryStep>,
}

/// ES11 AuthenticateClient, with the eUICC's AuthenticateServer answer it forwards.
#[derive(Debug)]
pub(crate) struct EventsCall {
    request: AuthenticateClientRequest,
    authenticated: AuthenticateServerResponse,
}

/// The retrieval waiting on the SM-DS.
#[derive(Debug)]
pub(crate) enum DiscoveryHttp {
    /// The common mutual authentication.
    Auth(AuthHttp),
    /// AuthenticateClient's answer: the events.
    Events(EventsCall),
}

type Outcome = Result<Vec<EventEntry>, Box<DiscoveryError>>;

impl Flow for Discovery {
    type Es10 = AuthEs10;
    type Http = DiscoveryHttp;
    type Question = Infallible;
    type Decision = Infallible;
    type Decided = Infallible;
    type Note = DiscoveryStep;
    type Output = Outcome;

    fn on_es10(&mut self, then: AuthEs10, answer: Result<Vec<u8>, Es10Error>) -> Next<Self> {
        let step = then.resume(&self.config, answer);
        self.authenticating(step)
    }

    fn on_http(
        &mut self,
        then: DiscoveryHttp,
        sent: HttpRequest,
        answer: Result<HttpResponse, HttpError>,
    ) -> Next<Self> {
        match then {
            DiscoveryHttp::Auth(then) => {
                let step = then.resume(&self.config, sent, answer);
                self.authenticating(step)
            }
            DiscoveryHttp::Events(call) => {
                let events = decode_answer(&Es11AuthenticateClient(&call.request), &sent, answer);
                Next::Done(self.events(call, events))
            }
        }
    }

    fn on_decision(&mut self, then: Infallible, _: Infallible, _: Infallible) -> Next<Self> {
        match then {}
    }

    fn take_note(&mut self) -> Option<DiscoveryStep> {
        self.notes.pop_front()
    }

    fn over(&self) -> Outcome {
        Err(Box::new(DiscoveryError {
            step: self.step,
            kind: DiscoveryErrorKind::SessionOver,
            transaction_id: None,
        }))
    }
}

impl Discovery {
    /// Starts `step` and reports it.
    fn enter(&mut self, step: DiscoveryStep) {
        self.step = step;
        tracing::debug!(target: "oxicard::euicc", %step, "discovery step");
        self.notes.push_back(step);
    }

    /// The common mutual authentication with the SM-DS, reporting each step.
    fn authenticating(&mut self, step: AuthStep) -> Next<Self> {
        if let Some(common) = step.awaiting() {
            self.enter(DiscoveryStep::from_common(common));
        }
        step.lift(
            (),
            |then, ()| then,
            |then, ()| DiscoveryHttp::Auth(then),
            |done, ()| self.authenticated(done),
        )
    }

    /// After AuthenticateServer: ES11 AuthenticateClient with the eUICC's answer (§5.8.2).
    fn authenticated(&mut self, authenticated: Authenticated) -> Next<Self> {
        let started = match authenticated {
            Ok(started) => started,
            Err(failure) => {
                return Next::Done(Err(Box::new(DiscoveryError {
                    step: DiscoveryStep::from_common(failure.step),
                    kind: match failure.cause {
                        CommonCause::Card(e) => e.into(),
                        CommonCause::Server(e) => DiscoveryErrorKind::Server(e),
                    },
                    transaction_id: failure.transaction_id,
                })));
            }
        };
        self.enter(DiscoveryStep::AuthenticateClient);
        let call = EventsCall {
            request: AuthenticateClientRequest {
                transaction_id: started.transaction_id,
                authenticate_server_response: started.authenticated.der,
            },
            authenticated: started.authenticated.response,
        };
        let sent = self.config.request(
            RspFunction::Es11AuthenticateClient,
            &self.address,
            &Es11AuthenticateClient(&call.request),
        );
        match sent {
            Ok(sent) => Next::Http(sent, DiscoveryHttp::Events(call)),
            Err(error) => Next::Done(self.events(call, Err(error))),
        }
    }

    /// After AuthenticateClient: the events, or the eUICC's forwarded error, or the SM-DS's.
    fn events(&self, call: EventsCall, client: Result<Es11AuthenticateClientResponse, Es9Error>) -> Outcome {
        let fail = |step, kind| {
            Box::new(DiscoveryError { step, kind, transaction_id: Some(call.request.transaction_id.clone()) })
        };
        let client = authentication::forwarded(&call.authenticated, client)
            .map_err(|rejection| {
                fail(DiscoveryStep::AuthenticateServer, DiscoveryErrorKind::Rejected(rejection))
            })?
            .map_err(|e| fail(DiscoveryStep::AuthenticateClient, DiscoveryErrorKind::Server(e)))?;
        Ok(client.event_entries)
    }
}
