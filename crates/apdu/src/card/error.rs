//! Errors of the card layer.

use alloc::boxed::Box;
use std::error::Error as StdError;

use crate::{Error as CodecError, StatusWord};
use oxicard_transport::TransportError;

/// What can go wrong when talking to a card through [`Card`](super::Card).
///
/// The message says what this layer was doing; the cause (the transport's error, the codec's,
/// the secure channel's) is the [`source`](StdError::source): print the whole chain with
/// `oxicard_transport::ErrorChain`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// The transport failed (no card, card removed, reader gone, …).
    #[error("transport failed")]
    Transport(#[from] TransportError),
    /// The command could not be encoded (too much data, Ne too large).
    #[error("cannot encode the command")]
    Encode(#[source] CodecError),
    /// The card answered fewer than two bytes: no status word.
    #[error("malformed response of {len} bytes from the card: no status word")]
    MalformedResponse {
        /// Length of what the card sent.
        len: usize,
    },
    /// The response (all GET RESPONSE rounds together) exceeds the configured maximum.
    #[error("response exceeds the configured maximum of {limit} bytes")]
    ResponseTooLong {
        /// The configured maximum, [`CardConfig::max_response_len`](super::CardConfig::max_response_len).
        limit: usize,
    },
    /// The card kept answering `61xx` or `6Cxx` beyond the configured number of rounds.
    #[error("card kept asking for {rounds} more GET RESPONSE / re-send rounds")]
    TooManyRounds {
        /// Rounds made before giving up.
        rounds: usize,
    },
    /// The command data does not fit a short APDU and the card supports
    /// neither extended length nor command chaining.
    #[error("{len} bytes of command data need extended length or command chaining, and the card has neither")]
    DataTooLong {
        /// Nc of the command.
        len: usize,
    },
    /// An intermediate part of a chained command was refused.
    #[error("chained command part {part} refused with {sw}")]
    ChainingRefused {
        /// Zero-based index of the part the card refused.
        part: usize,
        /// The card's status word (for example `6884`, chaining not supported).
        sw: StatusWord,
    },
    /// The card answered an operation of this layer (SELECT, MANAGE CHANNEL) with an error status.
    #[error("{operation} failed: {sw}")]
    Status {
        /// The operation, e.g. `"SELECT"`.
        operation: &'static str,
        /// The status word.
        sw: StatusWord,
    },
    /// The card's answer to an operation of this layer is malformed (FCI, MANAGE CHANNEL).
    #[error("{operation}: malformed response")]
    InvalidResponse {
        /// The operation, e.g. `"SELECT"`.
        operation: &'static str,
        /// What was wrong, and where.
        #[source]
        error: CodecError,
    },
    /// The channel cannot do this: an SCP03 session opening or addressing another logical
    /// channel (see [`CardChannel`](super::CardChannel), "Opening channels"). Nothing was sent.
    #[error("{operation} is not available on this channel")]
    NotSupported {
        /// The operation, e.g. `"MANAGE CHANNEL"`.
        operation: &'static str,
    },
    /// The secure channel protecting the channel failed or refused the command: its own typed
    /// error (for an SCP03 session of `oxicard-secure-channel`, its `Scp03Error`), read back with
    /// [`secure_channel_error`](Self::secure_channel_error). A failure of the card underneath
    /// is the plain variant (`Transport`, …), not this one.
    #[error("secure channel")]
    SecureChannel(#[source] Box<dyn StdError + Send + Sync + 'static>),
}

impl CardError {
    /// A [`CardError::SecureChannel`] carrying `error`.
    pub fn secure_channel(error: impl StdError + Send + Sync + 'static) -> Self {
        Self::SecureChannel(Box::new(error))
    }

    /// The secure channel's error, when this is a [`CardError::SecureChannel`] of type `E`
    /// (e.g. `oxicard_secure_channel::scp03::Scp03Error`).
    pub fn secure_channel_error<E: StdError + 'static>(&self) -> Option<&E> {
        match self {
            Self::SecureChannel(error) => error.downcast_ref::<E>(),
            _ => None,
        }
    }
}
