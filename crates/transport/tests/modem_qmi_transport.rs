//! `QmiModem` against a scripted modem on the other end of a socket pair: the requests it sends
//! byte for byte, how it reads the answers, what it releases, and that no bytes from the modem
//! make it panic.
//!
//! The scripted frames are built as in `modem_qmi_codec.rs` (libqmi `test-fixture.c` for CTL,
//! wwan-go `qcom/qmi/transport_test.go` for the UIM layout, libqmi `data/qmi-service-uim.json`
//! for the TLVs); the UIM client ID is 05.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use oxicard_transport::modem::qmi::uim::{self, QmiPhysicalSlot};
use oxicard_transport::modem::qmi::{QmiMessage, QmiModem, QmiOptions, QmiProtocolError, QmuxReader, ctl};
use oxicard_transport::{ChannelOpening, ErrorKind, Transport};
use proptest::prelude::*;

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace([' ', '|', '\n'], "")).unwrap()
}

/// The underlying cause of `err`, as text.
fn source(err: &oxicard_transport::TransportError) -> String {
    std::error::Error::source(err).unwrap().to_string()
}

const ISD_R: &str = "A0000005591010FFFFFFFF8900000100";

/// CTL Allocate CID for UIM, transaction 1, and the answer: client 05.
fn allocate() -> (Vec<u8>, Vec<Vec<u8>>) {
    (
        h("01 0F 00 00 00 00 | 00 01 22 00 04 00 | 01 01 00 0B"),
        vec![h("01 17 00 80 00 00 | 01 01 22 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 0B 05")],
    )
}

/// CTL Release CID of UIM client 05 with transaction `transaction`, and its answer.
fn release(transaction: u8) -> (Vec<u8>, Vec<Vec<u8>>) {
    let request = ctl::release_cid(transaction, 0x0B, 0x05);
    let response = QmiMessage::response_to(&request, QmiProtocolError::NONE).with_tlv(0x01, [0x0B, 0x05]);
    (request.encode().unwrap(), vec![response.encode().unwrap()])
}

/// The answer to the frame `request` with `error` and `tlvs`.
fn answer(request: &[u8], error: QmiProtocolError, tlvs: &[(u8, &[u8])]) -> Vec<u8> {
    let request = QmiMessage::decode(request).unwrap();
    tlvs.iter()
        .fold(QmiMessage::response_to(&request, error), |m, (t, v)| m.with_tlv(*t, *v))
        .encode()
        .unwrap()
}

/// A modem that answers each expected request with its frames (whatever arrives), then records
/// what else arrives until the host hangs up; returns every frame received.
fn scripted(script: Vec<(Vec<u8>, Vec<Vec<u8>>)>) -> (UnixStream, JoinHandle<Vec<Vec<u8>>>) {
    let (host, mut modem) = UnixStream::pair().unwrap();
    let thread = std::thread::spawn(move || {
        let (mut reader, mut received, mut buf) = (QmuxReader::new(), Vec::new(), [0u8; 4096]);
        let mut answers = script.into_iter().map(|(_, answers)| answers);
        loop {
            while let Ok(Some(frame)) = reader.next_frame() {
                received.push(frame);
                for frame in answers.next().unwrap_or_default() {
                    if modem.write_all(&frame).is_err() {
                        return received;
                    }
                }
            }
            match modem.read(&mut buf) {
                Ok(0) | Err(_) => return received,
                Ok(n) => reader.push(&buf[..n]),
            }
        }
    });
    (host, thread)
}

fn expected(script: &[(Vec<u8>, Vec<Vec<u8>>)]) -> Vec<Vec<u8>> {
    script.iter().map(|(request, _)| request.clone()).collect()
}

fn quick() -> QmiOptions {
    QmiOptions::default()
        .with_timeout(Duration::from_millis(300))
        .with_apdu_timeout(Duration::from_millis(300))
}

#[test]
fn open_channel_send_close_and_release_byte_for_byte() {
    let open = h(&format!("01 24 00 00 0B 05 | 00 01 00 42 00 18 00 | 01 01 00 01 | 10 11 00 10 {ISD_R}"));
    let send = h(
        "01 21 00 00 0B 05 | 00 02 00 3B 00 15 00 | 01 01 00 01 | 02 0A 00 08 00 81 E2 91 00 03 BF 2E 00 | 10 01 00 01",
    );
    let close = h("01 14 00 00 0B 05 | 00 03 00 3F 00 08 00 | 01 01 00 01 | 11 01 00 01");
    let script = vec![
        allocate(),
        (
            open.clone(),
            vec![h(
                "01 1C 00 80 0B 05 | 02 01 00 42 00 10 00 | 02 04 00 00 00 00 00 | 10 01 00 01 | 11 02 00 90 00",
            )],
        ),
        (
            send.clone(),
            vec![h("01 1A 00 80 0B 05 | 02 02 00 3B 00 0E 00 | 02 04 00 00 00 00 00 | 10 04 00 02 00 6A 88")],
        ),
        (close.clone(), vec![answer(&close, QmiProtocolError::NONE, &[(0x11, &[0x90, 0x00])])]),
        release(2),
    ];
    let want = expected(&script);
    let (link, modem) = scripted(script);
    let mut qmi = QmiModem::open(link, quick()).unwrap();
    assert_eq!((qmi.client_id(), qmi.slot()), (5, 1));
    assert_eq!(
        qmi.open_logical_channel(Some(&h(ISD_R))).unwrap(),
        ChannelOpening::Opened { number: 1, select_response: Some(vec![0x90, 0x00]) }
    );
    assert_eq!(qmi.open_channels(), [1]);
    let mut response = [0u8; 258];
    let n = qmi.exchange(&h("81 E2 91 00 03 BF 2E 00"), &mut response).unwrap();
    assert_eq!(&response[..n], [0x6A, 0x88]);
    assert!(qmi.close_logical_channel(1).unwrap());
    assert!(!qmi.close_logical_channel(1).unwrap(), "not the modem's any more");
    drop(qmi);
    assert_eq!(modem.join().unwrap(), want);
}

#[test]
fn drop_closes_open_channels_then_releases() {
    let open = uim::open_logical_channel(5, 1, 1, &h(ISD_R)).unwrap().encode().unwrap();
    let fci = h("6F 1A 84 10 A0000005591010FFFFFFFF8900000100 A5 04 9F 65 01 FF");
    let select = [&[u8::try_from(fci.len()).unwrap()][..], &fci].concat();
    let close = uim::close_logical_channel(5, 2, 1, 3).encode().unwrap();
    let script = vec![
        allocate(),
        (
            open.clone(),
            vec![answer(
                &open,
                QmiProtocolError::NONE,
                &[(0x10, &[3]), (0x11, &[0x90, 0x00]), (0x12, &select)],
            )],
        ),
        (close.clone(), vec![answer(&close, QmiProtocolError::NONE, &[])]),
        release(2),
    ];
    let want = expected(&script);
    let (link, modem) = scripted(script);
    let mut qmi = QmiModem::open(link, quick()).unwrap();
    let opened = qmi.open_logical_channel(Some(&h(ISD_R))).unwrap();
    assert_eq!(
        opened,
        ChannelOpening::Opened { number: 3, select_response: Some([fci, vec![0x90, 0x00]].concat()) }
    );
    drop(qmi);
    assert_eq!(modem.join().unwrap(), want);
}

#[test]
fn commands_on_other_channels_go_without_the_channel_tlv() {
    // The modem refuses Open Logical Channel (lpac issue #221): the card layer then opens
    // channel 2 with MANAGE CHANNEL itself, and its commands go as they are.
    let open = uim::open_logical_channel(5, 1, 1, &h(ISD_R)).unwrap().encode().unwrap();
    let manage = uim::send_apdu(5, 2, 1, &h("00 70 00 00 01"), None).unwrap().encode().unwrap();
    let on_two = uim::send_apdu(5, 3, 1, &h("82 E2 91 00 03 BF 2E 00"), None).unwrap().encode().unwrap();
    let script = vec![
        allocate(),
        (open.clone(), vec![answer(&open, QmiProtocolError::ACCESS_DENIED, &[])]),
        (manage.clone(), vec![answer(&manage, QmiProtocolError::NONE, &[(0x10, &h("0300 02 90 00"))])]),
        (on_two.clone(), vec![answer(&on_two, QmiProtocolError::NONE, &[(0x10, &h("0200 90 00"))])]),
        release(2),
    ];
    let want = expected(&script);
    let (link, modem) = scripted(script);
    let mut qmi = QmiModem::open(link, quick()).unwrap();
    assert_eq!(qmi.open_logical_channel(Some(&h(ISD_R))).unwrap(), ChannelOpening::Unsupported);
    let mut response = [0u8; 16];
    assert_eq!(qmi.exchange(&h("00 70 00 00 01"), &mut response).unwrap(), 3);
    assert_eq!(qmi.exchange(&h("82 E2 91 00 03 BF 2E 00"), &mut response).unwrap(), 2);
    assert!(!qmi.close_logical_channel(2).unwrap(), "the card layer closes it with MANAGE CHANNEL");
    drop(qmi);
    assert_eq!(modem.join().unwrap(), want);
}

#[test]
fn a_refused_select_is_the_cards_status_word() {
    let open =
        uim::open_logical_channel(5, 1, 1, &h("A0000005591010FFFFFFFF8900000200")).unwrap().encode().unwrap();
    let script = vec![
        allocate(),
        (open.clone(), vec![answer(&open, QmiProtocolError::SIM_FILE_NOT_FOUND, &[(0x11, &[0x6A, 0x82])])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let mut qmi = QmiModem::open(link, quick()).unwrap();
    let opening = qmi.open_logical_channel(Some(&h("A0000005591010FFFFFFFF8900000200"))).unwrap();
    assert_eq!(opening, ChannelOpening::Refused { sw: [0x6A, 0x82] });
    assert!(qmi.open_channels().is_empty());
    drop(qmi);
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn protocol_errors_are_named_and_no_sim_is_no_card() {
    let send = uim::send_apdu(5, 1, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    let again = uim::send_apdu(5, 2, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    let script = vec![
        allocate(),
        (send.clone(), vec![h("01 13 00 80 0B 05 | 02 01 00 3B 00 07 00 | 02 04 00 01 00 52 00")]),
        (again.clone(), vec![answer(&again, QmiProtocolError::NO_SIM, &[])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let mut qmi = QmiModem::open(link, quick()).unwrap();
    let mut response = [0u8; 16];
    let err = qmi.exchange(&h("80 F2 00 00"), &mut response).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(err.detail(), Some("sending an APDU"));
    assert_eq!(source(&err), "UIM Send APDU failed: QMI protocol error AccessDenied (82)");
    assert_eq!(qmi.exchange(&h("80 F2 00 00"), &mut response).unwrap_err().kind(), ErrorKind::NoCard);
    assert_eq!(qmi.exchange(&[0x80, 0xF2], &mut response).unwrap_err().kind(), ErrorKind::InvalidCommand);
    drop(qmi);
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn indications_stale_responses_and_responses_too_long() {
    // wwan-go qcom/qmi/transport_test.go, TestTransportDispatchesIndications: a response to
    // another transaction (09) and a Slot Status indication arrive before the answer.
    let send = uim::send_apdu(5, 1, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    let stale = h("01 18 00 80 0B 05 | 02 09 00 3B 00 0C 00 | 02 04 00 00 00 00 00 | 10 02 00 90 00");
    let indication = h("01 0C 00 80 0B 05 | 04 00 00 48 00 00 00");
    let other_client = h("01 18 00 80 0B 07 | 02 01 00 3B 00 0C 00 | 02 04 00 00 00 00 00 | 10 02 00 90 00");
    let ok = answer(&send, QmiProtocolError::NONE, &[(0x10, &h("0400 01 02 90 00"))]);
    let long = uim::send_apdu(5, 2, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    let script = vec![
        allocate(),
        (send.clone(), vec![[stale, indication, other_client, ok].concat()]),
        (long.clone(), vec![answer(&long, QmiProtocolError::NONE, &[(0x10, &h("0400 01 02 90 00"))])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let mut qmi = QmiModem::open(link, quick()).unwrap();
    let mut response = [0u8; 4];
    assert_eq!(qmi.exchange(&h("80 F2 00 00"), &mut response).unwrap(), 4);
    assert_eq!(response, [0x01, 0x02, 0x90, 0x00]);
    let err = qmi.exchange(&h("80 F2 00 00"), &mut response[..3]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLong);
    drop(qmi);
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn slot_selection_switches_and_waits_for_the_card() {
    let status = uim::get_slot_status(5, 1).encode().unwrap();
    let slots = vec![
        QmiPhysicalSlot::present(true, 1, h("3B 00"), false),
        QmiPhysicalSlot::present(false, 0, h("3B 02"), true),
    ];
    let [(t10, v10), (t11, v11)] = uim::slot_status_tlvs(&slots).unwrap();
    // Switch Slot: logical slot 1 (TLV 01, u8) to physical slot 2 (TLV 02, LE32).
    let switch = h("01 17 00 00 0B 05 | 00 02 00 46 00 0B 00 | 01 01 00 01 | 02 04 00 02 00 00 00");
    let poll1 = uim::get_card_status(5, 3).encode().unwrap();
    let poll2 = uim::get_card_status(5, 4).encode().unwrap();
    let send = uim::send_apdu(5, 5, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    let absent = uim::card_status_value(&[0]).unwrap();
    let present = uim::card_status_value(&[uim::CARD_STATE_PRESENT]).unwrap();
    let script = vec![
        allocate(),
        (status.clone(), vec![answer(&status, QmiProtocolError::NONE, &[(t10, &v10), (t11, &v11)])]),
        (switch.clone(), vec![answer(&switch, QmiProtocolError::NONE, &[])]),
        (poll1.clone(), vec![answer(&poll1, QmiProtocolError::NONE, &[(0x10, &absent)])]),
        (poll2.clone(), vec![answer(&poll2, QmiProtocolError::NONE, &[(0x10, &present)])]),
        (send.clone(), vec![answer(&send, QmiProtocolError::NONE, &[(0x10, &h("0200 90 00"))])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let options = quick().with_slot(2).with_card_ready_polling(3, Duration::from_millis(1));
    let mut qmi = QmiModem::open(link, options).unwrap();
    assert_eq!((qmi.slot(), qmi.atr()), (1, &[0x3B, 0x02][..]));
    let mut response = [0u8; 2];
    assert_eq!(qmi.exchange(&h("80 F2 00 00"), &mut response).unwrap(), 2);
    drop(qmi);
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn without_slot_mapping_the_slot_is_addressed_directly() {
    // lpac driver/apdu/qmi.c select_sim_slot: NotSupported on Get Slot Status skips the switch.
    let status = uim::get_slot_status(5, 1).encode().unwrap();
    let send = uim::send_apdu(5, 2, 2, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    let script = vec![
        allocate(),
        (status.clone(), vec![answer(&status, QmiProtocolError::NOT_SUPPORTED, &[])]),
        (send.clone(), vec![answer(&send, QmiProtocolError::NONE, &[(0x10, &h("0200 90 00"))])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let mut qmi = QmiModem::open(link, quick().with_slot(2)).unwrap();
    assert_eq!(qmi.slot(), 2);
    let mut response = [0u8; 2];
    qmi.exchange(&h("80 F2 00 00"), &mut response).unwrap();
    drop(qmi);
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn errors_after_allocation_release_the_client_id() {
    let status = uim::get_slot_status(5, 1).encode().unwrap();
    let script = vec![
        allocate(),
        (status.clone(), vec![answer(&status, QmiProtocolError::INTERNAL, &[])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let err = QmiModem::open(link, quick().with_slot(1)).err().unwrap();
    assert_eq!(err.detail(), Some("reading the slot status"));
    assert_eq!(source(&err), "UIM Get Slot Status failed: QMI protocol error Internal (3)");
    assert_eq!(modem.join().unwrap(), expected(&script));

    // A slot the modem does not have.
    let slots = vec![QmiPhysicalSlot::present(true, 1, Vec::new(), true)];
    let [(t10, v10), (t11, v11)] = uim::slot_status_tlvs(&slots).unwrap();
    let script = vec![
        allocate(),
        (status.clone(), vec![answer(&status, QmiProtocolError::NONE, &[(t10, &v10), (t11, &v11)])]),
        release(2),
    ];
    let (link, modem) = scripted(script.clone());
    let err = QmiModem::open(link, quick().with_slot(3)).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::NoReader);
    assert_eq!(err.detail(), Some("slot 3: the modem has 1 physical slots"));
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn sync_first_when_asked() {
    let sync = h("01 0B 00 00 00 00 | 00 01 27 00 00 00");
    let allocate = ctl::allocate_cid(2, 0x0B).encode().unwrap();
    let script = vec![
        (sync.clone(), vec![answer(&sync, QmiProtocolError::NONE, &[])]),
        (allocate.clone(), vec![answer(&allocate, QmiProtocolError::NONE, &[(0x01, &[0x0B, 0x05])])]),
        release(3),
    ];
    let (link, modem) = scripted(script.clone());
    drop(QmiModem::open(link, quick().with_sync(true)).unwrap());
    assert_eq!(modem.join().unwrap(), expected(&script));
}

#[test]
fn a_silent_modem_times_out() {
    let (link, modem) = scripted(Vec::new());
    let started = Instant::now();
    let err = QmiModem::open(link, quick().with_timeout(Duration::from_millis(100))).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(
        err.detail(),
        Some("allocating a UIM client ID: no response to CTL Allocate CID within 100ms")
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Nothing allocated, nothing released.
    assert_eq!(modem.join().unwrap(), vec![allocate().0]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_to_allocate_cid_is_handled(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let (link, modem) = scripted(vec![(Vec::new(), vec![bytes])]);
        let _ = QmiModem::open(link, quick().with_timeout(Duration::from_millis(30)));
        modem.join().unwrap();
    }

    #[test]
    fn any_answer_to_send_apdu_is_handled(bytes in proptest::collection::vec(any::<u8>(), 0..64), prefix in any::<bool>()) {
        // Either raw bytes, or a well-formed frame header around them addressed to the request.
        let send = uim::send_apdu(5, 1, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
        let reply = if prefix {
            let request = QmiMessage::decode(&send).unwrap();
            let mut response = QmiMessage::response_to(&request, QmiProtocolError::NONE);
            response.tlvs.push(oxicard_transport::modem::qmi::QmiTlv::new(0x10, bytes));
            response.encode().unwrap()
        } else {
            bytes
        };
        let (link, modem) = scripted(vec![allocate(), (send, vec![reply])]);
        let mut qmi = QmiModem::open(link, quick().with_timeout(Duration::from_millis(30)).with_apdu_timeout(Duration::from_millis(30))).unwrap();
        let mut response = [0u8; 258];
        let _ = qmi.exchange(&h("80 F2 00 00"), &mut response);
        drop(qmi);
        modem.join().unwrap();
    }
}
