//! SCP02 benches (GP Card Spec v2.3.1 Appendix E): wrap and unwrap at level `13`
//! (C-DECRYPTION, C-MAC, R-MAC; "i" `75`: modified APDU, ICV encryption) for 16 and
//! 255-byte commands — 255 bytes on the wire: the largest command data under C-DECRYPTION is
//! 239 plain bytes, padded to 240 plus the 8-byte C-MAC is 248, so the 255-byte case wraps
//! 239 bytes and answers 255 — next to the raw cost of 3DES-CBC (`des` crate, keys expanded
//! beforehand) over the same number of bytes, to report the ratio.
//!
//! Run: `cargo bench --bench scp02`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "bench inputs are built in-process and known to be valid"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use des::TdesEde2;
use des::cipher::{BlockCipherEncrypt, KeyInit};
use oxicard::secure_channel::scp02::{CardSession, HostSession, IParameter, SecurityLevel, StaticKeys};
use oxicard::secure_channel::testcard::scp02_session_pair;

const LEVEL: SecurityLevel = SecurityLevel::C_DEC_C_MAC_R_MAC;
const AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x20, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn pair() -> (HostSession, CardSession) {
    scp02_session_pair(
        &keys(),
        IParameter::from_byte(0x75).unwrap(),
        LEVEL,
        0,
        &[1, 2, 3, 4, 5, 6, 7, 8],
        &AID,
    )
    .unwrap()
}

/// `80 EE 00 00 Lc data 00`.
fn command(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80, 0xEE, 0x00, 0x00, data.len() as u8];
    out.extend_from_slice(data);
    out.push(0x00);
    out
}

/// 3DES-CBC (keying option 2) encryption in place of whole blocks.
fn tdes_cbc(cipher: &TdesEde2, data: &mut [u8]) {
    let mut prev = [0u8; 8];
    for chunk in data.chunks_exact_mut(8) {
        for (p, d) in prev.iter_mut().zip(chunk.iter()) {
            *p ^= *d;
        }
        cipher.encrypt_block((&mut prev).into());
        chunk.copy_from_slice(&prev);
    }
}

fn level13(c: &mut Criterion) {
    let mut group = c.benchmark_group("scp02_level13");
    let cipher = TdesEde2::new_from_slice(&[0x11; 16]).unwrap();
    // (label, plain command data, response data)
    for (size, plain_len, response_len) in [(16usize, 16usize, 16usize), (255, 239, 247)] {
        group.throughput(Throughput::Bytes(size as u64));
        let data: Vec<u8> = (0..plain_len).map(|i| i as u8).collect();
        let plain = command(&data);

        // wrap: ours (C-MAC retail MAC + 3DES-CBC of the padded data + the R-MAC prefix).
        let (mut host, _) = pair();
        let mut out = vec![0u8; host.wrapped_len(&plain).unwrap()];
        group.bench_function(format!("wrap/ours/{size}"), |b| {
            b.iter(|| black_box(host.wrap(black_box(&plain), &mut out).unwrap()));
        });

        // unwrap: ours. A fresh session per input with one command pending and the card's
        // protected answer (data || R-MAC || 9000); only the unwrap is timed.
        let response_data: Vec<u8> = (0..response_len).map(|i| i as u8).collect();
        let mut plain_response = response_data.clone();
        plain_response.extend_from_slice(&[0x90, 0x00]);
        let mut scratch = vec![0u8; 300];
        let mut unwrapped = vec![0u8; 300];
        group.bench_function(format!("unwrap/ours/{size}"), |b| {
            b.iter_batched_ref(
                || {
                    let (mut host, mut card) = pair();
                    let n = host.wrap(&plain, &mut out).unwrap();
                    card.unwrap_command(&out[..n], &mut scratch).unwrap();
                    let mut response = vec![0u8; 300];
                    let m = card.wrap_response(&plain_response, &mut response).unwrap();
                    response.truncate(m);
                    (host, response)
                },
                |(host, response)| {
                    let n = host.unwrap(black_box(response), &mut unwrapped).unwrap();
                    black_box(&unwrapped[..n]);
                },
                BatchSize::SmallInput,
            );
        });

        // raw: 3DES-CBC over `size` bytes rounded up to whole blocks.
        let mut buf = vec![0x5Au8; size.div_ceil(8) * 8];
        group.bench_function(format!("tdes_cbc/raw/{size}"), |b| {
            b.iter(|| {
                tdes_cbc(&cipher, black_box(&mut buf));
                black_box(&buf);
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = level13
}
criterion_main!(benches);
