//! The host side over the `oxicard-apdu` card layer: [`Scp03Session::open`] runs
//! INITIALIZE UPDATE and EXTERNAL AUTHENTICATE on any [`CardChannel`] (GP Card Spec
//! Amendment D §7.1.1, §7.1.2), then [`Scp03Session::transmit`] wraps, sends (with the
//! card layer's GET RESPONSE handling) and unwraps every command (§6.2.4–§6.2.7).

use std::vec::Vec;

use oxicard_apdu::card::CardChannel;
use oxicard_apdu::{Cla, CommandView, Response, StatusWord};

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

/// An open SCP03 session on a card channel (host side). It borrows its channel: while it
/// lives, every command on that channel goes through it.
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
pub struct Scp03Session<'a, C: CardChannel + ?Sized> {
    channel: &'a mut C,
    host: HostSession,
    info: InitializeUpdateResponse,
    buffers: Buffers,
}

impl<C: CardChannel + ?Sized> core::fmt::Debug for Scp03Session<'_, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scp03Session")
            .field("state", self.host.state())
            .field("card_info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Sends raw command bytes on `channel`; returns data || SW in `out`.
fn exchange<C: CardChannel + ?Sized>(
    channel: &mut C,
    command: &[u8],
    out: &mut Vec<u8>,
) -> Result<StatusWord, Scp03Error> {
    let view = CommandView::parse(command).map_err(Scp03Error::Encode)?;
    let sw = channel.transmit_into(&view, out)?;
    out.extend_from_slice(&sw.to_bytes());
    Ok(sw)
}

impl<'a, C: CardChannel + ?Sized> Scp03Session<'a, C> {
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
    /// [`Scp03Error::Rng`].
    pub fn open(
        channel: &'a mut C,
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
        channel: &'a mut C,
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
        let sw = exchange(channel, command.get(..n).unwrap_or_default(), &mut response)?;
        if sw != StatusWord::SUCCESS {
            return Err(Scp03Error::Status { step: Step::InitializeUpdate, sw });
        }
        let auth = handshake
            .process_initialize_update_response_with(&response, keys_for)
            .map_err(Scp03Error::Handshake)?;
        let info = *auth.card_info();
        let n = auth.external_authenticate_command(&mut command).map_err(Scp03Error::Handshake)?;
        let sw = exchange(channel, command.get(..n).unwrap_or_default(), &mut response)?;
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
        if let Err(e) = exchange(self.channel, wire, data) {
            self.host.terminate();
            data.clear();
            return Err(e);
        }
        let out = room(&mut self.buffers.response, data.len());
        let result = self.host.unwrap(data, out);
        data.clear();
        let n = result.map_err(session_error)?;
        let (body, sw) = out.get(..n).unwrap_or_default().split_at(n.saturating_sub(2));
        data.extend_from_slice(body);
        let sw = match *sw {
            [sw1, sw2] => StatusWord::new(sw1, sw2),
            _ => return Err(Scp03Error::SecurityFailure(Error::of(ErrorKind::Truncated))),
        };
        // Wipe the plain response copy; the caller has its own.
        out.fill(0);
        Ok(sw)
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

    /// Ends the session (keys wiped) and gives the channel back. The card keeps its side
    /// open until its next INITIALIZE UPDATE, SELECT, channel close or reset
    /// (Amendment D §5.6).
    pub fn close(mut self) -> &'a mut C {
        self.host.terminate();
        self.channel
    }
}

/// Maps an error of a session call: security failures terminated the session.
fn session_error(error: Error) -> Scp03Error {
    match error.kind {
        ErrorKind::Terminated => Scp03Error::Terminated,
        kind if kind.is_security_failure() => Scp03Error::SecurityFailure(error),
        _ => Scp03Error::Command(error),
    }
}
