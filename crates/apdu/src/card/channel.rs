//! The one command-level abstraction, [`CardChannel`], and logical channels
//! (ISO/IEC 7816-4 §5.4.1 channel numbers, §7.1.2 MANAGE CHANNEL; GPC v2.3.1 §11.7).

use alloc::boxed::Box;
use alloc::vec::Vec;
use oxicard_transport::{ChannelOpening, Transport};

use super::select::{self, Occurrence, SelectResponse};
use super::{Card, CardError};
use crate::{Cla, CommandView, Response, StatusWord};

/// INS of MANAGE CHANNEL.
const INS_MANAGE_CHANNEL: u8 = 0x70;

/// The name of MANAGE CHANNEL in [`CardError`]s.
const MANAGE_CHANNEL: &str = "MANAGE CHANNEL";

/// Something ISO/IEC 7816-4 commands are sent on, and the one abstraction every layer above
/// the transport uses: the basic channel of a [`Card`], a [`LogicalChannel`], an SCP03 session
/// of `oxicard-secure-channel` (which wraps and unwraps each command), and `&mut C` or
/// `Box<C>` of any of them — so code written for a channel runs unchanged on a plain card, on
/// a logical channel and under a secure channel, and a session may own its channel or borrow it.
///
/// Commands are built for the basic channel: each channel moves the CLA to its own number
/// (ISO/IEC 7816-4 §5.4.1). Below the channel the card layer has already followed `61xx` with
/// GET RESPONSE and `6Cxx` with the exact Le (§5.3.4, §7.6.1) and chained or extended what
/// does not fit a short APDU (§5.1, §5.3.3): a response is the complete one. Status words are
/// returned, not judged; only the channel's own operations (SELECT, MANAGE CHANNEL) turn error
/// statuses into [`CardError::Status`].
///
/// # Opening channels
///
/// [`open_logical_channel`](Self::open_logical_channel) is the one way upper layers (the ISD-R
/// access of `oxicard-euicc`, [`LogicalChannel::open`]) ask for another channel of the card, to
/// an application when they name its AID. A [`Card`] first offers the request to its
/// transport ([`Transport::open_logical_channel`]: a modem opens channels itself with
/// `AT+CCHO` or QMI, returning the SELECT response), and otherwise sends MANAGE CHANNEL open
/// and leaves the SELECT to the caller ([`OpenedChannel::selected`] is `None`). Channels that
/// are not a card — an SCP03 session protects the one channel it was opened on (GP Card Spec
/// Amendment D §5.6: closing that channel ends the session) — neither open nor address other
/// channels:
/// [`CardError::NotSupported`], the default of those methods.
pub trait CardChannel {
    /// The logical channel number commands go on: 0 (basic) to 19.
    fn channel_number(&self) -> u8;

    /// Sends `command` on this channel; the response data replaces `data`'s contents and the
    /// final status word is returned. Reusing `data` across calls avoids allocations.
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

    /// The most command data bytes one short command may carry once the channel's own
    /// protection is added: 255 for a plain channel (ISO/IEC 7816-4 §5.1), less under secure
    /// messaging. Sizes blocks of data split over several commands (GPC v2.3.1 §11.6 LOAD).
    fn max_command_data(&self) -> usize {
        CommandView::MAX_SHORT_NC
    }

    /// SELECT by AID, first occurrence, FCI requested (ISO/IEC 7816-4 §7.1.1,
    /// GPC v2.3.1 §11.9). An error status is [`CardError::Status`].
    fn select(&mut self, aid: &[u8]) -> Result<SelectResponse, CardError> {
        select::select(self, aid, Occurrence::First)
    }

    /// SELECT by AID for the `occurrence` (partial AIDs enumerate several applications).
    fn select_occurrence(&mut self, aid: &[u8], occurrence: Occurrence) -> Result<SelectResponse, CardError> {
        select::select(self, aid, occurrence)
    }

    /// Sends `command` on logical channel `channel` (0..=19) of the same card: the way to use a
    /// channel opened by [`open_logical_channel`](Self::open_logical_channel). The default
    /// sends on this channel's own number only, anything else is [`CardError::NotSupported`].
    fn transmit_on(
        &mut self,
        channel: u8,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        if channel == self.channel_number() {
            self.transmit_into(command, data)
        } else {
            Err(CardError::NotSupported { operation: "a command on another logical channel" })
        }
    }

    /// Opens another logical channel of the card (ISO/IEC 7816-4 §7.1.2), for the application
    /// `aid` when given; see [Opening channels](Self#opening-channels). With
    /// [`OpenedChannel::selected`] `None` the caller selects; a transport that opened the
    /// channel to `aid` itself reports the SELECT response there, and an `aid` it did not find
    /// as [`CardError::Status`] with operation `"SELECT"`. A refused MANAGE CHANNEL is
    /// [`CardError::Status`] with operation `"MANAGE CHANNEL"`.
    ///
    /// The default is [`CardError::NotSupported`].
    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<OpenedChannel, CardError> {
        let _ = aid;
        Err(CardError::NotSupported { operation: MANAGE_CHANNEL })
    }

    /// Closes logical channel `number` (ISO/IEC 7816-4 §7.1.2; `00 70 80 nn`, no Le: GPC v2.3.1
    /// Table 11-61), or lets the transport that opened it close it. The default is
    /// [`CardError::NotSupported`].
    fn close_logical_channel(&mut self, number: u8) -> Result<(), CardError> {
        let _ = number;
        Err(CardError::NotSupported { operation: MANAGE_CHANNEL })
    }
}

/// A logical channel [`CardChannel::open_logical_channel`] opened.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenedChannel {
    /// The channel number, 1 to 19.
    pub number: u8,
    /// The SELECT response when the channel was opened to an application (by a transport that
    /// opens channels itself); `None` after MANAGE CHANNEL: nothing is selected yet.
    pub selected: Option<SelectResponse>,
}

impl OpenedChannel {
    /// The value with the given members.
    pub fn new(number: u8, selected: Option<SelectResponse>) -> Self {
        Self { number, selected }
    }
}

/// Forwards every method of [`CardChannel`] through a pointer to a channel.
macro_rules! forward_channel {
    ($($pointer:ty),+) => {$(
        impl<C: CardChannel + ?Sized> CardChannel for $pointer {
            fn channel_number(&self) -> u8 {
                (**self).channel_number()
            }
            fn transmit_into(
                &mut self,
                command: &CommandView<'_>,
                data: &mut Vec<u8>,
            ) -> Result<StatusWord, CardError> {
                (**self).transmit_into(command, data)
            }
            fn max_command_data(&self) -> usize {
                (**self).max_command_data()
            }
            fn transmit_on(
                &mut self,
                channel: u8,
                command: &CommandView<'_>,
                data: &mut Vec<u8>,
            ) -> Result<StatusWord, CardError> {
                (**self).transmit_on(channel, command, data)
            }
            fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<OpenedChannel, CardError> {
                (**self).open_logical_channel(aid)
            }
            fn close_logical_channel(&mut self, number: u8) -> Result<(), CardError> {
                (**self).close_logical_channel(number)
            }
        }
    )+};
}

forward_channel!(&mut C, Box<C>);

/// `command` with its CLA moved to `channel`.
fn on_channel<'a>(command: &CommandView<'a>, channel: u8) -> Result<CommandView<'a>, CardError> {
    let cla = Cla(command.cla()).with_channel(channel).map_err(CardError::Encode)?;
    Ok(command.with_cla(cla.0))
}

/// The basic channel of the card, and through it every other channel of the card.
impl<T: Transport> CardChannel for Card<T> {
    fn channel_number(&self) -> u8 {
        0
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        Card::transmit_on(self, 0, command, data)
    }

    fn transmit_on(
        &mut self,
        channel: u8,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        Card::transmit_on(self, channel, command, data)
    }

    /// The transport's own means first ([`Transport::open_logical_channel`]), else MANAGE
    /// CHANNEL open (`00 70 00 00 01`) on the basic channel: the card picks the number.
    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<OpenedChannel, CardError> {
        match self.transport_mut().open_logical_channel(aid)? {
            ChannelOpening::Opened { number, select_response } => {
                self.adopt_transport_channel(number, aid, select_response)
            }
            ChannelOpening::Refused { sw } => {
                let operation = if aid.is_some() { "SELECT" } else { MANAGE_CHANNEL };
                Err(CardError::Status { operation, sw: StatusWord::from(sw) })
            }
            _ => Ok(OpenedChannel { number: self.manage_channel_open()?, selected: None }),
        }
    }

    /// The transport closes a channel it opened; any other gets MANAGE CHANNEL close
    /// (`00 70 80 nn`) on the basic channel.
    fn close_logical_channel(&mut self, number: u8) -> Result<(), CardError> {
        if self.transport_mut().close_logical_channel(number)? {
            return Ok(());
        }
        let close = CommandView::new(0x00, INS_MANAGE_CHANNEL, 0x80, number);
        let sw = self.transmit(&close)?.sw();
        if sw.is_success() { Ok(()) } else { Err(CardError::Status { operation: MANAGE_CHANNEL, sw }) }
    }
}

impl<T: Transport> Card<T> {
    /// Opens a logical channel ([`CardChannel::open_logical_channel`]: MANAGE CHANNEL open,
    /// `00 70 00 00 01`, the card picks the number). Returns a handle that closes the channel
    /// when dropped.
    pub fn open_channel(&mut self) -> Result<LogicalChannel<&mut Self>, CardError> {
        LogicalChannel::open(self)
    }

    /// Opens a logical channel without a handle: the caller closes it with
    /// [`close_channel`](Self::close_channel) and addresses it with
    /// [`transmit_on`](Self::transmit_on) or [`on_channel`](Self::on_channel). For several
    /// channels at once.
    pub fn open_channel_number(&mut self) -> Result<u8, CardError> {
        Ok(self.open_logical_channel(None)?.number)
    }

    /// Closes logical channel `number` ([`CardChannel::close_logical_channel`]: MANAGE CHANNEL
    /// close, `00 70 80 nn`, no Le: GPC v2.3.1 Table 11-61).
    pub fn close_channel(&mut self, number: u8) -> Result<(), CardError> {
        self.close_logical_channel(number)
    }

    /// A handle on channel `number`, already open (e.g. from
    /// [`open_channel_number`](Self::open_channel_number)), that does **not** close it when
    /// dropped: for using the [`CardChannel`] operations (SELECT…) on a channel kept open.
    pub fn on_channel(&mut self, number: u8) -> LogicalChannel<&mut Self> {
        LogicalChannel::attach(self, number)
    }

    /// Sends `command` on logical channel `channel` (0..=19), its CLA moved there.
    pub fn transmit_on(
        &mut self,
        channel: u8,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        let command = on_channel(command, channel)?;
        Card::transmit_into(self, &command, data)
    }

    /// MANAGE CHANNEL open (`00 70 00 00 01`); the number the card assigned.
    fn manage_channel_open(&mut self) -> Result<u8, CardError> {
        let open = CommandView::new(0x00, INS_MANAGE_CHANNEL, 0x00, 0x00).with_ne(1);
        let response = self.transmit(&open)?;
        if !response.sw().is_success() {
            return Err(CardError::Status { operation: MANAGE_CHANNEL, sw: response.sw() });
        }
        match response.data() {
            [number @ 1..=Cla::MAX_CHANNEL] => Ok(*number),
            _ => Err(invalid_channel()),
        }
    }

    /// A channel the transport opened: its number checked, the SELECT response (when an AID was
    /// asked for) read as [`CardChannel::select`] reads one. A channel whose SELECT response
    /// is an error, or cannot be read, is closed again.
    fn adopt_transport_channel(
        &mut self,
        number: u8,
        aid: Option<&[u8]>,
        select_response: Option<Vec<u8>>,
    ) -> Result<OpenedChannel, CardError> {
        if !(1..=Cla::MAX_CHANNEL).contains(&number) {
            return Err(invalid_channel());
        }
        let selected = match (aid, select_response) {
            (None, _) => None,
            (Some(_), None) => Some(SelectResponse { sw: StatusWord::SUCCESS, fci: None }),
            (Some(_), Some(raw)) => match select::read_response(&raw) {
                Ok(response) => Some(response),
                Err(err) => {
                    if let Err(close) = self.close_logical_channel(number) {
                        tracing::warn!(target: "oxicard::card", channel = number, "closing logical channel failed: {}", oxicard_transport::ErrorChain(&close));
                    }
                    return Err(err);
                }
            },
        };
        Ok(OpenedChannel { number, selected })
    }
}

/// A MANAGE CHANNEL answer that names no channel 1..=19.
fn invalid_channel() -> CardError {
    CardError::InvalidResponse {
        operation: MANAGE_CHANNEL,
        error: crate::Error::new(crate::ErrorKind::InvalidValue, 0),
    }
}

/// A logical channel of the card behind `C` (ISO/IEC 7816-4 §5.4.1): commands sent on it go on
/// its number through `C`, which it owns (`LogicalChannel<Card<T>>`) or borrows
/// (`LogicalChannel<&mut Card<T>>`, what [`Card::open_channel`] returns). A channel it opened
/// ([`open`](Self::open), [`adopt`](Self::adopt)) is closed when it is dropped.
///
/// To keep several channels open at once use [`Card::open_channel_number`] and
/// [`Card::transmit_on`] or [`Card::on_channel`].
pub struct LogicalChannel<C: CardChannel> {
    parent: C,
    number: u8,
    open: bool,
}

impl<C: CardChannel> LogicalChannel<C> {
    /// Opens a logical channel on `parent` ([`CardChannel::open_logical_channel`], no AID);
    /// closed when the handle is dropped.
    pub fn open(mut parent: C) -> Result<Self, CardError> {
        let number = parent.open_logical_channel(None)?.number;
        Ok(Self::adopt(parent, number))
    }

    /// Takes charge of channel `number`, already open on `parent` (from
    /// [`CardChannel::open_logical_channel`]): it is closed when the handle is dropped
    /// (ISO/IEC 7816-4 §7.1.2 MANAGE CHANNEL close, or the transport that opened it).
    pub fn adopt(parent: C, number: u8) -> Self {
        Self { parent, number, open: true }
    }

    /// Uses channel `number` of `parent` without closing it when the handle is dropped: a
    /// channel kept open by someone else, or `parent`'s own channel.
    pub fn attach(parent: C, number: u8) -> Self {
        Self { parent, number, open: false }
    }

    /// The channel number, 0..=19 (ISO/IEC 7816-4 §5.4.1).
    pub fn number(&self) -> u8 {
        self.number
    }

    /// Whether the handle closes the channel when dropped ([`open`](Self::open),
    /// [`adopt`](Self::adopt)).
    pub fn closes_on_drop(&self) -> bool {
        self.open
    }

    /// What the channel was opened on: the card, whose basic channel (ISO/IEC 7816-4 §5.4.1)
    /// it is through this handle's parent.
    pub fn parent(&self) -> &C {
        &self.parent
    }

    /// What the channel was opened on, mutably. Commands sent there go on its own channel.
    pub fn parent_mut(&mut self) -> &mut C {
        &mut self.parent
    }

    /// Closes the channel (ISO/IEC 7816-4 §7.1.2), reporting the card's answer.
    pub fn close(mut self) -> Result<(), CardError> {
        self.open = false;
        self.parent.close_logical_channel(self.number)
    }

    /// Keeps the channel open past the handle and returns its number.
    pub fn into_number(mut self) -> u8 {
        self.open = false;
        self.number
    }
}

/// Commands go on the channel's number through the card; opening and closing other channels
/// is the card's.
impl<C: CardChannel> CardChannel for LogicalChannel<C> {
    fn channel_number(&self) -> u8 {
        self.number
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.parent.transmit_on(self.number, command, data)
    }

    fn max_command_data(&self) -> usize {
        self.parent.max_command_data()
    }

    fn transmit_on(
        &mut self,
        channel: u8,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.parent.transmit_on(channel, command, data)
    }

    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<OpenedChannel, CardError> {
        self.parent.open_logical_channel(aid)
    }

    fn close_logical_channel(&mut self, number: u8) -> Result<(), CardError> {
        self.parent.close_logical_channel(number)
    }
}

impl<C: CardChannel> Drop for LogicalChannel<C> {
    fn drop(&mut self) {
        if self.open
            && let Err(err) = self.parent.close_logical_channel(self.number)
        {
            tracing::warn!(target: "oxicard::card", channel = self.number, "closing logical channel failed: {}", oxicard_transport::ErrorChain(&err));
        }
    }
}

impl<C: CardChannel> core::fmt::Debug for LogicalChannel<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LogicalChannel")
            .field("number", &self.number)
            .field("closes_on_drop", &self.open)
            .finish_non_exhaustive()
    }
}
