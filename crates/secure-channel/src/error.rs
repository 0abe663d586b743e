//! The secure-channel error: a small `Copy` value saying what failed.
//!
//! Errors of the kinds for which [`ErrorKind::is_security_failure`] is true terminate
//! the session that produced them (GP Card Spec Amendment D §5.6: the session is
//! aborted and every later command is rejected); the others leave it untouched.

use core::fmt;

/// What failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A key that is not 16, 24 or 32 bytes long (AES-128/192/256, Amendment D §6.1), or
    /// an SCP02 key that is not 16 bytes (double-length 3DES, GPC v2.3.1 §E.2).
    InvalidKeyLength,
    /// The static keys ENC, MAC and DEK are not all of the same length (Amendment D §6.1).
    KeyLengthMismatch,
    /// A host or card challenge that is not 8 (S8) or 16 (S16) bytes long, or whose
    /// length does not match the mode of the "i" parameter (Amendment D §6.2.2).
    InvalidChallengeLength,
    /// An application identifier that is not 5 to 16 bytes long (ISO/IEC 7816-4 §8.2.1.2).
    InvalidAid,
    /// The bytes end before the element they announce is complete.
    Truncated,
    /// A length field (Lc, Le, response length) disagrees with the bytes present.
    InvalidLength,
    /// More data than an APDU can carry (65 535 bytes of command data).
    DataTooLong,
    /// The CLA byte cannot be used here: `FF`, already marked as secure messaging,
    /// or not marked as secure messaging where it must be (ISO/IEC 7816-4 §5.4.1,
    /// GP Card Spec v2.3.1 §11.1.4).
    InvalidClass,
    /// A logical channel number above 19 (ISO/IEC 7816-4 §5.4.1).
    InvalidChannel,
    /// An unexpected instruction (for example a command other than INITIALIZE UPDATE).
    UnexpectedInstruction,
    /// A malformed field value: an undefined security level, an RFU "i" parameter
    /// combination, P2 other than `00`.
    InvalidValue,
    /// The card answered with another SCP identifier than the protocol's: `03` for SCP03
    /// (Amendment D Table 7-2), `02` for SCP02 (GPC v2.3.1 Table E-8).
    WrongScpIdentifier,
    /// The card used a key version number other than the one requested (Amendment D §7.1.1).
    KeyVersionMismatch,
    /// The security level needs R-MAC or R-ENC, which the card's "i" parameter does not
    /// offer (Amendment D Table 5-1, §7.1.2).
    SecurityLevelNotSupported,
    /// The card cryptogram does not verify: wrong keys, or not the expected card
    /// (Amendment D §6.2.2.2). Do not send EXTERNAL AUTHENTICATE.
    CardCryptogramMismatch,
    /// The host cryptogram does not verify (card side, Amendment D §6.2.2.3; the card
    /// answers `6300`).
    HostCryptogramMismatch,
    /// The pseudo-random card challenge is not the one computed from the sequence
    /// counter and the selected AID (Amendment D §6.2.2.1).
    CardChallengeMismatch,
    /// A C-MAC or R-MAC does not verify (Amendment D §6.2.4/§6.2.5; GPC v2.3.1 §E.4.4,
    /// §E.4.5), or the key check value of an SCP02 PUT KEY key does not (GPC v2.3.1 §11.8.2.3.3).
    MacMismatch,
    /// Decrypted data does not end in ISO/IEC 9797-1 method 2 padding, or the
    /// ciphertext is not a whole number of blocks (Amendment D §4.1.4).
    InvalidPadding,
    /// A non-error status word arrived without an R-MAC, or an error status word
    /// arrived with data when responses are protected (Amendment D §6.2.5).
    MissingMac,
    /// The encryption counter reached the session's limit (Amendment D §6.2.6), or the SCP02
    /// sequence counter its end (it never wraps, GPC v2.3.1 §E.1.2).
    CounterExhausted,
    /// The session was terminated by an earlier failure or on request; open a new one.
    Terminated,
    /// The card answered with a status word other than `9000`; the detail is the SW.
    UnexpectedStatus,
    /// A response was unwrapped (or protected) with no command awaiting it.
    NoPendingCommand,
    /// The caller's output buffer is too small; the detail is the size needed.
    BufferTooSmall,
}

impl ErrorKind {
    /// A short human description of the kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidKeyLength => "key length is not 16, 24 or 32 bytes",
            Self::KeyLengthMismatch => "static keys of different lengths",
            Self::InvalidChallengeLength => "challenge length does not match the mode",
            Self::InvalidAid => "AID is not 5 to 16 bytes",
            Self::Truncated => "input truncated",
            Self::InvalidLength => "length field does not match the data",
            Self::DataTooLong => "data too long",
            Self::InvalidClass => "CLA byte not usable here",
            Self::InvalidChannel => "logical channel above 19",
            Self::UnexpectedInstruction => "unexpected instruction",
            Self::InvalidValue => "invalid field value",
            Self::WrongScpIdentifier => "card uses another secure channel protocol",
            Self::KeyVersionMismatch => "card used another key version",
            Self::SecurityLevelNotSupported => "security level not allowed by the i parameter",
            Self::CardCryptogramMismatch => "card cryptogram invalid",
            Self::HostCryptogramMismatch => "host cryptogram invalid",
            Self::CardChallengeMismatch => "pseudo-random card challenge invalid",
            Self::MacMismatch => "MAC invalid",
            Self::InvalidPadding => "invalid padding",
            Self::MissingMac => "MAC missing",
            Self::CounterExhausted => "encryption counter exhausted",
            Self::Terminated => "secure channel session terminated",
            Self::UnexpectedStatus => "unexpected status word",
            Self::NoPendingCommand => "no command awaiting a response",
            Self::BufferTooSmall => "output buffer too small",
        }
    }

    /// Whether this failure terminates the session that met it (fail closed,
    /// Amendment D §5.6): MAC, cryptogram, challenge, padding and counter failures,
    /// and the [`ErrorKind::Terminated`] state itself.
    pub const fn is_security_failure(self) -> bool {
        matches!(
            self,
            Self::CardCryptogramMismatch
                | Self::HostCryptogramMismatch
                | Self::CardChallengeMismatch
                | Self::MacMismatch
                | Self::InvalidPadding
                | Self::MissingMac
                | Self::CounterExhausted
                | Self::Terminated
        )
    }
}

/// A secure-channel error: what failed ([`ErrorKind`]) and a detail whose meaning
/// depends on the kind: the byte offset in the input for parse errors, the size
/// needed for [`ErrorKind::BufferTooSmall`], the status word for
/// [`ErrorKind::UnexpectedStatus`], otherwise 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Error {
    /// What failed.
    pub kind: ErrorKind,
    /// Offset, size needed or status word (see the type's documentation).
    pub detail: usize,
}

impl Error {
    /// An error of `kind` with `detail`.
    pub const fn new(kind: ErrorKind, detail: usize) -> Self {
        Self { kind, detail }
    }

    /// An error of `kind` with no detail.
    pub const fn of(kind: ErrorKind) -> Self {
        Self { kind, detail: 0 }
    }

    /// [`ErrorKind::BufferTooSmall`]: `needed` bytes are needed.
    pub const fn buffer_too_small(needed: usize) -> Self {
        Self { kind: ErrorKind::BufferTooSmall, detail: needed }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self::of(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::BufferTooSmall => write!(f, "{}: {} bytes needed", self.kind.as_str(), self.detail),
            ErrorKind::UnexpectedStatus => write!(f, "{}: {:04X}", self.kind.as_str(), self.detail),
            ErrorKind::Truncated | ErrorKind::InvalidLength => {
                write!(f, "{} at offset {}", self.kind.as_str(), self.detail)
            }
            kind => f.write_str(kind.as_str()),
        }
    }
}

impl core::error::Error for Error {}

/// Result alias of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
