//! The card's secure channel, SCP03 (Amendment D) or SCP02 (GPC v2.3.1 Appendix E): one
//! handshake and one session type over both, so the card's command handling is written once.
//!
//! An SCP02 card keeps the same key sets (the key bytes; SCP02 takes 16-byte keys as
//! double-length 3DES keys, Table E-2), lists SCP02 with its "i" in the Card Recognition Data
//! and answers INITIALIZE UPDATE in SCP02's 28-byte form with a 2-byte sequence counter.

use std::boxed::Box;

use oxicard_secure_channel::scp02;
use oxicard_secure_channel::scp03::{self, StaticKeys};
use oxicard_secure_channel::{Error, ErrorKind};

/// The card's protocol and its "i".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Protocol {
    Scp03(scp03::IParameter),
    Scp02(scp02::IParameter),
}

impl Protocol {
    /// The protocol number and "i" of the Card Recognition Data (GPC v2.3.1 Appendix H).
    pub(super) fn oid_suffix(self) -> [u8; 2] {
        match self {
            Self::Scp03(i) => [0x03, i.byte()],
            Self::Scp02(i) => [0x02, i.byte()],
        }
    }
}

/// What decrypts the key data of PUT KEY in the session (GPC v2.3.1 §11.8.2.3): SCP03's
/// static Key-DEK (Amendment D §7.2), SCP02's DEK session key (§E.4.7, ECB after explicit
/// initiation).
#[derive(Debug)]
pub(super) enum KeyDecryption {
    Aes(Option<scp03::SecretKey>),
    Des(scp02::SecretKey),
}

/// After INITIALIZE UPDATE. (Boxed: one allocation per session, none per command.)
#[derive(Debug)]
pub(super) enum Handshake {
    Scp03(Box<scp03::CardHandshake>, Option<scp03::SecretKey>),
    Scp02(Box<scp02::CardHandshake>),
}

/// An open session.
#[derive(Debug)]
pub(super) enum Session {
    Scp03(Box<scp03::CardSession>),
    Scp02(Box<scp02::CardSession>),
}

/// INITIALIZE UPDATE of an SCP02 card: the handshake and the response (data and `9000`) in
/// `out`. `counter` is the key set's sequence counter (its low two bytes, Table E-8).
pub(super) fn scp02_initialize_update(
    keys: &StaticKeys,
    i: scp02::IParameter,
    kdd: [u8; 10],
    counter: u32,
    challenge: scp02::CardChallenge<'_>,
    command: &[u8],
    out: &mut [u8],
) -> Result<(Handshake, usize), Error> {
    let dek = keys.dek().ok_or(ErrorKind::InvalidKeyLength)?;
    let keys =
        scp02::StaticKeys::new(keys.kvn(), keys.enc().as_bytes(), keys.mac().as_bytes(), dek.as_bytes())
            .map_err(|_| Error::from(ErrorKind::InvalidKeyLength))?;
    let [_, _, hi, lo] = counter.to_be_bytes();
    let (handshake, n) =
        scp02::CardHandshake::initialize_update(&keys, i, kdd, [hi, lo], challenge, command, out)?;
    Ok((Handshake::Scp02(Box::new(handshake)), n))
}

impl Handshake {
    /// EXTERNAL AUTHENTICATE: the session and what decrypts PUT KEY data in it.
    pub(super) fn external_authenticate(self, command: &[u8]) -> Result<(Session, KeyDecryption), Error> {
        match self {
            Self::Scp03(handshake, dek) => Ok((
                Session::Scp03(Box::new(handshake.external_authenticate(command)?)),
                KeyDecryption::Aes(dek),
            )),
            Self::Scp02(handshake) => {
                let dek = handshake.session_keys().dek().clone();
                Ok((
                    Session::Scp02(Box::new(handshake.external_authenticate(command)?)),
                    KeyDecryption::Des(dek),
                ))
            }
        }
    }

    /// Whether the sequence counter moves on when the session opens (SCP02 increments it after
    /// EXTERNAL AUTHENTICATE, GPC v2.3.1 §E.1.2; SCP03 at INITIALIZE UPDATE).
    pub(super) fn counts_on_open(&self) -> bool {
        matches!(self, Self::Scp02(_))
    }
}

impl Session {
    /// The plain command of the wrapped `command` in `out`; its length.
    pub(super) fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        match self {
            Self::Scp03(session) => session.unwrap_command(command, out),
            Self::Scp02(session) => session.unwrap_command(command, out),
        }
    }

    /// The length of `response` (data and SW) once wrapped.
    pub(super) fn wrapped_response_len(&self, response: &[u8]) -> Result<usize, Error> {
        match self {
            Self::Scp03(session) => session.wrapped_response_len(response),
            Self::Scp02(session) => session.wrapped_response_len(response),
        }
    }

    /// `response` wrapped into `out`; its length.
    pub(super) fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        match self {
            Self::Scp03(session) => session.wrap_response(response, out),
            Self::Scp02(session) => session.wrap_response(response, out),
        }
    }
}

/// Decodes the PUT KEY data of an SCP02 session: the new key version and DES key fields
/// (`80 10` E(key) `03` KCV, GPC v2.3.1 Table 11-70), each decrypted with the DEK session key
/// (3DES-ECB after explicit initiation, §E.4.7) and its check value verified: `6A80` for a
/// malformed field or another key type, `6982` for a check value that does not match
/// (Table 11-78).
pub(super) fn parse_des_put_key(
    data: &[u8],
    dek: &scp02::SecretKey,
) -> Result<super::put_key::PutKeyData, oxicard_apdu::StatusWord> {
    use super::{SW_SECURITY, SW_WRONG_DATA};
    let (&new_kvn, mut rest) = data.split_first().ok_or(SW_WRONG_DATA)?;
    let mut keys = std::vec::Vec::new();
    let mut check_values = std::vec::Vec::new();
    while !rest.is_empty() {
        let (key, used) = scp02::parse_des_key_field(dek, scp02::Initiation::Explicit, rest)
            .map_err(|e| if e.kind == ErrorKind::MacMismatch { SW_SECURITY } else { SW_WRONG_DATA })?;
        check_values.push(key.check_value());
        keys.push(scp03::SecretKey::from_slice(key.as_bytes()).map_err(|_| SW_WRONG_DATA)?);
        rest = rest.split_at_checked(used).ok_or(SW_WRONG_DATA)?.1;
    }
    Ok(super::put_key::PutKeyData { new_kvn, keys, check_values })
}
