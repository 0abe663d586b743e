//! Logical channels (ISO/IEC 7816-4 §7.1.2 MANAGE CHANNEL; GPC v2.3.1 §11.7).

use alloc::vec::Vec;
use oxicard_transport::Transport;

use super::select::{self, Occurrence, SelectResponse};
use super::{Card, CardError};
use crate::{Cla, CommandView, Response, StatusWord};

/// INS of MANAGE CHANNEL.
const INS_MANAGE_CHANNEL: u8 = 0x70;

/// Something commands can be sent on: the basic channel of a [`Card`], or a
/// [`LogicalChannel`]. The CLA of every command is rewritten to carry the
/// channel's number (ISO/IEC 7816-4 §5.4.1), so callers build commands for channel 0.
pub trait CardChannel {
    /// The channel number, 0 (basic) to 19.
    fn channel_number(&self) -> u8;

    /// Sends `command` on this channel; the response data replaces `data`'s
    /// contents and the final status word is returned.
    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError>;

    /// Sends `command` on this channel and returns the complete response.
    fn transmit(&mut self, command: &CommandView<'_>) -> Result<Response, CardError> {
        let mut data = Vec::new();
        let sw = self.transmit_into(command, &mut data)?;
        Ok(Response::new(data, sw))
    }

    /// SELECT by AID, first occurrence, FCI requested (ISO/IEC 7816-4 §7.1.1,
    /// GPC v2.3.1 §11.9). An error status is [`CardError::Status`].
    fn select(&mut self, aid: &[u8]) -> Result<SelectResponse, CardError>
    where
        Self: Sized,
    {
        select::select(self, aid, Occurrence::First)
    }

    /// SELECT by AID for the `occurrence` (partial AIDs enumerate several applications).
    fn select_occurrence(&mut self, aid: &[u8], occurrence: Occurrence) -> Result<SelectResponse, CardError>
    where
        Self: Sized,
    {
        select::select(self, aid, occurrence)
    }
}

/// `command` with its CLA moved to `channel`.
fn on_channel<'a>(command: &CommandView<'a>, channel: u8) -> Result<CommandView<'a>, CardError> {
    let cla = Cla(command.cla()).with_channel(channel).map_err(CardError::Encode)?;
    Ok(command.with_cla(cla.0))
}

impl<T: Transport> CardChannel for Card<T> {
    fn channel_number(&self) -> u8 {
        0
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        let command = on_channel(command, 0)?;
        Card::transmit_into(self, &command, data)
    }
}

impl<T: Transport> Card<T> {
    /// MANAGE CHANNEL open (`00 70 00 00 01`): the card picks the number.
    /// Returns a handle that closes the channel when dropped.
    pub fn open_channel(&mut self) -> Result<LogicalChannel<'_, T>, CardError> {
        let number = self.open_channel_number()?;
        Ok(LogicalChannel { card: self, number, open: true })
    }

    /// MANAGE CHANNEL open without a handle: the caller closes the channel with
    /// [`close_channel`](Self::close_channel) and addresses it with
    /// [`transmit_on`](Self::transmit_on). For several channels at once.
    pub fn open_channel_number(&mut self) -> Result<u8, CardError> {
        let open = CommandView::new(0x00, INS_MANAGE_CHANNEL, 0x00, 0x00).with_ne(1);
        let response = self.transmit(&open)?;
        if !response.sw().is_success() {
            return Err(CardError::Status { operation: "MANAGE CHANNEL", sw: response.sw() });
        }
        match response.data() {
            [number @ 1..=Cla::MAX_CHANNEL] => Ok(*number),
            _ => Err(CardError::InvalidResponse {
                operation: "MANAGE CHANNEL",
                error: crate::Error::new(crate::ErrorKind::InvalidValue, 0),
            }),
        }
    }

    /// MANAGE CHANNEL close (`00 70 80 nn`, no Le: GPC v2.3.1 Table 11-61).
    pub fn close_channel(&mut self, number: u8) -> Result<(), CardError> {
        let close = CommandView::new(0x00, INS_MANAGE_CHANNEL, 0x80, number);
        let sw = self.transmit(&close)?.sw();
        if sw.is_success() { Ok(()) } else { Err(CardError::Status { operation: "MANAGE CHANNEL", sw }) }
    }

    /// A handle on channel `number`, already open (e.g. from
    /// [`open_channel_number`](Self::open_channel_number)), that does **not** close it when
    /// dropped: for using the [`CardChannel`] operations (SELECT…) on a channel kept open.
    pub fn on_channel(&mut self, number: u8) -> LogicalChannel<'_, T> {
        LogicalChannel { card: self, number, open: false }
    }

    /// Sends `command` on logical channel `channel` (0..=19).
    pub fn transmit_on(
        &mut self,
        channel: u8,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        let command = on_channel(command, channel)?;
        Card::transmit_into(self, &command, data)
    }
}

/// An open logical channel, closed (MANAGE CHANNEL close) when dropped.
///
/// It borrows its [`Card`]; to keep several channels open at once use
/// [`Card::open_channel_number`] and [`Card::transmit_on`].
pub struct LogicalChannel<'a, T: Transport> {
    card: &'a mut Card<T>,
    number: u8,
    open: bool,
}

impl<T: Transport> LogicalChannel<'_, T> {
    /// The channel number, 1..=19.
    pub fn number(&self) -> u8 {
        self.number
    }

    /// Closes the channel, reporting the card's answer.
    pub fn close(mut self) -> Result<(), CardError> {
        self.open = false;
        self.card.close_channel(self.number)
    }

    /// Keeps the channel open past the handle and returns its number.
    pub fn into_number(mut self) -> u8 {
        self.open = false;
        self.number
    }
}

impl<T: Transport> CardChannel for LogicalChannel<'_, T> {
    fn channel_number(&self) -> u8 {
        self.number
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.card.transmit_on(self.number, command, data)
    }
}

impl<T: Transport> Drop for LogicalChannel<'_, T> {
    fn drop(&mut self) {
        if self.open
            && let Err(err) = self.card.close_channel(self.number)
        {
            tracing::warn!(target: "oxicard::card", channel = self.number, "closing logical channel failed: {err}");
        }
    }
}

impl<T: Transport> core::fmt::Debug for LogicalChannel<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LogicalChannel").field("number", &self.number).finish_non_exhaustive()
    }
}
