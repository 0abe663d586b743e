//! The host side over the `oxicard-apdu` card layer: [`Scp03Session::open`] runs
//! INITIALIZE UPDATE and EXTERNAL AUTHENTICATE on any [`CardChannel`] (GP Card Spec
//! Amendment D §7.1.1, §7.1.2), then [`Scp03Session::transmit`] wraps, sends (with the
//! card layer's GET RESPONSE handling) and unwraps every command (§6.2.4–§6.2.7). The
//! session is itself a [`CardChannel`], so code written for a card runs under SCP03 unchanged.

use std::vec::Vec;

use oxicard_apdu::card::{CardChannel, CardError};
use oxicard_apdu::{Cla, CommandView, Response, ResponseView, StatusWord};

use super::channel_error::{Scp03Error, Step};
use super::cryptogram::Challenge;
use super::handshake::Handshake;
use super::host::HostSession;
use super::init_update::InitializeUpdateResponse;
use super::keys::StaticKeys;
use super::params::{Mode, SecurityLevel};
use super::session::SessionState;
use crate::error::{Error, ErrorKind};

/// How to open a session: the host challenge (from the OS RNG unless given), the mode of
/// a generated challenge, and the AID of the selected security domain for the
/// pseudo-random challenge check (Amendment D §6.2.2.1).
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    host_challenge: Option<Challenge>,
    mode: Option<Mode>,
    aid: Option<super::cryptogram::Aid>,
}

impl OpenOptions {
    /// Defaults: an 8-byte (S8) host challenge from the OS RNG, no AID.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this host challenge (8 bytes for S8, 16 for S16) instead of one from the OS
    /// RNG: for replaying a trace. [`ErrorKind::InvalidChallengeLength`] otherwise.
    pub fn with_host_challenge(mut self, challenge: &[u8]) -> Result<Self, Error> {
        self.host_challenge = Some(Challenge::from_slice(challenge)?);
        Ok(self)
    }

    /// The mode of a generated host challenge: S16 for cards whose "i" has `01`
    /// (they answer `6700` to an 8-byte challenge). Ignored with a given challenge.
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The AID of the selected security domain (5–16 bytes): with it, a pseudo-random
    /// card challenge is checked against the sequence counter ([`ErrorKind::InvalidAid`]
    /// otherwise).
    pub fn with_aid(mut self, aid: &[u8]) -> Result<Self, Error> {
        self.aid = Some(super::cryptogram::Aid::from_slice(aid)?);
        Ok(self)
    }

    fn challenge(&self) -> Result<Challenge, Scp03Error> {
        if let Some(challenge) = self.host_challenge {
            return Ok(challenge);
        }
        let mut bytes = [0u8; 16];
        let n = self.mode.unwrap_or(Mode::S8).size();
        let random = bytes.get_mut(..n).unwrap_or_default();
        getrandom::fill(random).map_err(Scp03Error::Rng)?;
        Challenge::from_slice(random).map_err(Scp03Error::Handshake)
    }
}

/// Reusable buffers: the plain command, the wrapped command, the unwrapped response.
#[derive(Debug, Default)]
struct Buffers {
    plain: Vec<u8>,
    wire: Vec<u8>,
    response: Vec<u8>,
}

/// Resizes `buf` to at least `len` bytes (it only grows) and returns the first `len`.
fn room(buf: &mut Vec<u8>, len: usize) -> &mut [u8] {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    buf.get_mut(..len).unwrap_or_default()
}

/// An open SCP03 session on a card channel (host side), itself a [`CardChannel`]. It owns
/// its channel `C` (`Scp03Session<Card<T>>`, `Scp03Session<LogicalChannel<Card<T>>>`) or
/// borrows it (`Scp03Session<&mut Card<T>>`): while it lives, every command on that channel
/// goes through it, and an owning session can be kept in a struct across calls.
///
/// Commands are built for the basic channel, as for any [`CardChannel`]; the session
/// moves them to its channel, wraps them at its level (extended length when the wrapped
/// command needs it), sends them and unwraps the complete response (after the card
/// layer's GET RESPONSE rounds). Fails closed: after a security failure or a lost
/// exchange every call returns [`Scp03Error::Terminated`] without touching the card.
///
/// Responses with an error status word carry no R-MAC and are returned as they are
/// (Amendment D §6.2.5); a `6982` may mean that the card rejected a C-MAC and ended its
/// side of the session.
///
/// As a [`CardChannel`] the session's errors are [`CardError`]s: a failure of the channel
/// underneath as it is, a failure of the session as [`CardError::SecureChannel`] carrying the
/// [`Scp03Error`] (`Scp03Error::from(card_error)` gives it back). The inherent
/// [`transmit`](Self::transmit) and [`transmit_into`](Self::transmit_into) return the
/// [`Scp03Error`] directly. The session protects its one channel: it opens no other logical
/// channel and sends on no other ([`CardError::NotSupported`]); open a session per channel.
pub struct Scp03Session<C> {
    channel: C,
    host: HostSession,
    info: InitializeUpdateResponse,
    buffers: Buffers,
}

impl<C> core::fmt::Debug for Scp03Session<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scp03Session")
            .field("state", self.host.state())
            .field("card_info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Sends raw command bytes on `channel`; returns data || SW in `out`.
fn exchange<C: CardChannel>(
    channel: &mut C,
    command: &[u8],
    out: &mut Vec<u8>,
) -> Result<StatusWord, Scp03Error> {
    let view = CommandView::parse(command).map_err(Scp03Error::Encode)?;
    let sw = channel.transmit_into(&view, out)?;
    out.extend_from_slice(&sw.to_bytes());
    Ok(sw)
}

impl<C: CardChannel> Scp03Session<C> {
    /// Opens a session on `channel` (GP Card Spec Amendment D §7.1): INITIALIZE UPDATE with
    /// the key version of `keys` and the host challenge, checks of the response (key
    /// version, mode, `level` against the card's "i" parameter, the pseudo-random
    /// challenge when `options` has the AID, the card cryptogram in constant time), then
    /// EXTERNAL AUTHENTICATE at `level`.
    ///
    /// Errors: [`Scp03Error::Status`] when the card refuses a step (`6A88` unknown key
    /// version, `6300` host cryptogram rejected, `6982` …), [`Scp03Error::Handshake`] when
    /// the card's answer does not check out (EXTERNAL AUTHENTICATE is then not sent:
    /// failed attempts count toward locking the card), [`Scp03Error::Card`],
    /// [`Scp03Error::Rng`]. An owned `channel` is dropped with the error: open on `&mut`
    /// to keep it.
    pub fn open(
        channel: C,
        keys: &StaticKeys,
        level: SecurityLevel,
        options: &OpenOptions,
    ) -> Result<Self, Scp03Error> {
        Self::open_with(channel, keys, level, options, |_| Ok(None))
    }

    /// [`open`](Self::open) with the static keys chosen from the INITIALIZE UPDATE
    /// response (see [`Handshake::process_initialize_update_response_with`]): `keys` gives
    /// the key version for INITIALIZE UPDATE, `keys_for` the keys to authenticate with —
    /// e.g. keys diversified from a master key with the card's key diversification data
    /// (Amendment D §7.1.1.6). Its error is a [`Scp03Error::Handshake`]; EXTERNAL
    /// AUTHENTICATE is then not sent.
    pub fn open_with(
        mut channel: C,
        keys: &StaticKeys,
        level: SecurityLevel,
        options: &OpenOptions,
        keys_for: impl FnOnce(&InitializeUpdateResponse) -> Result<Option<StaticKeys>, Error>,
    ) -> Result<Self, Scp03Error> {
        let challenge = options.challenge()?;
        let mut handshake = Handshake::new(keys.clone(), challenge.as_bytes(), level)
            .and_then(|h| h.with_channel(channel.channel_number()))
            .map_err(Scp03Error::Handshake)?;
        if let Some(aid) = &options.aid {
            handshake = handshake.with_aid(aid.as_bytes()).map_err(Scp03Error::Handshake)?;
        }
        let mut command = [0u8; 64];
        let mut response = Vec::new();
        let n = handshake.initialize_update_command(&mut command).map_err(Scp03Error::Handshake)?;
        let sw = exchange(&mut channel, command.get(..n).unwrap_or_default(), &mut response)?;
        if sw != StatusWord::SUCCESS {
            return Err(Scp03Error::Status { step: Step::InitializeUpdate, sw });
        }
        let auth = handshake
            .process_initialize_update_response_with(&response, keys_for)
            .map_err(Scp03Error::Handshake)?;
        let info = *auth.card_info();
        let n = auth.external_authenticate_command(&mut command).map_err(Scp03Error::Handshake)?;
        let sw = exchange(&mut channel, command.get(..n).unwrap_or_default(), &mut response)?;
        if sw != StatusWord::SUCCESS {
            return Err(Scp03Error::Status { step: Step::ExternalAuthenticate, sw });
        }
        let host =
            auth.process_external_authenticate_response(&sw.to_bytes()).map_err(Scp03Error::Handshake)?;
        Ok(Self { channel, host, info, buffers: Buffers::default() })
    }

    /// Wraps `command`, sends it and returns the unwrapped response.
    pub fn transmit(&mut self, command: &CommandView<'_>) -> Result<Response, Scp03Error> {
        let mut data = Vec::new();
        let sw = self.transmit_into(command, &mut data)?;
        Ok(Response::new(data, sw))
    }

    /// Wraps `command` (built for the basic channel; its CLA is moved to the session's
    /// channel), sends it, and unwraps the response: the plain response data replaces
    /// `data`'s contents and the status word is returned. Allocation-free once the
    /// session's buffers and `data` have grown to the sizes in use.
    ///
    /// Errors: [`Scp03Error::Terminated`] on a terminated session (nothing is sent);
    /// [`Scp03Error::Command`] / [`Scp03Error::Encode`] for a command that cannot be
    /// wrapped (the session is unchanged); [`Scp03Error::Card`] (terminates the session);
    /// [`Scp03Error::SecurityFailure`] for a response whose R-MAC, padding or form is
    /// wrong (terminates the session; `data` is left empty).
    pub fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, Scp03Error> {
        data.clear();
        if self.host.state().is_terminated() {
            return Err(Scp03Error::Terminated);
        }
        let ch = self.host.state().channel();
        let cla = Cla(command.cla()).with_channel(ch).map_err(Scp03Error::Encode)?;
        let command = command.with_cla(cla.0);
        let len = command.encoded_len().map_err(Scp03Error::Encode)?;
        let plain = room(&mut self.buffers.plain, len);
        let len = command.encode_into(plain).map_err(Scp03Error::Encode)?;
        let plain = plain.get(..len).unwrap_or_default();
        let wire_len = self.host.wrapped_len(plain).map_err(session_error)?;
        let wire = room(&mut self.buffers.wire, wire_len);
        let n = self.host.wrap(plain, wire).map_err(session_error)?;
        let wire = wire.get(..n).unwrap_or_default();
        // From here on the card's state follows ours only if the exchange completes.
        if let Err(e) = exchange(&mut self.channel, wire, data) {
            self.host.terminate();
            data.clear();
            return Err(e);
        }
        let out = room(&mut self.buffers.response, data.len());
        let result = self.host.unwrap(data, out);
        data.clear();
        let n = result.map_err(session_error)?;
        let sw = match ResponseView::parse(out.get(..n).unwrap_or_default()) {
            Ok(plain) => {
                data.extend_from_slice(plain.data());
                Ok(plain.sw())
            }
            Err(_) => Err(Scp03Error::SecurityFailure(Error::of(ErrorKind::Truncated))),
        };
        // Wipe the plain response copy; the caller has its own.
        out.fill(0);
        sw
    }

    /// The security level of the session.
    pub fn security_level(&self) -> SecurityLevel {
        self.host.state().security_level()
    }

    /// The session state: level, mode, channel, encryption counter, termination.
    pub fn state(&self) -> &SessionState {
        self.host.state()
    }

    /// Whether the session is terminated (by a failure; [`close`](Self::close) consumes it).
    pub fn is_terminated(&self) -> bool {
        self.host.state().is_terminated()
    }

    /// What the card said in its INITIALIZE UPDATE response: key diversification data,
    /// key version, "i", sequence counter.
    pub fn card_info(&self) -> &InitializeUpdateResponse {
        &self.info
    }

    /// Sets the encryption counter limit ([`SessionState::set_counter_limit`]).
    pub fn set_counter_limit(&mut self, limit: u32) {
        self.host.set_counter_limit(limit);
    }

    /// The channel the session runs on, to inspect it (commands go through the session).
    pub fn channel(&self) -> &C {
        &self.channel
    }

    /// Ends the session (keys wiped) and gives the channel back. The card keeps its side
    /// open until its next INITIALIZE UPDATE, SELECT, channel close or reset
    /// (Amendment D §5.6).
    pub fn close(mut self) -> C {
        self.host.terminate();
        self.channel
    }
}

/// The session as a channel: wrapped commands on the session's channel (Amendment D
/// §6.2.4–§6.2.7), nothing on any other.
impl<C: CardChannel> CardChannel for Scp03Session<C> {
    fn channel_number(&self) -> u8 {
        self.host.state().channel()
    }

    /// [`Scp03Session::transmit_into`], its [`Scp03Error`] as a [`CardError`].
    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        Scp03Session::transmit_into(self, command, data).map_err(CardError::from)
    }

    /// What the channel underneath carries, less the C-MAC (8 or 16 bytes, Amendment D
    /// §6.2.4) and the padding of C-DECRYPTION (§6.2.6): 247 at C-MAC in S8 mode, 239 with
    /// C-DECRYPTION.
    fn max_command_data(&self) -> usize {
        let level = self.security_level();
        let mac = if level.c_mac() { self.state().mode().size() } else { 0 };
        protected_max_data(self.channel.max_command_data(), mac, level.c_dec())
    }
}

/// The largest plain data length whose SCP03 protection fits `limit` bytes: C-MAC adds `mac`
/// bytes; C-DECRYPTION pads to a multiple of 16 with at least one byte (ISO/IEC 9797-1 method 2,
/// Amendment D §6.2.6), so the encrypted length is `(n / 16 + 1) × 16`.
const fn protected_max_data(limit: usize, mac: usize, encrypted: bool) -> usize {
    let room = limit.saturating_sub(mac);
    if encrypted { (room / 16 * 16).saturating_sub(1) } else { room }
}

/// Maps an error of a session call: security failures terminated the session.
fn session_error(error: Error) -> Scp03Error {
    match error.kind {
        ErrorKind::Terminated => Scp03Error::Terminated,
        kind if kind.is_security_failure() => Scp03Error::SecurityFailure(error),
        _ => Scp03Error::Command(error),
    }
}

#[cfg(test)]
mod tests {
    use super::protected_max_data;

    #[test]
    fn overheads() {
        assert_eq!(protected_max_data(255, 0, false), 255);
        assert_eq!(protected_max_data(255, 8, false), 247);
        // 239 bytes pad to 240, + 8 MAC = 248 ≤ 255; 240 would pad to 256.
        assert_eq!(protected_max_data(255, 8, true), 239);
        assert_eq!(protected_max_data(255, 16, true), 223);
    }
}
