//! The common mutual authentication that opens every RSP session, shared by profile download
//! (SGP.22 §3.1.3 steps 1–9 "common mutual authentication", §3.1.2) and SM-DS event retrieval
//! (§3.6.1 / §3.6.2, which run the same procedure against the SM-DS): ES10b GetEUICCInfo1 and
//! GetEUICCChallenge, the server's InitiateAuthentication (ES9+ §5.6.1 or ES11 §5.8.1), ES10b
//! AuthenticateServer (§5.7.13) with `ctxParams1`, and the forwarding of the eUICC's answer to the
//! server's AuthenticateClient (ES9+ §5.6.3 or ES11 §5.8.2).

use oxicard_transport::Transport;

use crate::es9::{Es9Error, InitiateAuthenticationRequest, InitiateAuthenticationResponse, TransactionId};
use crate::es10::{AuthenticateServerRequest, AuthenticateServerResponse, CtxParams1, Rejection};
use crate::isdr::{Es10Error, Isdr, WithDer};

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

/// Runs GetEUICCInfo1, GetEUICCChallenge, `initiate` (the server's InitiateAuthentication for
/// `address`) and AuthenticateServer with `ctx_params1`; `enter` is called as each step starts.
///
/// An error **answer** of the eUICC to AuthenticateServer is not a failure here: it is returned
/// to be forwarded to the server (see [`forwarded`]).
pub(crate) fn authenticate_server<T: Transport>(
    isdr: &mut Isdr<'_, T>,
    address: &str,
    ctx_params1: CtxParams1,
    initiate: impl FnOnce(&InitiateAuthenticationRequest) -> Result<InitiateAuthenticationResponse, Es9Error>,
    mut enter: impl FnMut(CommonStep),
) -> Result<ServerAuthenticated, Box<CommonFailure>> {
    let card = |step| {
        move |cause| Box::new(CommonFailure { step, cause: CommonCause::Card(cause), transaction_id: None })
    };

    enter(CommonStep::GetEuiccInfo1);
    let info1 = isdr.euicc_info1().map_err(card(CommonStep::GetEuiccInfo1))?;
    enter(CommonStep::GetEuiccChallenge);
    let challenge = isdr.euicc_challenge().map_err(card(CommonStep::GetEuiccChallenge))?;

    enter(CommonStep::InitiateAuthentication);
    let request = InitiateAuthenticationRequest {
        smdp_address: address.to_owned(),
        euicc_challenge: challenge,
        euicc_info1: info1.der,
    };
    let initiated = initiate(&request).map_err(|cause| {
        Box::new(CommonFailure {
            step: CommonStep::InitiateAuthentication,
            cause: CommonCause::Server(cause),
            transaction_id: None,
        })
    })?;
    let transaction_id = initiated.transaction_id;

    enter(CommonStep::AuthenticateServer);
    let request = AuthenticateServerRequest {
        server_signed1: initiated.server_signed1,
        server_signature1: initiated.server_signature1,
        euicc_ci_pkid_to_be_used: Some(initiated.euicc_ci_pkid_to_be_used),
        server_certificate: initiated.server_certificate,
        ctx_params1,
    };
    match isdr.authenticate_server(&request) {
        Ok(authenticated) => Ok(ServerAuthenticated { transaction_id, authenticated }),
        Err(cause) => Err(Box::new(CommonFailure {
            step: CommonStep::AuthenticateServer,
            cause: CommonCause::Card(cause),
            transaction_id: Some(transaction_id),
        })),
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
