//! The error of the session over the card layer ([`Scp02Session`](super::Scp02Session)).

use core::fmt;

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::CardError;

use crate::channel;
use crate::error::Error;

/// The step of opening a session a status word answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// INITIALIZE UPDATE (GP Card Spec v2.3.1 §E.5.1).
    InitializeUpdate,
    /// EXTERNAL AUTHENTICATE (GPC v2.3.1 §E.5.2).
    ExternalAuthenticate,
    /// GET DATA of the sequence counter, tag `C1` (GPC v2.3.1 §11.3), for implicit initiation.
    SequenceCounter,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InitializeUpdate => "INITIALIZE UPDATE",
            Self::ExternalAuthenticate => "EXTERNAL AUTHENTICATE",
            Self::SequenceCounter => "GET DATA (sequence counter)",
        })
    }
}

/// What a status word means as the answer to a step of opening an SCP02 session
/// (GPC v2.3.1 Tables E-9, E-12; GlobalPlatformPro reports `6982`/`6983` as a locked
/// card); other values get their ISO/IEC 7816-4 §5.6 meaning.
pub fn status_meaning(step: Step, sw: StatusWord) -> &'static str {
    match (step, sw.to_u16()) {
        (Step::InitializeUpdate, 0x6A88) => "no key set with the requested key version",
        (Step::InitializeUpdate | Step::ExternalAuthenticate, 0x6982 | 0x6983) => {
            "security status not satisfied or authentication blocked: key set or card locked?"
        }
        (Step::ExternalAuthenticate, 0x6300) => {
            "authentication of the host cryptogram failed: wrong keys; do not retry, failures lock the key set"
        }
        (Step::SequenceCounter, 0x6A88) => "the card has no sequence counter (tag C1) for this key set",
        _ => sw.description(),
    }
}

/// What can go wrong with an SCP02 session over the card layer.
///
/// The message says what the session was doing; the cause is the
/// [`source`](std::error::Error::source). [`is_security_failure`](Self::is_security_failure)
/// tells the errors after which the session is gone (terminated, keys wiped): every later
/// call fails with [`Scp02Error::Terminated`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Scp02Error {
    /// The card layer or the transport failed. During a session this terminates it: after a
    /// lost exchange the card's MAC chaining value is unknown.
    #[error(transparent)]
    Card(CardError),
    /// The card refused a step of opening the session with this status word.
    #[error("{step} answered {:04X}: {}", sw.to_u16(), status_meaning(*step, *sw))]
    Status {
        /// The step.
        step: Step,
        /// The card's status word.
        sw: StatusWord,
    },
    /// Opening the session failed on this side: the card cryptogram or pseudo-random
    /// challenge does not verify (EXTERNAL AUTHENTICATE is then not sent), another key
    /// version, a malformed response, a level "i" does not allow.
    #[error("SCP02 handshake failed")]
    Handshake(#[source] Error),
    /// An R-MAC failure during the session (GPC v2.3.1 §E.1.6): the session is terminated
    /// and its keys wiped.
    #[error("security failure, session terminated")]
    SecurityFailure(#[source] Error),
    /// The session was terminated by an earlier failure or closed.
    #[error("secure channel session terminated")]
    Terminated,
    /// The command cannot be sent in this session (malformed, extended, CLA `FF` or already
    /// with secure messaging, too long once wrapped); the session is unchanged.
    #[error("the session cannot send the command")]
    Command(#[source] Error),
    /// The command cannot be encoded (ISO/IEC 7816-4 §5.1); the session is unchanged.
    #[error("cannot encode the command")]
    Encode(#[source] oxicard_apdu::Error),
    /// The operating system's random number generator failed (host challenge).
    #[error("no host challenge: the random number generator failed")]
    Rng(#[source] getrandom::Error),
}

channel::session_error_impls!(Scp02Error);
