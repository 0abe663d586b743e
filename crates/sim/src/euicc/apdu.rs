//! The APDU layer of the software eUICC: logical channels, SELECT of the ISD-R, STORE DATA
//! reassembly and GET RESPONSE.
//!
//! | command | behaviour |
//! |---|---|
//! | `0x A4 04 P2 Lc AID [Le]` SELECT (ISO/IEC 7816-4 §7.1.1, GPC v2.3.1 §11.9) | the ISD-R: FCI `6F { 84 AID, A5 { 9F65 01 FF }, E0 { 82 03 svn } }` (P2 `00`/`04`; `0C`: none), else `6A82` |
//! | `0x 70 00 00 [01]` / `0x 70 80 nn` MANAGE CHANNEL (ISO/IEC 7816-4 §7.1.2) | open the lowest free channel / close `nn` |
//! | `8x E2 P1 P2 Lc data [Le]` STORE DATA (GPC v2.3.1 §11.11, SGP.22 §5.7.1) | blocks `11` … `91`, P2 = block number from `00` |
//! | `0x/8x C0 00 00 Le` GET RESPONSE (ISO/IEC 7816-4 §7.6.1) | the next part of the pending answer |
//! | `80 AA 00 00 Lc data` TERMINAL CAPABILITY (ETSI TS 102 221 §11.1.19) | accepted and ignored |
//!
//! Status words of refusals (ISO/IEC 7816-4 §5.6 Table 6): malformed APDU or extended length
//! `6700`; CLA `FF` or a class that does not fit the INS `6E00`; channel not open `6881`;
//! secure messaging `6882`; ISO chaining `6884`; unknown INS `6D00` (also STORE DATA while
//! the ISD-R is not selected on the channel, as an application without it would answer);
//! bad P1/P2 `6A86`; AID not found `6A82`; a STORE DATA block out of sequence (gap, replay,
//! a `11`/`91` continuation without block `00`) `6985` (GPC v2.3.1 §11.1.5.1 sequence errors);
//! a request longer than [`EuiccConfig::max_request_len`](super::EuiccConfig) `6A84`; no
//! pending answer for GET RESPONSE `6985`; no free channel `6A81`. Any refusal of a STORE
//! DATA block drops the sequence in progress; a block `00` always starts a new one.

use oxicard_apdu::pending::PendingResponse;
use oxicard_apdu::{Cla, CommandView, StatusWord};

use super::SoftEuicc;

/// GET RESPONSE (ISO/IEC 7816-4 §7.6.1).
const INS_GET_RESPONSE: u8 = 0xC0;
/// SELECT (ISO/IEC 7816-4 §7.1.1).
const INS_SELECT: u8 = 0xA4;
/// MANAGE CHANNEL (ISO/IEC 7816-4 §7.1.2).
const INS_MANAGE_CHANNEL: u8 = 0x70;
/// STORE DATA (GPC v2.3.1 §11.11).
const INS_STORE_DATA: u8 = 0xE2;
/// TERMINAL CAPABILITY (ETSI TS 102 221 §11.1.19).
const INS_TERMINAL_CAPABILITY: u8 = 0xAA;
/// Channels of the card: the basic one and logical channels 1..=19 (ISO/IEC 7816-4 §5.4.2).
const CHANNELS: usize = 20;

/// A STORE DATA sequence in progress.
#[derive(Clone, Debug, Default)]
struct StoreSequence {
    /// The block number (P2) the next block must carry.
    next_block: u16,
    data: Vec<u8>,
}

/// What the card keeps per open channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChannelState {
    isdr_selected: bool,
    sequence: Option<StoreSequence>,
    pending: PendingResponse,
}

/// The open channels (index = channel number); the basic channel is always open.
#[derive(Clone, Debug)]
pub(crate) struct Channels {
    slots: [Option<ChannelState>; CHANNELS],
}

impl Default for Channels {
    fn default() -> Self {
        let mut slots: [Option<ChannelState>; CHANNELS] = Default::default();
        slots[0] = Some(ChannelState::default());
        Self { slots }
    }
}

impl Channels {
    fn get(&mut self, channel: u8) -> Option<&mut ChannelState> {
        self.slots.get_mut(usize::from(channel)).and_then(Option::as_mut)
    }

    /// The open channel numbers, ascending.
    pub(crate) fn open(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..).zip(self.slots.iter()).filter(|(_, s)| s.is_some()).map(|(n, _)| n)
    }
}

impl SoftEuicc {
    /// One command APDU: the response data goes to `out`, the status word is returned.
    pub(crate) fn handle(&mut self, raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let Ok(command) = CommandView::parse(raw) else { return StatusWord::WRONG_LENGTH };
        if command.is_extended() {
            return StatusWord::WRONG_LENGTH;
        }
        let cla = Cla(command.cla());
        if !cla.is_valid() {
            return StatusWord::CLA_NOT_SUPPORTED;
        }
        let channel = cla.channel();
        let ins = command.ins();
        let Some(state) = self.channels.get(channel) else {
            return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED;
        };
        if ins != INS_GET_RESPONSE {
            // Any other command discards what was pending on this channel.
            state.pending.clear();
        }
        if ins != INS_STORE_DATA {
            state.sequence = None;
        }
        if cla.is_chained() {
            state.sequence = None;
            return StatusWord::CHAINING_NOT_SUPPORTED;
        }
        if cla.is_secure_messaging() {
            state.sequence = None;
            return StatusWord::SECURE_MESSAGING_NOT_SUPPORTED;
        }
        let proprietary = cla.is_proprietary();
        match ins {
            INS_GET_RESPONSE => self.get_response(channel, &command, out),
            INS_SELECT | INS_MANAGE_CHANNEL if proprietary => StatusWord::CLA_NOT_SUPPORTED,
            INS_STORE_DATA | INS_TERMINAL_CAPABILITY if !proprietary => StatusWord::CLA_NOT_SUPPORTED,
            INS_SELECT => self.select(channel, &command, out),
            INS_MANAGE_CHANNEL => self.manage_channel(&command, out),
            INS_STORE_DATA => self.store_data(channel, &command, out),
            INS_TERMINAL_CAPABILITY if command.p1() == 0 && command.p2() == 0 => StatusWord::SUCCESS,
            INS_TERMINAL_CAPABILITY => StatusWord::INCORRECT_P1_P2,
            _ => StatusWord::INS_NOT_SUPPORTED,
        }
    }

    /// Hands out `data` up to Ne bytes and keeps the rest for GET RESPONSE (`61xx`); with no Le
    /// (case 3, as lpac sends STORE DATA) everything waits for GET RESPONSE.
    fn respond(&mut self, channel: u8, data: Vec<u8>, ne: u32, out: &mut Vec<u8>) -> StatusWord {
        let Some(state) = self.channels.get(channel) else {
            return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED;
        };
        state.pending.respond(&data, ne as usize, StatusWord::SUCCESS, out)
    }

    fn get_response(&mut self, channel: u8, command: &CommandView<'_>, out: &mut Vec<u8>) -> StatusWord {
        if command.p1() != 0 || command.p2() != 0 {
            return StatusWord::INCORRECT_P1_P2;
        }
        if !command.data().is_empty() {
            return StatusWord::WRONG_LENGTH;
        }
        let Some(state) = self.channels.get(channel) else {
            return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED;
        };
        // P3 = 00 in T=0 asks for 256 bytes.
        let ne = if command.ne() == 0 { 256 } else { command.ne() as usize };
        state.pending.get_response(ne, out)
    }

    fn select(&mut self, channel: u8, command: &CommandView<'_>, out: &mut Vec<u8>) -> StatusWord {
        match command.p1() {
            0x04 => {}
            // By file identifier or path: this card has no file system.
            0x00..=0x03 | 0x08 | 0x09 => return StatusWord::FILE_NOT_FOUND,
            _ => return StatusWord::INCORRECT_P1_P2,
        }
        let p2 = command.p2();
        if !matches!(p2, 0x00 | 0x02 | 0x04 | 0x0C) {
            return StatusWord::INCORRECT_P1_P2;
        }
        // P2 `02` (next occurrence): the ISD-R occurs once.
        if command.data() != self.config.isdr_aid.as_slice() || p2 == 0x02 {
            return StatusWord::FILE_NOT_FOUND;
        }
        if let Some(state) = self.channels.get(channel) {
            state.isdr_selected = true;
        }
        if p2 == 0x0C {
            return StatusWord::SUCCESS;
        }
        let fci = self.fci();
        self.respond(channel, fci, command.ne(), out)
    }

    /// The ISD-R FCI: `6F { 84 AID, A5 { 9F65 01 FF }, E0 { 82 03 svn } }` (GPC v2.3.1 Table
    /// 11-82; the `E0` ISDRProprietaryApplicationTemplate of SGP.22 §5.7.x, as pySim's
    /// `euicc.py` `FciTemplate` nests it). AIDs are at most 16 bytes, so one-byte lengths.
    fn fci(&self) -> Vec<u8> {
        let aid = &self.config.isdr_aid;
        let svn = self.config.info2.svn.to_bytes();
        let mut inner = vec![0x84, aid.len() as u8];
        inner.extend_from_slice(aid);
        inner.extend_from_slice(&[0xA5, 0x04, 0x9F, 0x65, 0x01, 0xFF]);
        inner.extend_from_slice(&[0xE0, 0x05, 0x82, 0x03]);
        inner.extend_from_slice(&svn);
        let mut fci = vec![0x6F, inner.len() as u8];
        fci.extend_from_slice(&inner);
        fci
    }

    fn manage_channel(&mut self, command: &CommandView<'_>, out: &mut Vec<u8>) -> StatusWord {
        if !command.data().is_empty() {
            return StatusWord::WRONG_LENGTH;
        }
        let limit = usize::from(self.config.logical_channels.min(19));
        match (command.p1(), command.p2()) {
            (0x00, 0x00) => {
                let free = (1u8..)
                    .zip(self.channels.slots.iter_mut().skip(1).take(limit))
                    .find(|(_, slot)| slot.is_none());
                let Some((number, slot)) = free else { return StatusWord::FUNCTION_NOT_SUPPORTED };
                *slot = Some(ChannelState::default());
                out.push(number);
                StatusWord::SUCCESS
            }
            (0x80, number @ 1..=19) if usize::from(number) <= limit => {
                match self.channels.slots.get_mut(usize::from(number)) {
                    Some(slot @ Some(_)) => {
                        *slot = None;
                        StatusWord::SUCCESS
                    }
                    _ => StatusWord::CHANNEL_ALREADY_CLOSED,
                }
            }
            (0x80, 1..=19) => StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED,
            _ => StatusWord::INCORRECT_P1_P2,
        }
    }

    fn store_data(&mut self, channel: u8, command: &CommandView<'_>, out: &mut Vec<u8>) -> StatusWord {
        let max = self.config.max_request_len;
        let Some(state) = self.channels.get(channel) else {
            return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED;
        };
        if !state.isdr_selected {
            state.sequence = None;
            return StatusWord::INS_NOT_SUPPORTED;
        }
        let last = match command.p1() {
            0x11 => false,
            0x91 => true,
            _ => {
                state.sequence = None;
                return StatusWord::INCORRECT_P1_P2;
            }
        };
        if command.data().is_empty() {
            state.sequence = None;
            return StatusWord::WRONG_LENGTH;
        }
        let block = u16::from(command.p2());
        let mut sequence = match state.sequence.take() {
            _ if block == 0 => StoreSequence::default(),
            Some(sequence) if sequence.next_block == block => sequence,
            _ => return StatusWord::CONDITIONS_NOT_SATISFIED,
        };
        if sequence.data.len().saturating_add(command.data().len()) > max {
            return StatusWord::NOT_ENOUGH_MEMORY;
        }
        sequence.data.extend_from_slice(command.data());
        if !last {
            sequence.next_block = block + 1;
            state.sequence = Some(sequence);
            return StatusWord::SUCCESS;
        }
        match self.es10(&sequence.data) {
            Ok(response) => self.respond(channel, response, command.ne(), out),
            Err(sw) => sw,
        }
    }
}
