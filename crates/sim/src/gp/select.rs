//! SELECT [by name] of the Issuer Security Domain and the File Control Information it returns
//! (GPC v2.3.1 §11.9).

use std::vec::Vec;

use oxicard_apdu::{CommandView, StatusWord};

use super::{GpCard, Phase, SW_CARD_LOCKED, SW_FILE_NOT_FOUND, SW_OK, SW_WRONG_P1P2};

/// The most command data the card takes in one command (`9F65`, GPC v2.3.1 Table 11-82): a
/// short Lc.
const MAX_COMMAND_DATA: u8 = 0xFF;

impl GpCard {
    /// SELECT: P1 `04` (by name, Table 11-80), P2 `00` (first or only occurrence, Table 11-81;
    /// the ISO/IEC 7816-4 b3 b4 "what to return" bits are taken, `0C` returning nothing). The
    /// data field is the ISD AID, or absent: "the Lc and data field of the SELECT command may be
    /// omitted if the Issuer Security Domain is being selected" (§11.9.2.3). Answers the FCI
    /// (`fci`) with `9000`, or with the warning `6283` on a CARD_LOCKED card (Table
    /// 11-83); another AID, or a TERMINATED card, `6A82` (Table 11-84). Ends the session.
    pub(super) fn select(&mut self, view: &CommandView<'_>, out: &mut Vec<u8>) -> StatusWord {
        if (view.p1(), view.p2() & 0xF3) != (0x04, 0x00) {
            return SW_WRONG_P1P2;
        }
        if !view.data().is_empty() && view.data() != self.isd_aid.as_slice() {
            return SW_FILE_NOT_FOUND;
        }
        self.phase = Phase::Idle;
        if self.card_life_cycle == 0xFF {
            return SW_FILE_NOT_FOUND;
        }
        if view.p2() & 0x0C != 0x0C {
            out.extend_from_slice(&self.fci());
        }
        if self.card_life_cycle == 0x7F { SW_CARD_LOCKED } else { SW_OK }
    }

    /// The File Control Information of the ISD (GPC v2.3.1 Table 11-82): `6F { 84 AID,
    /// A5 { 73 Security Domain Management Data, 9F65 FF } }`. The Security Domain Management
    /// Data is the Card Recognition Data under tag `73` (§H.3).
    pub(super) fn fci(&self) -> Vec<u8> {
        let crd = self.card_recognition_data();
        // `66 L 73 L …`: the `73` object is the value of `66`.
        let mut proprietary = match crd.as_slice() {
            [0x66, _, management @ ..] => management.to_vec(),
            _ => Vec::new(),
        };
        proprietary.extend_from_slice(&[0x9F, 0x65, 0x01, MAX_COMMAND_DATA]);
        let mut template = Vec::new();
        push_tlv(&mut template, &[0x84], &self.isd_aid);
        push_tlv(&mut template, &[0xA5], &proprietary);
        let mut fci = Vec::new();
        push_tlv(&mut fci, &[0x6F], &template);
        fci
    }
}

/// Appends `tag`, the BER length of `value` and `value` (at most 65535 bytes).
fn push_tlv(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    let len = value.len();
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        Ok(byte) => out.extend_from_slice(&[0x81, byte]),
        Err(_) => {
            out.push(0x82);
            out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
        }
    }
    out.extend_from_slice(value);
}
