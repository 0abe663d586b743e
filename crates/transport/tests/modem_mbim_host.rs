//! `MbimModem` against a scripted function: the exact messages it sends (OPEN first, slot
//! mapping, ATR, CLOSE when dropped), how it reads what comes back (indications and stale
//! answers skipped, errors named), and any bytes from the device: an error, never a panic.
#![cfg(all(unix, feature = "modem"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oxicard_transport::modem::ModemLink;
use oxicard_transport::modem::mbim::basic_connect::SlotMappings;
use oxicard_transport::modem::mbim::uicc::{ApduInfo, AtrInfo, OpenChannelInfo};
use oxicard_transport::modem::mbim::{
    CommandDone, Indication, MbimModem, MbimOptions, Message, ProtocolError, Status, Uuid,
};
use oxicard_transport::{ChannelOpening, ErrorChain, ErrorKind, Transport};
use proptest::prelude::*;

/// A device that answers from a script: each `receive` hands out the next chunk; an empty
/// script times out at once. What the host sends is recorded.
#[derive(Clone, Default)]
struct Scripted {
    replies: Arc<Mutex<VecDeque<Vec<u8>>>>,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Scripted {
    fn new(replies: Vec<Vec<u8>>) -> Self {
        Self { replies: Arc::new(Mutex::new(replies.into())), sent: Arc::default() }
    }

    fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().unwrap().clone()
    }
}

impl ModemLink for Scripted {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sent.lock().unwrap().push(bytes.to_vec());
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], _timeout: Duration) -> io::Result<usize> {
        let mut replies = self.replies.lock().unwrap();
        let Some(mut chunk) = replies.pop_front() else {
            return Err(io::ErrorKind::TimedOut.into());
        };
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        if n < chunk.len() {
            replies.push_front(chunk.split_off(n));
        }
        Ok(n)
    }
}

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace(' ', "")).unwrap()
}

fn done(
    transaction_id: u32,
    service: Uuid,
    cid: u32,
    status: Status,
    information_buffer: Vec<u8>,
) -> Vec<u8> {
    Message::CommandDone(CommandDone { transaction_id, service, cid, status, information_buffer })
        .encode()
        .unwrap()
}

fn open_done(transaction_id: u32, status: Status) -> Vec<u8> {
    Message::OpenDone { transaction_id, status }.encode().unwrap()
}

/// OPEN_DONE (1), slot 0 mapped (2), ATR 3B9F96 (3).
fn opening() -> Vec<Vec<u8>> {
    vec![
        open_done(1, Status::SUCCESS),
        done(
            2,
            Uuid::MS_BASIC_CONNECT_EXTENSIONS,
            7,
            Status::SUCCESS,
            SlotMappings { slots: vec![0] }.encode().unwrap(),
        ),
        done(
            3,
            Uuid::MS_UICC_LOW_LEVEL_ACCESS,
            1,
            Status::SUCCESS,
            AtrInfo { atr: h("3B9F96") }.encode().unwrap(),
        ),
    ]
}

fn quick() -> MbimOptions {
    MbimOptions::default()
        .with_timeout(Duration::from_millis(200))
        .with_apdu_timeout(Duration::from_millis(200))
}

#[test]
fn open_sends_open_first_then_slot_and_atr_queries_and_close_when_dropped() {
    let mut script = opening();
    script.push(Message::CloseDone { transaction_id: 4, status: Status::SUCCESS }.encode().unwrap());
    let link = Scripted::new(script);
    let modem = MbimModem::open(link.clone(), quick()).unwrap();
    assert_eq!(modem.atr(), h("3B9F96"));
    let sent = link.sent();
    // damonto/wwan-go mbim/protocol_test.go TestRequestMarshalBinary "open": TID 1, 4096.
    assert_eq!(sent[0], h("01000000 10000000 01000000 00100000"));
    assert_eq!(
        sent[1],
        h(
            "03000000 30000000 02000000 01000000 00000000 3D01DCC5FEF54D050D3ABEF7058E9AAF 07000000 00000000 00000000"
        )
    );
    assert_eq!(
        sent[2],
        h(
            "03000000 30000000 03000000 01000000 00000000 C2F6588EF0374BC98665F4D44BD09367 01000000 00000000 00000000"
        )
    );
    drop(modem);
    assert_eq!(link.sent()[3], h("02000000 0C000000 04000000"), "CLOSE with the next transaction id");
}

#[test]
fn channels_open_exchange_and_close_through_the_modem() {
    let mut script = opening();
    let select =
        OpenChannelInfo { status: [0x90, 0x00], channel: 2, response: h("6F0A8408A000000559101000") };
    script.push(done(4, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 2, Status::SUCCESS, select.encode().unwrap()));
    // An unsolicited indication and a stale answer of an old transaction come first.
    script.push(
        Message::IndicateStatus(Indication {
            transaction_id: 0,
            service: Uuid::BASIC_CONNECT,
            cid: 2,
            information_buffer: vec![1, 0, 0, 0],
        })
        .encode()
        .unwrap(),
    );
    script.push(done(3, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 4, Status::SUCCESS, Vec::new()));
    let answer = ApduInfo { status: [0x90, 0x00], response: h("BF3E035A0189") };
    script.push(done(5, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 4, Status::SUCCESS, answer.encode().unwrap()));
    script.push(done(6, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 3, Status::SUCCESS, h("90000000")));
    script.push(Message::CloseDone { transaction_id: 7, status: Status::SUCCESS }.encode().unwrap());
    let link = Scripted::new(script);
    let mut modem = MbimModem::open(link.clone(), quick()).unwrap();
    let opened = modem.open_logical_channel(Some(&h("A0000005591010FFFFFFFF8900000100"))).unwrap();
    assert_eq!(
        opened,
        ChannelOpening::Opened { number: 2, select_response: Some(h("6F0A8408A0000005591010009000")) }
    );
    let sent = link.sent();
    // OPEN_CHANNEL: AppIdSize 16, AppIdOffset 16, SelectP2Arg 0, ChannelGroup 1, the AID.
    assert_eq!(sent[3][48..], h("10000000 10000000 00000000 01000000 A0000005591010FFFFFFFF8900000100"));
    let mut response = [0u8; 300];
    // STORE DATA on channel 2 (CLA 82): APDU on channel 2, type extended (b8 set), no SM.
    let len = modem.exchange(&h("82E2910006BF3E035C015A00"), &mut response).unwrap();
    assert_eq!(response[..len], h("BF3E035A01899000"));
    let sent = link.sent();
    assert_eq!(sent[4][36..40], h("04000000"), "CID 4");
    assert_eq!(sent[4][48..], h("02000000 00000000 01000000 0C000000 14000000 82E2910006BF3E035C015A00"));
    assert!(modem.close_logical_channel(2).unwrap());
    assert_eq!(link.sent()[5][48..], h("02000000 01000000"), "CLOSE_CHANNEL 2, group 1");
    assert!(!modem.close_logical_channel(2).unwrap(), "not ours any more");
    modem.close().unwrap();
    assert_eq!(link.sent().len(), 7);
}

#[test]
fn refusals_and_errors_are_named() {
    // OPEN_DONE with FAILURE: no session, no CLOSE.
    let link = Scripted::new(vec![open_done(1, Status::FAILURE)]);
    let err = MbimModem::open(link.clone(), quick()).unwrap_err();
    assert_eq!(
        ErrorChain(&err).to_string(),
        "transport error: opening the MBIM function: OPEN_DONE answered FAILURE (0x2)"
    );
    assert_eq!(link.sent().len(), 1);
    // FUNCTION_ERROR NOT_OPENED for the OPEN.
    let error = Message::FunctionError { transaction_id: 1, error: ProtocolError::NOT_OPENED };
    let err = MbimModem::open(Scripted::new(vec![error.encode().unwrap()]), quick()).unwrap_err();
    assert!(
        ErrorChain(&err).to_string().contains("FUNCTION_ERROR NOT_OPENED (5) for transaction 1"),
        "{err}"
    );
    // Nothing at all: a timeout.
    let err = MbimModem::open(Scripted::new(Vec::new()), quick()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // An APDU on a channel the modem does not know: MS_INVALID_LOGICAL_CHANNEL by name.
    let mut script = opening();
    script.push(done(4, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 4, Status::MS_INVALID_LOGICAL_CHANNEL, Vec::new()));
    let mut modem = MbimModem::open(Scripted::new(script), quick()).unwrap();
    let err = modem.exchange(&h("81E2910000"), &mut [0u8; 16]).unwrap_err();
    assert!(
        ErrorChain(&err)
            .to_string()
            .contains("MS UICC Low Level Access CID 4: MS_INVALID_LOGICAL_CHANNEL (0x87430003)"),
        "{err}"
    );
    // The basic channel is the modem's: refused before anything is sent.
    let link = Scripted::new(opening());
    let mut modem = MbimModem::open(link.clone(), quick()).unwrap();
    let err = modem.exchange(&h("80E2910000"), &mut [0u8; 16]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);
    // So are classes that name no channel (ISO/IEC 7816-4 §5.4.1): the GSM class `A0` of a READ
    // BINARY (3GPP TS 51.011 §9.2.3) and the reserved `21`.
    for command in ["A0B0000000", "21B0000000"] {
        let err = modem.exchange(&h(command), &mut [0u8; 16]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidCommand, "{command}");
        assert!(err.to_string().contains("names no logical channel"), "{command}: {err}");
    }
    assert_eq!(link.sent().len(), 3);
}

#[test]
fn select_failed_and_no_logical_channels_are_refusals_with_the_card_status() {
    let mut script = opening();
    let refused =
        |sw: [u8; 2]| OpenChannelInfo { status: sw, channel: 0, response: Vec::new() }.encode().unwrap();
    script.push(done(4, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 2, Status::MS_SELECT_FAILED, refused([0x6A, 0x82])));
    script.push(done(
        5,
        Uuid::MS_UICC_LOW_LEVEL_ACCESS,
        2,
        Status::MS_NO_LOGICAL_CHANNELS,
        refused([0x6A, 0x81]),
    ));
    script.push(done(6, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 2, Status::FAILURE, Vec::new()));
    let mut modem = MbimModem::open(Scripted::new(script), quick()).unwrap();
    let aid = h("A0000005591010FFFFFFFF8900000100");
    assert_eq!(modem.open_logical_channel(Some(&aid)).unwrap(), ChannelOpening::Refused { sw: [0x6A, 0x82] });
    assert_eq!(modem.open_logical_channel(Some(&aid)).unwrap(), ChannelOpening::Refused { sw: [0x6A, 0x81] });
    let err = modem.open_logical_channel(Some(&aid)).unwrap_err();
    assert!(ErrorChain(&err).to_string().contains("CID 2: FAILURE (0x2)"), "{err}");
}

#[test]
fn slot_mapping_no_device_support_is_fine_for_slot_0_only() {
    let unsupported =
        |tid| done(tid, Uuid::MS_BASIC_CONNECT_EXTENSIONS, 7, Status::NO_DEVICE_SUPPORT, Vec::new());
    let atr = done(3, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 1, Status::NO_DEVICE_SUPPORT, Vec::new());
    let link = Scripted::new(vec![open_done(1, Status::SUCCESS), unsupported(2), atr]);
    let modem = MbimModem::open(link, quick()).unwrap();
    assert!(modem.atr().is_empty(), "no ATR from this modem");
    let link = Scripted::new(vec![open_done(1, Status::SUCCESS), unsupported(2)]);
    let err = MbimModem::open(link.clone(), quick().with_slot(Some(1))).unwrap_err();
    assert!(
        ErrorChain(&err).to_string().contains("MS Basic Connect Extensions CID 7: NO_DEVICE_SUPPORT (0x9)"),
        "{err}"
    );
    assert_eq!(link.sent()[2], h("02000000 0C000000 03000000"), "CLOSE after the failed open");
}

#[test]
fn store_data_le_switch_appends_le_to_case_3_store_data_only() {
    let ok =
        |tid| done(tid, Uuid::MS_UICC_LOW_LEVEL_ACCESS, 4, Status::SUCCESS, h("90000000 00000000 00000000"));
    let mut script = opening();
    script.extend([ok(4), ok(5), ok(6)]);
    let link = Scripted::new(script);
    let mut modem = MbimModem::open(link.clone(), quick().with_store_data_le(true)).unwrap();
    let mut response = [0u8; 8];
    // lpac issue #114's GetEID STORE DATA, sent without Le: Le 00 appended.
    modem.exchange(&h("81E2910006BF3E035C015A"), &mut response).unwrap();
    modem.exchange(&h("81E2910006BF3E035C015A00"), &mut response).unwrap();
    modem.exchange(&h("81CA00005A"), &mut response).unwrap();
    let sent = link.sent();
    assert_eq!(sent[3][68..], h("81E2910006BF3E035C015A00"));
    assert_eq!(sent[4][68..], h("81E2910006BF3E035C015A00"), "Le already there");
    assert_eq!(sent[5][68..], h("81CA00005A000000"), "not STORE DATA");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_device_bytes_while_opening_are_an_error_or_a_session_never_a_panic(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..12),
    ) {
        let _ = MbimModem::open(Scripted::new(chunks), quick());
    }

    #[test]
    fn any_device_bytes_after_opening_are_an_error_or_an_answer_never_a_panic(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..120), 0..12),
        headed in proptest::collection::vec((any::<u32>(), proptest::collection::vec(any::<u8>(), 0..64)), 0..6),
    ) {
        let mut script = opening();
        // Well-framed messages of any type with any content, then raw bytes.
        for (message_type, body) in headed {
            let mut message = message_type.to_le_bytes().to_vec();
            message.extend_from_slice(&(12 + body.len() as u32).to_le_bytes());
            message.extend_from_slice(&4u32.to_le_bytes());
            message.extend_from_slice(&body);
            script.push(message);
        }
        script.extend(chunks);
        let mut modem = MbimModem::open(Scripted::new(script), quick()).unwrap();
        let _ = modem.open_logical_channel(Some(&[0xA0, 0x00, 0x00, 0x05, 0x59]));
        let _ = modem.exchange(&[0x81, 0xE2, 0x91, 0x00, 0x00], &mut [0u8; 300]);
        let _ = modem.close_logical_channel(1);
    }
}
