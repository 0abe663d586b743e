//! [`TestCard`]: an ISO/IEC 7816-4 card simulator for tests and demos.
//!
//! A test double: compiled with the feature `test-util` only, which tests enable through their
//! dev-dependency (`features = ["test-util"]`).
//!
//! It implements [`CardSimulator`], so it runs in process
//! ([`SimulatorTransport`](oxicard_transport::sim::SimulatorTransport)) or as a card in a
//! real PC/SC reader through the vpcd bridge. It is written from the card's side, on its own
//! rules, so that it checks the host-side [`Card`](crate::card::Card) layer rather than
//! mirroring it.
//!
//! | command | behaviour |
//! |---|---|
//! | `00 A4 04 P2 Lc AID [Le]` SELECT | known AID: FCI `6F {84 AID, A5 {9F65 max}}` (P2 `0C`: none), else `6A82` |
//! | `00 70 00 00 01` / `00 70 80 nn` MANAGE CHANNEL | open the lowest free channel / close `nn` |
//! | `00 C0 00 00 Le` GET RESPONSE (CLA `00` or `80`, any channel) | next part of a pending response |
//! | `00 CA 00 4F Le` GET DATA | the AID selected on this channel, `6A88` if none |
//! | `00 CA 01 01 Le` GET DATA | a 20-byte object that must be asked with `Le = 14` exactly, else `6C14` |
//! | `00 CA 01 02 Le` GET DATA | a [`BIG_OBJECT_LEN`]-byte object (`61xx` rounds in short form) |
//! | `80 EE 00 00 Lc data [Le]` ECHO | the command data back (after reassembly of a chain) |
//!
//! Long answers follow the card's [`ResponseStyle`]; chained commands (CLA b5) are
//! reassembled; extended-length commands are refused with `6700` unless enabled.

use alloc::vec::Vec;
use oxicard_transport::sim::CardSimulator;

use crate::chain::Reassembler;
use crate::pending::PendingResponse;
use crate::{Cla, Command, CommandView, StatusWord};

/// Length of the big GET DATA object (`00 CA 01 02`).
pub const BIG_OBJECT_LEN: usize = 5000;
/// Length of the exact-Le GET DATA object (`00 CA 01 01`).
pub const EXACT_OBJECT_LEN: usize = 20;

/// ATR of the test card: T=0 and T=1, card capabilities `F7 41 E0` (command chaining and
/// extended length supported).
pub const ATR_EXTENDED: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];

/// ATR of the test card without extended length: card capabilities `F7 41 80`
/// (command chaining only).
pub const ATR_SHORT: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0x80, 0x82, 0x90, 0x00, 0x15];

/// How the card hands out a response longer than what the command's Le allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ResponseStyle {
    /// As many bytes as Le allows, then `61xx` for the rest (T=1 cards).
    #[default]
    UpToLe,
    /// No data at all in the first answer, only `61xx` (T=0 cards, case 4 handling
    /// of ETSI TS 102 221 §7.3.1.1.4).
    GetResponseFirst,
}

/// Settings of a [`TestCard`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestCardConfig {
    /// AIDs that SELECT finds.
    pub applications: Vec<Vec<u8>>,
    /// How long answers are handed out.
    pub style: ResponseStyle,
    /// Whether extended-length commands are accepted (and announced in the ATR).
    pub extended_length: bool,
    /// Whether command chaining is accepted.
    pub chaining: bool,
    /// Logical channels available besides the basic one (0..=19).
    pub logical_channels: u8,
}

impl TestCardConfig {
    /// Sets [`applications`](Self::applications).
    #[must_use]
    pub fn with_applications(mut self, applications: Vec<Vec<u8>>) -> Self {
        self.applications = applications;
        self
    }

    /// Sets [`style`](Self::style).
    #[must_use]
    pub fn with_style(mut self, style: ResponseStyle) -> Self {
        self.style = style;
        self
    }

    /// Sets [`extended_length`](Self::extended_length).
    #[must_use]
    pub fn with_extended_length(mut self, extended_length: bool) -> Self {
        self.extended_length = extended_length;
        self
    }

    /// Sets [`chaining`](Self::chaining).
    #[must_use]
    pub fn with_chaining(mut self, chaining: bool) -> Self {
        self.chaining = chaining;
        self
    }

    /// Sets [`logical_channels`](Self::logical_channels).
    #[must_use]
    pub fn with_logical_channels(mut self, logical_channels: u8) -> Self {
        self.logical_channels = logical_channels;
        self
    }
}

impl Default for TestCardConfig {
    fn default() -> Self {
        Self {
            applications: alloc::vec![
                alloc::vec![0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00],
                alloc::vec![
                    0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01,
                    0x00
                ],
            ],
            style: ResponseStyle::UpToLe,
            extended_length: true,
            chaining: true,
            logical_channels: 19,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct ChannelState {
    selected: Option<Vec<u8>>,
    pending: PendingResponse,
}

/// The simulator; see the [module documentation](self).
#[derive(Debug)]
pub struct TestCard {
    config: TestCardConfig,
    channels: [Option<ChannelState>; 20],
    reassembler: Reassembler,
    commands_seen: usize,
}

impl TestCard {
    /// A card with the default configuration.
    pub fn new() -> Self {
        Self::with_config(TestCardConfig::default())
    }

    /// A card with `config`.
    pub fn with_config(config: TestCardConfig) -> Self {
        let mut card = Self {
            config,
            channels: Default::default(),
            reassembler: Reassembler::new(65_535),
            commands_seen: 0,
        };
        card.power_on();
        card
    }

    /// The configuration.
    pub fn config(&self) -> &TestCardConfig {
        &self.config
    }

    /// Commands processed since creation (GET RESPONSE and chain parts included).
    pub fn commands_seen(&self) -> usize {
        self.commands_seen
    }

    /// Which logical channels are open (the basic channel always is).
    pub fn open_channels(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..).zip(self.channels.iter()).filter(|(_, c)| c.is_some()).map(|(n, _)| n)
    }

    /// The contents of the big GET DATA object: byte *i* is `i mod 251`.
    pub fn big_object() -> Vec<u8> {
        (0..BIG_OBJECT_LEN).map(|i| (i % 251) as u8).collect()
    }

    /// The contents of the exact-Le GET DATA object: `01 02 … 14`.
    pub fn exact_object() -> Vec<u8> {
        (1..=EXACT_OBJECT_LEN as u8).collect()
    }

    fn power_on(&mut self) {
        self.channels = Default::default();
        if let Some(basic) = self.channels.first_mut() {
            *basic = Some(ChannelState::default());
        }
        self.reassembler.reset();
    }

    fn handle(&mut self, raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let Ok(view) = CommandView::parse(raw) else { return StatusWord::WRONG_LENGTH };
        if view.cla() == 0xFF {
            return StatusWord::CLA_NOT_SUPPORTED;
        }
        if view.is_extended() && !self.config.extended_length {
            return StatusWord::WRONG_LENGTH;
        }
        let cla = Cla(view.cla());
        let channel = cla.channel();
        if self.channels.get(usize::from(channel)).is_none_or(Option::is_none) {
            return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED;
        }
        if cla.is_chained() || !self.reassembler.is_idle() {
            if !self.config.chaining {
                return StatusWord::CHAINING_NOT_SUPPORTED;
            }
            return match self.reassembler.push(&view) {
                Ok(None) => StatusWord::SUCCESS,
                Ok(Some(whole)) => self.dispatch(channel, &whole, out),
                Err(_) => StatusWord::LAST_COMMAND_EXPECTED,
            };
        }
        let whole = view.to_command();
        self.dispatch(channel, &whole, out)
    }

    fn dispatch(&mut self, channel: u8, command: &Command, out: &mut Vec<u8>) -> StatusWord {
        let ins = command.ins();
        if ins != 0xC0 {
            // Any other command discards what was pending on this channel.
            if let Some(state) = self.state(channel) {
                state.pending.clear();
            }
        }
        let ne = command.ne() as usize;
        match (ins, command.p1(), command.p2()) {
            (0xA4, 0x04, p2) => self.select(channel, command.data(), p2, ne, out),
            (0x70, p1, p2) => self.manage_channel(p1, p2, out),
            (0xC0, 0x00, 0x00) => self.get_response(channel, ne, out),
            (0xCA, 0x00, 0x4F) => match self.state(channel).and_then(|s| s.selected.clone()) {
                Some(aid) => self.respond(channel, &aid, ne, out),
                None => StatusWord::REFERENCED_DATA_NOT_FOUND,
            },
            (0xCA, 0x01, 0x01) => {
                if ne != EXACT_OBJECT_LEN {
                    return StatusWord::new(0x6C, EXACT_OBJECT_LEN as u8);
                }
                out.extend_from_slice(&Self::exact_object());
                StatusWord::SUCCESS
            }
            (0xCA, 0x01, 0x02) => self.respond(channel, &Self::big_object(), ne, out),
            (0xCA, _, _) => StatusWord::REFERENCED_DATA_NOT_FOUND,
            (0xEE, _, _) if command.cla() & 0x80 != 0 => {
                let data = command.data().to_vec();
                self.respond(channel, &data, ne, out)
            }
            _ => StatusWord::INS_NOT_SUPPORTED,
        }
    }

    fn state(&mut self, channel: u8) -> Option<&mut ChannelState> {
        self.channels.get_mut(usize::from(channel)).and_then(Option::as_mut)
    }

    /// Hands out `data` per the response style and Ne, keeping the rest pending.
    fn respond(&mut self, channel: u8, data: &[u8], ne: usize, out: &mut Vec<u8>) -> StatusWord {
        let first = match self.config.style {
            ResponseStyle::UpToLe => ne,
            ResponseStyle::GetResponseFirst => 0,
        };
        let Some(state) = self.state(channel) else { return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED };
        state.pending.respond(data, first, StatusWord::SUCCESS, out)
    }

    fn get_response(&mut self, channel: u8, ne: usize, out: &mut Vec<u8>) -> StatusWord {
        let Some(state) = self.state(channel) else { return StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED };
        // Le = 00 asks for 256 bytes.
        state.pending.get_response(if ne == 0 { 256 } else { ne }, out)
    }

    fn select(&mut self, channel: u8, aid: &[u8], p2: u8, ne: usize, out: &mut Vec<u8>) -> StatusWord {
        let found = self.config.applications.iter().find(|a| a.as_slice() == aid).cloned();
        let Some(aid) = found else { return StatusWord::FILE_NOT_FOUND };
        let fci = Self::fci(&aid, self.config.extended_length);
        if let Some(state) = self.state(channel) {
            state.selected = Some(aid);
        }
        match p2 & 0x0C {
            0x0C => StatusWord::SUCCESS,
            0x00 => self.respond(channel, &fci, ne, out),
            _ => StatusWord::INCORRECT_P1_P2,
        }
    }

    /// `6F { 84 AID, A5 { 9F65 max-command-data } }` (GPC v2.3.1 Table 11-82).
    fn fci(aid: &[u8], extended: bool) -> Vec<u8> {
        let max: &[u8] = if extended { &[0xFF, 0xFF] } else { &[0xFF] };
        let proprietary_len = 3 + max.len();
        let inner_len = 2 + aid.len() + 2 + proprietary_len;
        let mut fci = Vec::with_capacity(2 + inner_len);
        fci.extend_from_slice(&[0x6F, inner_len as u8, 0x84, aid.len() as u8]);
        fci.extend_from_slice(aid);
        fci.extend_from_slice(&[0xA5, proprietary_len as u8, 0x9F, 0x65, max.len() as u8]);
        fci.extend_from_slice(max);
        fci
    }

    fn manage_channel(&mut self, p1: u8, p2: u8, out: &mut Vec<u8>) -> StatusWord {
        match (p1, p2) {
            (0x00, 0x00) => {
                let limit = usize::from(self.config.logical_channels.min(19));
                let free =
                    (1u8..).zip(self.channels.iter_mut().skip(1).take(limit)).find(|(_, c)| c.is_none());
                let Some((number, slot)) = free else { return StatusWord::FUNCTION_NOT_SUPPORTED };
                *slot = Some(ChannelState::default());
                out.push(number);
                StatusWord::SUCCESS
            }
            // Closing the basic channel, or a number out of range, is refused.
            (0x80, 1..=19) => match self.channels.get_mut(usize::from(p2)) {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    StatusWord::SUCCESS
                }
                _ => StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED,
            },
            _ => StatusWord::INCORRECT_P1_P2,
        }
    }
}

impl Default for TestCard {
    fn default() -> Self {
        Self::new()
    }
}

impl CardSimulator for TestCard {
    fn atr(&self) -> &[u8] {
        if self.config.extended_length { &ATR_EXTENDED } else { &ATR_SHORT }
    }

    fn reset(&mut self) {
        self.power_on();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.commands_seen = self.commands_seen.saturating_add(1);
        let sw = self.handle(command, response);
        if !(sw.is_success() || sw.bytes_available().is_some()) {
            response.clear();
        }
        response.extend_from_slice(&sw.to_bytes());
    }
}
