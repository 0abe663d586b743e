//! MBIM control messages (USB MBIM 1.0 §9.1–§9.3): the 12-byte header (`MessageType`,
//! `MessageLength`, `TransactionId`, all little-endian), the fragment header of `COMMAND`,
//! `COMMAND_DONE` and `INDICATE_STATUS`, and the body of each message type. Layouts: libmbim
//! `src/libmbim-glib/mbim-message-private.h` (`struct header`, `struct fragment_header`,
//! `struct command_message`, …) and `mbim-message.h` (`MbimMessageType`).

use super::error::MbimError;
use super::status::{ProtocolError, Status};
use super::uuid::Uuid;
use super::wire::{Fields, as_u32, push_u32};

/// Bytes of the message header.
pub const HEADER_LEN: usize = 12;
/// Bytes of the header and the fragment header: where a fragment's payload starts.
pub const FRAGMENT_PAYLOAD_AT: usize = 20;

/// The `MessageType` of the header (libmbim `mbim-message.h` `MbimMessageType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// `0x00000001` `MBIM_OPEN_MSG`.
    Open,
    /// `0x00000002` `MBIM_CLOSE_MSG`.
    Close,
    /// `0x00000003` `MBIM_COMMAND_MSG`.
    Command,
    /// `0x00000004` `MBIM_HOST_ERROR_MSG`.
    HostError,
    /// `0x80000001` `MBIM_OPEN_DONE`.
    OpenDone,
    /// `0x80000002` `MBIM_CLOSE_DONE`.
    CloseDone,
    /// `0x80000003` `MBIM_COMMAND_DONE`.
    CommandDone,
    /// `0x80000004` `MBIM_FUNCTION_ERROR_MSG`.
    FunctionError,
    /// `0x80000007` `MBIM_INDICATE_STATUS_MSG`.
    IndicateStatus,
}

impl MessageType {
    /// The value on the wire.
    pub const fn value(self) -> u32 {
        match self {
            Self::Open => 0x0000_0001,
            Self::Close => 0x0000_0002,
            Self::Command => 0x0000_0003,
            Self::HostError => 0x0000_0004,
            Self::OpenDone => 0x8000_0001,
            Self::CloseDone => 0x8000_0002,
            Self::CommandDone => 0x8000_0003,
            Self::FunctionError => 0x8000_0004,
            Self::IndicateStatus => 0x8000_0007,
        }
    }

    /// The type of a wire value, if MBIM 1.0 defines it.
    pub const fn from_value(value: u32) -> Option<Self> {
        Some(match value {
            0x0000_0001 => Self::Open,
            0x0000_0002 => Self::Close,
            0x0000_0003 => Self::Command,
            0x0000_0004 => Self::HostError,
            0x8000_0001 => Self::OpenDone,
            0x8000_0002 => Self::CloseDone,
            0x8000_0003 => Self::CommandDone,
            0x8000_0004 => Self::FunctionError,
            0x8000_0007 => Self::IndicateStatus,
            _ => return None,
        })
    }

    /// `true` for the types that carry a fragment header and may be split (`COMMAND`,
    /// `COMMAND_DONE`, `INDICATE_STATUS`; USB MBIM 1.0 §9.5).
    pub const fn is_fragmented(self) -> bool {
        matches!(self, Self::Command | Self::CommandDone | Self::IndicateStatus)
    }
}

/// The `CommandType` of a `COMMAND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommandType {
    /// `0`: query.
    Query,
    /// `1`: set.
    Set,
}

impl CommandType {
    /// The value on the wire.
    pub const fn value(self) -> u32 {
        match self {
            Self::Query => 0,
            Self::Set => 1,
        }
    }
}

/// The header fields of any message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `MessageType`, as on the wire (it may be one MBIM does not define).
    pub message_type: u32,
    /// `MessageLength`: the whole message (or fragment) with its header.
    pub length: u32,
    /// `TransactionId`.
    pub transaction_id: u32,
}

impl Header {
    /// The header at the start of `bytes`.
    pub fn read(bytes: &[u8]) -> Result<Header, MbimError> {
        let fields = Fields::new(bytes, "MBIM header");
        Ok(Header { message_type: fields.u32(0)?, length: fields.u32(4)?, transaction_id: fields.u32(8)? })
    }
}

/// A `COMMAND` (host to function).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// `TransactionId`.
    pub transaction_id: u32,
    /// `DeviceServiceId`.
    pub service: Uuid,
    /// `CID`.
    pub cid: u32,
    /// Query or set.
    pub command_type: CommandType,
    /// `InformationBuffer` (its length is `InformationBufferLength`).
    pub information_buffer: Vec<u8>,
}

/// A `COMMAND_DONE` (function to host).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandDone {
    /// `TransactionId`: the command's.
    pub transaction_id: u32,
    /// `DeviceServiceId`.
    pub service: Uuid,
    /// `CID`.
    pub cid: u32,
    /// `Status`.
    pub status: Status,
    /// `InformationBuffer`.
    pub information_buffer: Vec<u8>,
}

/// An `INDICATE_STATUS` (function to host, unsolicited).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indication {
    /// `TransactionId` (0 for unsolicited indications).
    pub transaction_id: u32,
    /// `DeviceServiceId`.
    pub service: Uuid,
    /// `CID`.
    pub cid: u32,
    /// `InformationBuffer`.
    pub information_buffer: Vec<u8>,
}

/// One whole MBIM control message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// `MBIM_OPEN_MSG`: opens the function, announcing the largest control transfer the host
    /// accepts.
    Open {
        /// `TransactionId`.
        transaction_id: u32,
        /// `MaxControlTransfer`.
        max_control_transfer: u32,
    },
    /// `MBIM_CLOSE_MSG`.
    Close {
        /// `TransactionId`.
        transaction_id: u32,
    },
    /// `MBIM_COMMAND_MSG`.
    Command(Command),
    /// `MBIM_HOST_ERROR_MSG`.
    HostError {
        /// `TransactionId`.
        transaction_id: u32,
        /// `ErrorStatusCode`.
        error: ProtocolError,
    },
    /// `MBIM_OPEN_DONE`.
    OpenDone {
        /// `TransactionId`.
        transaction_id: u32,
        /// `Status`.
        status: Status,
    },
    /// `MBIM_CLOSE_DONE`.
    CloseDone {
        /// `TransactionId`.
        transaction_id: u32,
        /// `Status`.
        status: Status,
    },
    /// `MBIM_COMMAND_DONE`.
    CommandDone(CommandDone),
    /// `MBIM_FUNCTION_ERROR_MSG`.
    FunctionError {
        /// `TransactionId`.
        transaction_id: u32,
        /// `ErrorStatusCode`.
        error: ProtocolError,
    },
    /// `MBIM_INDICATE_STATUS_MSG`.
    IndicateStatus(Indication),
}

impl Message {
    /// The message type.
    pub fn message_type(&self) -> MessageType {
        match self {
            Self::Open { .. } => MessageType::Open,
            Self::Close { .. } => MessageType::Close,
            Self::Command(_) => MessageType::Command,
            Self::HostError { .. } => MessageType::HostError,
            Self::OpenDone { .. } => MessageType::OpenDone,
            Self::CloseDone { .. } => MessageType::CloseDone,
            Self::CommandDone(_) => MessageType::CommandDone,
            Self::FunctionError { .. } => MessageType::FunctionError,
            Self::IndicateStatus(_) => MessageType::IndicateStatus,
        }
    }

    /// The `TransactionId`.
    pub fn transaction_id(&self) -> u32 {
        match self {
            Self::Open { transaction_id, .. }
            | Self::Close { transaction_id }
            | Self::HostError { transaction_id, .. }
            | Self::OpenDone { transaction_id, .. }
            | Self::CloseDone { transaction_id, .. }
            | Self::FunctionError { transaction_id, .. } => *transaction_id,
            Self::Command(command) => command.transaction_id,
            Self::CommandDone(done) => done.transaction_id,
            Self::IndicateStatus(indication) => indication.transaction_id,
        }
    }

    /// The message as one unfragmented buffer (fragment header `1, 0` where there is one).
    ///
    /// # Errors
    ///
    /// [`MbimError::TooLong`] for an information buffer whose length does not fit a `u32`.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        // The longest fixed part: header, fragment header, service, CID, type or status,
        // information buffer length.
        const FIXED_MAX: usize = FRAGMENT_PAYLOAD_AT + 16 + 12;
        let information_buffer: &[u8] = match self {
            Self::Command(command) => &command.information_buffer,
            Self::CommandDone(done) => &done.information_buffer,
            Self::IndicateStatus(indication) => &indication.information_buffer,
            _ => &[],
        };
        let mut out = Vec::with_capacity(FIXED_MAX + information_buffer.len());
        push_u32(&mut out, self.message_type().value());
        push_u32(&mut out, 0); // MessageLength, set below.
        push_u32(&mut out, self.transaction_id());
        match self {
            Self::Open { max_control_transfer, .. } => push_u32(&mut out, *max_control_transfer),
            Self::Close { .. } => {}
            Self::HostError { error, .. } | Self::FunctionError { error, .. } => push_u32(&mut out, error.0),
            Self::OpenDone { status, .. } | Self::CloseDone { status, .. } => push_u32(&mut out, status.0),
            Self::Command(command) => {
                encode_fragment_header(&mut out);
                out.extend_from_slice(&command.service.0);
                push_u32(&mut out, command.cid);
                push_u32(&mut out, command.command_type.value());
                encode_information_buffer(&mut out, information_buffer)?;
            }
            Self::CommandDone(done) => {
                encode_fragment_header(&mut out);
                out.extend_from_slice(&done.service.0);
                push_u32(&mut out, done.cid);
                push_u32(&mut out, done.status.0);
                encode_information_buffer(&mut out, information_buffer)?;
            }
            Self::IndicateStatus(indication) => {
                encode_fragment_header(&mut out);
                out.extend_from_slice(&indication.service.0);
                push_u32(&mut out, indication.cid);
                encode_information_buffer(&mut out, information_buffer)?;
            }
        }
        let length = as_u32(out.len(), "MBIM message")?;
        if let Some(field) = out.get_mut(4..8) {
            field.copy_from_slice(&length.to_le_bytes());
        }
        Ok(out)
    }

    /// The message as the fragments of at most `max_control_transfer` bytes each that go on
    /// the wire ([`split_fragments`](super::fragment::split_fragments)).
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode), and [`MbimError::MaxControlTransfer`] for 20 bytes or less.
    pub fn encode_fragments(&self, max_control_transfer: u32) -> Result<Vec<Vec<u8>>, MbimError> {
        super::fragment::split_fragments(&self.encode()?, max_control_transfer)
    }

    /// Reads one whole message: the `MessageLength` must be the length of `bytes`, the fragment
    /// header (where there is one) `1, 0` — reassemble fragments first
    /// ([`Assembler`](super::fragment::Assembler)). Bytes after an information buffer (padding)
    /// are ignored.
    ///
    /// # Errors
    ///
    /// [`MbimError`] saying what is wrong; never a panic, whatever the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Message, MbimError> {
        let header = Header::read(bytes)?;
        if usize::try_from(header.length).ok() != Some(bytes.len()) {
            return Err(MbimError::LengthMismatch { declared: header.length, actual: bytes.len() });
        }
        let message_type = MessageType::from_value(header.message_type)
            .ok_or(MbimError::UnknownMessageType(header.message_type))?;
        let transaction_id = header.transaction_id;
        let fields = Fields::new(bytes, message_name(message_type));
        if message_type.is_fragmented() {
            let (total, current) = (fields.u32(12)?, fields.u32(16)?);
            if (total, current) != (1, 0) {
                return Err(MbimError::NotReassembled { total, current });
            }
        }
        Ok(match message_type {
            MessageType::Open => Message::Open { transaction_id, max_control_transfer: fields.u32(12)? },
            MessageType::Close => Message::Close { transaction_id },
            MessageType::HostError => {
                Message::HostError { transaction_id, error: ProtocolError(fields.u32(12)?) }
            }
            MessageType::FunctionError => {
                Message::FunctionError { transaction_id, error: ProtocolError(fields.u32(12)?) }
            }
            MessageType::OpenDone => Message::OpenDone { transaction_id, status: Status(fields.u32(12)?) },
            MessageType::CloseDone => Message::CloseDone { transaction_id, status: Status(fields.u32(12)?) },
            MessageType::Command => {
                let command_type = match fields.u32(40)? {
                    0 => CommandType::Query,
                    1 => CommandType::Set,
                    other => return Err(MbimError::UnknownCommandType(other)),
                };
                Message::Command(Command {
                    transaction_id,
                    service: read_uuid(&fields)?,
                    cid: fields.u32(36)?,
                    command_type,
                    information_buffer: read_information_buffer(&fields, 44)?,
                })
            }
            MessageType::CommandDone => Message::CommandDone(CommandDone {
                transaction_id,
                service: read_uuid(&fields)?,
                cid: fields.u32(36)?,
                status: Status(fields.u32(40)?),
                information_buffer: read_information_buffer(&fields, 44)?,
            }),
            MessageType::IndicateStatus => Message::IndicateStatus(Indication {
                transaction_id,
                service: read_uuid(&fields)?,
                cid: fields.u32(36)?,
                information_buffer: read_information_buffer(&fields, 40)?,
            }),
        })
    }
}

/// The name of a message type in errors.
fn message_name(message_type: MessageType) -> &'static str {
    match message_type {
        MessageType::Open => "MBIM OPEN",
        MessageType::Close => "MBIM CLOSE",
        MessageType::Command => "MBIM COMMAND",
        MessageType::HostError => "MBIM HOST_ERROR",
        MessageType::OpenDone => "MBIM OPEN_DONE",
        MessageType::CloseDone => "MBIM CLOSE_DONE",
        MessageType::CommandDone => "MBIM COMMAND_DONE",
        MessageType::FunctionError => "MBIM FUNCTION_ERROR",
        MessageType::IndicateStatus => "MBIM INDICATE_STATUS",
    }
}

/// The fragment header of an unfragmented message: `TotalFragments` 1, `CurrentFragment` 0.
fn encode_fragment_header(body: &mut Vec<u8>) {
    push_u32(body, 1);
    push_u32(body, 0);
}

/// `InformationBufferLength` and the buffer.
fn encode_information_buffer(body: &mut Vec<u8>, buffer: &[u8]) -> Result<(), MbimError> {
    push_u32(body, as_u32(buffer.len(), "InformationBuffer")?);
    body.extend_from_slice(buffer);
    Ok(())
}

/// The `DeviceServiceId` at byte 20.
fn read_uuid(fields: &Fields<'_>) -> Result<Uuid, MbimError> {
    let bytes = fields.bytes();
    bytes.get(FRAGMENT_PAYLOAD_AT..).and_then(|rest| rest.first_chunk::<16>()).copied().map(Uuid).ok_or(
        MbimError::Truncated {
            what: "MBIM DeviceServiceId",
            len: bytes.len(),
            needed: FRAGMENT_PAYLOAD_AT + 16,
        },
    )
}

/// The information buffer whose length field is at `length_at`, the buffer right after it.
fn read_information_buffer(fields: &Fields<'_>, length_at: usize) -> Result<Vec<u8>, MbimError> {
    let length = fields.u32(length_at)?;
    let start = length_at + 4;
    let bytes = fields.bytes();
    usize::try_from(length)
        .ok()
        .and_then(|length| start.checked_add(length))
        .and_then(|end| bytes.get(start..end))
        .map(<[u8]>::to_vec)
        .ok_or(MbimError::OutOfBounds {
            what: "InformationBuffer",
            offset: 0,
            size: length,
            len: bytes.len().saturating_sub(start),
        })
}
