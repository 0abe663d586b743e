//! The [`Transport`] trait: one raw APDU exchange at a time.

use crate::TransportError;
use crate::trace::{self, Redaction};

/// Largest response a transport is ever asked to return: 65 536 data bytes
/// (extended Le `0000`) plus SW1 SW2.
pub const MAX_RESPONSE_LEN: usize = 65_536 + 2;

/// Largest command APDU: case 4E with 65 535 data bytes (ISO/IEC 7816-4 §5.1).
pub const MAX_COMMAND_LEN: usize = 4 + 3 + 65_535 + 2;

/// How to reset the card (PC/SC dispositions `SCARD_RESET_CARD` / `SCARD_UNPOWER_CARD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResetKind {
    /// Warm reset: the card restarts, its power stays on.
    Warm,
    /// Cold reset: power off, then on.
    Cold,
}

/// What a transport answered when asked to open a logical channel itself
/// ([`Transport::open_logical_channel`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelOpening {
    /// The transport has no means of its own (the default): the card layer sends MANAGE CHANNEL
    /// (ISO/IEC 7816-4 §7.1.2) and SELECT (§7.1.1) through [`Transport::exchange`].
    Unsupported,
    /// The channel is open, with the application selected on it when an AID was given.
    Opened {
        /// The channel number, 1 to 19 (ISO/IEC 7816-4 §5.4.1).
        number: u8,
        /// The response to the SELECT the transport made (data followed by SW1 SW2), when it
        /// has one (QMI and MBIM return it; `AT+CCHO` does not).
        select_response: Option<Vec<u8>>,
    },
    /// The card refused: no channel is open. The status word of the refused SELECT (e.g.
    /// `6A82`, application not found) when an AID was given, else of MANAGE CHANNEL.
    Refused {
        /// SW1 SW2.
        sw: [u8; 2],
    },
}

/// A link to one card that exchanges raw APDUs.
///
/// Implementations move bytes and report failures; they do not interpret
/// status words (no GET RESPONSE, no 6Cxx handling: that is the job of the
/// card layer in `oxicard-apdu`).
///
/// Implementors provide [`exchange`](Self::exchange); callers use
/// [`transmit`](Self::transmit) or [`transmit_redacted`](Self::transmit_redacted),
/// which also trace every exchange (target `oxicard::apdu`, level TRACE) with
/// sensitive payloads redacted.
pub trait Transport: Send {
    /// Sends one command APDU and writes the whole response (data followed by
    /// SW1 SW2) into `response`, returning its length.
    ///
    /// A response that does not fit `response` is an
    /// [`ErrorKind::ResponseTooLong`](crate::ErrorKind::ResponseTooLong) error,
    /// never a truncation.
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError>;

    /// The card's Answer To Reset, as last seen.
    fn atr(&self) -> &[u8];

    /// Resets the card. Logical channels and security states are lost.
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError>;

    /// Re-establishes the link after the card was reset by someone else, or
    /// removed and inserted again, without resetting it ourselves.
    ///
    /// The default does nothing: in-memory transports never lose their card.
    fn reconnect(&mut self) -> Result<(), TransportError> {
        Ok(())
    }

    /// Opens a logical channel by the transport's own means, to the application `aid` when one
    /// is given: the hook for links that cannot carry MANAGE CHANNEL (ISO/IEC 7816-4 §7.1.2)
    /// but open channels themselves — a modem's `AT+CCHO` (3GPP TS 27.007 §8.45), QMI UIM OPEN
    /// LOGICAL CHANNEL, MBIM UICC OPEN CHANNEL, Android OMAPI `openLogicalChannel`.
    ///
    /// The default answers [`ChannelOpening::Unsupported`]: the card layer then sends MANAGE
    /// CHANNEL (and SELECT) through [`exchange`](Self::exchange), as for any card in a reader.
    /// Commands on a channel opened here still go through [`exchange`](Self::exchange), the
    /// channel number in their CLA (ISO/IEC 7816-4 §5.4.1); the transport closes it in
    /// [`close_logical_channel`](Self::close_logical_channel).
    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
        let _ = aid;
        Ok(ChannelOpening::Unsupported)
    }

    /// Closes channel `number` if this transport opened it
    /// ([`open_logical_channel`](Self::open_logical_channel); `AT+CCHC`, …) and returns `true`.
    /// The default returns `false`: the card layer sends MANAGE CHANNEL close.
    fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
        let _ = number;
        Ok(false)
    }

    /// Whether commands can go on the basic channel (channel 0). The default: `true`. A link that
    /// carries APDUs only on logical channels it opened itself (MBIM's UICC low-level access,
    /// Microsoft "MB low level UICC access") answers `false`: select an application there with
    /// [`open_logical_channel`](Self::open_logical_channel) instead.
    fn has_basic_channel(&self) -> bool {
        true
    }

    /// [`exchange`](Self::exchange) with tracing; command data of
    /// well-known sensitive instructions (VERIFY, PUT KEY, …) is redacted.
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.transmit_redacted(command, response, Redaction::Auto)
    }

    /// [`exchange`](Self::exchange) with tracing, redacting what `redaction` says.
    fn transmit_redacted(
        &mut self,
        command: &[u8],
        response: &mut [u8],
        redaction: Redaction,
    ) -> Result<usize, TransportError> {
        let started = trace::command(command, redaction);
        let result = self.exchange(command, response);
        trace::response(started, &result, response, redaction);
        result
    }
}

/// Forwards every method of [`Transport`] through a pointer to a transport.
macro_rules! forward_transport {
    ($($pointer:ty),+) => {$(
        impl<T: Transport + ?Sized> Transport for $pointer {
            fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
                (**self).exchange(command, response)
            }
            fn atr(&self) -> &[u8] {
                (**self).atr()
            }
            fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
                (**self).reset(kind)
            }
            fn reconnect(&mut self) -> Result<(), TransportError> {
                (**self).reconnect()
            }
            fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
                (**self).open_logical_channel(aid)
            }
            fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
                (**self).close_logical_channel(number)
            }
            fn has_basic_channel(&self) -> bool {
                (**self).has_basic_channel()
            }
        }
    )+};
}

forward_transport!(&mut T, Box<T>);
