//! What the test SM-DP+ and the test SM-DS share around the common mutual authentication of
//! `oxicard_euicc::roles::smdp` (ES9+ §5.6.1 / §5.6.3, ES11 §5.8.1 / §5.8.2, which SGP.22
//! §3.6.1 runs the same way): the random TransactionIDs and challenges, the RSP session table,
//! and the JSON/HTTP binding of both (SGP.22 §6.5).

use std::collections::HashMap;
use std::time::SystemTime;

use oxicard_euicc::es9::{
    Es9Error, InitiateAuthenticationRequest, InitiateAuthenticationResponse, RspFunction,
};
use oxicard_euicc::pki::CertifiedKey;
use oxicard_euicc::roles::smdp::{SmdpError, initiate_authentication};

use super::dp::HttpAnswer;

/// At most this many RSP sessions are kept; the oldest is dropped to make room.
const MAX_SESSIONS: usize = 256;

/// The path prefix of every function (SGP.22 §6.5: `/gsma/rsp2/es9plus/<function>`; lpac
/// (`euicc/es9p.c`) and euicc-go (`v2/es11.go`) POST the ES11 functions to the same paths).
const ES9_PREFIX: &str = "/gsma/rsp2/es9plus/";

/// `N` random bytes of the system generator (a failure is [`SmdpError::internal`]).
pub(super) fn random<const N: usize>(function: RspFunction) -> Result<[u8; N], SmdpError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| SmdpError::internal(function, &e))?;
    Ok(out)
}

/// A successful InitiateAuthentication: the answer and the new session's secrets.
pub(super) struct Initiated {
    pub(super) response: InitiateAuthenticationResponse,
    pub(super) transaction_id: Vec<u8>,
    pub(super) server_challenge: [u8; 16],
}

/// InitiateAuthentication (SGP.22 §5.6.1 / §5.8.1) for the server at `address` signing with
/// `auth`: a random transactionId and serverChallenge for the new session, then the checks and
/// the signed serverSigned1 of [`initiate_authentication`].
pub(super) fn initiate(
    f: RspFunction,
    address: &str,
    auth: &CertifiedKey,
    request: &InitiateAuthenticationRequest,
) -> Result<Initiated, SmdpError> {
    let transaction_id: [u8; 16] = random(f)?;
    let server_challenge: [u8; 16] = random(f)?;
    let response = initiate_authentication(f, address, auth, request, &transaction_id, &server_challenge)?;
    Ok(Initiated { response, transaction_id: transaction_id.to_vec(), server_challenge })
}

/// The open RSP sessions by transactionId, at most [`MAX_SESSIONS`] (the oldest goes first).
#[derive(Clone, Debug)]
pub(super) struct Sessions<S> {
    map: HashMap<Vec<u8>, (u64, S)>,
    next_serial: u64,
}

impl<S> Sessions<S> {
    pub(super) fn new() -> Self {
        Sessions { map: HashMap::new(), next_serial: 0 }
    }

    pub(super) fn insert(&mut self, transaction_id: Vec<u8>, session: S) {
        if self.map.len() >= MAX_SESSIONS
            && let Some(oldest) =
                self.map.iter().min_by_key(|(_, (serial, _))| *serial).map(|(k, _)| k.clone())
        {
            self.map.remove(&oldest);
        }
        self.next_serial += 1;
        self.map.insert(transaction_id, (self.next_serial, session));
    }

    pub(super) fn get(&self, transaction_id: &[u8]) -> Option<&S> {
        self.map.get(transaction_id).map(|(_, s)| s)
    }

    pub(super) fn get_mut(&mut self, transaction_id: &[u8]) -> Option<&mut S> {
        self.map.get_mut(transaction_id).map(|(_, s)| s)
    }

    pub(super) fn remove(&mut self, transaction_id: &[u8]) -> Option<S> {
        self.map.remove(transaction_id).map(|(_, s)| s)
    }

    pub(super) fn len(&self) -> usize {
        self.map.len()
    }
}

/// Outcome of a request that did not succeed.
pub(super) enum Dispatch {
    /// The JSON could not be read (HTTP 400).
    BadRequest(Es9Error),
    /// The function failed (HTTP 200, `Failed` header).
    Failed(SmdpError),
}

impl From<Es9Error> for Dispatch {
    fn from(e: Es9Error) -> Self {
        Dispatch::BadRequest(e)
    }
}

impl From<SmdpError> for Dispatch {
    fn from(e: SmdpError) -> Self {
        Dispatch::Failed(e)
    }
}

/// The JSON/HTTP binding (SGP.22 §6.5): `path` `/gsma/rsp2/es9plus/<name>` with `<name>` one of
/// `functions`, else 404; `admin_protocol` the `X-Admin-Protocol` header (must start with
/// `gsma/rsp/v2.`, else 1.2.2 / 2.1 as osmo-smdpp); `dispatch` runs the function on the JSON
/// body and gives the JSON answer (`None`: 204 No Content).
pub(super) fn http_binding(
    path: &str,
    admin_protocol: Option<&str>,
    body: &[u8],
    functions: &[(&str, RspFunction)],
    dispatch: impl FnOnce(RspFunction, &[u8]) -> Result<Option<Vec<u8>>, Dispatch>,
) -> HttpAnswer {
    let name = path.strip_prefix(ES9_PREFIX);
    let Some(function) = functions.iter().find(|(n, _)| Some(*n) == name).map(|(_, f)| *f) else {
        return HttpAnswer { status: 404, body: b"unknown function".to_vec() };
    };
    if !admin_protocol.is_some_and(|p| p.starts_with("gsma/rsp/v2.")) {
        let error = SmdpError::new(function, "1.2.2", "2.1", "unsupported X-Admin-Protocol");
        return HttpAnswer { status: 200, body: error.to_json() };
    }
    match dispatch(function, body) {
        Ok(Some(json)) => HttpAnswer { status: 200, body: json },
        Ok(None) => HttpAnswer { status: 204, body: Vec::new() },
        Err(Dispatch::BadRequest(e)) => HttpAnswer { status: 400, body: e.to_string().into_bytes() },
        Err(Dispatch::Failed(e)) => HttpAnswer { status: 200, body: e.to_json() },
    }
}

/// The time certificate validity is checked at (`None`: not checked).
pub(super) fn at(check_validity: bool) -> Option<SystemTime> {
    check_validity.then(SystemTime::now)
}
