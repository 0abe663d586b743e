//! The MS UICC Low Level Access service (Microsoft, "MB low level UICC access"; service
//! [`Uuid::MS_UICC_LOW_LEVEL_ACCESS`](super::Uuid::MS_UICC_LOW_LEVEL_ACCESS)): the information
//! buffers of ATR, OPEN_CHANNEL, CLOSE_CHANNEL and APDU.
//!
//! Unlike the rest of MBIM, a variable field of this service is a **(size, offset)** pair, size
//! first (Microsoft's tables: `AppIdSize` at 0, `AppIdOffset` at 4; libmbim calls the format
//! `uicc-ref-byte-array`, `data/mbim-service-ms-uicc-low-level-access.json`). Offsets count from
//! the start of the information buffer; the data follows the fixed fields, padded with zeros to
//! 4 bytes, the padding counted in `InformationBufferLength` (as damonto/wwan-go
//! `mbim/protocol_test.go` `TestVariableDataRequestsIncludeFinalPadding` encodes it). A status
//! is `BYTE[2]` in a 4-byte field: SW1, SW2, 00, 00.

use super::error::MbimError;
use super::wire::{Fields, as_u32, pad4, push_u32};

/// CID 1, ATR (query).
pub const CID_ATR: u32 = 1;
/// CID 2, OPEN_CHANNEL (set).
pub const CID_OPEN_CHANNEL: u32 = 2;
/// CID 3, CLOSE_CHANNEL (set).
pub const CID_CLOSE_CHANNEL: u32 = 3;
/// CID 4, APDU (set).
pub const CID_APDU: u32 = 4;
/// CID 5, TERMINAL_CAPABILITY (set, query).
pub const CID_TERMINAL_CAPABILITY: u32 = 5;
/// CID 6, RESET (set, query).
pub const CID_RESET: u32 = 6;

/// The longest AID OPEN_CHANNEL carries (`AppIdSize`, `SIZE(0..32)`).
pub const MAX_APP_ID_LEN: usize = 32;
/// The longest command APDU (`CommandSize`, `UINT32(0..261)`).
pub const MAX_COMMAND_LEN: usize = 261;
/// The highest logical channel (`Channel`, `UINT32(1..19)`).
pub const MAX_CHANNEL: u32 = 19;

/// `MBIM_MS_UICC_SECURE_MESSAGING`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecureMessaging {
    /// `0`: no secure messaging.
    None,
    /// `1`: secure messaging, command header not authenticated.
    NoHeaderAuthentication,
}

impl SecureMessaging {
    /// The value on the wire.
    pub const fn value(self) -> u32 {
        match self {
            Self::None => 0,
            Self::NoHeaderAuthentication => 1,
        }
    }
}

/// `MBIM_MS_UICC_CLASS_BYTE_TYPE`: how the function codes the class byte it puts in place of
/// the host's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClassByteType {
    /// `0`: the first interindustry coding of ISO/IEC 7816-4 (`0X`, `4X`, `6X`).
    Interindustry,
    /// `1`: the extended coding of ETSI TS 102 221 §10.1.1 (`8X`, `CX`, `EX`).
    Extended,
}

impl ClassByteType {
    /// The value on the wire.
    pub const fn value(self) -> u32 {
        match self {
            Self::Interindustry => 0,
            Self::Extended => 1,
        }
    }
}

/// `MBIM_MS_ATR_INFO`: `AtrSize`, `AtrOffset`, the ATR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtrInfo {
    /// The card's Answer To Reset (at most 33 bytes).
    pub atr: Vec<u8>,
}

impl AtrInfo {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        let mut out = Vec::new();
        push_ref(&mut out, 8, &self.atr, "AtrData", 33)?;
        out.extend_from_slice(&self.atr);
        pad4(&mut out);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<AtrInfo, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_ATR_INFO");
        Ok(AtrInfo { atr: fields.data(0, 4, 8)?.to_vec() })
    }
}

/// `MBIM_MS_SET_UICC_OPEN_CHANNEL`: `AppIdSize`, `AppIdOffset`, `SelectP2Arg`, `ChannelGroup`,
/// the AID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenChannelRequest {
    /// The AID to SELECT (at most 32 bytes; empty: no SELECT is asked for).
    pub app_id: Vec<u8>,
    /// P2 of the SELECT the function sends (0..=255).
    pub select_p2: u32,
    /// A tag of the host's for the channel: CLOSE_CHANNEL with channel 0 closes the whole group.
    pub channel_group: u32,
}

impl OpenChannelRequest {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        check_range("SelectP2Arg", self.select_p2, 255, "0..=255")?;
        let mut out = Vec::new();
        push_ref(&mut out, 16, &self.app_id, "AppId", MAX_APP_ID_LEN)?;
        push_u32(&mut out, self.select_p2);
        push_u32(&mut out, self.channel_group);
        out.extend_from_slice(&self.app_id);
        pad4(&mut out);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<OpenChannelRequest, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_SET_UICC_OPEN_CHANNEL");
        let app_id = fields.data(0, 4, 16)?;
        check_len("AppId", app_id.len(), MAX_APP_ID_LEN)?;
        let select_p2 = fields.u32(8)?;
        check_range("SelectP2Arg", select_p2, 255, "0..=255")?;
        Ok(OpenChannelRequest { app_id: app_id.to_vec(), select_p2, channel_group: fields.u32(12)? })
    }
}

/// `MBIM_MS_UICC_OPEN_CHANNEL_INFO`: `Status` (SW1 SW2 of the SELECT, or of MANAGE CHANNEL when
/// none could be opened), `Channel`, `ResponseLength`, `ResponseOffset`, the SELECT response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenChannelInfo {
    /// SW1 SW2.
    pub status: [u8; 2],
    /// The channel opened, 1..=19; 0 when the opening failed.
    pub channel: u32,
    /// The response data of the SELECT (at most 256 bytes), without SW1 SW2.
    pub response: Vec<u8>,
}

impl OpenChannelInfo {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        check_range("Channel", self.channel, MAX_CHANNEL, "0..=19")?;
        let mut out = Vec::new();
        push_status(&mut out, self.status);
        push_u32(&mut out, self.channel);
        push_ref(&mut out, 16, &self.response, "Response", 256)?;
        out.extend_from_slice(&self.response);
        pad4(&mut out);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<OpenChannelInfo, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_UICC_OPEN_CHANNEL_INFO");
        Ok(OpenChannelInfo {
            status: fields.status_word(0)?,
            channel: fields.u32(4)?,
            response: fields.data(8, 12, 16)?.to_vec(),
        })
    }
}

/// `MBIM_MS_SET_UICC_CLOSE_CHANNEL`: `Channel` (0: every channel of the group), `ChannelGroup`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseChannelRequest {
    /// The channel to close, 1..=19; 0 closes every channel of [`channel_group`](Self::channel_group).
    pub channel: u32,
    /// The group closed when `channel` is 0 (ignored otherwise).
    pub channel_group: u32,
}

impl CloseChannelRequest {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        check_range("Channel", self.channel, MAX_CHANNEL, "0..=19")?;
        let mut out = Vec::with_capacity(8);
        push_u32(&mut out, self.channel);
        push_u32(&mut out, self.channel_group);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<CloseChannelRequest, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_SET_UICC_CLOSE_CHANNEL");
        let channel = fields.u32(0)?;
        check_range("Channel", channel, MAX_CHANNEL, "0..=19")?;
        Ok(CloseChannelRequest { channel, channel_group: fields.u32(4)? })
    }
}

/// `MBIM_MS_UICC_CLOSE_CHANNEL_INFO`: `Status`, SW1 SW2 of the last MANAGE CHANNEL (`9000` when
/// none was needed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseChannelInfo {
    /// SW1 SW2.
    pub status: [u8; 2],
}

impl CloseChannelInfo {
    /// The information buffer.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4);
        push_status(&mut out, self.status);
        out
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<CloseChannelInfo, MbimError> {
        Ok(CloseChannelInfo {
            status: Fields::new(buffer, "MBIM_MS_UICC_CLOSE_CHANNEL_INFO").status_word(0)?,
        })
    }
}

/// `MBIM_MS_SET_UICC_APDU`: `Channel`, `SecureMessaging`, `Type`, `CommandSize`, `CommandOffset`,
/// the command APDU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApduRequest {
    /// The channel, 1..=19, opened by OPEN_CHANNEL.
    pub channel: u32,
    /// Secure messaging the function indicates in the class byte it builds.
    pub secure_messaging: SecureMessaging,
    /// The coding of the class byte the function builds.
    pub class_byte_type: ClassByteType,
    /// The whole command APDU (at most 261 bytes); its class byte is replaced by the function.
    pub command: Vec<u8>,
}

impl ApduRequest {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        check_range("Channel", self.channel, MAX_CHANNEL, "1..=19")?;
        if self.channel == 0 {
            return Err(MbimError::OutOfRange { what: "Channel", value: 0, range: "1..=19" });
        }
        let mut out = Vec::new();
        push_u32(&mut out, self.channel);
        push_u32(&mut out, self.secure_messaging.value());
        push_u32(&mut out, self.class_byte_type.value());
        push_ref(&mut out, 20, &self.command, "Command", MAX_COMMAND_LEN)?;
        out.extend_from_slice(&self.command);
        pad4(&mut out);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<ApduRequest, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_SET_UICC_APDU");
        let channel = fields.u32(0)?;
        if !(1..=MAX_CHANNEL).contains(&channel) {
            return Err(MbimError::OutOfRange { what: "Channel", value: channel, range: "1..=19" });
        }
        let secure_messaging = match fields.u32(4)? {
            0 => SecureMessaging::None,
            1 => SecureMessaging::NoHeaderAuthentication,
            other => {
                return Err(MbimError::OutOfRange { what: "SecureMessaging", value: other, range: "0..=1" });
            }
        };
        let class_byte_type = match fields.u32(8)? {
            0 => ClassByteType::Interindustry,
            1 => ClassByteType::Extended,
            other => return Err(MbimError::OutOfRange { what: "Type", value: other, range: "0..=1" }),
        };
        let command = fields.data(12, 16, 20)?;
        check_len("Command", command.len(), MAX_COMMAND_LEN)?;
        Ok(ApduRequest { channel, secure_messaging, class_byte_type, command: command.to_vec() })
    }
}

/// `MBIM_MS_UICC_APDU_INFO`: `Status` (SW1 SW2), `ResponseLength`, `ResponseOffset`, the response
/// data **without** SW1 SW2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApduInfo {
    /// SW1 SW2.
    pub status: [u8; 2],
    /// The response data.
    pub response: Vec<u8>,
}

impl ApduInfo {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        let mut out = Vec::new();
        push_status(&mut out, self.status);
        push_ref(&mut out, 12, &self.response, "Response", super::fragment::MAX_MESSAGE_LEN)?;
        out.extend_from_slice(&self.response);
        pad4(&mut out);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<ApduInfo, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_UICC_APDU_INFO");
        Ok(ApduInfo { status: fields.status_word(0)?, response: fields.data(4, 8, 12)?.to_vec() })
    }

    /// The response APDU as a card sends it: data ‖ SW1 ‖ SW2 (as lpac
    /// `driver/apdu/mbim.c` `copy_data_with_status` rebuilds it).
    pub fn response_apdu(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.response.len() + 2);
        out.extend_from_slice(&self.response);
        out.extend_from_slice(&self.status);
        out
    }
}

/// `MBIM_MS_SET_UICC_TERMINAL_CAPABILITY` (set) and `MBIM_MS_TERMINAL_CAPABILITY_INFO` (query
/// answer), the same structure: `ElementCount`, then an (offset, length) pair per terminal
/// capability object — normal MBIM order here, offset first — then the objects, each padded to
/// 4 bytes (damonto/wwan-go `mbim/protocol_test.go` `TestUiccTerminalCapabilityRequestData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalCapability {
    /// The terminal capability objects (TLVs of ETSI TS 102 221 §11.1.19).
    pub objects: Vec<Vec<u8>>,
}

impl TerminalCapability {
    /// The information buffer.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        let mut out = Vec::new();
        push_u32(&mut out, as_u32(self.objects.len(), "CapabilityList")?);
        let mut data = Vec::new();
        let data_at = 4 + 8 * self.objects.len();
        for object in &self.objects {
            push_u32(&mut out, as_u32(data_at + data.len(), "CapabilityList")?);
            push_u32(&mut out, as_u32(object.len(), "CapabilityList")?);
            data.extend_from_slice(object);
            pad4(&mut data);
        }
        out.extend_from_slice(&data);
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<TerminalCapability, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_TERMINAL_CAPABILITY_INFO");
        let declared = fields.u32(0)?;
        let max = buffer.len().saturating_sub(4) / 8;
        let count =
            usize::try_from(declared).ok().filter(|count| *count <= max).ok_or(MbimError::OutOfRange {
                what: "ElementCount",
                value: declared,
                range: "the (offset, length) pairs present",
            })?;
        let data_at = 4 + 8 * count;
        let objects = (0..count)
            .map(|index| fields.data(8 + 8 * index, 4 + 8 * index, data_at).map(<[u8]>::to_vec))
            .collect::<Result<_, _>>()?;
        Ok(TerminalCapability { objects })
    }
}

/// A (size, offset) pair for `data` placed at `offset` right after the fixed fields (zero
/// offset for no data).
fn push_ref(
    out: &mut Vec<u8>,
    offset: usize,
    data: &[u8],
    what: &'static str,
    max: usize,
) -> Result<(), MbimError> {
    check_len(what, data.len(), max)?;
    push_u32(out, as_u32(data.len(), what)?);
    push_u32(out, if data.is_empty() { 0 } else { as_u32(offset, what)? });
    Ok(())
}

/// SW1, SW2, 00, 00.
fn push_status(out: &mut Vec<u8>, [sw1, sw2]: [u8; 2]) {
    out.extend_from_slice(&[sw1, sw2, 0, 0]);
}

/// [`MbimError::TooLong`] past `max`.
fn check_len(what: &'static str, len: usize, max: usize) -> Result<(), MbimError> {
    if len > max { Err(MbimError::TooLong { what, len, max }) } else { Ok(()) }
}

/// [`MbimError::OutOfRange`] past `max`.
fn check_range(what: &'static str, value: u32, max: u32, range: &'static str) -> Result<(), MbimError> {
    if value > max { Err(MbimError::OutOfRange { what, value, range }) } else { Ok(()) }
}
