//! The one error type of the transport layer.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// What went wrong in a [`Transport`](crate::Transport) exchange.
///
/// The kind is what callers branch on; the underlying cause (for example the
/// `pcsc::Error` or the `std::io::Error`) stays available through
/// [`std::error::Error::source`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The PC/SC service (pcscd) is not running or cannot be reached.
    NoService,
    /// No reader is connected, or the named reader does not exist.
    NoReader,
    /// The reader is there but holds no card.
    NoCard,
    /// The card was removed during the session.
    CardRemoved,
    /// The card was reset (by another process, or by a reset of ours the caller did not allow to be transparent).
    CardReset,
    /// The reader went away or stopped answering.
    ReaderUnavailable,
    /// Another process holds the card in exclusive mode.
    SharingViolation,
    /// Waiting for a card, or for an answer, took longer than allowed.
    Timeout,
    /// The card does not speak the requested protocol (T=0 / T=1).
    ProtocolMismatch,
    /// The response did not fit the caller's buffer or the configured maximum.
    ResponseTooLong,
    /// The command is not a valid APDU for this transport (too short or too long).
    InvalidCommand,
    /// A scripted mock received a command other than the one it expected.
    UnexpectedCommand,
    /// A fault injected on purpose by a test.
    InjectedFault,
    /// An I/O error on a socket or stream (vpcd bridge, simulators).
    Io,
    /// The connection was closed or shut down by us.
    Closed,
    /// Anything the underlying layer reports that fits none of the kinds above.
    Other,
}

impl ErrorKind {
    /// A short human description of the kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoService => "PC/SC service not available",
            Self::NoReader => "no such reader",
            Self::NoCard => "no card in the reader",
            Self::CardRemoved => "card removed",
            Self::CardReset => "card was reset",
            Self::ReaderUnavailable => "reader unavailable",
            Self::SharingViolation => "card is held exclusively by another process",
            Self::Timeout => "timed out",
            Self::ProtocolMismatch => "protocol mismatch",
            Self::ResponseTooLong => "response too long",
            Self::InvalidCommand => "invalid command APDU",
            Self::UnexpectedCommand => "unexpected command",
            Self::InjectedFault => "injected fault",
            Self::Io => "I/O error",
            Self::Closed => "transport closed",
            Self::Other => "transport error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type Source = Box<dyn StdError + Send + Sync + 'static>;

/// An error from a [`Transport`](crate::Transport): a [kind](ErrorKind), an
/// optional detail message and the underlying cause, if any.
///
/// The message is the kind and the detail (`card removed: reading a vpcd frame length`); the
/// cause is the [`source`](StdError::source), printed after it by [`ErrorChain`](crate::ErrorChain).
pub struct TransportError {
    kind: ErrorKind,
    detail: Option<Cow<'static, str>>,
    source: Option<Source>,
}

impl TransportError {
    /// An error of `kind` with no detail and no cause.
    pub const fn new(kind: ErrorKind) -> Self {
        Self { kind, detail: None, source: None }
    }

    /// Adds (or replaces) a detail message, shown after the kind.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Keeps `source` as the underlying cause.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<Source>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The PC/SC return code this error came from (`SCARD_E_…`/`SCARD_W_…` as PC/SC Part 5 and
    /// pcsc-lite's `pcsclite.h` number them, e.g. `0x8010000C` for `SCARD_E_NO_SMARTCARD`), or
    /// `None` when it did not come from PC/SC.
    #[cfg(feature = "pcsc")]
    pub fn pcsc_code(&self) -> Option<u32> {
        let source: &(dyn StdError + 'static) = self.source.as_deref()?;
        source.downcast_ref::<pcsc::Error>().map(|err| *err as u32)
    }

    /// A [`ErrorKind::ResponseTooLong`] error for a response of `len` bytes and room for `capacity`.
    pub fn response_too_long(len: usize, capacity: usize) -> Self {
        Self::new(ErrorKind::ResponseTooLong)
            .with_detail(format!("{len} bytes received, room for {capacity}"))
    }

    /// An [`ErrorKind::Io`] error wrapping `err` (timeouts map to [`ErrorKind::Timeout`],
    /// a closed peer to [`ErrorKind::CardRemoved`]).
    pub fn io(err: std::io::Error) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            Io::TimedOut | Io::WouldBlock => ErrorKind::Timeout,
            Io::UnexpectedEof | Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe => {
                ErrorKind::CardRemoved
            }
            _ => ErrorKind::Io,
        };
        Self::new(kind).with_source(err)
    }

    /// What kind of failure this is.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The detail message, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The underlying PC/SC error, if this error came from PC/SC.
    #[cfg(feature = "pcsc")]
    pub fn pcsc_error(&self) -> Option<pcsc::Error> {
        self.source.as_ref().and_then(|s| s.downcast_ref::<pcsc::Error>()).copied()
    }
}

impl From<ErrorKind> for TransportError {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

impl From<std::io::Error> for TransportError {
    fn from(err: std::io::Error) -> Self {
        Self::io(err)
    }
}

/// Maps a PC/SC return code (PC/SC Part 5 §3 / pcsc-lite `SCARD_E_*`, `SCARD_W_*`) to a kind,
/// keeping the `pcsc::Error` as the source (see [`TransportError::pcsc_error`]).
///
/// `SCARD_E_NOT_TRANSACTED` maps to [`ErrorKind::Io`] here; the PC/SC transport refines it to
/// [`ErrorKind::CardRemoved`] when the reader reports the card gone (vpcd reports a closed card
/// socket this way).
#[cfg(feature = "pcsc")]
impl From<pcsc::Error> for TransportError {
    fn from(err: pcsc::Error) -> Self {
        Self::new(pcsc_kind(err)).with_source(err)
    }
}

/// The [`ErrorKind`] of a PC/SC error.
#[cfg(feature = "pcsc")]
pub(crate) const fn pcsc_kind(err: pcsc::Error) -> ErrorKind {
    use pcsc::Error as E;
    match err {
        E::NoSmartcard => ErrorKind::NoCard,
        E::RemovedCard => ErrorKind::CardRemoved,
        E::ResetCard => ErrorKind::CardReset,
        E::UnknownReader | E::NoReadersAvailable => ErrorKind::NoReader,
        E::ReaderUnavailable => ErrorKind::ReaderUnavailable,
        E::NoService | E::ServiceStopped => ErrorKind::NoService,
        E::SharingViolation => ErrorKind::SharingViolation,
        E::Timeout => ErrorKind::Timeout,
        E::ProtoMismatch => ErrorKind::ProtocolMismatch,
        E::InsufficientBuffer => ErrorKind::ResponseTooLong,
        E::NotTransacted | E::CommError | E::CommDataLost => ErrorKind::Io,
        _ => ErrorKind::Other,
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TransportError");
        d.field("kind", &self.kind);
        if let Some(detail) = &self.detail {
            d.field("detail", detail);
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_ref().map(|s| &**s as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_kind_and_detail_and_leaves_the_cause_to_source() {
        let err = TransportError::io(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof"))
            .with_detail("reading the response length");
        assert_eq!(err.kind(), ErrorKind::CardRemoved);
        assert_eq!(err.to_string(), "card removed: reading the response length");
        assert_eq!(StdError::source(&err).map(ToString::to_string).as_deref(), Some("eof"));
        assert_eq!(crate::ErrorChain(&err).to_string(), "card removed: reading the response length: eof");
    }

    #[cfg(feature = "pcsc")]
    #[test]
    fn a_pcsc_error_keeps_its_return_code() {
        let err = TransportError::from(pcsc::Error::NoSmartcard).with_detail("reader \"r\"");
        assert_eq!((err.kind(), err.pcsc_code()), (ErrorKind::NoCard, Some(0x8010_000C)));
        assert_eq!(TransportError::from(pcsc::Error::NoReadersAvailable).pcsc_code(), Some(0x8010_002E));
        let not_pcsc = TransportError::io(std::io::Error::other("x"));
        assert_eq!(not_pcsc.pcsc_code(), None);
        assert_eq!(TransportError::new(ErrorKind::NoCard).pcsc_code(), None);
    }

    #[test]
    fn response_too_long_says_sizes() {
        let err = TransportError::response_too_long(300, 258);
        assert_eq!(err.kind(), ErrorKind::ResponseTooLong);
        assert_eq!(err.to_string(), "response too long: 300 bytes received, room for 258");
    }

    #[cfg(feature = "pcsc")]
    #[test]
    fn maps_smart_card_errors_keeping_the_source() {
        let cases = [
            (pcsc::Error::NoSmartcard, ErrorKind::NoCard),
            (pcsc::Error::RemovedCard, ErrorKind::CardRemoved),
            (pcsc::Error::ResetCard, ErrorKind::CardReset),
            (pcsc::Error::UnknownReader, ErrorKind::NoReader),
            (pcsc::Error::NoReadersAvailable, ErrorKind::NoReader),
            (pcsc::Error::ReaderUnavailable, ErrorKind::ReaderUnavailable),
            (pcsc::Error::NoService, ErrorKind::NoService),
            (pcsc::Error::ServiceStopped, ErrorKind::NoService),
            (pcsc::Error::SharingViolation, ErrorKind::SharingViolation),
            (pcsc::Error::Timeout, ErrorKind::Timeout),
            (pcsc::Error::ProtoMismatch, ErrorKind::ProtocolMismatch),
            (pcsc::Error::InsufficientBuffer, ErrorKind::ResponseTooLong),
            (pcsc::Error::NotTransacted, ErrorKind::Io),
            (pcsc::Error::InvalidHandle, ErrorKind::Other),
        ];
        for (pcsc_err, kind) in cases {
            let err = TransportError::from(pcsc_err);
            assert_eq!(err.kind(), kind, "{pcsc_err:?}");
            assert_eq!(err.pcsc_error(), Some(pcsc_err));
        }
        assert_eq!(TransportError::new(ErrorKind::Io).pcsc_error(), None);
    }
}
