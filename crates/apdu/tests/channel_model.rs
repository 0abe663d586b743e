//! One channel model: the same generic code on the basic channel of a card, on a logical
//! channel, through `&mut` and `Box<dyn CardChannel>`; a logical channel owning its card, kept
//! in a struct across calls; and the hook for transports that open logical channels themselves
//! (modems: `AT+CCHO`, QMI), byte for byte.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardChannel, CardError, LogicalChannel, OpenedChannel, SelectResponse};
use oxicard_apdu::testcard::TestCard;
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::ChannelOpening;
use oxicard_transport::mock::{ChannelRequest, MockHandle, MockTransport};
use oxicard_transport::sim::SimulatorTransport;

const APP_A: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];
const ISD_R: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];
/// GET DATA of the AID selected on the channel (the test card's `00 CA 00 4F`).
const GET_SELECTED: CommandView<'static> = CommandView::new(0x00, 0xCA, 0x00, 0x4F).with_ne(256);

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn commands(handle: &MockHandle) -> Vec<String> {
    handle.transcript().iter().map(|e| hex::encode_upper(&e.command)).collect()
}

/// Generic card code: selects `aid`, echoes a command long enough to be chained below the
/// channel, and reads back what the channel has selected.
fn select_and_read(channel: &mut (impl CardChannel + ?Sized), aid: &[u8]) -> Vec<u8> {
    channel.select(aid).unwrap();
    let echo = vec![0x5A; 300];
    let command = CommandView::new(0x80, 0xEE, 0, 0).with_data(&echo).with_ne(65_536);
    assert_eq!(channel.transmit(&command).unwrap().data(), echo.as_slice());
    channel.transmit(&GET_SELECTED).unwrap().into_data()
}

#[test]
fn the_same_code_runs_on_every_kind_of_channel() {
    let mut transport = SimulatorTransport::new(TestCard::new());
    {
        let mut card = Card::new(&mut transport);
        assert_eq!(select_and_read(&mut card, &APP_A), APP_A);
        let mut logical = card.open_channel().unwrap();
        assert_eq!(logical.number(), 1);
        assert_eq!(select_and_read(&mut logical, &ISD_R), ISD_R);
        let mut boxed: Box<dyn CardChannel + '_> = Box::new(&mut logical);
        assert_eq!((boxed.channel_number(), boxed.max_command_data()), (1, 255));
        assert_eq!(select_and_read(&mut boxed, &APP_A), APP_A);
        assert_eq!(select_and_read(boxed.as_mut(), &ISD_R), ISD_R);
        drop(boxed);
        drop(logical);
        // The basic channel kept its own selection; the logical channel closed itself.
        assert_eq!(CardChannel::transmit(&mut card, &GET_SELECTED).unwrap().data(), APP_A);
    }
    assert_eq!(transport.simulator().open_channels().collect::<Vec<_>>(), [0]);
}

/// An application on a logical channel that owns its card: a struct that lives across calls,
/// without a borrow of anything.
struct Application {
    channel: LogicalChannel<Card<MockTransport>>,
}

impl Application {
    fn open(card: Card<MockTransport>) -> Result<Self, CardError> {
        let mut channel = LogicalChannel::open(card)?;
        channel.select(&ISD_R)?;
        Ok(Self { channel })
    }

    fn selected(&mut self) -> Result<Vec<u8>, CardError> {
        Ok(self.channel.transmit(&GET_SELECTED)?.into_data())
    }
}

#[test]
fn a_logical_channel_owning_its_card_lives_in_a_struct_and_closes_when_dropped() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("02 9000"));
    let mut select = h("02 A4 04 00 10");
    select.extend_from_slice(&ISD_R);
    select.push(0x00);
    mock.expect(select).respond(h("9000"));
    let mut answer = ISD_R.to_vec();
    answer.extend_from_slice(&[0x90, 0x00]);
    for _ in 0..3 {
        mock.expect(h("02 CA 00 4F 00")).respond(&answer);
    }
    mock.expect(h("00 70 80 02")).respond(h("9000"));
    let handle = mock.handle();
    let mut app = Application::open(Card::new(mock)).unwrap();
    for _ in 0..3 {
        assert_eq!(app.selected().unwrap(), ISD_R);
    }
    assert_eq!((app.channel.number(), app.channel.closes_on_drop()), (2, true));
    assert_eq!(app.channel.parent().channel_number(), 0);
    assert_eq!(handle.exchange_count(), 5);
    drop(app);
    handle.verify().unwrap();
    assert_eq!(commands(&handle).last().map(String::as_str), Some("00708002"));
}

/// A mock that opens logical channels itself, as a modem does (`AT+CCHO` / `AT+CCHC`, 3GPP TS
/// 27.007 §8.45, §8.46): the ISD-R gets channel 3 with `select_response`, other AIDs are
/// refused with `6A82`, a request without an AID is left to MANAGE CHANNEL.
fn modem(select_response: &str) -> MockTransport {
    let select_response = h(select_response);
    let mut mock = MockTransport::new();
    mock.open_channels_with(move |aid| match aid {
        None => ChannelOpening::Unsupported,
        Some(aid) if aid == ISD_R => {
            ChannelOpening::Opened { number: 3, select_response: Some(select_response.clone()) }
        }
        Some(_) => ChannelOpening::Refused { sw: [0x6A, 0x82] },
    });
    mock
}

#[test]
fn a_transport_that_opens_channels_itself_is_asked_first() {
    let mut mock = modem("9000");
    // Only the command on the opened channel, and MANAGE CHANNEL for a channel without an AID.
    mock.expect(h("03 CA 00 4F 00")).respond(h("9000"));
    mock.expect(h("00 70 00 00 01")).respond(h("01 9000"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);

    // Opened to the application by the transport: no MANAGE CHANNEL, no SELECT on the wire.
    let opened = card.open_logical_channel(Some(&ISD_R)).unwrap();
    let selected = Some(SelectResponse::new(StatusWord::SUCCESS, None));
    assert_eq!(opened, OpenedChannel::new(3, selected));
    let mut channel = LogicalChannel::adopt(&mut card, opened.number);
    channel.transmit(&GET_SELECTED).unwrap();
    drop(channel);

    // Not there: the SELECT's status word, no channel.
    let err = card.open_logical_channel(Some(&APP_A)).unwrap_err();
    assert!(matches!(err, CardError::Status { operation: "SELECT", sw } if sw.to_u16() == 0x6A82), "{err:?}");

    // Without an AID this transport has no means of its own: MANAGE CHANNEL, closed with it too.
    let number = card.open_channel_number().unwrap();
    assert_eq!(number, 1);
    card.close_channel(number).unwrap();

    handle.verify().unwrap();
    assert_eq!(
        handle.channel_requests(),
        [
            ChannelRequest::Open(Some(ISD_R.to_vec())),
            ChannelRequest::Close(3),
            ChannelRequest::Open(Some(APP_A.to_vec())),
            ChannelRequest::Open(None),
            ChannelRequest::Close(1),
        ]
    );
}

#[test]
fn a_transport_channel_whose_select_response_is_an_error_is_closed_again() {
    let mock = modem("6A82");
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = card.open_logical_channel(Some(&ISD_R)).unwrap_err();
    assert!(matches!(err, CardError::Status { operation: "SELECT", .. }), "{err:?}");
    assert_eq!(handle.channel_requests().last(), Some(&ChannelRequest::Close(3)));
    assert_eq!(handle.exchange_count(), 0);
}

#[test]
fn a_transport_channel_whose_select_response_has_no_status_word_is_closed_again() {
    let mock = modem("90");
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = card.open_logical_channel(Some(&ISD_R)).unwrap_err();
    assert!(matches!(err, CardError::MalformedResponse { len: 1 }), "{err:?}");
    assert_eq!(handle.channel_requests().last(), Some(&ChannelRequest::Close(3)));
    assert_eq!(handle.exchange_count(), 0);
}

/// A channel that is one channel only (the trait's defaults): it opens no other channel and
/// sends on no other number, and says so without sending anything.
struct OneChannel(Card<MockTransport>);

impl CardChannel for OneChannel {
    fn channel_number(&self) -> u8 {
        0
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.0.transmit_into(command, data)
    }
}

#[test]
fn a_single_channel_opens_and_addresses_no_other() {
    let mock = MockTransport::new();
    let handle = mock.handle();
    let mut one = OneChannel(Card::new(mock));
    assert!(matches!(one.open_logical_channel(None), Err(CardError::NotSupported { .. })));
    assert!(matches!(one.close_logical_channel(1), Err(CardError::NotSupported { .. })));
    assert!(matches!(
        one.transmit_on(1, &GET_SELECTED, &mut Vec::new()),
        Err(CardError::NotSupported { operation: "a command on another logical channel" })
    ));
    assert!(matches!(LogicalChannel::open(&mut one), Err(CardError::NotSupported { .. })));
    assert_eq!(handle.exchange_count(), 0);
}
