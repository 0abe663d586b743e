//! BSP protect, verify, verify in place, ReplaceSessionKeys and key derivation allocate
//! nothing: a counting global allocator (`stats_alloc`) watches a region that covers
//! only those calls. The only test in this binary, so no other test thread allocates
//! meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::alloc::System;

use oxicard_secure_channel::bsp::{BspKeys, BspProtector, BspVerifier, SegmentTag, SharedInfo};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn bsp_allocates_nothing() {
    // The counter is process-wide: let the test harness's main thread, which allocates
    // while it starts this test, go quiet first.
    std::thread::sleep(std::time::Duration::from_millis(200));
    // Control: the region does see an allocation.
    let region = Region::new(GLOBAL);
    let boxed = std::hint::black_box(Box::new([0u8; 32]));
    assert_eq!(region.change().allocations, 1);
    drop(boxed);

    let data: Vec<u8> = (0..1007u32).map(|b| b as u8).collect();
    let mut wire = vec![0u8; 4096];
    let mut plain = vec![0u8; 4096];
    let ppk = BspKeys::new(&[4; 16], &[5; 16], &[6; 16]).unwrap();

    let region = Region::new(GLOBAL);
    let info = SharedInfo::new(&[0x80; 8], &[0x89; 16]).unwrap();
    let keys = BspKeys::derive(&[0x5A; 32], &info).unwrap();
    let mut protector = BspProtector::new(&keys).unwrap();
    let mut verifier = BspVerifier::new(&keys).unwrap();
    for tag in [SegmentTag::Encrypted87, SegmentTag::MacOnly88] {
        for len in [0usize, 1, 15, 16, 100, 1007] {
            let n = protector.protect(tag, &data[..len], &mut wire).unwrap();
            let v = verifier.verify(&wire[..n], &mut plain).unwrap();
            assert_eq!(v.len, len);
        }
    }
    let n = protector.replace_session_keys(&ppk, &mut wire).unwrap();
    verifier.verify_replace_session_keys(&wire[..n]).unwrap();
    for len in [0usize, 500, 1007] {
        let n = protector.protect(SegmentTag::ProfileElements86, &data[..len], &mut wire).unwrap();
        let (_, p) = verifier.verify_in_place(&mut wire[..n]).unwrap();
        assert_eq!(p.len(), len);
    }
    let n = protector.protect_segmented(SegmentTag::ProfileElements86, &data[..600], &mut wire).unwrap();
    assert!(n > 0);
    drop((protector, verifier, keys));
    let stats = region.change();
    assert_eq!((stats.allocations, stats.reallocations), (0, 0), "{stats:?}");
}
