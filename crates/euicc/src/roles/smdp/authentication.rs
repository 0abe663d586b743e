//! The server side of the common mutual authentication (SGP.22 §3.0.1): ES9+
//! InitiateAuthentication (§5.6.1) and AuthenticateClient (§5.6.3) of an SM-DP+, which an SM-DS
//! runs the same way for ES11 (§5.8.1, §5.8.2; SGP.22 §3.6.1).

use std::time::SystemTime;

use der::Tag;

use super::SmdpError;
use crate::asn1::{Encoder, ctx, ctx_c, single};
use crate::es9::{InitiateAuthenticationRequest, InitiateAuthenticationResponse, RspFunction, TransactionId};
use crate::es10::{AuthenticateServerResponse, EuiccInfo1, Message};
use crate::pki::{CertifiedKey, ChainError, PkiError, RspCertificate, SignedData, TrustStore};

/// InitiateAuthentication (SGP.22 §5.6.1 / §5.8.1) of the server at `address` signing with
/// `auth` (CERT.DPauth or CERT.DSauth), for a new RSP session `transaction_id` with the
/// `server_challenge` the server drew: checks the address (8.8.1 / 3.8) and that the eUICC can
/// verify `auth`'s CI (`euiccCiPKIdListForVerification`, 8.8.2 / 3.1), and signs
/// `serverSigned1 = 30 { 80 transactionId, 81 euiccChallenge, 83 serverAddress,
/// 84 serverChallenge }`.
pub fn initiate_authentication(
    f: RspFunction,
    address: &str,
    auth: &CertifiedKey,
    request: &InitiateAuthenticationRequest,
    transaction_id: &[u8],
    server_challenge: &[u8; 16],
) -> Result<InitiateAuthenticationResponse, SmdpError> {
    if !request.smdp_address.eq_ignore_ascii_case(address) {
        return Err(SmdpError::new(f, "8.8.1", "3.8", format!("this is not {:?}", request.smdp_address)));
    }
    let info1 = EuiccInfo1::from_der(&request.euicc_info1)
        .map_err(|e| SmdpError::new(f, "8.8.2", "3.1", format!("unreadable euiccInfo1: {e}")))?;
    let ci_pkid = auth
        .certificate()
        .authority_key_identifier()
        .ok_or_else(|| SmdpError::internal(f, &"the server certificate has no AKI"))?;
    if !info1.ci_pkids_for_verification.contains(&ci_pkid) {
        return Err(SmdpError::new(f, "8.8.2", "3.1", "the eUICC cannot verify the server certificate's CI"));
    }
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        e.tlv(ctx(0), transaction_id);
        e.tlv(ctx(1), &request.euicc_challenge);
        e.utf8(ctx(3), address);
        e.tlv(ctx(4), server_challenge);
    });
    let server_signed1 = e.finish();
    let signature = SignedData::ServerSigned1 { server_signed1: &server_signed1 }
        .sign(auth.private_key())
        .map_err(|e| SmdpError::internal(f, &e))?;
    let mut pkid = Encoder::new();
    pkid.tlv(Tag::OctetString, &ci_pkid);
    Ok(InitiateAuthenticationResponse {
        transaction_id: TransactionId::new(transaction_id.to_vec())
            .map_err(|e| SmdpError::internal(f, &e))?,
        server_signed1,
        server_signature1: signature.to_tlv(),
        euicc_ci_pkid_to_be_used: pkid.finish(),
        server_certificate: auth.certificate().der().to_vec(),
    })
}

/// What AuthenticateClient learnt about the eUICC.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientVerified {
    /// CERT.EUICC, verified.
    pub euicc_certificate: RspCertificate,
    /// The EID from CERT.EUICC.
    pub eid: [u8; 16],
    /// The MatchingID of ctxParams1 (`""` when absent).
    pub matching_id: String,
    /// The `euiccSignature1` TLV.
    pub euicc_signature1: Vec<u8>,
}

/// A refused AuthenticateClient or GetBoundProfilePackage; `end_session` when the eUICC itself
/// reported an error (the session is over on both sides).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientRefused {
    /// The status code to answer.
    pub error: SmdpError,
    /// Whether the RSP session is over (the eUICC answered an error).
    pub end_session: bool,
}

impl From<SmdpError> for ClientRefused {
    fn from(error: SmdpError) -> Self {
        ClientRefused { error, end_session: false }
    }
}

/// AuthenticateClient's checks (SGP.22 §5.6.3 / §5.8.2) of `authenticate_server_response` for
/// the session `transaction_id` / `server_challenge` of the server at `address`: CERT.EUICC and
/// CERT.EUM up to one of `trusted_cis`, valid `at` ([`TrustStore::verify_euicc_chain`]: 8.1.3 /
/// 8.1.2 with 6.1 invalid or 6.3 expired, 8.11.1 / 3.9 unknown CI), euiccSignature1 over
/// euiccSigned1 (8.1 / 6.1), the echoed transactionId (8.10.1 / 3.9), serverChallenge (8.1 /
/// 6.1) and serverAddress (8.8.1 / 3.8).
pub fn authenticate_client(
    f: RspFunction,
    address: &str,
    transaction_id: &[u8],
    server_challenge: &[u8; 16],
    authenticate_server_response: &[u8],
    trusted_cis: &TrustStore,
    at: Option<SystemTime>,
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
    trusted_cis
        .verify_euicc_chain(&euicc_certificate, &eum_certificate, at)
        .map_err(|e| chain_error(f, &e))?;
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
pub fn chain_error(function: RspFunction, error: &PkiError) -> SmdpError {
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
