//! Status codes of `COMMAND_DONE` / `OPEN_DONE` / `CLOSE_DONE` and the protocol error codes of
//! `FUNCTION_ERROR` / `HOST_ERROR`, with their names.
//!
//! Values: libmbim `src/libmbim-glib/mbim-errors.h` (`MbimStatusError`, `MbimProtocolError`,
//! after USB MBIM 1.0 §9.4.5 and §9.4.6) and, for the `0x8743xxxx` codes of the UICC service,
//! Microsoft, "MB low level UICC access", "Status codes".

use std::fmt;

/// The `Status` of a `COMMAND_DONE`, `OPEN_DONE` or `CLOSE_DONE` message.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status(pub u32);

impl Status {
    /// `0`: the command succeeded.
    pub const SUCCESS: Status = Status(0);
    /// `1`: the function is busy.
    pub const BUSY: Status = Status(1);
    /// `2`: the command failed.
    pub const FAILURE: Status = Status(2);
    /// `3`: no SIM inserted.
    pub const SIM_NOT_INSERTED: Status = Status(3);
    /// `4`: the SIM is in an error state.
    pub const BAD_SIM: Status = Status(4);
    /// `9`: the function does not support the command.
    pub const NO_DEVICE_SUPPORT: Status = Status(9);
    /// `14`: the UICC is not yet fully initialized.
    pub const NOT_INITIALIZED: Status = Status(14);
    /// `21`: invalid parameters.
    pub const INVALID_PARAMETERS: Status = Status(21);
    /// `26`: a parameter is too long.
    pub const PARAMETER_TOO_LONG: Status = Status(26);
    /// `28`: operation not allowed.
    pub const OPERATION_NOT_ALLOWED: Status = Status(28);
    /// `0x87430001`: OPEN_CHANNEL failed, no logical channel available on the UICC (MANAGE
    /// CHANNEL refused).
    pub const MS_NO_LOGICAL_CHANNELS: Status = Status(0x8743_0001);
    /// `0x87430002`: OPEN_CHANNEL failed because the SELECT failed.
    pub const MS_SELECT_FAILED: Status = Status(0x8743_0002);
    /// `0x87430003`: the logical channel was not opened through OPEN_CHANNEL.
    pub const MS_INVALID_LOGICAL_CHANNEL: Status = Status(0x8743_0003);

    /// `true` for [`Status::SUCCESS`].
    pub const fn is_success(self) -> bool {
        self.0 == 0
    }

    /// The name of the status (`MBIM_STATUS_…` without the prefix), if it has one.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "SUCCESS",
            1 => "BUSY",
            2 => "FAILURE",
            3 => "SIM_NOT_INSERTED",
            4 => "BAD_SIM",
            5 => "PIN_REQUIRED",
            6 => "PIN_DISABLED",
            7 => "NOT_REGISTERED",
            8 => "PROVIDERS_NOT_FOUND",
            9 => "NO_DEVICE_SUPPORT",
            10 => "PROVIDER_NOT_VISIBLE",
            11 => "DATA_CLASS_NOT_AVAILABLE",
            12 => "PACKET_SERVICE_DETACHED",
            13 => "MAX_ACTIVATED_CONTEXTS",
            14 => "NOT_INITIALIZED",
            15 => "VOICE_CALL_IN_PROGRESS",
            16 => "CONTEXT_NOT_ACTIVATED",
            17 => "SERVICE_NOT_ACTIVATED",
            18 => "INVALID_ACCESS_STRING",
            19 => "INVALID_USER_NAME_PWD",
            20 => "RADIO_POWER_OFF",
            21 => "INVALID_PARAMETERS",
            22 => "READ_FAILURE",
            23 => "WRITE_FAILURE",
            25 => "NO_PHONEBOOK",
            26 => "PARAMETER_TOO_LONG",
            27 => "STK_BUSY",
            28 => "OPERATION_NOT_ALLOWED",
            29 => "MEMORY_FAILURE",
            30 => "INVALID_MEMORY_INDEX",
            31 => "MEMORY_FULL",
            32 => "FILTER_NOT_SUPPORTED",
            33 => "DSS_INSTANCE_LIMIT",
            34 => "INVALID_DEVICE_SERVICE_OPERATION",
            35 => "AUTH_INCORRECT_AUTN",
            36 => "AUTH_SYNC_FAILURE",
            37 => "AUTH_AMF_NOT_SET",
            38 => "CONTEXT_NOT_SUPPORTED",
            100 => "SMS_UNKNOWN_SMSC_ADDRESS",
            101 => "SMS_NETWORK_TIMEOUT",
            102 => "SMS_LANG_NOT_SUPPORTED",
            103 => "SMS_ENCODING_NOT_SUPPORTED",
            104 => "SMS_FORMAT_NOT_SUPPORTED",
            0x8743_0001 => "MS_NO_LOGICAL_CHANNELS",
            0x8743_0002 => "MS_SELECT_FAILED",
            0x8743_0003 => "MS_INVALID_LOGICAL_CHANNEL",
            _ => return None,
        })
    }
}

/// `MS_SELECT_FAILED (0x87430002)`; an unnamed code as `0x…` alone.
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({:#x})", self.0),
            None => write!(f, "status {:#x}", self.0),
        }
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Status({self})")
    }
}

/// The `ErrorStatusCode` of a `FUNCTION_ERROR` (function to host) or `HOST_ERROR` (host to
/// function) message.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProtocolError(pub u32);

impl ProtocolError {
    /// `1`: a fragment did not arrive in time.
    pub const TIMEOUT_FRAGMENT: ProtocolError = ProtocolError(1);
    /// `2`: a fragment arrived out of sequence.
    pub const FRAGMENT_OUT_OF_SEQUENCE: ProtocolError = ProtocolError(2);
    /// `3`: a message length did not match its content.
    pub const LENGTH_MISMATCH: ProtocolError = ProtocolError(3);
    /// `4`: a transaction id already in use.
    pub const DUPLICATED_TID: ProtocolError = ProtocolError(4);
    /// `5`: a message before `OPEN` (or after `CLOSE`).
    pub const NOT_OPENED: ProtocolError = ProtocolError(5);
    /// `6`: an unknown error.
    pub const UNKNOWN: ProtocolError = ProtocolError(6);
    /// `7`: cancel the operation.
    pub const CANCEL: ProtocolError = ProtocolError(7);
    /// `8`: the maximum control transfer is not supported.
    pub const MAX_TRANSFER: ProtocolError = ProtocolError(8);

    /// The name of the error (`MBIM_PROTOCOL_ERROR_…` without the prefix), if it has one.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "INVALID",
            1 => "TIMEOUT_FRAGMENT",
            2 => "FRAGMENT_OUT_OF_SEQUENCE",
            3 => "LENGTH_MISMATCH",
            4 => "DUPLICATED_TID",
            5 => "NOT_OPENED",
            6 => "UNKNOWN",
            7 => "CANCEL",
            8 => "MAX_TRANSFER",
            _ => return None,
        })
    }
}

/// `NOT_OPENED (5)`.
impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "protocol error {}", self.0),
        }
    }
}

impl fmt::Debug for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProtocolError({self})")
    }
}
