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

impl<T: Transport + ?Sized> Transport for &mut T {
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
}

impl<T: Transport + ?Sized> Transport for Box<T> {
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
}
