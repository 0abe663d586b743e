//! `Scp03Session::transmit_into` allocates nothing per APDU once its buffers have grown, called
//! directly or through the `CardChannel` trait:
//! a counting global allocator (`stats_alloc`) watches the steady state of a session over
//! the card layer, against a transport that answers with the card side of this crate
//! without allocating. The only test in this binary, so no other test thread allocates
//! meanwhile.

#![cfg(feature = "std")]
// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::alloc::System;

use oxicard_apdu::card::{Card, CardChannel};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_secure_channel::scp03::{
    CardChallenge, CardHandshake, CardSession, IParameter, OpenOptions, Scp03Session, SecurityLevel,
    StaticKeys,
};
use oxicard_transport::{ResetKind, Transport, TransportError};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The SGP.22 ISD-R AID.
const AID: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

/// An echo card on the card side of this crate, with buffers allocated up front.
struct EchoCard {
    handshake: Option<CardHandshake>,
    session: Option<CardSession>,
    plain: Vec<u8>,
    answer: Vec<u8>,
}

impl Transport for EchoCard {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let n = match command[1] {
            0x50 => {
                let (handshake, n) = CardHandshake::initialize_update(
                    &keys(),
                    IParameter::S8_PSEUDO_RANDOM_RMAC_RENC,
                    [0; 10],
                    CardChallenge::PseudoRandom { sequence_counter: [0, 0, 1], aid: &AID },
                    command,
                    response,
                )
                .unwrap();
                self.handshake = Some(handshake);
                n
            }
            0x82 => {
                self.session = Some(self.handshake.take().unwrap().external_authenticate(command).unwrap());
                response[..2].copy_from_slice(&[0x90, 0x00]);
                2
            }
            _ => {
                let session = self.session.as_mut().unwrap();
                let n = session.unwrap_command(command, &mut self.plain).unwrap();
                let data = CommandView::parse(&self.plain[..n]).unwrap().data();
                self.answer[..data.len()].copy_from_slice(data);
                self.answer[data.len()..data.len() + 2].copy_from_slice(&[0x90, 0x00]);
                session.wrap_response(&self.answer[..data.len() + 2], response).unwrap()
            }
        };
        Ok(n)
    }

    fn atr(&self) -> &[u8] {
        &oxicard_apdu::testcard::ATR_EXTENDED
    }

    fn reset(&mut self, _kind: ResetKind) -> Result<(), TransportError> {
        Ok(())
    }
}

#[test]
fn transmit_into_allocates_nothing_in_the_steady_state() {
    // Control: the region does see an allocation.
    // The counter is process-wide: let the test harness's main thread, which allocates
    // while it starts this test, go quiet first.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let region = Region::new(GLOBAL);
    let boxed = std::hint::black_box(Box::new([0u8; 32]));
    assert_eq!(region.change().allocations, 1);
    drop(boxed);

    let transport =
        EchoCard { handshake: None, session: None, plain: vec![0; 70_000], answer: vec![0; 70_000] };
    let mut card = Card::new(transport);
    let options = OpenOptions::new().with_aid(&AID).unwrap();
    let level = SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC;
    let mut session = Scp03Session::open(&mut card, &keys(), level, &options).unwrap();
    let payloads: Vec<Vec<u8>> =
        [4096usize, 0, 1, 16, 255, 256, 1000].iter().map(|&n| vec![0x3C; n]).collect();
    let mut data = Vec::new();
    // Warm-up: the largest payload grows every buffer once.
    let echo = |payload| CommandView::new(0x80, 0xEE, 0, 0).with_data(payload).with_ne(65_536);
    session.transmit_into(&echo(&payloads[0]), &mut data).unwrap();
    let region = Region::new(GLOBAL);
    for _ in 0..10 {
        for payload in &payloads {
            let sw = session.transmit_into(&echo(payload), &mut data).unwrap();
            assert_eq!((sw, data.len()), (StatusWord::SUCCESS, payload.len()));
        }
    }
    let stats = region.change();
    assert_eq!((stats.allocations, stats.reallocations), (0, 0), "{stats:?}");
    assert_eq!(session.state().encryption_counter(), 71);

    // The same through the `CardChannel` trait, as generic code (GP operations, the ISD-R)
    // sends: the session as a channel, owned by a `&mut` or a `Box`, allocates nothing either.
    let mut boxed: Box<dyn CardChannel + '_> = Box::new(&mut session);
    let region = Region::new(GLOBAL);
    for payload in &payloads {
        let sw = boxed.transmit_into(&echo(payload), &mut data).unwrap();
        assert_eq!((sw, data.len()), (StatusWord::SUCCESS, payload.len()));
    }
    let stats = region.change();
    assert_eq!((stats.allocations, stats.reallocations), (0, 0), "{stats:?}");
    drop(boxed);
    assert_eq!(session.state().encryption_counter(), 78);
}
