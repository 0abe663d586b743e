//! The modem's side of MS UICC Low Level Access (Microsoft, "MB low level UICC access"): what
//! the function sends to the card for OPEN_CHANNEL, CLOSE_CHANNEL and APDU, on the
//! [`ModemCard`] every simulated modem shares.
//!
//! - OPEN_CHANNEL: MANAGE CHANNEL open (`00 70 00 00 01`) on the basic channel, refused →
//!   `MS_NO_LOGICAL_CHANNELS` with its SW; then SELECT by DF name (`P1 = 04`, `P2 = SelectP2Arg`)
//!   on the new channel, refused → MANAGE CHANNEL close and `MS_SELECT_FAILED` with the SELECT's
//!   SW. `90 00` and `91 XX` are success. An empty `AppId` opens the channel without a SELECT.
//! - CLOSE_CHANNEL: MANAGE CHANNEL close of one channel opened through OPEN_CHANNEL (else
//!   `MS_INVALID_LOGICAL_CHANNEL`), or of every channel of a group (SW of the last, `9000` for
//!   none).
//! - APDU: only on a channel opened through OPEN_CHANNEL (else `MS_INVALID_LOGICAL_CHANNEL`); the
//!   class byte is replaced by one built from `Type`, `Channel` and `SecureMessaging` (`0X`/`8X`
//!   for channels 1–3, `4X`/`CX` for 4–19, `6X`/`EX` with secure messaging); `61xx` is followed
//!   with GET RESPONSE with the same class byte until the last part, so the host never sees it.

use oxicard_apdu::Cla;
use oxicard_transport::modem::mbim::Status;
use oxicard_transport::modem::mbim::uicc::{ApduRequest, ClassByteType, SecureMessaging};
use oxicard_transport::{ErrorKind, Transport, TransportError};

use crate::modem::card::{CardAnswer, ModemCard, OpenFailure, SW_NO_DIAGNOSIS, SW_SUCCESS, Select};

/// The secure messaging indication of the first coding, b4 b3 (ISO/IEC 7816-4 §5.4.1 Table 2).
const SM_FIRST_CODING: u8 = 0x0C;
/// b4 b3 = `10`: secure messaging, command header not processed (ISO/IEC 7816-4 §5.4.1 Table
/// 2), Microsoft's `MBIMMsUiccSecureMessagingNoHdrAuth`.
const SM_HEADER_NOT_PROCESSED: u8 = 0x08;

/// `90 00` or `91 XX`: a normal ending for the host (Microsoft: "consider both 90 00 and 91 XX
/// as a normal status").
pub(super) fn is_normal(sw: [u8; 2]) -> bool {
    matches!(sw, SW_SUCCESS | [0x91, _])
}

/// The card behind the function, and the channels opened through OPEN_CHANNEL, each with its
/// channel group.
pub(super) struct UiccFunction {
    card: ModemCard<u32>,
}

impl UiccFunction {
    /// The function in front of `card`.
    pub(super) fn new(card: Box<dyn Transport>) -> Self {
        Self { card: ModemCard::new(card) }
    }

    /// The card's ATR.
    pub(super) fn atr(&self) -> &[u8] {
        self.card.atr()
    }

    /// The channels opened through OPEN_CHANNEL.
    pub(super) fn channels(&self) -> Vec<u8> {
        self.card.channel_numbers()
    }

    /// `true` when `channel` was opened through OPEN_CHANNEL.
    pub(super) fn is_open(&self, channel: u8) -> bool {
        self.card.is_open(channel)
    }

    /// OPEN_CHANNEL of `aid` in `group`, its SELECT with `p2`: the channel and the SELECT's
    /// whole answer, or why not.
    pub(super) fn open_channel(
        &mut self,
        aid: &[u8],
        p2: u8,
        group: u32,
    ) -> Result<(u8, CardAnswer), OpenFailure> {
        let select = (!aid.is_empty()).then_some(Select { aid, p2, accepts: is_normal });
        self.card.open_channel(select, group)
    }

    /// CLOSE_CHANNEL of `channel` (0: every channel of `group`): SW of the last MANAGE CHANNEL
    /// (`6F00` when the card did not answer).
    pub(super) fn close_channel(&mut self, channel: u8, group: u32) -> Result<[u8; 2], Status> {
        if channel != 0 {
            let closed = self.card.close_channel(channel).ok_or(Status::MS_INVALID_LOGICAL_CHANNEL)?;
            return Ok(closed.unwrap_or(SW_NO_DIAGNOSIS));
        }
        let in_group: Vec<u8> =
            self.card.channels().filter(|(_, g)| **g == group).map(|(channel, _)| channel).collect();
        let mut sw = SW_SUCCESS;
        for channel in in_group {
            sw = self.close_channel(channel, group)?;
        }
        Ok(sw)
    }

    /// Every channel closed (CLOSE, or OPEN of a new session).
    pub(super) fn close_all(&mut self) {
        for channel in self.channels() {
            let _ = self.card.close_channel(channel);
        }
    }

    /// The modem loses `channel` (as the modem of lpac issue #114 does): closed on the card,
    /// forgotten.
    pub(super) fn lose_channel(&mut self, channel: u8) {
        let _ = self.card.close_channel(channel);
    }

    /// `request`'s APDU on `channel` with the class byte rebuilt; `61xx` followed with GET
    /// RESPONSE when `get_response` (every modem but the one that drops the answer of a STORE
    /// DATA without Le).
    pub(super) fn apdu(
        &mut self,
        channel: u8,
        request: &ApduRequest,
        get_response: bool,
    ) -> Result<CardAnswer, Status> {
        if !self.is_open(channel) {
            return Err(Status::MS_INVALID_LOGICAL_CHANNEL);
        }
        let Some((host_cla, rest)) = request.command.split_first().filter(|(_, rest)| rest.len() >= 3) else {
            return Err(Status::INVALID_PARAMETERS);
        };
        let cla = class_byte(*host_cla, channel, request.class_byte_type, request.secure_messaging)
            .ok_or(Status::INVALID_PARAMETERS)?;
        let mut apdu = Vec::with_capacity(request.command.len());
        apdu.push(cla);
        apdu.extend_from_slice(rest);
        let answer = if get_response { self.card.transmit_chained(&apdu) } else { self.card.transmit(&apdu) };
        answer.map_err(|err| card_status(&err))
    }
}

/// The class byte the function puts in place of the host's (Microsoft, MBIM_CID_MS_UICC_APDU):
/// b8 from `Type` (`0X`/`4X` interindustry, `8X`/`CX` extended); secure messaging from
/// `SecureMessaging` — in the first coding the host's own indication in b4 b3, else `10`; b6 in
/// the further coding; the host's command-chaining bit b5 kept; and the channel placed by the
/// class byte codec ([`Cla::with_channel`]: b2 b1 for 1–3, b7 + b4…b1 for 4–19). `None` when
/// the result would be the invalid `FF` (an extended, chained, secure class on channel 19).
pub(super) fn class_byte(
    host_cla: u8,
    channel: u8,
    class_byte_type: ClassByteType,
    sm: SecureMessaging,
) -> Option<u8> {
    let host = Cla(host_cla);
    let base = match class_byte_type {
        ClassByteType::Interindustry => Cla::INTERINDUSTRY,
        ClassByteType::Extended => Cla::GLOBALPLATFORM,
    };
    let indication = match sm {
        SecureMessaging::None => 0,
        SecureMessaging::NoHeaderAuthentication => match host_cla & SM_FIRST_CODING {
            bits if bits != 0 && !host.is_further_coding() => bits,
            _ => SM_HEADER_NOT_PROCESSED,
        },
    };
    let first_coding = Cla(base.with_chaining(host.is_chained()).0 | indication);
    first_coding.with_channel(channel).ok().map(|cla| cla.0)
}

/// The status for a card that did not answer.
pub(super) fn card_status(err: &TransportError) -> Status {
    match err.kind() {
        ErrorKind::NoCard | ErrorKind::CardRemoved => Status::SIM_NOT_INSERTED,
        _ => Status::FAILURE,
    }
}
