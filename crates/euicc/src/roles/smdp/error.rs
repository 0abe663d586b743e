//! ES9+ (and ES11) function failures carried as SGP.22 status codes (subject code / reason
//! code, SGP.22 §6.5.1.4 `statusCodeData`, codes of §5.6.1–§5.6.5 and §5.8).

use crate::es9::{ExecutionStatus, RspFunction, StatusCode, encode_failure_response};

/// An ES9+ or ES11 function that failed, with the status code the SM-DP+ (or SM-DS) answers
/// (`functionExecutionStatus.status` `Failed` + `statusCodeData`, SGP.22 §6.5.1.4).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{function} failed: {code}")]
#[non_exhaustive]
pub struct SmdpError {
    /// The function.
    pub function: RspFunction,
    /// `statusCodeData`.
    pub code: StatusCode,
}

impl SmdpError {
    /// A failure of `function` with `subject`/`reason` codes and a free-text message.
    pub fn new(function: RspFunction, subject: &str, reason: &str, message: impl Into<String>) -> SmdpError {
        SmdpError {
            function,
            code: StatusCode {
                subject_code: subject.to_string(),
                reason_code: reason.to_string(),
                subject_identifier: None,
                message: Some(message.into()),
            },
        }
    }

    /// `8.10.1` / `3.9`: the RSP session identified by the TransactionID is unknown.
    pub fn unknown_transaction(function: RspFunction) -> SmdpError {
        SmdpError::new(function, "8.10.1", "3.9", "unknown transactionId")
    }

    /// `8.1` / `6.1`: the eUICC signature (or the serverChallenge) is invalid.
    pub fn euicc_signature(function: RspFunction, message: impl Into<String>) -> SmdpError {
        SmdpError::new(function, "8.1", "6.1", message)
    }

    /// A failure of the server itself (random generator, signing): not an SGP.22 status code
    /// (subject and reason `internal`).
    pub fn internal(function: RspFunction, error: &dyn std::fmt::Display) -> SmdpError {
        SmdpError::new(function, "internal", "internal", format!("server failure: {error}"))
    }

    /// The JSON body of the failure response (HTTP 200, SGP.22 §6.5.1.4).
    pub fn to_json(&self) -> Vec<u8> {
        encode_failure_response(ExecutionStatus::Failed, &self.code)
    }
}
