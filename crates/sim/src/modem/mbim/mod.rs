//! A simulated MBIM modem: the function side of the MS UICC Low Level Access service
//! (Microsoft, "MB low level UICC access") in front of any card behind a
//! [`Transport`] — the software eUICC, the simulated GlobalPlatform card, a PC/SC reader — served
//! on any byte stream (one end of a socket pair, a pseudo-terminal), for
//! [`MbimModem`](oxicard_transport::modem::mbim::MbimModem) and any other MBIM host.
//!
//! What it does, as a modem does (USB MBIM 1.0 §9; Microsoft's page for the UICC service):
//!
//! - `OPEN` first: any other message before it is answered `FUNCTION_ERROR` `NOT_OPENED`;
//!   `CLOSE` closes the channels the host left open.
//! - Every answer carries the transaction id of its request; answers longer than the host's
//!   `MaxControlTransfer` (or the modem's own, [`MbimQuirks::max_control_transfer`]) go as
//!   fragments, fragmented commands are reassembled.
//! - MS UICC Low Level Access ATR, OPEN_CHANNEL, CLOSE_CHANNEL, APDU: the modem
//!   sends MANAGE CHANNEL, SELECT and GET RESPONSE to the card itself and rebuilds the class byte
//!   of each APDU; MS Basic Connect Extensions DEVICE_SLOT_MAPPINGS; Basic Connect
//!   SUBSCRIBER_READY_STATUS. Anything else is answered `NO_DEVICE_SUPPORT`.
//! - The quirks of real modems, switchable: [`MbimQuirks`].

mod quirks;
mod uicc;

use std::io::{self, Read, Write};

use oxicard_apdu::{Case, CommandView};
use oxicard_transport::Transport;
use oxicard_transport::modem::mbim::basic_connect::{
    CID_DEVICE_SLOT_MAPPINGS, CID_SUBSCRIBER_READY_STATUS, ReadyState, SlotMappings, SubscriberReadyStatus,
};
use oxicard_transport::modem::mbim::fragment::{Assembler, MAX_MESSAGE_LEN};
use oxicard_transport::modem::mbim::uicc::{
    ApduInfo, ApduRequest, AtrInfo, CID_APDU, CID_ATR, CID_CLOSE_CHANNEL, CID_OPEN_CHANNEL, CloseChannelInfo,
    CloseChannelRequest, OpenChannelInfo, OpenChannelRequest,
};
use oxicard_transport::modem::mbim::{
    Command, CommandDone, CommandType, FrameBuffer, Header, Indication, MbimError, Message, ProtocolError,
    Status, Uuid,
};

use super::card::{OpenFailure, SW_SUCCESS};
pub use quirks::MbimQuirks;
use uicc::UiccFunction;

/// Tracing target of the simulated modem.
const TARGET: &str = "oxicard::sim::modem::mbim";

/// INS of STORE DATA (GPC v2.3.1 §11.11).
const INS_STORE_DATA: u8 = 0xE2;

/// A simulated MBIM modem with a card in slot 0.
pub struct SimulatedMbimModem {
    uicc: UiccFunction,
    quirks: MbimQuirks,
    assembler: Assembler,
    /// `MaxControlTransfer` of the host's `OPEN`; `None` while the function is closed.
    host_max: Option<u32>,
    mapped_slot: u32,
    not_ready_polls: u32,
    first_apdu_done: bool,
    opens: usize,
    closes: usize,
    commands: Vec<(Uuid, u32)>,
}

impl std::fmt::Debug for SimulatedMbimModem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedMbimModem")
            .field("quirks", &self.quirks)
            .field("open", &self.is_open())
            .field("channels", &self.open_channels())
            .field("mapped_slot", &self.mapped_slot)
            .finish_non_exhaustive()
    }
}

impl SimulatedMbimModem {
    /// A well-behaved modem in front of `card`.
    pub fn new(card: Box<dyn Transport>) -> Self {
        let quirks = MbimQuirks::default();
        Self {
            uicc: UiccFunction::new(card),
            mapped_slot: quirks.mapped_slot,
            quirks,
            assembler: Assembler::new(),
            host_max: None,
            not_ready_polls: 0,
            first_apdu_done: false,
            opens: 0,
            closes: 0,
            commands: Vec::new(),
        }
    }

    /// The same modem with `quirks`.
    #[must_use]
    pub fn with_quirks(mut self, quirks: MbimQuirks) -> Self {
        self.mapped_slot = quirks.mapped_slot;
        self.quirks = quirks;
        self
    }

    /// The quirks in force.
    pub fn quirks(&self) -> &MbimQuirks {
        &self.quirks
    }

    /// Whether the host has opened the function (`OPEN` without `CLOSE` since).
    pub fn is_open(&self) -> bool {
        self.host_max.is_some()
    }

    /// The logical channels open through OPEN_CHANNEL.
    pub fn open_channels(&self) -> Vec<u8> {
        self.uicc.channels()
    }

    /// `OPEN` messages handled.
    pub fn opens_seen(&self) -> usize {
        self.opens
    }

    /// `CLOSE` messages handled.
    pub fn closes_seen(&self) -> usize {
        self.closes
    }

    /// The (service, CID) of every command handled, in order.
    pub fn commands_seen(&self) -> &[(Uuid, u32)] {
        &self.commands
    }

    /// The slot mapped to the modem (0-based).
    pub fn mapped_slot(&self) -> u32 {
        self.mapped_slot
    }

    /// Serves the host on `stream` until it closes the stream (end of file); then returns.
    /// Messages are cut from the byte stream by their `MessageLength`, whatever the reads
    /// deliver.
    ///
    /// # Errors
    ///
    /// A read or write error of the stream.
    pub fn serve<S: Read + Write>(&mut self, mut stream: S) -> io::Result<()> {
        let mut frames = FrameBuffer::new(MAX_MESSAGE_LEN);
        let mut buffer = vec![0u8; 4096];
        loop {
            let read = match stream.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if let Some(bytes) = buffer.get(..read) {
                frames.extend(bytes);
            }
            loop {
                let replies = match frames.next_message() {
                    Ok(Some(fragment)) => self.handle_fragment(&fragment),
                    Ok(None) => break,
                    Err(err) => {
                        tracing::debug!(target: TARGET, "stream out of step: {err}");
                        self.function_error(0, ProtocolError::LENGTH_MISMATCH)
                    }
                };
                for reply in replies {
                    stream.write_all(&reply)?;
                }
            }
            stream.flush()?;
        }
    }

    /// Handles one message (or fragment) from the host; returns the messages (fragments) to
    /// send back, in order. Never panics, whatever the bytes.
    pub fn handle_fragment(&mut self, fragment: &[u8]) -> Vec<Vec<u8>> {
        let transaction_id = Header::read(fragment).map_or(0, |header| header.transaction_id);
        if fragment.len() > self.quirks.max_control_transfer as usize {
            return self.function_error(transaction_id, ProtocolError::MAX_TRANSFER);
        }
        let whole = match self.assembler.push(fragment) {
            Ok(Some(whole)) => whole,
            Ok(None) => return Vec::new(),
            Err(err) => return self.function_error(transaction_id, protocol_error_of(&err)),
        };
        match Message::decode(&whole) {
            Ok(message) => self.handle_message(message),
            Err(err) => {
                tracing::debug!(target: TARGET, "undecodable message: {err}");
                self.function_error(transaction_id, protocol_error_of(&err))
            }
        }
    }

    /// Handles one whole message.
    fn handle_message(&mut self, message: Message) -> Vec<Vec<u8>> {
        let transaction_id = message.transaction_id();
        match message {
            Message::Open { max_control_transfer, .. } => {
                if max_control_transfer < 64 {
                    return self.function_error(transaction_id, ProtocolError::MAX_TRANSFER);
                }
                self.uicc.close_all();
                self.assembler = Assembler::new();
                self.host_max = Some(max_control_transfer);
                self.opens += 1;
                self.send(Message::OpenDone { transaction_id, status: Status::SUCCESS })
            }
            _ if !self.is_open() => self.function_error(transaction_id, ProtocolError::NOT_OPENED),
            Message::Close { .. } => {
                self.uicc.close_all();
                self.closes += 1;
                let replies = self.send(Message::CloseDone { transaction_id, status: Status::SUCCESS });
                self.host_max = None;
                replies
            }
            Message::Command(command) => {
                self.commands.push((command.service, command.cid));
                let mut replies = Vec::new();
                if self.quirks.indications {
                    replies.extend(self.send(Message::IndicateStatus(Indication {
                        transaction_id: 0,
                        service: Uuid::BASIC_CONNECT,
                        cid: CID_SUBSCRIBER_READY_STATUS,
                        information_buffer:
                            SubscriberReadyStatus { ready_state: ReadyState::INITIALIZED }.encode(),
                    })));
                }
                let (status, information_buffer) = self.command(&command);
                replies.extend(self.send(Message::CommandDone(CommandDone {
                    transaction_id,
                    service: command.service,
                    cid: command.cid,
                    status,
                    information_buffer,
                })));
                replies
            }
            Message::HostError { error, .. } => {
                tracing::debug!(target: TARGET, %error, "HOST_ERROR from the host");
                Vec::new()
            }
            _ => self.function_error(transaction_id, ProtocolError::UNKNOWN),
        }
    }

    /// The status and information buffer answering `command`.
    fn command(&mut self, command: &Command) -> (Status, Vec<u8>) {
        let set = command.command_type == CommandType::Set;
        let buffer = &command.information_buffer;
        match (command.service, command.cid, set) {
            (Uuid::MS_UICC_LOW_LEVEL_ACCESS, _, _) if self.mapped_slot != 0 => {
                (Status::SIM_NOT_INSERTED, Vec::new())
            }
            (Uuid::MS_UICC_LOW_LEVEL_ACCESS, CID_ATR, false) => {
                encoded(AtrInfo { atr: self.uicc.atr().to_vec() }.encode())
            }
            (Uuid::MS_UICC_LOW_LEVEL_ACCESS, CID_OPEN_CHANNEL, true) => self.open_channel(buffer),
            (Uuid::MS_UICC_LOW_LEVEL_ACCESS, CID_CLOSE_CHANNEL, true) => self.close_channel(buffer),
            (Uuid::MS_UICC_LOW_LEVEL_ACCESS, CID_APDU, true) => self.apdu(buffer),
            (Uuid::MS_BASIC_CONNECT_EXTENSIONS, CID_DEVICE_SLOT_MAPPINGS, _)
                if self.quirks.slot_mapping_unsupported =>
            {
                (Status::NO_DEVICE_SUPPORT, Vec::new())
            }
            (Uuid::MS_BASIC_CONNECT_EXTENSIONS, CID_DEVICE_SLOT_MAPPINGS, false) => {
                encoded(SlotMappings { slots: vec![self.mapped_slot] }.encode())
            }
            (Uuid::MS_BASIC_CONNECT_EXTENSIONS, CID_DEVICE_SLOT_MAPPINGS, true) => self.map_slot(buffer),
            (Uuid::BASIC_CONNECT, CID_SUBSCRIBER_READY_STATUS, false) => {
                let ready_state = if self.mapped_slot != 0 {
                    ReadyState::SIM_NOT_INSERTED
                } else if self.not_ready_polls > 0 {
                    self.not_ready_polls -= 1;
                    ReadyState::NOT_INITIALIZED
                } else {
                    ReadyState::INITIALIZED
                };
                (Status::SUCCESS, SubscriberReadyStatus { ready_state }.encode())
            }
            _ => (Status::NO_DEVICE_SUPPORT, Vec::new()),
        }
    }

    /// OPEN_CHANNEL.
    fn open_channel(&mut self, buffer: &[u8]) -> (Status, Vec<u8>) {
        let Ok(request) = OpenChannelRequest::decode(buffer) else {
            return (Status::INVALID_PARAMETERS, Vec::new());
        };
        if self.quirks.open_channel_failure {
            return (Status::FAILURE, Vec::new());
        }
        let p2 = u8::try_from(request.select_p2).unwrap_or(0);
        match self.uicc.open_channel(&request.app_id, p2, request.channel_group) {
            Ok((channel, answer)) => encoded(
                OpenChannelInfo { status: answer.sw, channel: u32::from(channel), response: answer.data }
                    .encode(),
            ),
            Err(OpenFailure::NoChannel(sw)) => refusal(Status::MS_NO_LOGICAL_CHANNELS, sw),
            Err(OpenFailure::SelectRefused(sw)) => refusal(Status::MS_SELECT_FAILED, sw),
            Err(OpenFailure::Card(err)) => (uicc::card_status(&err), Vec::new()),
        }
    }

    /// CLOSE_CHANNEL.
    fn close_channel(&mut self, buffer: &[u8]) -> (Status, Vec<u8>) {
        let Ok(request) = CloseChannelRequest::decode(buffer) else {
            return (Status::INVALID_PARAMETERS, Vec::new());
        };
        let channel = u8::try_from(request.channel).unwrap_or(u8::MAX);
        match self.uicc.close_channel(channel, request.channel_group) {
            Ok(sw) => (Status::SUCCESS, CloseChannelInfo { status: sw }.encode()),
            Err(status) => (status, Vec::new()),
        }
    }

    /// APDU.
    fn apdu(&mut self, buffer: &[u8]) -> (Status, Vec<u8>) {
        let Ok(request) = ApduRequest::decode(buffer) else {
            return (Status::INVALID_PARAMETERS, Vec::new());
        };
        let channel = u8::try_from(request.channel).unwrap_or(u8::MAX);
        if !self.uicc.is_open(channel) {
            return (Status::MS_INVALID_LOGICAL_CHANNEL, Vec::new());
        }
        if self.quirks.invalid_channel_on_first_apdu && !self.first_apdu_done {
            self.first_apdu_done = true;
            tracing::debug!(target: TARGET, channel, "quirk: first APDU answered MS_INVALID_LOGICAL_CHANNEL");
            self.uicc.lose_channel(channel);
            return (Status::MS_INVALID_LOGICAL_CHANNEL, Vec::new());
        }
        self.first_apdu_done = true;
        let answer = if self.quirks.store_data_without_le_empty && is_store_data_without_le(&request.command)
        {
            // The modem takes "no Le" for "no data": whatever the card has, the host gets 9000.
            self.uicc.apdu(channel, &request, false).map(|mut answer| {
                if uicc::is_normal(answer.sw) || answer.sw[0] == 0x61 {
                    answer.data.clear();
                    answer.sw = SW_SUCCESS;
                }
                answer
            })
        } else {
            self.uicc.apdu(channel, &request, true)
        };
        match answer {
            Ok(answer) => encoded(ApduInfo { status: answer.sw, response: answer.data }.encode()),
            Err(status) => (status, Vec::new()),
        }
    }

    /// DEVICE_SLOT_MAPPINGS set.
    fn map_slot(&mut self, buffer: &[u8]) -> (Status, Vec<u8>) {
        let Ok(request) = SlotMappings::decode(buffer) else {
            return (Status::INVALID_PARAMETERS, Vec::new());
        };
        let Some(slot) = request.slots.first().copied().filter(|slot| *slot < self.quirks.slots) else {
            return (Status::INVALID_PARAMETERS, Vec::new());
        };
        if slot != self.mapped_slot {
            // A switch: the channels go with the old card, the new one takes a moment.
            self.uicc.close_all();
            self.mapped_slot = slot;
            self.not_ready_polls = 1;
        }
        encoded(SlotMappings { slots: vec![self.mapped_slot] }.encode())
    }

    /// `message` as the fragments that go on the wire.
    fn send(&self, message: Message) -> Vec<Vec<u8>> {
        let max =
            self.host_max.unwrap_or(self.quirks.max_control_transfer).min(self.quirks.max_control_transfer);
        match message.encode_fragments(max) {
            Ok(fragments) => fragments,
            Err(err) => {
                tracing::warn!(target: TARGET, "answer not encodable: {err}");
                Vec::new()
            }
        }
    }

    /// A `FUNCTION_ERROR`.
    fn function_error(&self, transaction_id: u32, error: ProtocolError) -> Vec<Vec<u8>> {
        self.send(Message::FunctionError { transaction_id, error })
    }
}

/// A status with the refusal SW and zeros (Microsoft: "the remaining fields will be zero").
fn refusal(status: Status, sw: [u8; 2]) -> (Status, Vec<u8>) {
    match (OpenChannelInfo { status: sw, channel: 0, response: Vec::new() }).encode() {
        Ok(buffer) => (status, buffer),
        Err(_) => (Status::FAILURE, Vec::new()),
    }
}

/// `SUCCESS` with the buffer, `FAILURE` when it could not be encoded.
fn encoded(buffer: Result<Vec<u8>, MbimError>) -> (Status, Vec<u8>) {
    match buffer {
        Ok(buffer) => (Status::SUCCESS, buffer),
        Err(err) => {
            tracing::warn!(target: TARGET, "answer not encodable: {err}");
            (Status::FAILURE, Vec::new())
        }
    }
}

/// The `FUNCTION_ERROR` code for a message the modem could not take.
fn protocol_error_of(err: &MbimError) -> ProtocolError {
    match err {
        MbimError::FragmentOutOfSequence { .. } | MbimError::BadFragmentHeader { .. } => {
            ProtocolError::FRAGMENT_OUT_OF_SEQUENCE
        }
        MbimError::LengthMismatch { .. }
        | MbimError::Truncated { .. }
        | MbimError::BadMessageLength { .. } => ProtocolError::LENGTH_MISMATCH,
        MbimError::TooLong { .. } => ProtocolError::MAX_TRANSFER,
        _ => ProtocolError::UNKNOWN,
    }
}

/// A STORE DATA in short case 3 (`CLA E2 P1 P2 Lc data`, no Le; ISO/IEC 7816-4 §5.1), read by
/// the command codec.
fn is_store_data_without_le(command: &[u8]) -> bool {
    CommandView::parse(command).is_ok_and(|c| c.ins() == INS_STORE_DATA && c.case() == Case::Case3Short)
}
