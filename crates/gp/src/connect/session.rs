//! [`connect`] and the [`ManagedSession`] it opens.

use oxicard_apdu::card::{CardChannel, CardError};
use oxicard_apdu::{Aid, CommandView, StatusWord};
use oxicard_secure_channel::scp03::{
    IParameter, InitializeUpdateResponse, Mode, OpenOptions, Scp03Error, Scp03Session, SecurityLevel,
    StaticKeys,
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
    Scp03(Scp03Session<C>),
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

    /// The card's INITIALIZE UPDATE response (key version, sequence counter, key
    /// diversification data).
    pub fn card_info(&self) -> &InitializeUpdateResponse {
        match &self.inner {
            Inner::Scp03(session) => session.card_info(),
        }
    }

    /// Whether a security failure ended the session.
    pub fn is_terminated(&self) -> bool {
        match &self.inner {
            Inner::Scp03(session) => session.is_terminated(),
        }
    }

    /// Ends the session and returns the channel.
    pub fn close(self) -> C {
        match self.inner {
            Inner::Scp03(session) => session.close(),
        }
    }
}

impl<C: CardChannel> CardChannel for ManagedSession<C> {
    fn channel_number(&self) -> u8 {
        match &self.inner {
            Inner::Scp03(session) => session.channel_number(),
        }
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        match &mut self.inner {
            Inner::Scp03(session) => CardChannel::transmit_into(session, command, data),
        }
    }

    fn max_command_data(&self) -> usize {
        match &self.inner {
            Inner::Scp03(session) => session.max_command_data(),
        }
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
            let opened = Scp03Session::open_with(channel, keys, level, &open, |response| match scheme {
                None => Ok(None),
                Some(scheme) => match scheme.diversify_set(keys, response.key_diversification_data()) {
                    Ok(derived) => {
                        card_keys = Some(derived.clone());
                        Ok(Some(derived))
                    }
                    Err(error) => {
                        diversify_error = Some(error);
                        Err(oxicard_secure_channel::ErrorKind::InvalidKeyLength.into())
                    }
                },
            });
            let session = match (opened, diversify_error) {
                (Ok(session), _) => session,
                (Err(_), Some(error)) => return Err(ConnectError::Diversify(error)),
                (Err(error), None) => return Err(ConnectError::Scp03(error)),
            };
            let i_byte = i.unwrap_or(IParameter::S8_PSEUDO_RANDOM_RMAC_RENC).byte();
            let info = SessionInfo { isd, locked, card_data, protocol, evidence, i: i_byte, level };
            let keys = card_keys.unwrap_or_else(|| keys.clone());
            Ok(ManagedSession { inner: Inner::Scp03(session), info, keys })
        }
        Protocol::Scp02 => Err(ConnectError::Keys { protocol, reason: "SCP02 is not available yet" }),
    }
}
