//! The server side of the common mutual authentication, shared by the test SM-DP+ (ES9+
//! InitiateAuthentication §5.6.1, AuthenticateClient §5.6.3) and the test SM-DS (ES11 §5.8.1,
//! §5.8.2, which SGP.22 §3.6.1 runs the same way), the RSP session table, and the JSON/HTTP
//! binding of both (SGP.22 §6.5).

use std::collections::HashMap;
use std::time::SystemTime;

use der::Tag;
use oxicard_euicc::der_util::{Encoder, ctx, ctx_c, single};
use oxicard_euicc::es9::{
    Es9Error, InitiateAuthenticationRequest, InitiateAuthenticationResponse, RspFunction, TransactionId,
};
use oxicard_euicc::es10::{AuthenticateServerResponse, EuiccInfo1, Message};

use super::dp::HttpAnswer;
use super::error::SmdpError;
use crate::pki::{CertifiedKey, ChainError, PkiError, RspCertificate, SignedData, VerifiedChain};

/// At most this many RSP sessions are kept; the oldest is dropped to make room.
const MAX_SESSIONS: usize = 256;

/// The path prefix of every function (SGP.22 §6.5: `/gsma/rsp2/es9plus/<function>`; lpac
/// (`euicc/es9p.c`) and euicc-go (`v2/es11.go`) POST the ES11 functions to the same paths).
const ES9_PREFIX: &str = "/gsma/rsp2/es9plus/";

pub(super) fn random<const N: usize>(function: RspFunction) -> Result<[u8; N], SmdpError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| internal(function, &e))?;
    Ok(out)
}

/// A failure of the test server itself (random generator, signing): not an SGP.22 status code.
pub(super) fn internal(function: RspFunction, error: &dyn std::fmt::Display) -> SmdpError {
    SmdpError::new(function, "internal", "internal", format!("test server failure: {error}"))
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

/// A successful InitiateAuthentication: the answer and the new session's secrets.
pub(super) struct Initiated {
    pub(super) response: InitiateAuthenticationResponse,
    pub(super) transaction_id: Vec<u8>,
    pub(super) server_challenge: [u8; 16],
}

/// InitiateAuthentication (SGP.22 §5.6.1 / §5.8.1) for the server at `address` signing with
/// `auth` (CERT.DPauth or CERT.DSauth): checks the address (8.8.1 / 3.8) and that the eUICC can
/// verify `auth`'s CI (`euiccCiPKIdListForVerification`, 8.8.2 / 3.1), draws a transactionId and
/// a serverChallenge and signs `serverSigned1 = 30 { 80 transactionId, 81 euiccChallenge,
/// 83 serverAddress, 84 serverChallenge }`.
pub(super) fn initiate(
    f: RspFunction,
    address: &str,
    auth: &CertifiedKey,
    request: &InitiateAuthenticationRequest,
) -> Result<Initiated, SmdpError> {
    if !request.smdp_address.eq_ignore_ascii_case(address) {
        return Err(SmdpError::new(f, "8.8.1", "3.8", format!("this is not {:?}", request.smdp_address)));
    }
    let info1 = EuiccInfo1::from_der(&request.euicc_info1)
        .map_err(|e| SmdpError::new(f, "8.8.2", "3.1", format!("unreadable euiccInfo1: {e}")))?;
    let ci_pkid = auth
        .certificate()
        .authority_key_identifier()
        .ok_or_else(|| internal(f, &"the server certificate has no AKI"))?;
    if !info1.ci_pkids_for_verification.contains(&ci_pkid) {
        return Err(SmdpError::new(f, "8.8.2", "3.1", "the eUICC cannot verify the server certificate's CI"));
    }
    let transaction_id: [u8; 16] = random(f)?;
    let server_challenge: [u8; 16] = random(f)?;
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        e.tlv(ctx(0), &transaction_id);
        e.tlv(ctx(1), &request.euicc_challenge);
        e.utf8(ctx(3), address);
        e.tlv(ctx(4), &server_challenge);
    });
    let server_signed1 = e.finish();
    let signature = SignedData::ServerSigned1 { server_signed1: &server_signed1 }
        .sign(auth.private_key())
        .map_err(|e| internal(f, &e))?;
    let mut pkid = Encoder::new();
    pkid.tlv(Tag::OctetString, &ci_pkid);
    Ok(Initiated {
        response: InitiateAuthenticationResponse {
            transaction_id: TransactionId::new(transaction_id.to_vec()).map_err(|e| internal(f, &e))?,
            server_signed1,
            server_signature1: signature.to_tlv(),
            euicc_ci_pkid_to_be_used: pkid.finish(),
            server_certificate: auth.certificate().der().to_vec(),
        },
        transaction_id: transaction_id.to_vec(),
        server_challenge,
    })
}

/// What AuthenticateClient learnt about the eUICC.
pub(super) struct ClientVerified {
    /// CERT.EUICC, verified.
    pub(super) euicc_certificate: RspCertificate,
    /// The EID from CERT.EUICC.
    pub(super) eid: [u8; 16],
    /// The MatchingID of ctxParams1 (`""` when absent).
    pub(super) matching_id: String,
    /// The `euiccSignature1` TLV.
    pub(super) euicc_signature1: Vec<u8>,
}

/// A refused AuthenticateClient; `end_session` when the eUICC itself reported an error (the
/// session is over on both sides).
pub(super) struct ClientRefused {
    pub(super) error: SmdpError,
    pub(super) end_session: bool,
}

impl From<SmdpError> for ClientRefused {
    fn from(error: SmdpError) -> Self {
        ClientRefused { error, end_session: false }
    }
}

/// AuthenticateClient's checks (SGP.22 §5.6.3 / §5.8.2) of `authenticate_server_response` for
/// the session `transaction_id` / `server_challenge` of the server at `address`: CERT.EUICC and
/// CERT.EUM up to a trusted CI with `verify_chain` (8.1.3 / 8.1.2 with 6.1 invalid or 6.3
/// expired, 8.11.1 / 3.9 unknown CI), euiccSignature1 over euiccSigned1 (8.1 / 6.1), the echoed
/// transactionId (8.10.1 / 3.9), serverChallenge (8.1 / 6.1) and serverAddress (8.8.1 / 3.8).
pub(super) fn verify_client(
    f: RspFunction,
    address: &str,
    transaction_id: &[u8],
    server_challenge: &[u8; 16],
    authenticate_server_response: &[u8],
    verify_chain: impl FnOnce(&RspCertificate, &RspCertificate) -> Result<VerifiedChain, PkiError>,
) -> Result<ClientVerified, ClientRefused> {
    let response = AuthenticateServerResponse::from_der(authenticate_server_response)
        .map_err(|e| SmdpError::euicc_signature(f, format!("unreadable AuthenticateServerResponse: {e}")))?;
    let ok = match response.result {
        Ok(ok) => ok,
        Err(error) => {
            let error = SmdpError::euicc_signature(f, format!("AuthenticateServer failed: {}", error.code));
            return Err(ClientRefused { error, end_session: true });
        }
    };
    let euicc_certificate = RspCertificate::from_der(&ok.euicc_certificate)
        .map_err(|e| SmdpError::new(f, "8.1.3", "6.1", format!("CERT.EUICC: {e}")))?;
    let eum_certificate = RspCertificate::from_der(&ok.eum_certificate)
        .map_err(|e| SmdpError::new(f, "8.1.2", "6.1", format!("CERT.EUM: {e}")))?;
    verify_chain(&euicc_certificate, &eum_certificate).map_err(|e| chain_error(f, &e))?;
    SignedData::EuiccSigned1 { euicc_signed1: &ok.euicc_signed1 }
        .verify_tlv(euicc_certificate.public_key(), &ok.euicc_signature1)
        .map_err(|e| SmdpError::euicc_signature(f, format!("euiccSignature1: {e}")))?;

    let malformed = |e: &dyn std::fmt::Display| SmdpError::euicc_signature(f, format!("euiccSigned1: {e}"));
    let signed = single(&ok.euicc_signed1, Tag::Sequence, "EuiccSigned1").map_err(|e| malformed(&e))?;
    let fields = signed.fields("EuiccSigned1").map_err(|e| malformed(&e))?;
    let echoed_tx = fields.req(ctx(0), "transactionId").map_err(|e| malformed(&e))?;
    if echoed_tx.value() != transaction_id {
        return Err(SmdpError::new(f, "8.10.1", "3.9", "euiccSigned1 carries another transactionId").into());
    }
    let challenge = fields.req(ctx(4), "serverChallenge").map_err(|e| malformed(&e))?;
    if challenge.value() != server_challenge.as_slice() {
        return Err(SmdpError::euicc_signature(f, "serverChallenge mismatch").into());
    }
    let signed_address =
        fields.req(ctx(3), "serverAddress").and_then(|a| a.utf8()).map_err(|e| malformed(&e))?;
    if !signed_address.eq_ignore_ascii_case(address) {
        return Err(SmdpError::new(f, "8.8.1", "3.8", "euiccSigned1 carries another serverAddress").into());
    }
    let ctx_params = fields.req(ctx_c(0), "ctxParams1").map_err(|e| malformed(&e))?;
    let matching_id = ctx_params
        .fields("CtxParamsForCommonAuthentication")
        .map_err(|e| malformed(&e))?
        .opt(ctx(0), "matchingId")
        .map(|m| m.utf8())
        .transpose()
        .map_err(|e| malformed(&e))?
        .unwrap_or_default();
    let eid = euicc_certificate
        .eid()
        .and_then(|digits| hex::decode(digits).ok())
        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
        .ok_or_else(|| SmdpError::new(f, "8.1.3", "6.1", "CERT.EUICC carries no EID"))?;
    Ok(ClientVerified { euicc_certificate, eid, matching_id, euicc_signature1: ok.euicc_signature1 })
}

/// Maps an eUICC chain failure to its status code (SGP.22 §5.6.3: 8.1.3 eUICC certificate,
/// 8.1.2 EUM certificate, 6.1 invalid, 6.3 expired; 8.11.1 / 3.9 unknown CI).
pub(super) fn chain_error(function: RspFunction, error: &PkiError) -> SmdpError {
    let message = error.to_string();
    let (subject, reason) = match error {
        PkiError::Chain(ChainError::Expired { depth: 0 }) => ("8.1.3", "6.3"),
        PkiError::Chain(ChainError::Expired { .. }) => ("8.1.2", "6.3"),
        PkiError::Chain(ChainError::UnknownIssuer { depth }) if *depth >= 1 => ("8.11.1", "3.9"),
        PkiError::Chain(
            ChainError::WrongRole { .. }
            | ChainError::KeyUsage { depth: 0, .. }
            | ChainError::BadSignature { depth: 0 }
            | ChainError::UnknownIssuer { .. },
        ) => ("8.1.3", "6.1"),
        _ => ("8.1.2", "6.1"),
    };
    SmdpError::new(function, subject, reason, message)
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
