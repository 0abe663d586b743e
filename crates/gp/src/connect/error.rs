//! [`ConnectError`]: why [`connect`](super::connect) opened no session.

use oxicard_apdu::card::CardError;
use oxicard_secure_channel::scp02::Scp02Error;
use oxicard_secure_channel::scp03::Scp03Error;

use super::options::Protocol;
use crate::keys::DiversifyError;

/// Why no managed session was opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// No issuer security domain could be selected (the last refusal, or the card failed).
    #[error("no issuer security domain selected")]
    Select(#[source] CardError),
    /// The ISD was selected without an AID and its FCI names none (tag `84`, GPC v2.3.1
    /// Table 11-82): the ISD's AID is needed for the session.
    #[error("the ISD's SELECT response names no AID of 5 to 16 bytes")]
    NoIsdAid,
    /// The keys cannot be diversified (wrong master key length).
    #[error("the keys cannot be diversified")]
    Diversify(#[source] DiversifyError),
    /// The keys given do not suit the protocol (SCP02 needs 16-byte 3DES keys).
    #[error("the keys do not suit {protocol}: {reason}")]
    Keys {
        /// The protocol chosen.
        protocol: Protocol,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// The SCP02 session could not be opened.
    #[error("SCP02 authentication failed")]
    Scp02(#[source] Scp02Error),
    /// The SCP03 session could not be opened.
    #[error("SCP03 authentication failed")]
    Scp03(#[source] Scp03Error),
}

impl ConnectError {
    /// Whether the card answered as if the keys were wrong: its cryptogram or its
    /// pseudo-random challenge does not match ours, or it rejected our cryptogram (`6300`).
    pub fn wrong_keys(&self) -> bool {
        use oxicard_secure_channel::ErrorKind;
        match self {
            Self::Scp03(Scp03Error::Handshake(error)) => {
                matches!(error.kind, ErrorKind::CardCryptogramMismatch | ErrorKind::CardChallengeMismatch)
            }
            Self::Scp02(Scp02Error::Handshake(error)) => {
                matches!(error.kind, ErrorKind::CardCryptogramMismatch | ErrorKind::CardChallengeMismatch)
            }
            Self::Scp03(Scp03Error::Status { sw, .. }) | Self::Scp02(Scp02Error::Status { sw, .. }) => {
                sw.to_u16() == 0x6300
            }
            _ => false,
        }
    }
}
