//! The codec error: a small `Copy` value saying what was wrong and where.

use core::fmt;

/// What was wrong with the bytes (or the buffer) a codec was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ends before the element it announces is complete.
    Truncated,
    /// Bytes remain after the end of a complete element.
    TrailingData,
    /// A length field (Lc, Le, TLV length) disagrees with the bytes present.
    InvalidLength,
    /// Lc is `00` (short) or `0000` (extended): not allowed, Nc is 1..=65535.
    ZeroLc,
    /// More command data than any APDU can carry (65 535 bytes), or than the form allows.
    DataTooLong,
    /// Ne larger than 65 536.
    NeTooLarge,
    /// A BER-TLV tag that is not well formed.
    InvalidTag,
    /// A tag in a longer form than needed (DER mode).
    NonMinimalTag,
    /// A length in a longer form than needed (DER mode).
    NonMinimalLength,
    /// The indefinite length form `80` (BER only; never accepted).
    IndefiniteLength,
    /// A length-of-length beyond 4 bytes, or a length the platform cannot address.
    LengthTooLarge,
    /// Constructed values nested deeper than the configured limit.
    DepthExceeded,
    /// A primitive encoding where a constructed one is required, or the reverse.
    WrongConstruction,
    /// A tag other than the one the caller required.
    UnexpectedTag,
    /// A required element is missing.
    Missing,
    /// A value outside its allowed range (for example a logical channel above 19).
    InvalidValue,
    /// Command chaining out of order: a chained part whose header differs from
    /// the first part's, or data after the last part.
    ChainingMismatch,
    /// The caller's output buffer is too small; the offset is the size needed.
    BufferTooSmall,
}

impl ErrorKind {
    /// A short human description of the kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Truncated => "input truncated",
            Self::TrailingData => "trailing data",
            Self::InvalidLength => "length field does not match the data",
            Self::ZeroLc => "Lc of zero",
            Self::DataTooLong => "data too long",
            Self::NeTooLarge => "Ne above 65536",
            Self::InvalidTag => "malformed tag",
            Self::NonMinimalTag => "tag not in minimal form",
            Self::NonMinimalLength => "length not in minimal form",
            Self::IndefiniteLength => "indefinite length",
            Self::LengthTooLarge => "length too large",
            Self::DepthExceeded => "nesting too deep",
            Self::WrongConstruction => "wrong primitive/constructed encoding",
            Self::UnexpectedTag => "unexpected tag",
            Self::Missing => "required element missing",
            Self::InvalidValue => "value out of range",
            Self::ChainingMismatch => "command chaining out of order",
            Self::BufferTooSmall => "output buffer too small",
        }
    }
}

/// A codec error: what was wrong ([`ErrorKind`]) and the byte offset in the
/// input where it was found (for [`ErrorKind::BufferTooSmall`], the number of
/// bytes the output needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Error {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Where: offset into the input (see the type's documentation).
    pub offset: usize,
}

impl Error {
    /// An error of `kind` at `offset`.
    pub const fn new(kind: ErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// The same error, moved by `base` bytes: for errors found in a slice
    /// that starts at `base` in the caller's input.
    #[must_use]
    pub const fn at(self, base: usize) -> Self {
        Self { kind: self.kind, offset: self.offset.saturating_add(base) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::BufferTooSmall => write!(f, "{}: {} bytes needed", self.kind.as_str(), self.offset),
            kind => write!(f, "{} at offset {}", kind.as_str(), self.offset),
        }
    }
}

impl core::error::Error for Error {}

/// Result alias of the codecs.
pub type Result<T, E = Error> = core::result::Result<T, E>;
