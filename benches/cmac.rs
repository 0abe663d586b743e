//! AES-CMAC benches (NIST SP 800-38B) on the MAC input sizes of SCP03 (16 bytes: a MAC
//! chaining value alone; 64; 261: chaining value ‖ header ‖ Lc ‖ 240 bytes of data; 1024),
//! AES-128, key expanded beforehand, the message given in three parts as the secure channel
//! gives it (chaining value ‖ header and Lc ‖ data):
//!
//! - `crate`: the RustCrypto `cmac` crate over `aes::Aes128Enc`, the keyed instance cloned
//!   for each MAC (as `oxicard-secure-channel` uses it);
//! - `own`: the CMAC `oxicard-secure-channel` had before it moved to the crate (subkeys K1/K2
//!   computed once per key, RFC 4493 §2.3), kept here as the reference the choice was made
//!   against.
//!
//! Run: `cargo bench --bench cmac`.
#![allow(clippy::unwrap_used, reason = "bench inputs are built in-process and known to be valid")]

use std::hint::black_box;
use std::time::Duration;

use aes::Aes128Enc;
use cmac::{KeyInit, Mac};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [usize; 4] = [16, 64, 261, 1024];

/// The former own CMAC of `oxicard-secure-channel` (`src/crypto/cmac.rs`), on AES-128 only.
mod own {
    use aes::Aes128;
    use aes::cipher::{BlockCipherEncrypt, KeyInit};

    const BLOCK: usize = 16;
    type Block = [u8; BLOCK];

    pub(crate) struct Cmac {
        cipher: Aes128,
        k1: Block,
        k2: Block,
    }

    fn xor_into(a: &mut [u8], b: &[u8]) {
        for (x, y) in a.iter_mut().zip(b) {
            *x ^= *y;
        }
    }

    fn dbl(block: &Block) -> Block {
        let mut out = [0u8; BLOCK];
        let mut carry = 0u8;
        for (o, b) in out.iter_mut().zip(block.iter()).rev() {
            *o = (*b << 1) | carry;
            carry = *b >> 7;
        }
        if let Some(last) = out.last_mut() {
            *last ^= 0x87 & 0u8.wrapping_sub(carry);
        }
        out
    }

    impl Cmac {
        pub(crate) fn new(key: &[u8]) -> Option<Self> {
            let cipher = Aes128::new_from_slice(key).ok()?;
            let mut l = [0u8; BLOCK];
            cipher.encrypt_block((&mut l).into());
            let k1 = dbl(&l);
            let k2 = dbl(&k1);
            Some(Self { cipher, k1, k2 })
        }

        fn encrypt(&self, block: &mut Block) {
            self.cipher.encrypt_block(block.into());
        }

        pub(crate) fn compute(&self, parts: &[&[u8]]) -> Block {
            let mut x = [0u8; BLOCK];
            let mut buf = [0u8; BLOCK];
            let mut n = 0usize;
            for part in parts {
                let mut data = *part;
                while !data.is_empty() {
                    if n == BLOCK {
                        xor_into(&mut x, &buf);
                        self.encrypt(&mut x);
                        n = 0;
                    }
                    if n == 0 {
                        while data.len() > BLOCK {
                            let (block, rest) = data.split_at(BLOCK);
                            xor_into(&mut x, block);
                            self.encrypt(&mut x);
                            data = rest;
                        }
                    }
                    let take = (BLOCK - n).min(data.len());
                    let (head, rest) = data.split_at(take);
                    if let Some(dst) = buf.get_mut(n..n + take) {
                        dst.copy_from_slice(head);
                    }
                    n += take;
                    data = rest;
                }
            }
            if n == BLOCK {
                xor_into(&mut buf, &self.k1);
            } else {
                if let Some((first, rest)) = buf.get_mut(n..).and_then(|tail| tail.split_first_mut()) {
                    *first = 0x80;
                    rest.fill(0);
                }
                xor_into(&mut buf, &self.k2);
            }
            xor_into(&mut x, &buf);
            self.encrypt(&mut x);
            x
        }
    }
}

/// The `cmac` crate as the secure channel uses it: a copy of the keyed instance per MAC.
fn crate_cmac(keyed: &cmac::Cmac<Aes128Enc>, parts: &[&[u8]]) -> [u8; 16] {
    let mut mac = keyed.clone();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The message in three parts: chaining value ‖ header and Lc ‖ data (fewer when short).
fn parts(msg: &[u8]) -> Vec<&[u8]> {
    let (chain, rest) = msg.split_at(msg.len().min(16));
    let (header, data) = rest.split_at(rest.len().min(5));
    [chain, header, data].into_iter().filter(|p| !p.is_empty()).collect()
}

fn cmac(c: &mut Criterion) {
    let key = [0x22u8; 16];
    let own = own::Cmac::new(&key).unwrap();
    let keyed = <cmac::Cmac<Aes128Enc> as KeyInit>::new_from_slice(&key).unwrap();
    let mut group = c.benchmark_group("aes128_cmac");
    for size in SIZES {
        let msg: Vec<u8> = (0..size).map(|i| (i * 7) as u8).collect();
        let parts = parts(&msg);
        assert_eq!(own.compute(&parts), crate_cmac(&keyed, &parts));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(format!("own/{size}"), |b| b.iter(|| black_box(own.compute(black_box(&parts)))));
        group.bench_function(format!("crate/{size}"), |b| {
            b.iter(|| black_box(crate_cmac(&keyed, black_box(&parts))))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = cmac
}
criterion_main!(benches);
