//! The UIM service (`0B`): the messages an LPA needs, with the TLV numbers of libqmi
//! `data/qmi-service-uim.json` (TLVs written in the order of its `input` lists, as libqmi's
//! generator writes them) and the enumerations of `src/libqmi-glib/qmi-enums-uim.h`.
//!
//! | message | ID | request TLVs | response TLVs (after Result `02`) |
//! |---|---|---|---|
//! | Get Card Status | `002F` | — | `10` card status |
//! | Power Off / On SIM | `0030` / `0031` | `01` slot | — |
//! | Send APDU | `003B` | `01` slot, `02` LE16 length + APDU, `10` channel (optional) | `10` LE16 length + response (data ‖ SW1 SW2) |
//! | Logical Channel (close) | `003F` | `01` slot, `11` channel | `11` SW1 SW2 |
//! | Open Logical Channel | `0042` | `01` slot, `10` u8 length + AID, `11` FCI request (optional) | `10` channel, `11` SW1 SW2, `12` u8 length + select response |
//! | Switch Slot | `0046` | `01` logical slot (u8), `02` physical slot (LE32) | — |
//! | Get Slot Status | `0047` | — | `10` physical slot status, `11` physical slot information |
//!
//! Slots are numbered from 1 (qmicli `--uim-send-apdu=[slot,channel,apdu]`).

use super::cursor::{self, Cursor};
use super::message::SERVICE_UIM;
use super::{QmiError, QmiMessage};

/// Get Card Status.
pub const GET_CARD_STATUS: u16 = 0x002F;
/// Power Off SIM.
pub const POWER_OFF_SIM: u16 = 0x0030;
/// Power On SIM.
pub const POWER_ON_SIM: u16 = 0x0031;
/// Send APDU.
pub const SEND_APDU: u16 = 0x003B;
/// Logical Channel: with TLV `11`, closes a channel (what lpac `qmi_common.c` and qmicli use).
pub const LOGICAL_CHANNEL: u16 = 0x003F;
/// Open Logical Channel.
pub const OPEN_LOGICAL_CHANNEL: u16 = 0x0042;
/// Switch Slot.
pub const SWITCH_SLOT: u16 = 0x0046;
/// Get Slot Status.
pub const GET_SLOT_STATUS: u16 = 0x0047;
/// Slot Status, the indication.
pub const SLOT_STATUS_INDICATION: u16 = 0x0048;

/// The slot (u8, from 1) of every request here; the logical slot of Switch Slot.
pub const TLV_SLOT: u8 = 0x01;
/// Send APDU: the command, LE16 length + bytes.
pub const TLV_APDU: u8 = 0x02;
/// Send APDU request: the channel (u8). Open Logical Channel response: the channel opened.
pub const TLV_CHANNEL_ID: u8 = 0x10;
/// Send APDU response: LE16 length + data ‖ SW1 SW2.
pub const TLV_APDU_RESPONSE: u8 = 0x10;
/// Open Logical Channel request: u8 length + AID.
pub const TLV_AID: u8 = 0x10;
/// Open Logical Channel request: the file control information wanted (u8, optional).
pub const TLV_FILE_CONTROL_INFORMATION: u8 = 0x11;
/// Open Logical Channel / Logical Channel response: SW1 SW2 of the card ("Card result").
pub const TLV_CARD_RESULT: u8 = 0x11;
/// Logical Channel request: the channel to close (u8).
pub const TLV_CLOSE_CHANNEL_ID: u8 = 0x11;
/// Open Logical Channel response: u8 length + the SELECT response data.
pub const TLV_SELECT_RESPONSE: u8 = 0x12;
/// Open Logical Channel response in wwan-go (`qcom/logical_channel.go`): LE16 length + a
/// select response too long for [`TLV_SELECT_RESPONSE`]; not in libqmi's definition.
pub const TLV_LONG_SELECT_RESPONSE: u8 = 0x13;
/// Switch Slot: the physical slot (LE32, from 1).
pub const TLV_PHYSICAL_SLOT: u8 = 0x02;
/// Get Slot Status response: the physical slot status array.
pub const TLV_PHYSICAL_SLOT_STATUS: u8 = 0x10;
/// Get Slot Status response: the physical slot information array.
pub const TLV_PHYSICAL_SLOT_INFORMATION: u8 = 0x11;
/// Get Card Status response: the card status.
pub const TLV_CARD_STATUS: u8 = 0x10;

/// `QmiUimPhysicalCardState` Present.
pub const PHYSICAL_CARD_STATE_PRESENT: u32 = 2;
/// `QmiUimSlotState` Active.
pub const SLOT_STATE_ACTIVE: u32 = 1;
/// `QmiUimCardState` Present.
pub const CARD_STATE_PRESENT: u8 = 1;
/// `QmiUimCardProtocol` UICC.
pub const CARD_PROTOCOL_UICC: u32 = 2;

/// The name of a UIM message in errors.
pub fn message_name(message_id: u16) -> &'static str {
    match message_id {
        GET_CARD_STATUS => "UIM Get Card Status",
        POWER_OFF_SIM => "UIM Power Off SIM",
        POWER_ON_SIM => "UIM Power On SIM",
        SEND_APDU => "UIM Send APDU",
        LOGICAL_CHANNEL => "UIM Logical Channel",
        OPEN_LOGICAL_CHANNEL => "UIM Open Logical Channel",
        SWITCH_SLOT => "UIM Switch Slot",
        GET_SLOT_STATUS => "UIM Get Slot Status",
        _ => "UIM request",
    }
}

/// Open Logical Channel on `slot` to the application `aid` (lpac `qmi_common.c` sends no FCI
/// request either).
///
/// # Errors
///
/// [`QmiError::InvalidRequest`] for an AID over 255 bytes.
pub fn open_logical_channel(
    client: u8,
    transaction: u16,
    slot: u8,
    aid: &[u8],
) -> Result<QmiMessage, QmiError> {
    let aid = cursor::u8_prefixed(aid).ok_or(QmiError::InvalidRequest {
        message: message_name(OPEN_LOGICAL_CHANNEL),
        what: "AID over 255 bytes",
    })?;
    Ok(QmiMessage::request(SERVICE_UIM, client, transaction, OPEN_LOGICAL_CHANNEL)
        .with_tlv(TLV_SLOT, [slot])
        .with_tlv(TLV_AID, aid))
}

/// Send APDU `apdu` on `slot`, on `channel` when the modem opened it.
///
/// # Errors
///
/// [`QmiError::InvalidRequest`] for an APDU over 65 535 bytes.
pub fn send_apdu(
    client: u8,
    transaction: u16,
    slot: u8,
    apdu: &[u8],
    channel: Option<u8>,
) -> Result<QmiMessage, QmiError> {
    let apdu = cursor::u16_prefixed(apdu).ok_or(QmiError::InvalidRequest {
        message: message_name(SEND_APDU),
        what: "APDU over 65535 bytes",
    })?;
    let request = QmiMessage::request(SERVICE_UIM, client, transaction, SEND_APDU)
        .with_tlv(TLV_SLOT, [slot])
        .with_tlv(TLV_APDU, apdu);
    Ok(match channel {
        Some(channel) => request.with_tlv(TLV_CHANNEL_ID, [channel]),
        None => request,
    })
}

/// Logical Channel closing `channel` on `slot`.
pub fn close_logical_channel(client: u8, transaction: u16, slot: u8, channel: u8) -> QmiMessage {
    QmiMessage::request(SERVICE_UIM, client, transaction, LOGICAL_CHANNEL)
        .with_tlv(TLV_SLOT, [slot])
        .with_tlv(TLV_CLOSE_CHANNEL_ID, [channel])
}

/// Get Slot Status.
pub fn get_slot_status(client: u8, transaction: u16) -> QmiMessage {
    QmiMessage::request(SERVICE_UIM, client, transaction, GET_SLOT_STATUS)
}

/// Switch Slot: logical slot `logical` to physical slot `physical`.
pub fn switch_slot(client: u8, transaction: u16, logical: u8, physical: u32) -> QmiMessage {
    QmiMessage::request(SERVICE_UIM, client, transaction, SWITCH_SLOT)
        .with_tlv(TLV_SLOT, [logical])
        .with_tlv(TLV_PHYSICAL_SLOT, physical.to_le_bytes())
}

/// Get Card Status.
pub fn get_card_status(client: u8, transaction: u16) -> QmiMessage {
    QmiMessage::request(SERVICE_UIM, client, transaction, GET_CARD_STATUS)
}

/// Power Off SIM (`on` false) or Power On SIM (`on` true) of `slot`.
pub fn power_sim(client: u8, transaction: u16, slot: u8, on: bool) -> QmiMessage {
    let message_id = if on { POWER_ON_SIM } else { POWER_OFF_SIM };
    QmiMessage::request(SERVICE_UIM, client, transaction, message_id).with_tlv(TLV_SLOT, [slot])
}

/// A TLV that must be present.
fn required(response: &QmiMessage, tlv: u8) -> Result<&[u8], QmiError> {
    response.tlv(tlv).ok_or(QmiError::MissingTlv { message: message_name(response.message_id), tlv })
}

/// The error for a TLV of the wrong layout.
fn invalid(response: &QmiMessage, tlv: u8, what: &'static str) -> QmiError {
    QmiError::InvalidTlv { message: message_name(response.message_id), tlv, what }
}

/// The response APDU (data ‖ SW1 SW2) of a Send APDU response: TLV `10`, LE16 length + bytes.
///
/// # Errors
///
/// [`QmiError::MissingTlv`] / [`QmiError::InvalidTlv`].
pub fn apdu_response(response: &QmiMessage) -> Result<&[u8], QmiError> {
    let mut value = Cursor::new(required(response, TLV_APDU_RESPONSE)?);
    match (value.u16_prefixed(), value.is_empty()) {
        (Some(apdu), true) => Ok(apdu),
        _ => Err(invalid(response, TLV_APDU_RESPONSE, "its length disagrees with its value")),
    }
}

/// The channel of an Open Logical Channel response: TLV `10`, one byte.
///
/// # Errors
///
/// [`QmiError::MissingTlv`] / [`QmiError::InvalidTlv`].
pub fn opened_channel(response: &QmiMessage) -> Result<u8, QmiError> {
    match *required(response, TLV_CHANNEL_ID)? {
        [channel] => Ok(channel),
        _ => Err(invalid(response, TLV_CHANNEL_ID, "not one byte")),
    }
}

/// SW1 SW2 of the card in an (Open) Logical Channel response, TLV `11`, when present.
///
/// # Errors
///
/// [`QmiError::InvalidTlv`] when it is not two bytes.
pub fn card_result(response: &QmiMessage) -> Result<Option<[u8; 2]>, QmiError> {
    match response.tlv(TLV_CARD_RESULT) {
        None => Ok(None),
        Some(&[sw1, sw2]) => Ok(Some([sw1, sw2])),
        Some(_) => Err(invalid(response, TLV_CARD_RESULT, "not SW1 SW2")),
    }
}

/// The SELECT response data of an Open Logical Channel response, when present: TLV `12`
/// (u8 length + bytes), else wwan-go's TLV `13` (LE16 length + bytes).
///
/// # Errors
///
/// [`QmiError::InvalidTlv`] when the length disagrees with the value.
pub fn select_response(response: &QmiMessage) -> Result<Option<&[u8]>, QmiError> {
    let (tlv, value) = match (response.tlv(TLV_SELECT_RESPONSE), response.tlv(TLV_LONG_SELECT_RESPONSE)) {
        (Some(value), _) => (TLV_SELECT_RESPONSE, value),
        (None, Some(value)) => (TLV_LONG_SELECT_RESPONSE, value),
        (None, None) => return Ok(None),
    };
    let mut cursor = Cursor::new(value);
    let data = if tlv == TLV_SELECT_RESPONSE { cursor.u8_prefixed() } else { cursor.u16_prefixed() };
    match (data, cursor.is_empty()) {
        (Some(data), true) => Ok(Some(data)),
        _ => Err(invalid(response, tlv, "its length disagrees with its value")),
    }
}

/// One physical slot in a Get Slot Status response: TLV `10` (status) and, when the modem
/// sends it, TLV `11` (information) of the same index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct QmiPhysicalSlot {
    /// `QmiUimPhysicalCardState`: 0 unknown, 1 absent, 2 present.
    pub card_state: u32,
    /// `QmiUimSlotState`: 0 inactive, 1 active.
    pub slot_state: u32,
    /// The logical slot it is mapped to.
    pub logical_slot: u8,
    /// The ICCID (BCD) as the modem reports it.
    pub iccid: Vec<u8>,
    /// `QmiUimCardProtocol` from TLV `11`: 0 unknown, 1 ICC, 2 UICC.
    pub card_protocol: u32,
    /// The ATR from TLV `11` (empty without it).
    pub atr: Vec<u8>,
    /// "Is EUICC" from TLV `11`.
    pub is_euicc: bool,
}

impl QmiPhysicalSlot {
    /// A slot with a card present (UICC), active or not, with `atr`.
    pub fn present(active: bool, logical_slot: u8, atr: Vec<u8>, is_euicc: bool) -> Self {
        Self {
            card_state: PHYSICAL_CARD_STATE_PRESENT,
            slot_state: if active { SLOT_STATE_ACTIVE } else { 0 },
            logical_slot,
            iccid: Vec::new(),
            card_protocol: CARD_PROTOCOL_UICC,
            atr,
            is_euicc,
        }
    }

    /// Whether the slot is active.
    pub fn is_active(&self) -> bool {
        self.slot_state == SLOT_STATE_ACTIVE
    }
}

/// The TLVs `10` and `11` of a Get Slot Status response describing `slots` (u8 count, then per
/// slot: card state LE32, slot state LE32, logical slot u8, u8 length + ICCID; and card protocol
/// LE32, valid applications u8 (0), u8 length + ATR, is-eUICC u8).
///
/// # Errors
///
/// [`QmiError::InvalidRequest`] for more than 255 slots or an ICCID or ATR over 255 bytes.
pub fn slot_status_tlvs(slots: &[QmiPhysicalSlot]) -> Result<[(u8, Vec<u8>); 2], QmiError> {
    let too_long = |what| QmiError::InvalidRequest { message: message_name(GET_SLOT_STATUS), what };
    let count = u8::try_from(slots.len()).map_err(|_| too_long("more than 255 slots"))?;
    let (mut status, mut information) = (vec![count], vec![count]);
    for slot in slots {
        status.extend_from_slice(&slot.card_state.to_le_bytes());
        status.extend_from_slice(&slot.slot_state.to_le_bytes());
        status.push(slot.logical_slot);
        status.extend(cursor::u8_prefixed(&slot.iccid).ok_or(too_long("ICCID over 255 bytes"))?);
        information.extend_from_slice(&slot.card_protocol.to_le_bytes());
        information.push(0);
        information.extend(cursor::u8_prefixed(&slot.atr).ok_or(too_long("ATR over 255 bytes"))?);
        information.push(u8::from(slot.is_euicc));
    }
    Ok([(TLV_PHYSICAL_SLOT_STATUS, status), (TLV_PHYSICAL_SLOT_INFORMATION, information)])
}

/// The physical slots of a Get Slot Status response, in order (slot 1 first).
///
/// # Errors
///
/// [`QmiError::MissingTlv`] without TLV `10`; [`QmiError::InvalidTlv`] when TLV `10` or `11`
/// does not have the layout of [`slot_status_tlvs`].
pub fn physical_slots(response: &QmiMessage) -> Result<Vec<QmiPhysicalSlot>, QmiError> {
    let mut status = Cursor::new(required(response, TLV_PHYSICAL_SLOT_STATUS)?);
    let bad_status = || invalid(response, TLV_PHYSICAL_SLOT_STATUS, "not a physical slot status array");
    let count = status.u8().ok_or_else(bad_status)?;
    let mut slots = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let slot = (|| {
            Some(QmiPhysicalSlot {
                card_state: status.u32_le()?,
                slot_state: status.u32_le()?,
                logical_slot: status.u8()?,
                iccid: status.u8_prefixed()?.to_vec(),
                card_protocol: 0,
                atr: Vec::new(),
                is_euicc: false,
            })
        })();
        slots.push(slot.ok_or_else(bad_status)?);
    }
    if !status.is_empty() {
        return Err(bad_status());
    }
    if let Some(value) = response.tlv(TLV_PHYSICAL_SLOT_INFORMATION) {
        let bad_information =
            || invalid(response, TLV_PHYSICAL_SLOT_INFORMATION, "not a physical slot information array");
        let mut information = Cursor::new(value);
        let count = information.u8().ok_or_else(bad_information)?;
        for index in 0..usize::from(count) {
            let (card_protocol, atr, is_euicc) = (|| {
                let card_protocol = information.u32_le()?;
                let _valid_applications = information.u8()?;
                Some((card_protocol, information.u8_prefixed()?, information.u8()? != 0))
            })()
            .ok_or_else(bad_information)?;
            if let Some(slot) = slots.get_mut(index) {
                slot.card_protocol = card_protocol;
                slot.atr = atr.to_vec();
                slot.is_euicc = is_euicc;
            }
        }
        if !information.is_empty() {
            return Err(bad_information());
        }
    }
    Ok(slots)
}

/// The TLV `10` of a Get Card Status response for cards in the states `card_states`
/// (`QmiUimCardState`), without applications: the four session indexes `FFFF` (no session),
/// then per card: state, UPIN state 0, UPIN and UPUK retries 0, error code 0, no applications.
///
/// # Errors
///
/// [`QmiError::InvalidRequest`] for more than 255 cards.
pub fn card_status_value(card_states: &[u8]) -> Result<Vec<u8>, QmiError> {
    let count = u8::try_from(card_states.len()).map_err(|_| QmiError::InvalidRequest {
        message: message_name(GET_CARD_STATUS),
        what: "more than 255 cards",
    })?;
    let mut value = [0xFF; 8].to_vec();
    value.push(count);
    for &state in card_states {
        value.extend_from_slice(&[state, 0, 0, 0, 0, 0]);
    }
    Ok(value)
}

/// The states (`QmiUimCardState`) of the cards of a Get Card Status response, read through the
/// whole structure of TLV `10` (libqmi "UIM Card Status": applications included).
///
/// # Errors
///
/// [`QmiError::MissingTlv`] / [`QmiError::InvalidTlv`].
pub fn card_states(response: &QmiMessage) -> Result<Vec<u8>, QmiError> {
    let mut value = Cursor::new(required(response, TLV_CARD_STATUS)?);
    let states = (|| {
        let _session_indexes = value.array::<8>()?;
        let cards = value.u8()?;
        let mut states = Vec::with_capacity(usize::from(cards));
        for _ in 0..cards {
            // Card state, UPIN state, UPIN retries, UPUK retries, error code.
            let [state, _, _, _, _] = value.array::<5>()?;
            states.push(state);
            for _ in 0..value.u8()? {
                // Type, state, personalization state, feature, retries, unblock retries.
                value.array::<6>()?;
                value.u8_prefixed()?;
                // UPIN replaces PIN1, PIN1 state, retries, PUK1 retries, PIN2 state, retries, PUK2 retries.
                value.array::<7>()?;
            }
        }
        Some(states)
    })();
    match (states, value.is_empty()) {
        (Some(states), true) => Ok(states),
        _ => Err(invalid(response, TLV_CARD_STATUS, "not a card status")),
    }
}
