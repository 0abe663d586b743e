//! BSP benches (SGP.22 §2.6.4): the eUICC side verifying and decrypting a 100 KiB
//! profile package (`86` segments of 1020 bytes, MAC chained, AES-CBC), into a buffer and
//! in place, and the SM-DP+ side protecting it. Goal: verify+decrypt ≥ 300 MB/s.
//!
//! Run: `cargo bench --bench bsp`.
#![allow(clippy::unwrap_used, reason = "bench inputs are built in-process and known to be valid")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oxicard::secure_channel::bsp::{
    BspKeys, BspProtector, BspVerifier, MAX_SEGMENT_LEN, SegmentTag, segmented_len, split_segments,
};

/// The package size: 100 KiB of profile elements.
const PACKAGE: usize = 100 * 1024;

fn keys() -> BspKeys {
    // Arbitrary bench keys (the PPK set of pySim's mode51 trace, SGP.22 §2.5.5).
    let key = |first: u8| -> Vec<u8> { (0u8..16).map(|b| if b == 0 { first } else { b }).collect() };
    BspKeys::new(&key(0), &key(1), &key(2)).unwrap()
}

fn package() -> (Vec<u8>, Vec<u8>) {
    let plain: Vec<u8> = (0..PACKAGE).map(|i| (i * 31 + 7) as u8).collect();
    let mut wire = vec![0u8; segmented_len(SegmentTag::ProfileElements86, PACKAGE)];
    BspProtector::new(&keys())
        .unwrap()
        .protect_segmented(SegmentTag::ProfileElements86, &plain, &mut wire)
        .unwrap();
    (plain, wire)
}

fn bench(c: &mut Criterion) {
    let (plain, wire) = package();
    let segments: Vec<&[u8]> = split_segments(&wire).map(Result::unwrap).collect();
    let keys = keys();
    let mut group = c.benchmark_group("bsp_100KiB");
    group.throughput(Throughput::Bytes(PACKAGE as u64));

    let mut out = vec![0u8; MAX_SEGMENT_LEN];
    group.bench_function("verify_decrypt", |b| {
        b.iter(|| {
            let mut verifier = BspVerifier::new(&keys).unwrap();
            let mut total = 0usize;
            for segment in &segments {
                total += verifier.verify(black_box(segment), &mut out).unwrap().len;
            }
            assert_eq!(total, PACKAGE);
        });
    });

    group.bench_function("verify_decrypt_in_place", |b| {
        b.iter_batched_ref(
            || wire.clone(),
            |wire| {
                let mut verifier = BspVerifier::new(&keys).unwrap();
                let mut rest = &mut wire[..];
                let mut total = 0usize;
                for len in segments.iter().map(|s| s.len()) {
                    let (segment, tail) = rest.split_at_mut(len);
                    total += verifier.verify_in_place(segment).unwrap().1.len();
                    rest = tail;
                }
                assert_eq!(total, PACKAGE);
            },
            BatchSize::LargeInput,
        );
    });

    let mut protected = vec![0u8; wire.len()];
    group.bench_function("protect", |b| {
        b.iter(|| {
            let mut protector = BspProtector::new(&keys).unwrap();
            protector
                .protect_segmented(SegmentTag::ProfileElements86, black_box(&plain), &mut protected)
                .unwrap()
        });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}
criterion_main!(benches);
