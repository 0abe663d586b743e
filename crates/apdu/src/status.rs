//! Status words SW1 SW2 (ISO/IEC 7816-4 §5.6, Tables 5 and 6; GlobalPlatform
//! Card Specification 2.3.1 §11.1.3 and the command tables of §11).
//!
//! Meanings sourced from ISO/IEC 7816-4:2013 §5.6 Table 6 as also listed by
//! osmocom/pysim `pySim/ts_102_221.py` (ETSI TS 102 221 §10.2.1 repeats the
//! ISO table) and ecsec/open-ecard; the GlobalPlatform ones from osmocom/pysim
//! `pySim/global_platform/__init__.py` (`sw_table`, GPC 2.1.1 / 2.3.1 §11) and
//! martinpaljak/GlobalPlatformPro `library/src/main/java/pro/javacard/gp/ISO7816.java`.

use core::fmt;

/// A status word SW1 SW2 (ISO/IEC 7816-4 §5.6), as the big-endian `u16` `SW1 << 8 | SW2`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(u16);

/// Declares the named status words with an exact meaning, and the
/// `exact_description` lookup over them, from one list.
macro_rules! status_words {
    ($( $(#[$attr:meta])* $name:ident = $value:literal => $desc:literal; )*) => {
        impl StatusWord {
            $(
                #[doc = concat!("`", stringify!($value), "`: ", $desc, ".")]
                #[doc = ""]
                $(#[$attr])*
                pub const $name: StatusWord = StatusWord($value);
            )*
        }

        /// The meaning of a status word listed above, if it is one.
        const fn exact_description(sw: u16) -> Option<&'static str> {
            match sw {
                $( $value => Some($desc), )*
                _ => None,
            }
        }
    };
}

status_words! {
    // --- Normal processing (ISO/IEC 7816-4 §5.6 Table 6) ---
    /// ISO/IEC 7816-4 §5.6 Table 6, normal processing.
    SUCCESS = 0x9000 => "success";

    // --- Warnings, SW1 = 62: state of non-volatile memory unchanged ---
    /// ISO/IEC 7816-4 §5.6 Table 6, warning (non-volatile memory unchanged).
    /// GlobalPlatform (GPC §11.1.3, MANAGE CHANNEL): logical channel already closed.
    WARNING_UNCHANGED = 0x6200 => "warning, no information given, non-volatile memory unchanged";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    DATA_MAY_BE_CORRUPTED = 0x6281 => "part of returned data may be corrupted";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    END_OF_FILE = 0x6282 => "end of file or record reached before reading Ne bytes";
    /// ISO/IEC 7816-4 §5.6 Table 6. GlobalPlatform (SELECT): card life cycle
    /// state is CARD_LOCKED, see [`StatusWord::CARD_LOCKED`].
    SELECTED_FILE_DEACTIVATED = 0x6283 => "selected file deactivated";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    FCI_NOT_FORMATTED = 0x6284 => "file control information not formatted according to ISO/IEC 7816-4";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    SELECTED_FILE_TERMINATED = 0x6285 => "selected file in termination state";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    NO_SENSOR_DATA = 0x6286 => "no input data available from a sensor on the card";

    // --- Warnings, SW1 = 63: state of non-volatile memory changed ---
    /// ISO/IEC 7816-4 §5.6 Table 6. GlobalPlatform (EXTERNAL AUTHENTICATE):
    /// authentication of the host cryptogram failed.
    WARNING_CHANGED = 0x6300 => "warning, no information given, non-volatile memory changed";
    /// GlobalPlatform GPC §11.4 (GET STATUS), §11.3 (GET DATA): more data available.
    MORE_DATA_AVAILABLE = 0x6310 => "more data available";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    FILE_FILLED_UP = 0x6381 => "file filled up by the last write";

    // --- Execution errors, SW1 = 64, 65, 66 ---
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3: no specific diagnosis.
    EXECUTION_ERROR = 0x6400 => "execution error, non-volatile memory unchanged";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    IMMEDIATE_RESPONSE_REQUIRED = 0x6401 => "immediate response required by the card";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    EXECUTION_ERROR_CHANGED = 0x6500 => "execution error, non-volatile memory changed";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3.
    MEMORY_FAILURE = 0x6581 => "memory failure";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    SECURITY_ISSUE = 0x6600 => "security-related issue";

    // --- Checking errors ---
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3: wrong length in Lc.
    WRONG_LENGTH = 0x6700 => "wrong length";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    CLA_FUNCTION_NOT_SUPPORTED = 0x6800 => "functions in CLA not supported";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3: logical channel
    /// not supported or not active.
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881 => "logical channel not supported";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3.
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882 => "secure messaging not supported";
    /// ISO/IEC 7816-4 §5.6 Table 6 (command chaining, §5.3.3).
    LAST_COMMAND_EXPECTED = 0x6883 => "last command of the chain expected";
    /// ISO/IEC 7816-4 §5.6 Table 6 (command chaining, §5.3.3).
    CHAINING_NOT_SUPPORTED = 0x6884 => "command chaining not supported";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    COMMAND_NOT_ALLOWED = 0x6900 => "command not allowed";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981 => "command incompatible with file structure";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3.
    SECURITY_STATUS_NOT_SATISFIED = 0x6982 => "security status not satisfied";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    AUTHENTICATION_METHOD_BLOCKED = 0x6983 => "authentication method blocked";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    REFERENCE_DATA_NOT_USABLE = 0x6984 => "reference data not usable";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3.
    CONDITIONS_NOT_SATISFIED = 0x6985 => "conditions of use not satisfied";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    NO_CURRENT_EF = 0x6986 => "command not allowed (no current EF)";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    SM_DATA_MISSING = 0x6987 => "expected secure messaging data objects missing";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    SM_DATA_INCORRECT = 0x6988 => "incorrect secure messaging data objects";
    /// Java Card `ISO7816.SW_APPLET_SELECT_FAILED`; GlobalPlatform (SELECT): selection rejected.
    APPLET_SELECT_FAILED = 0x6999 => "applet selection failed";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    WRONG_PARAMETERS = 0x6A00 => "wrong parameters P1-P2";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3: incorrect values in command data.
    WRONG_DATA = 0x6A80 => "incorrect parameters in the command data field";
    /// ISO/IEC 7816-4 §5.6 Table 6. GlobalPlatform: function not supported,
    /// e.g. card life cycle state is CARD_LOCKED.
    FUNCTION_NOT_SUPPORTED = 0x6A81 => "function not supported";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform (SELECT): application not found.
    FILE_NOT_FOUND = 0x6A82 => "file or application not found";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    RECORD_NOT_FOUND = 0x6A83 => "record not found";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform (INSTALL, LOAD): not enough memory space.
    NOT_ENOUGH_MEMORY = 0x6A84 => "not enough memory space in the file";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    NC_INCONSISTENT_WITH_TLV = 0x6A85 => "Nc inconsistent with TLV structure";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3.
    INCORRECT_P1_P2 = 0x6A86 => "incorrect parameters P1-P2";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    NC_INCONSISTENT_WITH_P1_P2 = 0x6A87 => "Nc inconsistent with parameters P1-P2";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform: referenced data not found.
    REFERENCED_DATA_NOT_FOUND = 0x6A88 => "referenced data or reference data not found";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    FILE_ALREADY_EXISTS = 0x6A89 => "file already exists";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    DF_NAME_ALREADY_EXISTS = 0x6A8A => "DF name already exists";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    WRONG_P1_P2 = 0x6B00 => "wrong parameters P1-P2";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3: invalid instruction.
    INS_NOT_SUPPORTED = 0x6D00 => "instruction code not supported or invalid";
    /// ISO/IEC 7816-4 §5.6 Table 6; GlobalPlatform GPC §11.1.3: invalid class.
    CLA_NOT_SUPPORTED = 0x6E00 => "class not supported";
    /// ISO/IEC 7816-4 §5.6 Table 6.
    NO_PRECISE_DIAGNOSIS = 0x6F00 => "no precise diagnosis";

    // --- GlobalPlatform application errors (GPC §11.8 PUT KEY) ---
    /// GlobalPlatform GPC §11.8 (PUT KEY).
    ALGORITHM_NOT_SUPPORTED = 0x9484 => "algorithm not supported";
    /// GlobalPlatform GPC §11.8 (PUT KEY).
    INVALID_KEY_CHECK_VALUE = 0x9485 => "invalid key check value";
}

impl StatusWord {
    /// `6283`: GlobalPlatform (GPC §11.9 SELECT): the card life cycle state is
    /// CARD_LOCKED. Same value as [`StatusWord::SELECTED_FILE_DEACTIVATED`].
    pub const CARD_LOCKED: StatusWord = StatusWord::SELECTED_FILE_DEACTIVATED;

    /// `6300`: GlobalPlatform EXTERNAL AUTHENTICATE (SCP02, GPC Appendix E;
    /// SCP03, Amendment D): authentication of the host cryptogram failed. Same value as [`StatusWord::WARNING_CHANGED`].
    pub const HOST_CRYPTOGRAM_FAILED: StatusWord = StatusWord::WARNING_CHANGED;

    /// `6200`: GlobalPlatform (GPC §11.7 MANAGE CHANNEL): logical channel
    /// already closed. Same value as [`StatusWord::WARNING_UNCHANGED`].
    pub const CHANNEL_ALREADY_CLOSED: StatusWord = StatusWord::WARNING_UNCHANGED;

    /// The status word `SW1 SW2`.
    pub const fn new(sw1: u8, sw2: u8) -> Self {
        Self(u16::from_be_bytes([sw1, sw2]))
    }

    /// The status word `value >> 8`, `value & FF`.
    pub const fn from_u16(value: u16) -> Self {
        Self(value)
    }

    /// `SW1 << 8 | SW2`.
    pub const fn to_u16(self) -> u16 {
        self.0
    }

    /// SW1.
    pub const fn sw1(self) -> u8 {
        self.to_bytes()[0]
    }

    /// SW2.
    pub const fn sw2(self) -> u8 {
        self.to_bytes()[1]
    }

    /// `[SW1, SW2]`, the order on the wire.
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// `true` for exactly `9000` (ISO/IEC 7816-4 §5.6).
    pub const fn is_success(self) -> bool {
        self.0 == 0x9000
    }

    /// `true` for normal processing (ISO/IEC 7816-4 §5.6 Table 5): `9000` and
    /// `61XX`, plus `91XX`, `92XX` (ETSI TS 102 221 §10.2.1.1) and `9FXX`
    /// (3GPP TS 51.011 §9.4.1).
    pub const fn is_normal(self) -> bool {
        self.0 == 0x9000 || matches!(self.sw1(), 0x61 | 0x91 | 0x92 | 0x9F)
    }

    /// `true` for a warning, SW1 = `62` or `63` (ISO/IEC 7816-4 §5.6 Table 5).
    pub const fn is_warning(self) -> bool {
        matches!(self.sw1(), 0x62 | 0x63)
    }

    /// `true` for an execution or checking error, SW1 = `64` to `6F`
    /// (ISO/IEC 7816-4 §5.6 Table 5).
    pub const fn is_error(self) -> bool {
        matches!(self.sw1(), 0x64..=0x6F)
    }

    /// For `61XX` (ISO/IEC 7816-4 §5.6 Table 5): the number of response bytes
    /// still available for GET RESPONSE, XX with `00` meaning 256.
    pub const fn bytes_available(self) -> Option<usize> {
        match self.to_bytes() {
            [0x61, 0x00] => Some(256),
            [0x61, n] => Some(n as usize),
            _ => None,
        }
    }

    /// `61XX` for `n` response bytes still available (`6100`: 256 or more), what
    /// [`bytes_available`](Self::bytes_available) reads.
    pub const fn bytes_remaining(n: usize) -> Self {
        Self::new(0x61, if n >= 256 { 0x00 } else { n as u8 })
    }

    /// For `6CXX` (ISO/IEC 7816-4 §5.6 Table 5): the exact Ne to resend the
    /// command with, XX with `00` meaning 256.
    pub const fn exact_length(self) -> Option<usize> {
        match self.to_bytes() {
            [0x6C, 0x00] => Some(256),
            [0x6C, n] => Some(n as usize),
            _ => None,
        }
    }

    /// For `63CX` (ISO/IEC 7816-4 §5.6 Table 6): the counter X, 0 to 15
    /// (for VERIFY, the retries left).
    pub const fn retries_left(self) -> Option<u8> {
        match self.to_bytes() {
            [0x63, n] if n & 0xF0 == 0xC0 => Some(n & 0x0F),
            _ => None,
        }
    }

    /// The meaning (ISO/IEC 7816-4 §5.6 Table 6, GlobalPlatform GPC §11), or
    /// `"unknown"`. Values with a parameter in SW2 (`61XX`, `6CXX`, `63CX`, …)
    /// get the meaning of their family.
    pub const fn description(&self) -> &'static str {
        if let Some(desc) = exact_description(self.0) {
            return desc;
        }
        match self.to_bytes() {
            [0x61, _] => "response bytes still available",
            [0x6C, _] => "wrong Le field, SW2 gives the exact number of available bytes",
            [0x63, n] if n & 0xF0 == 0xC0 => "counter in the low nibble of SW2 (e.g. retries left)",
            [0x62 | 0x64, 0x02..=0x80] => "triggering by the card",
            [0x91, _] => "normal ending with a proactive command pending",
            [0x92, _] => "normal ending with data transfer session information",
            [0x9F, _] => "response data available, SW2 gives the length",
            _ => "unknown",
        }
    }
}

impl Default for StatusWord {
    /// `9000`.
    fn default() -> Self {
        Self::SUCCESS
    }
}

impl From<u16> for StatusWord {
    fn from(value: u16) -> Self {
        Self(value)
    }
}

impl From<[u8; 2]> for StatusWord {
    fn from([sw1, sw2]: [u8; 2]) -> Self {
        Self::new(sw1, sw2)
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> Self {
        sw.0
    }
}

impl From<StatusWord> for [u8; 2] {
    fn from(sw: StatusWord) -> Self {
        sw.to_bytes()
    }
}

impl fmt::Debug for StatusWord {
    /// `StatusWord(6A82)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

impl fmt::Display for StatusWord {
    /// `6A82 (file or application not found)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.description())
    }
}
