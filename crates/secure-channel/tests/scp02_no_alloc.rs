//! SCP02 wrap and unwrap allocate nothing per APDU: the pure core (`HostSession::wrap` /
//! `unwrap`, `CardSession::unwrap_command` / `wrap_response`) and `Scp02Session::transmit_into`
//! once its buffers have grown, called directly or through the `CardChannel` trait. A
//! counting global allocator (`stats_alloc`) watches the steady state. The only test in this
//! binary, so no other test thread allocates meanwhile.

#![cfg(feature = "std")]
// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::alloc::System;

use oxicard_apdu::card::{Card, CardChannel};
use oxicard_secure_channel::scp02::{
    CardChallenge, CardHandshake, CardSession, IParameter, OpenOptions, Scp02Session, SecurityLevel,
    StaticKeys,
};
use oxicard_secure_channel::testcard::scp02_session_pair;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use common::no_alloc::{EchoCard, assert_no_allocation, control, echo};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x20, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn i() -> IParameter {
    // "55" with R-MAC: explicit, modified APDU, ICV encryption, pseudo-random challenge.
    IParameter::from_byte(0x75).unwrap()
}

fn initialize_update(command: &[u8], response: &mut [u8]) -> (CardHandshake, usize) {
    let challenge = CardChallenge::PseudoRandom { aid: &AID };
    CardHandshake::initialize_update(&keys(), i(), [0; 10], [0, 1], challenge, command, response).unwrap()
}

fn authenticate(handshake: CardHandshake, command: &[u8]) -> CardSession {
    handshake.external_authenticate(command).unwrap()
}

#[test]
fn wrap_and_unwrap_allocate_nothing() {
    control(GLOBAL);

    // The pure core, both sides, at every level.
    let commands: Vec<Vec<u8>> = [0usize, 1, 16, 200, 239]
        .iter()
        .map(|&n| {
            let mut c = vec![0x80, 0xEE, 0x00, 0x00];
            if n > 0 {
                c.push(n as u8);
                c.extend(std::iter::repeat_n(0x3C, n));
            }
            c.push(0x00);
            c
        })
        .collect();
    let mut wire = [0u8; 300];
    let mut plain = [0u8; 300];
    let mut answer = [0u8; 300];
    for level in SecurityLevel::ALL {
        let (mut host, mut card) =
            scp02_session_pair(&keys(), i(), level, 0, &[1, 2, 3, 4, 5, 6, 7, 8], &AID).unwrap();
        let region = Region::new(GLOBAL);
        for _ in 0..5 {
            for command in &commands {
                let w = host.wrap(command, &mut wire).unwrap();
                let p = card.unwrap_command(&wire[..w], &mut plain).unwrap();
                let data_len = if p > 5 { usize::from(plain[4]) } else { 0 };
                answer[..data_len].copy_from_slice(&plain[5..5 + data_len]);
                answer[data_len..data_len + 2].copy_from_slice(&[0x90, 0x00]);
                let w = card.wrap_response(&answer[..data_len + 2], &mut wire).unwrap();
                let p = host.unwrap(&wire[..w], &mut plain).unwrap();
                assert_eq!(p, data_len + 2);
            }
        }
        let stats = region.change();
        assert_eq!((stats.allocations, stats.reallocations), (0, 0), "level {level:?}: {stats:?}");
    }

    // Over the card layer.
    let transport = EchoCard::new(initialize_update, authenticate, 300);
    let mut card = Card::new(transport);
    let options = OpenOptions::new().with_aid(&AID).unwrap();
    let level = SecurityLevel::C_DEC_C_MAC_R_MAC;
    let mut session = Scp02Session::open(&mut card, &keys(), i(), level, &options).unwrap();
    let payloads: Vec<Vec<u8>> = [239usize, 0, 1, 16, 100, 200].iter().map(|&n| vec![0x3C; n]).collect();
    let mut data = Vec::new();
    // Warm-up: the largest payload grows every buffer once.
    session.transmit_into(&echo(&payloads[0], 256), &mut data).unwrap();
    assert_no_allocation(GLOBAL, 10, &payloads, 256, &mut data, |command, data| {
        session.transmit_into(command, data).unwrap()
    });

    // The same through the `CardChannel` trait.
    let mut boxed: Box<dyn CardChannel + '_> = Box::new(&mut session);
    assert_no_allocation(GLOBAL, 1, &payloads, 256, &mut data, |command, data| {
        boxed.transmit_into(command, data).unwrap()
    });
    drop(boxed);
    assert_eq!(session.state().commands(), 67);
}
