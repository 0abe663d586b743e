//! Tracing of APDU exchanges with redaction of sensitive payloads.
//!
//! Every exchange made through [`Transport::transmit`](crate::Transport::transmit)
//! is logged at TRACE level under the target `oxicard::apdu`: the command as
//! `>> hex`, the response as `<< hex` with the elapsed time. Payloads that may
//! carry secrets are replaced by `[N bytes redacted]`; the header (CLA INS P1 P2)
//! and the status word are always shown, since they are what a reader of the
//! log needs to follow the protocol.

use std::fmt;
use std::time::Instant;

use crate::TransportError;

/// Target name of the APDU trace events.
pub const TARGET: &str = "oxicard::apdu";

/// What to hide in the trace of one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Redaction {
    /// Hide command data of instructions known to carry secrets (see
    /// [`is_sensitive_ins`]); show everything else.
    #[default]
    Auto,
    /// Show everything.
    Off,
    /// Hide the command data field.
    Command,
    /// Hide the response data field.
    Response,
    /// Hide both data fields.
    Both,
}

impl Redaction {
    fn hides_command(self, command: &[u8]) -> bool {
        match self {
            Self::Command | Self::Both => true,
            Self::Auto => command.get(1).is_some_and(|&ins| is_sensitive_ins(ins)),
            Self::Off | Self::Response => false,
        }
    }

    fn hides_response(self) -> bool {
        matches!(self, Self::Response | Self::Both)
    }
}

/// Instructions whose command data is secret by nature: VERIFY (`20`),
/// CHANGE REFERENCE DATA (`24`), RESET RETRY COUNTER (`2C`),
/// GlobalPlatform PUT KEY (`D8`) and EXTERNAL AUTHENTICATE (`82`, its host cryptogram).
pub const fn is_sensitive_ins(ins: u8) -> bool {
    matches!(ins, 0x20 | 0x21 | 0x24 | 0x2C | 0xD8 | 0x82)
}

/// Hex of a command APDU with its data field possibly redacted.
pub struct CommandDisplay<'a> {
    command: &'a [u8],
    redact: bool,
}

impl<'a> CommandDisplay<'a> {
    /// Displays `command` under `redaction`.
    pub fn new(command: &'a [u8], redaction: Redaction) -> Self {
        Self { command, redact: redaction.hides_command(command) }
    }
}

impl fmt::Display for CommandDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.redact, self.command.split_at_checked(4)) {
            // Header and the length byte(s) are shown, the rest is hidden.
            (true, Some((header, body))) if body.len() > 1 => {
                write_hex(f, header)?;
                write!(f, " [{} bytes redacted]", body.len())
            }
            _ => write_hex(f, self.command),
        }
    }
}

/// Hex of a response APDU with its data field possibly redacted.
pub struct ResponseDisplay<'a> {
    response: &'a [u8],
    redact: bool,
}

impl<'a> ResponseDisplay<'a> {
    /// Displays `response` (data + SW1 SW2) under `redaction`.
    pub fn new(response: &'a [u8], redaction: Redaction) -> Self {
        Self { response, redact: redaction.hides_response() }
    }
}

impl fmt::Display for ResponseDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let split = self.response.len().saturating_sub(2);
        let (data, sw) = self.response.split_at(split);
        if self.redact && !data.is_empty() {
            write!(f, "[{} bytes redacted] ", data.len())?;
            write_hex(f, sw)
        } else {
            write_hex(f, self.response)
        }
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
}

/// Traces a command about to be sent; returns the start time when tracing is on.
pub(crate) fn command(command: &[u8], redaction: Redaction) -> Option<Instant> {
    if tracing::enabled!(target: TARGET, tracing::Level::TRACE) {
        tracing::trace!(target: TARGET, ">> {}", CommandDisplay::new(command, redaction));
        Some(Instant::now())
    } else {
        None
    }
}

/// Traces the outcome of an exchange started with [`command`].
pub(crate) fn response(
    started: Option<Instant>,
    result: &Result<usize, TransportError>,
    buffer: &[u8],
    redaction: Redaction,
) {
    let Some(started) = started else { return };
    let micros = started.elapsed().as_micros();
    match result {
        Ok(len) => {
            let response = buffer.get(..*len).unwrap_or(buffer);
            tracing::trace!(target: TARGET, "<< {} ({micros} µs)", ResponseDisplay::new(response, redaction));
        }
        Err(err) => tracing::trace!(target: TARGET, "<< error: {err} ({micros} µs)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_pin_data_is_redacted_by_default() {
        let verify = [0x00, 0x20, 0x00, 0x01, 0x04, 0x31, 0x32, 0x33, 0x34];
        assert_eq!(CommandDisplay::new(&verify, Redaction::Auto).to_string(), "00200001 [5 bytes redacted]");
        assert_eq!(CommandDisplay::new(&verify, Redaction::Off).to_string(), "002000010431323334");
    }

    #[test]
    fn select_is_shown_in_full() {
        let select = [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00];
        assert_eq!(CommandDisplay::new(&select, Redaction::Auto).to_string(), "00A4040002A000");
    }

    #[test]
    fn response_data_redacted_keeps_status_word() {
        let rsp = [0xDE, 0xAD, 0x90, 0x00];
        assert_eq!(ResponseDisplay::new(&rsp, Redaction::Both).to_string(), "[2 bytes redacted] 9000");
        assert_eq!(ResponseDisplay::new(&rsp, Redaction::Command).to_string(), "DEAD9000");
        assert_eq!(ResponseDisplay::new(&[0x6A, 0x82], Redaction::Both).to_string(), "6A82");
    }
}
