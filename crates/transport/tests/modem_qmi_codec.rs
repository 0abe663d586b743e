//! The QMI codec against published byte vectors, and its properties.
//!
//! Sources, each vector cited where it is used:
//! - libqmi `src/libqmi-glib/test/test-message.c` and `test-fixture.c` (linux-mobile-broadband/
//!   libqmi): CTL Allocate CID / Release CID requests and responses, service requests and
//!   responses, frames split and joined;
//! - wwan-go `qcom/qmi/transport_test.go` (damonto/wwan-go): UIM request and response frames,
//!   a UIM indication; `qcom/logical_channel_test.go`: the TLVs of UIM Open Logical Channel,
//!   Send APDU and Logical Channel (close);
//! - libqmi `data/qmi-service-uim.json`: the TLV numbers and formats of the UIM messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_transport::modem::qmi::uim::{self, QmiPhysicalSlot};
use oxicard_transport::modem::qmi::{
    QmiError, QmiMessage, QmiMessageKind, QmiProtocolError, QmiTlv, QmuxReader, SERVICE_UIM, ctl,
};
use proptest::prelude::*;

/// Hex with spaces (and `|` as a visual separator) to bytes.
fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace([' ', '|', '\n'], "")).unwrap()
}

/// The ISD-R AID (SGP.22 §2.2.3).
const ISD_R: &str = "A0000005591010FFFFFFFF8900000100";

// --- CTL: libqmi ---------------------------------------------------------------------------

#[test]
fn ctl_allocate_cid_request_as_libqmi_test_fixture() {
    // libqmi test-fixture.c, "Allocate clients": the request with its placeholders as written
    // (transaction FF, service FF, which the fixture patches).
    let fixture = h("01 0F 00 00 00 00 | 00 FF 22 00 04 00 | 01 01 00 FF");
    assert_eq!(ctl::allocate_cid(0xFF, 0xFF).encode().unwrap(), fixture);
    // libqmi test-message.c, test_message_set_transaction_id_ctl: Allocate CID for service 01.
    let wds = h("01 0F 00 00 00 00 00 FF 22 00 04 00 01 01 00 01");
    assert_eq!(ctl::allocate_cid(0xFF, 0x01).encode().unwrap(), wds);
    let decoded = QmiMessage::decode(&wds).unwrap();
    assert_eq!(decoded, ctl::allocate_cid(0xFF, 0x01));
    assert_eq!(decoded.kind(), QmiMessageKind::Request);
}

#[test]
fn ctl_allocate_cid_response_as_libqmi_test_fixture() {
    // libqmi test-fixture.c: the canned response, QMUX flags 00 (the fixture's, where real
    // modems send 80), CTL response flag 01, Result success, Allocation Info {FF, 01}.
    let response = h("01 17 00 00 00 00 | 01 FF 22 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 FF 01");
    let message = QmiMessage::decode(&response).unwrap();
    assert_eq!(message.qmux_flags, 0x00);
    assert_eq!(message.kind(), QmiMessageKind::Response);
    assert_eq!((message.transaction, message.message_id), (0xFF, ctl::ALLOCATE_CID));
    message.result("CTL Allocate CID").unwrap();
    assert_eq!(ctl::allocation_info(&message).unwrap(), (0xFF, 0x01));
    assert_eq!(message.encode().unwrap(), response);
}

#[test]
fn ctl_release_cid_as_libqmi_test_fixture() {
    // libqmi test-fixture.c, teardown: Release CID {service FF, CID 01} and its response.
    let request = h("01 10 00 00 00 00 | 00 FF 23 00 05 00 | 01 02 00 FF 01");
    assert_eq!(ctl::release_cid(0xFF, 0xFF, 0x01).encode().unwrap(), request);
    let response = h("01 17 00 00 00 00 | 01 FF 23 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 FF 01");
    let message = QmiMessage::decode(&response).unwrap();
    message.result("CTL Release CID").unwrap();
    assert_eq!(ctl::allocation_info(&message).unwrap(), (0xFF, 0x01));
}

#[test]
fn ctl_internal_proxy_open_as_libqmi_test_fixture() {
    // libqmi test-fixture.c, "Open device": CTL FF00 with the device path as TLV 01 (the
    // fixture's 20-byte placeholder: "/dev/virtual/qmi" and four NULs).
    let request = h("01 22 00 00 00 00 | 00 FF 00 FF 17 00 | 01 14 00
        2F 64 65 76 2F 76 69 72 74 75 61 6C 2F 71 6D 69 00 00 00 00");
    let message = QmiMessage::request(0x00, 0x00, 0xFF, 0xFF00).with_tlv(0x01, *b"/dev/virtual/qmi\0\0\0\0");
    assert_eq!(message.encode().unwrap(), request);
    // Its response: CTL response flag, Result success.
    let response = h("01 12 00 00 00 00 | 01 FF 00 FF 07 00 | 02 04 00 00 00 00 00");
    assert_eq!(QmiMessage::decode(&response).unwrap().result("CTL Internal Proxy Open"), Ok(()));
}

// --- Service messages: libqmi --------------------------------------------------------------

#[test]
fn service_request_and_responses_as_libqmi_test_message() {
    // test_message_new_request: DMS (02), client 01, transaction 0002, message FFFF.
    let request = QmiMessage::request(0x02, 0x01, 0x0002, 0xFFFF);
    assert_eq!(request.encode().unwrap(), h("01 0C 00 00 02 01 00 02 00 FF FF 00 00"));
    // test_message_new_response_ok: QMUX flags 80, service flag 02, Result 0000 0000.
    let ok = QmiMessage::response_to(&request, QmiProtocolError::NONE);
    assert_eq!(ok.encode().unwrap(), h("01 13 00 80 02 01 | 02 02 00 FF FF 07 00 | 02 04 00 00 00 00 00"));
    // test_message_new_response_error: status 0001, error 0003 (Internal).
    let error = QmiMessage::response_to(&request, QmiProtocolError::INTERNAL);
    assert_eq!(error.encode().unwrap(), h("01 13 00 80 02 01 | 02 02 00 FF FF 07 00 | 02 04 00 01 00 03 00"));
    assert_eq!(
        error.result("DMS request"),
        Err(QmiError::Protocol { message: "DMS request", error: QmiProtocolError::INTERNAL })
    );
    // test_message_set_transaction_id_services: a two-byte transaction.
    let dms = QmiMessage::decode(&h("01 0C 00 00 02 01 00 FF FF 25 00 00 00")).unwrap();
    assert_eq!((dms.service, dms.client, dms.transaction, dms.message_id), (0x02, 0x01, 0xFFFF, 0x0025));
}

/// test-message.c: a WDS (03) response of 39 bytes, complete.
const LIBQMI_COMPLETE: &str = "01 26 00 80 03 01 02 01 00 20 00 1a 00 02 04 00 00 00 00 00 01 02 00 9b
    05 11 04 00 01 00 65 05 12 04 00 01 00 11 05";
/// test-message.c: the first 32 bytes of a message of 39.
const LIBQMI_SHORT: &str = "01 26 00 80 03 01 02 01 00 20 00 1a 00 02 04 00 00 00 00 00 01 02 00 9b
    05 11 04 00 01 00 66 05";

#[test]
fn frames_out_of_a_stream_as_libqmi_test_message() {
    // parse/short: nothing yet.
    let mut reader = QmuxReader::new();
    reader.push(&h(LIBQMI_SHORT));
    assert_eq!(reader.next_frame().unwrap(), None);
    assert!(matches!(QmiMessage::decode(&h(LIBQMI_SHORT)), Err(QmiError::Malformed(_))));
    // parse/complete: one.
    let mut reader = QmuxReader::new();
    reader.push(&h(LIBQMI_COMPLETE));
    let frame = reader.next_frame().unwrap().unwrap();
    assert_eq!(frame, h(LIBQMI_COMPLETE));
    let message = QmiMessage::decode(&frame).unwrap();
    assert_eq!(message.tlvs.iter().map(|tlv| tlv.tlv_type).collect::<Vec<_>>(), [0x02, 0x01, 0x11, 0x12]);
    assert_eq!(reader.next_frame().unwrap(), None);
    // parse/complete-and-short: one, then the rest waits.
    let mut reader = QmuxReader::new();
    reader.push(&[h(LIBQMI_COMPLETE), h(LIBQMI_SHORT)].concat());
    assert_eq!(reader.next_frame().unwrap(), Some(h(LIBQMI_COMPLETE)));
    assert_eq!(reader.next_frame().unwrap(), None);
    assert_eq!(reader.pending(), 32);
    // parse/complete-and-complete: two.
    let mut reader = QmuxReader::new();
    reader.push(&[h(LIBQMI_COMPLETE), h(LIBQMI_COMPLETE)].concat());
    assert_eq!(reader.next_frame().unwrap(), Some(h(LIBQMI_COMPLETE)));
    assert_eq!(reader.next_frame().unwrap(), Some(h(LIBQMI_COMPLETE)));
    assert_eq!(reader.next_frame().unwrap(), None);
}

#[test]
fn validity_rules_of_libqmi_message_check() {
    let good = h(LIBQMI_COMPLETE);
    let mut marker = good.clone();
    marker[0] = 0x02; // libqmi's in-memory QRTR marker, never on the wire
    assert_eq!(QmiMessage::decode(&marker), Err(QmiError::Malformed("the marker is not 01")));
    let mut qmux_len = good.clone();
    qmux_len[1] = 0x25;
    assert_eq!(
        QmiMessage::decode(&qmux_len),
        Err(QmiError::Malformed("the QMUX length is not the frame length minus one"))
    );
    let mut tlv_len = good.clone();
    tlv_len[11] = 0x19;
    assert_eq!(
        QmiMessage::decode(&tlv_len),
        Err(QmiError::Malformed("the QMI TLV length disagrees with the QMUX length"))
    );
    // The last TLV claims one byte more than there is.
    let mut overrun = good.clone();
    overrun[34] = 0x05;
    assert_eq!(QmiMessage::decode(&overrun), Err(QmiError::Malformed("a TLV value runs over the message")));
    // Two stray bytes after the last TLV, all lengths adjusted to include them.
    let mut stray = good.clone();
    stray.extend_from_slice(&[0x13, 0x00]);
    stray[1] = 0x28;
    stray[11] = 0x1C;
    assert_eq!(QmiMessage::decode(&stray), Err(QmiError::Malformed("a TLV header runs over the message")));
    // A QMUX length shorter than its own header can start no frame.
    let mut reader = QmuxReader::new();
    reader.push(&h("01 04 00 00 00"));
    assert!(reader.next_frame().is_err());
    assert_eq!(reader.pending(), 0);
}

// --- UIM: wwan-go --------------------------------------------------------------------------

#[test]
fn uim_frames_as_wwan_go_transport_test() {
    // TestMarshalRequest "read transparent request": UIM, client 7, transaction 3, message 0020.
    let read_transparent = QmiMessage::request(SERVICE_UIM, 7, 3, 0x0020)
        .with_tlv(0x01, [0x06, 0x00])
        .with_tlv(0x02, [0x07, 0x6F, 0x00])
        .with_tlv(0x03, [0x00, 0x00, 0x09, 0x00]);
    assert_eq!(
        read_transparent.encode().unwrap(),
        h(
            "01 1E 00 00 0B 07 | 00 03 00 20 00 12 00 | 01 02 00 06 00 | 02 03 00 07 6F 00 | 03 04 00 00 00 09 00"
        )
    );
    // "authenticate request": message 0034.
    let authenticate = QmiMessage::request(SERVICE_UIM, 7, 4, 0x0034)
        .with_tlv(0x01, [0x00, 0x00])
        .with_tlv(0x02, [0x03, 0x04, 0x00, 0x10, 0x01, 0x10, 0x02]);
    assert_eq!(
        authenticate.encode().unwrap(),
        h("01 1B 00 00 0B 07 | 00 04 00 34 00 0F 00 | 01 02 00 00 00 | 02 07 00 03 04 00 10 01 10 02")
    );
    // TestResponseUnmarshalBinary "service response" and "control response".
    let response = QmiMessage::decode(&h(
        "01 18 00 80 0B 07 | 02 03 00 20 00 0C 00 | 02 04 00 00 00 00 00 | 10 02 00 90 00",
    ))
    .unwrap();
    assert_eq!((response.kind(), response.client, response.transaction), (QmiMessageKind::Response, 7, 3));
    assert_eq!(response.tlv(0x10), Some(&[0x90, 0x00][..]));
    let control =
        QmiMessage::decode(&h("01 12 00 80 00 00 | 01 01 00 FF 07 00 | 02 04 00 00 00 00 00")).unwrap();
    assert_eq!(
        (control.kind(), control.transaction, control.message_id),
        (QmiMessageKind::Response, 1, 0xFF00)
    );
    // TestTransportDispatchesIndications: a Slot Status indication (0048), no TLVs.
    let indication = h("01 0C 00 80 0B 07 | 04 00 00 48 00 00 00");
    let message = QmiMessage::decode(&indication).unwrap();
    assert_eq!(message.kind(), QmiMessageKind::Indication);
    assert_eq!(message, QmiMessage::indication(SERVICE_UIM, 7, uim::SLOT_STATUS_INDICATION));
    assert_eq!(message.encode().unwrap(), indication);
}

#[test]
fn uim_tlvs_as_wwan_go_logical_channel_test() {
    // TestClientLogicalChannelPrimitives: slot 2, AID A0000000871004, channel 3, client 7.
    let aid = h("A0 00 00 00 87 10 04");
    let open = uim::open_logical_channel(7, 1, 2, &aid).unwrap();
    assert_eq!((open.service, open.client, open.message_id), (SERVICE_UIM, 7, 0x0042));
    assert_eq!(open.tlv(0x01), Some(&[0x02][..]));
    assert_eq!(open.tlv(0x10), Some(&h("07 A0 00 00 00 87 10 04")[..]));
    let command = [&[0x00, 0xA4, 0x04, 0x00, 0x07][..], &aid].concat();
    let send = uim::send_apdu(7, 2, 2, &command, Some(3)).unwrap();
    assert_eq!(send.message_id, 0x003B);
    assert_eq!(send.tlv(0x10), Some(&[0x03][..]));
    assert_eq!(send.tlv(0x02), Some(&[&[0x0C, 0x00][..], &command].concat()[..]));
    assert_eq!(send.tlv(0x01), Some(&[0x02][..]));
    let close = uim::close_logical_channel(7, 3, 2, 3);
    assert_eq!(close.message_id, 0x003F);
    assert_eq!((close.tlv(0x01), close.tlv(0x11)), (Some(&[0x02][..]), Some(&[0x03][..])));
    // TestSendAPDURequestBinary: APDU 00 A4 is `02 00 00 A4`.
    assert_eq!(uim::send_apdu(7, 1, 1, &[0x00, 0xA4], None).unwrap().tlv(0x02), Some(&h("02 00 00 A4")[..]));
    // TestUIMLogicalChannelOptions: channel 3, SW 9000, select response `62 00` in TLV 12.
    let opened = QmiMessage::response_to(&open, QmiProtocolError::NONE)
        .with_tlv(0x10, [0x03])
        .with_tlv(0x11, [0x90, 0x00])
        .with_tlv(0x12, [0x02, 0x62, 0x00]);
    assert_eq!(uim::opened_channel(&opened), Ok(3));
    assert_eq!(uim::card_result(&opened), Ok(Some([0x90, 0x00])));
    assert_eq!(uim::select_response(&opened), Ok(Some(&[0x62, 0x00][..])));
    // TestOpenLogicalChannelSelectResponse: TLV 13, LE16-prefixed; TLV 12 takes precedence.
    let long =
        QmiMessage::response_to(&open, QmiProtocolError::NONE).with_tlv(0x13, [0x02, 0x00, 0x62, 0x00]);
    assert_eq!(uim::select_response(&long), Ok(Some(&[0x62, 0x00][..])));
    let both = long.clone().with_tlv(0x12, [0x02, 0x90, 0x00]);
    assert_eq!(uim::select_response(&both), Ok(Some(&[0x90, 0x00][..])));
    // TestLogicalChannelResponsesUnmarshalBinary "send APDU response" and its truncations.
    let send_ok =
        QmiMessage::response_to(&send, QmiProtocolError::NONE).with_tlv(0x10, [0x02, 0x00, 0x90, 0x00]);
    assert_eq!(uim::apdu_response(&send_ok), Ok(&[0x90, 0x00][..]));
    for bad in [&[0x02, 0x00, 0x90][..], &[0x01, 0x00, 0x90, 0x00]] {
        let response = QmiMessage::response_to(&send, QmiProtocolError::NONE).with_tlv(0x10, bad);
        assert!(matches!(uim::apdu_response(&response), Err(QmiError::InvalidTlv { tlv: 0x10, .. })));
    }
}

// --- UIM: whole frames ---------------------------------------------------------------------
//
// The frames below are not captures: they put the TLVs that libqmi `data/qmi-service-uim.json`
// defines (in its input order) and wwan-go `qcom/logical_channel_test.go` checks into the frame
// layout of the wwan-go and libqmi vectors above (UIM client 05, transactions 1, 2, 3).

/// Open Logical Channel, slot 1, the ISD-R.
fn open_isd_r_frame() -> Vec<u8> {
    h(&format!("01 24 00 00 0B 05 | 00 01 00 42 00 18 00 | 01 01 00 01 | 10 11 00 10 {ISD_R}"))
}

#[test]
fn uim_open_send_close_frames() {
    let aid = h(ISD_R);
    assert_eq!(uim::open_logical_channel(5, 1, 1, &aid).unwrap().encode().unwrap(), open_isd_r_frame());
    let opened = QmiMessage::decode(&h(
        "01 1C 00 80 0B 05 | 02 01 00 42 00 10 00 | 02 04 00 00 00 00 00 | 10 01 00 01 | 11 02 00 90 00",
    ))
    .unwrap();
    opened.result("UIM Open Logical Channel").unwrap();
    assert_eq!((uim::opened_channel(&opened), uim::card_result(&opened)), (Ok(1), Ok(Some([0x90, 0x00]))));
    assert_eq!(uim::select_response(&opened), Ok(None));

    // Send APDU: STORE DATA GetEuiccInfo1 `81 E2 91 00 03 BF 2E 00` on channel 1 (lpac's first ES10
    // command; SGP.22 §5.7.8).
    let send = uim::send_apdu(5, 2, 1, &h("81 E2 91 00 03 BF 2E 00"), Some(1)).unwrap();
    assert_eq!(
        send.encode().unwrap(),
        h(
            "01 21 00 00 0B 05 | 00 02 00 3B 00 15 00 | 01 01 00 01 | 02 0A 00 08 00 81 E2 91 00 03 BF 2E 00 | 10 01 00 01"
        )
    );
    let answer = QmiMessage::decode(&h(
        "01 1A 00 80 0B 05 | 02 02 00 3B 00 0E 00 | 02 04 00 00 00 00 00 | 10 04 00 02 00 6A 88",
    ))
    .unwrap();
    assert_eq!(uim::apdu_response(&answer), Ok(&[0x6A, 0x88][..]));
    let denied =
        QmiMessage::decode(&h("01 13 00 80 0B 05 | 02 02 00 3B 00 07 00 | 02 04 00 01 00 52 00")).unwrap();
    assert_eq!(
        denied.result("UIM Send APDU").unwrap_err().to_string(),
        "UIM Send APDU failed: QMI protocol error AccessDenied (82)"
    );

    assert_eq!(
        uim::close_logical_channel(5, 3, 1, 1).encode().unwrap(),
        h("01 14 00 00 0B 05 | 00 03 00 3F 00 08 00 | 01 01 00 01 | 11 01 00 01")
    );
}

#[test]
fn slot_status_and_card_status_read_back() {
    let slots = vec![
        QmiPhysicalSlot::present(true, 1, h("3B 9F 96 80 1F C7"), false),
        QmiPhysicalSlot::present(false, 0, h("3B 9F 97 80 3F C7"), true),
    ];
    let request = uim::get_slot_status(5, 1);
    let response = uim::slot_status_tlvs(&slots)
        .unwrap()
        .into_iter()
        .fold(QmiMessage::response_to(&request, QmiProtocolError::NONE), |m, (t, v)| m.with_tlv(t, v));
    // TLV 10: count 2, then {card state LE32 = 2 present, slot state LE32, logical slot, ICCID len 0}.
    assert_eq!(response.tlv(0x10), Some(&h("02 | 02000000 01000000 01 00 | 02000000 00000000 00 00")[..]));
    assert_eq!(uim::physical_slots(&response).unwrap(), slots);
    // Without TLV 11 the slots come back without ATRs.
    let mut bare = response.clone();
    bare.tlvs.retain(|tlv| tlv.tlv_type != 0x11);
    assert_eq!(uim::physical_slots(&bare).unwrap()[1].atr, Vec::<u8>::new());

    let card_status = QmiMessage::response_to(&uim::get_card_status(5, 2), QmiProtocolError::NONE)
        .with_tlv(0x10, uim::card_status_value(&[uim::CARD_STATE_PRESENT, 0]).unwrap());
    assert_eq!(uim::card_states(&card_status), Ok(vec![1, 0]));
    // One card with one USIM application (type 2, state 7 ready), AID A0000000871002.
    let with_application = h(
        "FFFF FFFF FFFF FFFF 01 | 01 00 00 00 00 01 | 02 07 00 00 00 00 07 A0000000871002 00 03 03 0A 01 03 0A",
    );
    let card_status = QmiMessage::response_to(&uim::get_card_status(5, 3), QmiProtocolError::NONE)
        .with_tlv(0x10, with_application);
    assert_eq!(uim::card_states(&card_status), Ok(vec![1]));
}

#[test]
fn protocol_errors_by_libqmi_name() {
    // libqmi src/libqmi-glib/qmi-errors.h, QmiProtocolError.
    let names = [
        (0, "None"),
        (1, "MalformedMessage"),
        (3, "Internal"),
        (5, "ClientIdsExhausted"),
        (7, "InvalidClientId"),
        (17, "MissingArgument"),
        (19, "ArgumentTooLong"),
        (22, "InvalidTransactionId"),
        (25, "DeviceUnsupported"),
        (37, "UimUninitialized"),
        (48, "InvalidArgument"),
        (52, "DeviceNotReady"),
        (71, "InvalidQmiCommand"),
        (80, "SimFileNotFound"),
        (82, "AccessDenied"),
        (90, "IncompatibleState"),
        (94, "NotSupported"),
        (102, "NoSim"),
    ];
    for (code, name) in names {
        assert_eq!(QmiProtocolError(code).name(), Some(name), "{code}");
    }
    assert_eq!(QmiProtocolError::ACCESS_DENIED.to_string(), "AccessDenied (82)");
    assert_eq!(QmiProtocolError(18).name(), None);
    assert_eq!(QmiProtocolError(1234).to_string(), "unknown (1234)");
}

#[test]
fn encoding_limits() {
    assert_eq!(QmiMessage::request(0, 0, 256, ctl::SYNC).encode(), Err(QmiError::CtlTransaction(256)));
    let big = QmiMessage::request(SERVICE_UIM, 1, 1, uim::SEND_APDU).with_tlv(0x02, vec![0; 65_535 - 16]);
    assert_eq!(big.encode().unwrap().len(), 65_535);
    let bigger = big.with_tlv(0x10, []);
    assert_eq!(bigger.encode(), Err(QmiError::TooLong { len: 65_538 }));
    assert!(matches!(uim::open_logical_channel(1, 1, 1, &[0; 256]), Err(QmiError::InvalidRequest { .. })));
    assert!(matches!(uim::send_apdu(1, 1, 1, &[0; 65_536], None), Err(QmiError::InvalidRequest { .. })));
}

// --- Properties ----------------------------------------------------------------------------

/// Any message that fits a frame.
fn message() -> impl Strategy<Value = QmiMessage> {
    let tlvs = proptest::collection::vec((any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..6);
    (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u16>(), any::<u16>(), tlvs).prop_map(
        |(qmux_flags, service, client, flags, transaction, message_id, tlvs)| {
            let transaction = if service == 0 { transaction & 0xFF } else { transaction };
            let mut message = QmiMessage::request(service, client, transaction, message_id);
            message.qmux_flags = qmux_flags;
            message.flags = flags;
            message.tlvs = tlvs.into_iter().map(|(t, v)| QmiTlv::new(t, v)).collect();
            message
        },
    )
}

proptest! {
    #[test]
    fn messages_round_trip(message in message()) {
        let frame = message.encode().unwrap();
        prop_assert_eq!(frame.len(), message.encoded_len());
        prop_assert_eq!(QmiMessage::decode(&frame).unwrap(), message);
    }

    #[test]
    fn frames_come_out_of_any_chunking(messages in proptest::collection::vec(message(), 1..5), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let frames: Vec<Vec<u8>> = messages.iter().map(|m| m.encode().unwrap()).collect();
        let stream = frames.concat();
        let mut points: Vec<usize> = cuts.iter().map(|cut| cut.index(stream.len() + 1)).collect();
        points.push(stream.len());
        points.sort_unstable();
        let (mut reader, mut out, mut start) = (QmuxReader::new(), Vec::new(), 0);
        for point in points {
            reader.push(&stream[start..point]);
            start = point;
            while let Some(frame) = reader.next_frame().unwrap() {
                out.push(frame);
            }
        }
        prop_assert_eq!(out, frames);
        prop_assert_eq!(reader.pending(), 0);
    }

    #[test]
    fn arbitrary_bytes_are_an_error_or_a_message_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(message) = QmiMessage::decode(&bytes) {
            prop_assert_eq!(message.encode().unwrap(), bytes.clone());
        }
        let mut reader = QmuxReader::new();
        reader.push(&bytes);
        while let Ok(Some(frame)) = reader.next_frame() {
            let _ = QmiMessage::decode(&frame);
        }
    }

    #[test]
    fn parsers_take_any_tlv_values(values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 6)) {
        let mut response = QmiMessage::response_to(&uim::get_slot_status(1, 1), QmiProtocolError::NONE);
        for (tlv, value) in [0x01, 0x02, 0x10, 0x11, 0x12, 0x13].into_iter().zip(values) {
            response.tlvs.push(QmiTlv::new(tlv, value));
        }
        let _ = (uim::apdu_response(&response), uim::opened_channel(&response), uim::card_result(&response));
        let _ = (uim::select_response(&response), uim::physical_slots(&response), uim::card_states(&response));
        let _ = (ctl::allocation_info(&response), response.result("any"));
    }
}
