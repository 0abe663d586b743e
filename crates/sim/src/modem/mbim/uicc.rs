//! The modem's side of MS UICC Low Level Access (Microsoft, "MB low level UICC access"): what
//! the function sends to the card for OPEN_CHANNEL, CLOSE_CHANNEL and APDU.
//!
//! - OPEN_CHANNEL: MANAGE CHANNEL open (`00 70 00 00 01`) on the basic channel, refused →
//!   `MS_NO_LOGICAL_CHANNELS` with its SW; then SELECT by DF name (`P1 = 04`, `P2 = SelectP2Arg`)
//!   on the new channel, refused → MANAGE CHANNEL close and `MS_SELECT_FAILED` with the SELECT's
//!   SW. `90 00` and `91 XX` are success.
//! - CLOSE_CHANNEL: MANAGE CHANNEL close of one channel opened through OPEN_CHANNEL (else
//!   `MS_INVALID_LOGICAL_CHANNEL`), or of every channel of a group (SW of the last, `9000` for
//!   none).
//! - APDU: only on a channel opened through OPEN_CHANNEL (else `MS_INVALID_LOGICAL_CHANNEL`); the
//!   class byte is replaced by one built from `Type`, `Channel` and `SecureMessaging` (`0X`/`8X`
//!   for channels 1–3, `4X`/`CX` for 4–19, `6X`/`EX` with secure messaging); `61xx` is followed
//!   with GET RESPONSE with the same class byte until the last part, so the host never sees it.

use std::collections::BTreeMap;

use oxicard_transport::modem::mbim::Status;
use oxicard_transport::modem::mbim::uicc::{ClassByteType, SecureMessaging};
use oxicard_transport::{ErrorKind, MAX_RESPONSE_LEN, Transport, TransportError};

/// INS of MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2).
const INS_MANAGE_CHANNEL: u8 = 0x70;
/// INS of SELECT (ISO/IEC 7816-4 §11.1.1).
const INS_SELECT: u8 = 0xA4;
/// INS of GET RESPONSE (ISO/IEC 7816-4 §11.7.1).
const INS_GET_RESPONSE: u8 = 0xC0;
/// GET RESPONSE rounds followed for one command: 256 × 256 bytes cover any short-APDU answer.
const MAX_GET_RESPONSE: usize = 257;

/// A card answer: data and SW1 SW2.
pub(super) struct CardAnswer {
    pub(super) data: Vec<u8>,
    pub(super) sw: [u8; 2],
}

impl CardAnswer {
    /// `90 00` or `91 XX`: success for the host (Microsoft: "consider both 90 00 and 91 XX as a
    /// normal status").
    pub(super) fn is_success(&self) -> bool {
        matches!(self.sw, [0x90, 0x00] | [0x91, _])
    }
}

/// The card behind the modem and the channels opened through OPEN_CHANNEL.
pub(super) struct UiccFunction {
    card: Box<dyn Transport>,
    /// Open channel → its channel group.
    channels: BTreeMap<u8, u32>,
    scratch: Vec<u8>,
}

impl UiccFunction {
    /// The function in front of `card`.
    pub(super) fn new(card: Box<dyn Transport>) -> Self {
        Self { card, channels: BTreeMap::new(), scratch: vec![0; MAX_RESPONSE_LEN] }
    }

    /// The card's ATR.
    pub(super) fn atr(&self) -> &[u8] {
        self.card.atr()
    }

    /// The channels opened through OPEN_CHANNEL.
    pub(super) fn channels(&self) -> Vec<u8> {
        self.channels.keys().copied().collect()
    }

    /// `true` when `channel` was opened through OPEN_CHANNEL.
    pub(super) fn is_open(&self, channel: u8) -> bool {
        self.channels.contains_key(&channel)
    }

    /// One exchange with the card, no GET RESPONSE.
    fn transmit(&mut self, command: &[u8]) -> Result<CardAnswer, Status> {
        let len = self.card.exchange(command, &mut self.scratch).map_err(card_status)?;
        let answer = self.scratch.get(..len).ok_or(Status::FAILURE)?;
        let (data, sw) = answer.split_last_chunk::<2>().ok_or(Status::FAILURE)?;
        Ok(CardAnswer { data: data.to_vec(), sw: *sw })
    }

    /// An exchange with `61xx` followed by GET RESPONSE (class byte `cla`) to the end.
    fn transmit_chained(&mut self, command: &[u8], cla: u8) -> Result<CardAnswer, Status> {
        let mut answer = self.transmit(command)?;
        let mut data = std::mem::take(&mut answer.data);
        for _ in 0..MAX_GET_RESPONSE {
            let [0x61, available] = answer.sw else {
                break;
            };
            answer = self.transmit(&[cla, INS_GET_RESPONSE, 0x00, 0x00, available])?;
            data.append(&mut answer.data);
        }
        Ok(CardAnswer { data, sw: answer.sw })
    }

    /// OPEN_CHANNEL: the channel and the SELECT's answer, or the refusal.
    pub(super) fn open_channel(
        &mut self,
        aid: &[u8],
        p2: u8,
        group: u32,
    ) -> Result<(u8, CardAnswer), OpenRefusal> {
        let opened =
            self.transmit(&[0x00, INS_MANAGE_CHANNEL, 0x00, 0x00, 0x01]).map_err(OpenRefusal::Status)?;
        let channel = match (opened.sw, opened.data.as_slice()) {
            ([0x90, 0x00], [channel @ 1..=19]) => *channel,
            _ => return Err(OpenRefusal::NoLogicalChannels(opened.sw)),
        };
        if aid.is_empty() {
            self.channels.insert(channel, group);
            return Ok((channel, CardAnswer { data: Vec::new(), sw: [0x90, 0x00] }));
        }
        let cla = class_byte(0x00, channel, ClassByteType::Interindustry, SecureMessaging::None);
        let mut select = vec![cla, INS_SELECT, 0x04, p2, u8::try_from(aid.len()).unwrap_or(u8::MAX)];
        select.extend_from_slice(aid);
        select.push(0x00);
        let answer = match self.transmit_chained(&select, cla) {
            Ok(answer) => answer,
            Err(status) => {
                self.manage_channel_close(channel);
                return Err(OpenRefusal::Status(status));
            }
        };
        if !answer.is_success() {
            self.manage_channel_close(channel);
            return Err(OpenRefusal::SelectFailed(answer.sw));
        }
        self.channels.insert(channel, group);
        Ok((channel, answer))
    }

    /// CLOSE_CHANNEL of `channel` (0: every channel of `group`): SW of the last MANAGE CHANNEL.
    pub(super) fn close_channel(&mut self, channel: u8, group: u32) -> Result<[u8; 2], Status> {
        if channel != 0 {
            if self.channels.remove(&channel).is_none() {
                return Err(Status::MS_INVALID_LOGICAL_CHANNEL);
            }
            return Ok(self.manage_channel_close(channel));
        }
        let in_group: Vec<u8> =
            self.channels.iter().filter(|(_, g)| **g == group).map(|(channel, _)| *channel).collect();
        let mut sw = [0x90, 0x00];
        for channel in in_group {
            self.channels.remove(&channel);
            sw = self.manage_channel_close(channel);
        }
        Ok(sw)
    }

    /// Every channel closed (CLOSE, or OPEN of a new session).
    pub(super) fn close_all(&mut self) {
        for channel in self.channels() {
            self.channels.remove(&channel);
            self.manage_channel_close(channel);
        }
    }

    /// The modem loses `channel` (as the modem of lpac issue #114 does): closed on the card,
    /// forgotten.
    pub(super) fn lose_channel(&mut self, channel: u8) {
        if self.channels.remove(&channel).is_some() {
            self.manage_channel_close(channel);
        }
    }

    /// MANAGE CHANNEL close (`00 70 80 nn`); its SW (`6F00` when the card did not answer).
    fn manage_channel_close(&mut self, channel: u8) -> [u8; 2] {
        self.transmit(&[0x00, INS_MANAGE_CHANNEL, 0x80, channel]).map_or([0x6F, 0x00], |answer| answer.sw)
    }

    /// APDU on `channel` with the class byte rebuilt, `61xx` chained.
    pub(super) fn apdu(
        &mut self,
        channel: u8,
        class_byte_type: ClassByteType,
        secure_messaging: SecureMessaging,
        command: &[u8],
    ) -> Result<CardAnswer, Status> {
        if !self.is_open(channel) {
            return Err(Status::MS_INVALID_LOGICAL_CHANNEL);
        }
        let Some((host_cla, rest)) = command.split_first().filter(|(_, rest)| rest.len() >= 3) else {
            return Err(Status::INVALID_PARAMETERS);
        };
        let cla = class_byte(*host_cla, channel, class_byte_type, secure_messaging);
        let mut apdu = Vec::with_capacity(command.len());
        apdu.push(cla);
        apdu.extend_from_slice(rest);
        self.transmit_chained(&apdu, cla)
    }

    /// An exchange with no GET RESPONSE: for the modem that drops the answer of a STORE DATA
    /// without Le.
    pub(super) fn apdu_unchained(
        &mut self,
        channel: u8,
        class_byte_type: ClassByteType,
        secure_messaging: SecureMessaging,
        command: &[u8],
    ) -> Result<CardAnswer, Status> {
        if !self.is_open(channel) {
            return Err(Status::MS_INVALID_LOGICAL_CHANNEL);
        }
        let Some((host_cla, rest)) = command.split_first().filter(|(_, rest)| rest.len() >= 3) else {
            return Err(Status::INVALID_PARAMETERS);
        };
        let mut apdu = vec![class_byte(*host_cla, channel, class_byte_type, secure_messaging)];
        apdu.extend_from_slice(rest);
        self.transmit(&apdu)
    }
}

/// Why OPEN_CHANNEL failed.
pub(super) enum OpenRefusal {
    /// MANAGE CHANNEL refused: its SW.
    NoLogicalChannels([u8; 2]),
    /// SELECT refused: its SW.
    SelectFailed([u8; 2]),
    /// The card did not answer.
    Status(Status),
}

/// The class byte the function puts in place of the host's (Microsoft, MBIM_CID_MS_UICC_APDU):
/// b8 from `Type` (`0X`/`4X` interindustry, `8X`/`CX` extended), the channel in b2 b1 (1–3) or
/// b7 + b4…b1 (4–19), secure messaging in b4 b3 (the host's indication, else `10`) or b6. The
/// host's command-chaining bit b5 is kept.
pub(super) fn class_byte(
    host_cla: u8,
    channel: u8,
    class_byte_type: ClassByteType,
    sm: SecureMessaging,
) -> u8 {
    let base = match class_byte_type {
        ClassByteType::Interindustry => 0x00,
        ClassByteType::Extended => 0x80,
    };
    let chaining = host_cla & 0x10;
    let secure = sm == SecureMessaging::NoHeaderAuthentication;
    if channel <= 3 {
        let host_sm = if host_cla & 0x40 == 0 { host_cla & 0x0C } else { 0 };
        let sm_bits = match (secure, host_sm) {
            (false, _) => 0,
            (true, 0) => 0x08,
            (true, bits) => bits,
        };
        base | chaining | sm_bits | channel
    } else {
        base | 0x40 | if secure { 0x20 } else { 0 } | chaining | (channel - 4)
    }
}

/// The status for a card that did not answer.
fn card_status(err: TransportError) -> Status {
    match err.kind() {
        ErrorKind::NoCard | ErrorKind::CardRemoved => Status::SIM_NOT_INSERTED,
        _ => Status::FAILURE,
    }
}
