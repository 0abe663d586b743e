//! The SCP02 card simulator ([`Scp02TestCard`](super::Scp02TestCard)).

use std::vec::Vec;

use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::sim::CardSimulator;

use super::ATR;
use super::skeleton::{
    CardMessaging, CardProtocol, Phase, SW_CONDITIONS, SW_OK, SW_SECURITY, SW_WRONG_DATA, SW_WRONG_LENGTH,
    SW_WRONG_P1P2, Simulator, Xorshift, external_authenticate_sw, initialize_update_sw, prefix,
};
use crate::error::{Error, ErrorKind, Result};
use crate::scp02::{
    CardChallenge, CardHandshake, CardSession, Handshake, HostSession, IParameter, Initiation, SecretKey,
    SecurityLevel, StaticKeys, parse_des_key_field,
};

/// Settings of a [`Scp02TestCard`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Scp02TestCardConfig {
    /// The card's static keys (with their key version).
    pub keys: StaticKeys,
    /// The "i" parameter.
    pub i: IParameter,
    /// The AID of the security domain (SELECT target, pseudo-random challenge, implicit ICV).
    pub aid: Vec<u8>,
    /// The key diversification data of the INITIALIZE UPDATE response.
    pub key_diversification_data: [u8; 10],
    /// The sequence counter of the key set at power-on.
    pub sequence_counter: u16,
    /// Seed of the deterministic "random" card challenges. Not random: this is a simulator.
    pub seed: u64,
    /// Canned answers: a plain command APDU (as unwrapped, CLA on the basic channel) and its
    /// plain response (data || SW).
    pub canned: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Scp02TestCardConfig {
    /// A card with `keys`, `i`, the ISD AID `A000000151000000`, key diversification data
    /// `00…00`, sequence counter 0 and seed 1.
    pub fn new(keys: StaticKeys, i: IParameter) -> Self {
        Self {
            keys,
            i,
            aid: std::vec![0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00],
            key_diversification_data: [0; 10],
            sequence_counter: 0,
            seed: 1,
            canned: Vec::new(),
        }
    }

    /// Sets [`aid`](Self::aid).
    #[must_use]
    pub fn with_aid(mut self, aid: Vec<u8>) -> Self {
        self.aid = aid;
        self
    }

    /// Sets [`key_diversification_data`](Self::key_diversification_data).
    #[must_use]
    pub fn with_key_diversification_data(mut self, kdd: [u8; 10]) -> Self {
        self.key_diversification_data = kdd;
        self
    }

    /// Sets [`sequence_counter`](Self::sequence_counter).
    #[must_use]
    pub fn with_sequence_counter(mut self, counter: u16) -> Self {
        self.sequence_counter = counter;
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

/// The SCP02 part of the simulator: configuration, the current key set and its sequence
/// counter, challenge generator.
#[derive(Debug)]
struct Scp02 {
    config: Scp02TestCardConfig,
    keys: StaticKeys,
    sequence_counter: u16,
    rng: Xorshift,
}

impl CardProtocol for Scp02 {
    type Handshake = CardHandshake;
    type Session = CardSession;

    fn aid(&self) -> &[u8] {
        &self.config.aid
    }

    fn canned(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.config.canned
    }

    /// GPC v2.3.1 §E.5.1: the card challenge pseudo-random over the AID ("i" b7) or six bytes
    /// from the generator; the sequence counter does not advance yet.
    fn initialize_update(
        &mut self,
        raw: &[u8],
        out: &mut Vec<u8>,
    ) -> core::result::Result<CardHandshake, StatusWord> {
        let i = self.config.i;
        let [a, b, c, d, e, f, _, _] = self.rng.next();
        let challenge = if i.pseudo_random_challenge() {
            CardChallenge::PseudoRandom { aid: &self.config.aid }
        } else {
            CardChallenge::Random([a, b, c, d, e, f])
        };
        let mut response = [0u8; 32];
        let (handshake, n) = CardHandshake::initialize_update(
            &self.keys,
            i,
            self.config.key_diversification_data,
            self.sequence_counter.to_be_bytes(),
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
        let session = handshake.external_authenticate(raw).map_err(external_authenticate_sw)?;
        // The counter advances once the host is authenticated (§E.1.2).
        self.sequence_counter = self.sequence_counter.saturating_add(1);
        Ok(session)
    }

    /// With an "i" of implicit initiation: a command with secure messaging starts a session
    /// unless one runs (§E.1.2.2), one without ends it (§E.1.6).
    fn enter(
        &mut self,
        number: u8,
        raw: &[u8],
        phase: &mut Phase<CardHandshake, CardSession>,
    ) -> core::result::Result<(), StatusWord> {
        if self.config.i.initiation() != Initiation::Implicit {
            return Ok(());
        }
        let sm = raw.first().is_some_and(|cla| {
            let cla = *cla;
            if cla & 0x40 != 0 { cla & 0x20 != 0 } else { cla & 0x0C == 0x04 }
        });
        if !sm {
            // A command without secure messaging ends the implicit session (§E.1.6).
            *phase = Phase::Idle;
        } else if !matches!(phase, Phase::Open(s) if !s.state().is_terminated()) {
            let counter = self.sequence_counter.to_be_bytes();
            let session = CardSession::implicit(&self.keys, self.config.i, counter, &self.config.aid, number)
                .map_err(|_| SW_CONDITIONS)?;
            *phase = Phase::Open(session);
        }
        Ok(())
    }

    fn verified(&mut self, session: &CardSession) {
        if self.config.i.initiation() == Initiation::Implicit && session.state().commands() == 1 {
            // The first verified C-MAC of an implicit session authenticates the host (§E.1.2.2).
            self.sequence_counter = self.sequence_counter.saturating_add(1);
        }
    }

    /// GET DATA `C1` (the sequence counter, §11.3) and PUT KEY (with the session DEK, §11.8).
    fn application(
        &mut self,
        session: Option<&CardSession>,
        view: &CommandView<'_>,
        out: &mut Vec<u8>,
    ) -> Option<StatusWord> {
        match (view.ins(), view.p1(), view.p2()) {
            (0xCA, 0x00, 0xC1) => {
                out.extend_from_slice(&[0xC1, 0x02]);
                out.extend_from_slice(&self.sequence_counter.to_be_bytes());
                Some(SW_OK)
            }
            (0xD8, ..) => {
                let dek =
                    session.and_then(|s| s.session_keys().map(|k| (k.dek().clone(), s.state().initiation())));
                let Some((dek, initiation)) = dek else { return Some(SW_SECURITY) };
                Some(Self::put_key(&mut self.keys, &dek, initiation, &mut self.sequence_counter, view, out))
            }
            _ => None,
        }
    }
}

impl Scp02 {
    /// PUT KEY replacing the whole key set with three DES keys (GPC v2.3.1 §11.8): P2 `81`,
    /// data `KVN (80 10 key 03 KCV) × 3`.
    fn put_key(
        keys: &mut StaticKeys,
        dek: &SecretKey,
        initiation: Initiation,
        counter: &mut u16,
        view: &CommandView<'_>,
        out: &mut Vec<u8>,
    ) -> StatusWord {
        if view.p2() != 0x81 {
            return SW_WRONG_P1P2;
        }
        let Some((&kvn, mut fields)) = view.data().split_first() else { return SW_WRONG_DATA };
        let mut next = || {
            let (key, n) = parse_des_key_field(dek, initiation, fields)?;
            let (_, rest) = fields.split_at_checked(n).ok_or(Error::new(ErrorKind::Truncated, n))?;
            fields = rest;
            Ok::<_, Error>(key)
        };
        let (enc, mac, dek) = match (next(), next(), next()) {
            (Ok(enc), Ok(mac), Ok(dek)) => (enc, mac, dek),
            (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) if e.kind == ErrorKind::MacMismatch => {
                return SW_SECURITY;
            }
            _ => return SW_WRONG_DATA,
        };
        out.push(kvn);
        for key in [&enc, &mac, &dek] {
            out.extend_from_slice(&key.check_value());
        }
        *keys = StaticKeys::from_keys(kvn, enc, mac, dek);
        // A new key set starts its sequence counter at 0 (§E.1.2).
        *counter = 0;
        SW_OK
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

/// A small SCP02 card simulator for tests, benches and demos, built on
/// the card side of this crate ([`CardHandshake`], [`CardSession`] of
/// [`scp02`](crate::scp02)). Like [`Scp03TestCard`](super::Scp03TestCard) it implements
/// [`CardSimulator`]; each logical channel has its own session.
///
/// | command | behaviour |
/// |---|---|
/// | `00 A4 04 00 Lc AID [Le]` SELECT | the configured AID: `9000` (ends the channel's session), else `6A82` |
/// | `00 70 00 00 01` / `00 70 80 nn` MANAGE CHANNEL | open the lowest free channel / close `nn` |
/// | `00 C0 00 00 Le` GET RESPONSE | next part of a long (protected) response |
/// | `80 50 KVN 00 08 challenge 00` INITIALIZE UPDATE | the card's answer (GPC v2.3.1 §E.5.1), explicit "i" only |
/// | `84 82 SL 00 10 cryptogram C-MAC` EXTERNAL AUTHENTICATE | opens the session at SL; the sequence counter advances (§E.1.2) |
/// | `80 CA 00 C1 00` GET DATA | the sequence counter: `C1 02 xx xx` (§11.3) |
/// | `80 D8 P1 P2 Lc KVN (80 10 key 03 KCV)… 00` PUT KEY | decrypts the DES keys with the session DEK, checks their KCVs, replaces the key set (counter back to 0, §E.1.2); answers `KVN KCV…` |
/// | `80 EE P1 P2 [Lc data] [Le]` ECHO | the data back; SW `9000`, or `P1 P2` as the SW when not `0000` |
/// | a command of [`Scp02TestCardConfig::canned`] (once unwrapped) | its canned response |
///
/// With an "i" of implicit initiation (b3 clear) the first command with secure messaging
/// starts a session (§E.1.2.2, §E.1.6): its C-MAC authenticates the host and advances the
/// counter; a command without secure messaging ends the session and runs plain. Status
/// words: unknown key version `6A88`, wrong length `6700`, host cryptogram wrong `6300`,
/// C-MAC wrong `6982` (and every later command on the channel until a new session),
/// EXTERNAL AUTHENTICATE without INITIALIZE UPDATE `6985`, a level "i" does not offer
/// `6A86`, a KCV that does not match `6982` (Table 11-78).
#[derive(Debug)]
pub struct Scp02TestCard {
    sim: Simulator<Scp02>,
}

impl Scp02TestCard {
    /// A card with `config`, powered on.
    pub fn new(config: Scp02TestCardConfig) -> Self {
        let protocol = Scp02 {
            keys: config.keys.clone(),
            sequence_counter: config.sequence_counter,
            rng: Xorshift::new(config.seed),
            config,
        };
        Self { sim: Simulator::new(protocol) }
    }

    /// The configuration.
    pub fn config(&self) -> &Scp02TestCardConfig {
        &self.sim.protocol().config
    }

    /// The card's current static keys (changed by PUT KEY).
    pub fn keys(&self) -> &StaticKeys {
        &self.sim.protocol().keys
    }

    /// How many commands with instruction byte `ins` the card received.
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

    /// The sequence counter of the key set.
    pub fn sequence_counter(&self) -> u16 {
        self.sim.protocol().sequence_counter
    }
}

impl CardSimulator for Scp02TestCard {
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

/// Opens an explicit SCP02 session between the two roles of this crate in process, without
/// a card layer: the host's INITIALIZE UPDATE answered by [`CardHandshake`] (sequence counter
/// 1; the pseudo-random challenge over `aid` when "i" has b7, otherwise `host_challenge`'s
/// first six bytes reversed), EXTERNAL AUTHENTICATE at `level` on `channel`. For benches,
/// fuzzing and tests.
pub fn scp02_session_pair(
    keys: &StaticKeys,
    i: IParameter,
    level: SecurityLevel,
    channel: u8,
    host_challenge: &[u8; 8],
    aid: &[u8],
) -> Result<(HostSession, CardSession)> {
    let host =
        Handshake::new(keys.clone(), i, host_challenge, level)?.with_channel(channel)?.with_aid(aid)?;
    let (mut cmd, mut rsp) = ([0u8; 32], [0u8; 32]);
    let n = host.initialize_update_command(&mut cmd)?;
    let [a, b, c, d, e, f, _, _] = *host_challenge;
    let challenge = if i.pseudo_random_challenge() {
        CardChallenge::PseudoRandom { aid }
    } else {
        CardChallenge::Random([f, e, d, c, b, a])
    };
    let (card, m) =
        CardHandshake::initialize_update(keys, i, [0; 10], [0, 1], challenge, prefix(&cmd, n)?, &mut rsp)?;
    let auth = host.process_initialize_update_response(prefix(&rsp, m)?)?;
    let n = auth.external_authenticate_command(&mut cmd)?;
    let card = card.external_authenticate(prefix(&cmd, n)?)?;
    let host = auth.process_external_authenticate_response(&[0x90, 0x00])?;
    Ok((host, card))
}
