//! The error chain of the card layer, as printed with `ErrorChain`: a transport that fails
//! underneath a SELECT, a transport fault injected by the scripted mock, and an FCI that is not
//! BER-TLV (ISO/IEC 7816-4 §5.2.2). Each message says what its own layer was doing; none
//! repeats its cause's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardError};
use oxicard_transport::mock::MockTransport;
use oxicard_transport::{ErrorChain, ErrorKind, ResetKind, Transport, TransportError};

/// A reader whose card went away: every exchange fails with the operating system's error.
struct Unplugged;

impl Transport for Unplugged {
    fn exchange(&mut self, _command: &[u8], _response: &mut [u8]) -> Result<usize, TransportError> {
        Err(TransportError::io(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader unplugged")))
    }
    fn atr(&self) -> &[u8] {
        &[0x3B, 0x00]
    }
    fn reset(&mut self, _kind: ResetKind) -> Result<(), TransportError> {
        Ok(())
    }
}

fn assert_reads_once(messages: &[String]) {
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its cause {:?}", pair[0], pair[1]);
    }
}

#[test]
fn a_select_over_a_transport_that_fails() {
    let err = Card::new(Unplugged).select(&[0xA0, 0x00, 0x00, 0x01, 0x51]).unwrap_err();
    assert!(matches!(&err, CardError::Transport(e) if e.kind() == ErrorKind::CardRemoved), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(chain.to_string(), "transport failed: card removed: reader unplugged");
    assert_eq!(chain.messages(), ["transport failed", "card removed", "reader unplugged"]);
    assert_reads_once(&chain.messages());
}

#[test]
fn a_fault_injected_by_the_mock() {
    let mut mock = MockTransport::new();
    mock.fail_nth(0, ErrorKind::ReaderUnavailable);
    let err = Card::new(mock).select(&[0xA0, 0x00, 0x00, 0x01, 0x51]).unwrap_err();
    let chain = ErrorChain(&err);
    assert_eq!(
        chain.messages(),
        ["transport failed", "reader unavailable: injected at exchange #0 (00A4040005A00000015100)"]
    );
    assert_reads_once(&chain.messages());
}

#[test]
fn a_select_answered_with_a_truncated_fci() {
    let mut mock = MockTransport::new();
    // FCI template 6F announcing 5 bytes, 3 present (ISO/IEC 7816-4 §7.4.1, Table 10): the
    // codec reports the offset where the data ran out.
    mock.expect([0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00, 0x00])
        .respond([0x6F, 0x05, 0x84, 0x01, 0xA0, 0x90, 0x00]);
    let err = Card::new(mock).select(&[0xA0, 0x00]).unwrap_err();
    assert!(matches!(err, CardError::InvalidResponse { operation: "SELECT", .. }), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(chain.messages(), ["SELECT: malformed response", "input truncated at offset 5"]);
    assert_reads_once(&chain.messages());
}
