//! Errors of the test SM-DP+: ES9+ function failures carried as SGP.22 status codes (subject code /
//! reason code, SGP.22 §6.5.1.4 `statusCodeData`, codes of §5.6.1–§5.6.5), and configuration errors.

use oxicard_euicc::es9::{ExecutionStatus, RspFunction, StatusCode, encode_failure_response};
use oxicard_euicc::iccid::Iccid;

/// An ES9+ function that failed, with the status code the SM-DP+ answers
/// (`functionExecutionStatus.status` `Failed` + `statusCodeData`, SGP.22 §6.5.1.4).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{function} failed: {code}")]
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

    /// The JSON body of the failure response (HTTP 200, SGP.22 §6.5.1.4).
    pub fn to_json(&self) -> Vec<u8> {
        encode_failure_response(ExecutionStatus::Failed, &self.code)
    }
}

/// A profile package or server configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The UPP is not a valid SAIP package (SAIP v3.3.1 §8.1, `PE_Definitions-3.3.1`).
    #[error("invalid profile package: {0}")]
    Package(crate::saip::SaipError),
    /// EF.ICCID of the MF PE does not hold the ProfileHeader's ICCID (ETSI TS 102 221 §13.2).
    #[error("the ProfileHeader carries ICCID {header}, EF.ICCID {}", ef_iccid.map_or_else(|| "nothing".to_string(), |i| i.to_string()))]
    EfIccidMismatch {
        /// The ICCID of the ProfileHeader.
        header: Iccid,
        /// The contents of EF.ICCID, if it is filled.
        ef_iccid: Option<Iccid>,
    },
    /// A file could not be read.
    #[error("cannot read the profile package: {0}")]
    Io(String),
    /// The ProfileHeader's ICCID is not the metadata's.
    #[error("the ProfileHeader carries ICCID {header}, the metadata {metadata}")]
    IccidMismatch {
        /// The ICCID of the ProfileHeader.
        header: Iccid,
        /// The ICCID of the metadata.
        metadata: Iccid,
    },
}

/// Why the HTTP(S) server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding or configuring the socket failed.
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
    /// The TLS certificate or key was refused by rustls.
    #[error("TLS configuration: {0}")]
    Tls(String),
}
