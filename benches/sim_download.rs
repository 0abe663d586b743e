//! A full in-process profile download and where its time goes: our LPA
//! (`oxicard_euicc::download`) → the test SM-DP+ (HTTP or HTTPS on loopback) → the software
//! eUICC (in process, through the card layer), for a 100 KiB profile; beside it the pieces
//! that dominate: ECDSA P-256 signing and verification (a download makes 5 signatures and
//! about 10 verifications, certificate chains included) and the BSP work on the package.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oxicard::apdu::card::Card;
use oxicard::euicc::es9::HttpEs9Client;
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::euicc::pki::{Curve, PrivateKey};
use oxicard::sim::euicc::SoftEuicc;
use oxicard::sim::pki::TestPki;
use oxicard::transport::sim::SimulatorTransport;

const PROFILE_LEN: usize = 100 * 1024;

fn download_once(client: &mut HttpEs9Client, euicc: SoftEuicc) {
    let mut card = Card::new(SimulatorTransport::new(euicc));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    common::download_profile(&mut isdr, client);
}

fn sim_download(c: &mut Criterion) {
    let pki = TestPki::from_seed([7; 32]).unwrap();
    let identity = pki.euicc_identity().unwrap();
    let mut group = c.benchmark_group("sim_download_100KiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(PROFILE_LEN as u64));
    for (name, tls) in [("http_loopback", false), ("https_loopback", true)] {
        let (_server, mut client) = common::server(&pki, PROFILE_LEN, tls);
        group.bench_function(name, |b| {
            b.iter_batched(
                || SoftEuicc::from_identity(identity.clone()),
                |euicc| download_once(&mut client, euicc),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();

    let mut group = c.benchmark_group("sim_download_parts");
    let key = PrivateKey::generate(Curve::NistP256).unwrap();
    let message = vec![0x5A; 200];
    let signature = key.sign(&message);
    let public = key.public_key();
    group.bench_function("ecdsa_p256_sign", |b| b.iter(|| key.sign(&message)));
    group.bench_function("ecdsa_p256_verify", |b| b.iter(|| public.verify(&message, &signature).unwrap()));
    group.finish();
}

criterion_group!(benches, sim_download);
criterion_main!(benches);
