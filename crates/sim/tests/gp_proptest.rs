//! [`GpCard`] answers every input with a status word and never panics: arbitrary bytes, and
//! arbitrary commands with real GP headers, before and after a session is opened.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_secure_channel::scp03::{OpenOptions, Scp03Session, SecurityLevel, StaticKeys};
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::sim::{CardSimulator, SimulatorTransport};
use proptest::prelude::*;

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

/// A command with a GP or ISO class, a card management INS and any P1 P2 / data.
fn command() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop::sample::select(vec![0x00u8, 0x80, 0x84, 0x81, 0x01, 0xFF]);
    let ins =
        prop::sample::select(vec![0xA4u8, 0x70, 0xC0, 0x50, 0x82, 0xCA, 0xF2, 0xE6, 0xE8, 0xE4, 0xF0, 0xD8]);
    (cla, ins, any::<[u8; 2]>(), prop::collection::vec(any::<u8>(), 0..80), any::<bool>()).prop_map(
        |(cla, ins, p, data, le)| {
            let mut c = vec![cla, ins, p[0], p[1]];
            if !data.is_empty() {
                c.push(data.len() as u8);
                c.extend_from_slice(&data);
            }
            if le {
                c.push(0);
            }
            c
        },
    )
}

fn check(sim: &mut GpCard, commands: &[Vec<u8>]) {
    for c in commands {
        let mut response = Vec::new();
        sim.process(c, &mut response);
        assert!(response.len() >= 2, "{c:02X?}");
    }
}

proptest! {
    #[test]
    fn raw_bytes_always_answered(commands in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 1..20)) {
        check(&mut GpCard::new(&DEFAULT_ISD_AID, keys()), &commands);
    }

    #[test]
    fn commands_in_a_session_always_answered(
        level in prop::sample::select(SecurityLevel::ALL.to_vec()),
        commands in prop::collection::vec(command(), 1..20),
    ) {
        let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys())));
        drop(Scp03Session::open(&mut card, &keys(), level, &OpenOptions::new()).unwrap());
        check(card.transport_mut().simulator_mut(), &commands);
    }
}
