//! The simulated GP card's state file (`GpCard::open`, used by `oxicard gp`) is read from disk:
//! arbitrary bytes, and a valid document with the input's byte edits applied (near-valid
//! files that a plain byte fuzzer rarely reaches). Loading may fail but not panic; whatever
//! loads writes a document that loads back to the same document.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_secure_channel::scp03::StaticKeys;
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};

fn round_trip(bytes: &[u8]) {
    if let Ok(card) = GpCard::from_state_json(bytes) {
        let written = card.state_json();
        let again = GpCard::from_state_json(&written).expect("a written state loads");
        assert_eq!(again.state_json(), written, "the state does not round-trip");
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip(data);
    // Hand-made example keys (not a published vector).
    let Ok(keys) = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]) else { return };
    let mut document =
        GpCard::new(&DEFAULT_ISD_AID, keys).with_key_diversification_data(*b"0123456789").state_json();
    for edit in data.chunks_exact(3) {
        let at = usize::from(u16::from_be_bytes([edit[0], edit[1]])) % document.len();
        if let Some(byte) = document.get_mut(at) {
            *byte = edit[2];
        }
    }
    round_trip(&document);
});
