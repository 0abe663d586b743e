//! The host side of an explicitly initiated session as a state machine (GP Card Spec
//! v2.3.1 §E.1.2.1, §E.5.1, §E.5.2): [`Handshake`] → INITIALIZE UPDATE →
//! [`Authenticating`] → EXTERNAL AUTHENTICATE → [`HostSession`].

use subtle::ConstantTimeEq;

use super::cryptogram::{card_cryptogram, host_cryptogram, pseudo_random_card_challenge};
use super::des::Block;
use super::host::HostSession;
use super::init_update::{
    InitializeUpdateResponse, external_authenticate_mac, initialize_update_command,
    write_external_authenticate,
};
use super::keys::StaticKeys;
use super::params::{IParameter, Initiation, SecurityLevel};
use super::session::{SessionKeys, SessionState};
use super::wire::{gp_cla, split_sw};
use crate::aid::Aid;
use crate::error::{Error, ErrorKind, Result};

/// The first state: keys, "i", host challenge, wanted level, channel, optional AID.
#[derive(Clone, Debug)]
pub struct Handshake {
    keys: StaticKeys,
    i: IParameter,
    host_challenge: [u8; 8],
    level: SecurityLevel,
    channel: u8,
    aid: Option<Aid>,
}

impl Handshake {
    /// Starts a handshake with `keys` (whose KVN goes into P1 of INITIALIZE UPDATE), the
    /// card's "i" parameter (SCP02 does not announce it in the handshake), a host challenge
    /// of 8 random bytes — the caller supplies it from its RNG — and the security level to
    /// ask for. Logical channel 0.
    ///
    /// [`ErrorKind::InvalidChallengeLength`] unless 8 bytes; [`ErrorKind::InvalidValue`]
    /// for an "i" with implicit initiation (see [`HostSession::implicit`]);
    /// [`ErrorKind::SecurityLevelNotSupported`] for R-MAC where "i" has no R-MAC.
    pub fn new(keys: StaticKeys, i: IParameter, host_challenge: &[u8], level: SecurityLevel) -> Result<Self> {
        let host_challenge: [u8; 8] =
            host_challenge.try_into().map_err(|_| ErrorKind::InvalidChallengeLength)?;
        if i.initiation() != Initiation::Explicit {
            return Err(ErrorKind::InvalidValue.into());
        }
        if !i.allows(level) {
            return Err(ErrorKind::SecurityLevelNotSupported.into());
        }
        Ok(Self { keys, i, host_challenge, level, channel: 0, aid: None })
    }

    /// Opens the session on logical `channel` (0–19) instead of 0.
    pub fn with_channel(mut self, channel: u8) -> Result<Self> {
        gp_cla(channel)?;
        self.channel = channel;
        Ok(self)
    }

    /// The AID of the application opening the channel (5–16 bytes): with it, and an "i"
    /// with the pseudo-random challenge (b7), the card challenge is checked
    /// (GPC v2.3.1 §E.4.2.3).
    pub fn with_aid(mut self, aid: &[u8]) -> Result<Self> {
        self.aid = Some(Aid::from_slice(aid)?);
        Ok(self)
    }

    /// The INITIALIZE UPDATE command: `80 50 KVN 00 08 host-challenge 00` (Table E-7).
    pub fn initialize_update_command(&self, out: &mut [u8]) -> Result<usize> {
        initialize_update_command(self.keys.kvn(), &self.host_challenge, self.channel, out)
    }

    /// Processes the INITIALIZE UPDATE response (data and status word).
    ///
    /// Checks, in order: SW `9000` ([`ErrorKind::UnexpectedStatus`] with the SW), the
    /// 28-byte layout and SCP identifier `02`, the KVN (when a non-zero one was asked for),
    /// the pseudo-random challenge (when "i" has b7 and an AID was given), and the card
    /// cryptogram in constant time. On [`ErrorKind::CardCryptogramMismatch`] do not send
    /// EXTERNAL AUTHENTICATE: failed attempts count toward locking the card.
    pub fn process_initialize_update_response(self, response: &[u8]) -> Result<Authenticating> {
        self.process_initialize_update_response_with(response, |_| Ok(None))
    }

    /// [`process_initialize_update_response`](Self::process_initialize_update_response)
    /// with the static keys chosen once the response is known: `keys_for` gets the parsed
    /// response — its key diversification data and KVN — and returns the keys to use
    /// instead of the handshake's (for example keys diversified with
    /// [`diversify`](super::diversify)), or `None` to keep them.
    pub fn process_initialize_update_response_with(
        mut self,
        response: &[u8],
        keys_for: impl FnOnce(&InitializeUpdateResponse) -> Result<Option<StaticKeys>>,
    ) -> Result<Authenticating> {
        let (data, sw) = split_sw(response)?;
        if sw != [0x90, 0x00] {
            return Err(Error::new(ErrorKind::UnexpectedStatus, usize::from(u16::from_be_bytes(sw))));
        }
        let info = InitializeUpdateResponse::parse(data)?;
        if let Some(keys) = keys_for(&info)? {
            self.keys = keys;
        }
        if self.keys.kvn() != 0 && info.kvn() != self.keys.kvn() {
            return Err(Error::new(ErrorKind::KeyVersionMismatch, 10));
        }
        let counter = info.sequence_counter();
        let keys = SessionKeys::derive(&self.keys, counter);
        if let (true, Some(aid)) = (self.i.pseudo_random_challenge(), &self.aid) {
            let expected = pseudo_random_card_challenge(keys.c_mac(), aid.as_bytes())?;
            if !bool::from(expected.ct_eq(info.card_challenge())) {
                return Err(ErrorKind::CardChallengeMismatch.into());
            }
        }
        let expected = card_cryptogram(keys.s_enc(), &self.host_challenge, counter, info.card_challenge());
        if !bool::from(expected.ct_eq(info.card_cryptogram())) {
            return Err(ErrorKind::CardCryptogramMismatch.into());
        }
        let cryptogram = host_cryptogram(keys.s_enc(), &self.host_challenge, counter, info.card_challenge());
        let mac = external_authenticate_mac(keys.c_mac_key(), self.i, self.level, &cryptogram);
        Ok(Authenticating {
            keys,
            info,
            i: self.i,
            level: self.level,
            channel: self.channel,
            cryptogram,
            mac,
        })
    }
}

/// The second state: the card is authenticated; EXTERNAL AUTHENTICATE is ready.
pub struct Authenticating {
    keys: SessionKeys,
    info: InitializeUpdateResponse,
    i: IParameter,
    level: SecurityLevel,
    channel: u8,
    cryptogram: [u8; 8],
    mac: Block,
}

impl core::fmt::Debug for Authenticating {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authenticating")
            .field("info", &self.info)
            .field("i", &self.i)
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

    /// The host cryptogram (GPC v2.3.1 §E.4.2.2).
    pub fn host_cryptogram(&self) -> &[u8; 8] {
        &self.cryptogram
    }

    /// The EXTERNAL AUTHENTICATE command: `84 82 level 00 10 host-cryptogram C-MAC`
    /// (with the channel in CLA; Table E-10), the C-MAC with ICV zero (§E.3.2).
    pub fn external_authenticate_command(&self, out: &mut [u8]) -> Result<usize> {
        write_external_authenticate(self.level, &self.cryptogram, &self.mac, self.channel, out)
    }

    /// Processes the EXTERNAL AUTHENTICATE response (its status word; R-MAC does not cover
    /// it, §E.4.5) and opens the session: the C-MAC of EXTERNAL AUTHENTICATE is the first
    /// ICV of both the C-MAC and the R-MAC chain (§E.3.2). [`ErrorKind::UnexpectedStatus`]
    /// with the SW otherwise (`6300`: the card rejected the host cryptogram — do not retry).
    pub fn process_external_authenticate_response(self, response: &[u8]) -> Result<HostSession> {
        let (_, sw) = split_sw(response)?;
        if sw != [0x90, 0x00] {
            return Err(Error::new(ErrorKind::UnexpectedStatus, usize::from(u16::from_be_bytes(sw))));
        }
        let state = SessionState::new(
            self.keys,
            self.i,
            self.level,
            Initiation::Explicit,
            self.channel,
            self.mac,
            self.mac,
        );
        Ok(HostSession::new(state))
    }
}
