//! Host-side unwrap of arbitrary responses on a live SCP03 session (GP Card Spec
//! Amendment D §6.2.5, §6.2.7): it never panics and fails closed — after a failed unwrap
//! the session is terminated and every later wrap errors. A genuine card response with
//! any bit flipped is always rejected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp03::{HostSession, IParameter, SecurityLevel, StaticKeys};
use oxicard_secure_channel::testcard::session_pair;

const AID: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];
/// Case 4 command `80 EE 00 00 03 01 02 03 00` of the simulator's echo application.
const COMMAND: [u8; 9] = [0x80, 0xEE, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03, 0x00];

/// Wrap must fail on a session that failed: the fail-closed rule.
fn assert_dead(host: &mut HostSession) {
    let mut out = [0u8; 64];
    assert!(host.state().is_terminated());
    assert_eq!(host.wrap(&COMMAND, &mut out).unwrap_err().kind, ErrorKind::Terminated);
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else { return };
    // Levels with R-MAC (the others pass responses through unchecked), S8 or S16.
    let levels = [
        SecurityLevel::C_MAC_R_MAC,
        SecurityLevel::C_DEC_C_MAC_R_MAC,
        SecurityLevel::C_MAC_R_MAC_R_ENC,
        SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
    ];
    let level = levels[usize::from(selector & 0x03)];
    let s16 = selector & 0x04 != 0;
    let i = IParameter::from_byte(if s16 { 0x71 } else { 0x70 }).unwrap();
    let challenge = [0x5Au8; 16];
    let challenge = &challenge[..if s16 { 16 } else { 8 }];
    let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let (mut host, mut card) = session_pair(&keys, i, level, 0, challenge, &AID).unwrap();
    let mut wire = [0u8; 300];
    let mut plain = [0u8; 300];
    let mut out = vec![0u8; rest.len() + 64];
    if selector & 0x08 != 0 {
        // A genuine answer, damaged by XOR with the input.
        let n = host.wrap(&COMMAND, &mut wire).unwrap();
        card.unwrap_command(&wire[..n], &mut plain).unwrap();
        let m = card.wrap_response(&[1, 2, 3, 0x90, 0x00], &mut wire).unwrap();
        let mut response = wire[..m].to_vec();
        for (r, x) in response.iter_mut().zip(rest) {
            *r ^= *x;
        }
        let changed = response != wire[..m];
        match host.unwrap(&response, &mut out) {
            Ok(n) => {
                assert!(!changed, "a damaged response was accepted");
                assert_eq!(&out[..n], &[1, 2, 3, 0x90, 0x00]);
            }
            Err(e) => {
                assert!(changed, "a genuine response was rejected: {e}");
                assert!(e.kind.is_security_failure(), "{e}");
                assert_dead(&mut host);
            }
        }
        return;
    }
    // Arbitrary responses, each after a wrapped command: length-prefixed chunks.
    let mut data = rest;
    while let Some((&len, tail)) = data.split_first() {
        let len = usize::from(len).min(tail.len());
        let (response, tail) = tail.split_at(len);
        data = tail;
        if host.wrap(&COMMAND, &mut wire).is_err() {
            assert_dead(&mut host);
            return;
        }
        match host.unwrap(response, &mut out) {
            Ok(n) => {
                // A lone error SW, or a response with a valid R-MAC (the fuzzer does find the
                // genuine answer to the echo command: the keys are fixed).
                assert!(n <= response.len());
                assert!(!host.state().is_terminated());
            }
            Err(e) => {
                assert!(e.kind.is_security_failure(), "{e}");
                assert_dead(&mut host);
                return;
            }
        }
    }
});
