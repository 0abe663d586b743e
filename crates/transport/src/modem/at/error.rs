//! What an AT modem answered instead of what was asked: final result codes `ERROR`,
//! `+CME ERROR: <err>` (3GPP TS 27.007 §9.2) and `+CMS ERROR: <err>` (TS 27.005 §3.2.5), and what
//! went wrong reading the answer.

use std::fmt;
use std::time::Duration;

/// A `+CME ERROR: <err>` final result code (3GPP TS 27.007 §9.2): a number (`AT+CMEE=1`) or a
/// text (`AT+CMEE=2`, and modems that always answer text). A known text is mapped back to its
/// number, so [`code`](Self::code) is the same in both modes; the text the modem sent is kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CmeError {
    code: Option<u16>,
    text: Option<String>,
}

impl CmeError {
    /// 0, "phone failure".
    pub const PHONE_FAILURE: u16 = 0;
    /// 3, "operation not allowed".
    pub const OPERATION_NOT_ALLOWED: u16 = 3;
    /// 4, "operation not supported".
    pub const OPERATION_NOT_SUPPORTED: u16 = 4;
    /// 10, "SIM not inserted".
    pub const SIM_NOT_INSERTED: u16 = 10;
    /// 13, "SIM failure": what a modem answers `AT+CCHO` of an application the card does not
    /// have (the ISD-R AID on a SIM that is no eUICC; commaai/openpilot PR #37979 reads any CME
    /// error there as "no eUICC").
    pub const SIM_FAILURE: u16 = 13;
    /// 14, "SIM busy".
    pub const SIM_BUSY: u16 = 14;
    /// 15, "SIM wrong".
    pub const SIM_WRONG: u16 = 15;
    /// 50, "incorrect parameters".
    pub const INCORRECT_PARAMETERS: u16 = 50;
    /// 100, "unknown".
    pub const UNKNOWN: u16 = 100;

    /// The error with number `code`.
    pub fn from_code(code: u16) -> Self {
        Self { code: Some(code), text: None }
    }

    /// The `<err>` of a `+CME ERROR: <err>` line: a number, or a text (mapped to its number
    /// when it is one of [`name`](Self::name)'s, compared without case).
    pub fn parse(err: &str) -> Self {
        let err = err.trim();
        if let Ok(code) = err.parse::<u16>() {
            return Self::from_code(code);
        }
        let code = NAMES.iter().find(|(_, name)| name.eq_ignore_ascii_case(err)).map(|(code, _)| *code);
        Self { code, text: Some(err.to_owned()) }
    }

    /// The number: as sent, or the number of a known text.
    pub fn code(&self) -> Option<u16> {
        self.code
    }

    /// The text as the modem sent it (verbose mode), if it sent one.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The 3GPP TS 27.007 §9.2.1 name of [`code`](Self::code), if it has one.
    pub fn name(&self) -> Option<&'static str> {
        self.code.and_then(name)
    }
}

impl fmt::Display for CmeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.text, self.code, self.name()) {
            (Some(text), _, _) => f.write_str(text),
            (None, Some(code), Some(name)) => write!(f, "{code} ({name})"),
            (None, Some(code), None) => write!(f, "{code}"),
            (None, None, _) => f.write_str("(no code)"),
        }
    }
}

/// The name of CME error `code`: 3GPP TS 27.007 §9.2.1 "General errors" 0–27 (the list of
/// GSM 07.07 §9.2.1 and TS 27.007 V6.3.0, same numbering); 50 and 100 as ModemManager's
/// `MMMobileEquipmentError` (`include/ModemManager-enums.h`) names them — the 27.007 wording of
/// 50 was not seen.
pub fn name(code: u16) -> Option<&'static str> {
    NAMES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// 3GPP TS 27.007 §9.2.1 numbers and names (see [`name`]).
const NAMES: [(u16, &str); 27] = [
    (0, "phone failure"),
    (1, "no connection to phone"),
    (2, "phone-adaptor link reserved"),
    (3, "operation not allowed"),
    (4, "operation not supported"),
    (5, "PH-SIM PIN required"),
    (6, "PH-FSIM PIN required"),
    (7, "PH-FSIM PUK required"),
    (10, "SIM not inserted"),
    (11, "SIM PIN required"),
    (12, "SIM PUK required"),
    (13, "SIM failure"),
    (14, "SIM busy"),
    (15, "SIM wrong"),
    (16, "incorrect password"),
    (17, "SIM PIN2 required"),
    (18, "SIM PUK2 required"),
    (20, "memory full"),
    (21, "invalid index"),
    (22, "not found"),
    (23, "memory failure"),
    (24, "text string too long"),
    (25, "invalid characters in text string"),
    (26, "dial string too long"),
    (27, "invalid characters in dial string"),
    (50, "incorrect parameters"),
    (100, "unknown"),
];

/// An AT command that did not get the answer it wanted. `command` names the command
/// (`AT+CGLA`…), never its parameters: APDUs can carry secrets.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtError {
    /// The final result code `ERROR` (ITU-T V.250): an unknown command, a syntax error, or
    /// any failure while `AT+CMEE=0`.
    #[error("{command} answered ERROR")]
    Error {
        /// The command.
        command: &'static str,
    },
    /// `+CME ERROR: <err>` (3GPP TS 27.007 §9.2).
    #[error("{command} answered +CME ERROR: {error}")]
    Cme {
        /// The command.
        command: &'static str,
        /// The error.
        error: CmeError,
    },
    /// `+CMS ERROR: <err>` (3GPP TS 27.005 §3.2.5), text as sent.
    #[error("{command} answered +CMS ERROR: {error}")]
    Cms {
        /// The command.
        command: &'static str,
        /// The `<err>` as sent.
        error: String,
    },
    /// No final result code within the command's timeout.
    #[error("{command}: no final result code within {timeout:?}")]
    Timeout {
        /// The command.
        command: &'static str,
        /// The timeout that passed.
        timeout: Duration,
    },
    /// `OK` without the information response the command must give (`+CGLA: …`).
    #[error("{command} answered OK without its {expected} response")]
    MissingResponse {
        /// The command.
        command: &'static str,
        /// What was awaited.
        expected: &'static str,
    },
    /// An information response that does not parse.
    #[error("{command}: malformed response: {reason}")]
    Malformed {
        /// The command.
        command: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A line longer than any answer can be, or a flood of lines without a final result code.
    #[error("{command}: {reason}")]
    Overflow {
        /// The command.
        command: &'static str,
        /// What overflowed.
        reason: String,
    },
}

impl AtError {
    /// The CME error, when that is what the modem answered.
    pub fn cme(&self) -> Option<&CmeError> {
        match self {
            Self::Cme { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn numeric_errors_are_named() {
        for (code, text) in [
            (0, "0 (phone failure)"),
            (3, "3 (operation not allowed)"),
            (4, "4 (operation not supported)"),
            (10, "10 (SIM not inserted)"),
            (13, "13 (SIM failure)"),
            (14, "14 (SIM busy)"),
            (15, "15 (SIM wrong)"),
            (50, "50 (incorrect parameters)"),
            (100, "100 (unknown)"),
            (777, "777"),
        ] {
            let error = CmeError::parse(&code.to_string());
            assert_eq!(error.code(), Some(code));
            assert_eq!(error.to_string(), text);
        }
    }

    #[test]
    fn verbose_errors_keep_their_text_and_find_their_number() {
        let error = CmeError::parse("Operation not supported");
        assert_eq!((error.code(), error.text()), (Some(4), Some("Operation not supported")));
        assert_eq!(error.to_string(), "Operation not supported");
        assert_eq!(CmeError::parse("SIM failure").code(), Some(CmeError::SIM_FAILURE));
        // Sierra EM9191 (lpac issue #187): a text of its own, kept, no number.
        let error = CmeError::parse("Parameters error");
        assert_eq!((error.code(), error.text()), (None, Some("Parameters error")));
        assert_eq!(error.name(), None);
    }

    #[test]
    fn messages_name_the_command_only() {
        let err = AtError::Cme { command: "AT+CCHO", error: CmeError::from_code(13) };
        assert_eq!(err.to_string(), "AT+CCHO answered +CME ERROR: 13 (SIM failure)");
        assert_eq!(err.cme().and_then(CmeError::code), Some(13));
        let err = AtError::Timeout { command: "AT+CGLA", timeout: Duration::from_secs(240) };
        assert_eq!(err.to_string(), "AT+CGLA: no final result code within 240s");
    }
}
