//! Criterion benches of the APDU codec (ISO/IEC 7816-4 §5.1): encode and
//! parse of a case 1, a case 4 short and a case 4 extended command with 4 KiB
//! of data.
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oxicard::apdu::CommandView;

fn bench(c: &mut Criterion) {
    let short_data = [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10];
    let long_data = vec![0x5A; 4096];
    let cases = [
        ("case1", CommandView::new(0x00, 0x70, 0x00, 0x01)),
        ("case4s", CommandView::new(0x00, 0xA4, 0x04, 0x00).with_data(&short_data).with_ne(256)),
        ("case4e_4k", CommandView::new(0x80, 0xE8, 0x00, 0x00).with_data(&long_data).with_ne(65_536)),
    ];
    let mut group = c.benchmark_group("apdu_codec");
    let mut buf = vec![0u8; 8192];
    for (name, command) in cases {
        let encoded = command.to_vec().unwrap_or_default();
        group.throughput(Throughput::Bytes(encoded.len() as u64));
        group.bench_function(format!("encode_into/{name}"), |b| {
            b.iter(|| black_box(&command).encode_into(black_box(&mut buf)))
        });
        group.bench_function(format!("to_vec/{name}"), |b| b.iter(|| black_box(&command).to_vec()));
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| CommandView::parse(black_box(&encoded)).map(|v| v.ne()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
