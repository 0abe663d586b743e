//! Errors of the GlobalPlatform layer.

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::CardError;

use crate::status_word::{Operation, StatusMeaning, explain};

/// What is wrong with bytes a decoder was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Malformed BER-TLV (ISO/IEC 7816-4 §5.2.2).
    Tlv,
    /// The data ends before a field it announces.
    Truncated,
    /// A mandatory data object is absent.
    Missing,
    /// A field has a length the specification does not allow.
    InvalidLength,
    /// A field has a value the specification does not allow.
    InvalidValue,
    /// Bytes follow the last expected field.
    TrailingData,
    /// The object has another tag than the one expected.
    UnexpectedTag,
    /// The container (zip archive of a CAP file) cannot be read.
    Archive,
}

/// A decoding error: its [`DecodeErrorKind`] and the offset in the input where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind:?} at offset {offset}")]
#[non_exhaustive]
pub struct DecodeError {
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Where, in bytes from the start of the decoded input.
    pub offset: usize,
}

impl DecodeError {
    /// An error of `kind` at `offset`.
    pub const fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl From<oxicard_apdu::Error> for DecodeError {
    fn from(e: oxicard_apdu::Error) -> Self {
        Self::new(DecodeErrorKind::Tlv, e.offset)
    }
}

/// An error of a card management operation, over any
/// [`CardChannel`](oxicard_apdu::card::CardChannel): a card, a logical channel, an SCP03
/// session.
///
/// The message says what this layer was doing; the cause (the channel's error, the decoder's)
/// is the [`source`](std::error::Error::source): print the whole chain with
/// `oxicard_transport::ErrorChain`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GpError {
    /// Sending the command failed: the channel's error (for an SCP03 session, a failure of the
    /// session is a [`CardError::SecureChannel`] carrying its `Scp03Error`).
    #[error("card exchange failed")]
    Transmit(#[from] CardError),
    /// The card answered with an error status word. The message gives its meaning for the
    /// command and, where the command makes the cause clear, a hint
    /// ([`status_meaning`](Self::status_meaning)): `INSTALL [for load] failed: 6985 (conditions
    /// of use not satisfied: is the load file already on the card, or the card locked?)`.
    #[error("{operation} failed: {}", explain(Operation::from_name(operation), *sw))]
    Status {
        /// The command, an [`Operation::name`] (e.g. `"GET STATUS"`) for the commands of this
        /// crate.
        operation: &'static str,
        /// The card's status word.
        sw: StatusWord,
    },
    /// The card's answer cannot be decoded.
    #[error("{operation}: malformed response")]
    Decode {
        /// The command, e.g. `"GET STATUS"`.
        operation: &'static str,
        /// What was wrong, and where.
        #[source]
        error: DecodeError,
    },
    /// The card kept answering `6310` (more data) beyond the round limit.
    #[error("{operation}: more than {rounds} continuation rounds")]
    TooManyRounds {
        /// The command.
        operation: &'static str,
        /// The limit.
        rounds: usize,
    },
    /// A value the host computed does not match the card's answer (key check values of PUT KEY).
    #[error("{operation}: the card's answer does not match")]
    Mismatch {
        /// The command.
        operation: &'static str,
    },
}

impl GpError {
    /// For [`GpError::Status`]: what the status word means as the answer to its command, with a
    /// hint where the command makes the cause clear ([`status_word`](crate::status_word)).
    pub fn status_meaning(&self) -> Option<StatusMeaning> {
        match self {
            Self::Status { operation, sw } => Some(explain(Operation::from_name(operation), *sw)),
            _ => None,
        }
    }
}
