//! Driving the RSP flows without blocking (sans-IO): a flow — a [download](crate::download), a
//! [discovery](crate::discovery) — is a state machine that says what it needs next and takes the
//! answer; the caller does the I/O however it likes (blocking, async on any runtime, an event
//! loop, a UI thread, another process).
//!
//! What a flow can need:
//!
//! - an ES10 exchange with the eUICC ([`Es10Exchange`]): send [`Es10Exchange::command`], the
//!   complete ES10 request TLV (SGP.22 §5.7), as [`Isdr::es10`] does (a STORE DATA sequence,
//!   §5.7.2), and give back the response data or the error;
//! - an HTTP exchange with the SM-DP+ or SM-DS ([`HttpExchange`]): POST
//!   [`HttpExchange::request`] (URL, headers and JSON body built by the library, SGP.22 §6.5) and
//!   give back the answer or the [`HttpError`];
//! - the caller's decision (a download's consent, [`ConsentExchange`](crate::download::ConsentExchange)).
//!
//! An exchange is answered by consuming it, so an answer always goes to the question asked. An
//! exchange dropped unanswered is asked again by the next call. Between exchanges a flow reports
//! progress, once each.

use oxicard_apdu::card::CardChannel;

use crate::es9::{HttpClient, HttpError, HttpRequest, HttpResponse, RspClient, RspConfig};
use crate::isdr::{Es10Error, Isdr};

/// An ES10 request a flow waits for the eUICC to answer (SGP.22 §5.7): consumed by
/// [`answer`](Self::answer).
#[derive(Debug)]
#[must_use = "a flow waits for the answer of this exchange"]
pub struct Es10Exchange<'s> {
    command: &'s [u8],
    answer: &'s mut Option<Result<Vec<u8>, Es10Error>>,
}

impl<'s> Es10Exchange<'s> {
    /// The ES10 request: one complete DER TLV (e.g. `BF20 00`, GetEUICCInfo1), to be sent as
    /// [`Isdr::es10`] sends it (SGP.22 §5.7.2).
    pub fn command(&self) -> &'s [u8] {
        self.command
    }

    /// Gives the flow the eUICC's response data (the DER of the ES10 response, as
    /// [`Isdr::es10`] returns it; empty when the eUICC answered nothing) or why there is none.
    pub fn answer(self, answer: Result<Vec<u8>, Es10Error>) {
        *self.answer = Some(answer);
    }

    /// Sends the command with [`Isdr::es10`] and gives the flow the result.
    pub fn perform<T: CardChannel>(self, isdr: &mut Isdr<T>) {
        let answer = isdr.es10(self.command);
        self.answer(answer);
    }
}

/// An HTTP request a flow waits for the SM-DP+ or SM-DS to answer (SGP.22 §6.5): consumed by
/// [`answer`](Self::answer).
#[derive(Debug)]
#[must_use = "a flow waits for the answer of this exchange"]
pub struct HttpExchange<'s> {
    request: &'s HttpRequest,
    answer: &'s mut Option<Result<HttpResponse, HttpError>>,
}

impl<'s> HttpExchange<'s> {
    /// The request to POST (URL, headers, JSON body); clone it to send it from another task.
    pub fn request(&self) -> &'s HttpRequest {
        self.request
    }

    /// Gives the flow the server's answer (any status: the library maps it) or why there is none.
    pub fn answer(self, answer: Result<HttpResponse, HttpError>) {
        *self.answer = Some(answer);
    }

    /// Sends the request with `http` and gives the flow the result.
    pub fn perform<C: HttpClient + ?Sized>(self, http: &mut C) {
        let answer = http.post(self.request);
        self.answer(answer);
    }
}

/// What a part of a flow needs next: an ES10 exchange and what to do with its answer (`E`), an
/// HTTP exchange and what to do with its answer (`H`), or nothing more: its output `T`.
pub(crate) enum Step<E, H, T> {
    /// Send this ES10 request to the eUICC.
    Es10(Vec<u8>, E),
    /// POST this request.
    Http(HttpRequest, H),
    /// Finished.
    Done(T),
}

impl<E, H, T> Step<E, H, T> {
    /// This step as a step of the flow `F` that runs it: the continuations wrapped (with `carry`,
    /// what `F` keeps meanwhile), the output handed to `done`.
    pub(crate) fn lift<F: Flow, C>(
        self,
        carry: C,
        es10: impl FnOnce(E, C) -> F::Es10,
        http: impl FnOnce(H, C) -> F::Http,
        done: impl FnOnce(T, C) -> Next<F>,
    ) -> Next<F> {
        match self {
            Step::Es10(command, then) => Next::Es10(command, es10(then, carry)),
            Step::Http(request, then) => Next::Http(request, http(then, carry)),
            Step::Done(output) => done(output, carry),
        }
    }
}

/// A part of a flow waiting for an ES10 answer.
pub(crate) trait AwaitEs10: Sized {
    /// What it becomes while it waits for an HTTP answer.
    type Http;
    /// What it ends with.
    type Output;
    /// Takes the eUICC's answer.
    fn resume(
        self,
        config: &RspConfig,
        answer: Result<Vec<u8>, Es10Error>,
    ) -> Step<Self, Self::Http, Self::Output>;
}

/// A part of a flow waiting for an HTTP answer to `sent`.
pub(crate) trait AwaitHttp: Sized {
    /// What it becomes while it waits for an ES10 answer.
    type Es10;
    /// What it ends with.
    type Output;
    /// Takes the server's answer to `sent`.
    fn resume(
        self,
        config: &RspConfig,
        sent: HttpRequest,
        answer: Result<HttpResponse, HttpError>,
    ) -> Step<Self::Es10, Self, Self::Output>;
}

/// Runs a part of a flow to its end with `isdr` and `client`, blocking.
pub(crate) fn drive<E, T, C>(
    mut step: Step<E, E::Http, E::Output>,
    client: &mut RspClient<C>,
    isdr: &mut Isdr<T>,
) -> E::Output
where
    E: AwaitEs10,
    E::Http: AwaitHttp<Es10 = E, Output = E::Output>,
    T: CardChannel,
    C: HttpClient + ?Sized,
{
    let (config, http) = client.parts_mut();
    loop {
        step = match step {
            Step::Es10(command, then) => {
                let answer = isdr.es10(&command);
                then.resume(config, answer)
            }
            Step::Http(request, then) => {
                let answer = http.post(&request);
                then.resume(config, request, answer)
            }
            Step::Done(output) => return output,
        };
    }
}

/// A whole flow (download, discovery): its state between exchanges, and how it goes on after
/// each answer.
pub(crate) trait Flow: Sized {
    /// What to do with an ES10 answer.
    type Es10;
    /// What to do with an HTTP answer.
    type Http;
    /// What the caller is asked to decide on.
    type Question;
    /// The caller's decision.
    type Decision;
    /// What to do with the decision.
    type Decided;
    /// What the flow reports between exchanges (progress).
    type Note;
    /// How the flow ends.
    type Output;

    /// Takes the eUICC's answer.
    fn on_es10(&mut self, then: Self::Es10, answer: Result<Vec<u8>, Es10Error>) -> Next<Self>;
    /// Takes the server's answer to `sent`.
    fn on_http(
        &mut self,
        then: Self::Http,
        sent: HttpRequest,
        answer: Result<HttpResponse, HttpError>,
    ) -> Next<Self>;
    /// Takes the caller's decision on `question`.
    fn on_decision(
        &mut self,
        then: Self::Decided,
        question: Self::Question,
        decision: Self::Decision,
    ) -> Next<Self>;
    /// The next report, if any (each is given once).
    fn take_note(&mut self) -> Option<Self::Note>;
    /// What the flow answers once its output was taken.
    fn over(&self) -> Self::Output;
}

/// What a [`Flow`] needs next.
pub(crate) enum Next<F: Flow> {
    /// An ES10 exchange.
    Es10(Vec<u8>, F::Es10),
    /// An HTTP exchange.
    Http(HttpRequest, F::Http),
    /// A decision of the caller.
    Ask(F::Question, F::Decided),
    /// The end.
    Done(F::Output),
}

/// The exchange a [`Machine`] waits on, with its answer once given.
enum Pending<F: Flow> {
    Es10 {
        command: Vec<u8>,
        answer: Option<Result<Vec<u8>, Es10Error>>,
        then: F::Es10,
    },
    Http {
        request: HttpRequest,
        answer: Option<Result<HttpResponse, HttpError>>,
        then: F::Http,
    },
    Ask {
        question: F::Question,
        answer: Option<F::Decision>,
        then: F::Decided,
    },
    /// The output, until taken.
    Done(Option<F::Output>),
}

impl<F: Flow> From<Next<F>> for Pending<F> {
    fn from(next: Next<F>) -> Self {
        match next {
            Next::Es10(command, then) => Pending::Es10 { command, answer: None, then },
            Next::Http(request, then) => Pending::Http { request, answer: None, then },
            Next::Ask(question, then) => Pending::Ask { question, answer: None, then },
            Next::Done(output) => Pending::Done(Some(output)),
        }
    }
}

/// What a [`Machine`] gives its driver.
pub(crate) enum Event<'s, F: Flow> {
    /// A report.
    Note(F::Note),
    /// An ES10 exchange to perform.
    Es10(Es10Exchange<'s>),
    /// An HTTP exchange to perform.
    Http(HttpExchange<'s>),
    /// A question, and where its answer goes.
    Ask(&'s F::Question, &'s mut Option<F::Decision>),
    /// The end.
    Done(F::Output),
}

/// A [`Flow`] and the exchange it waits on: the sans-IO engine behind the public sessions.
pub(crate) struct Machine<F: Flow> {
    flow: F,
    pending: Pending<F>,
}

impl<F: Flow> Machine<F> {
    /// Starts `flow` with its first step.
    pub(crate) fn start(mut flow: F, first: impl FnOnce(&mut F) -> Next<F>) -> Self {
        let pending = first(&mut flow).into();
        Self { flow, pending }
    }

    /// The flow's state.
    pub(crate) fn flow(&self) -> &F {
        &self.flow
    }

    /// Feeds the answer given to the pending exchange, if any; then the next report, the
    /// exchange waited on, or the end.
    pub(crate) fn next_event(&mut self) -> Event<'_, F> {
        self.absorb();
        let Self { flow, pending } = self;
        if let Some(note) = flow.take_note() {
            return Event::Note(note);
        }
        match pending {
            Pending::Es10 { command, answer, .. } => Event::Es10(Es10Exchange { command, answer }),
            Pending::Http { request, answer, .. } => Event::Http(HttpExchange { request, answer }),
            Pending::Ask { question, answer, .. } => Event::Ask(question, answer),
            Pending::Done(output) => Event::Done(output.take().unwrap_or_else(|| flow.over())),
        }
    }

    /// Moves the flow on with the answer given, if one was.
    fn absorb(&mut self) {
        let next = match std::mem::replace(&mut self.pending, Pending::Done(None)) {
            Pending::Es10 { answer: Some(answer), then, .. } => self.flow.on_es10(then, answer),
            Pending::Http { request, answer: Some(answer), then } => self.flow.on_http(then, request, answer),
            Pending::Ask { question, answer: Some(decision), then } => {
                self.flow.on_decision(then, question, decision)
            }
            waiting => {
                self.pending = waiting;
                return;
            }
        };
        self.pending = next.into();
    }
}
