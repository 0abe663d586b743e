//! The host side of the session setup as a state machine (GP Card Spec Amendment D
//! §7.1.1, §7.1.2): [`Handshake`] → INITIALIZE UPDATE → [`Authenticating`] →
//! EXTERNAL AUTHENTICATE → [`HostSession`].

use super::cryptogram::{Aid, Challenge, pseudo_random_card_challenge};
use super::host::HostSession;
use super::init_update::{
    ExternalAuthenticate, InitializeUpdateResponse, external_authenticate, initialize_update_command,
    write_external_authenticate,
};
use super::keys::StaticKeys;
use super::params::SecurityLevel;
use super::session::{SessionKeys, SessionState};
use super::wire::gp_cla;
use crate::error::{Error, ErrorKind, Result};

/// Splits a response APDU into data and status word; [`ErrorKind::Truncated`] below 2 bytes.
pub(crate) fn split_sw(response: &[u8]) -> Result<(&[u8], u16)> {
    match response.split_last_chunk::<2>() {
        Some((data, sw)) => Ok((data, u16::from_be_bytes(*sw))),
        None => Err(Error::new(ErrorKind::Truncated, response.len())),
    }
}

/// The first state: keys, host challenge, wanted level, channel, optional AID.
#[derive(Clone, Debug)]
pub struct Handshake {
    keys: StaticKeys,
    host_challenge: Challenge,
    level: SecurityLevel,
    channel: u8,
    aid: Option<Aid>,
}

impl Handshake {
    /// Starts a handshake with `keys` (whose KVN goes into P1 of INITIALIZE UPDATE),
    /// a host challenge of 8 (S8) or 16 (S16) random bytes — the caller supplies it
    /// from its RNG — and the security level to ask for. Logical channel 0.
    pub fn new(keys: StaticKeys, host_challenge: &[u8], level: SecurityLevel) -> Result<Self> {
        let host_challenge = Challenge::from_slice(host_challenge)?;
        Ok(Self { keys, host_challenge, level, channel: 0, aid: None })
    }

    /// Opens the session on logical `channel` (0–19) instead of 0.
    pub fn with_channel(mut self, channel: u8) -> Result<Self> {
        gp_cla(channel)?;
        self.channel = channel;
        Ok(self)
    }

    /// The AID of the selected security domain (5–16 bytes): with it, a pseudo-random
    /// card challenge is checked against the sequence counter (Amendment D §6.2.2.1).
    pub fn with_aid(mut self, aid: &[u8]) -> Result<Self> {
        self.aid = Some(Aid::from_slice(aid)?);
        Ok(self)
    }

    /// The INITIALIZE UPDATE command: `80 50 KVN 00 Lc host-challenge 00`.
    pub fn initialize_update_command(&self, out: &mut [u8]) -> Result<usize> {
        initialize_update_command(self.keys.kvn(), &self.host_challenge, self.channel, out)
    }

    /// Processes the INITIALIZE UPDATE response (data and status word).
    ///
    /// Checks, in order: SW `9000` ([`ErrorKind::UnexpectedStatus`] with the SW), the
    /// response layout, the KVN (when a non-zero one was asked for), the mode against
    /// the host challenge, the level against "i", the pseudo-random challenge (when an
    /// AID was given), and the card cryptogram in constant time. On a
    /// [`ErrorKind::CardCryptogramMismatch`] do not send EXTERNAL AUTHENTICATE: failed
    /// attempts count toward locking the card.
    pub fn process_initialize_update_response(self, response: &[u8]) -> Result<Authenticating> {
        self.process_initialize_update_response_with(response, |_| Ok(None))
    }

    /// [`process_initialize_update_response`](Self::process_initialize_update_response)
    /// with the static keys chosen once the response is known: `keys_for` gets the parsed
    /// response — its key diversification data (Amendment D §7.1.1.6), KVN and "i" — and
    /// returns the keys to use instead of the handshake's (per-card diversified keys), or
    /// `None` to keep them. Its error ends the handshake.
    pub fn process_initialize_update_response_with(
        mut self,
        response: &[u8],
        keys_for: impl FnOnce(&InitializeUpdateResponse) -> Result<Option<StaticKeys>>,
    ) -> Result<Authenticating> {
        let (data, sw) = split_sw(response)?;
        if sw != 0x9000 {
            return Err(Error::new(ErrorKind::UnexpectedStatus, usize::from(sw)));
        }
        let info = InitializeUpdateResponse::parse(data)?;
        if let Some(keys) = keys_for(&info)? {
            self.keys = keys;
        }
        if self.keys.kvn() != 0 && info.kvn() != self.keys.kvn() {
            return Err(Error::new(ErrorKind::KeyVersionMismatch, 10));
        }
        if info.i().mode() != self.host_challenge.mode() {
            return Err(ErrorKind::InvalidChallengeLength.into());
        }
        if !info.i().allows(self.level) {
            return Err(ErrorKind::SecurityLevelNotSupported.into());
        }
        if let (Some(aid), Some(counter)) = (&self.aid, info.sequence_counter()) {
            let expected =
                pseudo_random_card_challenge(self.keys.enc(), counter, aid.as_bytes(), info.i().mode())?;
            if !expected.ct_matches(info.card_challenge().as_bytes()) {
                return Err(ErrorKind::CardChallengeMismatch.into());
            }
        }
        let keys = SessionKeys::derive(&self.keys, &self.host_challenge, info.card_challenge())?;
        if !keys.card_cryptogram().ct_matches(info.card_cryptogram().as_bytes()) {
            return Err(ErrorKind::CardCryptogramMismatch.into());
        }
        let auth = external_authenticate(&keys, self.level);
        Ok(Authenticating { keys, info, level: self.level, channel: self.channel, auth })
    }
}

/// The second state: the card is authenticated; EXTERNAL AUTHENTICATE is ready.
pub struct Authenticating {
    keys: SessionKeys,
    info: InitializeUpdateResponse,
    level: SecurityLevel,
    channel: u8,
    auth: ExternalAuthenticate,
}

impl core::fmt::Debug for Authenticating {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authenticating")
            .field("info", &self.info)
            .field("level", &self.level)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl Authenticating {
    /// What the card said in its INITIALIZE UPDATE response.
    pub fn card_info(&self) -> &InitializeUpdateResponse {
        &self.info
    }

    /// The derived session keys.
    pub fn session_keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// The EXTERNAL AUTHENTICATE command: `84 82 level 00 Lc host-cryptogram C-MAC`
    /// (with the channel in CLA).
    pub fn external_authenticate_command(&self, out: &mut [u8]) -> Result<usize> {
        write_external_authenticate(&self.auth, self.keys.mode(), self.channel, out)
    }

    /// Processes the EXTERNAL AUTHENTICATE response (its status word; it carries no
    /// R-MAC, Amendment D §6.2.5) and opens the session. [`ErrorKind::UnexpectedStatus`]
    /// with the SW otherwise (`6300`: the card rejected the host cryptogram — do not retry).
    pub fn process_external_authenticate_response(self, response: &[u8]) -> Result<HostSession> {
        let (_, sw) = split_sw(response)?;
        if sw != 0x9000 {
            return Err(Error::new(ErrorKind::UnexpectedStatus, usize::from(sw)));
        }
        Ok(HostSession::new(SessionState::new(self.keys, self.level, self.channel, self.auth.mac)))
    }
}
