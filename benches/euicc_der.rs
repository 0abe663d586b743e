//! SGP.22 ES10 benches: DER decoding of a 10-profile GetProfilesInfo response (SGP.22 §5.7.15)
//! and the LoadBoundProfilePackage split of a 100 KiB Bound Profile Package (SGP.22 §5.7.6).
//!
//! Run: `cargo bench --bench euicc_der`. The profile values are made up; the layout is the
//! ProfileInfo of SGP.22 §5.7.15 (ASN.1 `ProfileInfo` of the SGP.22 v2 RSPDefinitions module).
#![allow(clippy::unwrap_used, reason = "bench inputs are built in-process and known to be valid")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oxicard::euicc::asn1::{Encoder, ctx, ctx_c};
use oxicard::euicc::es10::bpp;
use oxicard::euicc::es10::*;
use oxicard::euicc::iccid::Iccid;

/// One realistic ProfileInfo (every member the default tag set returns, no icon).
fn profile(i: u8) -> ProfileInfo {
    let mut profile =
        ProfileInfo::new(Iccid::from_bytes([0x98, 0x44, 0x74, 0x68, 0x00, 0x00, 0x54, 0x37, 0x21, i]));
    profile.isdp_aid =
        Some(vec![0xA0, 0, 0, 5, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x10, i]);
    profile.state = Some(if i == 0 { ProfileState::Enabled } else { ProfileState::Disabled });
    profile.nickname = Some(format!("nickname of profile {i}"));
    profile.service_provider_name = Some("Service Provider".into());
    profile.profile_name = Some("Operational profile".into());
    profile.class = Some(ProfileClass::Operational);
    profile.notification_configuration = Some(vec![
        NotificationConfigurationInformation::new(
            BitFlags::from_bits([notification_event::INSTALL]),
            "smdp.example.com".into(),
        ),
        NotificationConfigurationInformation::new(
            BitFlags::from_bits([notification_event::ENABLE]),
            "smdp.example.com".into(),
        ),
    ]);
    profile.owner = Some(OperatorId::new(vec![0x21, 0xF3, 0x54]));
    profile.dp_proprietary_data = Some(DpProprietaryData::new("1.3.6.1.4.1.31746.1".parse().unwrap()));
    profile.policy_rules = Some(BitFlags::new());
    profile
}

/// A BPP of about 100 KiB: BF23, one 87, two 88, one 87 in A2, and 1020-byte 86 segments.
fn bpp_100k() -> Vec<u8> {
    let mut e = Encoder::new();
    e.nested(ctx_c(54), |e| {
        e.tlv(ctx_c(35), &[0x11; 100]);
        e.nested(ctx_c(0), |e| e.tlv(ctx(7), &[0x22; 64]));
        e.nested(ctx_c(1), |e| (0..2).for_each(|_| e.tlv(ctx(8), &[0x33; 200])));
        e.nested(ctx_c(2), |e| e.tlv(ctx(7), &[0x44; 48]));
        e.nested(ctx_c(3), |e| (0..100).for_each(|_| e.tlv(ctx(6), &[0x55; 1020])));
    });
    e.finish()
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
}

fn decode(c: &mut Criterion) {
    let list = ProfileInfoListResponse::new(Ok((0..10).map(profile).collect())).to_der();
    let mut group = c.benchmark_group("euicc");
    group.throughput(Throughput::Bytes(list.len() as u64));
    group.bench_function("DER decode of a 10-profile ProfileInfoListResponse", |b| {
        b.iter(|| ProfileInfoListResponse::from_der(black_box(&list)).unwrap())
    });
    let decoded = ProfileInfoListResponse::from_der(&list).unwrap();
    group.bench_function("DER encode of a 10-profile ProfileInfoListResponse", |b| {
        b.iter(|| black_box(&decoded).to_der())
    });
    group.finish();
}

fn split(c: &mut Criterion) {
    let package = bpp_100k();
    let mut group = c.benchmark_group("euicc");
    group.throughput(Throughput::Bytes(package.len() as u64));
    group.bench_function("BPP split of a 100 KiB package (zero-copy segments)", |b| {
        b.iter(|| bpp::segments(black_box(&package)).unwrap().len())
    });
    // What sending costs on top: every segment cut into 255-byte STORE DATA blocks and copied.
    let mut block = Vec::with_capacity(261);
    group.bench_function("BPP split + copy into 255-byte STORE DATA blocks", |b| {
        b.iter(|| {
            let mut blocks = 0usize;
            for segment in bpp::segments(black_box(&package)).unwrap() {
                for (n, chunk) in segment.bytes.chunks(255).enumerate() {
                    block.clear();
                    block.extend_from_slice(&[0x80, 0xE2, 0x11, n as u8, chunk.len() as u8]);
                    block.extend_from_slice(chunk);
                    blocks += black_box(&block).len();
                }
            }
            blocks
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode, split
}
criterion_main!(benches);
