//! The host side over the `oxicard-apdu` card layer: [`Scp02Session::open`] runs
//! INITIALIZE UPDATE and EXTERNAL AUTHENTICATE on any [`CardChannel`] (GP Card Spec v2.3.1
//! §E.5.1, §E.5.2), [`Scp02Session::open_implicit`] reads the sequence counter and starts
//! an implicit session (§E.1.2.2); then [`Scp02Session::transmit`] wraps, sends (with the
//! card layer's GET RESPONSE handling) and unwraps every command (§E.4.4–§E.4.6). The
//! session is itself a [`CardChannel`], so code written for a card runs under SCP02
//! unchanged.

use std::vec::Vec;

use oxicard_apdu::card::{CardChannel, CardError};
use oxicard_apdu::{Cla, CommandView, Response, StatusWord};

use super::channel_error::{Scp02Error, Step};
use super::des::BLOCK;
use super::handshake::Handshake;
use super::host::HostSession;
use super::init_update::InitializeUpdateResponse;
use super::keys::StaticKeys;
use super::params::{IParameter, SecurityLevel};
use super::session::SessionState;
use super::wire::MAX_DATA;
use crate::aid::Aid;
use crate::channel::{self, SecureMessaging, Session, protected_max_data, session_error};
use crate::error::{Error, ErrorKind};

/// How to open a session: the host challenge (from the OS RNG unless given) and the AID of
/// the selected application (the pseudo-random challenge check, §E.4.2.3; required for
/// implicit initiation, §E.3.3).
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    host_challenge: Option<[u8; 8]>,
    aid: Option<Aid>,
}

impl OpenOptions {
    /// Defaults: a host challenge from the OS RNG, no AID.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this host challenge (8 bytes) instead of one from the OS RNG: for replaying a
    /// trace. [`ErrorKind::InvalidChallengeLength`] otherwise.
    pub fn with_host_challenge(mut self, challenge: &[u8]) -> Result<Self, Error> {
        self.host_challenge = Some(challenge.try_into().map_err(|_| ErrorKind::InvalidChallengeLength)?);
        Ok(self)
    }

    /// The AID of the selected application (5–16 bytes; [`ErrorKind::InvalidAid`]
    /// otherwise).
    pub fn with_aid(mut self, aid: &[u8]) -> Result<Self, Error> {
        self.aid = Some(Aid::from_slice(aid)?);
        Ok(self)
    }

    fn aid(&self) -> Option<&[u8]> {
        self.aid.as_ref().map(Aid::as_bytes)
    }

    fn challenge(&self) -> Result<[u8; 8], Scp02Error> {
        if let Some(challenge) = self.host_challenge {
            return Ok(challenge);
        }
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(Scp02Error::Rng)?;
        Ok(bytes)
    }
}

/// An open SCP02 session on a card channel (host side), itself a [`CardChannel`]. It owns
/// its channel `C` or borrows it (`Scp02Session<&mut Card<T>>`).
///
/// Commands are built for the basic channel, as for any [`CardChannel`]; the session moves
/// them to its channel, wraps them at its level (short APDUs only, GPC v2.3.1 §11.1.5),
/// sends them and unwraps the complete response. Fails closed: after an R-MAC failure or a
/// lost exchange every call returns [`Scp02Error::Terminated`] without touching the card.
/// A `6982` from the card may mean that it rejected a C-MAC and aborted its side of the
/// session (§E.1.6).
pub struct Scp02Session<C> {
    inner: Session<HostSession, C, Option<InitializeUpdateResponse>>,
}

impl<C> core::fmt::Debug for Scp02Session<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.inner.fmt(f)
    }
}

/// The host session as the card-layer session drives it.
impl SecureMessaging for HostSession {
    const NAME: &'static str = "Scp02Session";
    type State = SessionState;
    type Error = Scp02Error;

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

    /// `limit`, at most a short command's 255 bytes (§11.1.5), less the 8-byte C-MAC
    /// (§E.4.4) and the padding of C-DECRYPTION to a multiple of the DES block (§E.4.6).
    fn max_command_data(&self, limit: usize) -> usize {
        let level = self.state().security_level();
        let mac = if level.c_mac() { BLOCK } else { 0 };
        protected_max_data(limit.min(MAX_DATA), mac, BLOCK, level.c_mac() && level.c_dec())
    }
}

impl<C: CardChannel> Scp02Session<C> {
    /// Opens an explicitly initiated session on `channel` (GPC v2.3.1 §E.1.2.1):
    /// INITIALIZE UPDATE with the key version of `keys` and the host challenge, checks of
    /// the response (layout, SCP `02`, key version, the pseudo-random challenge when `i`
    /// has b7 and `options` the AID, the card cryptogram in constant time), then EXTERNAL
    /// AUTHENTICATE at `level`. `i` is the card's "i" parameter, which SCP02 does not
    /// announce in the handshake (Card Recognition Data: [`IParameter::from_scp_oid`]).
    ///
    /// Errors: [`Scp02Error::Status`] when the card refuses a step (`6A88` unknown key
    /// version, `6300` host cryptogram rejected, …), [`Scp02Error::Handshake`] when the
    /// card's answer does not check out (EXTERNAL AUTHENTICATE is then not sent: failed
    /// attempts count toward locking the card), [`Scp02Error::Card`], [`Scp02Error::Rng`].
    pub fn open(
        channel: C,
        keys: &StaticKeys,
        i: IParameter,
        level: SecurityLevel,
        options: &OpenOptions,
    ) -> Result<Self, Scp02Error> {
        Self::open_with(channel, keys, i, level, options, |_| Ok(None))
    }

    /// [`open`](Self::open) with the static keys chosen from the INITIALIZE UPDATE response
    /// (see [`Handshake::process_initialize_update_response_with`]): for keys diversified
    /// from a master key with the card's key diversification data
    /// ([`diversify`](super::diversify)).
    pub fn open_with(
        mut channel: C,
        keys: &StaticKeys,
        i: IParameter,
        level: SecurityLevel,
        options: &OpenOptions,
        keys_for: impl FnOnce(&InitializeUpdateResponse) -> Result<Option<StaticKeys>, Error>,
    ) -> Result<Self, Scp02Error> {
        let challenge = options.challenge()?;
        let mut handshake = Handshake::new(keys.clone(), i, &challenge, level)
            .and_then(|h| h.with_channel(channel.channel_number()))
            .map_err(Scp02Error::Handshake)?;
        if let Some(aid) = options.aid() {
            handshake = handshake.with_aid(aid).map_err(Scp02Error::Handshake)?;
        }
        let mut command = [0u8; 32];
        let mut response = Vec::new();
        let n = handshake.initialize_update_command(&mut command).map_err(Scp02Error::Handshake)?;
        let sent = command.get(..n).ok_or(Scp02Error::Handshake(Error::buffer_too_small(n)))?;
        let refused = |step| move |sw| Scp02Error::Status { step, sw };
        channel::step(&mut channel, sent, &mut response, refused(Step::InitializeUpdate))?;
        let auth = handshake
            .process_initialize_update_response_with(&response, keys_for)
            .map_err(Scp02Error::Handshake)?;
        let info = *auth.card_info();
        let n = auth.external_authenticate_command(&mut command).map_err(Scp02Error::Handshake)?;
        let sent = command.get(..n).ok_or(Scp02Error::Handshake(Error::buffer_too_small(n)))?;
        let sw = channel::step(&mut channel, sent, &mut response, refused(Step::ExternalAuthenticate))?;
        let host =
            auth.process_external_authenticate_response(&sw.to_bytes()).map_err(Scp02Error::Handshake)?;
        Ok(Self { inner: Session::new(channel, host, Some(info)) })
    }

    /// Starts an implicitly initiated session on `channel` (GPC v2.3.1 §E.1.2.2, "i" b3
    /// clear): reads the sequence counter of the default key set with GET DATA
    /// `80 CA 00 C1 00` (tag `C1`, §11.3; the answer `C1 02 xx xx` or the two bytes alone),
    /// then wraps every command with a C-MAC whose first ICV is the MAC over the AID given
    /// in `options` (required: [`ErrorKind::InvalidAid`] otherwise). The first command
    /// authenticates the host; there is no handshake to fail.
    pub fn open_implicit(
        mut channel: C,
        keys: &StaticKeys,
        i: IParameter,
        options: &OpenOptions,
    ) -> Result<Self, Scp02Error> {
        let aid = options.aid().ok_or(Scp02Error::Handshake(Error::of(ErrorKind::InvalidAid)))?;
        let cla = Cla(0x80).with_channel(channel.channel_number()).map_err(Scp02Error::Encode)?;
        let get_data = [cla.0, 0xCA, 0x00, 0xC1, 0x00];
        let mut response = Vec::new();
        channel::step(&mut channel, &get_data, &mut response, |sw| Scp02Error::Status {
            step: Step::SequenceCounter,
            sw,
        })?;
        let counter = match response.as_slice() {
            [0xC1, 0x02, hi, lo, _, _] | [hi, lo, _, _] => [*hi, *lo],
            _ => return Err(Scp02Error::Handshake(Error::new(ErrorKind::InvalidLength, response.len()))),
        };
        let host = HostSession::implicit(keys, i, counter, aid, channel.channel_number())
            .map_err(Scp02Error::Handshake)?;
        Ok(Self { inner: Session::new(channel, host, None) })
    }

    /// Wraps `command`, sends it and returns the unwrapped response.
    pub fn transmit(&mut self, command: &CommandView<'_>) -> Result<Response, Scp02Error> {
        self.inner.transmit(command)
    }

    /// Wraps `command` (built for the basic channel; its CLA is moved to the session's
    /// channel), sends it, and unwraps the response: the plain response data replaces
    /// `data`'s contents and the status word is returned. Allocation-free once the
    /// session's buffers and `data` have grown to the sizes in use.
    ///
    /// Errors: [`Scp02Error::Terminated`] on a terminated session (nothing is sent);
    /// [`Scp02Error::Command`] / [`Scp02Error::Encode`] for a command that cannot be wrapped
    /// (the session is unchanged); [`Scp02Error::Card`] (terminates the session);
    /// [`Scp02Error::SecurityFailure`] for a response whose R-MAC is wrong or missing
    /// (terminates the session; `data` is left empty).
    pub fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, Scp02Error> {
        self.inner.transmit_into(command, data)
    }

    /// The security level of the session.
    pub fn security_level(&self) -> SecurityLevel {
        self.state().security_level()
    }

    /// The session state: level, "i", channel, termination.
    pub fn state(&self) -> &SessionState {
        self.inner.host().state()
    }

    /// Whether the session is terminated (by a failure; [`close`](Self::close) consumes it).
    pub fn is_terminated(&self) -> bool {
        self.state().is_terminated()
    }

    /// What the card said in its INITIALIZE UPDATE response (`None` for an implicit session).
    pub fn card_info(&self) -> Option<&InitializeUpdateResponse> {
        self.inner.info().as_ref()
    }

    /// Encrypts key material with the data encryption session key
    /// ([`HostSession::encrypt_key_data`]), e.g. for [`put_key_command`](super::put_key_command).
    pub fn encrypt_key_data(&self, key_data: &[u8], out: &mut [u8]) -> Result<usize, Scp02Error> {
        self.host().encrypt_key_data(key_data, out).map_err(session_error)
    }

    /// The host side of the session, for key material ([`HostSession::encrypt_key_data`]).
    pub fn host(&self) -> &HostSession {
        self.inner.host()
    }

    /// The channel the session runs on, to inspect it (commands go through the session).
    pub fn channel(&self) -> &C {
        self.inner.channel()
    }

    /// Ends the session (keys wiped) and gives the channel back. The card keeps its side
    /// open until its next INITIALIZE UPDATE, SELECT, channel close or reset (§E.1.6).
    pub fn close(self) -> C {
        self.inner.close()
    }
}

/// The session as a channel: wrapped commands on the session's channel, nothing on any other.
impl<C: CardChannel> CardChannel for Scp02Session<C> {
    fn channel_number(&self) -> u8 {
        self.inner.channel_number()
    }

    /// [`Scp02Session::transmit_into`], its [`Scp02Error`] as a [`CardError`].
    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.inner.card_transmit_into(command, data)
    }

    /// What a short command carries once protected: 247 bytes with C-MAC (8-byte C-MAC,
    /// GPC v2.3.1 §E.4.4), 239 with C-DECRYPTION (padding to a multiple of 8 with at least
    /// one byte, §E.4.6), bounded by the channel underneath.
    fn max_command_data(&self) -> usize {
        self.inner.max_command_data()
    }
}
