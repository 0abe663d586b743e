//! ES9+/ES11 errors and the SGP.22 status code table (GSMA SGP.22 §6.5.1.4 header, §5.6/§5.8 status codes).

use std::fmt;

use super::TransactionId;
use super::status_codes::{reason_code_name, status_code_meaning, subject_code_name};
use super::transport::{BoxError, HttpError};

/// The RSP server function a request was for: ES9+ (LPA ↔ SM-DP+, SGP.22 §5.6) or ES11 (LPA ↔ SM-DS, §5.8).
///
/// ES11 calls use the same HTTP paths as their ES9+ namesakes (lpac `es9p.c`, euicc-go `v2/es11.go`; a
/// separate `/gsma/rsp2/es11/…` path is unverified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RspFunction {
    /// ES9+.InitiateAuthentication (SGP.22 §5.6.1).
    Es9InitiateAuthentication,
    /// ES9+.GetBoundProfilePackage (SGP.22 §5.6.2).
    Es9GetBoundProfilePackage,
    /// ES9+.AuthenticateClient (SGP.22 §5.6.3).
    Es9AuthenticateClient,
    /// ES9+.HandleNotification (SGP.22 §5.6.4).
    Es9HandleNotification,
    /// ES9+.CancelSession (SGP.22 §5.6.5).
    Es9CancelSession,
    /// ES11.InitiateAuthentication (SGP.22 §5.8.1).
    Es11InitiateAuthentication,
    /// ES11.AuthenticateClient (SGP.22 §5.8.2).
    Es11AuthenticateClient,
}

impl RspFunction {
    /// The HTTP path the function is POSTed to (SGP.22 §6.5: `/gsma/rsp2/es9plus/<function>`).
    pub fn path(self) -> &'static str {
        match self {
            RspFunction::Es9InitiateAuthentication | RspFunction::Es11InitiateAuthentication => {
                "/gsma/rsp2/es9plus/initiateAuthentication"
            }
            RspFunction::Es9GetBoundProfilePackage => "/gsma/rsp2/es9plus/getBoundProfilePackage",
            RspFunction::Es9AuthenticateClient | RspFunction::Es11AuthenticateClient => {
                "/gsma/rsp2/es9plus/authenticateClient"
            }
            RspFunction::Es9HandleNotification => "/gsma/rsp2/es9plus/handleNotification",
            RspFunction::Es9CancelSession => "/gsma/rsp2/es9plus/cancelSession",
        }
    }
}

impl fmt::Display for RspFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RspFunction::Es9InitiateAuthentication => "ES9+.InitiateAuthentication",
            RspFunction::Es9GetBoundProfilePackage => "ES9+.GetBoundProfilePackage",
            RspFunction::Es9AuthenticateClient => "ES9+.AuthenticateClient",
            RspFunction::Es9HandleNotification => "ES9+.HandleNotification",
            RspFunction::Es9CancelSession => "ES9+.CancelSession",
            RspFunction::Es11InitiateAuthentication => "ES11.InitiateAuthentication",
            RspFunction::Es11AuthenticateClient => "ES11.AuthenticateClient",
        })
    }
}

/// `header.functionExecutionStatus.status` (SGP.22 §6.5.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExecutionStatus {
    /// `Executed-Success`.
    Success,
    /// `Executed-WithWarning`: executed; `statusCodeData` describes the warning.
    WithWarning,
    /// `Failed`.
    Failed,
    /// `Expired`.
    Expired,
}

impl ExecutionStatus {
    /// The JSON string.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Success => "Executed-Success",
            ExecutionStatus::WithWarning => "Executed-WithWarning",
            ExecutionStatus::Failed => "Failed",
            ExecutionStatus::Expired => "Expired",
        }
    }

    /// Parses the JSON string.
    pub fn from_json_str(s: &str) -> Option<Self> {
        [
            ExecutionStatus::Success,
            ExecutionStatus::WithWarning,
            ExecutionStatus::Failed,
            ExecutionStatus::Expired,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether the function was executed (`Executed-Success` or `Executed-WithWarning`).
    pub fn is_executed(self) -> bool {
        matches!(self, ExecutionStatus::Success | ExecutionStatus::WithWarning)
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `statusCodeData` of a failed (or warned) function execution (SGP.22 §6.5.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StatusCode {
    /// `subjectCode`, e.g. `8.2.6` (MatchingID).
    pub subject_code: String,
    /// `reasonCode`, e.g. `3.8` (refused).
    pub reason_code: String,
    /// `subjectIdentifier`, if the server sent one.
    pub subject_identifier: Option<String>,
    /// `message`, the server's free text, if any.
    pub message: Option<String>,
}

impl StatusCode {
    /// The value with the given members; `subject_identifier`, `message` are absent or empty (set them as fields).
    pub fn new(subject_code: String, reason_code: String) -> Self {
        Self { subject_code, reason_code, subject_identifier: None, message: None }
    }
}

impl StatusCode {
    /// The meaning of the subject/reason pair from the SGP.22 status code tables, if the pair is
    /// listed (see [`STATUS_CODES`](super::STATUS_CODES)).
    pub fn meaning(&self) -> Option<&'static str> {
        status_code_meaning(&self.subject_code, &self.reason_code)
    }

    /// What the subject code is about ("MatchingID", "profile ICCID"…; see
    /// [`SUBJECT_CODES`](super::SUBJECT_CODES)), or of its nearest listed parent; `None` for a
    /// code of no known subject.
    pub fn subject_name(&self) -> Option<&'static str> {
        subject_code_name(&self.subject_code)
    }

    /// The name of the reason code ("refused", "unknown"…; see
    /// [`REASON_CODES`](super::REASON_CODES)), or of its class; `None` for a code of no known
    /// class.
    pub fn reason_name(&self) -> Option<&'static str> {
        reason_code_name(&self.reason_code)
    }
}

/// `subjectCode 8.2.6 (MatchingID) reasonCode 3.8 (refused): MatchingID (AC_Token or EventID)
/// refused, message "…"`: both codes with their names, then the pair's meaning when the SGP.22
/// tables list the pair, then what the server added.
impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = self.subject_name().unwrap_or("unknown subject");
        let reason = self.reason_name().unwrap_or("unknown reason");
        write!(
            f,
            "subjectCode {} ({subject}) reasonCode {} ({reason})",
            self.subject_code, self.reason_code
        )?;
        if let Some(meaning) = self.meaning() {
            write!(f, ": {meaning}")?;
        }
        if let Some(id) = &self.subject_identifier {
            write!(f, ", subjectIdentifier {id:?}")?;
        }
        if let Some(msg) = &self.message {
            write!(f, ", message {msg:?}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong with an ES9+/ES11 call.
///
/// Errors carry the [`RspFunction`] so a caller can tell at which step a download failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Es9Error {
    /// The server answered with `functionExecutionStatus.status` `Failed` or `Expired` (SGP.22 §6.5.1.4).
    #[error("{function} {status}: {}", code.as_ref().map_or_else(|| "no statusCodeData".to_owned(), |c| c.to_string()))]
    FunctionFailed {
        /// The function.
        function: RspFunction,
        /// `Failed` or `Expired`.
        status: ExecutionStatus,
        /// `statusCodeData`, if the server sent one.
        code: Option<StatusCode>,
    },
    /// The HTTP status is not 2xx (SGP.22 §6.5: anything but 200/204 is a transport error).
    #[error("{function}: HTTP status {status} from the server (body: {body:?})")]
    HttpStatus {
        /// The function.
        function: RspFunction,
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 256 characters, lossy UTF-8).
        body: String,
    },
    /// The body is not JSON at all (e.g. an HTML error page).
    #[error("{function}: response is not JSON (Content-Type {content_type:?}, body starts {body:?})")]
    NotJson {
        /// The function.
        function: RspFunction,
        /// The response's Content-Type header, if any.
        content_type: Option<String>,
        /// The start of the body (at most 256 characters, lossy UTF-8).
        body: String,
        /// The parser's complaint.
        source: serde_json::Error,
    },
    /// The body is JSON but not an object, or its header is malformed.
    #[error("{function}: malformed response: {detail}")]
    Malformed {
        /// The function.
        function: RspFunction,
        /// What is wrong.
        detail: String,
    },
    /// A mandatory JSON member is missing.
    #[error("{function}: mandatory member {field:?} is missing")]
    MissingField {
        /// The function.
        function: RspFunction,
        /// The JSON member name (dotted path).
        field: &'static str,
    },
    /// A JSON member has the wrong type or an invalid value (bad base64, bad hex, wrong length…).
    #[error("{function}: member {field:?} is invalid: {reason}")]
    InvalidField {
        /// The function.
        function: RspFunction,
        /// The JSON member name (dotted path).
        field: &'static str,
        /// What is wrong (`not base64`, `not a JSON string`, …).
        reason: String,
        /// The decoder's error, when a decoder refused the member's text (base64, TransactionID).
        source: Option<BoxError>,
    },
    /// The server answered for another RSP session than the request's.
    #[error("{function}: response transactionId {received} does not match the request's {sent}")]
    TransactionIdMismatch {
        /// The function.
        function: RspFunction,
        /// The request's transactionId.
        sent: TransactionId,
        /// The response's transactionId.
        received: TransactionId,
    },
    /// The request did not complete within the HTTP client's time limit
    /// ([`HttpErrorKind::Timeout`](super::HttpErrorKind::Timeout)).
    #[error("{function}: no answer from {url} in time")]
    Timeout {
        /// The function.
        function: RspFunction,
        /// The URL.
        url: String,
        /// The HTTP client's error.
        source: HttpError,
    },
    /// TLS failed: certificate not trusted, wrong host name, handshake error…
    /// ([`HttpErrorKind::Tls`](super::HttpErrorKind::Tls), SGP.22 §2.6.6).
    #[error("{function}: no TLS session with {url}")]
    Tls {
        /// The function.
        function: RspFunction,
        /// The URL.
        url: String,
        /// The HTTP client's error (its kind and notes; the TLS stack's error is its source).
        source: HttpError,
    },
    /// Connecting, resolving or transferring failed ([`HttpErrorKind::Transport`](super::HttpErrorKind::Transport)).
    #[error("{function}: POST to {url} failed")]
    Transport {
        /// The function.
        function: RspFunction,
        /// The URL.
        url: String,
        /// The HTTP client's error (its kind and notes; the I/O or protocol error is its source).
        source: HttpError,
    },
    /// The response body exceeds the limit ([`RspConfig::max_response_size`](super::RspConfig::max_response_size)).
    #[error("{function}: response body larger than {limit} bytes")]
    BodyTooLarge {
        /// The function.
        function: RspFunction,
        /// The limit in bytes.
        limit: u64,
        /// The HTTP client's error when it stopped reading ([`HttpErrorKind::BodyTooLarge`](super::HttpErrorKind::BodyTooLarge));
        /// `None` when the library found the complete body too long.
        source: Option<HttpError>,
    },
    /// The server address is not a valid FQDN with an optional `:port` (it could otherwise inject a path or credentials).
    #[error("invalid RSP server address {address:?}: {reason}")]
    InvalidAddress {
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
    /// A client configuration error: bad override URL, plain `http://` to a non-loopback host, bad CA
    /// certificate, no trust roots.
    #[error("ES9+ client configuration: {0}")]
    Config(String),
    /// A CA certificate given to the client cannot be used: its PEM does not parse, or it is
    /// no usable trust anchor (the TLS stack's error is the source).
    #[error("ES9+ client configuration: {detail}")]
    CaCertificate {
        /// What was being done: `bad PEM`, `CA certificate is not a usable trust anchor`.
        detail: &'static str,
        /// The TLS stack's error.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl Es9Error {
    /// The function the error happened in, if the error is about a call.
    pub fn function(&self) -> Option<RspFunction> {
        match self {
            Es9Error::FunctionFailed { function, .. }
            | Es9Error::HttpStatus { function, .. }
            | Es9Error::NotJson { function, .. }
            | Es9Error::Malformed { function, .. }
            | Es9Error::MissingField { function, .. }
            | Es9Error::InvalidField { function, .. }
            | Es9Error::TransactionIdMismatch { function, .. }
            | Es9Error::Timeout { function, .. }
            | Es9Error::Tls { function, .. }
            | Es9Error::Transport { function, .. }
            | Es9Error::BodyTooLarge { function, .. } => Some(*function),
            Es9Error::InvalidAddress { .. } | Es9Error::Config(_) | Es9Error::CaCertificate { .. } => None,
        }
    }

    /// The server's `statusCodeData` for [`Es9Error::FunctionFailed`].
    pub fn status_code(&self) -> Option<&StatusCode> {
        match self {
            Es9Error::FunctionFailed { code, .. } => code.as_ref(),
            _ => None,
        }
    }
}
