//! lpac's pcsc driver's stderr lines (lpac `driver/apdu/pcsc.c`, `pcsc_error`): `FUNCTION
//! failed: CODE (TEXT)`, CODE the PC/SC return code as eight upper-case hex digits, TEXT what
//! pcsc-lite's `pcsc_stringify_error` (`src/error.c`) says of it. Front-ends tell "no reader"
//! from "no card" by these codes.

use oxicard_transport::{ErrorKind, TransportError};

/// `SCARD_E_NO_READERS_AVAILABLE`: the reader list is empty.
pub(crate) const NO_READERS_AVAILABLE: u32 = 0x8010_002E;
/// `SCARD_E_NO_SMARTCARD`: the reader holds no card.
pub(crate) const NO_SMARTCARD: u32 = 0x8010_000C;
/// `SCARD_W_RESET_CARD`: another application reset the card.
pub(crate) const RESET_CARD: u32 = 0x8010_0068;
/// `SCARD_F_UNKNOWN_ERROR`.
const UNKNOWN_ERROR: u32 = 0x8010_0014;

/// pcsc-lite's text for each return code it names (`pcsc_stringify_error`).
const TEXTS: &[(u32, &str)] = &[
    (0x0000_0000, "Command successful."),
    (0x8010_0001, "Internal error."),
    (0x8010_0002, "Command cancelled."),
    (0x8010_0003, "Invalid handle."),
    (0x8010_0004, "Invalid parameter given."),
    (0x8010_0005, "Invalid target given."),
    (0x8010_0006, "Not enough memory."),
    (0x8010_0007, "Waited too long."),
    (0x8010_0008, "Insufficient buffer."),
    (0x8010_0009, "Unknown reader specified."),
    (0x8010_000A, "Command timeout."),
    (0x8010_000B, "Sharing violation."),
    (NO_SMARTCARD, "No smart card inserted."),
    (0x8010_000D, "Unknown card."),
    (0x8010_000E, "Cannot dispose handle."),
    (0x8010_000F, "Card protocol mismatch."),
    (0x8010_0010, "Subsystem not ready."),
    (0x8010_0011, "Invalid value given."),
    (0x8010_0012, "System cancelled."),
    (0x8010_0013, "RPC transport error."),
    (UNKNOWN_ERROR, "Unknown error."),
    (0x8010_0015, "Invalid ATR."),
    (0x8010_0016, "Transaction failed."),
    (0x8010_0017, "Reader is unavailable."),
    (0x8010_0019, "PCI struct too small."),
    (0x8010_001A, "Reader is unsupported."),
    (0x8010_001B, "Reader already exists."),
    (0x8010_001C, "Card is unsupported."),
    (0x8010_001D, "Service not available."),
    (0x8010_001E, "Service was stopped."),
    (0x8010_001F, "Feature not supported."),
    (NO_READERS_AVAILABLE, "Cannot find a smart card reader."),
    (0x8010_0065, "Card is not supported."),
    (0x8010_0066, "Card is unresponsive."),
    (0x8010_0067, "Card is unpowered."),
    (RESET_CARD, "Card was reset."),
    (0x8010_0069, "Card was removed."),
];

/// lpac's line for `function` (`SCardConnect()`, …) failing with `code`.
pub(crate) fn line(function: &str, code: u32) -> String {
    let text = TEXTS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| format!("Unknown error: 0x{code:08X}"), |(_, text)| (*text).to_owned());
    format!("{function} failed: {code:08X} ({text})")
}

/// The PC/SC return code of `error`: the one PC/SC gave, else the code of its kind.
pub(crate) fn code(error: &TransportError) -> u32 {
    error.pcsc_code().unwrap_or(match error.kind() {
        ErrorKind::NoService => 0x8010_001D,
        ErrorKind::NoReader => NO_READERS_AVAILABLE,
        ErrorKind::NoCard => NO_SMARTCARD,
        ErrorKind::SharingViolation => 0x8010_000B,
        ErrorKind::CardRemoved => 0x8010_0069,
        ErrorKind::CardReset => RESET_CARD,
        ErrorKind::ReaderUnavailable => 0x8010_0017,
        ErrorKind::Timeout => 0x8010_000A,
        ErrorKind::ProtocolMismatch => 0x8010_000F,
        ErrorKind::ResponseTooLong => 0x8010_0008,
        _ => UNKNOWN_ERROR,
    })
}

/// The PC/SC function whose failure `error` is when it ends opening a card: `SCardConnect()`
/// for what connecting reports (no card, no reader, held by another application, protocol),
/// `SCardTransmit()` for the rest.
pub(crate) fn function(error: &TransportError) -> &'static str {
    match error.kind() {
        ErrorKind::NoCard
        | ErrorKind::NoReader
        | ErrorKind::SharingViolation
        | ErrorKind::ProtocolMismatch
        | ErrorKind::NoService => "SCardConnect()",
        _ => "SCardTransmit()",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// lpac's `pcsc_error` format (`%s failed: %08X (%s)`) over pcsc-lite's texts.
    #[test]
    fn lines_read_as_lpacs() {
        assert_eq!(
            line("SCardListReaders()", NO_READERS_AVAILABLE),
            "SCardListReaders() failed: 8010002E (Cannot find a smart card reader.)"
        );
        assert_eq!(
            line("SCardConnect()", NO_SMARTCARD),
            "SCardConnect() failed: 8010000C (No smart card inserted.)"
        );
        assert_eq!(
            line("SCardEstablishContext()", 0x8010_001D),
            "SCardEstablishContext() failed: 8010001D (Service not available.)"
        );
        assert_eq!(
            line("SCardTransmit()", 0x8010_0042),
            "SCardTransmit() failed: 80100042 (Unknown error: 0x80100042)"
        );
    }

    #[test]
    fn codes_of_kinds_and_the_function_they_end() {
        let from_pcsc = TransportError::new(ErrorKind::SharingViolation);
        assert_eq!((code(&from_pcsc), function(&from_pcsc)), (0x8010_000B, "SCardConnect()"));
        let removed = TransportError::new(ErrorKind::CardRemoved);
        assert_eq!((code(&removed), function(&removed)), (0x8010_0069, "SCardTransmit()"));
        let other = TransportError::new(ErrorKind::Io);
        assert_eq!(code(&other), UNKNOWN_ERROR);
    }
}
