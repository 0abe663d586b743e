//! What the errors of the two card-layer sessions ([`Scp03Error`](crate::scp03::Scp03Error),
//! [`Scp02Error`](crate::scp02::Scp02Error)) have in common: the variants the shared session
//! code makes, and the conversions from and to the card layer's [`CardError`].

use oxicard_apdu::card::CardError;

use crate::error::Error;

/// The error of a card-layer session, as the shared session code makes it.
pub(crate) trait SessionError:
    From<CardError> + std::error::Error + Send + Sync + Sized + 'static
{
    /// The card layer or the transport failed (`Card`).
    fn card(error: CardError) -> Self;
    /// The command cannot be encoded (`Encode`).
    fn encode(error: oxicard_apdu::Error) -> Self;
    /// The session is terminated (`Terminated`).
    fn terminated() -> Self;
    /// A security failure terminated the session (`SecurityFailure`).
    fn security_failure(error: Error) -> Self;
    /// The session cannot send the command (`Command`).
    fn command(error: Error) -> Self;
    /// The card layer's error of a `Card` error; any other back as it is.
    fn into_card(self) -> Result<CardError, Self>;
}

/// A [`CardError`] as the session's error `E`: the `E` a [`CardError::SecureChannel`]
/// carries, else `E`'s `Card` variant.
pub(crate) fn from_card_error<E: SessionError>(error: CardError) -> E {
    match error {
        CardError::SecureChannel(inner) => match inner.downcast::<E>() {
            Ok(session) => *session,
            Err(other) => E::card(CardError::SecureChannel(other)),
        },
        other => E::card(other),
    }
}

/// The session's error as the [`CardChannel`](oxicard_apdu::card::CardChannel) error: a
/// failure of the channel underneath as it is, any other as [`CardError::SecureChannel`].
pub(crate) fn into_card_error<E: SessionError>(error: E) -> CardError {
    match error.into_card() {
        Ok(card) => card,
        Err(other) => CardError::secure_channel(other),
    }
}

/// The impls every card-layer session error has, for the error enum `$error` with the
/// variants `Card(CardError)`, `Status { sw, .. }`, `Handshake(Error)`,
/// `SecurityFailure(Error)`, `Terminated`, `Command(Error)` and `Encode(oxicard_apdu::Error)`:
/// the conversions from and to [`CardError`], [`SessionError`], and the inherent
/// `is_security_failure`, `status` and `secure_channel_error`.
macro_rules! session_error_impls {
    ($error:ident) => {
        /// A [`CardError`] as the session's error: the error of this type a
        /// [`CardError::SecureChannel`] carries, else the `Card` variant.
        impl From<CardError> for $error {
            fn from(error: CardError) -> Self {
                $crate::channel::from_card_error(error)
            }
        }

        /// The session's error as the [`CardChannel`](oxicard_apdu::card::CardChannel)
        /// error: a failure of the channel underneath (the `Card` variant) as it is, any
        /// other as [`CardError::SecureChannel`].
        impl From<$error> for CardError {
            fn from(error: $error) -> Self {
                $crate::channel::into_card_error(error)
            }
        }

        impl $crate::channel::SessionError for $error {
            fn card(error: CardError) -> Self {
                Self::Card(error)
            }

            fn encode(error: oxicard_apdu::Error) -> Self {
                Self::Encode(error)
            }

            fn terminated() -> Self {
                Self::Terminated
            }

            fn security_failure(error: $crate::Error) -> Self {
                Self::SecurityFailure(error)
            }

            fn command(error: $crate::Error) -> Self {
                Self::Command(error)
            }

            fn into_card(self) -> Result<CardError, Self> {
                match self {
                    Self::Card(card) => Ok(card),
                    other => Err(other),
                }
            }
        }

        impl $error {
            /// Whether this error ended the session (or found it ended).
            pub fn is_security_failure(&self) -> bool {
                matches!(self, Self::SecurityFailure(_) | Self::Terminated)
            }

            /// The card's status word, for [`Self::Status`].
            pub fn status(&self) -> Option<StatusWord> {
                match self {
                    Self::Status { sw, .. } => Some(*sw),
                    _ => None,
                }
            }

            /// The secure-channel error underneath, if any.
            pub fn secure_channel_error(&self) -> Option<$crate::Error> {
                match self {
                    Self::Handshake(e) | Self::SecurityFailure(e) | Self::Command(e) => Some(*e),
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use session_error_impls;
