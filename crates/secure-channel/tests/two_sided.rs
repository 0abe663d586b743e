//! Two-sided property tests: the host and the card side test each other. Random keys,
//! levels, modes, channels and APDU sequences must round-trip (host wrap → card unwrap →
//! card protect → host unwrap), and any single flipped bit must be rejected and
//! terminate the session that met it.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Setup, encode_command, gp_cla};
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp03::{Mode, SecurityLevel};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Step {
    ins: u8,
    p1: u8,
    p2: u8,
    data: Vec<u8>,
    ne: Option<u32>,
    response: Vec<u8>,
    sw: [u8; 2],
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::sample::select(vec![16usize, 24, 32]).prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
        prop::sample::select(SecurityLevel::ALL.to_vec()),
        prop::sample::select(vec![Mode::S8, Mode::S16]),
        0u8..=19,
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(|(key, level, mode, channel, pseudo_random, offer_all, seed)| Setup {
            key,
            level,
            mode,
            channel,
            pseudo_random,
            offer_all,
            seed,
        })
}

fn step(max_data: usize) -> impl Strategy<Value = Step> {
    let ne = prop_oneof![Just(None), (1u32..=256).prop_map(Some), (257u32..=65536).prop_map(Some)];
    let sw = prop::sample::select(vec![[0x90, 0x00], [0x63, 0x10], [0x62, 0x83], [0x6A, 0x82], [0x69, 0x85]]);
    (
        // INS values other than the SM/handshake ones; any P1 P2.
        (0x00u8..=0xFF).prop_filter("odd INS", |i| i & 1 == 0 && *i != 0x50 && *i != 0x82),
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(any::<u8>(), 0..max_data),
        ne,
        prop::collection::vec(any::<u8>(), 0..max_data),
        sw,
    )
        .prop_map(|(ins, p1, p2, data, ne, response, sw)| Step { ins, p1, p2, data, ne, response, sw })
}

fn is_error_sw(sw: [u8; 2]) -> bool {
    !matches!(sw, [0x90, 0x00] | [0x62, _] | [0x63, _])
}

/// Runs the steps through both sides; returns nothing, asserts exact round trips.
fn run(setup: &Setup, steps: &[Step]) -> Result<(), TestCaseError> {
    let (mut host, mut card) = setup.open();
    let cla = gp_cla(setup.channel);
    let mut wire = vec![0u8; 70_000];
    let mut plain = vec![0u8; 70_000];
    for (n, s) in steps.iter().enumerate() {
        let command = encode_command([cla, s.ins, s.p1, s.p2], &s.data, s.ne);
        let w = host.wrap(&command, &mut wire).unwrap();
        prop_assert_eq!(w, host.wrapped_len(&command).unwrap());
        if setup.level.c_mac() {
            // SM indication in CLA: b3 for channels 0-3, b6 for 4-19.
            let sm = if setup.channel < 4 { 0x04 } else { 0x20 };
            prop_assert_eq!(wire[0], cla | sm);
        }
        let p = card.unwrap_command(&wire[..w], &mut plain).unwrap();
        prop_assert_eq!(&plain[..p], &command[..], "step {}", n);
        if setup.level.counts() {
            prop_assert_eq!(host.state().encryption_counter(), n as u32 + 1);
            prop_assert_eq!(card.state().encryption_counter(), n as u32 + 1);
        }
        let body: &[u8] = if is_error_sw(s.sw) { &[] } else { &s.response };
        let mut response = body.to_vec();
        response.extend_from_slice(&s.sw);
        let w = card.wrap_response(&response, &mut wire).unwrap();
        prop_assert_eq!(w, card.wrapped_response_len(&response).unwrap());
        let p = host.unwrap(&wire[..w], &mut plain).unwrap();
        prop_assert_eq!(&plain[..p], &response[..], "response {}", n);
    }
    prop_assert!(!host.state().is_terminated() && !card.state().is_terminated());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn sequences_round_trip(setup in setup(), steps in prop::collection::vec(step(300), 1..6)) {
        run(&setup, &steps)?;
    }

    /// A flipped bit in a wrapped command is rejected by the card and terminates its
    /// session; only Le (outside the MAC) and the channel bits of CLA (another channel's
    /// command, left alone) are exempt.
    #[test]
    fn flipped_command_bit_is_rejected(
        setup in setup().prop_filter("secure messaging", |s| s.level.c_mac()),
        steps in prop::collection::vec(step(64), 1..4),
        which in any::<prop::sample::Index>(),
        bit in any::<prop::sample::Index>(),
    ) {
        let (mut host, mut card) = setup.open();
        let cla = gp_cla(setup.channel);
        let target = which.index(steps.len());
        let mut wire = vec![0u8; 70_000];
        let mut plain = vec![0u8; 70_000];
        for (n, s) in steps.iter().enumerate() {
            let command = encode_command([cla, s.ins, s.p1, s.p2], &s.data, s.ne);
            let w = host.wrap(&command, &mut wire).unwrap();
            if n == target {
                let mut bad = wire[..w].to_vec();
                let bit = bit.index(w * 8);
                bad[bit / 8] ^= 0x80 >> (bit % 8);
                let le_len = match s.ne {
                    None => 0,
                    Some(_) if w > 5 && wire[4] == 0 => 2,
                    Some(_) => 1,
                };
                let result = card.unwrap_command(&bad, &mut plain);
                if bit / 8 >= w - le_len {
                    prop_assert!(result.is_ok());
                } else {
                    match result {
                        Err(e) if e.kind == ErrorKind::InvalidChannel => {
                            prop_assert_eq!(bit / 8, 0);
                            prop_assert!(!card.state().is_terminated());
                        }
                        Err(e) => {
                            prop_assert!(e.kind.is_security_failure(), "{:?}", e);
                            prop_assert!(card.state().is_terminated());
                            let again = card.unwrap_command(&wire[..w], &mut plain).unwrap_err();
                            prop_assert_eq!(again.kind, ErrorKind::Terminated);
                            let again = card.wrap_response(&[0x90, 0x00], &mut plain).unwrap_err();
                            prop_assert_eq!(again.kind, ErrorKind::Terminated);
                        }
                        Ok(_) => prop_assert!(false, "flipped bit {} accepted", bit),
                    }
                }
                return Ok(());
            }
            card.unwrap_command(&wire[..w], &mut plain).unwrap();
            let w = card.wrap_response(&[0x90, 0x00], &mut wire).unwrap();
            host.unwrap(&wire[..w], &mut plain).unwrap();
        }
    }

    /// A flipped bit in a protected response is rejected by the host and terminates its
    /// session (levels with R-MAC).
    #[test]
    fn flipped_response_bit_is_rejected(
        setup in setup().prop_filter("R-MAC", |s| s.level.r_mac()),
        steps in prop::collection::vec(step(64), 1..4),
        which in any::<prop::sample::Index>(),
        bit in any::<prop::sample::Index>(),
    ) {
        let (mut host, mut card) = setup.open();
        let cla = gp_cla(setup.channel);
        let target = which.index(steps.len());
        let mut wire = vec![0u8; 70_000];
        let mut plain = vec![0u8; 70_000];
        for (n, s) in steps.iter().enumerate() {
            let command = encode_command([cla, s.ins, s.p1, s.p2], &s.data, s.ne);
            let w = host.wrap(&command, &mut wire).unwrap();
            card.unwrap_command(&wire[..w], &mut plain).unwrap();
            let body: &[u8] = if is_error_sw(s.sw) { &[] } else { &s.response };
            let mut response = body.to_vec();
            response.extend_from_slice(&s.sw);
            let w = card.wrap_response(&response, &mut wire).unwrap();
            if n == target {
                let mut bad = wire[..w].to_vec();
                let bit = bit.index(w * 8);
                bad[bit / 8] ^= 0x80 >> (bit % 8);
                match host.unwrap(&bad, &mut plain) {
                    // An error SW alone is not protected (Amendment D §6.2.5): flipping
                    // it to another error SW cannot be detected, and it carries no data.
                    Ok(p) => {
                        prop_assert!(w == 2 && p == 2 && is_error_sw([bad[0], bad[1]]), "accepted {:02x?}", bad);
                    }
                    Err(e) => {
                        prop_assert!(e.kind.is_security_failure(), "{:?}", e);
                        prop_assert!(host.state().is_terminated());
                        let again = host.wrap(&command, &mut wire).unwrap_err();
                        prop_assert_eq!(again.kind, ErrorKind::Terminated);
                    }
                }
                return Ok(());
            }
            host.unwrap(&wire[..w], &mut plain).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Extended-length commands and responses up to 5 000 bytes.
    #[test]
    fn extended_lengths_round_trip(setup in setup(), steps in prop::collection::vec(step(5000), 1..3)) {
        run(&setup, &steps)?;
    }
}
