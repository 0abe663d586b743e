//! The ES9+ client: LPA ↔ SM-DP+ over HTTPS/JSON (GSMA SGP.22 §5.6 functions, §6.5 binding), and the
//! ES11 calls to an SM-DS (§5.8) on the same binding.
//!
//! - [`HttpClient`] is all an HTTP stack implements: POST an [`HttpRequest`] (URL, headers, body),
//!   return the [`HttpResponse`] (status, Content-Type, body) or an [`HttpError`] carrying its cause.
//! - [`RspClient`] puts the library on top of any `HttpClient`: [`RspConfig`] builds the URL from a
//!   validated server address (no path, query, fragment or credentials can come in through an
//!   activation code, an SM-DS event or a notification address), sets the headers of §6.5.1,
//!   limits the response size, and [`decode_answer`] maps the HTTP status, the JSON header and every
//!   member to [`Es9Error`]s. The download, discovery and notification flows take an `RspClient`.
//! - `HttpEs9Client` (feature `http`, on by default) is `RspClient<UreqHttpClient>`: ureq + rustls,
//!   the GSMA CI roots, `--ca`, connect-to rules, timeouts.
//! - The request/response types carry the ES10 DER blobs as opaque bytes (`Vec<u8>`, the *complete* TLV
//!   including its own tag, SGP.22 §6.5.2); they are base64 in JSON. TransactionIDs are upper-case hex.
//!
//! JSON shapes (SGP.22 §6.5.2; LPA requests carry no `header`):
//!
//! | function | request members | response members |
//! |---|---|---|
//! | initiateAuthentication | `smdpAddress`, `euiccChallenge`, `euiccInfo1` | `transactionId`, `serverSigned1`, `serverSignature1`, `euiccCiPKIdToBeUsed`, `serverCertificate` |
//! | authenticateClient | `transactionId`, `authenticateServerResponse` | `transactionId`, `profileMetadata`, `smdpSigned2`, `smdpSignature2`, `smdpCertificate` |
//! | getBoundProfilePackage | `transactionId`, `prepareDownloadResponse` | `transactionId`, `boundProfilePackage` |
//! | handleNotification | `pendingNotification` | HTTP 204, no body |
//! | cancelSession | `transactionId`, `cancelSessionResponse` | header only |

use std::fmt;
use std::str::FromStr;

mod client;
mod error;
mod json;
mod status_codes;
mod transport;

#[cfg(feature = "http")]
mod connect_to;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "http")]
mod trust;

pub use client::{DEFAULT_MAX_RESPONSE_SIZE, JSON_CONTENT_TYPE, RspClient, RspConfig, decode_answer};
pub use error::{Es9Error, ExecutionStatus, RspFunction, StatusCode};
pub use json::encode_failure_response;
pub use status_codes::{
    CodeName, REASON_CODES, STATUS_CODES, SUBJECT_CODES, StatusCodeInfo, reason_code_name,
    status_code_meaning, subject_code_name,
};
pub use transport::{BoxError, HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse};

#[cfg(feature = "http")]
pub use connect_to::{ConnectTo, ConnectToError, ConnectToField};
#[cfg(feature = "http")]
pub use http::{HttpEs9Client, HttpEs9ClientBuilder, UreqHttpClient};
#[cfg(feature = "http")]
pub use trust::{
    EmbeddedCertificate, GSMA_CI_ROOTS, GSMA_RSP2_ROOT_CI1, OISTE_GSMA_CI_G1, SGP26_TEST_CI_NIST_2020,
    SGP26_TEST_CI_NIST_2023, SGP26_TEST_CI_ROOTS, ServerCertificateError, verify_server_certificate,
};

pub(crate) use json::{JsonReader, JsonWriter, parse_envelope};

/// `X-Admin-Protocol` value sent by default: SGP.22 v2.2.2 (lpac sends `gsma/rsp/v2.2.x`).
pub const DEFAULT_ADMIN_PROTOCOL: &str = "gsma/rsp/v2.2.2";
/// `User-Agent` sent by default, as lpac, euicc-go and pySim do.
pub const DEFAULT_USER_AGENT: &str = "gsma-rsp-lpad";

/// An RSP session's TransactionID: 1–16 bytes (SGP.22 `TransactionId ::= OCTET STRING (SIZE(1..16))`).
///
/// Binary in ASN.1 (hashCc, CancelSession); an upper-case hex string in ES9+ JSON. Parsing accepts either
/// case; formatting ([`Display`](fmt::Display)) is upper case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(Vec<u8>);

/// A TransactionID that is not 1–16 bytes of hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct TransactionIdError(TransactionIdProblem);

/// What is wrong with a TransactionID (the message of [`TransactionIdError`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum TransactionIdProblem {
    /// Not 1 to 16 bytes.
    #[error("{0} bytes, where a TransactionID has 1 to 16")]
    Length(usize),
    /// Not hex: the hex decoder's error is the source.
    #[error("{text:?} is not hex")]
    NotHex {
        /// The text.
        text: String,
        /// The hex decoder's error.
        source: hex::FromHexError,
    },
}

// `hex::FromHexError` compares positions and characters only: equality is reflexive.
impl Eq for TransactionIdProblem {}

impl TransactionId {
    /// Wraps 1–16 bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, TransactionIdError> {
        let bytes = bytes.into();
        if bytes.is_empty() || bytes.len() > 16 {
            return Err(TransactionIdError(TransactionIdProblem::Length(bytes.len())));
        }
        Ok(TransactionId(bytes))
    }

    /// The binary value.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for TransactionId {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(&self.0))
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransactionId({self})")
    }
}

impl FromStr for TransactionId {
    type Err = TransactionIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = hex::decode(s).map_err(|source| {
            TransactionIdError(TransactionIdProblem::NotHex { text: s.to_owned(), source })
        })?;
        TransactionId::new(bytes)
    }
}

/// ES9+.InitiateAuthentication request (SGP.22 §5.6.1); also ES11.InitiateAuthentication (§5.8.1), where
/// `smdp_address` is the SM-DS address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitiateAuthenticationRequest {
    /// `smdpAddress`: the server address as the LPA knows it (activation code or configured address).
    pub smdp_address: String,
    /// `euiccChallenge`: the **raw** 16 bytes from GetEUICCChallenge (not a TLV).
    pub euicc_challenge: [u8; 16],
    /// `euiccInfo1`: the complete `BF20` TLV from GetEUICCInfo1.
    pub euicc_info1: Vec<u8>,
}

impl InitiateAuthenticationRequest {
    /// The value with the given members.
    pub fn new(smdp_address: String, euicc_challenge: [u8; 16], euicc_info1: Vec<u8>) -> Self {
        Self { smdp_address, euicc_challenge, euicc_info1 }
    }
}

/// ES9+.InitiateAuthentication response (SGP.22 §5.6.1); also ES11 (§5.8.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitiateAuthenticationResponse {
    /// `transactionId`: the new RSP session.
    pub transaction_id: TransactionId,
    /// `serverSigned1`: `30 …` TLV.
    pub server_signed1: Vec<u8>,
    /// `serverSignature1`: `5F37 40 …` TLV.
    pub server_signature1: Vec<u8>,
    /// `euiccCiPKIdToBeUsed`: `04 14 <SKI>` TLV.
    pub euicc_ci_pkid_to_be_used: Vec<u8>,
    /// `serverCertificate`: CERT.XXauth X.509 DER.
    pub server_certificate: Vec<u8>,
}

impl InitiateAuthenticationResponse {
    /// The value with the given members.
    pub fn new(
        transaction_id: TransactionId,
        server_signed1: Vec<u8>,
        server_signature1: Vec<u8>,
        euicc_ci_pkid_to_be_used: Vec<u8>,
        server_certificate: Vec<u8>,
    ) -> Self {
        Self {
            transaction_id,
            server_signed1,
            server_signature1,
            euicc_ci_pkid_to_be_used,
            server_certificate,
        }
    }
}

/// ES9+.AuthenticateClient request (SGP.22 §5.6.3); also ES11 (§5.8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticateClientRequest {
    /// `transactionId`.
    pub transaction_id: TransactionId,
    /// `authenticateServerResponse`: the complete `BF38` TLV from AuthenticateServer (forwarded even when it
    /// is an error response, as lpac does).
    pub authenticate_server_response: Vec<u8>,
}

impl AuthenticateClientRequest {
    /// The value with the given members.
    pub fn new(transaction_id: TransactionId, authenticate_server_response: Vec<u8>) -> Self {
        Self { transaction_id, authenticate_server_response }
    }
}

/// ES9+.AuthenticateClient response (SGP.22 §5.6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticateClientResponse {
    /// `transactionId` (mandatory in SGP.22; lpac does not read it, so a missing one is accepted; a
    /// different one is an error).
    pub transaction_id: Option<TransactionId>,
    /// `profileMetadata`: `BF25` StoreMetadataRequest TLV, shown to the user before consent (absent from
    /// some servers' answers, so optional here).
    pub profile_metadata: Option<Vec<u8>>,
    /// `smdpSigned2`: `30 …` TLV.
    pub smdp_signed2: Vec<u8>,
    /// `smdpSignature2`: `5F37 …` TLV.
    pub smdp_signature2: Vec<u8>,
    /// `smdpCertificate`: CERT.DPpb X.509 DER.
    pub smdp_certificate: Vec<u8>,
}

impl AuthenticateClientResponse {
    /// The value with the given members; `transaction_id`, `profile_metadata` are absent or empty (set them as fields).
    pub fn new(smdp_signed2: Vec<u8>, smdp_signature2: Vec<u8>, smdp_certificate: Vec<u8>) -> Self {
        Self { transaction_id: None, profile_metadata: None, smdp_signed2, smdp_signature2, smdp_certificate }
    }
}

/// ES9+.GetBoundProfilePackage request (SGP.22 §5.6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBoundProfilePackageRequest {
    /// `transactionId`.
    pub transaction_id: TransactionId,
    /// `prepareDownloadResponse`: the complete `BF21` TLV from PrepareDownload.
    pub prepare_download_response: Vec<u8>,
}

impl GetBoundProfilePackageRequest {
    /// The value with the given members.
    pub fn new(transaction_id: TransactionId, prepare_download_response: Vec<u8>) -> Self {
        Self { transaction_id, prepare_download_response }
    }
}

/// ES9+.GetBoundProfilePackage response (SGP.22 §5.6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBoundProfilePackageResponse {
    /// `transactionId` (accepted missing, like [`AuthenticateClientResponse::transaction_id`]).
    pub transaction_id: Option<TransactionId>,
    /// `boundProfilePackage`: the complete `BF36` TLV.
    pub bound_profile_package: Vec<u8>,
}

impl GetBoundProfilePackageResponse {
    /// The value with the given members; `transaction_id` is absent or empty (set it as fields).
    pub fn new(bound_profile_package: Vec<u8>) -> Self {
        Self { transaction_id: None, bound_profile_package }
    }
}

/// ES9+.HandleNotification request (SGP.22 §5.6.4). The answer is HTTP 204 without a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleNotificationRequest {
    /// `pendingNotification`: a `BF37` ProfileInstallationResult or a `30` OtherSignedNotification TLV.
    pub pending_notification: Vec<u8>,
}

impl HandleNotificationRequest {
    /// The value with the given members.
    pub fn new(pending_notification: Vec<u8>) -> Self {
        Self { pending_notification }
    }
}

/// ES9+.CancelSession request (SGP.22 §5.6.5; `CancelSessionRequestEs9` in the ASN.1 module, named
/// apart from the ES10b [`CancelSessionRequest`](crate::es10::CancelSessionRequest) it carries the
/// answer of).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelSessionRequestEs9 {
    /// `transactionId`.
    pub transaction_id: TransactionId,
    /// `cancelSessionResponse`: the complete `BF41` TLV from the eUICC's CancelSession.
    pub cancel_session_response: Vec<u8>,
}

impl CancelSessionRequestEs9 {
    /// The value with the given members.
    pub fn new(transaction_id: TransactionId, cancel_session_response: Vec<u8>) -> Self {
        Self { transaction_id, cancel_session_response }
    }
}

/// An HTTP response as the JSON codec reads it (a borrowed [`HttpResponse`], see
/// [`HttpResponse::reply`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpReply<'a> {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any (only used in error messages).
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> HttpReply<'a> {
    /// The value with the given members.
    pub fn new(status: u16, content_type: Option<&'a str>, body: &'a [u8]) -> Self {
        Self { status, content_type, body }
    }
}

/// A request of the ES9+/ES11 JSON binding (SGP.22 §6.5.2): how to encode it and how to decode its
/// response.
///
/// [`RspClient`] uses it for every call; an HTTP stack never needs it (it implements
/// [`HttpClient`]). [`RspRequest::decode_response`] checks the HTTP status, the JSON header
/// (`functionExecutionStatus`, §6.5.1.4), every member, and that the response's transactionId
/// matches.
pub trait RspRequest {
    /// The decoded success response.
    type Response;

    /// The JSON request body.
    fn to_json(&self) -> Vec<u8>;

    /// Decodes the server's reply to this request for `function`.
    fn decode_response(
        &self,
        function: RspFunction,
        reply: &HttpReply<'_>,
    ) -> Result<Self::Response, Es9Error>;
}

/// Checks that a response's transactionId (if any) is the request's.
pub(crate) fn check_transaction_id(
    function: RspFunction,
    sent: &TransactionId,
    received: Option<&TransactionId>,
) -> Result<(), Es9Error> {
    match received {
        Some(r) if r != sent => {
            Err(Es9Error::TransactionIdMismatch { function, sent: sent.clone(), received: r.clone() })
        }
        _ => Ok(()),
    }
}
