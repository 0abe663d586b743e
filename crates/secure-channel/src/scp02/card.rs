//! The on-card side: answer INITIALIZE UPDATE, verify EXTERNAL AUTHENTICATE, then verify
//! and decrypt commands and add R-MACs to responses (GP Card Spec v2.3.1 §E.1.5, §E.1.6,
//! §E.4, §E.5). The mirror image of [`HostSession`](super::HostSession), written from the
//! specification apart from the host path where it can be: the card MACs the header it
//! received (turned to channel 0) rather than one it built, decrypts before it verifies,
//! and computes each R-MAC in one pass over the stored stripped command rather than as a
//! running MAC, so that each side tests the other.

use subtle::ConstantTimeEq;

use super::cryptogram::{card_cryptogram, host_cryptogram, mac_over_aid, pseudo_random_card_challenge};
use super::des::{BLOCK, Block, unpad_strict};
use super::init_update::{INS_EXTERNAL_AUTHENTICATE, INS_INITIALIZE_UPDATE, InitializeUpdateResponse};
use super::keys::StaticKeys;
use super::params::{IParameter, Initiation, SecurityLevel};
use super::session::{SessionKeys, SessionState, verify_mac};
use super::wire::{self, split_sw, write_parts};
use crate::error::{Error, ErrorKind, Result};

/// Where the card challenge comes from.
#[derive(Clone, Copy, Debug)]
pub enum CardChallenge<'a> {
    /// A random challenge of 6 bytes from the card's RNG ("i" without b7).
    Random([u8; 6]),
    /// The well-known pseudo-random challenge ("i" with b7, GPC v2.3.1 §E.4.2.3): from the
    /// C-MAC session key of this session and the AID of the application opening it.
    PseudoRandom {
        /// The AID (5–16 bytes).
        aid: &'a [u8],
    },
}

/// The card after INITIALIZE UPDATE, waiting for EXTERNAL AUTHENTICATE.
pub struct CardHandshake {
    keys: SessionKeys,
    i: IParameter,
    channel: u8,
    host_challenge: [u8; 8],
    card_challenge: [u8; 6],
}

impl core::fmt::Debug for CardHandshake {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardHandshake")
            .field("i", &self.i)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl CardHandshake {
    /// Processes an INITIALIZE UPDATE command (GPC v2.3.1 §E.5.1) and writes the response
    /// (28 data bytes and `9000`, 30 bytes) into `out`. `sequence_counter` is the current
    /// value for the key set; the card increments it once EXTERNAL AUTHENTICATE verifies
    /// (§E.1.2), which is the caller's business.
    ///
    /// Errors the card turns into status words: [`ErrorKind::KeyVersionMismatch`]
    /// (`6A88`), [`ErrorKind::InvalidChallengeLength`] (`6700`),
    /// [`ErrorKind::UnexpectedInstruction`], [`ErrorKind::InvalidClass`],
    /// [`ErrorKind::InvalidValue`] (P2 not `00`, an "i" with implicit initiation, or a
    /// challenge source that does not match "i").
    pub fn initialize_update(
        keys: &StaticKeys,
        i: IParameter,
        key_diversification_data: [u8; 10],
        sequence_counter: [u8; 2],
        challenge: CardChallenge<'_>,
        command: &[u8],
        out: &mut [u8],
    ) -> Result<(Self, usize)> {
        let cmd = wire::parse(command)?;
        let [cla, ins, kvn, p2] = cmd.header;
        let channel = wire::channel(cla);
        if wire::gp_cla(channel)? != cla {
            return Err(ErrorKind::InvalidClass.into());
        }
        if ins != INS_INITIALIZE_UPDATE {
            return Err(ErrorKind::UnexpectedInstruction.into());
        }
        if kvn != 0 && kvn != keys.kvn() {
            return Err(Error::new(ErrorKind::KeyVersionMismatch, 2));
        }
        if p2 != 0 || i.initiation() != Initiation::Explicit {
            return Err(ErrorKind::InvalidValue.into());
        }
        let host_challenge: [u8; 8] = cmd.data.try_into().map_err(|_| ErrorKind::InvalidChallengeLength)?;
        let session = SessionKeys::derive(keys, sequence_counter);
        let card_challenge = match challenge {
            CardChallenge::Random(bytes) if !i.pseudo_random_challenge() => bytes,
            CardChallenge::PseudoRandom { aid } if i.pseudo_random_challenge() => {
                pseudo_random_card_challenge(session.c_mac(), aid)?
            }
            _ => return Err(ErrorKind::InvalidValue.into()),
        };
        let cryptogram = card_cryptogram(session.s_enc(), &host_challenge, sequence_counter, &card_challenge);
        let response = InitializeUpdateResponse::new(
            key_diversification_data,
            keys.kvn(),
            sequence_counter,
            card_challenge,
            cryptogram,
        );
        let mut data = [0u8; InitializeUpdateResponse::LEN];
        response.write(&mut data)?;
        let len = write_parts(out, &[&data, &[0x90, 0x00]])?;
        Ok((Self { keys: session, i, channel, host_challenge, card_challenge }, len))
    }

    /// The derived session keys.
    pub fn session_keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// Verifies EXTERNAL AUTHENTICATE (GPC v2.3.1 §E.5.2): the host cryptogram and the C-MAC
    /// (ICV zero, §E.3.2) in constant time, the level against "i"; then opens the session
    /// (the card answers `9000`). On [`ErrorKind::HostCryptogramMismatch`] the card answers
    /// `6300`, on [`ErrorKind::MacMismatch`] `6982`; either way the handshake is over.
    pub fn external_authenticate(self, command: &[u8]) -> Result<CardSession> {
        let cmd = wire::parse(command)?;
        let [cla, ins, p1, p2] = cmd.header;
        if ins != INS_EXTERNAL_AUTHENTICATE {
            return Err(ErrorKind::UnexpectedInstruction.into());
        }
        if wire::without_sm(cla)? != wire::gp_cla(self.channel)? {
            return Err(ErrorKind::InvalidClass.into());
        }
        if p2 != 0 {
            return Err(ErrorKind::InvalidValue.into());
        }
        let level = SecurityLevel::from_byte(p1)?;
        if !self.i.allows(level) {
            return Err(ErrorKind::SecurityLevelNotSupported.into());
        }
        let Some((cryptogram, mac)) = cmd.data.split_first_chunk::<8>().filter(|(_, m)| m.len() == BLOCK)
        else {
            return Err(Error::new(ErrorKind::InvalidLength, 4));
        };
        let counter = self.keys.sequence_counter();
        let expected =
            host_cryptogram(self.keys.s_enc(), &self.host_challenge, counter, &self.card_challenge);
        let ok_cryptogram = expected.ct_eq(cryptogram);
        // The MAC over the header as received, channel number removed (§E.4.4).
        let header = if self.i.mac_on_unmodified_apdu() {
            [wire::stripped_cla(cla), ins, p1, p2, 0x08]
        } else {
            [wire::mac_cla(cla), ins, p1, p2, 0x10]
        };
        let expected_mac = self.keys.c_mac_key().retail_mac(&[0; BLOCK], &[&header, cryptogram]);
        if !bool::from(ok_cryptogram) {
            return Err(ErrorKind::HostCryptogramMismatch.into());
        }
        verify_mac(&expected_mac, mac)?;
        let state = SessionState::new(
            self.keys,
            self.i,
            level,
            Initiation::Explicit,
            self.channel,
            expected_mac,
            expected_mac,
        );
        Ok(CardSession::new(state))
    }
}

/// The longest stripped command of the R-MAC input: header, Lc, 255 data bytes.
const R_MAC_INPUT: usize = 5 + wire::MAX_DATA;

/// An open SCP02 session, card side.
///
/// Fails closed like the host side (GPC v2.3.1 §E.1.6): a command with a wrong or missing
/// C-MAC or bad padding terminates the session (the card answers `6982` and rejects every
/// later command until a new session). In an implicit session every command must carry a
/// C-MAC: a plain one ends the session (the card then handles it at the level
/// AUTHENTICATED and starts a new implicit session with the next C-MAC, §E.1.6 — the
/// caller's business, as in the crate's test card).
pub struct CardSession {
    state: SessionState,
    /// The stripped command of the pending response: CLA INS P1 P2 Lc data (§E.4.5).
    r_mac_input: [u8; R_MAC_INPUT],
    r_mac_len: usize,
}

impl core::fmt::Debug for CardSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardSession").field("state", &self.state).finish_non_exhaustive()
    }
}

impl CardSession {
    fn new(state: SessionState) -> Self {
        Self { state, r_mac_input: [0; R_MAC_INPUT], r_mac_len: 0 }
    }

    /// An implicitly initiated session (GPC v2.3.1 §E.1.2.2, §E.3.3): the card's current
    /// `sequence_counter` for the key set, the AID of the selected application (the first
    /// ICV is a MAC over it), level C-MAC. The first command whose C-MAC verifies
    /// authenticates the host (§E.4.3); the card then increments its counter (the caller's
    /// business; [`SessionState::commands`] tells).
    pub fn implicit(
        keys: &StaticKeys,
        i: IParameter,
        sequence_counter: [u8; 2],
        aid: &[u8],
        channel: u8,
    ) -> Result<Self> {
        if i.initiation() != Initiation::Implicit {
            return Err(ErrorKind::InvalidValue.into());
        }
        wire::gp_cla(channel)?;
        let keys = SessionKeys::derive_implicit(keys, sequence_counter)?;
        let c_icv = mac_over_aid(keys.c_mac_key(), aid)?;
        let r_icv = mac_over_aid(keys.r_mac_key(), aid)?;
        let state =
            SessionState::new(keys, i, SecurityLevel::C_MAC, Initiation::Implicit, channel, c_icv, r_icv);
        Ok(Self::new(state))
    }

    /// The session state (level, "i", channel, termination).
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// The session keys (`None` once terminated): the DEK session key decrypts PUT KEY key
    /// data ([`decrypt_key_data`](super::decrypt_key_data)).
    pub fn session_keys(&self) -> Option<&SessionKeys> {
        self.state.keys().ok()
    }

    /// Terminates the session (new INITIALIZE UPDATE, SELECT, channel close, reset).
    pub fn terminate(&mut self) {
        self.state.terminate();
        self.r_mac_input.fill(0);
    }

    /// Verifies and decrypts a received command into `out` (`command.len()` bytes always
    /// suffice); returns the length of the plain command APDU: CLA without the
    /// secure-messaging bit, the plain data with its Lc, Le as received.
    ///
    /// At the levels without C-MAC (`00`, `10`) the command passes unchanged. With
    /// C-DECRYPTION the data field is decrypted (S-ENC, ICV zero) and its padding removed
    /// before the C-MAC is verified over the plain command (§E.4.6); a command without data
    /// may come with or without an encrypted padding block. [`ErrorKind::InvalidChannel`] (a
    /// command for another channel) and [`ErrorKind::BufferTooSmall`] leave the session as
    /// it was; every other failure — malformed command, missing secure messaging, wrong
    /// C-MAC, bad padding — terminates it.
    pub fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        self.unwrap_inner(command, out).inspect_err(|e| {
            if e.kind.is_security_failure() {
                self.terminate();
            }
        })
    }

    fn unwrap_inner(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        let keys = self.state.keys()?;
        let parsed = wire::parse(command);
        if let Ok(cmd) = &parsed
            && wire::channel(cmd.header[0]) != self.state.channel()
        {
            return Err(ErrorKind::InvalidChannel.into());
        }
        let level = self.state.security_level();
        if !level.c_mac() {
            if level.r_mac() {
                let cmd = parsed?;
                let [cla, ins, p1, p2] = cmd.header;
                self.r_mac_len = write_parts(
                    &mut self.r_mac_input,
                    &[&[wire::stripped_cla(cla), ins, p1, p2, cmd.data.len() as u8], cmd.data],
                )?;
            }
            let n = write_parts(out, &[command])?;
            self.state.count_plain();
            self.state.set_pending();
            return Ok(n);
        }
        // A command that cannot be parsed cannot be authenticated either.
        let cmd = parsed.map_err(|_| Error::of(ErrorKind::MissingMac))?;
        let [cla, ins, p1, p2] = cmd.header;
        let plain_cla = wire::without_sm(cla)?;
        let Some((body, mac)) = cmd.data.split_last_chunk::<BLOCK>() else {
            return Err(ErrorKind::MissingMac.into());
        };
        if out.len() < command.len() {
            return Err(Error::buffer_too_small(command.len()));
        }
        // The plain data goes right after the header and Lc of the plain command.
        let (head, rest) = out.split_at_mut(5);
        let (plain, _) = rest.split_at_mut(body.len());
        plain.copy_from_slice(body);
        let n = if level.c_dec() && !body.is_empty() {
            let len = body.len().is_multiple_of(BLOCK).then(|| {
                keys.enc_key().cbc_decrypt(&[0; BLOCK], plain);
                unpad_strict(plain)
            });
            match len.flatten() {
                Some(len) => len,
                None => {
                    plain.fill(0);
                    return Err(ErrorKind::InvalidPadding.into());
                }
            }
        } else {
            body.len()
        };
        let Some((data, _)) = plain.split_at_checked(n) else { return Err(ErrorKind::InvalidPadding.into()) };
        // ICV: the last verified C-MAC, single-DES encrypted with the first half of the
        // C-MAC key except for the first ICV of the session (§E.3.4).
        let mut icv: Block = *self.state.c_mac_chain();
        if self.state.i().icv_encryption() && !self.state.first_icv() {
            keys.c_mac_key().encrypt_k1(&mut icv);
        }
        let header = if self.state.i().mac_on_unmodified_apdu() {
            [wire::stripped_cla(cla), ins, p1, p2, n as u8]
        } else {
            [wire::mac_cla(cla), ins, p1, p2, (n + BLOCK) as u8]
        };
        let expected = keys.c_mac_key().retail_mac(&icv, &[&header, data]);
        if let Err(e) = verify_mac(&expected, mac) {
            plain.fill(0);
            return Err(e);
        }
        if level.r_mac() {
            self.r_mac_len = write_parts(
                &mut self.r_mac_input,
                &[&[wire::stripped_cla(cla), ins, p1, p2, n as u8], data],
            )?;
        }
        head.copy_from_slice(&[plain_cla, ins, p1, p2, n as u8]);
        // No data: no Lc either, Le (if any) at offset 4; else Le after the data.
        let le_at = if n == 0 { 4 } else { 5 + n };
        if let (Some(le), Some(slot)) = (cmd.le, out.get_mut(le_at)) {
            *slot = le;
        }
        let len = le_at + usize::from(cmd.le.is_some());
        self.state.set_c_mac(expected);
        self.state.set_pending();
        Ok(len)
    }

    /// The wire length of the protected `response` (data and SW).
    pub fn wrapped_response_len(&self, response: &[u8]) -> Result<usize> {
        let (data, [sw1, sw2]) = split_sw(response)?;
        Ok(if !self.state.security_level().r_mac() {
            response.len()
        } else if !wire::protected_sw(sw1, sw2) {
            2
        } else {
            data.len() + BLOCK + 2
        })
    }

    /// Protects the response (plain data and SW) to the last unwrapped command into `out`;
    /// returns the wire length. With R-MAC (GPC v2.3.1 §E.4.5) the R-MAC over
    /// `stripped command || Li data || SW` (ICV: the previous R-MAC) goes between data and
    /// SW. An error status word (anything but `9000`, `62xx`, `63xx`) goes out alone and
    /// without data; its R-MAC (over `Li = 00`) is still computed and chained.
    pub fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        let result = self.wrap_response_inner(response, out);
        result.map_err(|e| self.state.fail(e))
    }

    fn wrap_response_inner(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        let keys = self.state.keys()?;
        if !self.state.response_pending() {
            return Err(ErrorKind::NoPendingCommand.into());
        }
        let total = self.wrapped_response_len(response)?;
        if out.len() < total {
            return Err(Error::buffer_too_small(total));
        }
        let (data, sw) = split_sw(response)?;
        if !self.state.security_level().r_mac() {
            let n = write_parts(out, &[response])?;
            self.state.clear_pending();
            return Ok(n);
        }
        let [sw1, sw2] = sw;
        let data = if wire::protected_sw(sw1, sw2) { data } else { &[] };
        let (command, _) = self
            .r_mac_input
            .split_at_checked(self.r_mac_len)
            .ok_or(Error::new(ErrorKind::InvalidLength, self.r_mac_len))?;
        let li = (data.len() % 256) as u8;
        let mac = keys.r_mac_key().retail_mac(self.state.r_mac_chain(), &[command, &[li], data, &sw]);
        let n = if total == 2 { write_parts(out, &[&sw])? } else { write_parts(out, &[data, &mac, &sw])? };
        self.state.set_r_mac_chain(mac);
        self.state.clear_pending();
        Ok(n)
    }
}
