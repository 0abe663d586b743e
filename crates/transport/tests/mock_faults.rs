//! Fault injection in the scripted mock: fail, drop and corrupt the N-th
//! exchange or every exchange matching a predicate. Commands and responses
//! are hand-made examples.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_transport::mock::{Corruption, Exchange, Fault, MockTransport};
use oxicard_transport::{ErrorKind, Transport};

/// Hand-made READ BINARY of 2 bytes and its answer.
const READ_2: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x02];
const DATA_OK: [u8; 4] = [0xCA, 0xFE, 0x90, 0x00];
/// Hand-made GET DATA.
const GET_DATA: [u8; 5] = [0x80, 0xCA, 0x00, 0x66, 0x00];

fn transmit(mock: &mut impl Transport, command: &[u8]) -> Result<Vec<u8>, oxicard_transport::TransportError> {
    let mut buf = [0u8; 300];
    let len = mock.transmit(command, &mut buf)?;
    Ok(buf[..len].to_vec())
}

#[test]
fn mock_fail_nth_does_not_consume_the_expectation() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond(DATA_OK).fail_nth(0, ErrorKind::CardRemoved);
    let handle = mock.handle();
    let err = transmit(&mut mock, &READ_2).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved);
    assert_eq!(err.detail(), Some("injected at exchange #0 (00B0000002)"));
    assert_eq!(handle.remaining(), 1);
    // The retry meets the same expectation.
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), DATA_OK);
    handle.verify().unwrap();
    assert_eq!(
        handle.transcript(),
        [
            Exchange::new(READ_2.to_vec(), Err(ErrorKind::CardRemoved)),
            Exchange::new(READ_2.to_vec(), Ok(DATA_OK.to_vec())),
        ]
    );
}

#[test]
fn mock_faults_work_without_a_script() {
    let mut mock = MockTransport::new();
    mock.fail_nth(1, ErrorKind::InjectedFault).drop_nth(0);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap_err().kind(), ErrorKind::Timeout);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap_err().kind(), ErrorKind::InjectedFault);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap_err().kind(), ErrorKind::UnexpectedCommand);
}

#[test]
fn mock_drop_nth_is_a_timeout_without_consuming() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond(DATA_OK).expect(GET_DATA).respond([0x6A, 0x88]).drop_nth(1);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), DATA_OK);
    let err = transmit(&mut mock, &GET_DATA).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.detail(), Some("injected: the card did not answer exchange #1 (80CA006600)"));
    assert_eq!(transmit(&mut mock, &GET_DATA).unwrap(), [0x6A, 0x88]);
    let handle = mock.handle();
    handle.verify().unwrap();
    assert_eq!(handle.transcript()[1].response, Err(ErrorKind::Timeout));
}

#[test]
fn mock_corruptions_damage_the_response_and_consume() {
    let mut mock = MockTransport::new();
    for _ in 0..4 {
        mock.expect(READ_2).respond(DATA_OK);
    }
    mock.corrupt_nth(0, Corruption::Truncate(1))
        .corrupt_nth(1, Corruption::FlipBit { byte: 0, bit: 0 })
        .corrupt_nth(2, Corruption::Replace(vec![0x6F, 0x00]))
        .corrupt_nth(3, Corruption::with(|r| r.iter().rev().copied().collect()));
    let handle = mock.handle();
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0xCA]);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0xCB, 0xFE, 0x90, 0x00]);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0x6F, 0x00]);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0x00, 0x90, 0xFE, 0xCA]);
    handle.verify().unwrap();
    assert_eq!(handle.transcript()[0], Exchange::new(READ_2.to_vec(), Ok(vec![0xCA])));
}

#[test]
fn mock_corrupt_still_checks_the_command() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond(DATA_OK).corrupt_nth(0, Corruption::Truncate(0));
    let err = transmit(&mut mock, &GET_DATA).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedCommand);
    assert_eq!(err.detail(), Some("exchange #0: expected 00B0000002, got 80CA006600"));
}

#[test]
fn mock_fault_when_hits_every_matching_exchange() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond(DATA_OK).expect(READ_2).respond(DATA_OK);
    mock.fault_when(|c| c.get(1) == Some(&0xCA), Fault::Fail(ErrorKind::CardReset));
    let handle = mock.handle();
    for _ in 0..3 {
        assert_eq!(transmit(&mut mock, &GET_DATA).unwrap_err().kind(), ErrorKind::CardReset);
    }
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), DATA_OK);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), DATA_OK);
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 5);
}

#[test]
fn mock_first_matching_fault_rule_wins() {
    let mut mock = MockTransport::new();
    mock.expect(READ_2).respond(DATA_OK);
    mock.fault_when(|_| true, Fault::Corrupt(Corruption::Replace(vec![0x90, 0x00])))
        .fail_nth(0, ErrorKind::CardRemoved);
    assert_eq!(transmit(&mut mock, &READ_2).unwrap(), [0x90, 0x00]);
}
