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
//!
//! [`Scp02TestCard`] is the same for SCP02 (GP Card Spec v2.3.1 Appendix E), with
//! [`scp02_session_pair`] for the pure core.

mod scp02;
mod skeleton;

pub use self::scp02::{Scp02TestCard, Scp02TestCardConfig, scp02_session_pair};

use std::vec::Vec;

use oxicard_apdu::StatusWord;
use oxicard_transport::sim::CardSimulator;

use self::skeleton::{
    CardMessaging, CardProtocol, SW_CONDITIONS, SW_WRONG_LENGTH, Simulator, Xorshift,
    external_authenticate_sw, initialize_update_sw, prefix,
};
use crate::error::Result;
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

/// The SCP03 part of the simulator: configuration, sequence counter, challenge generator.
#[derive(Debug)]
struct Scp03 {
    config: Scp03TestCardConfig,
    sequence_counter: u32,
    rng: Xorshift,
}

impl CardProtocol for Scp03 {
    type Handshake = CardHandshake;
    type Session = CardSession;

    fn aid(&self) -> &[u8] {
        &self.config.aid
    }

    fn canned(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.config.canned
    }

    /// Amendment D §7.1.1: the sequence counter advances before a pseudo-random challenge
    /// (`6985` once exhausted); else a challenge of the mode's length from the generator.
    fn initialize_update(
        &mut self,
        raw: &[u8],
        out: &mut Vec<u8>,
    ) -> core::result::Result<CardHandshake, StatusWord> {
        let i = self.config.i;
        let mut random = [0u8; 16];
        let (random, _) = random.split_at_mut(i.mode().size().min(16));
        let challenge = if i.pseudo_random_challenge() {
            if self.sequence_counter >= 0x00FF_FFFF {
                return Err(SW_CONDITIONS);
            }
            self.sequence_counter += 1;
            let [_, a, b, c] = self.sequence_counter.to_be_bytes();
            CardChallenge::PseudoRandom { sequence_counter: [a, b, c], aid: &self.config.aid }
        } else {
            for chunk in random.chunks_mut(8) {
                let bytes = self.rng.next();
                let (bytes, _) = bytes.split_at(chunk.len());
                chunk.copy_from_slice(bytes);
            }
            CardChallenge::Random(random)
        };
        let mut response = [0u8; 64];
        let (handshake, n) = CardHandshake::initialize_update(
            &self.config.keys,
            i,
            self.config.key_diversification_data,
            challenge,
            raw,
            &mut response,
        )
        .map_err(initialize_update_sw)?;
        // The response ends in 9000, which the simulator appends.
        let (data, _) = prefix(&response, n)
            .map_err(initialize_update_sw)?
            .split_last_chunk::<2>()
            .ok_or(SW_WRONG_LENGTH)?;
        out.extend_from_slice(data);
        Ok(handshake)
    }

    fn external_authenticate(
        &mut self,
        handshake: CardHandshake,
        raw: &[u8],
    ) -> core::result::Result<CardSession, StatusWord> {
        handshake.external_authenticate(raw).map_err(external_authenticate_sw)
    }
}

impl CardMessaging for CardSession {
    fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        CardSession::unwrap_command(self, command, out)
    }

    fn wrapped_response_len(&self, response: &[u8]) -> Result<usize> {
        CardSession::wrapped_response_len(self, response)
    }

    fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        CardSession::wrap_response(self, response, out)
    }
}

/// The simulator; see the [module documentation](self).
#[derive(Debug)]
pub struct Scp03TestCard {
    sim: Simulator<Scp03>,
}

impl Scp03TestCard {
    /// A card with `config`, powered on.
    pub fn new(config: Scp03TestCardConfig) -> Self {
        let protocol =
            Scp03 { sequence_counter: config.sequence_counter, rng: Xorshift::new(config.seed), config };
        Self { sim: Simulator::new(protocol) }
    }

    /// The configuration.
    pub fn config(&self) -> &Scp03TestCardConfig {
        &self.sim.protocol().config
    }

    /// How many commands with instruction byte `ins` the card received (GET RESPONSE
    /// and commands it could not parse included).
    pub fn count(&self, ins: u8) -> usize {
        self.sim.count(ins)
    }

    /// The last command APDU received, as it came over the wire.
    pub fn last_command(&self) -> &[u8] {
        self.sim.last_command()
    }

    /// The last response APDU sent, as it went over the wire.
    pub fn last_response(&self) -> &[u8] {
        self.sim.last_response()
    }

    /// The card-side session of `channel`, if one is open (terminated or not).
    pub fn session(&self, channel: u8) -> Option<&CardSession> {
        self.sim.session(channel)
    }

    /// The sequence counter (the value the last INITIALIZE UPDATE used).
    pub fn sequence_counter(&self) -> u32 {
        self.sim.protocol().sequence_counter
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
    let (card, m) =
        CardHandshake::initialize_update(keys, i, [0; 10], challenge, prefix(&cmd, n)?, &mut rsp)?;
    let auth = host.process_initialize_update_response(prefix(&rsp, m)?)?;
    let n = auth.external_authenticate_command(&mut cmd)?;
    let card = card.external_authenticate(prefix(&cmd, n)?)?;
    let host = auth.process_external_authenticate_response(&[0x90, 0x00])?;
    Ok((host, card))
}

impl CardSimulator for Scp03TestCard {
    fn atr(&self) -> &[u8] {
        &ATR
    }

    fn reset(&mut self) {
        self.sim.power_on();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.sim.process(command, response);
    }
}
