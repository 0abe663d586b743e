//! The software eUICC fed arbitrary APDU sequences: it must never panic, answer every
//! command with at least a status word and at most a short response, and keep its state
//! invariants (`State::check`: at most one enabled profile, unique ICCIDs and AIDs,
//! notification sequence numbers increasing and never reused).
//!
//! Input: a sequence of chunks `len, bytes…`. A chunk starting with `E2` becomes a STORE DATA
//! block on channel 0 with the ISD-R selected (so the ES10 decoders see most of the input),
//! `00` a card reset, anything else a raw command APDU.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_euicc::es10::{BitFlags, NotificationConfigurationInformation, ProfileInfo, ProfileState};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_transport::sim::CardSimulator;

const SELECT_ISDR: [u8; 22] = [
    0x00, 0xA4, 0x04, 0x00, 0x10, 0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89,
    0x00, 0x00, 0x01, 0x00, 0x00,
];

fn euicc() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    for (digits, state) in
        [("8944478600004573128", ProfileState::Enabled), ("8944478600004573136", ProfileState::Disabled)]
    {
        let mut profile = ProfileInfo::default();
        profile.iccid = digits.parse().ok();
        profile.state = Some(state);
        profile.notification_configuration = Some(vec![NotificationConfigurationInformation::new(
            BitFlags::from_bits([1, 2, 3]),
            "smdp.example.com".into(),
        )]);
        assert!(euicc.install_profile_for_tests(profile).is_ok());
    }
    euicc.reset();
    euicc
}

fuzz_target!(|input: &[u8]| {
    let mut euicc = euicc();
    let mut response = Vec::new();
    euicc.process(&SELECT_ISDR, &mut response);
    let mut counter = euicc.state().next_seq_number();
    let mut rest = input;
    let mut block = 0u8;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (chunk, after) = tail.split_at(len);
        rest = after;
        let apdu = match chunk.split_first() {
            Some((0xE2, data)) => {
                // P1 from the first data byte's low bit, P2 the running block number.
                let last = data.first().is_some_and(|b| b & 1 == 1);
                let mut apdu =
                    vec![0x80, 0xE2, if last { 0x91 } else { 0x11 }, block, data.len().min(255) as u8];
                apdu.extend_from_slice(&data[..data.len().min(255)]);
                block = if last { 0 } else { block.wrapping_add(1) };
                apdu
            }
            Some((0x00, _)) => {
                euicc.reset();
                euicc.process(&SELECT_ISDR, &mut Vec::new());
                block = 0;
                continue;
            }
            _ => chunk.to_vec(),
        };
        response.clear();
        euicc.process(&apdu, &mut response);
        assert!((2..=258).contains(&response.len()), "{apdu:02X?} -> {response:02X?}");
        assert_eq!(euicc.state().check(), Ok(()));
        let now = euicc.state().next_seq_number();
        assert!(now >= counter, "the sequence counter went back");
        counter = now;
    }
});
