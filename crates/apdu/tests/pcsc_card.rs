//! The card layer through the real PC/SC stack: our `Card` -> `PcscCard` -> libpcsclite ->
//! `pcscd` -> `vsmartcard-vpcd` -> our vpcd bridge -> the in-process [`TestCard`].
//!
//! Needs `scripts/pcsc-stack.sh start`. Without the stack the tests skip, except under
//! `CI=true`, where they fail. Each test takes the slot lock, and nextest runs them one at
//! a time (`.config/nextest.toml`, test group `virtual-reader`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardChannel, CardError};
use oxicard_apdu::testcard::{ATR_EXTENDED, ATR_SHORT, BIG_OBJECT_LEN, TestCard, TestCardConfig};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::pcsc::{ConnectOptions, PcscCard};
use oxicard_transport::testbed::VirtualReader;
use oxicard_transport::vpcd::VirtualCard;
use oxicard_transport::{ErrorKind, Transport};

const APP_A: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];
const ISD_R: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];
const GET_BIG: CommandView<'static> = CommandView::new(0x00, 0xCA, 0x01, 0x02).with_ne(256);
const GET_SELECTED: CommandView<'static> = CommandView::new(0x00, 0xCA, 0x00, 0x4F).with_ne(256);

/// Slot 0 of the virtual reader, or `None` (skip) when the stack is absent outside CI.
fn reader() -> Option<VirtualReader> {
    VirtualReader::open_for_test(0).expect("CI=true: the PC/SC stack must be usable")
}

/// Inserts a test card with `config` and connects the card layer to it.
fn session(reader: &VirtualReader, config: TestCardConfig) -> (VirtualCard<TestCard>, Card<PcscCard>) {
    let inserted = reader.insert(TestCard::with_config(config)).unwrap();
    let card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    (inserted, card)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn pcsc_reader_lists_the_inserted_card_with_its_atr() {
    let Some(reader) = reader() else { return };
    let inserted = reader.insert(TestCard::new()).unwrap();
    let status = reader.context().readers().unwrap();
    let ours = status.iter().find(|r| r.name == reader.name()).expect("our reader is listed");
    assert!(ours.card_present);
    assert_eq!(ours.atr.as_deref(), Some(&ATR_EXTENDED[..]));
    let card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    assert_eq!(card.atr(), &ATR_EXTENDED[..]);
    assert!(card.uses_extended_length());
    drop(card);
    reader.remove(inserted).unwrap();
    let status = reader.context().readers().unwrap();
    assert!(!status.iter().find(|r| r.name == reader.name()).unwrap().card_present);
}

#[test]
fn pcsc_select_returns_the_fci() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default());
    let fci = card.select(&ISD_R).unwrap().fci.unwrap();
    assert_eq!(fci.aid(), Some(&ISD_R[..]));
    assert_eq!(fci.max_command_data_len(), Some(0xFFFF));
    let err = card.select(&[0xA0, 0x00, 0x00, 0x00, 0x99]).unwrap_err();
    assert!(matches!(err, CardError::Status { sw, .. } if sw.to_u16() == 0x6A82), "{err:?}");
    drop(card);
    assert_eq!(reader.remove(inserted).unwrap().commands_seen(), 2);
}

#[test]
fn pcsc_get_response_chain_of_more_than_4_kib() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default().with_extended_length(false));
    assert_eq!(card.atr(), &ATR_SHORT[..]);
    assert!(!card.uses_extended_length());
    let response = card.transmit(&GET_BIG).unwrap();
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    assert_eq!(response.data(), TestCard::big_object().as_slice());
    drop(card);
    // 256 bytes with the command, then one GET RESPONSE per further 256 bytes.
    assert_eq!(reader.remove(inserted).unwrap().commands_seen(), BIG_OBJECT_LEN.div_ceil(256));
}

#[test]
fn pcsc_wrong_le_is_resent_exactly() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default());
    let response = card.transmit(&CommandView::new(0x00, 0xCA, 0x01, 0x01).with_ne(256)).unwrap();
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    assert_eq!(response.data(), TestCard::exact_object().as_slice());
    drop(card);
    assert_eq!(reader.remove(inserted).unwrap().commands_seen(), 2);
}

#[test]
fn pcsc_extended_length_in_one_exchange() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default());
    let data = pattern(4096);
    let response =
        card.transmit(&CommandView::new(0x80, 0xEE, 0, 0).with_data(&data).with_ne(65_536)).unwrap();
    assert_eq!(response.data(), data.as_slice());
    let big = card.transmit(&GET_BIG.with_ne(65_536)).unwrap();
    assert_eq!(big.data(), TestCard::big_object().as_slice());
    drop(card);
    assert_eq!(reader.remove(inserted).unwrap().commands_seen(), 2);
}

#[test]
fn pcsc_command_chaining_without_extended_length() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default().with_extended_length(false));
    let data = pattern(600);
    let response =
        card.transmit(&CommandView::new(0x80, 0xEE, 0, 0).with_data(&data).with_ne(65_536)).unwrap();
    assert_eq!(response.data(), data.as_slice());
    drop(card);
    // Three chained parts (255 + 255 + 90), the last answered with 256 bytes + 61xx, then 2 GET RESPONSEs.
    assert_eq!(reader.remove(inserted).unwrap().commands_seen(), 3 + 2);
}

#[test]
fn pcsc_logical_channels_keep_their_own_selection() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default());
    card.select(&ISD_R).unwrap();
    {
        let mut channel = card.open_channel().unwrap();
        assert_eq!(channel.number(), 1);
        channel.select(&APP_A).unwrap();
        assert_eq!(channel.transmit(&GET_SELECTED).unwrap().data(), &APP_A[..]);
    }
    assert_eq!(CardChannel::transmit(&mut card, &GET_SELECTED).unwrap().data(), &ISD_R[..]);
    let four: Vec<u8> = (0..4).map(|_| card.open_channel_number().unwrap()).collect();
    assert_eq!(four, vec![1, 2, 3, 4]);
    let mut data = Vec::new();
    let select = CommandView::new(0x00, 0xA4, 0x04, 0x00).with_data(&APP_A).with_ne(256);
    assert_eq!(card.transmit_on(4, &select, &mut data).unwrap(), StatusWord::SUCCESS);
    assert_eq!(card.transmit_on(4, &GET_BIG, &mut data).unwrap(), StatusWord::SUCCESS);
    assert_eq!(data, TestCard::big_object());
    for n in four {
        card.close_channel(n).unwrap();
    }
    drop(card);
    let simulator = reader.remove(inserted).unwrap();
    assert_eq!(simulator.open_channels().collect::<Vec<_>>(), vec![0]);
}

#[test]
fn pcsc_card_removed_mid_session_then_reinserted() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default());
    card.select(&APP_A).unwrap();
    let simulator = reader.remove(inserted).unwrap();

    let err = card.transmit(&GET_SELECTED).unwrap_err();
    match &err {
        CardError::Transport(e) => assert_eq!(e.kind(), ErrorKind::CardRemoved, "{e}"),
        other => panic!("expected a transport error, got {other:?}"),
    }

    // Re-insert the same card: the session reconnects; the card was powered up anew,
    // so nothing is selected any more.
    let inserted = reader.insert(simulator).unwrap();
    card.reconnect().unwrap();
    assert_eq!(card.atr(), &ATR_EXTENDED[..]);
    let response = card.transmit(&GET_SELECTED).unwrap();
    assert_eq!(response.sw().to_u16(), 0x6A88);
    card.select(&APP_A).unwrap();
    assert_eq!(card.transmit(&GET_SELECTED).unwrap().data(), &APP_A[..]);
    drop(card);
    reader.remove(inserted).unwrap();
}

#[test]
fn pcsc_raw_transport_and_card_layer_agree() {
    let Some(reader) = reader() else { return };
    let (inserted, mut card) = session(&reader, TestCardConfig::default());
    let mut raw = [0u8; 300];
    let command = [0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00];
    let n = card.transport_mut().transmit(&command, &mut raw).unwrap();
    let mut expected = vec![0x6F, 0x11, 0x84, 0x08];
    expected.extend_from_slice(&APP_A);
    expected.extend_from_slice(&[0xA5, 0x05, 0x9F, 0x65, 0x02, 0xFF, 0xFF, 0x90, 0x00]);
    assert_eq!(&raw[..n], expected.as_slice());
    drop(card);
    reader.remove(inserted).unwrap();
}
