//! The errors of the MBIM codec and session: what was wrong, and where.

use super::status::{ProtocolError, Status};
use super::uuid::Uuid;

/// An MBIM message that could not be built or read, or a command the function refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MbimError {
    /// A message or structure shorter than its fixed fields.
    #[error("{what}: {len} bytes, at least {needed} needed")]
    Truncated {
        /// The message or structure.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The length its fields need.
        needed: usize,
    },
    /// The `MessageLength` of the header is not the length of the message.
    #[error("MessageLength {declared} of a {actual}-byte MBIM message")]
    LengthMismatch {
        /// The header's `MessageLength`.
        declared: u32,
        /// The bytes there are.
        actual: usize,
    },
    /// A `MessageLength` no message can have: below the 12-byte header, or above the
    /// largest message this side accepts.
    #[error("MessageLength {declared}: outside 12..={max}")]
    BadMessageLength {
        /// The header's `MessageLength`.
        declared: u32,
        /// The largest accepted.
        max: usize,
    },
    /// A `MessageType` MBIM 1.0 does not define.
    #[error("unknown MBIM MessageType {0:#010x}")]
    UnknownMessageType(u32),
    /// A `CommandType` other than query (0) and set (1).
    #[error("unknown MBIM CommandType {0}")]
    UnknownCommandType(u32),
    /// A field value outside its range.
    #[error("{what} {value} outside {range}")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// Its value.
        value: u32,
        /// What it may be.
        range: &'static str,
    },
    /// A (size, offset) or (offset, size) pair that points outside its structure, or into its
    /// fixed fields.
    #[error("{what}: {size} bytes at offset {offset} outside the data of a {len}-byte buffer")]
    OutOfBounds {
        /// The structure.
        what: &'static str,
        /// The offset field.
        offset: u32,
        /// The size field.
        size: u32,
        /// The structure's length.
        len: usize,
    },
    /// More bytes than a field or a message may carry.
    #[error("{what}: {len} bytes, at most {max}")]
    TooLong {
        /// The field or message.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A fragment header that cannot be: `CurrentFragment` not below `TotalFragments`, or no
    /// fragment at all.
    #[error("fragment {current} of {total}")]
    BadFragmentHeader {
        /// `TotalFragments`.
        total: u32,
        /// `CurrentFragment` (0-based).
        current: u32,
    },
    /// A fragment that does not continue the message being reassembled (USB MBIM 1.0 §9.5,
    /// libmbim `_mbim_message_fragment_collector_add`).
    #[error("fragment {current}/{total} of transaction {transaction_id} out of sequence ({expected})")]
    FragmentOutOfSequence {
        /// The fragment's transaction id.
        transaction_id: u32,
        /// Its `CurrentFragment`.
        current: u32,
        /// Its `TotalFragments`.
        total: u32,
        /// What was expected instead.
        expected: &'static str,
    },
    /// A whole-message decoder was given one fragment of several.
    #[error("fragment {current} of {total}, not a whole message: reassemble first")]
    NotReassembled {
        /// `TotalFragments`.
        total: u32,
        /// `CurrentFragment`.
        current: u32,
    },
    /// A `MaxControlTransfer` below the minimum: 64 for a function (USB MBIM 1.0
    /// `wMaxControlMessage`), 21 to split a message at all (a fragment carries 20 bytes of
    /// headers).
    #[error("MaxControlTransfer {value} below the minimum of {min} bytes")]
    MaxControlTransfer {
        /// The value given.
        value: u32,
        /// The minimum.
        min: u32,
    },
    /// The function answered a command with a status other than success.
    #[error("{service} CID {cid}: {status}")]
    Status {
        /// The command's service.
        service: ServiceName,
        /// The command id.
        cid: u32,
        /// The function's status.
        status: Status,
    },
    /// `OPEN_DONE` or `CLOSE_DONE` with a status other than success.
    #[error("{message} answered {status}")]
    Refused {
        /// `OPEN_DONE` or `CLOSE_DONE`.
        message: &'static str,
        /// Its status.
        status: Status,
    },
    /// The function answered a message of ours with `FUNCTION_ERROR`.
    #[error("FUNCTION_ERROR {error} for transaction {transaction_id}")]
    FunctionError {
        /// The transaction it refers to.
        transaction_id: u32,
        /// The error code.
        error: ProtocolError,
    },
    /// A `COMMAND_DONE` that answers another command than the one of its transaction.
    #[error(
        "COMMAND_DONE of transaction {transaction_id} is for {got_service} CID {got_cid}, not {service} CID {cid}"
    )]
    WrongCommandDone {
        /// The transaction.
        transaction_id: u32,
        /// The service asked.
        service: ServiceName,
        /// The command id asked.
        cid: u32,
        /// The service answered.
        got_service: ServiceName,
        /// The command id answered.
        got_cid: u32,
    },
    /// A string field that is not UTF-16LE (an odd number of bytes, or an unpaired surrogate).
    #[error("{what}: not a UTF-16LE string")]
    InvalidString {
        /// The field.
        what: &'static str,
    },
    /// An OPEN_CHANNEL answered with a channel number outside 1..=19.
    #[error("OPEN_CHANNEL answered channel {0}, outside 1..=19")]
    InvalidChannel(u32),
}

/// A service UUID in an error: its name when it is one this crate knows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ServiceName(pub Uuid);

impl std::fmt::Display for ServiceName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.service_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "service {}", self.0),
        }
    }
}

impl std::fmt::Debug for ServiceName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
