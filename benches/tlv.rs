//! BER-TLV benches (ISO/IEC 7816-4 §5.2.2, X.690 §8.1): parsing a 4 KiB nested
//! blob with a full recursive walk, and the linear-time `Writer`.
//!
//! Run: `cargo bench --bench tlv`.
#![allow(clippy::unwrap_used, reason = "bench inputs are built in-process and known to be valid")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oxicard::apdu::tlv::{self, MAX_DEPTH, Mode, Tag, Tlv, Writer};

const fn t(v: u32) -> Tag {
    Tag::from_u32_unchecked(v)
}

/// Writes one SGP.22 ProfileInfo (`E3`, SGP.22 §5.7.15, the layout of the ASN.1
/// `ProfileInfo`; the values are made up): 4 levels deep inside the list.
fn profile_info(w: &mut Writer, i: u8) {
    w.constructed(t(0xE3), |w| {
        w.primitive(t(0x5A), &[0x98, 0x44, 0x47, 0x68, 0x00, 0x00, 0x54, 0x37, 0x21, i]);
        w.primitive(t(0x4F), &[0xA0, 0, 0, 5, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x10, i]);
        w.primitive(t(0x9F70), &[u8::from(i == 0)]);
        w.primitive(t(0x90), b"nickname of the profile");
        w.primitive(t(0x91), b"Service Provider");
        w.primitive(t(0x92), b"Operational profile");
        w.primitive(t(0x95), &[0x02]);
        w.constructed(t(0xB6), |w| {
            for bits in [0x80u8, 0x40] {
                w.constructed(t(0x30), |w| {
                    w.primitive(t(0x80), &[0x06, bits]);
                    w.primitive(t(0x81), b"smdp.example.com");
                });
            }
        });
        w.constructed(t(0xB7), |w| w.primitive(t(0x80), &[0x21, 0xF3, 0x54]));
    });
}

/// A ProfileInfoListResponse `BF2D { A0 { E3 … × n } }` (SGP.22 §5.7.15).
fn profile_list(n: u8) -> Vec<u8> {
    let mut w = Writer::with_capacity(4096 + 512);
    w.constructed(t(0xBF2D), |w| w.constructed(t(0xA0), |w| (0..n).for_each(|i| profile_info(w, i))));
    w.finish()
}

/// Profiles needed for the list to reach 4 KiB.
fn profiles_for_4k() -> u8 {
    (1..=u8::MAX).find(|&n| profile_list(n).len() >= 4096).unwrap_or(u8::MAX)
}

/// Counts every object by recursing through `children()` (MAX_DEPTH enforced).
fn walk(tlv: &Tlv<'_>) -> usize {
    if !tlv.is_constructed() {
        return 1;
    }
    1 + tlv.children().map(|c| c.map(|c| walk(&c)).unwrap_or(0)).sum::<usize>()
}

fn nest(w: &mut Writer, levels: usize, payload: &[u8]) {
    if levels == 0 {
        w.primitive(t(0x04), payload);
    } else {
        w.constructed(t(0x30), |w| nest(w, levels - 1, payload));
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
}

fn parse(c: &mut Criterion) {
    let n = profiles_for_4k();
    let blob = profile_list(n);
    let mut group = c.benchmark_group("tlv");
    group.throughput(Throughput::Bytes(blob.len() as u64));
    group.bench_function("TLV parse of a 4 KiB nested blob (validate, DER)", |b| {
        b.iter(|| tlv::validate(black_box(&blob), Mode::Der))
    });
    group.bench_function("TLV parse of a 4 KiB nested blob (recursive children walk, lenient)", |b| {
        b.iter(|| walk(&Tlv::parse(black_box(&blob), Mode::Lenient).unwrap()))
    });
    group.bench_function("TLV find_path BF2D/A0/E3/9F70 in 4 KiB blob", |b| {
        b.iter(|| {
            Tlv::parse(black_box(&blob), Mode::Der)
                .unwrap()
                .find_path(&[t(0xA0), t(0xE3), t(0x9F70)])
                .unwrap()
                .map(|x| x.value().len())
        })
    });
    group.finish();
}

fn write(c: &mut Criterion) {
    let n = profiles_for_4k();
    let blob = profile_list(n);
    let mut group = c.benchmark_group("tlv");
    group.throughput(Throughput::Bytes(blob.len() as u64));
    group
        .bench_function("TLV writer: build the 4 KiB nested blob", |b| b.iter(|| profile_list(black_box(n))));
    let parsed = Tlv::parse(&blob, Mode::Der).unwrap();
    group.bench_function("TLV writer: re-encode the 4 KiB nested blob", |b| {
        b.iter(|| {
            let mut w = Writer::with_capacity(blob.len() + 512);
            w.reencode(black_box(&parsed)).unwrap();
            w.finish()
        })
    });
    let payload = vec![0x5Au8; 64 * 1024];
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.bench_function("TLV writer: 64 KiB payload under 1 level", |b| {
        b.iter(|| {
            let mut w = Writer::new();
            nest(&mut w, 1, black_box(&payload));
            w.finish()
        })
    });
    group.bench_function("TLV writer: 64 KiB payload under 31 levels (depth 32)", |b| {
        b.iter(|| {
            let mut w = Writer::new();
            nest(&mut w, MAX_DEPTH - 1, black_box(&payload));
            w.finish()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse, write
}
criterion_main!(benches);
