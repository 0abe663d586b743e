//! What can go wrong with QMI: a message that breaks the framing rules, a response without the
//! TLV it must carry, and the modem's own protocol errors, by name.

use std::fmt;

/// A QMI protocol error: the `error` field of a response's Result TLV `0x02` (libqmi
/// `src/libqmi-glib/qmi-errors.h`, `QmiProtocolError`; the names are libqmi's nicks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QmiProtocolError(pub u16);

impl QmiProtocolError {
    /// 0, no error.
    pub const NONE: Self = Self(0);
    /// 1, the request was not understood.
    pub const MALFORMED_MESSAGE: Self = Self(1);
    /// 3, the modem failed internally.
    pub const INTERNAL: Self = Self(3);
    /// 5, no client ID left for the service: release the ones you allocate.
    pub const CLIENT_IDS_EXHAUSTED: Self = Self(5);
    /// 7, the client ID is not allocated for the service.
    pub const INVALID_CLIENT_ID: Self = Self(7);
    /// 17, a mandatory TLV is missing.
    pub const MISSING_ARGUMENT: Self = Self(17);
    /// 19, a TLV is too long.
    pub const ARGUMENT_TOO_LONG: Self = Self(19);
    /// 22, the transaction ID is not valid.
    pub const INVALID_TRANSACTION_ID: Self = Self(22);
    /// 25, the device does not support the request.
    pub const DEVICE_UNSUPPORTED: Self = Self(25);
    /// 37, the UIM is not initialised.
    pub const UIM_UNINITIALIZED: Self = Self(37);
    /// 48, an argument has a wrong value.
    pub const INVALID_ARGUMENT: Self = Self(48);
    /// 52, the device is not ready.
    pub const DEVICE_NOT_READY: Self = Self(52);
    /// 71, the message is unknown to the firmware.
    pub const INVALID_QMI_COMMAND: Self = Self(71);
    /// 80, the file (or application) was not found on the card.
    pub const SIM_FILE_NOT_FOUND: Self = Self(80);
    /// 82, access denied: what SIMCom SIM7600G-H and Telit LE910C4 answer to UIM Open Logical
    /// Channel (lpac issue #221).
    pub const ACCESS_DENIED: Self = Self(82);
    /// 90, the request does not fit the current state.
    pub const INCOMPATIBLE_STATE: Self = Self(90);
    /// 94, not supported: older firmware answers UIM Get Slot Status so (lpac
    /// `driver/apdu/qmi.c`, `select_sim_slot`).
    pub const NOT_SUPPORTED: Self = Self(94);
    /// 102, no SIM.
    pub const NO_SIM: Self = Self(102);

    /// The numeric code.
    pub const fn code(self) -> u16 {
        self.0
    }

    /// libqmi's name of the code (`AccessDenied`), `None` for a code libqmi does not know.
    pub fn name(self) -> Option<&'static str> {
        NAMES.iter().find(|(code, _)| *code == self.0).map(|(_, name)| *name)
    }
}

/// "AccessDenied (82)"; "unknown (1234)" for a code libqmi does not name.
impl fmt::Display for QmiProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name().unwrap_or("unknown"), self.0)
    }
}

/// `QmiProtocolError` of libqmi `src/libqmi-glib/qmi-errors.h`: code and nick, 0 to 118 (the
/// firmware-update and CAT codes above are left out).
const NAMES: &[(u16, &str)] = &[
    (0, "None"),
    (1, "MalformedMessage"),
    (2, "NoMemory"),
    (3, "Internal"),
    (4, "Aborted"),
    (5, "ClientIdsExhausted"),
    (6, "UnabortableTransaction"),
    (7, "InvalidClientId"),
    (8, "NoThresholdsProvided"),
    (9, "InvalidHandle"),
    (10, "InvalidProfile"),
    (11, "InvalidPinId"),
    (12, "IncorrectPin"),
    (13, "NoNetworkFound"),
    (14, "CallFailed"),
    (15, "OutOfCall"),
    (16, "NotProvisioned"),
    (17, "MissingArgument"),
    (19, "ArgumentTooLong"),
    (22, "InvalidTransactionId"),
    (23, "DeviceInUse"),
    (24, "NetworkUnsupported"),
    (25, "DeviceUnsupported"),
    (26, "NoEffect"),
    (27, "NoFreeProfile"),
    (28, "InvalidPdpType"),
    (29, "InvalidTechnologyPreference"),
    (30, "InvalidProfileType"),
    (31, "InvalidServiceType"),
    (32, "InvalidRegisterAction"),
    (33, "InvalidPsAttachAction"),
    (34, "AuthenticationFailed"),
    (35, "PinBlocked"),
    (36, "PinAlwaysBlocked"),
    (37, "UimUninitialized"),
    (38, "MaximumQosRequestsInUse"),
    (39, "IncorrectFlowFilter"),
    (40, "NetworkQosUnaware"),
    (41, "InvalidQosId"),
    (42, "RequestedNumberUnsupported"),
    (43, "InterfaceNotFound"),
    (44, "FlowSuspended"),
    (45, "InvalidDataFormat"),
    (46, "GeneralError"),
    (47, "UnknownError"),
    (48, "InvalidArgument"),
    (49, "InvalidIndex"),
    (50, "NoEntry"),
    (51, "DeviceStorageFull"),
    (52, "DeviceNotReady"),
    (53, "NetworkNotReady"),
    (54, "WmsCauseCode"),
    (55, "WmsMessageNotSent"),
    (56, "WmsMessageDeliveryFailure"),
    (57, "WmsInvalidMessageId"),
    (58, "WmsEncoding"),
    (59, "AuthenticationLock"),
    (60, "InvalidTransition"),
    (61, "NotMcastInterface"),
    (62, "MaximumMcastRequestsInUse"),
    (63, "InvalidMcastHandle"),
    (64, "InvalidIpFamilyPreference"),
    (65, "SessionInactive"),
    (66, "SessionInvalid"),
    (67, "SessionOwnership"),
    (68, "InsufficientResources"),
    (69, "Disabled"),
    (70, "InvalidOperation"),
    (71, "InvalidQmiCommand"),
    (72, "WmsTPduType"),
    (73, "WmsSmscAddress"),
    (74, "InformationUnavailable"),
    (75, "SegmentTooLong"),
    (76, "SegmentOrder"),
    (77, "BundlingNotSupported"),
    (78, "OperationPartialFailure"),
    (79, "PolicyMismatch"),
    (80, "SimFileNotFound"),
    (81, "ExtendedInternal"),
    (82, "AccessDenied"),
    (83, "HardwareRestricted"),
    (84, "AckNotSent"),
    (85, "InjectTimeout"),
    (90, "IncompatibleState"),
    (91, "FdnRestrict"),
    (92, "SupsFailureCase"),
    (93, "NoRadio"),
    (94, "NotSupported"),
    (95, "NoSubscription"),
    (96, "CardCallControlFailed"),
    (97, "NetworkAborted"),
    (98, "MsgBlocked"),
    (100, "InvalidSessionType"),
    (101, "InvalidPbType"),
    (102, "NoSim"),
    (103, "PbNotReady"),
    (104, "PinRestriction"),
    (105, "Pin1Restriction"),
    (106, "PukRestriction"),
    (107, "Puk2Restriction"),
    (108, "PbAccessRestricted"),
    (109, "PbDeleteInProgress"),
    (110, "PbTextTooLong"),
    (111, "PbNumberTooLong"),
    (112, "PbHiddenKeyRestriction"),
    (113, "PbNotAvailable"),
    (114, "DeviceMemoryError"),
    (115, "NoPermission"),
    (116, "TooSoon"),
    (117, "TimeNotAcquired"),
    (118, "OperationInProgress"),
];

/// An error of the QMI codec, or a QMI request the modem refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QmiError {
    /// Bytes that break libqmi's validity rules for a QMUX frame (`src/libqmi-glib/qmi-message.c`,
    /// `message_check`): the marker, a length that disagrees with the buffer, a QMI header that
    /// does not fit, TLVs that do not exactly fill the message.
    #[error("malformed QMUX frame: {0}")]
    Malformed(&'static str),
    /// A message longer than a QMUX frame can be (65 535 bytes, libqmi
    /// `tlv_error_if_write_overflow`).
    #[error("a QMI message of {len} bytes exceeds the 65535 bytes of a QMUX frame")]
    TooLong {
        /// The length the message would have.
        len: usize,
    },
    /// A CTL transaction ID above 255: the CTL header has one byte for it (libqmi
    /// `qmi_message_new`).
    #[error("CTL transaction ID {0} does not fit one byte")]
    CtlTransaction(u16),
    /// A value too long for the length prefix of its TLV (an AID over 255 bytes).
    #[error("{message}: {what}")]
    InvalidRequest {
        /// The QMI message, e.g. `"UIM Open Logical Channel"`.
        message: &'static str,
        /// What does not fit.
        what: &'static str,
    },
    /// The modem answered the request with a failure in the Result TLV.
    #[error("{message} failed: QMI protocol error {error}")]
    Protocol {
        /// The QMI message, e.g. `"UIM Send APDU"`.
        message: &'static str,
        /// The protocol error code.
        error: QmiProtocolError,
    },
    /// A response without a TLV it must carry.
    #[error("{message}: the response has no TLV 0x{tlv:02X}")]
    MissingTlv {
        /// The QMI message.
        message: &'static str,
        /// The TLV type.
        tlv: u8,
    },
    /// A TLV whose value does not have the layout of its message definition (libqmi
    /// `data/qmi-service-*.json`).
    #[error("{message}: TLV 0x{tlv:02X} is malformed ({what})")]
    InvalidTlv {
        /// The QMI message.
        message: &'static str,
        /// The TLV type.
        tlv: u8,
        /// What is wrong with it.
        what: &'static str,
    },
}
