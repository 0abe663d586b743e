//! SCP02 (GP Card Spec v2.3.1 Appendix E) on a live session, both sides: fuzzed plain
//! commands and responses round-trip exactly (host wrap → card unwrap → card wrap → host
//! unwrap) at every security level and several "i" values; then arbitrary bytes fed to the
//! card never panic and fail closed — after a security failure (MAC, padding, counter) the
//! card's session is terminated and even a genuine command is refused; a malformed command
//! is refused without ending it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp02::{CardSession, HostSession, IParameter, SecurityLevel, StaticKeys};
use oxicard_secure_channel::testcard::scp02_session_pair;

const AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];
const I: [u8; 6] = [0x15, 0x55, 0x05, 0x35, 0x75, 0x37];

fn open(selector: u8) -> (HostSession, CardSession, SecurityLevel, u8) {
    let i = IParameter::from_byte(I[usize::from(selector >> 5) % I.len()]).unwrap();
    let level = SecurityLevel::ALL[usize::from(selector & 0x07) % SecurityLevel::ALL.len()];
    let level = if i.allows(level) { level } else { SecurityLevel::C_MAC };
    let channel = if selector & 0x10 != 0 { 5 } else { 0 };
    let keys = StaticKeys::new(0x20, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let (host, card) = scp02_session_pair(&keys, i, level, channel, &[0xA5; 8], &AID).unwrap();
    (host, card, level, channel)
}

fn is_error(sw: [u8; 2]) -> bool {
    !matches!(sw, [0x90, 0x00] | [0x62, _] | [0x63, _])
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, mut data)) = input.split_first() else { return };
    let (mut host, mut card, level, channel) = open(selector);
    let cla = if channel == 0 { 0x80 } else { 0xC1 };
    let mut wire = [0u8; 300];
    let mut plain = [0u8; 300];
    // Round trips: [len, ins, le?, data..., sw1, sw2, response...] records.
    while let [len, ins, le, sw1, sw2, tail @ ..] = data {
        let len = usize::from(*len).min(tail.len()).min(if level.c_dec() { 239 } else { 247 });
        let (payload, tail) = tail.split_at(len);
        data = tail;
        if *ins == 0x50 || *ins == 0x82 || *ins == 0xC0 {
            break;
        }
        let mut command = vec![cla, *ins, 0x00, 0x00];
        if !payload.is_empty() {
            command.push(payload.len() as u8);
            command.extend_from_slice(payload);
        }
        let le = (*le & 1 == 1).then_some(*le);
        command.extend(le);
        let w = host.wrap(&command, &mut wire).unwrap();
        let p = card.unwrap_command(&wire[..w], &mut plain).unwrap();
        let mut expected = command.clone();
        if level.r_mac() && le.is_none() {
            expected.push(0x00);
        }
        assert_eq!(&plain[..p], &expected[..], "command round trip");
        let sw = [*sw1, *sw2];
        let body: &[u8] = if is_error(sw) { &[] } else { &payload[..payload.len().min(200)] };
        let response = [body, &sw].concat();
        let w = card.wrap_response(&response, &mut wire).unwrap();
        let p = host.unwrap(&wire[..w], &mut plain).unwrap();
        let expected: &[u8] = if level.r_mac() && is_error(sw) { &sw } else { &response };
        assert_eq!(&plain[..p], expected, "response round trip");
    }
    // Arbitrary bytes to the card: length-prefixed commands.
    while let [len, tail @ ..] = data {
        let len = usize::from(*len).min(tail.len());
        let (command, tail) = tail.split_at(len);
        data = tail;
        match card.unwrap_command(command, &mut plain) {
            Ok(n) => {
                assert!(n <= command.len() + 1, "plain command longer than the wrapped one");
                // The session expects its response; an answer keeps both sides in step only
                // if the host sent the command, so stop here.
                return;
            }
            Err(e) if e.kind.is_security_failure() => {
                // A MAC (or padding, counter) failure ends the session: even a genuine command
                // is refused from then on (GPC v2.3.1 §E.4.4). Only a level with C-MAC checks one.
                assert!(level.c_mac(), "a level without C-MAC failed a security check: {e}");
                assert!(card.state().is_terminated(), "{e} did not terminate the session");
                let w = host.wrap(&[cla, 0xEE, 0, 0, 1, 0x42], &mut wire).unwrap();
                let err = card.unwrap_command(&wire[..w], &mut plain).unwrap_err();
                assert_eq!(err.kind, ErrorKind::Terminated);
                return;
            }
            Err(e) => {
                // A malformed command (too short, another channel, too long) is refused
                // without ending the session.
                assert!(!card.state().is_terminated(), "{e} terminated the session");
            }
        }
    }
});
