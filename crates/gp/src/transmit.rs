//! What GlobalPlatform commands are sent through.

use oxicard_apdu::card::{Card, CardError, LogicalChannel};
use oxicard_apdu::{CommandView, Response};
use oxicard_secure_channel::scp03::{Scp03Error, Scp03Session};
use oxicard_transport::Transport;

/// Something that sends a command and returns the card's response: a plain [`Card`], a
/// [`LogicalChannel`], or an [`Scp03Session`] (which wraps and unwraps every command).
///
/// The card layer already handles `61xx` / `6Cxx` (ISO/IEC 7816-4 §5.3.4); GlobalPlatform's
/// own continuation (`6310`, GPC v2.3.1 §11.4.3) is handled by the operations of this crate.
pub trait Transmit {
    /// The error of a failed exchange.
    type Error;

    /// Sends `command` (built for the basic channel) and returns the response.
    fn transmit_command(&mut self, command: &CommandView<'_>) -> Result<Response, Self::Error>;

    /// The most plain data bytes one short command may carry once the channel's protection is
    /// added: 255 for a plain channel (ISO/IEC 7816-4 §5.1). Used to size LOAD blocks.
    fn max_command_data(&self) -> usize {
        CommandView::MAX_SHORT_NC
    }
}

impl<T: Transmit + ?Sized> Transmit for &mut T {
    type Error = T::Error;

    fn transmit_command(&mut self, command: &CommandView<'_>) -> Result<Response, T::Error> {
        (**self).transmit_command(command)
    }

    fn max_command_data(&self) -> usize {
        (**self).max_command_data()
    }
}

impl<T: Transport> Transmit for Card<T> {
    type Error = CardError;

    fn transmit_command(&mut self, command: &CommandView<'_>) -> Result<Response, CardError> {
        oxicard_apdu::card::CardChannel::transmit(self, command)
    }
}

impl<T: Transport> Transmit for LogicalChannel<'_, T> {
    type Error = CardError;

    fn transmit_command(&mut self, command: &CommandView<'_>) -> Result<Response, CardError> {
        oxicard_apdu::card::CardChannel::transmit(self, command)
    }
}

impl<C: oxicard_apdu::card::CardChannel + ?Sized> Transmit for Scp03Session<'_, C> {
    type Error = Scp03Error;

    fn transmit_command(&mut self, command: &CommandView<'_>) -> Result<Response, Scp03Error> {
        self.transmit(command)
    }

    fn max_command_data(&self) -> usize {
        let level = self.security_level();
        let mac = if level.c_mac() { self.state().mode().size() } else { 0 };
        scp03_max_data(CommandView::MAX_SHORT_NC, mac, level.c_dec())
    }
}

/// The largest plain data length whose SCP03 protection fits `limit` bytes: C-MAC adds `mac`
/// bytes; C-DECRYPTION pads to a multiple of 16 with at least one byte (ISO/IEC 9797-1 method 2,
/// GP Amendment D §6.2.6), so the encrypted length is `(n / 16 + 1) × 16`.
pub(crate) const fn scp03_max_data(limit: usize, mac: usize, encrypted: bool) -> usize {
    let room = limit.saturating_sub(mac);
    if encrypted { (room / 16 * 16).saturating_sub(1) } else { room }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overheads() {
        assert_eq!(scp03_max_data(255, 0, false), 255);
        assert_eq!(scp03_max_data(255, 8, false), 247);
        // 239 bytes pad to 240, + 8 MAC = 248 ≤ 255; 240 would pad to 256.
        assert_eq!(scp03_max_data(255, 8, true), 239);
        assert_eq!(scp03_max_data(255, 16, true), 223);
    }
}
