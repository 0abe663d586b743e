//! The common mutual authentication that opens every RSP session, shared by profile download
//! (SGP.22 §3.1.3 steps 1–9 "common mutual authentication", §3.1.2) and SM-DS event retrieval
//! (§3.6.1 / §3.6.2, which run the same procedure against the SM-DS): ES10b GetEUICCInfo1 and
//! GetEUICCChallenge, the server's InitiateAuthentication (ES9+ §5.6.1 or ES11 §5.8.1), ES10b
//! AuthenticateServer (§5.7.13) with `ctxParams1`, and the forwarding of the eUICC's answer to the
//! server's AuthenticateClient (ES9+ §5.6.3 or ES11 §5.8.2).

use crate::es9::{
    Es9Error, HttpError, HttpRequest, HttpResponse, InitiateAuthenticationRequest,
    InitiateAuthenticationResponse, RspConfig, RspFunction, TransactionId, decode_answer,
};
use crate::es10::{
    AuthenticateServerRequest, AuthenticateServerResponse, CtxParams1, GetEuiccChallengeRequest,
    GetEuiccInfo1Request, Message, Rejection,
};
use crate::isdr::{Es10Error, WithDer, read_answer};
use crate::sans_io::{AwaitEs10, AwaitHttp, Flow, Machine, Next, Step};

/// The steps of the common mutual authentication, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommonStep {
    /// ES10b GetEUICCInfo (EUICCInfo1, `BF20`, §5.7.8).
    GetEuiccInfo1,
    /// ES10b GetEUICCChallenge (`BF2E`, §5.7.7).
    GetEuiccChallenge,
    /// ES9+ / ES11 InitiateAuthentication (§5.6.1 / §5.8.1): the RSP session starts.
    InitiateAuthentication,
    /// ES10b AuthenticateServer (`BF38`, §5.7.13).
    AuthenticateServer,
}

/// Why a step of the common mutual authentication failed.
#[derive(Debug)]
pub(crate) enum CommonCause {
    /// Talking to the eUICC failed (or it answered a function with an error code).
    Card(Es10Error),
    /// The server's InitiateAuthentication failed.
    Server(Es9Error),
}

/// A failed common mutual authentication.
#[derive(Debug)]
pub(crate) struct CommonFailure {
    /// The failed step.
    pub(crate) step: CommonStep,
    /// Why.
    pub(crate) cause: CommonCause,
    /// The RSP session, when InitiateAuthentication succeeded before the failure.
    pub(crate) transaction_id: Option<TransactionId>,
}

/// The eUICC's answer to AuthenticateServer, to be forwarded to the server's AuthenticateClient.
#[derive(Debug)]
pub(crate) struct ServerAuthenticated {
    /// The RSP session (from InitiateAuthentication).
    pub(crate) transaction_id: TransactionId,
    /// The AuthenticateServerResponse, success or error, with its DER.
    pub(crate) authenticated: WithDer<AuthenticateServerResponse>,
}

/// The outcome of the common mutual authentication.
pub(crate) type Authenticated = Result<ServerAuthenticated, Box<CommonFailure>>;

/// The common mutual authentication as a part of a sans-IO flow ([`crate::sans_io`]).
pub(crate) type AuthStep = Step<AuthEs10, AuthHttp, Authenticated>;

/// What the authentication runs with.
#[derive(Debug)]
pub(crate) struct Authentication {
    /// The server's address (SM-DP+ or SM-DS).
    address: String,
    /// `ctxParams1` of AuthenticateServer.
    ctx_params1: CtxParams1,
    /// ES9+ or ES11 InitiateAuthentication.
    initiate: RspFunction,
}

/// The authentication waiting on the eUICC.
#[derive(Debug)]
pub(crate) enum AuthEs10 {
    /// For EUICCInfo1.
    Info1(Authentication),
    /// For the challenge, with EUICCInfo1's DER.
    Challenge(Authentication, Vec<u8>),
    /// For AuthenticateServer's answer, in the RSP session.
    Server(TransactionId),
}

/// The authentication waiting on the server's InitiateAuthentication.
#[derive(Debug)]
pub(crate) struct AuthHttp {
    authentication: Authentication,
    request: InitiateAuthenticationRequest,
}

/// Starts GetEUICCInfo1, GetEUICCChallenge, the server's InitiateAuthentication (`initiate`, ES9+
/// §5.6.1 or ES11 §5.8.1) at `address`, and AuthenticateServer with `ctx_params1` (§5.7.13).
///
/// An error **answer** of the eUICC to AuthenticateServer is not a failure here: it is returned
/// to be forwarded to the server (see [`forwarded`]).
pub(crate) fn authenticate_server(address: &str, ctx_params1: CtxParams1, initiate: RspFunction) -> AuthStep {
    let authentication = Authentication { address: address.to_owned(), ctx_params1, initiate };
    Step::Es10(GetEuiccInfo1Request.to_der(), AuthEs10::Info1(authentication))
}

/// A [`Machine`] running `flow`, which starts with the common mutual authentication at
/// `address` (ES9+ or ES11 `initiate`) and goes on through `authenticating`.
pub(crate) fn start<F: Flow>(
    flow: F,
    address: &str,
    ctx_params1: CtxParams1,
    initiate: RspFunction,
    authenticating: fn(&mut F, AuthStep) -> Next<F>,
) -> Machine<F> {
    Machine::start(flow, |flow| authenticating(flow, authenticate_server(address, ctx_params1, initiate)))
}

impl AuthStep {
    /// The step the authentication waits on, `None` once it ended.
    pub(crate) fn awaiting(&self) -> Option<CommonStep> {
        match self {
            Step::Es10(_, AuthEs10::Info1(_)) => Some(CommonStep::GetEuiccInfo1),
            Step::Es10(_, AuthEs10::Challenge(..)) => Some(CommonStep::GetEuiccChallenge),
            Step::Http(..) => Some(CommonStep::InitiateAuthentication),
            Step::Es10(_, AuthEs10::Server(_)) => Some(CommonStep::AuthenticateServer),
            Step::Done(_) => None,
        }
    }
}

/// The failure of `step` because of the eUICC.
fn card(step: CommonStep, cause: Es10Error, transaction_id: Option<TransactionId>) -> AuthStep {
    Step::Done(Err(Box::new(CommonFailure { step, cause: CommonCause::Card(cause), transaction_id })))
}

impl AwaitEs10 for AuthEs10 {
    type Http = AuthHttp;
    type Output = Authenticated;

    fn resume(self, config: &RspConfig, answer: Result<Vec<u8>, Es10Error>) -> AuthStep {
        match self {
            AuthEs10::Info1(authentication) => match read_answer::<GetEuiccInfo1Request>(answer) {
                Ok(info1) => Step::Es10(
                    GetEuiccChallengeRequest.to_der(),
                    AuthEs10::Challenge(authentication, info1.der),
                ),
                Err(cause) => card(CommonStep::GetEuiccInfo1, cause, None),
            },
            AuthEs10::Challenge(authentication, euicc_info1) => {
                match read_answer::<GetEuiccChallengeRequest>(answer) {
                    Ok(challenge) => {
                        let request = InitiateAuthenticationRequest {
                            smdp_address: authentication.address.clone(),
                            euicc_challenge: challenge.response.challenge,
                            euicc_info1,
                        };
                        let sent = config.request(authentication.initiate, &authentication.address, &request);
                        let then = AuthHttp { authentication, request };
                        match sent {
                            Ok(sent) => Step::Http(sent, then),
                            Err(cause) => then.initiated(Err(cause)),
                        }
                    }
                    Err(cause) => card(CommonStep::GetEuiccChallenge, cause, None),
                }
            }
            AuthEs10::Server(transaction_id) => match read_answer::<AuthenticateServerRequest>(answer) {
                Ok(authenticated) => Step::Done(Ok(ServerAuthenticated { transaction_id, authenticated })),
                Err(cause) => card(CommonStep::AuthenticateServer, cause, Some(transaction_id)),
            },
        }
    }
}

impl AwaitHttp for AuthHttp {
    type Es10 = AuthEs10;
    type Output = Authenticated;

    fn resume(self, _: &RspConfig, sent: HttpRequest, answer: Result<HttpResponse, HttpError>) -> AuthStep {
        let initiated = decode_answer(&self.request, &sent, answer);
        self.initiated(initiated)
    }
}

impl AuthHttp {
    /// After InitiateAuthentication: AuthenticateServer with the server's signed data, in the
    /// new RSP session.
    fn initiated(self, initiated: Result<InitiateAuthenticationResponse, Es9Error>) -> AuthStep {
        let initiated = match initiated {
            Ok(initiated) => initiated,
            Err(cause) => {
                return Step::Done(Err(Box::new(CommonFailure {
                    step: CommonStep::InitiateAuthentication,
                    cause: CommonCause::Server(cause),
                    transaction_id: None,
                })));
            }
        };
        let transaction_id = initiated.transaction_id;
        let request = AuthenticateServerRequest {
            server_signed1: initiated.server_signed1,
            server_signature1: initiated.server_signature1,
            euicc_ci_pkid_to_be_used: Some(initiated.euicc_ci_pkid_to_be_used),
            server_certificate: initiated.server_certificate,
            ctx_params1: self.authentication.ctx_params1,
        };
        match request.validate() {
            Ok(()) => Step::Es10(request.to_der(), AuthEs10::Server(transaction_id)),
            Err(error) => {
                card(CommonStep::AuthenticateServer, Es10Error::MalformedRequest(error), Some(transaction_id))
            }
        }
    }
}

/// After the eUICC's AuthenticateServer answer went to the server's AuthenticateClient (whose
/// result is `client`): when that answer was an error code, the server was told and ends the
/// session (SGP.22 §5.6.3 / §5.8.2), and the error is the eUICC's rejection (the server's own
/// answer is only logged); otherwise `client` as it is.
pub(crate) fn forwarded<R>(
    authenticated: &AuthenticateServerResponse,
    client: Result<R, Es9Error>,
) -> Result<Result<R, Es9Error>, Rejection> {
    match &authenticated.result {
        Ok(_) => Ok(client),
        Err(error) => {
            if let Err(server) = client {
                tracing::info!(target: "oxicard::euicc", "server answer to the forwarded error: {server}");
            }
            Err(Rejection::AuthenticateServer(error.code))
        }
    }
}
