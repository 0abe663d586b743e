//! The host side over the `oxicard-apdu` card layer: [`Scp03Session::open`] runs
//! INITIALIZE UPDATE and EXTERNAL AUTHENTICATE on any [`CardChannel`] (GP Card Spec
//! Amendment D §7.1.1, §7.1.2), then [`Scp03Session::transmit`] wraps, sends (with the
//! card layer's GET RESPONSE handling) and unwraps every command (§6.2.4–§6.2.7). The
//! session is itself a [`CardChannel`], so code written for a card runs under SCP03 unchanged.

use std::vec::Vec;

use oxicard_apdu::card::{CardChannel, CardError};
use oxicard_apdu::{CommandView, Response, StatusWord};

use super::channel_error::{Scp03Error, Step};
use super::cryptogram::Challenge;
use super::handshake::Handshake;
use super::host::HostSession;
use super::init_update::InitializeUpdateResponse;
use super::keys::StaticKeys;
use super::params::{Mode, SecurityLevel};
use super::session::SessionState;
use crate::aid::Aid;
use crate::channel::{self, SecureMessaging, Session, protected_max_data};
use crate::crypto::BLOCK;
use crate::error::Error;

/// How to open a session: the host challenge (from the OS RNG unless given), the mode of
/// a generated challenge, and the AID of the selected security domain for the
/// pseudo-random challenge check (Amendment D §6.2.2.1).
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    host_challenge: Option<Challenge>,
    mode: Option<Mode>,
    aid: Option<Aid>,
}

impl OpenOptions {
    /// Defaults: an 8-byte (S8) host challenge from the OS RNG, no AID.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this host challenge (8 bytes for S8, 16 for S16) instead of one from the OS
    /// RNG: for replaying a trace. [`ErrorKind::InvalidChallengeLength`](crate::ErrorKind::InvalidChallengeLength) otherwise.
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
    /// card challenge is checked against the sequence counter ([`ErrorKind::InvalidAid`](crate::ErrorKind::InvalidAid)
    /// otherwise).
    pub fn with_aid(mut self, aid: &[u8]) -> Result<Self, Error> {
        self.aid = Some(Aid::from_slice(aid)?);
        Ok(self)
    }

    fn challenge(&self) -> Result<Challenge, Scp03Error> {
        if let Some(challenge) = self.host_challenge {
            return Ok(challenge);
        }
        let mut bytes = [0u8; 16];
        let n = self.mode.unwrap_or(Mode::S8).size();
        let random = bytes
            .get_mut(..n)
            .ok_or(Scp03Error::Handshake(crate::error::ErrorKind::InvalidChallengeLength.into()))?;
        getrandom::fill(random).map_err(Scp03Error::Rng)?;
        Challenge::from_slice(random).map_err(Scp03Error::Handshake)
    }
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
    inner: Session<HostSession, C, InitializeUpdateResponse>,
}

impl<C> core::fmt::Debug for Scp03Session<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.inner.fmt(f)
    }
}

/// The host session as the card-layer session drives it.
impl SecureMessaging for HostSession {
    const NAME: &'static str = "Scp03Session";
    type State = SessionState;
    type Error = Scp03Error;

    fn state(&self) -> &SessionState {
        HostSession::state(self)
    }

    fn is_terminated(&self) -> bool {
        HostSession::state(self).is_terminated()
    }

    fn channel(&self) -> u8 {
        HostSession::state(self).channel()
    }

    fn wrapped_len(&self, command: &[u8]) -> Result<usize, Error> {
        HostSession::wrapped_len(self, command)
    }

    fn wrap(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        HostSession::wrap(self, command, out)
    }

    fn unwrap(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        HostSession::unwrap(self, response, out)
    }

    fn terminate(&mut self) {
        HostSession::terminate(self);
    }

    /// `limit` less the C-MAC (8 or 16 bytes, Amendment D §6.2.4) and the padding of
    /// C-DECRYPTION to a multiple of the AES block (§6.2.6).
    fn max_command_data(&self, limit: usize) -> usize {
        let level = self.state().security_level();
        let mac = if level.c_mac() { self.state().mode().size() } else { 0 };
        protected_max_data(limit, mac, BLOCK, level.c_dec())
    }
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
        let sent = command.get(..n).ok_or(Scp03Error::Handshake(Error::buffer_too_small(n)))?;
        let refused = |step| move |sw| Scp03Error::Status { step, sw };
        channel::step(&mut channel, sent, &mut response, refused(Step::InitializeUpdate))?;
        let auth = handshake
            .process_initialize_update_response_with(&response, keys_for)
            .map_err(Scp03Error::Handshake)?;
        let info = *auth.card_info();
        let n = auth.external_authenticate_command(&mut command).map_err(Scp03Error::Handshake)?;
        let sent = command.get(..n).ok_or(Scp03Error::Handshake(Error::buffer_too_small(n)))?;
        let sw = channel::step(&mut channel, sent, &mut response, refused(Step::ExternalAuthenticate))?;
        let host =
            auth.process_external_authenticate_response(&sw.to_bytes()).map_err(Scp03Error::Handshake)?;
        Ok(Self { inner: Session::new(channel, host, info) })
    }

    /// Wraps `command`, sends it and returns the unwrapped response.
    pub fn transmit(&mut self, command: &CommandView<'_>) -> Result<Response, Scp03Error> {
        self.inner.transmit(command)
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
        self.inner.transmit_into(command, data)
    }

    /// The security level of the session.
    pub fn security_level(&self) -> SecurityLevel {
        self.state().security_level()
    }

    /// The session state: level, mode, channel, encryption counter, termination.
    pub fn state(&self) -> &SessionState {
        self.inner.host().state()
    }

    /// Whether the session is terminated (by a failure; [`close`](Self::close) consumes it).
    pub fn is_terminated(&self) -> bool {
        self.state().is_terminated()
    }

    /// What the card said in its INITIALIZE UPDATE response: key diversification data,
    /// key version, "i", sequence counter.
    pub fn card_info(&self) -> &InitializeUpdateResponse {
        self.inner.info()
    }

    /// Sets the encryption counter limit ([`SessionState::set_counter_limit`]).
    pub fn set_counter_limit(&mut self, limit: u32) {
        self.inner.host_mut().set_counter_limit(limit);
    }

    /// The channel the session runs on, to inspect it (commands go through the session).
    pub fn channel(&self) -> &C {
        self.inner.channel()
    }

    /// Ends the session (keys wiped) and gives the channel back. The card keeps its side
    /// open until its next INITIALIZE UPDATE, SELECT, channel close or reset
    /// (Amendment D §5.6).
    pub fn close(self) -> C {
        self.inner.close()
    }
}

/// The session as a channel: wrapped commands on the session's channel (Amendment D
/// §6.2.4–§6.2.7), nothing on any other.
impl<C: CardChannel> CardChannel for Scp03Session<C> {
    fn channel_number(&self) -> u8 {
        self.inner.channel_number()
    }

    /// [`Scp03Session::transmit_into`], its [`Scp03Error`] as a [`CardError`].
    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.inner.card_transmit_into(command, data)
    }

    /// What the channel underneath carries, less the C-MAC (8 or 16 bytes, Amendment D
    /// §6.2.4) and the padding of C-DECRYPTION (§6.2.6): 247 at C-MAC in S8 mode, 239 with
    /// C-DECRYPTION.
    fn max_command_data(&self) -> usize {
        self.inner.max_command_data()
    }
}
