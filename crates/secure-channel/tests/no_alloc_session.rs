//! `Scp03Session::transmit_into` allocates nothing per APDU once its buffers have grown, called
//! directly or through the `CardChannel` trait:
//! a counting global allocator (`stats_alloc`) watches the steady state of a session over
//! the card layer, against a transport that answers with the card side of this crate
//! without allocating. The only test in this binary, so no other test thread allocates
//! meanwhile.

#![cfg(feature = "std")]
// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::alloc::System;

use oxicard_apdu::card::{Card, CardChannel};
use oxicard_secure_channel::scp03::{
    CardChallenge, CardHandshake, CardSession, IParameter, OpenOptions, Scp03Session, SecurityLevel,
    StaticKeys,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

use common::no_alloc::{EchoCard, assert_no_allocation, control, echo};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The SGP.22 ISD-R AID.
const AID: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn initialize_update(command: &[u8], response: &mut [u8]) -> (CardHandshake, usize) {
    CardHandshake::initialize_update(
        &keys(),
        IParameter::S8_PSEUDO_RANDOM_RMAC_RENC,
        [0; 10],
        CardChallenge::PseudoRandom { sequence_counter: [0, 0, 1], aid: &AID },
        command,
        response,
    )
    .unwrap()
}

fn authenticate(handshake: CardHandshake, command: &[u8]) -> CardSession {
    handshake.external_authenticate(command).unwrap()
}

#[test]
fn transmit_into_allocates_nothing_in_the_steady_state() {
    control(GLOBAL);

    let transport = EchoCard::new(initialize_update, authenticate, 70_000);
    let mut card = Card::new(transport);
    let options = OpenOptions::new().with_aid(&AID).unwrap();
    let level = SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC;
    let mut session = Scp03Session::open(&mut card, &keys(), level, &options).unwrap();
    let payloads: Vec<Vec<u8>> =
        [4096usize, 0, 1, 16, 255, 256, 1000].iter().map(|&n| vec![0x3C; n]).collect();
    let mut data = Vec::new();
    // Warm-up: the largest payload grows every buffer once.
    session.transmit_into(&echo(&payloads[0], 65_536), &mut data).unwrap();
    assert_no_allocation(GLOBAL, 10, &payloads, 65_536, &mut data, |command, data| {
        session.transmit_into(command, data).unwrap()
    });
    assert_eq!(session.state().encryption_counter(), 71);

    // The same through the `CardChannel` trait, as generic code (GP operations, the ISD-R)
    // sends: the session as a channel, owned by a `&mut` or a `Box`, allocates nothing either.
    let mut boxed: Box<dyn CardChannel + '_> = Box::new(&mut session);
    assert_no_allocation(GLOBAL, 1, &payloads, 65_536, &mut data, |command, data| {
        boxed.transmit_into(command, data).unwrap()
    });
    drop(boxed);
    assert_eq!(session.state().encryption_counter(), 78);
}
