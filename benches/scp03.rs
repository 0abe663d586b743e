//! SCP03 benches (GP Card Spec Amendment D): the handshake over the card layer against
//! the in-process SCP03 simulator, and wrap / unwrap at level `33` (C-DEC, C-MAC, R-MAC,
//! R-ENC; S8, AES-128) for 16, 128, 255 and 4096-byte (extended) payloads, next to the
//! raw cost of the primitives on the same bytes: AES-CBC of the padded data and AES-CMAC
//! of the MAC input with the `aes` and `cmac` crates, keys expanded beforehand.
//!
//! Run: `cargo bench --bench scp03`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "bench inputs are built in-process and known to be valid"
)]

use std::hint::black_box;
use std::time::Duration;

use aes::Aes128;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use cmac::{Cmac, Mac};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oxicard::apdu::card::Card;
use oxicard::secure_channel::scp03::{
    CardSession, HostSession, IParameter, OpenOptions, Scp03Session, SecurityLevel, StaticKeys,
};
use oxicard::secure_channel::testcard::{Scp03TestCard, Scp03TestCardConfig, session_pair};
use oxicard::transport::sim::SimulatorTransport;

const LEVEL: SecurityLevel = SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC;
const SIZES: [usize; 4] = [16, 128, 255, 4096];
const AID: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

/// Both sides of a session at level 33 through the pure core (no card layer).
fn pair() -> (HostSession, CardSession) {
    session_pair(&keys(), IParameter::S8_PSEUDO_RANDOM_RMAC_RENC, LEVEL, 0, &[1, 2, 3, 4, 5, 6, 7, 8], &AID)
        .unwrap()
}

/// `80 EE 00 00 Lc data` (extended Lc above 255 bytes).
fn command(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80, 0xEE, 0x00, 0x00];
    if data.len() > 255 {
        out.extend_from_slice(&[0, (data.len() >> 8) as u8, data.len() as u8]);
    } else {
        out.push(data.len() as u8);
    }
    out.extend_from_slice(data);
    out
}

fn handshake(c: &mut Criterion) {
    let mut group = c.benchmark_group("scp03_handshake");
    let mut card = Card::new(SimulatorTransport::new(Scp03TestCard::new(Scp03TestCardConfig::new(
        keys(),
        IParameter::S8_PSEUDO_RANDOM_RMAC_RENC,
    ))));
    let options =
        OpenOptions::new().with_host_challenge(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap().with_aid(&AID).unwrap();
    let keys = keys();
    group.bench_function("open_level33_sim", |b| {
        b.iter(|| {
            let session = Scp03Session::open(&mut card, &keys, LEVEL, &options).unwrap();
            black_box(session.close());
        });
    });
    group.finish();
}

/// The raw primitives with the session keys of the bench's own choosing (the cost does
/// not depend on the key values).
struct Raw {
    enc: Aes128,
    mac: Cmac<Aes128>,
    rmac: Cmac<Aes128>,
}

impl Raw {
    fn new() -> Self {
        Self {
            enc: Aes128::new_from_slice(&[0x11; 16]).unwrap(),
            mac: <Cmac<Aes128> as KeyInit>::new_from_slice(&[0x22; 16]).unwrap(),
            rmac: <Cmac<Aes128> as KeyInit>::new_from_slice(&[0x33; 16]).unwrap(),
        }
    }

    /// AES-CBC encryption in place of whole blocks (SP 800-38A §6.2).
    fn cbc_encrypt(&self, iv: &[u8; 16], data: &mut [u8]) {
        let mut prev = aes::Block::from(*iv);
        for chunk in data.chunks_exact_mut(16) {
            for (p, d) in prev.iter_mut().zip(chunk.iter()) {
                *p ^= *d;
            }
            self.enc.encrypt_block(&mut prev);
            chunk.copy_from_slice(&prev);
        }
    }

    /// AES-CBC decryption of `input` into `out`, blocks decrypted in one batch.
    fn cbc_decrypt(&self, iv: &[u8; 16], input: &[u8], blocks: &mut [aes::Block], out: &mut [u8]) {
        let n = input.len() / 16;
        let blocks = &mut blocks[..n];
        for (b, c) in blocks.iter_mut().zip(input.chunks_exact(16)) {
            b.copy_from_slice(c);
        }
        self.enc.decrypt_blocks(blocks);
        let mut prev: &[u8] = iv;
        for ((b, c), o) in blocks.iter().zip(input.chunks_exact(16)).zip(out.chunks_exact_mut(16)) {
            for ((o, b), p) in o.iter_mut().zip(b.iter()).zip(prev.iter()) {
                *o = *b ^ *p;
            }
            prev = c;
        }
    }
}

fn level33(c: &mut Criterion) {
    let mut group = c.benchmark_group("scp03_level33");
    let raw = Raw::new();
    let chain = [0x5Cu8; 16];
    let iv = [0x49u8; 16];
    for size in SIZES {
        group.throughput(Throughput::Bytes(size as u64));
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let plain = command(&data);
        let padded = (size / 16 + 1) * 16;

        // wrap: ours
        let (mut host, _) = pair();
        let mut out = vec![0u8; host.wrapped_len(&plain).unwrap()];
        group.bench_function(format!("wrap/ours/{size}"), |b| {
            b.iter(|| black_box(host.wrap(black_box(&plain), &mut out).unwrap()));
        });

        // wrap: raw = pad + CBC over the padded data, CMAC over chain || header || Lc || data'.
        let lc: &[u8] = if padded + 8 > 255 { &[0, 0x10, 0x18] } else { &[0x20] };
        let header = [0x84u8, 0xEE, 0x00, 0x00];
        let mut buf = vec![0u8; padded];
        group.bench_function(format!("wrap/raw/{size}"), |b| {
            b.iter(|| {
                buf[..size].copy_from_slice(black_box(&data));
                buf[size] = 0x80;
                buf[size + 1..].fill(0);
                raw.cbc_encrypt(&iv, &mut buf);
                let mut mac = raw.mac.clone();
                mac.update(&chain);
                mac.update(&header);
                mac.update(lc);
                mac.update(&buf);
                black_box(mac.finalize().into_bytes())
            });
        });

        // unwrap: ours. Each input is a fresh session with one command pending and the
        // card's protected answer (data || SW 9000); only the unwrap is timed.
        let mut response = plain.clone();
        let mut plain_response = data.clone();
        plain_response.extend_from_slice(&[0x90, 0x00]);
        let (mut host, mut card) = pair();
        let n = host.wrap(&plain, &mut out).unwrap();
        let mut scratch = vec![0u8; n];
        card.unwrap_command(&out[..n], &mut scratch).unwrap();
        response.resize(card.wrapped_response_len(&plain_response).unwrap(), 0);
        card.wrap_response(&plain_response, &mut response).unwrap();
        let mut unwrapped = vec![0u8; response.len()];
        group.bench_function(format!("unwrap/ours/{size}"), |b| {
            b.iter_batched_ref(
                || {
                    let (mut host, mut card) = pair();
                    let n = host.wrap(&plain, &mut out).unwrap();
                    card.unwrap_command(&out[..n], &mut scratch).unwrap();
                    let m = card.wrap_response(&plain_response, &mut response).unwrap();
                    (host, response[..m].to_vec())
                },
                |(host, response)| {
                    let n = host.unwrap(black_box(response), &mut unwrapped).unwrap();
                    black_box(&unwrapped[..n]);
                },
                BatchSize::SmallInput,
            );
        });

        // unwrap: raw = CMAC over chain || data' || SW, CBC decryption of data'.
        let wire = response[..padded].to_vec();
        let mut blocks = vec![aes::Block::default(); padded / 16];
        group.bench_function(format!("unwrap/raw/{size}"), |b| {
            b.iter(|| {
                let mut mac = raw.rmac.clone();
                mac.update(&chain);
                mac.update(black_box(&wire));
                mac.update(&[0x90, 0x00]);
                let tag = mac.finalize().into_bytes();
                raw.cbc_decrypt(&iv, &wire, &mut blocks, &mut unwrapped);
                black_box((tag, &unwrapped));
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = handshake, level33
}
criterion_main!(benches);
