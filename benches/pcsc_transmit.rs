//! The card layer's cost over raw PC/SC: `Card::transmit_into` against
//! `pcsc::Card::transmit` of the same bytes, to the same vpcd card (our TestCard behind the
//! vpcd bridge), through the real `pcscd`. Goal: median ratio ≤ 1.05.
//!
//! Needs `scripts/pcsc-stack.sh start`; without it the bench says so and measures nothing.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use oxicard::apdu::CommandView;
use oxicard::apdu::card::Card;
use oxicard::apdu::testcard::TestCard;
use oxicard::transport::pcsc::ConnectOptions;
use oxicard::transport::testbed::VirtualReader;

/// GET DATA of the selected AID: 8 bytes of data + `9000` back.
const GET_SELECTED: CommandView<'static> = CommandView::new(0x00, 0xCA, 0x00, 0x4F).with_ne(256);
const APP_A: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];

fn pcsc_transmit(c: &mut Criterion) {
    let reader = match VirtualReader::open(0) {
        Ok(reader) => reader,
        Err(err) => {
            eprintln!("pcsc_transmit: no PC/SC stack with vpcd ({err}); run scripts/pcsc-stack.sh start");
            return;
        }
    };
    let inserted = reader.insert(TestCard::new()).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    card.select(&APP_A).unwrap();
    let encoded = GET_SELECTED.to_vec().unwrap();

    let mut group = c.benchmark_group("pcsc_transmit");
    group.bench_function("raw_pcsc", |b| {
        let mut buf = [0u8; 258];
        b.iter(|| {
            let response = card.transport().raw().unwrap().transmit(&encoded, &mut buf).unwrap();
            assert_eq!(response.len(), 10);
        });
    });
    group.bench_function("card_layer", |b| {
        let mut data = Vec::with_capacity(256);
        b.iter(|| {
            let sw = card.transmit_into(&GET_SELECTED, &mut data).unwrap();
            assert!(sw.is_success() && data.len() == 8);
        });
    });
    group.finish();
    drop(card);
    reader.remove(inserted).unwrap();
}

criterion_group!(benches, pcsc_transmit);
criterion_main!(benches);
