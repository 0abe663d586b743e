//! The APDU layer of the software eUICC: logical channels, SELECT of the ISD-R, STORE DATA
//! reassembly and GET RESPONSE.
//!
//! | command | behaviour |
//! |---|---|
//! | `0x A4 04 P2 Lc AID [Le]` SELECT (ISO/IEC 7816-4 §11.1.1, GPC v2.3.1 §11.9) | the ISD-R: FCI `6F { 84 AID, A5 { 9F65 01 FF }, E0 { 82 03 svn } }` (P2 `00`/`04`; `0C`: none), else `6A82` |
//! | `0x 70 00 00 01` / `0x 70 00 nn` / `0x 70 80 nn` MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2) | open the lowest free channel / open channel `nn` / close `nn` (see [Logical channels](#logical-channels)) |
//! | `8x E2 P1 P2 Lc data [Le]` STORE DATA (GPC v2.3.1 §11.11, SGP.22 §5.7.1) | blocks `11` … `91`, P2 = block number from `00` |
//! | `0x/8x C0 00 00 Le` GET RESPONSE (ISO/IEC 7816-4 §11.7.1) | the next part of the pending answer of the channel |
//! | `80 AA 00 00 Lc data` TERMINAL CAPABILITY (ETSI TS 102 221 §11.1.19) | accepted and ignored |
//!
//! Status words of refusals (ISO/IEC 7816-4 §5.6 Table 6): malformed APDU or extended length
//! `6700`; a class byte the card does not know (`FF`, the reserved `20`–`3F`, the proprietary
//! `A0`–`BF` that are no GlobalPlatform class) or that does not fit the INS `6E00`; channel not
//! open `6881`; secure messaging `6882`; ISO chaining `6884`; unknown INS `6D00` (also STORE
//! DATA while the ISD-R is not selected on the channel, as an application without it would
//! answer); bad P1/P2 `6A86`; AID not found `6A82`; a STORE DATA block out of sequence (gap,
//! replay, a `11`/`91` continuation without block `00`) `6985` (GPC v2.3.1 §11.1.5.1 sequence
//! errors); a request longer than [`EuiccConfig::max_request_len`](super::EuiccConfig)
//! `6A84`; no pending answer for GET RESPONSE `6985`. Any refusal of a STORE DATA block drops
//! the sequence in progress; a block `00` always starts a new one.
//!
//! # Logical channels
//!
//! The card has the basic channel 0 and [`EuiccConfig::logical_channels`](super::EuiccConfig)
//! more (at most 19), each with its own selection, STORE DATA sequence and pending answer. The
//! rules are those of ISO/IEC 7816-4:2020 §5.4.1 (class byte) and §11.1.2 (MANAGE CHANNEL);
//! where ISO leaves the status word open, the card answers as the Java Card runtime that real
//! eUICCs run on (Java Card Platform Runtime Environment Specification, Classic Edition 3.x,
//! §4.5.1 "Applet Selection with MANAGE CHANNEL OPEN" and §4.6.1 "MANAGE CHANNEL CLOSE
//! Command", quoted below as JCRE).
//!
//! | rule | answer | reference |
//! |---|---|---|
//! | channel of a command: CLA b2 b1 (`00`–`1F`, `80`–`9F`), 4 + b4…b1 (`40`–`7F`, `C0`–`FF`) | | ISO/IEC 7816-4 §5.4.1 Tables 2 and 3, GPC v2.3.1 §11.1.4 |
//! | any command on a channel that is not open | `6881` | ISO/IEC 7816-4 §5.6 Table 6; JCRE §4.5.1 step 2 |
//! | secure messaging indicated (b4 b3 ≠ 00 in `0x`/`8x`, b6 in `4x`–`7x`/`Cx`–`Fx`): none supported | `6882` | ISO/IEC 7816-4 §5.4.1, §5.6 Table 6; JCRE §4.5.1 step 1 |
//! | MANAGE CHANNEL with P1 neither `00` nor `80`, or P2 above `13` (19) | `6A81` | JCRE §4.5.1 step 1, §4.6.1 step 1 |
//! | MANAGE CHANNEL on a card configured with no logical channel | `6881` | JCRE §4.5.1 step 3 |
//! | MANAGE CHANNEL with a command data field | `6700` | ISO/IEC 7816-4 §11.1.2 (Lc absent) |
//! | open, P2 `00`: Le other than `01` | `6C01` (Le `01` expected) | ISO/IEC 7816-4 §11.1.2 (Le `01`); JCRE §4.5.1 step 4 |
//! | open, P2 `00`: the lowest free number, or `6A81` when none is free | `nn 9000` / `6A81` | ISO/IEC 7816-4 §11.1.2; JCRE §4.5.1 step 4 |
//! | open, P2 `01`–`13` (as pySim's `manage_channel` sends it): that channel, no data; beyond the card's channels or already open `6A86` | `9000` / `6A86` | ISO/IEC 7816-4 §11.1.2; JCRE §4.5.1 step 5 |
//! | MANAGE CHANNEL sent on a logical channel: the new channel starts with that channel's selection; sent on the basic channel: with nothing selected (the eUICC has no default application) | | ISO/IEC 7816-4 §11.1.2; JCRE §4.5.1 step 7 |
//! | close, P2 `00` (the basic channel never closes) | `6A81` | ISO/IEC 7816-4 §11.1.2; JCRE §4.6.1 step 4 |
//! | close of a channel that is not open (or beyond the card's channels) | `6200` | JCRE §4.6.1; GPC v2.3.1 §11.7 |
//! | close: the channel's selection, STORE DATA sequence and pending answer are dropped; a channel may close itself; a trailing Le (lpac, euicc-go) is ignored | `9000` | ISO/IEC 7816-4 §11.1.2 |
//! | SELECT on a channel selects there only; a failed SELECT keeps the channel's selection | `6A82` | ISO/IEC 7816-4 §11.1.1 |
//! | GET RESPONSE hands out the pending answer of its own channel; commands on other channels leave it | `61xx` / `6985` | ISO/IEC 7816-4 §5.3.4, §11.7.1 |
//!
//! A reset closes every logical channel and deselects everything.

use oxicard_apdu::pending::PendingResponse;
use oxicard_apdu::{Cla, CommandView, StatusWord};

use super::SoftEuicc;

/// GET RESPONSE (ISO/IEC 7816-4 §11.7.1).
const INS_GET_RESPONSE: u8 = 0xC0;
/// SELECT (ISO/IEC 7816-4 §11.1.1).
const INS_SELECT: u8 = 0xA4;
/// MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2).
const INS_MANAGE_CHANNEL: u8 = 0x70;
/// STORE DATA (GPC v2.3.1 §11.11).
const INS_STORE_DATA: u8 = 0xE2;
/// TERMINAL CAPABILITY (ETSI TS 102 221 §11.1.19).
const INS_TERMINAL_CAPABILITY: u8 = 0xAA;
/// Channels of the card: the basic one and logical channels 1..=19 (ISO/IEC 7816-4 §5.4.1).
const CHANNELS: usize = 20;
/// The highest logical channel number (ISO/IEC 7816-4 §5.4.1 Table 3; MANAGE CHANNEL P2 `13`).
const MAX_CHANNEL: u8 = 19;
/// MANAGE CHANNEL P1: open (ISO/IEC 7816-4 §11.1.2).
const P1_OPEN: u8 = 0x00;
/// MANAGE CHANNEL P1: close.
const P1_CLOSE: u8 = 0x80;
/// `6C01`: wrong Le, exactly 1 byte available (ISO/IEC 7816-4 §5.6 Table 6; JCRE §4.5.1 step 4).
const SW_LE_ONE: StatusWord = StatusWord::new(0x6C, 0x01);

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

    /// Whether `channel` is open.
    fn is_open(&self, channel: u8) -> bool {
        self.slots.get(usize::from(channel)).is_some_and(Option::is_some)
    }

    /// Opens `channel` (closed, 1..=19) with the selection `isdr_selected`.
    fn open_with(&mut self, channel: u8, isdr_selected: bool) {
        if let Some(slot) = self.slots.get_mut(usize::from(channel)) {
            *slot = Some(ChannelState { isdr_selected, ..ChannelState::default() });
        }
    }

    /// The open channel numbers, ascending.
    pub(crate) fn open(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..).zip(self.slots.iter()).filter(|(_, s)| s.is_some()).map(|(n, _)| n)
    }
}

/// Whether the card knows the class byte `cla` at all (ISO/IEC 7816-4 §5.4.1 Table 1): `FF` is
/// invalid, `20`–`3F` are reserved for future use, and of the proprietary classes this card
/// only has the GlobalPlatform ones `80`–`9F`, `C0`–`FE` (GPC v2.3.1 §11.1.4), not `A0`–`BF`.
fn known_class(cla: u8) -> bool {
    !matches!(cla, 0x20..=0x3F | 0xA0..=0xBF | 0xFF)
}

impl SoftEuicc {
    /// One command APDU: the response data goes to `out`, the status word is returned.
    pub(crate) fn handle(&mut self, raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let Ok(command) = CommandView::parse(raw) else { return StatusWord::WRONG_LENGTH };
        // Extended Lc/Le only when the card is configured for it (and then announces it in its
        // ATR): otherwise `6700`, as a card without extended length answers (ISO/IEC 7816-4 §5.6).
        if command.is_extended() && !self.config.extended_length {
            return StatusWord::WRONG_LENGTH;
        }
        let cla = Cla(command.cla());
        if !known_class(cla.0) {
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
            INS_MANAGE_CHANNEL => self.manage_channel(channel, &command, out),
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

    /// MANAGE CHANNEL sent on the open channel `origin` (ISO/IEC 7816-4 §11.1.2; the status
    /// words of JCRE §4.5.1 and §4.6.1, see the [module docs](self#logical-channels)).
    fn manage_channel(&mut self, origin: u8, command: &CommandView<'_>, out: &mut Vec<u8>) -> StatusWord {
        let (p1, p2) = (command.p1(), command.p2());
        if !matches!(p1, P1_OPEN | P1_CLOSE) || p2 > MAX_CHANNEL {
            return StatusWord::FUNCTION_NOT_SUPPORTED;
        }
        let limit = self.config.logical_channels.min(MAX_CHANNEL);
        if limit == 0 {
            return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED;
        }
        if !command.data().is_empty() {
            return StatusWord::WRONG_LENGTH;
        }
        match (p1, p2) {
            (P1_OPEN, 0) => {
                if command.ne() != 1 {
                    return SW_LE_ONE;
                }
                let Some(number) = (1..=limit).find(|&n| !self.channels.is_open(n)) else {
                    return StatusWord::FUNCTION_NOT_SUPPORTED;
                };
                self.open_from(origin, number);
                out.push(number);
                StatusWord::SUCCESS
            }
            (P1_OPEN, number) => {
                if number > limit || self.channels.is_open(number) {
                    return StatusWord::INCORRECT_P1_P2;
                }
                self.open_from(origin, number);
                StatusWord::SUCCESS
            }
            (_, 0) => StatusWord::FUNCTION_NOT_SUPPORTED,
            (_, number) => match self.channels.slots.get_mut(usize::from(number)) {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    StatusWord::SUCCESS
                }
                _ => StatusWord::CHANNEL_ALREADY_CLOSED,
            },
        }
    }

    /// Opens the closed channel `number` from `origin`: with the ISD-R selected when it is on
    /// `origin` and `origin` is a logical channel (ISO/IEC 7816-4 §11.1.2; JCRE §4.5.1 step 7).
    fn open_from(&mut self, origin: u8, number: u8) {
        let inherited = origin != 0 && self.channels.get(origin).is_some_and(|state| state.isdr_selected);
        self.channels.open_with(number, inherited);
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
