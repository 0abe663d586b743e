//! SAIP profile packages (SAIP v3.3.1 §8, `oxicard_sim::saip`): the decoder on arbitrary bytes
//! must return, never panic; whatever it accepts must be the concatenation of its PE slices, in
//! order, each at its offset, the ProfileHeader first and PE-End last; the typed accessors must
//! not panic either.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_sim::saip::{Package, PeKind};

fuzz_target!(|data: &[u8]| {
    let Ok(package) = Package::decode(data) else { return };
    let mut joined = Vec::with_capacity(data.len());
    for element in package.elements() {
        assert_eq!(element.offset, joined.len(), "PE offsets follow each other");
        joined.extend_from_slice(element.raw);
    }
    assert_eq!(joined, data, "the PEs re-concatenate to the input");
    assert_eq!(package.elements().first().map(|e| e.kind), Some(PeKind::Header));
    assert_eq!(package.elements().last().map(|e| e.kind), Some(PeKind::End));
    let _ = (
        package.iccid().digits(),
        package.ef_iccid(),
        package.imsi(),
        package.header().mandatory_gfste.len(),
    );
});
