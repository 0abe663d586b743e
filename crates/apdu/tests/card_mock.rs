//! The card layer against the scripted mock: exact bytes on the wire for every
//! follow-up rule, and the error paths a real card rarely takes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardConfig, CardError, GetResponseCla};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::ErrorKind;
use oxicard_transport::mock::MockTransport;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// The mock's default ATR announces command chaining and extended length.
fn card(mock: MockTransport) -> Card<MockTransport> {
    Card::new(mock)
}

#[test]
fn get_response_rounds_on_the_wire() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 CA 01 02 00")).respond(h("0102 61 03"));
    mock.expect(h("00 C0 00 00 03")).respond(h("030405 9000"));
    let handle = mock.handle();
    let response = card(mock).transmit(&CommandView::new(0x00, 0xCA, 0x01, 0x02).with_ne(256)).unwrap();
    assert_eq!(response.data(), &h("0102030405")[..]);
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    handle.verify().unwrap();
}

#[test]
fn get_response_keeps_the_logical_channel_and_can_use_the_command_cla() {
    // Channel 5 (further interindustry 0x41) and a proprietary CLA 0xC1 (GP on channel 5).
    let mut mock = MockTransport::new();
    mock.expect(h("41 CA 00 4F 00")).respond(h("AA 6101"));
    mock.expect(h("41 C0 00 00 01")).respond(h("BB 9000"));
    mock.expect(h("C1 E2 91 00 01 00 00")).respond(h("6101"));
    mock.expect(h("C1 C0 00 00 01")).respond(h("CC 9000"));
    let handle = mock.handle();
    let mut card = card(mock);
    let response = card.transmit(&CommandView::new(0x41, 0xCA, 0x00, 0x4F).with_ne(256)).unwrap();
    assert_eq!(response.data(), &[0xAA, 0xBB][..]);
    let config = CardConfig::default().with_get_response_cla(GetResponseCla::SameAsCommand);
    let mut card = Card::with_config(card.into_transport(), config);
    let response =
        card.transmit(&CommandView::new(0xC1, 0xE2, 0x91, 0x00).with_data(&[0x00]).with_ne(256)).unwrap();
    assert_eq!(response.data(), &[0xCC][..]);
    handle.verify().unwrap();
}

#[test]
fn wrong_le_then_more_data() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 B0 00 00 00")).respond(h("6C 02"));
    mock.expect(h("00 B0 00 00 02")).respond(h("1122 9000"));
    let handle = mock.handle();
    let response = card(mock).transmit(&CommandView::new(0x00, 0xB0, 0x00, 0x00).with_ne(256)).unwrap();
    assert_eq!(response.data(), &[0x11, 0x22][..]);
    assert_eq!(handle.transcript().len(), 2);
}

#[test]
fn an_endless_61xx_card_is_cut_off() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 CA 01 02 00")).respond(h("6101"));
    for _ in 0..3 {
        mock.expect(h("00 C0 00 00 01")).respond(h("00 6101"));
    }
    let config = CardConfig::default().with_max_rounds(2);
    let mut card = Card::with_config(mock, config);
    let err = card.transmit(&CommandView::new(0x00, 0xCA, 0x01, 0x02).with_ne(256)).unwrap_err();
    assert!(matches!(err, CardError::TooManyRounds { rounds: 3 }), "{err:?}");
}

#[test]
fn an_endless_6cxx_card_is_cut_off() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 B0 00 00 00")).respond(h("6C01"));
    mock.expect(h("00 B0 00 00 01")).respond(h("6C01"));
    mock.expect(h("00 B0 00 00 01")).respond(h("6C01"));
    let config = CardConfig::default().with_max_rounds(2);
    let mut card = Card::with_config(mock, config);
    let err = card.transmit(&CommandView::new(0x00, 0xB0, 0x00, 0x00).with_ne(256)).unwrap_err();
    assert!(matches!(err, CardError::TooManyRounds { .. }), "{err:?}");
}

#[test]
fn a_response_without_status_word_is_malformed() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 CA 00 4F 00")).respond(h("90"));
    let err = card(mock).transmit(&CommandView::new(0x00, 0xCA, 0x00, 0x4F).with_ne(256)).unwrap_err();
    assert!(matches!(err, CardError::MalformedResponse { len: 1 }), "{err:?}");
}

#[test]
fn transport_faults_reach_the_caller_typed() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 CA 00 4F 00")).respond(h("6101"));
    mock.expect(h("00 C0 00 00 01")).respond(h("AA 9000"));
    mock.fail_nth(1, ErrorKind::CardRemoved);
    let err = card(mock).transmit(&CommandView::new(0x00, 0xCA, 0x00, 0x4F).with_ne(256)).unwrap_err();
    match err {
        CardError::Transport(e) => assert_eq!(e.kind(), ErrorKind::CardRemoved),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn an_unexpected_command_shows_both_sides() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 A4 04 00 01 AA 00")).respond(h("9000"));
    let err = card(mock).select(&[0xBB]).unwrap_err();
    let CardError::Transport(e) = err else { panic!("unexpected {err:?}") };
    assert_eq!(e.kind(), ErrorKind::UnexpectedCommand);
    let text = e.to_string().to_uppercase();
    assert!(text.contains("00A4040001AA00") && text.contains("00A4040001BB00"), "{text}");
}

#[test]
fn a_refused_chain_part_stops_the_chain() {
    let mut mock = MockTransport::new();
    let data = vec![0x5A; 300];
    let mut first = h("90 EE 00 00 FF");
    first.extend_from_slice(&data[..255]);
    mock.expect(first).respond(h("6A80"));
    let handle = mock.handle();
    let config = CardConfig::default().with_extended_length(oxicard_apdu::card::ExtendedLength::Unsupported);
    let mut card = Card::with_config(mock, config);
    let err = card.transmit(&CommandView::new(0x80, 0xEE, 0, 0).with_data(&data)).unwrap_err();
    assert!(matches!(err, CardError::ChainingRefused { part: 0, sw } if sw.to_u16() == 0x6A80), "{err:?}");
    handle.verify().unwrap();
}

#[test]
fn manage_channel_answers_are_checked() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("14 9000")); // channel 20 does not exist
    mock.expect(h("00 70 00 00 01")).respond(h("6881"));
    let mut card = card(mock);
    assert!(matches!(card.open_channel_number(), Err(CardError::InvalidResponse { .. })));
    assert!(matches!(card.open_channel_number(), Err(CardError::Status { sw, .. }) if sw.to_u16() == 0x6881));
}

#[test]
fn a_malformed_fci_is_reported_with_its_offset() {
    let mut mock = MockTransport::new();
    // 6F announces 5 bytes but carries 3.
    mock.expect(h("00 A4 04 00 01 AA 00")).respond(h("6F 05 84 01 AA 9000"));
    let err = card(mock).select(&[0xAA]).unwrap_err();
    let CardError::InvalidResponse { operation: "SELECT", error } = err else { panic!("unexpected {err:?}") };
    assert_eq!(error.kind, oxicard_apdu::ErrorKind::Truncated);
}
