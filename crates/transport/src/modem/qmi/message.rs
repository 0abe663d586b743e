//! One QMI message in a QMUX frame: the QMUX header, the CTL or service QMI header, the TLVs
//! (libqmi `src/libqmi-glib/qmi-message.c`: `struct qmux`, `struct control_header`,
//! `struct service_header`, `struct tlv`; all integers little-endian).
//!
//! ```text
//! 01 | len LE16 | QMUX flags | service | client |  QMI header  | TLV…
//!      (everything after the marker)               CTL:     flags, TID (1 byte), msg LE16, tlv_len LE16
//!                                                  service: flags, TID LE16,     msg LE16, tlv_len LE16
//! TLV: type | len LE16 | value
//! ```

use super::{QmiError, QmiProtocolError};

/// The QMUX marker, the first byte of every frame on a cdc-wdm device (libqmi
/// `QMI_MESSAGE_QMUX_MARKER`).
pub const QMUX_MARKER: u8 = 0x01;
/// QMUX control flags of a frame from the modem ("sender is the service"), set by libqmi's
/// `qmi_message_response_new`; the host sends `00`. Both are accepted when parsing.
pub const QMUX_FLAGS_SERVICE: u8 = 0x80;
/// The CTL service (libqmi `QMI_SERVICE_CTL`): client IDs.
pub const SERVICE_CTL: u8 = 0x00;
/// The UIM service (libqmi `QMI_SERVICE_UIM`, `qmi-enums.h`).
pub const SERVICE_UIM: u8 = 0x0B;
/// The longest QMUX frame, marker included (libqmi `tlv_error_if_write_overflow`: `G_MAXUINT16`).
pub const MAX_FRAME_LEN: usize = 65_535;

/// The QMUX header after the marker: length LE16, flags, service, client.
const QMUX_HEADER_LEN: usize = 5;
/// The CTL QMI header: flags, TID, message ID LE16, TLV length LE16.
const CTL_HEADER_LEN: usize = 6;
/// The service QMI header: flags, TID LE16, message ID LE16, TLV length LE16.
const SERVICE_HEADER_LEN: usize = 7;
/// A TLV header: type, length LE16.
const TLV_HEADER_LEN: usize = 3;
/// The Result TLV of every response (libqmi `data/qmi-common.json`, "Operation Result").
pub(crate) const RESULT_TLV: u8 = 0x02;

/// CTL header flags (libqmi `qmi-enums-private.h`, `QmiCtlFlag`).
const CTL_FLAG_RESPONSE: u8 = 0x01;
const CTL_FLAG_INDICATION: u8 = 0x02;
/// Service header flags (libqmi `qmi-enums-private.h`, `QmiServiceFlag`).
const SERVICE_FLAG_RESPONSE: u8 = 0x02;
const SERVICE_FLAG_INDICATION: u8 = 0x04;

/// What a QMI message is, from the flags of its QMI header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QmiMessageKind {
    /// From the host.
    Request,
    /// The modem's answer to a request, with its transaction ID.
    Response,
    /// Unsolicited, from the modem.
    Indication,
}

/// One TLV: a type and a value of up to 65 535 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct QmiTlv {
    /// The TLV type.
    pub tlv_type: u8,
    /// The value.
    pub value: Vec<u8>,
}

impl QmiTlv {
    /// The TLV `tlv_type` with `value`.
    pub fn new(tlv_type: u8, value: impl Into<Vec<u8>>) -> Self {
        Self { tlv_type, value: value.into() }
    }
}

/// One QMI message with its QMUX header: what one frame on a cdc-wdm device carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct QmiMessage {
    /// QMUX control flags: `00` from the host, `80` from the modem ([`QMUX_FLAGS_SERVICE`]).
    pub qmux_flags: u8,
    /// The QMI service ([`SERVICE_CTL`], [`SERVICE_UIM`], …).
    pub service: u8,
    /// The client ID: `00` for CTL, else the one CTL Allocate CID gave.
    pub client: u8,
    /// The QMI header flags (request, response, indication; see [`kind`](Self::kind)).
    pub flags: u8,
    /// The transaction ID: one byte for CTL, two for the other services.
    pub transaction: u16,
    /// The message ID.
    pub message_id: u16,
    /// The TLVs, in order.
    pub tlvs: Vec<QmiTlv>,
}

impl QmiMessage {
    /// A request from the host, without TLVs (libqmi `qmi_message_new`).
    pub fn request(service: u8, client: u8, transaction: u16, message_id: u16) -> Self {
        Self { qmux_flags: 0, service, client, flags: 0, transaction, message_id, tlvs: Vec::new() }
    }

    /// The response to `request` with its Result TLV first: QMUX flags `80`, the response
    /// flag, the same service, client, transaction and message ID, status `0001` when `error`
    /// is not [`QmiProtocolError::NONE`] (libqmi `qmi_message_response_new`).
    pub fn response_to(request: &Self, error: QmiProtocolError) -> Self {
        let flags = if request.is_control() { CTL_FLAG_RESPONSE } else { SERVICE_FLAG_RESPONSE };
        let status = u16::from(error != QmiProtocolError::NONE);
        let mut result = status.to_le_bytes().to_vec();
        result.extend_from_slice(&error.code().to_le_bytes());
        Self {
            qmux_flags: QMUX_FLAGS_SERVICE,
            flags,
            tlvs: vec![QmiTlv::new(RESULT_TLV, result)],
            ..Self::request(request.service, request.client, request.transaction, request.message_id)
        }
    }

    /// An unsolicited indication from the modem, transaction 0.
    pub fn indication(service: u8, client: u8, message_id: u16) -> Self {
        let flags = if service == SERVICE_CTL { CTL_FLAG_INDICATION } else { SERVICE_FLAG_INDICATION };
        Self { qmux_flags: QMUX_FLAGS_SERVICE, flags, ..Self::request(service, client, 0, message_id) }
    }

    /// The message with `value` appended as TLV `tlv_type`.
    #[must_use]
    pub fn with_tlv(mut self, tlv_type: u8, value: impl Into<Vec<u8>>) -> Self {
        self.tlvs.push(QmiTlv::new(tlv_type, value));
        self
    }

    /// Whether this is a CTL message (one-byte transaction ID, CTL flags).
    pub fn is_control(&self) -> bool {
        self.service == SERVICE_CTL
    }

    /// Request, response or indication, from the QMI header flags (`QmiCtlFlag`,
    /// `QmiServiceFlag`).
    pub fn kind(&self) -> QmiMessageKind {
        let (indication, response) = if self.is_control() {
            (CTL_FLAG_INDICATION, CTL_FLAG_RESPONSE)
        } else {
            (SERVICE_FLAG_INDICATION, SERVICE_FLAG_RESPONSE)
        };
        if self.flags & indication != 0 {
            QmiMessageKind::Indication
        } else if self.flags & response != 0 {
            QmiMessageKind::Response
        } else {
            QmiMessageKind::Request
        }
    }

    /// The value of the first TLV of type `tlv_type`.
    pub fn tlv(&self, tlv_type: u8) -> Option<&[u8]> {
        self.tlvs.iter().find(|tlv| tlv.tlv_type == tlv_type).map(|tlv| tlv.value.as_slice())
    }

    /// The outcome in the Result TLV `0x02` (status LE16, error LE16; status `0000` is
    /// success, libqmi `build-aux/qmi-codegen/utils.py`); `message` names the request in errors.
    ///
    /// # Errors
    ///
    /// [`QmiError::Protocol`] for a failure, [`QmiError::MissingTlv`] /
    /// [`QmiError::InvalidTlv`] when the Result TLV is absent or not four bytes.
    pub fn result(&self, message: &'static str) -> Result<(), QmiError> {
        let value = self.tlv(RESULT_TLV).ok_or(QmiError::MissingTlv { message, tlv: RESULT_TLV })?;
        let [status_lo, status_hi, error_lo, error_hi] = *value else {
            return Err(QmiError::InvalidTlv { message, tlv: RESULT_TLV, what: "not 4 bytes" });
        };
        match u16::from_le_bytes([status_lo, status_hi]) {
            0 => Ok(()),
            _ => Err(QmiError::Protocol {
                message,
                error: QmiProtocolError(u16::from_le_bytes([error_lo, error_hi])),
            }),
        }
    }

    /// The length of the encoded frame, marker included.
    pub fn encoded_len(&self) -> usize {
        let header = if self.is_control() { CTL_HEADER_LEN } else { SERVICE_HEADER_LEN };
        1 + QMUX_HEADER_LEN + header + self.tlvs_len()
    }

    /// The bytes of the TLVs.
    fn tlvs_len(&self) -> usize {
        self.tlvs.iter().map(|tlv| TLV_HEADER_LEN + tlv.value.len()).sum()
    }

    /// The QMUX frame.
    ///
    /// # Errors
    ///
    /// [`QmiError::TooLong`] beyond [`MAX_FRAME_LEN`] (a TLV value over 65 535 bytes is always
    /// beyond it); [`QmiError::CtlTransaction`] for a CTL transaction ID above 255.
    pub fn encode(&self) -> Result<Vec<u8>, QmiError> {
        let len = self.encoded_len();
        // Every length field below is at most MAX_FRAME_LEN, so the u16 conversions hold.
        if len > MAX_FRAME_LEN {
            return Err(QmiError::TooLong { len });
        }
        let too_long = |_| QmiError::TooLong { len };
        let mut frame = Vec::with_capacity(len);
        frame.push(QMUX_MARKER);
        frame.extend_from_slice(&u16::try_from(len - 1).map_err(too_long)?.to_le_bytes());
        frame.extend_from_slice(&[self.qmux_flags, self.service, self.client, self.flags]);
        if self.is_control() {
            let transaction =
                u8::try_from(self.transaction).map_err(|_| QmiError::CtlTransaction(self.transaction))?;
            frame.push(transaction);
        } else {
            frame.extend_from_slice(&self.transaction.to_le_bytes());
        }
        frame.extend_from_slice(&self.message_id.to_le_bytes());
        frame.extend_from_slice(&u16::try_from(self.tlvs_len()).map_err(too_long)?.to_le_bytes());
        for tlv in &self.tlvs {
            frame.push(tlv.tlv_type);
            frame.extend_from_slice(&u16::try_from(tlv.value.len()).map_err(too_long)?.to_le_bytes());
            frame.extend_from_slice(&tlv.value);
        }
        Ok(frame)
    }

    /// Reads one whole QMUX frame, checked as libqmi's `message_check` does: the marker, the
    /// QMUX length equal to the frame length minus one, room for the QMUX and QMI headers, the
    /// QMI TLV length equal to what follows the headers, and TLVs that exactly fill it. Either
    /// QMUX flags byte (`00`, `80`) is accepted.
    ///
    /// # Errors
    ///
    /// [`QmiError::Malformed`] saying which rule the bytes break.
    pub fn decode(frame: &[u8]) -> Result<Self, QmiError> {
        let malformed = QmiError::Malformed;
        let Some((&marker, qmux)) = frame.split_first() else { return Err(malformed("empty frame")) };
        if marker != QMUX_MARKER {
            return Err(malformed("the marker is not 01"));
        }
        let Some((&[len_lo, len_hi, qmux_flags, service, client], sdu)) = qmux.split_first_chunk() else {
            return Err(malformed("too short for the QMUX header"));
        };
        if usize::from(u16::from_le_bytes([len_lo, len_hi])) != qmux.len() {
            return Err(malformed("the QMUX length is not the frame length minus one"));
        }
        let (flags, transaction, message_id, tlv_len, mut tlvs) = if service == SERVICE_CTL {
            let Some((&[flags, tid, id_lo, id_hi, len_lo, len_hi], tlvs)) = sdu.split_first_chunk() else {
                return Err(malformed("too short for the CTL header"));
            };
            (flags, u16::from(tid), u16::from_le_bytes([id_lo, id_hi]), [len_lo, len_hi], tlvs)
        } else {
            let Some((&[flags, tid_lo, tid_hi, id_lo, id_hi, len_lo, len_hi], tlvs)) =
                sdu.split_first_chunk()
            else {
                return Err(malformed("too short for the service header"));
            };
            let transaction = u16::from_le_bytes([tid_lo, tid_hi]);
            (flags, transaction, u16::from_le_bytes([id_lo, id_hi]), [len_lo, len_hi], tlvs)
        };
        if usize::from(u16::from_le_bytes(tlv_len)) != tlvs.len() {
            return Err(malformed("the QMI TLV length disagrees with the QMUX length"));
        }
        let mut message =
            Self { qmux_flags, service, client, flags, transaction, message_id, tlvs: Vec::new() };
        while let Some((&[tlv_type, len_lo, len_hi], rest)) = tlvs.split_first_chunk() {
            let Some((value, rest)) =
                rest.split_at_checked(usize::from(u16::from_le_bytes([len_lo, len_hi])))
            else {
                return Err(malformed("a TLV value runs over the message"));
            };
            message.tlvs.push(QmiTlv::new(tlv_type, value));
            tlvs = rest;
        }
        if !tlvs.is_empty() {
            return Err(malformed("a TLV header runs over the message"));
        }
        Ok(message)
    }
}
