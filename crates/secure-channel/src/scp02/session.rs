//! Session keys and the session state shared by both roles (GP Card Spec v2.3.1 §E.4.1
//! session keys, §E.3 ICVs, §E.1.6 session termination).

use zeroize::Zeroize;

use super::des::{Block, DesKey, MacState};
use super::kdf::{DerivationConstant, session_key};
use super::keys::{SecretKey, StaticKeys};
use super::params::{IParameter, Initiation, SecurityLevel};
use crate::error::{Error, ErrorKind, Result};

/// The four session keys of an SCP02 session (GPC v2.3.1 §E.4.1) with their 3DES key
/// schedules prepared once. Zeroized on drop; `Debug` is redacted.
#[derive(Clone)]
pub struct SessionKeys {
    s_enc: SecretKey,
    c_mac: SecretKey,
    r_mac: SecretKey,
    dek: SecretKey,
    enc_key: DesKey,
    c_mac_key: DesKey,
    r_mac_key: DesKey,
    sequence_counter: [u8; 2],
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionKeys([redacted])")
    }
}

impl SessionKeys {
    /// The session keys of an explicitly initiated session: all four derived with the
    /// sequence counter of the INITIALIZE UPDATE response (§E.4.1; the R-MAC key with the
    /// same value when R-MAC starts with EXTERNAL AUTHENTICATE).
    pub fn derive(keys: &StaticKeys, sequence_counter: [u8; 2]) -> Self {
        Self::from_counters(keys, sequence_counter, sequence_counter)
    }

    /// The session keys of an implicitly initiated session (§E.1.2.2): S-ENC and C-MAC with
    /// the card's current sequence counter, the R-MAC and DEK session keys with the value
    /// the card increments it to once the first C-MAC verifies.
    /// [`ErrorKind::CounterExhausted`] at `FFFF` (the counter never wraps, §E.1.2).
    pub fn derive_implicit(keys: &StaticKeys, sequence_counter: [u8; 2]) -> Result<Self> {
        let next = u16::from_be_bytes(sequence_counter).checked_add(1).ok_or(ErrorKind::CounterExhausted)?;
        Ok(Self::from_counters(keys, sequence_counter, next.to_be_bytes()))
    }

    fn from_counters(keys: &StaticKeys, counter: [u8; 2], later: [u8; 2]) -> Self {
        let s_enc = session_key(keys.enc(), DerivationConstant::SEnc, counter);
        let c_mac = session_key(keys.mac(), DerivationConstant::CMac, counter);
        let r_mac = session_key(keys.mac(), DerivationConstant::RMac, later);
        let dek = session_key(keys.dek(), DerivationConstant::Dek, later);
        Self {
            enc_key: s_enc.expand(),
            c_mac_key: c_mac.expand(),
            r_mac_key: r_mac.expand(),
            s_enc,
            c_mac,
            r_mac,
            dek,
            sequence_counter: counter,
        }
    }

    /// S-ENC: cryptograms and command data encryption.
    pub fn s_enc(&self) -> &SecretKey {
        &self.s_enc
    }

    /// The C-MAC session key.
    pub fn c_mac(&self) -> &SecretKey {
        &self.c_mac
    }

    /// The R-MAC session key.
    pub fn r_mac(&self) -> &SecretKey {
        &self.r_mac
    }

    /// The data encryption session key (PUT KEY key data, §E.4.7).
    pub fn dek(&self) -> &SecretKey {
        &self.dek
    }

    /// The sequence counter S-ENC and C-MAC were derived with.
    pub fn sequence_counter(&self) -> [u8; 2] {
        self.sequence_counter
    }

    pub(crate) fn enc_key(&self) -> &DesKey {
        &self.enc_key
    }

    pub(crate) fn c_mac_key(&self) -> &DesKey {
        &self.c_mac_key
    }

    pub(crate) fn r_mac_key(&self) -> &DesKey {
        &self.r_mac_key
    }
}

/// The state of an open session, the same for both roles: "i", security level, logical
/// channel, the C-MAC and R-MAC chaining values, and the R-MAC of the command whose
/// response is awaited. Once terminated (by a security failure or on request) its keys
/// and chaining values are wiped and it stays terminated. `Debug` shows neither keys nor
/// chaining values.
pub struct SessionState {
    keys: Option<SessionKeys>,
    i: IParameter,
    level: SecurityLevel,
    initiation: Initiation,
    channel: u8,
    /// The last verified C-MAC, or the first ICV of the session.
    c_mac_chain: Block,
    /// Whether `c_mac_chain` is still the first ICV of the session (never encrypted, §E.3.4).
    first_icv: bool,
    /// The last R-MAC, or the first R-MAC ICV.
    r_mac_chain: Block,
    /// The R-MAC over the pending command, before the response is added.
    r_mac: MacState,
    pending: bool,
    commands: u32,
}

impl core::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionState")
            .field("i", &self.i)
            .field("level", &self.level)
            .field("initiation", &self.initiation)
            .field("channel", &self.channel)
            .field("commands", &self.commands)
            .field("pending", &self.pending)
            .field("terminated", &self.is_terminated())
            .finish_non_exhaustive()
    }
}

impl SessionState {
    pub(crate) fn new(
        keys: SessionKeys,
        i: IParameter,
        level: SecurityLevel,
        initiation: Initiation,
        channel: u8,
        c_mac_icv: Block,
        r_mac_icv: Block,
    ) -> Self {
        // Explicit: the chain starts at the C-MAC of EXTERNAL AUTHENTICATE, whose own ICV
        // (zero) was the first of the session; implicit: at the MAC over the AID, itself the
        // first ICV and so not encrypted (§E.3.4).
        let first_icv = initiation == Initiation::Implicit;
        Self {
            keys: Some(keys),
            i,
            level,
            initiation,
            channel,
            c_mac_chain: c_mac_icv,
            first_icv,
            r_mac_chain: r_mac_icv,
            r_mac: MacState::new(&r_mac_icv),
            pending: false,
            commands: 0,
        }
    }

    /// The security level of the session (`01` for an implicit session: C-MAC).
    pub fn security_level(&self) -> SecurityLevel {
        self.level
    }

    /// The "i" parameter of the session.
    pub fn i(&self) -> IParameter {
        self.i
    }

    /// Explicit or implicit initiation.
    pub fn initiation(&self) -> Initiation {
        self.initiation
    }

    /// The logical channel the session was opened on (0–19).
    pub fn channel(&self) -> u8 {
        self.channel
    }

    /// How many commands the session has wrapped (host) or verified (card).
    pub fn commands(&self) -> u32 {
        self.commands
    }

    /// Whether the session is terminated (its keys wiped).
    pub fn is_terminated(&self) -> bool {
        self.keys.is_none()
    }

    /// Whether a command was processed and its response is awaited.
    pub fn response_pending(&self) -> bool {
        self.pending
    }

    /// Ends the session: wipes the keys and chaining values; every later call fails with
    /// [`ErrorKind::Terminated`].
    pub fn terminate(&mut self) {
        self.keys = None;
        self.c_mac_chain.zeroize();
        self.r_mac_chain.zeroize();
        self.r_mac.zeroize();
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

    pub(crate) fn c_mac_chain(&self) -> &Block {
        &self.c_mac_chain
    }

    pub(crate) fn first_icv(&self) -> bool {
        self.first_icv
    }

    /// Records a C-MAC that was sent (host) or verified (card): the next chaining value.
    pub(crate) fn set_c_mac(&mut self, mac: Block) {
        self.c_mac_chain = mac;
        self.first_icv = false;
        self.commands = self.commands.saturating_add(1);
    }

    pub(crate) fn r_mac_chain(&self) -> &Block {
        &self.r_mac_chain
    }

    pub(crate) fn set_r_mac_chain(&mut self, mac: Block) {
        self.r_mac_chain = mac;
    }

    /// The R-MAC of the pending command (the response still to be added).
    pub(crate) fn r_mac_state(&self) -> &MacState {
        &self.r_mac
    }

    /// Marks a command as sent (host) or accepted (card).
    pub(crate) fn set_pending(&mut self) {
        self.pending = true;
    }

    /// Host side: the R-MAC over the stripped form of the command just sent.
    pub(crate) fn set_r_mac_state(&mut self, r_mac: MacState) {
        self.r_mac = r_mac;
    }

    /// Marks a command of a level without C-MAC as sent / accepted.
    pub(crate) fn count_plain(&mut self) {
        self.commands = self.commands.saturating_add(1);
    }

    pub(crate) fn clear_pending(&mut self) {
        self.pending = false;
    }
}

/// Compares an expected MAC with a received one in constant time.
pub(crate) fn verify_mac(expected: &Block, received: &[u8]) -> Result<()> {
    use subtle::ConstantTimeEq;
    if bool::from(expected.as_slice().ct_eq(received)) { Ok(()) } else { Err(ErrorKind::MacMismatch.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    // GlobalPlatformPro TestPlaintextKeys: the SCP02 session keys of 404142…4F at counter 0000
    // have the published KCVs S-ENC F2DCDD, C-MAC 5FCC69, DEK 85272E, R-MAC 9F749A.
    #[test]
    fn session_keys_of_gppro_test() {
        let keys =
            StaticKeys::from_base_key(0, &hex::decode("404142434445464748494a4b4c4d4e4f").unwrap()).unwrap();
        let s = SessionKeys::derive(&keys, [0, 0]);
        let kcv = |k: &SecretKey| hex::encode_upper(k.check_value());
        assert_eq!(
            (kcv(s.s_enc()), kcv(s.c_mac()), kcv(s.dek()), kcv(s.r_mac())),
            ("F2DCDD".into(), "5FCC69".into(), "85272E".into(), "9F749A".into())
        );
        assert_eq!(format!("{s:?}"), "SessionKeys([redacted])");
        // Implicit: R-MAC and DEK one counter value later.
        let implicit = SessionKeys::derive_implicit(&keys, [0xFF, 0xFE]).unwrap();
        assert_eq!(implicit.r_mac(), SessionKeys::derive(&keys, [0xFF, 0xFF]).r_mac());
        assert_eq!(implicit.c_mac(), SessionKeys::derive(&keys, [0xFF, 0xFE]).c_mac());
        assert_eq!(
            SessionKeys::derive_implicit(&keys, [0xFF, 0xFF]).unwrap_err().kind,
            ErrorKind::CounterExhausted
        );
    }
}
