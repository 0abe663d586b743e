//! The vpcd bridge against a fake in-process vpcd (a `TcpListener` speaking
//! the vpcd socket protocol of frankmorgner/vsmartcard `virtualsmartcard/src/vpcd/`):
//! exact frames both ways, no pcscd needed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oxicard_transport::ErrorKind;
use oxicard_transport::sim::CardSimulator;
use oxicard_transport::vpcd::{VirtualCard, serve};
use proptest::prelude::*;

/// The vpcd example ATR (T=0/T=1, valid TCK; vsmartcard's virtual nPA card).
const ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    PowerOff,
    Reset,
    Apdu(Vec<u8>),
}

/// A hand-made test card: answers every APDU with the APDU itself followed by
/// `90 00`, or `response_len` filler bytes when set; logs what it sees.
#[derive(Debug, Default)]
struct EchoCard {
    events: Arc<Mutex<Vec<Event>>>,
    response_len: Option<usize>,
}

impl CardSimulator for EchoCard {
    fn atr(&self) -> &[u8] {
        &ATR
    }
    fn reset(&mut self) {
        self.events.lock().unwrap().push(Event::Reset);
    }
    fn power_off(&mut self) {
        self.events.lock().unwrap().push(Event::PowerOff);
    }
    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.events.lock().unwrap().push(Event::Apdu(command.to_vec()));
        match self.response_len {
            Some(len) => response.resize(len, 0xAB),
            None => {
                response.extend_from_slice(command);
                response.extend_from_slice(&[0x90, 0x00]);
            }
        }
    }
}

fn fake_vpcd() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

fn accept(listener: &TcpListener) -> TcpStream {
    let (stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream
}

fn send(stream: &mut TcpStream, body: &[u8]) {
    let mut frame = u16::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    frame.extend_from_slice(body);
    stream.write_all(&frame).unwrap();
}

fn recv(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut body).unwrap();
    body
}

/// Reads until the peer closes; returns the bytes seen.
fn read_to_eof(stream: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    rest
}

#[test]
fn vpcd_get_atr_is_answered_with_the_exact_frame() {
    let (listener, port) = fake_vpcd();
    let card = VirtualCard::spawn(EchoCard::default(), port).unwrap();
    let mut vpcd = accept(&listener);
    vpcd.write_all(&[0x00, 0x01, 0x04]).unwrap();
    let mut frame = [0u8; 17];
    vpcd.read_exact(&mut frame).unwrap();
    assert_eq!(
        frame,
        [
            0x00, 0x0F, 0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00,
            0x75
        ]
    );
    assert!(card.is_running());
    card.remove().unwrap();
}

#[test]
fn vpcd_apdu_round_trip_is_one_frame_in_one_write() {
    let (listener, port) = fake_vpcd();
    let events = Arc::new(Mutex::new(Vec::new()));
    let card =
        VirtualCard::spawn(EchoCard { events: Arc::clone(&events), response_len: None }, port).unwrap();
    let mut vpcd = accept(&listener);
    // Hand-made example: SELECT by DF name with a 2-byte AID, framed as vpcd does.
    vpcd.write_all(&[0x00, 0x07, 0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00]).unwrap();
    // One write on a loopback socket arrives in one segment: a single read() sees the whole frame.
    let mut buf = [0u8; 64];
    let n = vpcd.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], [0x00, 0x09, 0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00, 0x90, 0x00]);
    let sim = card.remove().unwrap();
    assert_eq!(*sim.events.lock().unwrap(), [Event::Apdu(vec![0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00])]);
}

#[test]
fn vpcd_power_and_reset_controls_reach_the_simulator() {
    let (listener, port) = fake_vpcd();
    let card = VirtualCard::spawn(EchoCard::default(), port).unwrap();
    let mut vpcd = accept(&listener);
    send(&mut vpcd, &[0x00]); // power off
    send(&mut vpcd, &[0x01]); // power on
    send(&mut vpcd, &[0x02]); // reset
    send(&mut vpcd, &[0x03]); // unknown control code: ignored
    send(&mut vpcd, &[]); // empty frame: ignored
    send(&mut vpcd, &[0x04]); // get ATR, to know all of the above was processed
    assert_eq!(recv(&mut vpcd), ATR);
    let sim = card.remove().unwrap();
    assert_eq!(*sim.events.lock().unwrap(), [Event::PowerOff, Event::Reset, Event::Reset]);
    // Nothing but the ATR frame was written, then the socket closed.
    assert_eq!(read_to_eof(&mut vpcd), Vec::<u8>::new());
}

#[test]
fn vpcd_remove_closes_the_socket_and_returns_the_simulator() {
    let (listener, port) = fake_vpcd();
    let card = VirtualCard::spawn(EchoCard::default(), port).unwrap();
    let mut vpcd = accept(&listener);
    send(&mut vpcd, &[0x00, 0xB0, 0x00, 0x00, 0x02]);
    assert_eq!(recv(&mut vpcd), [0x00, 0xB0, 0x00, 0x00, 0x02, 0x90, 0x00]);
    let sim = card.remove().unwrap();
    assert_eq!(read_to_eof(&mut vpcd), Vec::<u8>::new(), "vpcd sees the card removed (EOF)");
    // Re-insertion: the same simulator, with its history, on a new connection.
    let card = VirtualCard::spawn(sim, port).unwrap();
    let mut vpcd = accept(&listener);
    send(&mut vpcd, &[0x04]);
    assert_eq!(recv(&mut vpcd), ATR);
    let sim = card.remove().unwrap();
    assert_eq!(*sim.events.lock().unwrap(), [Event::Apdu(vec![0x00, 0xB0, 0x00, 0x00, 0x02])]);
}

#[test]
fn vpcd_closing_the_connection_ends_the_session_cleanly() {
    let (listener, port) = fake_vpcd();
    let card = VirtualCard::spawn(EchoCard::default(), port).unwrap();
    let vpcd = accept(&listener);
    drop(vpcd);
    for _ in 0..100 {
        if !card.is_running() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!card.is_running());
    card.remove().unwrap();
}

#[test]
fn vpcd_drop_removes_the_card() {
    let (listener, port) = fake_vpcd();
    let card = VirtualCard::spawn(EchoCard::default(), port).unwrap();
    let mut vpcd = accept(&listener);
    drop(card);
    assert_eq!(read_to_eof(&mut vpcd), Vec::<u8>::new());
}

#[test]
fn vpcd_response_longer_than_a_frame_is_an_error_not_a_panic() {
    let (listener, port) = fake_vpcd();
    let card =
        VirtualCard::spawn(EchoCard { response_len: Some(65_536), ..EchoCard::default() }, port).unwrap();
    let mut vpcd = accept(&listener);
    send(&mut vpcd, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    // The session ends without a reply.
    assert_eq!(read_to_eof(&mut vpcd), Vec::<u8>::new());
    let err = card.remove().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLong);
    assert_eq!(err.detail(), Some("65536 bytes do not fit a vpcd frame (max 65535)"));
}

#[test]
fn vpcd_largest_frame_passes() {
    let (listener, port) = fake_vpcd();
    let card =
        VirtualCard::spawn(EchoCard { response_len: Some(65_535), ..EchoCard::default() }, port).unwrap();
    let mut vpcd = accept(&listener);
    send(&mut vpcd, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    let body = recv(&mut vpcd);
    assert_eq!(body.len(), 65_535);
    assert!(body.iter().all(|&b| b == 0xAB));
    card.remove().unwrap();
}

#[test]
fn vpcd_serve_reports_a_connection_cut_inside_a_frame() {
    let (listener, port) = fake_vpcd();
    let server = std::thread::spawn(move || {
        let stream = accept(&listener);
        serve(stream, &mut EchoCard::default())
    });
    let mut vpcd = TcpStream::connect(("127.0.0.1", port)).unwrap();
    vpcd.write_all(&[0x00, 0x05, 0x00, 0xA4]).unwrap(); // 2 of 5 announced bytes
    drop(vpcd);
    let err = server.join().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved);
}

#[test]
fn vpcd_serve_returns_ok_on_eof_between_frames() {
    let (listener, port) = fake_vpcd();
    let server = std::thread::spawn(move || {
        let stream = accept(&listener);
        let mut card = EchoCard::default();
        serve(stream, &mut card).map(|()| card.events.lock().unwrap().clone())
    });
    let mut vpcd = TcpStream::connect(("127.0.0.1", port)).unwrap();
    send(&mut vpcd, &[0x80, 0xCA, 0x00, 0x66, 0x00]);
    assert_eq!(recv(&mut vpcd), [0x80, 0xCA, 0x00, 0x66, 0x00, 0x90, 0x00]);
    drop(vpcd);
    assert_eq!(server.join().unwrap().unwrap(), [Event::Apdu(vec![0x80, 0xCA, 0x00, 0x66, 0x00])]);
}

#[test]
fn vpcd_spawn_without_listener_fails_after_retrying() {
    let port = {
        let (listener, port) = fake_vpcd();
        drop(listener);
        port
    };
    let started = std::time::Instant::now();
    let err = VirtualCard::spawn(EchoCard::default(), port).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReaderUnavailable);
    assert!(started.elapsed() >= Duration::from_secs(1), "retried for a while");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any command body (≥ 2 bytes, so never a control code) comes back framed as
    /// command + 9000 by the echo card.
    #[test]
    fn vpcd_any_apdu_round_trips(apdus in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 2..600), 1..5)) {
        let (listener, port) = fake_vpcd();
        let card = VirtualCard::spawn(EchoCard::default(), port).unwrap();
        let mut vpcd = accept(&listener);
        for apdu in &apdus {
            send(&mut vpcd, apdu);
            let mut expected = apdu.clone();
            expected.extend_from_slice(&[0x90, 0x00]);
            prop_assert_eq!(recv(&mut vpcd), expected);
        }
        let sim = card.remove().unwrap();
        let seen: Vec<Event> = apdus.into_iter().map(Event::Apdu).collect();
        prop_assert_eq!(sim.events.lock().unwrap().clone(), seen);
    }
}
