//! The error of the session over the card layer ([`Scp03Session`](super::Scp03Session)).

use core::fmt;

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::CardError;

use crate::channel;
use crate::error::Error;

/// The handshake step a status word answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// INITIALIZE UPDATE (GP Card Spec Amendment D §7.1.1).
    InitializeUpdate,
    /// EXTERNAL AUTHENTICATE (Amendment D §7.1.2).
    ExternalAuthenticate,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InitializeUpdate => "INITIALIZE UPDATE",
            Self::ExternalAuthenticate => "EXTERNAL AUTHENTICATE",
        })
    }
}

/// What a status word means as the answer to a handshake step (GP Card Spec Amendment D
/// §6.2.2.1, §7.1.1, §7.1.2; GP Card Spec v2.3.1 Table E-12 for `6300`); other values
/// get their ISO/IEC 7816-4 §5.6 meaning.
///
/// | step | SW | meaning |
/// |---|---|---|
/// | INITIALIZE UPDATE | `6A88` | no key set with this key version |
/// | INITIALIZE UPDATE | `6700` | wrong length: the card may use the other mode (S8/S16) |
/// | INITIALIZE UPDATE | `6985` | sequence counter exhausted |
/// | either | `6982`, `6983` | security status not satisfied / blocked: key set or card locked? |
/// | EXTERNAL AUTHENTICATE | `6300` | host cryptogram rejected: wrong keys — do not retry |
/// | EXTERNAL AUTHENTICATE | `6982` | the C-MAC of EXTERNAL AUTHENTICATE was rejected |
pub fn status_meaning(step: Step, sw: StatusWord) -> &'static str {
    match (step, sw.to_u16()) {
        (Step::InitializeUpdate, 0x6A88) => "no key set with the requested key version",
        (Step::InitializeUpdate, 0x6700) => {
            "wrong length: the card may use the other challenge length (S8/S16)"
        }
        (Step::InitializeUpdate, 0x6985) => "conditions of use not satisfied: sequence counter exhausted?",
        (Step::InitializeUpdate, 0x6982 | 0x6983) => {
            "security status not satisfied or authentication blocked: key set or card locked?"
        }
        (Step::ExternalAuthenticate, 0x6300) => {
            "authentication of the host cryptogram failed: wrong keys; do not retry, failures lock the key set"
        }
        (Step::ExternalAuthenticate, 0x6982) => {
            "security status not satisfied: the card rejected the C-MAC of EXTERNAL AUTHENTICATE"
        }
        (Step::ExternalAuthenticate, 0x6983) => "authentication method blocked: key set locked",
        _ => sw.description(),
    }
}

/// What can go wrong with an SCP03 session over the card layer.
///
/// The message says what the session was doing; the cause (the card layer's error, the
/// secure-channel check that failed) is the [`source`](std::error::Error::source): print the
/// whole chain with `oxicard_transport::ErrorChain`.
///
/// [`is_security_failure`](Self::is_security_failure) tells the errors after which the
/// session is gone (terminated, keys wiped): every later call fails with
/// [`Scp03Error::Terminated`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Scp03Error {
    /// The card layer or the transport failed. During a session this terminates it:
    /// after a lost exchange the card's MAC chaining value is unknown.
    #[error(transparent)]
    Card(CardError),
    /// The card refused a handshake step with this status word (see [`status_meaning`]).
    #[error("{step} answered {:04X}: {}", sw.to_u16(), status_meaning(*step, *sw))]
    Status {
        /// The step.
        step: Step,
        /// The card's status word.
        sw: StatusWord,
    },
    /// The card's INITIALIZE UPDATE response does not check out: card cryptogram or
    /// pseudo-random challenge mismatch (wrong keys or not the expected card; EXTERNAL
    /// AUTHENTICATE is not sent), a security level the "i" parameter does not allow, another
    /// key version, a malformed response.
    #[error("SCP03 handshake failed")]
    Handshake(#[source] Error),
    /// A MAC, padding or counter failure during the session (Amendment D §5.6): the
    /// session is terminated and its keys wiped.
    #[error("security failure, session terminated")]
    SecurityFailure(#[source] Error),
    /// The session was terminated by an earlier failure or closed.
    #[error("secure channel session terminated")]
    Terminated,
    /// The command cannot be sent in this session (malformed, CLA `FF` or already with
    /// secure messaging, too long once wrapped); the session is unchanged.
    #[error("the session cannot send the command")]
    Command(#[source] Error),
    /// The command cannot be encoded (ISO/IEC 7816-4 §5.1); the session is unchanged.
    #[error("cannot encode the command")]
    Encode(#[source] oxicard_apdu::Error),
    /// The operating system's random number generator failed (host challenge).
    #[error("no host challenge: the random number generator failed")]
    Rng(#[source] getrandom::Error),
}

channel::session_error_impls!(Scp03Error);
