//! Session keys and the session state shared by both roles (GP Card Spec Amendment D
//! §6.2.1 session keys, §6.2.3 MAC chaining value, §6.2.6 encryption counter, §5.6
//! session termination).

use zeroize::Zeroize;

use super::cryptogram::{Challenge, Cryptogram, cryptogram};
use super::kdf::{DerivationConstant, kdf_with};
use super::keys::{SecretKey, StaticKeys};
use super::params::{Mode, SecurityLevel};
use crate::crypto::{BLOCK, Block, BlockCipher, Cmac, cbc_decrypt, unpad};
use crate::error::{Error, ErrorKind, Result};
use subtle::ConstantTimeEq;

/// The session keys S-ENC, S-MAC and S-RMAC derived from the static keys and both
/// challenges (Amendment D §6.2.1), with their AES key schedules prepared once. Zeroized
/// on drop.
#[derive(Clone)]
pub struct SessionKeys {
    s_enc: SecretKey,
    s_mac: SecretKey,
    s_rmac: SecretKey,
    enc: BlockCipher,
    mac: Cmac,
    rmac: Cmac,
    host_challenge: Challenge,
    card_challenge: Challenge,
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionKeys([redacted])")
    }
}

impl SessionKeys {
    /// Derives the session keys: S-ENC from Key-ENC (constant `04`), S-MAC (`06`) and
    /// S-RMAC (`07`) from Key-MAC, context `host challenge || card challenge`, each as
    /// long as the static keys. [`ErrorKind::InvalidChallengeLength`] if the two
    /// challenges are not of the same mode.
    pub fn derive(keys: &StaticKeys, host_challenge: &Challenge, card_challenge: &Challenge) -> Result<Self> {
        if host_challenge.mode() != card_challenge.mode() {
            return Err(ErrorKind::InvalidChallengeLength.into());
        }
        let context: [&[u8]; 2] = [host_challenge.as_bytes(), card_challenge.as_bytes()];
        let len = keys.key_len();
        let derive = |parent: &Cmac, constant: DerivationConstant| -> Result<SecretKey> {
            let mut buf = [0u8; 32];
            let out = buf.get_mut(..len).ok_or(ErrorKind::InvalidKeyLength)?;
            kdf_with(parent, constant, &context, out)?;
            let key = SecretKey::from_slice(out);
            buf.zeroize();
            key
        };
        let static_enc = Cmac::new(keys.enc().as_bytes())?;
        let static_mac = Cmac::new(keys.mac().as_bytes())?;
        let s_enc = derive(&static_enc, DerivationConstant::SEnc)?;
        let s_mac = derive(&static_mac, DerivationConstant::SMac)?;
        let s_rmac = derive(&static_mac, DerivationConstant::SRmac)?;
        Ok(Self {
            enc: BlockCipher::new(s_enc.as_bytes())?,
            mac: Cmac::new(s_mac.as_bytes())?,
            rmac: Cmac::new(s_rmac.as_bytes())?,
            s_enc,
            s_mac,
            s_rmac,
            host_challenge: *host_challenge,
            card_challenge: *card_challenge,
        })
    }

    /// S-ENC.
    pub fn s_enc(&self) -> &SecretKey {
        &self.s_enc
    }

    /// S-MAC.
    pub fn s_mac(&self) -> &SecretKey {
        &self.s_mac
    }

    /// S-RMAC.
    pub fn s_rmac(&self) -> &SecretKey {
        &self.s_rmac
    }

    /// S8 or S16 (the length of the challenges).
    pub fn mode(&self) -> Mode {
        self.host_challenge.mode()
    }

    /// The card cryptogram (constant `00`, Amendment D §6.2.2.2).
    pub fn card_cryptogram(&self) -> Cryptogram {
        cryptogram(&self.mac, DerivationConstant::CardCryptogram, &self.host_challenge, &self.card_challenge)
    }

    /// The host cryptogram (constant `01`, Amendment D §6.2.2.3).
    pub fn host_cryptogram(&self) -> Cryptogram {
        cryptogram(&self.mac, DerivationConstant::HostCryptogram, &self.host_challenge, &self.card_challenge)
    }

    pub(crate) fn mac(&self) -> &Cmac {
        &self.mac
    }

    pub(crate) fn enc(&self) -> &BlockCipher {
        &self.enc
    }

    /// The full C-MAC (Amendment D §6.2.4): AES-CMAC with S-MAC over
    /// `chaining value || CLA INS P1 P2 (CLA in the MAC form) || Lc field || data field`.
    pub(crate) fn command_mac(&self, chain: &Block, header: [u8; 4], lc_field: &[u8], body: &[u8]) -> Block {
        self.mac.compute(&[chain, &header, lc_field, body])
    }

    /// The full R-MAC (Amendment D §6.2.5): AES-CMAC with S-RMAC over
    /// `chaining value || response data field || SW1 SW2`.
    pub(crate) fn response_mac(&self, chain: &Block, body: &[u8], sw: [u8; 2]) -> Block {
        self.rmac.compute(&[chain, body, &sw])
    }

    /// Decrypts a received, padded data field in place (Amendment D §6.2.6, §6.2.7) with
    /// the ICV of `counter` and strips its padding; returns the plain length. A length
    /// that is not a whole number of blocks, or bad padding, wipes `data` and fails.
    pub(crate) fn decrypt_padded(&self, counter: u32, response: bool, data: &mut [u8]) -> Result<usize> {
        let len = if data.len().is_multiple_of(BLOCK) {
            cbc_decrypt(&self.enc, &self.icv(counter, response), data);
            unpad(data)
        } else {
            None
        };
        len.ok_or_else(|| {
            data.fill(0);
            ErrorKind::InvalidPadding.into()
        })
    }

    /// The ICV for command (`response == false`) or response data encryption: AES-ECB
    /// with S-ENC of the 16-byte big-endian counter block, whose first byte is `80`
    /// for responses (Amendment D §6.2.6, §6.2.7).
    pub(crate) fn icv(&self, counter: u32, response: bool) -> Block {
        let mut block = [0u8; BLOCK];
        if let Some(tail) = block.get_mut(BLOCK - 4..) {
            tail.copy_from_slice(&counter.to_be_bytes());
        }
        if response && let Some(first) = block.first_mut() {
            *first = 0x80;
        }
        self.enc.encrypt(&mut block);
        block
    }
}

/// The default limit of the encryption counter: `FFFFFFFF` commands per session.
pub const DEFAULT_COUNTER_LIMIT: u32 = u32::MAX;

/// The state of an open session, the same for both roles: security level, mode,
/// logical channel, MAC chaining value, encryption counter. Once terminated (by a
/// security failure or on request) its keys are wiped and it stays terminated.
/// `Debug` shows neither keys nor the chaining value.
pub struct SessionState {
    keys: Option<SessionKeys>,
    level: SecurityLevel,
    mode: Mode,
    channel: u8,
    mac_chain: Block,
    counter: u32,
    counter_limit: u32,
    pending: bool,
}

impl core::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionState")
            .field("level", &self.level)
            .field("mode", &self.mode)
            .field("channel", &self.channel)
            .field("counter", &self.counter)
            .field("counter_limit", &self.counter_limit)
            .field("pending", &self.pending)
            .field("terminated", &self.is_terminated())
            .finish_non_exhaustive()
    }
}

impl SessionState {
    pub(crate) fn new(keys: SessionKeys, level: SecurityLevel, channel: u8, mac_chain: Block) -> Self {
        let mode = keys.mode();
        Self {
            keys: Some(keys),
            level,
            mode,
            channel,
            mac_chain,
            counter: 0,
            counter_limit: DEFAULT_COUNTER_LIMIT,
            pending: false,
        }
    }

    /// The security level of the session.
    pub fn security_level(&self) -> SecurityLevel {
        self.level
    }

    /// S8 or S16: the MAC length.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The logical channel the session was opened on (0–19).
    pub fn channel(&self) -> u8 {
        self.channel
    }

    /// The encryption counter: the value used by the last command (0 before the first).
    pub fn encryption_counter(&self) -> u32 {
        self.counter
    }

    /// The highest counter value a command may use.
    pub fn counter_limit(&self) -> u32 {
        self.counter_limit
    }

    /// Whether the session is terminated (its keys wiped).
    pub fn is_terminated(&self) -> bool {
        self.keys.is_none()
    }

    /// Whether a command was processed and its response is awaited.
    pub fn response_pending(&self) -> bool {
        self.pending
    }

    /// Lowers (or raises) the counter limit; a command beyond it terminates the session.
    pub fn set_counter_limit(&mut self, limit: u32) {
        self.counter_limit = limit;
    }

    /// Ends the session: wipes the keys and the chaining value; every later call
    /// fails with [`ErrorKind::Terminated`].
    pub fn terminate(&mut self) {
        self.keys = None;
        self.mac_chain.zeroize();
        self.counter = 0;
        self.pending = false;
    }

    /// The keys, or [`ErrorKind::Terminated`].
    pub(crate) fn keys(&self) -> Result<&SessionKeys> {
        self.keys.as_ref().ok_or(Error::of(ErrorKind::Terminated))
    }

    /// Terminates the session if `error` is a security failure; returns it.
    pub(crate) fn fail(&mut self, error: Error) -> Error {
        if error.kind.is_security_failure() {
            self.terminate();
        }
        error
    }

    /// Advances the encryption counter if the level uses it (every command, also
    /// those without data, Amendment D §6.2.6); [`ErrorKind::CounterExhausted`] past
    /// the limit.
    pub(crate) fn advance_counter(&mut self) -> Result<()> {
        if self.level.counts() {
            if self.counter >= self.counter_limit {
                return Err(ErrorKind::CounterExhausted.into());
            }
            self.counter += 1;
        }
        Ok(())
    }

    pub(crate) fn counter(&self) -> u32 {
        self.counter
    }

    pub(crate) fn mac_chain(&self) -> &Block {
        &self.mac_chain
    }

    pub(crate) fn set_mac_chain(&mut self, chain: Block) {
        self.mac_chain = chain;
    }

    pub(crate) fn set_pending(&mut self, pending: bool) {
        self.pending = pending;
    }
}

/// Compares `expected`, truncated to `mode`'s MAC length, with a received MAC in constant
/// time (a MAC of another length never matches).
pub(crate) fn verify_mac(expected: &Block, mode: Mode, received: &[u8]) -> Result<()> {
    if bool::from(mode.truncate(expected).ct_eq(received)) {
        Ok(())
    } else {
        Err(ErrorKind::MacMismatch.into())
    }
}
