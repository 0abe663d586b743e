//! [`Scp03TestCard`]: a small SCP03 card simulator for tests, benches and demos, built on
//! the card side of this crate ([`CardHandshake`], [`CardSession`]).
//!
//! A test double: compiled with the feature `test-util` only, which tests enable through their
//! dev-dependency (`features = ["test-util"]`).
//!
//! It implements [`CardSimulator`], so it runs in process
//! ([`SimulatorTransport`](oxicard_transport::sim::SimulatorTransport)) or behind a PC/SC
//! reader through the vpcd bridge. Each logical channel has its own session.
//!
//! | command | behaviour |
//! |---|---|
//! | `00 A4 04 00 Lc AID [Le]` SELECT | the configured AID: `9000` (ends the channel's session), else `6A82` |
//! | `00 70 00 00 01` / `00 70 80 nn` MANAGE CHANNEL | open the lowest free channel / close `nn` |
//! | `00 C0 00 00 Le` GET RESPONSE | next part of a long (protected) response |
//! | `80 50 KVN 00 08/10 challenge 00` INITIALIZE UPDATE | the card's answer (Amendment D §7.1.1) |
//! | `84 82 SL 00 Lc cryptogram C-MAC` EXTERNAL AUTHENTICATE | opens the session at SL |
//! | `80 EE P1 P2 [Lc data] [Le]` ECHO | the data back; SW `9000`, or `P1 P2` as the SW when not `0000` |
//! | a command of [`Scp03TestCardConfig::canned`] (once unwrapped) | its canned response |
//!
//! Status words of the handshake (Amendment D §7.1, GP Card Spec v2.3.1 Table E-12):
//! unknown key version `6A88`, challenge of the wrong mode `6700`, sequence counter
//! exhausted `6985`, host cryptogram wrong `6300`, C-MAC wrong `6982`, EXTERNAL
//! AUTHENTICATE without INITIALIZE UPDATE `6985`. A level the "i" parameter does not
//! offer is answered `6A86` (this simulator's choice; the spec names no value).
//!
//! In a session every command except SELECT, MANAGE CHANNEL, GET RESPONSE and
//! INITIALIZE UPDATE goes through [`CardSession::unwrap_command`]; a failure answers
//! `6982` and every later command on the channel too, until a new session
//! (Amendment D §5.6). Responses longer than Ne (256 when there is no Le) are handed out
//! in `61xx` parts.

use std::vec::Vec;

use oxicard_apdu::pending::PendingResponse;
use oxicard_apdu::{Cla, CommandView, StatusWord};
use oxicard_transport::sim::CardSimulator;

use crate::error::{ErrorKind, Result};
use crate::scp03::{
    CardChallenge, CardHandshake, CardSession, Handshake, HostSession, IParameter, SecurityLevel, StaticKeys,
};

/// The ATR of the simulator: the one of the apdu crate's test card with extended length
/// (card capabilities `F7 41 E0`). Written out rather than taken from
/// `oxicard_apdu::testcard::ATR_EXTENDED`, which exists only with `oxicard-apdu/test-util`,
/// so this crate documents without it; a test keeps the two equal.
pub const ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];

/// INS of the echo command.
pub const INS_ECHO: u8 = 0xEE;

/// Settings of a [`Scp03TestCard`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Scp03TestCardConfig {
    /// The card's static keys (with their key version).
    pub keys: StaticKeys,
    /// The "i" parameter: mode, pseudo-random challenge, R-MAC / R-ENC support.
    pub i: IParameter,
    /// The AID of the security domain (SELECT target, and input of the pseudo-random challenge).
    pub aid: Vec<u8>,
    /// The key diversification data of the INITIALIZE UPDATE response.
    pub key_diversification_data: [u8; 10],
    /// The sequence counter before the first INITIALIZE UPDATE (24 bits; it is
    /// incremented before each one, Amendment D §6.2.2.1).
    pub sequence_counter: u32,
    /// Seed of the deterministic "random" challenges when "i" has no `10`. Not random:
    /// this is a simulator.
    pub seed: u64,
    /// Canned answers: a plain command APDU (as unwrapped, CLA on the basic channel) and
    /// its plain response (data || SW), to replay a published trace.
    pub canned: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Scp03TestCardConfig {
    /// Sets [`keys`](Self::keys).
    #[must_use]
    pub fn with_keys(mut self, keys: StaticKeys) -> Self {
        self.keys = keys;
        self
    }

    /// Sets [`i`](Self::i).
    #[must_use]
    pub fn with_i(mut self, i: IParameter) -> Self {
        self.i = i;
        self
    }

    /// Sets [`aid`](Self::aid).
    #[must_use]
    pub fn with_aid(mut self, aid: Vec<u8>) -> Self {
        self.aid = aid;
        self
    }

    /// Sets [`key_diversification_data`](Self::key_diversification_data).
    #[must_use]
    pub fn with_key_diversification_data(mut self, key_diversification_data: [u8; 10]) -> Self {
        self.key_diversification_data = key_diversification_data;
        self
    }

    /// Sets [`sequence_counter`](Self::sequence_counter).
    #[must_use]
    pub fn with_sequence_counter(mut self, sequence_counter: u32) -> Self {
        self.sequence_counter = sequence_counter;
        self
    }

    /// Sets [`seed`](Self::seed).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets [`canned`](Self::canned).
    #[must_use]
    pub fn with_canned(mut self, canned: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        self.canned = canned;
        self
    }
}

impl Scp03TestCardConfig {
    /// A card with `keys`, `i`, the SGP.22 ISD-R AID `A0000005591010FFFFFFFF8900000100`,
    /// key diversification data `00…00`, sequence counter 0 and seed 1.
    pub fn new(keys: StaticKeys, i: IParameter) -> Self {
        Self {
            keys,
            i,
            aid: std::vec![
                0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01,
                0x00
            ],
            key_diversification_data: [0; 10],
            sequence_counter: 0,
            seed: 1,
            canned: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
enum Phase {
    #[default]
    Idle,
    Authenticating(CardHandshake),
    Open(CardSession),
}

#[derive(Debug, Default)]
struct Channel {
    phase: Phase,
    pending: PendingResponse,
}

/// The simulator; see the [module documentation](self).
#[derive(Debug)]
pub struct Scp03TestCard {
    config: Scp03TestCardConfig,
    channels: [Option<Channel>; 20],
    sequence_counter: u32,
    rng: u64,
    instructions: [usize; 256],
    plain: Vec<u8>,
    response: Vec<u8>,
    last_command: Vec<u8>,
    last_response: Vec<u8>,
}

const SW_OK: StatusWord = StatusWord::SUCCESS;
const SW_WARNING_CHANGED: StatusWord = StatusWord::new(0x63, 0x00);
const SW_WRONG_LENGTH: StatusWord = StatusWord::new(0x67, 0x00);
const SW_CHANNEL_NOT_SUPPORTED: StatusWord = StatusWord::new(0x68, 0x81);
const SW_SECURITY: StatusWord = StatusWord::new(0x69, 0x82);
const SW_CONDITIONS: StatusWord = StatusWord::new(0x69, 0x85);
const SW_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x82);
const SW_WRONG_P1P2: StatusWord = StatusWord::new(0x6A, 0x86);
const SW_FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord::new(0x6A, 0x81);
const SW_DATA_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x88);
const SW_INS_NOT_SUPPORTED: StatusWord = StatusWord::new(0x6D, 0x00);
const SW_CLA_NOT_SUPPORTED: StatusWord = StatusWord::new(0x6E, 0x00);

impl Scp03TestCard {
    /// A card with `config`, powered on.
    pub fn new(config: Scp03TestCardConfig) -> Self {
        let mut card = Self {
            sequence_counter: config.sequence_counter,
            rng: config.seed,
            config,
            channels: Default::default(),
            instructions: [0; 256],
            plain: Vec::new(),
            response: Vec::new(),
            last_command: Vec::new(),
            last_response: Vec::new(),
        };
        card.power_on();
        card
    }

    /// The configuration.
    pub fn config(&self) -> &Scp03TestCardConfig {
        &self.config
    }

    /// How many commands with instruction byte `ins` the card received (GET RESPONSE
    /// and commands it could not parse included).
    pub fn count(&self, ins: u8) -> usize {
        self.instructions.get(usize::from(ins)).copied().unwrap_or(0)
    }

    /// The last command APDU received, as it came over the wire.
    pub fn last_command(&self) -> &[u8] {
        &self.last_command
    }

    /// The last response APDU sent, as it went over the wire.
    pub fn last_response(&self) -> &[u8] {
        &self.last_response
    }

    /// The card-side session of `channel`, if one is open (terminated or not).
    pub fn session(&self, channel: u8) -> Option<&CardSession> {
        match self.channels.get(usize::from(channel))?.as_ref()?.phase {
            Phase::Open(ref session) => Some(session),
            _ => None,
        }
    }

    /// The sequence counter (the value the last INITIALIZE UPDATE used).
    pub fn sequence_counter(&self) -> u32 {
        self.sequence_counter
    }

    fn power_on(&mut self) {
        self.channels = Default::default();
        if let Some(basic) = self.channels.first_mut() {
            *basic = Some(Channel::default());
        }
    }

    fn channel(&mut self, number: u8) -> Option<&mut Channel> {
        self.channels.get_mut(usize::from(number)).and_then(Option::as_mut)
    }

    /// The next deterministic challenge bytes (xorshift64).
    fn next_random(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            let bytes = self.rng.to_be_bytes();
            chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or_default());
        }
    }

    /// Processes one command; the response data (already protected) goes into
    /// `self.response`, the SW is returned, the Ne to hand it out with too.
    fn handle(&mut self, raw: &[u8]) -> (StatusWord, usize) {
        let Ok(view) = CommandView::parse(raw) else { return (SW_WRONG_LENGTH, 0) };
        let ne = match view.ne() {
            0 if view.is_extended() => 65_536,
            0 => 256,
            ne => ne as usize,
        };
        if view.cla() == 0xFF {
            return (SW_CLA_NOT_SUPPORTED, ne);
        }
        let number = Cla(view.cla()).channel();
        let Some(channel) = self.channel(number) else { return (SW_CHANNEL_NOT_SUPPORTED, ne) };
        if view.ins() != 0xC0 {
            channel.pending.clear();
        }
        let sw = match view.ins() {
            0xC0 => return (self.get_response(number, ne), usize::MAX),
            0xA4 => self.select(number, &view),
            0x70 => self.manage_channel(view.p1(), view.p2()),
            0x50 => self.initialize_update(number, raw),
            0x82 => self.external_authenticate(number, raw),
            _ => self.secured(number, raw),
        };
        (sw, ne)
    }

    fn select(&mut self, number: u8, view: &CommandView<'_>) -> StatusWord {
        if (view.p1(), view.p2() & 0xF3) != (0x04, 0x00) {
            return SW_WRONG_P1P2;
        }
        if view.data() != self.config.aid.as_slice() {
            return SW_NOT_FOUND;
        }
        if let Some(channel) = self.channel(number) {
            channel.phase = Phase::Idle;
        }
        SW_OK
    }

    fn manage_channel(&mut self, p1: u8, p2: u8) -> StatusWord {
        match (p1, p2) {
            (0x00, 0x00) => {
                let free = (1u8..).zip(self.channels.iter_mut().skip(1)).find(|(_, c)| c.is_none());
                let Some((number, slot)) = free else { return SW_FUNCTION_NOT_SUPPORTED };
                *slot = Some(Channel::default());
                self.response.push(number);
                SW_OK
            }
            (0x80, 1..=19) => match self.channels.get_mut(usize::from(p2)) {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    SW_OK
                }
                _ => SW_CHANNEL_NOT_SUPPORTED,
            },
            _ => SW_WRONG_P1P2,
        }
    }

    fn initialize_update(&mut self, number: u8, raw: &[u8]) -> StatusWord {
        if let Some(channel) = self.channel(number) {
            channel.phase = Phase::Idle;
        }
        let i = self.config.i;
        let mut random = [0u8; 16];
        let n = i.mode().size();
        let challenge = if i.pseudo_random_challenge() {
            if self.sequence_counter >= 0x00FF_FFFF {
                return SW_CONDITIONS;
            }
            self.sequence_counter += 1;
            let [_, a, b, c] = self.sequence_counter.to_be_bytes();
            CardChallenge::PseudoRandom { sequence_counter: [a, b, c], aid: &self.config.aid }
        } else {
            self.next_random(random.get_mut(..n).unwrap_or_default());
            CardChallenge::Random(random.get(..n).unwrap_or_default())
        };
        let mut out = [0u8; 64];
        let result = CardHandshake::initialize_update(
            &self.config.keys,
            i,
            self.config.key_diversification_data,
            challenge,
            raw,
            &mut out,
        );
        match result {
            Ok((handshake, n)) => {
                // The response ends in 9000, which the caller appends.
                let data = out.get(..n.saturating_sub(2)).unwrap_or_default();
                self.response.extend_from_slice(data);
                if let Some(channel) = self.channel(number) {
                    channel.phase = Phase::Authenticating(handshake);
                }
                SW_OK
            }
            Err(e) => match e.kind {
                ErrorKind::KeyVersionMismatch => SW_DATA_NOT_FOUND,
                ErrorKind::InvalidChallengeLength | ErrorKind::InvalidLength | ErrorKind::Truncated => {
                    SW_WRONG_LENGTH
                }
                ErrorKind::InvalidClass => SW_CLA_NOT_SUPPORTED,
                _ => SW_WRONG_P1P2,
            },
        }
    }

    fn external_authenticate(&mut self, number: u8, raw: &[u8]) -> StatusWord {
        let Some(channel) = self.channel(number) else { return SW_CHANNEL_NOT_SUPPORTED };
        let Phase::Authenticating(handshake) = core::mem::take(&mut channel.phase) else {
            return SW_CONDITIONS;
        };
        match handshake.external_authenticate(raw) {
            Ok(session) => {
                channel.phase = Phase::Open(session);
                SW_OK
            }
            Err(e) => match e.kind {
                ErrorKind::HostCryptogramMismatch => SW_WARNING_CHANGED,
                ErrorKind::SecurityLevelNotSupported | ErrorKind::InvalidValue => SW_WRONG_P1P2,
                ErrorKind::InvalidLength | ErrorKind::Truncated => SW_WRONG_LENGTH,
                _ => SW_SECURITY,
            },
        }
    }

    /// A command under the channel's session (or plain without one).
    fn secured(&mut self, number: u8, raw: &[u8]) -> StatusWord {
        let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut) else {
            return SW_CHANNEL_NOT_SUPPORTED;
        };
        let session = match &mut channel.phase {
            Phase::Open(session) => Some(session),
            // A command between INITIALIZE UPDATE and EXTERNAL AUTHENTICATE ends the handshake.
            phase @ Phase::Authenticating(_) => {
                *phase = Phase::Idle;
                None
            }
            Phase::Idle => None,
        };
        let Some(session) = session else {
            return Self::application(&self.config.canned, raw, &mut self.response);
        };
        if self.plain.len() < raw.len() {
            self.plain.resize(raw.len(), 0);
        }
        let n = match session.unwrap_command(raw, &mut self.plain) {
            Ok(n) => n,
            Err(_) => return SW_SECURITY,
        };
        let mut plain_response = Vec::new();
        let sw = Self::application(
            &self.config.canned,
            self.plain.get(..n).unwrap_or_default(),
            &mut plain_response,
        );
        plain_response.extend_from_slice(&sw.to_bytes());
        let Ok(len) = session.wrapped_response_len(&plain_response) else { return SW_SECURITY };
        let mut wire = std::vec![0u8; len];
        match session.wrap_response(&plain_response, &mut wire) {
            Ok(n) => {
                let (body, sw) = wire.get(..n).unwrap_or_default().split_at(n.saturating_sub(2));
                self.response.extend_from_slice(body);
                match *sw {
                    [sw1, sw2] => StatusWord::new(sw1, sw2),
                    _ => SW_SECURITY,
                }
            }
            Err(_) => SW_SECURITY,
        }
    }

    /// The application behind the secure channel: canned answers and the echo command.
    fn application(canned: &[(Vec<u8>, Vec<u8>)], raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let basic = raw.first().and_then(|cla| Cla(*cla).with_channel(0).ok());
        let known = canned.iter().find(|(command, _)| {
            command.first().map(|c| Cla(*c).with_channel(0).ok()) == Some(basic)
                && command.get(1..) == raw.get(1..)
        });
        if let Some((_, response)) = known
            && let Some((data, sw)) = response.split_last_chunk::<2>()
        {
            out.extend_from_slice(data);
            return StatusWord::from(*sw);
        }
        let Ok(view) = CommandView::parse(raw) else { return SW_WRONG_LENGTH };
        if view.ins() != INS_ECHO {
            return SW_INS_NOT_SUPPORTED;
        }
        if view.cla() & 0x80 == 0 {
            return SW_CLA_NOT_SUPPORTED;
        }
        let sw = match (view.p1(), view.p2()) {
            (0, 0) => SW_OK,
            (p1, p2) => StatusWord::new(p1, p2),
        };
        out.extend_from_slice(view.data());
        sw
    }

    fn get_response(&mut self, number: u8, ne: usize) -> StatusWord {
        let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut) else {
            return SW_CHANNEL_NOT_SUPPORTED;
        };
        channel.pending.get_response(ne, &mut self.response)
    }
}

/// Opens a session between the two roles of this crate in process, without a card layer:
/// the host's INITIALIZE UPDATE answered by [`CardHandshake`] (pseudo-random challenge
/// from sequence counter 1 and `aid` when "i" has `10`, otherwise `host_challenge`
/// reversed as the card challenge), EXTERNAL AUTHENTICATE at `level` on `channel`.
/// For benches, fuzzing and tests.
pub fn session_pair(
    keys: &StaticKeys,
    i: IParameter,
    level: SecurityLevel,
    channel: u8,
    host_challenge: &[u8],
    aid: &[u8],
) -> Result<(HostSession, CardSession)> {
    let host = Handshake::new(keys.clone(), host_challenge, level)?.with_channel(channel)?;
    let (mut cmd, mut rsp) = ([0u8; 64], [0u8; 64]);
    let n = host.initialize_update_command(&mut cmd)?;
    let mut card_random = [0u8; 16];
    for (dst, src) in card_random.iter_mut().zip(host_challenge.iter().rev()) {
        *dst = *src;
    }
    let challenge = if i.pseudo_random_challenge() {
        CardChallenge::PseudoRandom { sequence_counter: [0, 0, 1], aid }
    } else {
        CardChallenge::Random(card_random.get(..host_challenge.len()).unwrap_or_default())
    };
    let (card, m) = CardHandshake::initialize_update(
        keys,
        i,
        [0; 10],
        challenge,
        cmd.get(..n).unwrap_or_default(),
        &mut rsp,
    )?;
    let auth = host.process_initialize_update_response(rsp.get(..m).unwrap_or_default())?;
    let n = auth.external_authenticate_command(&mut cmd)?;
    let card = card.external_authenticate(cmd.get(..n).unwrap_or_default())?;
    let host = auth.process_external_authenticate_response(&[0x90, 0x00])?;
    Ok((host, card))
}

impl CardSimulator for Scp03TestCard {
    fn atr(&self) -> &[u8] {
        &ATR
    }

    fn reset(&mut self) {
        self.power_on();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.respond(command, response);
        self.last_response.clear();
        self.last_response.extend_from_slice(response);
    }
}

impl Scp03TestCard {
    fn respond(&mut self, command: &[u8], response: &mut Vec<u8>) {
        if let Some(ins) = command.get(1)
            && let Some(count) = self.instructions.get_mut(usize::from(*ins))
        {
            *count = count.saturating_add(1);
        }
        self.last_command.clear();
        self.last_command.extend_from_slice(command);
        self.response.clear();
        let (sw, ne) = self.handle(command);
        let number = command.first().map_or(0, |cla| Cla(*cla).channel());
        let error = !(sw.is_success() || sw.is_warning() || sw.bytes_available().is_some());
        if error {
            self.response.clear();
        }
        if self.response.len() > ne
            && let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut)
        {
            // Hand out Ne bytes now, the rest (and the final SW) through GET RESPONSE.
            let sw = channel.pending.respond(&self.response, ne, sw, response);
            response.extend_from_slice(&sw.to_bytes());
            return;
        }
        response.extend_from_slice(&self.response);
        response.extend_from_slice(&sw.to_bytes());
    }
}
