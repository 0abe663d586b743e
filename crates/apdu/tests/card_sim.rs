//! The card layer against the in-process [`TestCard`]: GET RESPONSE rounds, 6Cxx,
//! extended length, command chaining, logical channels, SELECT.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardChannel, CardConfig, CardError, ExtendedLength};
use oxicard_apdu::testcard::{BIG_OBJECT_LEN, ResponseStyle, TestCard, TestCardConfig};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::sim::SimulatorTransport;

const APP_A: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];
const ISD_R: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];

fn card_with(config: TestCardConfig) -> Card<SimulatorTransport<TestCard>> {
    Card::new(SimulatorTransport::new(TestCard::with_config(config)))
}

fn card() -> Card<SimulatorTransport<TestCard>> {
    card_with(TestCardConfig::default())
}

fn commands_seen(card: &Card<SimulatorTransport<TestCard>>) -> usize {
    card.transport().simulator().commands_seen()
}

const GET_BIG: CommandView<'static> = CommandView::new(0x00, 0xCA, 0x01, 0x02).with_ne(256);
const GET_SELECTED: CommandView<'static> = CommandView::new(0x00, 0xCA, 0x00, 0x4F).with_ne(256);

#[test]
fn atr_capabilities_choose_extended_length() {
    assert!(card().uses_extended_length());
    let short = card_with(TestCardConfig::default().with_extended_length(false));
    assert!(!short.uses_extended_length());
}

#[test]
fn select_parses_fci() {
    let mut card = card();
    let selected = card.select(&ISD_R).unwrap();
    assert_eq!(selected.sw, StatusWord::SUCCESS);
    let fci = selected.fci.unwrap();
    assert_eq!(fci.aid(), Some(&ISD_R[..]));
    assert_eq!(fci.max_command_data_len(), Some(0xFFFF));
    let mut expected = vec![0x6F, 0x19, 0x84, 0x10];
    expected.extend_from_slice(&ISD_R);
    expected.extend_from_slice(&[0xA5, 0x05, 0x9F, 0x65, 0x02, 0xFF, 0xFF]);
    assert_eq!(fci.as_bytes(), expected.as_slice());
}

#[test]
fn select_unknown_aid_is_a_status_error() {
    let err = card().select(&[0xA0, 0x00, 0x00, 0x00, 0x00]).unwrap_err();
    match err {
        CardError::Status { operation: "SELECT", sw } => assert_eq!(sw.to_u16(), 0x6A82),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn get_response_rounds_reassemble_a_big_answer() {
    let mut card = card();
    let response = card.transmit(&GET_BIG).unwrap();
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    assert_eq!(response.data(), TestCard::big_object().as_slice());
    // 256 bytes in the first answer, then ceil(4744 / 256) = 19 GET RESPONSEs.
    assert_eq!(commands_seen(&card), 20);
}

#[test]
fn t0_style_card_answers_61xx_first() {
    let mut card = card_with(TestCardConfig::default().with_style(ResponseStyle::GetResponseFirst));
    let response = card.transmit(&GET_BIG).unwrap();
    assert_eq!(response.data(), TestCard::big_object().as_slice());
    assert_eq!(commands_seen(&card), 1 + BIG_OBJECT_LEN.div_ceil(256));
}

#[test]
fn extended_le_takes_it_in_one_exchange() {
    let mut card = card();
    let response = card.transmit(&GET_BIG.with_ne(65_536)).unwrap();
    assert_eq!(response.data().len(), BIG_OBJECT_LEN);
    assert_eq!(commands_seen(&card), 1);
}

#[test]
fn wrong_le_is_resent_with_the_exact_length() {
    let mut card = card();
    let response = card.transmit(&CommandView::new(0x00, 0xCA, 0x01, 0x01).with_ne(256)).unwrap();
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    assert_eq!(response.data(), TestCard::exact_object().as_slice());
    assert_eq!(commands_seen(&card), 2);
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn extended_length_echo_of_4_kib() {
    let mut card = card();
    let data = pattern(4096);
    let echo = CommandView::new(0x80, 0xEE, 0, 0).with_data(&data).with_ne(65_536);
    let response = card.transmit(&echo).unwrap();
    assert_eq!(response.data(), data.as_slice());
    assert_eq!(commands_seen(&card), 1);
}

#[test]
fn chaining_when_the_card_has_no_extended_length() {
    let mut card = card_with(TestCardConfig::default().with_extended_length(false));
    let data = pattern(4096);
    let echo = CommandView::new(0x80, 0xEE, 0, 0).with_data(&data).with_ne(65_536);
    let response = card.transmit(&echo).unwrap();
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    assert_eq!(response.data(), data.as_slice());
    // ceil(4096 / 255) = 17 chained parts; the last one gets 256 bytes and 61xx, then 15 GET RESPONSEs.
    assert_eq!(commands_seen(&card), 17 + 15);
}

#[test]
fn forced_short_form_chains_even_on_an_extended_card() {
    let config = CardConfig::default().with_extended_length(ExtendedLength::Unsupported);
    let mut card = Card::with_config(SimulatorTransport::new(TestCard::new()), config);
    let data = pattern(600);
    let response = card.transmit(&CommandView::new(0x80, 0xEE, 0, 0).with_data(&data).with_ne(256)).unwrap();
    assert_eq!(response.data(), data.as_slice());
    assert_eq!(commands_seen(&card), 3 + 2);
}

#[test]
fn no_chaining_and_no_extended_length_is_a_typed_error() {
    let config = CardConfig::default()
        .with_extended_length(ExtendedLength::Unsupported)
        .with_command_chaining(Some(false));
    let mut card = Card::with_config(SimulatorTransport::new(TestCard::new()), config);
    let data = pattern(300);
    let err = card.transmit(&CommandView::new(0x80, 0xEE, 0, 0).with_data(&data)).unwrap_err();
    assert!(matches!(err, CardError::DataTooLong { len: 300 }), "{err:?}");
    assert_eq!(commands_seen(&card), 0);
}

#[test]
fn chaining_refused_by_the_card() {
    let mut card = card_with(TestCardConfig::default().with_extended_length(false).with_chaining(false));
    let data = pattern(300);
    let err = card.transmit(&CommandView::new(0x80, 0xEE, 0, 0).with_data(&data)).unwrap_err();
    match err {
        CardError::ChainingRefused { part: 0, sw } => assert_eq!(sw.to_u16(), 0x6884),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn response_limit_is_enforced() {
    let config = CardConfig::default().with_max_response_len(1000);
    let mut card = Card::with_config(SimulatorTransport::new(TestCard::new()), config);
    let err = card.transmit(&GET_BIG).unwrap_err();
    assert!(matches!(err, CardError::ResponseTooLong { limit: 1000 }), "{err:?}");
}

#[test]
fn logical_channels_keep_their_own_selection() {
    let mut card = card();
    {
        let mut channel = card.open_channel().unwrap();
        assert_eq!(channel.number(), 1);
        channel.select(&APP_A).unwrap();
        assert_eq!(channel.transmit(&GET_SELECTED).unwrap().data(), &APP_A[..]);
    }
    // Dropping the handle closed channel 1.
    assert_eq!(card.transport().simulator().open_channels().collect::<Vec<_>>(), vec![0]);

    let one = card.open_channel_number().unwrap();
    card.select(&ISD_R).unwrap();
    let mut data = Vec::new();
    card.transmit_on(
        one,
        &CommandView::new(0x00, 0xA4, 0x04, 0x00).with_data(&APP_A).with_ne(256),
        &mut data,
    )
    .unwrap();
    let sw = card.transmit_on(one, &GET_SELECTED, &mut data).unwrap();
    assert_eq!((sw, data.as_slice()), (StatusWord::SUCCESS, &APP_A[..]));
    assert_eq!(CardChannel::transmit(&mut card, &GET_SELECTED).unwrap().data(), &ISD_R[..]);
    card.close_channel(one).unwrap();
}

#[test]
fn channels_above_3_use_further_interindustry_cla() {
    let mut card = card();
    let numbers: Vec<u8> = (0..6).map(|_| card.open_channel_number().unwrap()).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6]);
    for &n in &numbers {
        let mut data = Vec::new();
        let select = CommandView::new(0x00, 0xA4, 0x04, 0x00).with_data(&APP_A).with_ne(256);
        assert_eq!(card.transmit_on(n, &select, &mut data).unwrap(), StatusWord::SUCCESS);
        // The big object on a further-interindustry channel exercises GET RESPONSE with CLA 4x.
        let sw = card.transmit_on(n, &GET_BIG, &mut data).unwrap();
        assert_eq!((sw, data.len()), (StatusWord::SUCCESS, BIG_OBJECT_LEN));
    }
    for &n in &numbers {
        card.close_channel(n).unwrap();
    }
    let err = card.close_channel(4).unwrap_err();
    assert!(matches!(err, CardError::Status { sw, .. } if sw.to_u16() == 0x6881), "{err:?}");
}

#[test]
fn transmit_into_reuses_the_callers_buffer() {
    let mut card = card();
    let mut data = Vec::with_capacity(8192);
    let before = data.as_ptr();
    for _ in 0..3 {
        assert_eq!(card.transmit_into(&GET_BIG, &mut data).unwrap(), StatusWord::SUCCESS);
        assert_eq!(data.len(), BIG_OBJECT_LEN);
    }
    assert_eq!(data.as_ptr(), before);
}
