//! [`connect`] and the [`ManagedSession`] it opens.

use oxicard_apdu::card::{CardChannel, CardError};
use oxicard_apdu::{Aid, CommandView, StatusWord};
use oxicard_secure_channel::scp02::{self, Scp02Session};
use oxicard_secure_channel::scp03::{
    IParameter, Mode, OpenOptions, Scp03Error, Scp03Session, SecurityLevel, StaticKeys,
};

use super::choose::{self, Evidence};
use super::error::ConnectError;
use super::options::{ConnectOptions, Protocol};
use crate::data::{CardRecognitionData, KeyInformationTemplate, tags};
use crate::{SW_CARD_LOCKED, ops};

/// What [`connect`] found and chose.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionInfo {
    /// The ISD's AID (from its FCI when the card names it).
    pub isd: Aid,
    /// Whether SELECT answered `6283`: the card is locked (GPC v2.3.1 §11.9.3).
    pub locked: bool,
    /// The Card Recognition Data, when the card gave it.
    pub card_data: Option<CardRecognitionData>,
    /// The protocol, and where the choice came from.
    pub protocol: Protocol,
    /// Where the protocol choice came from.
    pub evidence: Evidence,
    /// The "i" parameter in force: the card's, from its Card Recognition Data, else the
    /// protocol's default.
    pub i: u8,
    /// The security level of the session.
    pub level: SecurityLevel,
}

/// The protocol session inside a [`ManagedSession`].
enum Inner<C> {
    Scp02(Scp02Session<C>),
    Scp03(Scp03Session<C>),
}

/// `$body` with `$session` bound to the protocol session inside `$inner`.
macro_rules! each {
    ($inner:expr, $session:ident => $body:expr) => {
        match $inner {
            Inner::Scp02($session) => $body,
            Inner::Scp03($session) => $body,
        }
    };
}

/// A secure channel session with the ISD, opened by [`connect`]: a [`CardChannel`] whose
/// commands are protected at [`SessionInfo::level`].
pub struct ManagedSession<C> {
    inner: Inner<C>,
    info: SessionInfo,
    keys: StaticKeys,
}

impl<C> core::fmt::Debug for ManagedSession<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ManagedSession").field("info", &self.info).finish_non_exhaustive()
    }
}

impl<C: CardChannel> ManagedSession<C> {
    /// What was found and chosen.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    /// The static keys the session was opened with (after diversification): the Key-DEK
    /// among them encrypts the keys of PUT KEY (GPC v2.3.1 §11.8.2.3).
    pub fn keys(&self) -> &StaticKeys {
        &self.keys
    }

    /// The key version the card answered INITIALIZE UPDATE with (`None` for an SCP02 session
    /// of implicit initiation, which has no INITIALIZE UPDATE).
    pub fn key_version(&self) -> Option<u8> {
        match &self.inner {
            Inner::Scp02(session) => session.card_info().map(scp02::InitializeUpdateResponse::kvn),
            Inner::Scp03(session) => Some(session.card_info().kvn()),
        }
    }

    /// The card's key diversification data from its INITIALIZE UPDATE response.
    pub fn key_diversification_data(&self) -> Option<[u8; 10]> {
        match &self.inner {
            Inner::Scp02(session) => session.card_info().map(|info| *info.key_diversification_data()),
            Inner::Scp03(session) => Some(*session.card_info().key_diversification_data()),
        }
    }

    /// PUT KEY of a new key set [ENC, MAC, DEK] under version `new_kvn` (replacing version
    /// `replace`, or added), its key data encrypted as the session's protocol wants it: under
    /// the static Key-DEK in SCP03 (Amendment D §7.2), under the DEK session key in SCP02
    /// (GPC v2.3.1 §E.4.7). SCP02 takes 16-byte keys. Send it with
    /// [`ops::put_key`](crate::ops::put_key).
    ///
    /// # Errors
    ///
    /// [`CommandError::InvalidKey`](crate::command::CommandError::InvalidKey) for keys the
    /// protocol cannot take, or a session without a Key-DEK.
    pub fn new_key_set(
        &self,
        replace: Option<u8>,
        new_kvn: u8,
        keys: [&[u8]; 3],
    ) -> Result<crate::command::PutKey, crate::command::CommandError> {
        use crate::command::{CommandError, PutKey};
        match &self.inner {
            Inner::Scp03(_) => {
                let dek = self.keys.dek().ok_or(CommandError::InvalidKey("the key set has no DEK"))?;
                let [enc, mac, dek_new] = keys.map(oxicard_secure_channel::scp03::SecretKey::from_slice);
                let (Ok(enc), Ok(mac), Ok(dek_new)) = (enc, mac, dek_new) else {
                    return Err(CommandError::InvalidKey("AES keys have 16, 24 or 32 bytes"));
                };
                PutKey::aes_key_set(dek, replace, new_kvn, [&enc, &mac, &dek_new])
            }
            Inner::Scp02(session) => {
                let [enc, mac, dek_new] = keys.map(scp02::SecretKey::from_slice);
                let (Ok(enc), Ok(mac), Ok(dek_new)) = (enc, mac, dek_new) else {
                    return Err(CommandError::InvalidKey("SCP02 keys have 16 bytes"));
                };
                let encrypt = |data: &[u8], out: &mut [u8]| {
                    session
                        .encrypt_key_data(data, out)
                        .map_err(|_| oxicard_secure_channel::ErrorKind::InvalidKeyLength.into())
                };
                PutKey::des_key_set(encrypt, replace, new_kvn, [&enc, &mac, &dek_new])
            }
        }
    }

    /// Whether a security failure ended the session.
    pub fn is_terminated(&self) -> bool {
        each!(&self.inner, session => session.is_terminated())
    }

    /// Ends the session and returns the channel.
    pub fn close(self) -> C {
        each!(self.inner, session => session.close())
    }
}

impl<C: CardChannel> CardChannel for ManagedSession<C> {
    fn channel_number(&self) -> u8 {
        each!(&self.inner, session => session.channel_number())
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        each!(&mut self.inner, session => CardChannel::transmit_into(session, command, data))
    }

    fn max_command_data(&self) -> usize {
        each!(&self.inner, session => session.max_command_data())
    }
}

/// Opens a managed session with the issuer security domain on `channel` (see the
/// [module](super) documentation): `keys` are the card's static keys, or the master keys when
/// `options` asks for diversification.
///
/// # Errors
///
/// [`ConnectError`]: no ISD, keys that cannot be used, or the handshake's error (the card's
/// refusal by status word, or an answer that does not check out: then EXTERNAL AUTHENTICATE
/// is not sent, so a wrong key does not count toward locking the card).
pub fn connect<C: CardChannel>(
    mut channel: C,
    keys: &StaticKeys,
    options: &ConnectOptions,
) -> Result<ManagedSession<C>, ConnectError> {
    let (isd, response) = crate::select_isd(&mut channel, options.isd)?;
    let locked = response.sw == SW_CARD_LOCKED;
    // Both GET DATA are optional on a card: a refusal means "not told".
    let card_data = ops::get_data(&mut channel, tags::CARD_DATA)
        .ok()
        .and_then(|data| CardRecognitionData::parse(&data).ok());
    let key_information = match (options.protocol, &card_data) {
        (None, None) => ops::get_data(&mut channel, tags::KEY_INFORMATION)
            .ok()
            .and_then(|data| KeyInformationTemplate::parse(&data).ok()),
        _ => None,
    };
    let (protocol, evidence) =
        choose::protocol(options.protocol, card_data.as_ref(), key_information.as_ref(), keys.kvn());
    let i = choose::i_parameter(card_data.as_ref(), protocol);
    tracing::debug!(isd = %isd, %protocol, ?evidence, i = ?i, "connecting");
    match protocol {
        Protocol::Scp03 => {
            let i = i.and_then(|i| IParameter::from_byte(i).ok());
            let level = choose::scp03_level(options.level, i);
            let mut open = OpenOptions::new()
                .with_aid(&isd)
                .map_err(|e| ConnectError::Scp03(Scp03Error::Handshake(e)))?;
            if i.is_some_and(|i| i.mode() == Mode::S16) {
                open = open.with_mode(Mode::S16);
            }
            let mut card_keys = None;
            let mut diversify_error = None;
            let scheme = options.diversification;
            let opened = Scp03Session::open_with(channel, keys, level, &open, |response| {
                let Some(scheme) = scheme else { return Ok(None) };
                let kdd = response.key_diversification_data();
                tracing::debug!(kdd = %hex::encode_upper(kdd), ?scheme, "diversifying the keys");
                match scheme.diversify_set(keys, kdd) {
                    Ok(derived) => {
                        card_keys = Some(derived.clone());
                        Ok(Some(derived))
                    }
                    Err(error) => {
                        diversify_error = Some(error);
                        Err(oxicard_secure_channel::ErrorKind::InvalidKeyLength.into())
                    }
                }
            });
            let session = match (opened, diversify_error) {
                (Ok(session), _) => session,
                (Err(_), Some(error)) => return Err(ConnectError::Diversify(error)),
                (Err(error), None) => return Err(ConnectError::Scp03(error)),
            };
            tracing::debug!(level = %format_args!("{:02X}", level.byte()), "SCP03 session open");
            let i_byte = i.unwrap_or(IParameter::S8_PSEUDO_RANDOM_RMAC_RENC).byte();
            let info = SessionInfo { isd, locked, card_data, protocol, evidence, i: i_byte, level };
            let keys = card_keys.unwrap_or_else(|| keys.clone());
            Ok(ManagedSession { inner: Inner::Scp03(session), info, keys })
        }
        Protocol::Scp02 => open_scp02(channel, keys, options, i, Base { isd, locked, card_data, evidence }),
    }
}

/// What [`connect`] learnt before the handshake.
struct Base {
    isd: Aid,
    locked: bool,
    card_data: Option<CardRecognitionData>,
    evidence: Evidence,
}

/// The SCP02 "i" when the card publishes none: `15` (explicit initiation, three keys, C-MAC on
/// the modified APDU, ICV encryption), the option GlobalPlatformPro and pySim assume.
const SCP02_DEFAULT_I: scp02::IParameter = scp02::IParameter::I15;

/// The SCP02 key set of the key bytes `keys` (16-byte double-length 3DES keys, GPC v2.3.1
/// Table E-2).
fn scp02_keys(keys: &StaticKeys) -> Result<scp02::StaticKeys, ConnectError> {
    let dek =
        keys.dek().ok_or(ConnectError::Keys { protocol: Protocol::Scp02, reason: "SCP02 needs a DEK" })?;
    scp02::StaticKeys::new(keys.kvn(), keys.enc().as_bytes(), keys.mac().as_bytes(), dek.as_bytes()).map_err(
        |_| ConnectError::Keys {
            protocol: Protocol::Scp02,
            reason: "SCP02 keys are 16 bytes (double-length 3DES)",
        },
    )
}

/// The same key bytes as the [`StaticKeys`] a [`ManagedSession`] reports.
fn key_bytes(keys: &scp02::StaticKeys) -> Result<StaticKeys, ConnectError> {
    StaticKeys::new(keys.kvn(), keys.enc().as_bytes(), keys.mac().as_bytes(), keys.dek().as_bytes())
        .map_err(|_| ConnectError::Keys { protocol: Protocol::Scp02, reason: "16-byte keys expected" })
}

/// Each key of the SCP02 master key set diversified from its own master with `kdd`.
fn diversify_scp02(
    masters: &scp02::StaticKeys,
    kdd: &[u8; 10],
    scheme: scp02::Diversification,
) -> scp02::StaticKeys {
    use scp02::{KeyType, diversify_key};
    scp02::StaticKeys::from_keys(
        masters.kvn(),
        diversify_key(masters.enc(), kdd, scheme, KeyType::Enc),
        diversify_key(masters.mac(), kdd, scheme, KeyType::Mac),
        diversify_key(masters.dek(), kdd, scheme, KeyType::Dek),
    )
}

/// The SCP02 part of [`connect`]: explicit initiation with the card's "i" (its Card
/// Recognition Data, else [`SCP02_DEFAULT_I`]), the level asked for or the highest "i" allows
/// among `13` (C-DECRYPTION, C-MAC, R-MAC) and `03`.
fn open_scp02<C: CardChannel>(
    channel: C,
    keys: &StaticKeys,
    options: &ConnectOptions,
    i: Option<u8>,
    base: Base,
) -> Result<ManagedSession<C>, ConnectError> {
    let i = i.and_then(|i| scp02::IParameter::from_byte(i).ok()).unwrap_or(SCP02_DEFAULT_I);
    let level = match options.level {
        Some(level) => scp02::SecurityLevel::from_byte(level.byte()).map_err(|_| ConnectError::Keys {
            protocol: Protocol::Scp02,
            reason: "the security level asked for is not an SCP02 level (01, 03, 11, 13)",
        })?,
        None if i.allows(scp02::SecurityLevel::C_DEC_C_MAC_R_MAC) => scp02::SecurityLevel::C_DEC_C_MAC_R_MAC,
        None => scp02::SecurityLevel::C_DEC_C_MAC,
    };
    let static_keys = scp02_keys(keys)?;
    let open = scp02::OpenOptions::new()
        .with_aid(&base.isd)
        .map_err(|e| ConnectError::Scp02(scp02::Scp02Error::Handshake(e)))?;
    let mut card_keys = None;
    let scheme = options.diversification.map(|scheme| match scheme {
        crate::keys::Diversification::Visa2 => Ok(scp02::Diversification::Visa2),
        crate::keys::Diversification::Emv => Ok(scp02::Diversification::EmvCps11),
        _ => Err(ConnectError::Keys {
            protocol: Protocol::Scp02,
            reason: "SCP02 keys diversify by EMV or VISA2",
        }),
    });
    let scheme = scheme.transpose()?;
    let session = Scp02Session::open_with(channel, &static_keys, i, level, &open, |response| {
        Ok(scheme.map(|scheme| {
            let kdd = response.key_diversification_data();
            tracing::debug!(kdd = %hex::encode_upper(kdd), ?scheme, "diversifying the keys");
            let derived = diversify_scp02(&static_keys, kdd, scheme);
            card_keys = Some(derived.clone());
            derived
        }))
    })
    .map_err(ConnectError::Scp02)?;
    tracing::debug!(level = %format_args!("{:02X}", level.byte()), "SCP02 session open");
    let level = SecurityLevel::from_byte(level.byte()).unwrap_or(SecurityLevel::C_DEC_C_MAC);
    let info = SessionInfo {
        isd: base.isd,
        locked: base.locked,
        card_data: base.card_data,
        protocol: Protocol::Scp02,
        evidence: base.evidence,
        i: i.byte(),
        level,
    };
    let keys = key_bytes(card_keys.as_ref().unwrap_or(&static_keys))?;
    Ok(ManagedSession { inner: Inner::Scp02(session), info, keys })
}
