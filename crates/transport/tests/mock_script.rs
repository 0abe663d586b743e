//! The scripted mock: expectations, mismatches, script text, transcript and handle.
//!
//! Commands are hand-made examples unless a source is cited; the ISD-R SELECT
//! is SGP.22 §2.2.3 (AID `A0000005591010FFFFFFFF8900000100`, as lpac's
//! `euicc/euicc.c` selects it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_transport::mock::{DEFAULT_ATR, Exchange, MockTransport};
use oxicard_transport::{ErrorKind, ResetKind, Transport};
use proptest::prelude::*;

/// SELECT ISD-R by AID (SGP.22 §2.2.3).
const SELECT_ISD_R: [u8; 21] = [
    0x00, 0xA4, 0x04, 0x00, 0x10, 0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89,
    0x00, 0x00, 0x01, 0x00,
];
/// Hand-made READ BINARY of 2 bytes.
const READ_2: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x02];

fn transmit(mock: &mut impl Transport, command: &[u8]) -> Result<Vec<u8>, oxicard_transport::TransportError> {
    let mut buf = [0u8; 300];
    let len = mock.transmit(command, &mut buf)?;
    Ok(buf[..len].to_vec())
}

#[test]
fn mock_answers_expectations_in_order_and_records_them() {
    let mut mock = MockTransport::new();
    mock.expect(SELECT_ISD_R).respond([0x90, 0x00]).expect(READ_2).respond([0xCA, 0xFE, 0x90, 0x00]);
    let handle = mock.handle();
    assert_eq!(handle.remaining(), 2);
    assert_eq!(transmit(&mut mock, &SELECT_ISD_R).unwrap(), [0x90, 0x00]);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0xCA, 0xFE, 0x90, 0x00]);
    assert_eq!(handle.remaining(), 0);
    assert_eq!(handle.exchange_count(), 2);
    handle.verify().unwrap();
    assert_eq!(
        handle.transcript(),
        [
            Exchange::new(SELECT_ISD_R.to_vec(), Ok(vec![0x90, 0x00])),
            Exchange::new(READ_2.to_vec(), Ok(vec![0xCA, 0xFE, 0x90, 0x00])),
        ]
    );
}

#[test]
fn mock_default_and_custom_atr() {
    assert_eq!(
        MockTransport::new().atr(),
        [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75]
    );
    assert_eq!(MockTransport::default().atr(), DEFAULT_ATR);
    // Hand-made minimal ATR: TS = 3B, T0 = 00 (ISO/IEC 7816-3 §8.2).
    assert_eq!(MockTransport::with_atr([0x3B, 0x00]).atr(), [0x3B, 0x00]);
}

#[test]
fn mock_mismatch_shows_expected_and_actual_hex_and_keeps_the_expectation() {
    let mut mock = MockTransport::new();
    mock.expect(SELECT_ISD_R).respond([0x90, 0x00]);
    transmit(&mut mock, &SELECT_ISD_R).unwrap();
    mock.expect(READ_2).respond([0x90, 0x00]);
    let err = transmit(&mut mock, &[0x00, 0xB0, 0x00, 0x00, 0x04]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedCommand);
    assert_eq!(err.detail(), Some("exchange #1: expected 00B0000002, got 00B0000004"));
    assert_eq!(err.to_string(), "unexpected command: exchange #1: expected 00B0000002, got 00B0000004");
    let handle = mock.handle();
    assert_eq!(handle.remaining(), 1);
    let err = handle.verify().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedCommand);
    assert_eq!(err.detail(), Some("1 expectation(s) not used, next: 00B0000002"));
    assert_eq!(
        handle.transcript()[1],
        Exchange::new(vec![0x00, 0xB0, 0x00, 0x00, 0x04], Err(ErrorKind::UnexpectedCommand))
    );
    // The right command still meets it.
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0x90, 0x00]);
    handle.verify().unwrap();
}

#[test]
fn mock_exhausted_script_reports_the_command() {
    let mut mock = MockTransport::new();
    let err = transmit(&mut mock, &READ_2).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedCommand);
    assert_eq!(err.detail(), Some("exchange #0: no more expectations, got 00B0000002"));
}

#[test]
fn mock_expect_matching_uses_the_description() {
    let mut mock = MockTransport::new();
    mock.expect_matching("any READ BINARY", |c| c.get(1) == Some(&0xB0)).respond([0x01, 0x90, 0x00]);
    let err = transmit(&mut mock, &SELECT_ISD_R).unwrap_err();
    assert_eq!(
        err.detail(),
        Some("exchange #0: expected <any READ BINARY>, got 00A4040010A0000005591010FFFFFFFF8900000100")
    );
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0x01, 0x90, 0x00]);
}

#[test]
fn mock_hex_conveniences() {
    let mut mock = MockTransport::new();
    mock.expect_hex("00 A4 04 00 10 A0000005591010FFFFFFFF8900000100").unwrap().respond_hex("90 00").unwrap();
    assert_eq!(transmit(&mut mock, &SELECT_ISD_R).unwrap(), [0x90, 0x00]);

    let err = mock.expect_hex("00 A4 0").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);
    let err = mock.expect_hex("00 B0 00 00 02").unwrap().respond_hex("9G 00").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);
    assert_eq!(mock.handle().remaining(), 0, "nothing added on bad hex");
}

#[test]
fn mock_from_script_parses_commands_responses_and_comments() {
    let mut mock = MockTransport::from_script(
        "# SELECT ISD-R (SGP.22 §2.2.3)\n\
         > 00 A4 04 00 10 A0000005591010FFFFFFFF8900000100\n\
         < 90 00   # selected\n\
         \n\
         >00B0000002\n\
         <CAFE9000\n",
    )
    .unwrap();
    assert_eq!(mock.handle().remaining(), 2);
    assert_eq!(transmit(&mut mock, &SELECT_ISD_R).unwrap(), [0x90, 0x00]);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0xCA, 0xFE, 0x90, 0x00]);
    mock.handle().verify().unwrap();
}

#[test]
fn mock_from_script_errors_name_the_line() {
    let cases = [
        ("> 00A4\n> 00B0\n", "script line 2: command follows a command without a response"),
        ("# c\n< 9000\n", "script line 2: response without a command"),
        ("> 00A40400\n", "script line 1: command without a response"),
        ("> 00A40400\n= 9000\n", "script line 2: expected a line starting with '>' or '<'"),
    ];
    for (script, detail) in cases {
        let err = MockTransport::from_script(script).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidCommand);
        assert_eq!(err.detail(), Some(detail), "{script:?}");
    }
    let err = MockTransport::from_script("> 00A4040\n< 9000\n").unwrap_err();
    assert_eq!(err.detail(), Some("script line 1: bad hex \"00A4040\""));
    // The hex decoder's error stays the cause.
    assert_eq!(
        oxicard_transport::ErrorChain(&err).to_string(),
        "invalid command APDU: script line 1: bad hex \"00A4040\": Odd number of digits"
    );
}

#[test]
fn mock_scripted_error_consumes_the_expectation() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).fail(ErrorKind::CardRemoved);
    let err = transmit(&mut mock, &READ_2).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved);
    assert_eq!(err.detail(), Some("scripted error at exchange #0 (00B0000002)"));
    mock.handle().verify().unwrap();
}

#[test]
fn mock_response_too_long_for_the_buffer() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond([0xCA, 0xFE, 0x90, 0x00]);
    let mut small = [0u8; 3];
    let err = mock.exchange(&READ_2, &mut small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLong);
    assert_eq!(err.detail(), Some("4 bytes received, room for 3"));
    assert_eq!(small, [0, 0, 0]);
    let handle = mock.handle();
    assert_eq!(handle.transcript()[0].response, Err(ErrorKind::ResponseTooLong));
    assert_eq!(handle.remaining(), 0, "the card answered: consumed");
}

#[test]
fn mock_handle_outlives_the_moved_mock() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond([0x90, 0x00]);
    let handle = mock.handle();
    let other = handle.clone();
    let mut boxed: Box<dyn Transport> = Box::new(mock);
    std::thread::spawn(move || {
        transmit(&mut boxed, &READ_2).unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(other.exchange_count(), 1);
    handle.verify().unwrap();
}

#[test]
fn mock_handle_survives_a_poisoned_lock() {
    let mut mock = MockTransport::new();
    mock.expect_matching("explodes", |_| panic!("predicate panics")).respond([0x90, 0x00]);
    let handle = mock.handle();
    let panicked = std::thread::spawn(move || {
        let _ = transmit(&mut mock, &READ_2);
    })
    .join();
    assert!(panicked.is_err());
    assert_eq!(handle.remaining(), 1);
    assert_eq!(handle.exchange_count(), 0);
    assert_eq!(handle.verify().unwrap_err().detail(), Some("1 expectation(s) not used, next: <explodes>"));
}

#[test]
fn mock_counts_resets_and_reconnects_and_fails_them_on_request() {
    let mut mock = MockTransport::new();
    mock.fail_next_reset(ErrorKind::CardRemoved).fail_next_reconnect(ErrorKind::NoCard);
    let handle = mock.handle();
    assert_eq!(mock.reset(ResetKind::Cold).unwrap_err().kind(), ErrorKind::CardRemoved);
    mock.reset(ResetKind::Warm).unwrap();
    assert_eq!(mock.reconnect().unwrap_err().kind(), ErrorKind::NoCard);
    mock.reconnect().unwrap();
    assert_eq!(handle.resets(), [ResetKind::Cold, ResetKind::Warm]);
    assert_eq!(handle.reconnects(), 2);
    assert_eq!(handle.exchange_count(), 0);
}

proptest! {
    /// Any script of exchanges plays back byte for byte and the transcript records it.
    #[test]
    fn mock_any_script_round_trips(
        steps in proptest::collection::vec(
            (proptest::collection::vec(any::<u8>(), 4..40), proptest::collection::vec(any::<u8>(), 2..40)),
            0..8,
        )
    ) {
        let mut mock = MockTransport::new();
        for (command, response) in &steps {
            mock.expect(command).respond(response);
        }
        let handle = mock.handle();
        for (command, response) in &steps {
            prop_assert_eq!(&transmit(&mut mock, command).unwrap(), response);
        }
        prop_assert!(handle.verify().is_ok());
        let expected: Vec<Exchange> = steps
            .into_iter()
            .map(|(command, response)| Exchange::new(command, Ok(response)))
            .collect();
        prop_assert_eq!(handle.transcript(), expected);
    }

    /// Script text written from bytes (spaced or not) parses back to the same bytes.
    #[test]
    fn mock_script_text_round_trips(
        command in proptest::collection::vec(any::<u8>(), 4..40),
        response in proptest::collection::vec(any::<u8>(), 2..40),
        spaced in any::<bool>(),
    ) {
        let fmt = |bytes: &[u8]| {
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
            hex.join(if spaced { " " } else { "" })
        };
        let script = format!("# generated\n> {}\n< {}\n", fmt(&command), fmt(&response));
        let mut mock = MockTransport::from_script(&script).unwrap();
        prop_assert_eq!(transmit(&mut mock, &command).unwrap(), response);
    }
}
