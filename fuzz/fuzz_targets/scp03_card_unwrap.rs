//! Card-side unwrap of arbitrary commands on a live SCP03 session (GP Card Spec
//! Amendment D §5.6, §6.2.4, §6.2.6): it never panics and fails closed — after a failure
//! (other than a command for another channel) the card's session is terminated and even
//! a genuine command from the host is refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp03::{IParameter, SecurityLevel, StaticKeys};
use oxicard_secure_channel::testcard::session_pair;

const AID: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else { return };
    let level = SecurityLevel::ALL[usize::from(selector & 0x07) % SecurityLevel::ALL.len()];
    let s16 = selector & 0x08 != 0;
    let channel = if selector & 0x10 != 0 { 5 } else { 0 };
    let i = IParameter::from_byte(if s16 { 0x71 } else { 0x70 }).unwrap();
    let challenge = [0xA5u8; 16];
    let challenge = &challenge[..if s16 { 16 } else { 8 }];
    let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let (mut host, mut card) = session_pair(&keys, i, level, channel, challenge, &AID).unwrap();
    let mut out = vec![0u8; rest.len() + 16];
    let mut data = rest;
    // Length-prefixed commands (two length bytes, so extended ones appear too).
    while let [hi, lo, tail @ ..] = data {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (command, tail) = tail.split_at(len);
        data = tail;
        match card.unwrap_command(command, &mut out) {
            Ok(n) => assert!(n <= command.len(), "plain command longer than the wrapped one"),
            Err(e) if matches!(e.kind, ErrorKind::InvalidChannel | ErrorKind::BufferTooSmall) => {
                assert!(!card.state().is_terminated());
            }
            Err(e) => {
                assert!(level.c_mac(), "level 00 refused a command: {e}");
                assert!(card.state().is_terminated(), "{e} did not terminate the session");
                // Even the genuine next command of the host is refused now.
                let cla = if channel == 0 { 0x80 } else { 0xC1 };
                let mut wire = [0u8; 64];
                let n = host.wrap(&[cla, 0xEE, 0, 0, 1, 0x42], &mut wire).unwrap();
                let err = card.unwrap_command(&wire[..n], &mut out).unwrap_err();
                assert_eq!(err.kind, ErrorKind::Terminated);
                return;
            }
        }
    }
});
