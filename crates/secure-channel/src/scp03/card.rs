//! The on-card side: answer INITIALIZE UPDATE, verify EXTERNAL AUTHENTICATE, then
//! verify and decrypt commands and protect responses (GP Card Spec Amendment D §5.6,
//! §6.2, §7.1). The mirror image of [`HostSession`](super::HostSession), built from the
//! same primitives, so each side tests the other.

use super::cryptogram::{Challenge, pseudo_random_card_challenge};
use super::handshake::split_sw;
use super::init_update::{
    INS_INITIALIZE_UPDATE, InitializeUpdateResponse, verify_external_authenticate, write_parts,
};
use super::keys::StaticKeys;
use super::params::IParameter;
use super::session::{SessionKeys, SessionState, verify_mac};
use super::wire;
use crate::crypto::{cbc_encrypt, pad_in_place, padded_len};
use crate::error::{Error, ErrorKind, Result};

/// Where the card challenge comes from.
#[derive(Clone, Copy, Debug)]
pub enum CardChallenge<'a> {
    /// A random challenge of 8 (S8) or 16 (S16) bytes from the card's RNG ("i" without `10`).
    Random(&'a [u8]),
    /// A pseudo-random challenge ("i" with `10`, Amendment D §6.2.2.1) computed from
    /// the sequence counter (already incremented for this INITIALIZE UPDATE) and the AID
    /// of the selected security domain.
    PseudoRandom {
        /// The 3-byte sequence counter.
        sequence_counter: [u8; 3],
        /// The AID of the security domain (5–16 bytes).
        aid: &'a [u8],
    },
}

/// The card after INITIALIZE UPDATE, waiting for EXTERNAL AUTHENTICATE.
pub struct CardHandshake {
    keys: SessionKeys,
    i: IParameter,
    channel: u8,
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
    /// Processes an INITIALIZE UPDATE command and writes the response (data and `9000`)
    /// into `out` (50 bytes always suffice).
    ///
    /// Errors the card turns into status words: [`ErrorKind::KeyVersionMismatch`]
    /// (`6A88`), [`ErrorKind::InvalidChallengeLength`] (`6700`; a host then retries in
    /// the other mode), [`ErrorKind::UnexpectedInstruction`], [`ErrorKind::InvalidClass`],
    /// [`ErrorKind::InvalidValue`] (P2 not `00`, or a challenge source that does not
    /// match "i").
    pub fn initialize_update(
        keys: &StaticKeys,
        i: IParameter,
        key_diversification_data: [u8; 10],
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
        if p2 != 0 {
            return Err(ErrorKind::InvalidValue.into());
        }
        let host_challenge = Challenge::from_slice(cmd.data)?;
        if host_challenge.mode() != i.mode() {
            return Err(ErrorKind::InvalidChallengeLength.into());
        }
        let (card_challenge, counter) = match challenge {
            CardChallenge::Random(bytes) if !i.pseudo_random_challenge() => {
                (Challenge::from_slice(bytes)?, None)
            }
            CardChallenge::PseudoRandom { sequence_counter, aid } if i.pseudo_random_challenge() => (
                pseudo_random_card_challenge(keys.enc(), sequence_counter, aid, i.mode())?,
                Some(sequence_counter),
            ),
            _ => return Err(ErrorKind::InvalidValue.into()),
        };
        let session = SessionKeys::derive(keys, &host_challenge, &card_challenge)?;
        let response = InitializeUpdateResponse::new(
            key_diversification_data,
            keys.kvn(),
            i,
            card_challenge,
            session.card_cryptogram(),
            counter,
        )?;
        let mut data = [0u8; 48];
        let n = response.write(&mut data)?;
        let response = data.get(..n).ok_or(Error::buffer_too_small(n))?;
        let len = write_parts(out, &[response, &[0x90, 0x00]])?;
        Ok((Self { keys: session, i, channel }, len))
    }

    /// The derived session keys.
    pub fn session_keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// Verifies EXTERNAL AUTHENTICATE (host cryptogram and C-MAC, in constant time;
    /// the level against "i") and opens the session; the card then answers `9000`.
    /// On [`ErrorKind::HostCryptogramMismatch`] the card answers `6300`, on
    /// [`ErrorKind::MacMismatch`] `6982`; either way the handshake is over.
    pub fn external_authenticate(self, command: &[u8]) -> Result<CardSession> {
        let (level, mac) = verify_external_authenticate(&self.keys, self.i, self.channel, command)?;
        Ok(CardSession { state: SessionState::new(self.keys, level, self.channel, mac) })
    }
}

/// An open SCP03 session, card side.
///
/// Fails closed like the host side: a command with a wrong or missing C-MAC, bad
/// padding or past the counter limit terminates the session (the card answers `6982`
/// and rejects every later command until a new session, Amendment D §5.6).
#[derive(Debug)]
pub struct CardSession {
    state: SessionState,
}

impl CardSession {
    /// The session state (level, mode, counter, termination).
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// Terminates the session (new INITIALIZE UPDATE, SELECT, channel close, reset).
    pub fn terminate(&mut self) {
        self.state.terminate();
    }

    /// Sets the encryption counter limit (see [`SessionState::set_counter_limit`]).
    pub fn set_counter_limit(&mut self, limit: u32) {
        self.state.set_counter_limit(limit);
    }

    /// Verifies and decrypts a received command into `out` (`command.len()` bytes
    /// always suffice); returns the length of the plain command APDU: CLA without the
    /// secure-messaging bit, the plain data with its own Lc (short form when it fits),
    /// Le as received.
    ///
    /// At level `00` the command passes unchanged. [`ErrorKind::InvalidChannel`] (a
    /// command for another channel) and [`ErrorKind::BufferTooSmall`] leave the session
    /// as it was; every other failure — malformed command, missing secure messaging,
    /// wrong C-MAC, bad padding, counter exhausted — terminates it.
    pub fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        self.unwrap_inner(command, out).map_err(|e| self.state.fail(e))
    }

    fn unwrap_inner(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        self.state.keys()?;
        let cmd = wire::parse(command);
        let level = self.state.security_level();
        if let Ok(cmd) = &cmd
            && wire::channel(cmd.header[0]) != self.state.channel()
        {
            return Err(ErrorKind::InvalidChannel.into());
        }
        if !level.c_mac() {
            let n = write_parts(out, &[command])?;
            self.state.set_pending(true);
            return Ok(n);
        }
        // A command that cannot be parsed cannot be authenticated either.
        let cmd = cmd.map_err(|_| Error::of(ErrorKind::MissingMac))?;
        let [cla, ins, p1, p2] = cmd.header;
        let plain_cla = wire::without_sm(cla)?;
        let mac_len = self.state.mode().size();
        let Some(body_len) = cmd.data.len().checked_sub(mac_len) else {
            return Err(ErrorKind::MissingMac.into());
        };
        if out.len() < command.len() {
            return Err(Error::buffer_too_small(command.len()));
        }
        self.state.advance_counter()?;
        let keys = self.state.keys()?;
        let (body, mac) = cmd.data.split_at(body_len);
        let expected =
            keys.command_mac(self.state.mac_chain(), [wire::mac_cla(cla), ins, p1, p2], cmd.lc_field, body);
        verify_mac(&expected, self.state.mode(), mac)?;
        // The plain data is decrypted at offset 7 (room for the longest header), then
        // moved next to its final header.
        const AT: usize = 7;
        let (_, work) = out.split_at_mut(AT);
        let (plain, _) = work.split_at_mut(body_len);
        plain.copy_from_slice(body);
        let nc = if level.c_dec() && !body.is_empty() {
            keys.decrypt_padded(self.state.counter(), false, plain)?
        } else {
            body_len
        };
        let ext = wire::extended(nc, cmd.ne);
        let lc_len = wire::lc_len(nc, ext);
        out.copy_within(AT..AT + nc, 4 + lc_len);
        let (hdr, rest) = out.split_at_mut(4);
        hdr.copy_from_slice(&[plain_cla, ins, p1, p2]);
        wire::write_lc(rest, nc, ext);
        let le_at = lc_len + nc;
        let le_field = rest.get_mut(le_at..).ok_or(Error::buffer_too_small(4 + le_at))?;
        let le_len = wire::write_le(le_field, nc, cmd.ne, ext);
        self.state.set_mac_chain(expected);
        self.state.set_pending(true);
        Ok(4 + le_at + le_len)
    }

    /// The wire length of the protected `response` (data and SW).
    pub fn wrapped_response_len(&self, response: &[u8]) -> Result<usize> {
        let (data, sw) = split_sw(response)?;
        let level = self.state.security_level();
        let [sw1, sw2] = sw.to_be_bytes();
        Ok(if !level.r_mac() {
            response.len()
        } else if !wire::protected_sw(sw1, sw2) {
            2
        } else if level.r_enc() && !data.is_empty() {
            padded_len(data.len()) + self.state.mode().size() + 2
        } else {
            data.len() + self.state.mode().size() + 2
        })
    }

    /// Protects the response (plain data and SW) to the last unwrapped command into
    /// `out`; returns the wire length. With R-ENC the data is padded and encrypted
    /// (ICV from the command's counter with first byte `80`), then the R-MAC over
    /// `chaining value || data || SW` is appended. Error status words (anything but
    /// `9000`, `62xx`, `63xx`) go out alone, without data or R-MAC (Amendment D §6.2.5).
    pub fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        self.wrap_response_inner(response, out).map_err(|e| self.state.fail(e))
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
        let sw = sw.to_be_bytes();
        let level = self.state.security_level();
        let n = if !level.r_mac() {
            write_parts(out, &[response])?
        } else if total == 2 {
            write_parts(out, &[&sw])?
        } else {
            let mac_len = self.state.mode().size();
            let encrypt = level.r_enc() && !data.is_empty();
            let body_len = total - mac_len - 2;
            let (body, rest) = out.split_at_mut(body_len);
            if let Some(dst) = body.get_mut(..data.len()) {
                dst.copy_from_slice(data);
            }
            if encrypt {
                pad_in_place(body, data.len());
                cbc_encrypt(keys.enc(), &keys.icv(self.state.counter(), true), body);
            }
            let mac = keys.response_mac(self.state.mac_chain(), body, sw);
            write_parts(rest, &[self.state.mode().truncate(&mac), &sw])?;
            total
        };
        self.state.set_pending(false);
        Ok(n)
    }
}
