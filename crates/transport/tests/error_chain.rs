//! The error chain of the transport layer, as printed: a vpcd connection that closes inside a
//! frame (vsmartcard `virtualsmartcard/src/vpcd/`: a frame is a 2-byte big-endian length and
//! the body), and a script line with bad hex. Each message says what its own step was doing;
//! none repeats its cause's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use oxicard_transport::mock::MockTransport;
use oxicard_transport::sim::CardSimulator;
use oxicard_transport::vpcd::serve;
use oxicard_transport::{ErrorChain, ErrorKind};

/// A card that is never asked anything: the connection ends before a whole frame.
struct Silent;

impl CardSimulator for Silent {
    fn atr(&self) -> &[u8] {
        &[0x3B, 0x00]
    }
    fn reset(&mut self) {}
    fn power_off(&mut self) {}
    fn process(&mut self, _command: &[u8], response: &mut Vec<u8>) {
        response.extend_from_slice(&[0x6F, 0x00]);
    }
}

/// Each message says something its cause does not: no message contains the next one.
fn assert_reads_once(messages: &[String]) {
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its cause {:?}", pair[0], pair[1]);
    }
}

#[test]
fn a_vpcd_connection_closed_inside_a_frame() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut vpcd = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (stream, _) = listener.accept().unwrap();
    // A frame announcing 5 bytes of APDU, 2 sent, then the connection closes.
    vpcd.write_all(&[0x00, 0x05, 0x00, 0xA4]).unwrap();
    drop(vpcd);

    let err = serve(stream, &mut Silent).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved);
    let chain = ErrorChain(&err);
    // std's own message for `read_exact` short of data (`io::ErrorKind::UnexpectedEof`).
    assert_eq!(chain.to_string(), "card removed: reading a vpcd frame body: failed to fill whole buffer");
    assert_eq!(chain.messages(), ["card removed: reading a vpcd frame body", "failed to fill whole buffer"]);
    assert_reads_once(&chain.messages());
}

#[test]
fn a_script_line_with_bad_hex() {
    let err = MockTransport::from_script("> 00A4 04 0G\n< 9000\n").unwrap_err();
    let chain = ErrorChain(&err);
    // The `hex` crate's message for a character that is no hex digit.
    assert_eq!(
        chain.messages(),
        [
            "invalid command APDU: script line 1: bad hex \"00A4 04 0G\"",
            "Invalid character 'G' at position 7"
        ]
    );
    assert_reads_once(&chain.messages());
}
