//! Wrap and unwrap allocate nothing per APDU, on either side, at every level, in both
//! modes, short and extended: a counting global allocator (`stats_alloc`) watches a
//! region that covers only the wrap/unwrap calls. The only test in this binary, so no
//! other test thread allocates meanwhile.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::alloc::System;

use common::{Setup, encode_command};
use oxicard_secure_channel::scp03::{Mode, SecurityLevel};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn wrap_and_unwrap_allocate_nothing() {
    // The counter is process-wide: let the test harness's main thread, which allocates
    // while it starts this test, go quiet first.
    std::thread::sleep(std::time::Duration::from_millis(200));
    // Control: the region does see an allocation.
    let region = Region::new(GLOBAL);
    let boxed = std::hint::black_box(Box::new([0u8; 32]));
    assert_eq!(region.change().allocations, 1);
    drop(boxed);

    let mut wire = vec![0u8; 70_000];
    let mut plain = vec![0u8; 70_000];
    let commands: Vec<Vec<u8>> = [0usize, 1, 16, 255, 256, 4096]
        .iter()
        .flat_map(|&n| {
            let data: Vec<u8> = (0..n).map(|b| b as u8).collect();
            [None, Some(256), Some(65536)].map(|ne| encode_command([0x80, 0xE2, 0x91, 0x00], &data, ne))
        })
        .collect();
    let responses: Vec<Vec<u8>> = [0usize, 1, 16, 255, 4096]
        .iter()
        .map(|&n| {
            let mut r: Vec<u8> = (0..n).map(|b| (b * 7) as u8).collect();
            r.extend_from_slice(&[0x90, 0x00]);
            r
        })
        .collect();
    let mut apdus = 0;
    for level in SecurityLevel::ALL {
        for mode in [Mode::S8, Mode::S16] {
            let (mut host, mut card) = Setup::new(level, mode).open();
            let region = Region::new(GLOBAL);
            for command in &commands {
                for response in &responses {
                    let w = host.wrap(command, &mut wire).unwrap();
                    let p = card.unwrap_command(&wire[..w], &mut plain).unwrap();
                    assert_eq!(p, command.len());
                    let w = card.wrap_response(response, &mut wire).unwrap();
                    let p = host.unwrap(&wire[..w], &mut plain).unwrap();
                    assert_eq!(p, response.len());
                    apdus += 1;
                }
            }
            let stats = region.change();
            assert_eq!(
                (stats.allocations, stats.reallocations),
                (0, 0),
                "level {level:?} {mode:?}: {stats:?}"
            );
        }
    }
    assert_eq!(apdus, 7 * 2 * 18 * 5);
}
