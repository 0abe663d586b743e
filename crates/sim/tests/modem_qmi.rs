//! The simulated QMI modem against the QMI transport of oxicard-transport over a socket pair,
//! with the software eUICC behind it, driven by the LPA of oxicard-euicc (`Isdr` on a `Card`):
//! EID, EUICCInfo1 and the profile list through UIM Open Logical Channel and Send APDU, with
//! each quirk of real modems switched on; after the transport is dropped the modem has no
//! client ID allocated and no channel open.
//!
//! Byte-exact: the CTL exchanges of libqmi `src/libqmi-glib/test/test-fixture.c` (whose canned
//! responses carry QMUX flags `00`, the `host_flags_in_responses` quirk) and the Slot Status
//! indication of wwan-go `qcom/qmi/transport_test.go`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::Duration;

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::{ProfileInfo, ProfileState};
use oxicard_euicc::iccid::{Eid, Iccid};
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::{EuiccConfig, GSMA_TEST_CI_PKID, SoftEuicc};
use oxicard_sim::modem::qmi::{QmiQuirks, SimulatedQmiModem};
use oxicard_transport::modem::qmi::uim;
use oxicard_transport::modem::qmi::{QmiMessage, QmiModem, QmiOptions, QmiProtocolError, QmuxReader};
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ChannelOpening, Transport};

mod modem_support;
use modem_support::serve_on_socket_pair;

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace([' ', '|', '\n'], "")).unwrap()
}

const ISD_R: &str = "A0000005591010FFFFFFFF8900000100";
const ICCID_A: &str = "8944478600004573128";
const ICCID_B: &str = "8944478600004573136";
/// The software eUICC's default EID.
const EID: &str = "89882119900000000000000000000005";

/// A software eUICC with profiles A (enabled) and B (disabled).
fn two_profiles() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    for (digits, state) in [(ICCID_A, ProfileState::Enabled), (ICCID_B, ProfileState::Disabled)] {
        let mut profile = ProfileInfo::new(digits.parse::<Iccid>().unwrap());
        profile.state = Some(state);
        euicc.install_profile_for_tests(profile).unwrap();
    }
    euicc
}

fn card(euicc: SoftEuicc) -> Box<dyn Transport> {
    Box::new(SimulatorTransport::new(euicc))
}

/// The modem serving one end of a socket pair on a thread; the other end, and the modem back
/// once the host hung up.
fn spawn(modem: SimulatedQmiModem) -> (UnixStream, JoinHandle<SimulatedQmiModem>) {
    serve_on_socket_pair(modem, SimulatedQmiModem::serve)
}

fn options() -> QmiOptions {
    QmiOptions::default().with_timeout(Duration::from_secs(5)).with_apdu_timeout(Duration::from_secs(5))
}

/// What the LPA read through the modem.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    eid: String,
    profiles: Vec<(String, ProfileState)>,
    /// The channel the ISD-R was on.
    channel: u8,
}

/// Opens the ISD-R through the QMI transport on `link`, reads the EID, EUICCInfo1 and the
/// profile list, closes everything.
fn lpa(link: UnixStream, options: &QmiOptions) -> Seen {
    let qmi = QmiModem::open(link, options.clone()).unwrap();
    let mut card = Card::new(qmi);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let channel = isdr.channel();
    assert!(isdr.is_logical_channel());
    let eid = isdr.eid().unwrap().digits();
    let info1 = isdr.euicc_info1().unwrap();
    assert_eq!(info1.response.ci_pkids_for_verification, [GSMA_TEST_CI_PKID.to_vec()]);
    let profiles = isdr
        .profiles()
        .unwrap()
        .into_iter()
        .map(|profile| (profile.iccid.unwrap().digits(), profile.state.unwrap()))
        .collect();
    isdr.close().unwrap();
    Seen { eid, profiles, channel }
}

/// The profiles of [`two_profiles`] as the LPA lists them.
fn listed() -> Vec<(String, ProfileState)> {
    vec![(ICCID_A.into(), ProfileState::Enabled), (ICCID_B.into(), ProfileState::Disabled)]
}

/// Asserts the modem is back to rest: no client ID, no channel, and channel 1 free on every
/// card (MANAGE CHANNEL open answers `01 90 00`).
fn assert_released(modem: SimulatedQmiModem) {
    assert_eq!(modem.allocated_client_ids(), 0);
    assert_eq!(modem.open_channels(), Vec::<u8>::new());
    for mut card in modem.into_cards() {
        let mut response = [0u8; 3];
        assert_eq!(card.transmit(&h("00 70 00 00 01"), &mut response).unwrap(), 3);
        assert_eq!(response, [0x01, 0x90, 0x00]);
    }
}

/// The LPA over a modem with `quirks`, checked and released.
fn lpa_with(quirks: QmiQuirks) -> Seen {
    let (link, modem) = spawn(SimulatedQmiModem::new(card(two_profiles())).with_quirks(quirks));
    let seen = lpa(link, &options());
    assert_released(modem.join().unwrap());
    seen
}

#[test]
fn a_well_behaved_modem() {
    let seen = lpa_with(QmiQuirks::default());
    assert_eq!(seen, Seen { eid: EID.into(), profiles: listed(), channel: 1 });
}

#[test]
fn qmux_flags_00_in_responses() {
    assert_eq!(lpa_with(QmiQuirks::default().with_host_flags_in_responses()).profiles, listed());
}

#[test]
fn access_denied_on_open_logical_channel_falls_back_to_manage_channel() {
    // SIM7600G-H / LE910C4 (lpac issue #221): the card layer opens the channel with MANAGE
    // CHANNEL through Send APDU and selects the ISD-R itself.
    let seen = lpa_with(QmiQuirks::default().with_open_channel_access_denied());
    assert_eq!(seen, Seen { eid: EID.into(), profiles: listed(), channel: 1 });
}

#[test]
fn responses_split_across_reads() {
    assert_eq!(lpa_with(QmiQuirks::default().with_split_responses()).profiles, listed());
}

#[test]
fn several_frames_per_read_an_indication_and_a_stale_response_first() {
    let quirks = QmiQuirks::default()
        .with_batch_responses()
        .with_indication_before_response()
        .with_stale_response_before();
    assert_eq!(lpa_with(quirks).profiles, listed());
}

#[test]
fn an_indication_before_each_response_split_in_pieces() {
    let quirks = QmiQuirks::default().with_indication_before_response().with_split_responses();
    assert_eq!(lpa_with(quirks).eid, EID);
}

#[test]
fn every_quirk_at_once() {
    let quirks = QmiQuirks::default()
        .with_host_flags_in_responses()
        .with_open_channel_access_denied()
        .with_slot_status_not_supported()
        .with_split_responses()
        .with_batch_responses()
        .with_indication_before_response()
        .with_stale_response_before();
    let (link, modem) = spawn(SimulatedQmiModem::new(card(two_profiles())).with_quirks(quirks));
    let seen = lpa(link, &options().with_slot(1));
    assert_eq!(seen, Seen { eid: EID.into(), profiles: listed(), channel: 1 });
    assert_released(modem.join().unwrap());
}

/// An eUICC with another EID, no profiles.
fn other_euicc() -> (SoftEuicc, String) {
    let eid = Eid::with_check_digits("89049032000000000000000000000000").unwrap();
    let digits = eid.digits();
    (SoftEuicc::in_memory(EuiccConfig { eid, ..EuiccConfig::default() }), digits)
}

#[test]
fn slot_two_is_switched_to_and_then_addressed_as_slot_one() {
    let (other, other_eid) = other_euicc();
    let modem = SimulatedQmiModem::with_slots(vec![card(two_profiles()), card(other)]);
    let (link, modem) = spawn(modem);
    let seen = lpa(link, &options().with_slot(2).with_card_ready_polling(5, Duration::from_millis(1)));
    assert_eq!(seen, Seen { eid: other_eid, profiles: Vec::new(), channel: 1 });
    let modem = modem.join().unwrap();
    assert_eq!(modem.active_slot(), 2);
    assert_released(modem);

    // Slot 1 again: switched back.
    let (other, _) = other_euicc();
    let (link, modem) = spawn(SimulatedQmiModem::with_slots(vec![card(two_profiles()), card(other)]));
    assert_eq!(lpa(link, &options().with_slot(1)).eid, EID);
    assert_eq!(modem.join().unwrap().active_slot(), 1);
}

#[test]
fn without_slot_status_the_slot_number_is_the_physical_slot() {
    // lpac driver/apdu/qmi.c select_sim_slot: NotSupported (94) on Get Slot Status skips the
    // switch; the slot TLV then names the slot.
    let (other, other_eid) = other_euicc();
    let modem = SimulatedQmiModem::with_slots(vec![card(two_profiles()), card(other)])
        .with_quirks(QmiQuirks::default().with_slot_status_not_supported());
    let (link, modem) = spawn(modem);
    let qmi = QmiModem::open(link, options().with_slot(2)).unwrap();
    assert_eq!(qmi.slot(), 2);
    let mut card = Card::new(qmi);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.eid().unwrap().digits(), other_eid);
    drop(isdr);
    drop(card);
    let modem = modem.join().unwrap();
    assert_eq!(modem.active_slot(), 1, "nothing was switched");
    assert_released(modem);
}

#[test]
fn dropping_the_transport_closes_its_channels_and_releases_its_client_id() {
    let (link, modem) = spawn(SimulatedQmiModem::new(card(SoftEuicc::new())));
    let mut qmi = QmiModem::open(link, options()).unwrap();
    let opening = qmi.open_logical_channel(Some(&h(ISD_R))).unwrap();
    let ChannelOpening::Opened { number: 1, select_response: Some(fci) } = opening else {
        panic!("{opening:?}")
    };
    // The ISD-R's FCI (`6F … 84 AID …`) and 9000.
    assert_eq!(&fci[..4], [0x6F, 0x1F, 0x84, 0x10]);
    assert_eq!(&fci[fci.len() - 2..], [0x90, 0x00]);
    let opening = qmi.open_logical_channel(Some(&h(ISD_R))).unwrap();
    assert!(matches!(opening, ChannelOpening::Opened { number: 2, .. }), "{opening:?}");
    // An AID the card does not have: the card's SW, the channel closed again.
    let absent = qmi.open_logical_channel(Some(&h("A0000005591010FFFFFFFF8900000200"))).unwrap();
    assert_eq!(absent, ChannelOpening::Refused { sw: [0x6A, 0x82] });
    assert_eq!(qmi.open_channels(), [1, 2]);
    drop(qmi);
    assert_released(modem.join().unwrap());
}

#[test]
fn reset_power_cycles_the_card() {
    let (link, modem) = spawn(SimulatedQmiModem::new(card(SoftEuicc::new())));
    let mut qmi = QmiModem::open(link, options()).unwrap();
    assert!(matches!(
        qmi.open_logical_channel(Some(&h(ISD_R))).unwrap(),
        ChannelOpening::Opened { number: 1, .. }
    ));
    qmi.reset(oxicard_transport::ResetKind::Warm).unwrap();
    assert_eq!(qmi.open_channels(), Vec::<u8>::new());
    drop(qmi);
    assert_released(modem.join().unwrap());
}

// --- Byte-exact -----------------------------------------------------------------------------

#[test]
fn ctl_client_ids_as_libqmi_test_fixture() {
    let mut modem = SimulatedQmiModem::new(card(SoftEuicc::new()))
        .with_quirks(QmiQuirks::default().with_host_flags_in_responses());
    // libqmi test-fixture.c: Allocate CID for service FF (its placeholder), transaction FF,
    // answered with CID 01 and QMUX flags 00, exactly the fixture's canned response.
    let allocate = h("01 0F 00 00 00 00 | 00 FF 22 00 04 00 | 01 01 00 FF");
    assert_eq!(
        modem.handle(&allocate),
        [h("01 17 00 00 00 00 | 01 FF 22 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 FF 01")]
    );
    assert_eq!(modem.allocated_client_ids(), 1);
    // The next client ID of the same service is 02, of another service 01 again.
    let second = modem.handle(&allocate);
    assert_eq!(QmiMessage::decode(&second[0]).unwrap().tlv(0x01), Some(&[0xFF, 0x02][..]));
    let uim = modem.handle(&h("01 0F 00 00 00 00 | 00 01 22 00 04 00 | 01 01 00 0B"));
    assert_eq!(QmiMessage::decode(&uim[0]).unwrap().tlv(0x01), Some(&[0x0B, 0x01][..]));
    // test-fixture.c teardown: Release CID {FF, 01} and its canned response.
    assert_eq!(
        modem.handle(&h("01 10 00 00 00 00 | 00 FF 23 00 05 00 | 01 02 00 FF 01")),
        [h("01 17 00 00 00 00 | 01 FF 23 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 FF 01")]
    );
    assert_eq!(modem.allocated_client_ids(), 2);
    // Releasing it again: InvalidClientId (7), with QMUX flags 80 without the quirk.
    let mut modem = modem.with_quirks(QmiQuirks::default());
    assert_eq!(
        modem.handle(&h("01 10 00 00 00 00 | 00 FF 23 00 05 00 | 01 02 00 FF 01")),
        [h("01 12 00 80 00 00 | 01 FF 23 00 07 00 | 02 04 00 01 00 07 00")]
    );
}

#[test]
fn uim_requests_refused_by_name() {
    let mut modem = SimulatedQmiModem::new(card(SoftEuicc::new()))
        .with_quirks(QmiQuirks::default().with_indication_before_response());
    let error = |frames: Vec<Vec<u8>>| {
        let message = QmiMessage::decode(frames.last().unwrap()).unwrap();
        message.result("request").err().map(|err| err.to_string())
    };
    // A UIM request from a client ID never allocated.
    let send = uim::send_apdu(5, 1, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    assert_eq!(error(modem.handle(&send)).unwrap(), "request failed: QMI protocol error InvalidClientId (7)");
    modem.handle(&h("01 0F 00 00 00 00 | 00 01 22 00 04 00 | 01 01 00 0B"));
    // With client 01: wwan-go's Slot Status indication (qcom/qmi/transport_test.go, client 07
    // there) precedes the response.
    let send = uim::send_apdu(1, 1, 1, &h("80 F2 00 00"), Some(3)).unwrap().encode().unwrap();
    let frames = modem.handle(&send);
    assert_eq!(frames[0], h("01 0C 00 80 0B 01 | 04 00 00 48 00 00 00"));
    assert_eq!(error(frames).unwrap(), "request failed: QMI protocol error InvalidArgument (48)");
    let unknown = QmiMessage::request(0x0B, 1, 2, 0x0020).encode().unwrap();
    assert_eq!(
        error(modem.handle(&unknown)).unwrap(),
        "request failed: QMI protocol error InvalidQmiCommand (71)"
    );
    let no_apdu = QmiMessage::request(0x0B, 1, 3, uim::SEND_APDU).with_tlv(0x01, [1]).encode().unwrap();
    assert_eq!(
        error(modem.handle(&no_apdu)).unwrap(),
        "request failed: QMI protocol error MissingArgument (17)"
    );
    let slot_two = uim::send_apdu(1, 4, 2, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    assert_eq!(
        error(modem.handle(&slot_two)).unwrap(),
        "request failed: QMI protocol error InvalidArgument (48)"
    );
    let ok = uim::send_apdu(1, 5, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    assert_eq!(error(modem.handle(&ok)), None);
    // Not a request, or not a frame: no answer.
    let response = QmiMessage::response_to(&QmiMessage::decode(&ok).unwrap(), QmiProtocolError::NONE);
    assert_eq!(modem.handle(&response.encode().unwrap()), Vec::<Vec<u8>>::new());
    assert_eq!(modem.handle(&h("01 05 00 00 0B")), Vec::<Vec<u8>>::new());

    // Without a card: NoSim, which the transport reports as no card.
    let mut empty = SimulatedQmiModem::with_slots(Vec::new());
    empty.handle(&h("01 0F 00 00 00 00 | 00 01 22 00 04 00 | 01 01 00 0B"));
    let send = uim::send_apdu(1, 1, 1, &h("80 F2 00 00"), None).unwrap().encode().unwrap();
    assert_eq!(error(empty.handle(&send)).unwrap(), "request failed: QMI protocol error NoSim (102)");
}

#[test]
fn garbage_on_the_stream_is_dropped_and_serving_goes_on() {
    let (mut host, modem) = spawn(SimulatedQmiModem::new(card(SoftEuicc::new())));
    // A bad marker, then a valid Allocate CID request.
    host.write_all(&h("FF 00 13 37")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    host.write_all(&h("01 0F 00 00 00 00 | 00 01 22 00 04 00 | 01 01 00 0B")).unwrap();
    let mut reader = QmuxReader::new();
    let mut buf = [0u8; 64];
    host.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let frame = loop {
        if let Some(frame) = reader.next_frame().unwrap() {
            break frame;
        }
        let n = host.read(&mut buf).unwrap();
        reader.push(&buf[..n]);
    };
    assert_eq!(frame, h("01 17 00 80 00 00 | 01 01 22 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 0B 01"));
    drop(host);
    assert_eq!(modem.join().unwrap().allocated_client_ids(), 1, "never released by this host");
}

/// A stream that reads `input` then ends, and records each write.
struct Recorder {
    input: std::io::Cursor<Vec<u8>>,
    writes: Vec<Vec<u8>>,
}

impl Read for Recorder {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes.push(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The writes of a modem with `quirks` answering `requests` (one stream).
fn writes(quirks: QmiQuirks, requests: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut modem = SimulatedQmiModem::new(card(SoftEuicc::new())).with_quirks(quirks);
    let mut stream = Recorder { input: std::io::Cursor::new(requests.concat()), writes: Vec::new() };
    modem.serve(&mut stream).unwrap();
    stream.writes
}

#[test]
fn how_the_answers_are_written() {
    let allocate = h("01 0F 00 00 00 00 | 00 01 22 00 04 00 | 01 01 00 0B");
    let response = h("01 17 00 80 00 00 | 01 01 22 00 0C 00 | 02 04 00 00 00 00 00 | 01 02 00 0B 01");
    assert_eq!(writes(QmiQuirks::default(), &[&allocate]), std::slice::from_ref(&response));
    // Split: one byte, two (the QMUX length straddles two reads), then the rest in two halves.
    let split = writes(QmiQuirks::default().with_split_responses(), &[&allocate]);
    assert_eq!(split.iter().map(Vec::len).collect::<Vec<_>>(), [1, 2, 10, 11]);
    assert_eq!(split.concat(), response);
    // An indication, a stale response (the transaction before, Internal) and the response:
    // separate writes, or one per request with the batch quirk. CTL answers get no indication.
    let get_card_status = uim::get_card_status(1, 1).encode().unwrap();
    let quirks = QmiQuirks::default().with_indication_before_response().with_stale_response_before();
    let separate = writes(quirks.clone(), &[&allocate, &get_card_status]);
    assert_eq!(separate.len(), 5);
    assert_eq!(separate[0], h("01 12 00 80 00 00 | 01 00 22 00 07 00 | 02 04 00 01 00 03 00"));
    assert_eq!(separate[1], response);
    assert_eq!(separate[2], h("01 0C 00 80 0B 01 | 04 00 00 48 00 00 00"));
    assert_eq!(separate[3], h("01 13 00 80 0B 01 | 02 00 00 2F 00 07 00 | 02 04 00 01 00 03 00"));
    let batched = writes(quirks.with_batch_responses(), &[&allocate, &get_card_status]);
    assert_eq!(batched.len(), 2);
    assert_eq!(batched[0], separate[..2].concat());
    assert_eq!(batched[1], separate[2..].concat());
}
