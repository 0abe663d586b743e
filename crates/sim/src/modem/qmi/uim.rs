//! The UIM service of the simulated modem, on the cards in its slots.

use oxicard_transport::ResetKind;
use oxicard_transport::modem::qmi::uim::{self, QmiPhysicalSlot};
use oxicard_transport::modem::qmi::{QmiMessage, QmiProtocolError};

use super::SimulatedQmiModem;
use crate::modem::card::{ModemCard, OpenFailure, SW_SUCCESS, Select};

/// A request TLV that is missing (`MissingArgument`) or does not have its layout
/// (`MalformedMessage`).
type Field<T> = Result<T, QmiProtocolError>;

/// TLV `tlv` of `request`.
fn tlv(request: &QmiMessage, tlv: u8) -> Field<&[u8]> {
    request.tlv(tlv).ok_or(QmiProtocolError::MISSING_ARGUMENT)
}

/// A one-byte TLV.
fn u8_tlv(request: &QmiMessage, tlv_type: u8) -> Field<u8> {
    match *tlv(request, tlv_type)? {
        [value] => Ok(value),
        _ => Err(QmiProtocolError::MALFORMED_MESSAGE),
    }
}

/// A LE32 TLV.
fn u32_tlv(request: &QmiMessage, tlv_type: u8) -> Field<u32> {
    let value: [u8; 4] =
        tlv(request, tlv_type)?.try_into().map_err(|_| QmiProtocolError::MALFORMED_MESSAGE)?;
    Ok(u32::from_le_bytes(value))
}

/// A TLV of a one-byte length and that many bytes.
fn u8_prefixed_tlv(request: &QmiMessage, tlv_type: u8) -> Field<&[u8]> {
    match tlv(request, tlv_type)?.split_first() {
        Some((&len, value)) if usize::from(len) == value.len() => Ok(value),
        _ => Err(QmiProtocolError::MALFORMED_MESSAGE),
    }
}

/// A TLV of a LE16 length and that many bytes.
fn u16_prefixed_tlv(request: &QmiMessage, tlv_type: u8) -> Field<&[u8]> {
    match tlv(request, tlv_type)?.split_first_chunk() {
        Some((&len, value)) if usize::from(u16::from_le_bytes(len)) == value.len() => Ok(value),
        _ => Err(QmiProtocolError::MALFORMED_MESSAGE),
    }
}

/// The success response to `request`.
fn success(request: &QmiMessage) -> QmiMessage {
    QmiMessage::response_to(request, QmiProtocolError::NONE)
}

impl SimulatedQmiModem {
    /// Answers a UIM request; failures are responses too.
    pub(super) fn uim(&mut self, request: &QmiMessage) -> QmiMessage {
        let answer = match request.message_id {
            uim::GET_CARD_STATUS => self.get_card_status(request),
            uim::POWER_OFF_SIM | uim::POWER_ON_SIM => self.power(request),
            uim::SEND_APDU => self.send_apdu(request),
            uim::LOGICAL_CHANNEL => self.logical_channel(request),
            uim::OPEN_LOGICAL_CHANNEL => self.open_logical_channel(request),
            uim::SWITCH_SLOT => self.switch_slot(request),
            uim::GET_SLOT_STATUS => self.get_slot_status(request),
            // What firmware without the message answers is not documented; libqmi's QRTR
            // endpoint answers unknown messages with NotSupported, the digest of lpac reports
            // mention InvalidQmiCommand (unverified).
            _ => Err(QmiProtocolError::INVALID_QMI_COMMAND),
        };
        answer.unwrap_or_else(|error| QmiMessage::response_to(request, error))
    }

    /// The physical slot (an index into the cards) that logical slot `logical` addresses:
    /// slot 1 is the active physical slot; without slot mapping (the quirk), slot n is
    /// physical slot n. Other logical slots are `InvalidArgument`, no card `NoSim`.
    fn physical(&self, logical: u8) -> Field<usize> {
        if self.cards.is_empty() {
            return Err(QmiProtocolError::NO_SIM);
        }
        let index = if self.quirks.slot_status_not_supported {
            usize::from(logical).wrapping_sub(1)
        } else if logical == 1 {
            self.active
        } else {
            usize::MAX
        };
        if index < self.cards.len() { Ok(index) } else { Err(QmiProtocolError::INVALID_ARGUMENT) }
    }

    /// The card in physical slot `index`.
    fn card(&mut self, index: usize) -> Field<&mut ModemCard<()>> {
        self.cards.get_mut(index).ok_or(QmiProtocolError::NO_SIM)
    }

    /// Get Card Status: one present card per logical slot, without applications.
    fn get_card_status(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        let logical_slots = match (self.cards.len(), self.quirks.slot_status_not_supported) {
            (0, _) => 0,
            (n, true) => n,
            (_, false) => 1,
        };
        let states = vec![uim::CARD_STATE_PRESENT; logical_slots];
        let value = uim::card_status_value(&states).map_err(|_| QmiProtocolError::INTERNAL)?;
        Ok(success(request).with_tlv(uim::TLV_CARD_STATUS, value))
    }

    /// Power Off SIM: the slot's channels are gone. Power On SIM: a cold reset of the card.
    fn power(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        let slot = self.physical(u8_tlv(request, uim::TLV_SLOT)?)?;
        let card = self.card(slot)?;
        card.forget_channels();
        if request.message_id == uim::POWER_ON_SIM {
            card.transport_mut().reset(ResetKind::Cold).map_err(|_| QmiProtocolError::INTERNAL)?;
        }
        Ok(success(request))
    }

    /// Send APDU: the command to the card as it is, the response back as it is (data ‖ SW1
    /// SW2; `61xx` is the host's). With TLV `10` the channel must be one Open Logical Channel
    /// opened, else `InvalidArgument` (which code firmware uses is unverified).
    fn send_apdu(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        let slot = self.physical(u8_tlv(request, uim::TLV_SLOT)?)?;
        let apdu = u16_prefixed_tlv(request, uim::TLV_APDU)?;
        let card = self.card(slot)?;
        if request.tlv(uim::TLV_CHANNEL_ID).is_some() && !card.is_open(u8_tlv(request, uim::TLV_CHANNEL_ID)?)
        {
            return Err(QmiProtocolError::INVALID_ARGUMENT);
        }
        let response = card.transmit(apdu).map_err(|_| QmiProtocolError::INTERNAL)?.into_bytes();
        let len = u16::try_from(response.len()).map_err(|_| QmiProtocolError::INTERNAL)?;
        let mut value = len.to_le_bytes().to_vec();
        value.extend_from_slice(&response);
        Ok(success(request).with_tlv(uim::TLV_APDU_RESPONSE, value))
    }

    /// Logical Channel with TLV `11`: closes a channel Open Logical Channel opened (MANAGE
    /// CHANNEL close on the card), answering the card's SW in TLV `11`. Opening through this
    /// message (TLV `10`) is not simulated (`NotSupported`).
    fn logical_channel(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        let slot = self.physical(u8_tlv(request, uim::TLV_SLOT)?)?;
        if request.tlv(uim::TLV_CLOSE_CHANNEL_ID).is_none() {
            return Err(QmiProtocolError::NOT_SUPPORTED);
        }
        let channel = u8_tlv(request, uim::TLV_CLOSE_CHANNEL_ID)?;
        let sw = self
            .card(slot)?
            .close_channel(channel)
            .ok_or(QmiProtocolError::INVALID_ARGUMENT)?
            .map_err(|_| QmiProtocolError::INTERNAL)?;
        Ok(success(request).with_tlv(uim::TLV_CARD_RESULT, sw))
    }

    /// Open Logical Channel: MANAGE CHANNEL open and SELECT of the AID on the new channel (with
    /// GET RESPONSE). A refusal of either is a failure carrying the card's SW in TLV `11`; the
    /// error code firmware uses then is not documented (`SimFileNotFound` here, unverified),
    /// hosts go by the SW. The FCI request TLV `11` is ignored: the SELECT always asks for
    /// the FCI.
    fn open_logical_channel(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        if self.quirks.open_channel_access_denied {
            return Err(QmiProtocolError::ACCESS_DENIED);
        }
        let slot = self.physical(u8_tlv(request, uim::TLV_SLOT)?)?;
        let aid = u8_prefixed_tlv(request, uim::TLV_AID)?.to_vec();
        // Warnings (`62xx`, `63xx`: ISO/IEC 7816-4 §5.6) are a selection too.
        let select =
            Select { aid: &aid, p2: 0x00, accepts: |sw| matches!(sw, SW_SUCCESS | [0x62 | 0x63, _]) };
        let (number, answer) = match self.card(slot)?.open_channel(Some(select), ()) {
            Ok(opened) => opened,
            Err(OpenFailure::NoChannel(sw) | OpenFailure::SelectRefused(sw)) => {
                return Ok(QmiMessage::response_to(request, QmiProtocolError::SIM_FILE_NOT_FOUND)
                    .with_tlv(uim::TLV_CARD_RESULT, sw));
            }
            Err(OpenFailure::Card(_)) => return Err(QmiProtocolError::INTERNAL),
        };
        let (data, sw) = (answer.data, answer.sw);
        let response =
            success(request).with_tlv(uim::TLV_CHANNEL_ID, [number]).with_tlv(uim::TLV_CARD_RESULT, sw);
        // A select response over 255 bytes has no room in TLV 12: left out (unverified).
        Ok(match u8::try_from(data.len()) {
            Ok(len) => response.with_tlv(uim::TLV_SELECT_RESPONSE, [&[len][..], &data].concat()),
            Err(_) => response,
        })
    }

    /// Switch Slot: logical slot 1 to another physical slot. `IncompatibleState` while
    /// channels are open on the active slot (unverified: what firmware does then is not
    /// documented).
    fn switch_slot(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        if self.quirks.slot_status_not_supported {
            return Err(QmiProtocolError::NOT_SUPPORTED);
        }
        let logical = u8_tlv(request, uim::TLV_SLOT)?;
        let physical = u32_tlv(request, uim::TLV_PHYSICAL_SLOT)?;
        let index = usize::try_from(physical).map_or(usize::MAX, |physical| physical.wrapping_sub(1));
        if logical != 1 || index >= self.cards.len() {
            return Err(QmiProtocolError::INVALID_ARGUMENT);
        }
        if index != self.active
            && self.cards.get(self.active).is_some_and(|card| card.channels().next().is_some())
        {
            return Err(QmiProtocolError::INCOMPATIBLE_STATE);
        }
        self.active = index;
        Ok(success(request))
    }

    /// Get Slot Status: every physical slot with a card present, the active one mapped to
    /// logical slot 1, with its ATR and "is eUICC".
    fn get_slot_status(&mut self, request: &QmiMessage) -> Field<QmiMessage> {
        if self.quirks.slot_status_not_supported {
            return Err(QmiProtocolError::NOT_SUPPORTED);
        }
        let slots: Vec<_> = self
            .cards
            .iter()
            .enumerate()
            .map(|(index, card)| {
                let active = index == self.active;
                QmiPhysicalSlot::present(active, u8::from(active), card.atr().to_vec(), true)
            })
            .collect();
        let tlvs = uim::slot_status_tlvs(&slots).map_err(|_| QmiProtocolError::INTERNAL)?;
        Ok(tlvs.into_iter().fold(success(request), |response, (tlv, value)| response.with_tlv(tlv, value)))
    }
}
