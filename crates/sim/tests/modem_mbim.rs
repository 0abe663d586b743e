//! The simulated MBIM modem and the MBIM transport against each other over a socket pair,
//! with the software eUICC behind the modem and the LPA of `oxicard-euicc` in front of the
//! transport: EID and profile list with every quirk of the modem switched on, the modem's own
//! rules (OPEN first, transaction ids, fragments, class byte rewrite, GET RESPONSE), and a
//! clean end (the modem saw CLOSE, no channel left open).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::{ProfileInfo, ProfileState};
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::modem::mbim::{MbimQuirks, SimulatedMbimModem};
use oxicard_transport::modem::mbim::uicc::{
    ApduInfo, ApduRequest, CID_APDU, CID_CLOSE_CHANNEL, CID_OPEN_CHANNEL, ClassByteType, OpenChannelInfo,
    OpenChannelRequest, SecureMessaging,
};
use oxicard_transport::modem::mbim::{
    ClassBytePolicy, Command, CommandType, MbimModem, MbimOptions, Message, ProtocolError, Status, Uuid,
};
use oxicard_transport::{ChannelOpening, ErrorChain, ErrorKind, ResetKind, Transport, TransportError};
use proptest::prelude::*;

mod modem_support;
use modem_support::{SharedCard, serve_on_socket_pair};

const ISD_R: &str = "A0000005591010FFFFFFFF8900000100";
const EID: &str = "89882119900000000000000000000005";
const ICCID_A: &str = "8944478600004573128";
const ICCID_B: &str = "8944478600004573136";

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace(' ', "")).unwrap()
}

fn two_profiles() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    let mut a = ProfileInfo::new(ICCID_A.parse().unwrap());
    a.state = Some(ProfileState::Enabled);
    a.profile_name = Some("A".into());
    euicc.install_profile_for_tests(a).unwrap();
    let mut b = ProfileInfo::new(ICCID_B.parse().unwrap());
    b.profile_name = Some("B".into());
    euicc.install_profile_for_tests(b).unwrap();
    euicc
}

/// A modem with `quirks` in front of the software eUICC, served on one end of a socket pair
/// in a thread; the other end for the host.
fn start(quirks: MbimQuirks) -> (UnixStream, JoinHandle<SimulatedMbimModem>, SharedCard) {
    let card = SharedCard::new(two_profiles());
    let device = SimulatedMbimModem::new(Box::new(card.clone())).with_quirks(quirks);
    let (host, server) = serve_on_socket_pair(device, SimulatedMbimModem::serve);
    (host, server, card)
}

fn config() -> MbimOptions {
    MbimOptions::default().with_timeout(Duration::from_secs(5)).with_apdu_timeout(Duration::from_secs(5))
}

/// EID and profile list through the LPA on the modem transport; then the transport is dropped.
fn eid_and_profiles(host: UnixStream, config: MbimOptions) -> Result<(String, Vec<String>), Es10Error> {
    let modem = MbimModem::open(host, config).map_err(oxicard_apdu::card::CardError::from)?;
    let mut card = Card::new(modem);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default())?;
    assert_eq!(isdr.channel(), 1);
    let eid = isdr.eid()?.digits();
    let profiles = isdr.profiles()?.into_iter().map(|p| p.iccid.unwrap().digits()).collect();
    Ok((eid, profiles))
}

/// The modem saw CLOSE and nothing is left open, on the modem or on the card.
fn assert_clean_end(server: JoinHandle<SimulatedMbimModem>, card: &SharedCard) -> SimulatedMbimModem {
    let device = server.join().unwrap();
    assert_eq!(device.closes_seen(), 1);
    assert!(!device.is_open());
    assert!(device.open_channels().is_empty());
    assert_eq!(card.open_channels(), [0]);
    device
}

fn uicc_cids(device: &SimulatedMbimModem) -> Vec<u32> {
    device
        .commands_seen()
        .iter()
        .filter(|(service, _)| *service == Uuid::MS_UICC_LOW_LEVEL_ACCESS)
        .map(|(_, cid)| *cid)
        .collect()
}

#[test]
fn lpa_reads_eid_and_profiles_through_a_well_behaved_modem() {
    let (host, server, card) = start(MbimQuirks::default());
    let (eid, profiles) = eid_and_profiles(host, config()).unwrap();
    assert_eq!(eid, EID);
    assert_eq!(profiles, [ICCID_A, ICCID_B]);
    let device = assert_clean_end(server, &card);
    assert_eq!(device.opens_seen(), 1);
    // ATR, OPEN_CHANNEL, the ES10 STORE DATA (one block each), CLOSE_CHANNEL of our channel.
    assert_eq!(uicc_cids(&device), [1, CID_OPEN_CHANNEL, CID_APDU, CID_APDU, CID_CLOSE_CHANNEL]);
    assert_eq!(
        device.commands_seen()[0],
        (Uuid::MS_BASIC_CONNECT_EXTENSIONS, 7),
        "slot mapping queried first"
    );
}

#[test]
fn small_max_control_transfer_fragments_both_ways() {
    let (host, server, card) = start(MbimQuirks::default().with_max_control_transfer(64));
    let (eid, profiles) = eid_and_profiles(host, config().with_max_control_transfer(64)).unwrap();
    assert_eq!((eid.as_str(), profiles.len()), (EID, 2));
    assert_clean_end(server, &card);
    // A host that announced more than the modem takes (a device node does not tell its
    // wMaxControlMessage): FUNCTION_ERROR MAX_TRANSFER, and the host sends again in smaller
    // fragments, down to 64 bytes.
    let (host, server, card) = start(MbimQuirks::default().with_max_control_transfer(64));
    let (eid, profiles) = eid_and_profiles(host, config()).unwrap();
    assert_eq!((eid.as_str(), profiles.len()), (EID, 2));
    assert_clean_end(server, &card);
}

#[test]
fn channel_lost_on_first_apdu_is_opened_again_or_reported() {
    // lpac issue #114 (Fibocom L860-GL): the first APDU answered MS_INVALID_LOGICAL_CHANNEL.
    let (host, server, card) = start(MbimQuirks::default().with_invalid_channel_on_first_apdu());
    let (eid, profiles) = eid_and_profiles(host, config()).unwrap();
    assert_eq!((eid.as_str(), profiles.len()), (EID, 2));
    let device = assert_clean_end(server, &card);
    assert_eq!(
        uicc_cids(&device),
        [1, CID_OPEN_CHANNEL, CID_APDU, CID_OPEN_CHANNEL, CID_APDU, CID_APDU, CID_CLOSE_CHANNEL]
    );
    let (host, server, card) = start(MbimQuirks::default().with_invalid_channel_on_first_apdu());
    let err = eid_and_profiles(host, config().with_recover_lost_channel(false)).unwrap_err();
    assert!(
        ErrorChain(&err).to_string().contains("MS_INVALID_LOGICAL_CHANNEL (0x87430003)"),
        "{}",
        ErrorChain(&err).to_string()
    );
    assert_clean_end(server, &card);
}

#[test]
fn open_channel_failure_is_reported_by_name() {
    // lpac issue #300 (Quectel EM05-G): OPEN_CHANNEL answered FAILURE.
    let (host, server, card) = start(MbimQuirks::default().with_open_channel_failure());
    let err = eid_and_profiles(host, config()).unwrap_err();
    assert!(
        ErrorChain(&err).to_string().contains("MS UICC Low Level Access CID 2: FAILURE (0x2)"),
        "{}",
        ErrorChain(&err).to_string()
    );
    assert_clean_end(server, &card);
}

#[test]
fn single_slot_modem_without_slot_mapping_works_for_slot_0() {
    let (host, server, card) = start(MbimQuirks::default().with_slot_mapping_unsupported());
    let (eid, profiles) = eid_and_profiles(host, config()).unwrap();
    assert_eq!((eid.as_str(), profiles.len()), (EID, 2));
    let device = assert_clean_end(server, &card);
    assert!(
        !device.commands_seen().contains(&(Uuid::BASIC_CONNECT, 2)),
        "no readiness poll without a switch"
    );
    // Another slot cannot be had from such a modem.
    let (host, server, card) = start(MbimQuirks::default().with_slot_mapping_unsupported());
    let err = MbimModem::open(host, config().with_slot(Some(1))).unwrap_err();
    assert!(
        ErrorChain(&err).to_string().contains("NO_DEVICE_SUPPORT (0x9)"),
        "{}",
        ErrorChain(&err).to_string()
    );
    assert_clean_end(server, &card);
}

#[test]
fn slot_switch_waits_until_the_sim_is_ready() {
    let (host, server, card) = start(MbimQuirks::default().with_slots(2, 1));
    let (eid, _) = eid_and_profiles(host, config()).unwrap();
    assert_eq!(eid, EID);
    let device = assert_clean_end(server, &card);
    assert_eq!(device.mapped_slot(), 0);
    let bcx = Uuid::MS_BASIC_CONNECT_EXTENSIONS;
    assert_eq!(
        device.commands_seen()[..4],
        [(bcx, 7), (bcx, 7), (Uuid::BASIC_CONNECT, 2), (Uuid::BASIC_CONNECT, 2)],
        "query, set, not ready once, ready"
    );
}

#[test]
fn store_data_without_le_answered_empty_and_the_le_switch() {
    // lpac issue #118: the modem answers 9000 with no data to a STORE DATA without Le. The LPA of
    // this crate sends Le on the last block, so it is not affected.
    let (host, server, card) = start(MbimQuirks::default().with_store_data_without_le_empty());
    assert_eq!(eid_and_profiles(host, config()).unwrap().0, EID);
    assert_clean_end(server, &card);
    // GetEID as lpac sends it (lpac issue #114 log: `81e2910006bf3e035c015a`, no Le).
    let get_eid = h("81E2910006BF3E035C015A");
    let expected = h(&format!("BF3E125A10{EID}9000"));
    for (switch, answer) in [(false, h("9000")), (true, expected)] {
        let (host, server, card) = start(MbimQuirks::default().with_store_data_without_le_empty());
        let mut modem = MbimModem::open(host, config().with_store_data_le(switch)).unwrap();
        let opened = modem.open_logical_channel(Some(&h(ISD_R))).unwrap();
        assert!(matches!(opened, ChannelOpening::Opened { number: 1, .. }), "{opened:?}");
        let mut response = [0u8; 300];
        let len = modem.exchange(&get_eid, &mut response).unwrap();
        assert_eq!(response[..len], answer, "store_data_le {switch}");
        drop(modem);
        assert_clean_end(server, &card);
    }
}

#[test]
fn indications_between_the_answers_are_skipped() {
    let (host, server, card) = start(MbimQuirks::default().with_indications().with_max_control_transfer(64));
    let (eid, profiles) = eid_and_profiles(host, config().with_max_control_transfer(64)).unwrap();
    assert_eq!((eid.as_str(), profiles.len()), (EID, 2));
    assert_clean_end(server, &card);
}

#[test]
fn select_of_an_unknown_aid_is_a_refusal_with_6a82_and_leaves_no_channel() {
    let (host, server, card) = start(MbimQuirks::default());
    let mut modem = MbimModem::open(host, config()).unwrap();
    let opened = modem.open_logical_channel(Some(&h("A000000559101001"))).unwrap();
    assert_eq!(opened, ChannelOpening::Refused { sw: [0x6A, 0x82] });
    assert_eq!(card.open_channels(), [0], "the modem closed it again");
    assert!(modem.channel_numbers().is_empty());
    drop(modem);
    assert_clean_end(server, &card);
}

// ---------------------------------------------------------------------------------------------
// The modem's rules, message by message
// ---------------------------------------------------------------------------------------------

/// A card that records what the modem sends and answers: MANAGE CHANNEL open with channel
/// `channel`, SELECT with `61 05` then five bytes on GET RESPONSE, anything else `9000`.
struct Recorder {
    channel: u8,
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Transport for Recorder {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.seen.lock().unwrap().push(command.to_vec());
        let answer: Vec<u8> = match command.get(1..4) {
            Some([0x70, 0x00, 0x00]) => vec![self.channel, 0x90, 0x00],
            Some([0xA4, ..]) | Some([0xE2, ..]) => vec![0x61, 0x05],
            Some([0xC0, ..]) => h("01020304059000"),
            _ => vec![0x90, 0x00],
        };
        response[..answer.len()].copy_from_slice(&answer);
        Ok(answer.len())
    }
    fn atr(&self) -> &[u8] {
        &[0x3B, 0x00]
    }
    fn reset(&mut self, _kind: ResetKind) -> Result<(), TransportError> {
        Ok(())
    }
}

fn recording_device(channel: u8) -> (SimulatedMbimModem, Arc<Mutex<Vec<Vec<u8>>>>) {
    let seen = Arc::default();
    (SimulatedMbimModem::new(Box::new(Recorder { channel, seen: Arc::clone(&seen) })), seen)
}

fn command(transaction_id: u32, cid: u32, information_buffer: Vec<u8>) -> Vec<u8> {
    Message::Command(Command {
        transaction_id,
        service: Uuid::MS_UICC_LOW_LEVEL_ACCESS,
        cid,
        command_type: CommandType::Set,
        information_buffer,
    })
    .encode()
    .unwrap()
}

fn one(replies: Vec<Vec<u8>>) -> Message {
    assert_eq!(replies.len(), 1, "one unfragmented reply");
    Message::decode(&replies[0]).unwrap()
}

fn apdu(
    channel: u32,
    class_byte_type: ClassByteType,
    secure_messaging: SecureMessaging,
    command: &str,
) -> Vec<u8> {
    ApduRequest { channel, secure_messaging, class_byte_type, command: h(command) }.encode().unwrap()
}

#[test]
fn open_comes_first_and_every_answer_echoes_its_transaction_id() {
    let (mut device, _) = recording_device(1);
    let open_channel =
        OpenChannelRequest { app_id: h(ISD_R), select_p2: 0, channel_group: 1 }.encode().unwrap();
    assert_eq!(
        one(device.handle_fragment(&command(77, CID_OPEN_CHANNEL, open_channel.clone()))),
        Message::FunctionError { transaction_id: 77, error: ProtocolError::NOT_OPENED }
    );
    let open = Message::Open { transaction_id: 78, max_control_transfer: 4096 }.encode().unwrap();
    assert_eq!(
        one(device.handle_fragment(&open)),
        Message::OpenDone { transaction_id: 78, status: Status::SUCCESS }
    );
    let Message::CommandDone(done) =
        one(device.handle_fragment(&command(0x1234_5678, CID_OPEN_CHANNEL, open_channel)))
    else {
        panic!("not a COMMAND_DONE")
    };
    assert_eq!(
        (done.transaction_id, done.cid, done.status),
        (0x1234_5678, CID_OPEN_CHANNEL, Status::SUCCESS)
    );
    // The SELECT's 61 05 was followed by the modem: the host gets the data and 9000.
    let info = OpenChannelInfo::decode(&done.information_buffer).unwrap();
    assert_eq!(info, OpenChannelInfo { status: [0x90, 0x00], channel: 1, response: h("0102030405") });
}

#[test]
fn answers_longer_than_the_hosts_max_control_transfer_go_as_fragments() {
    let (mut device, _) = recording_device(1);
    device.handle_fragment(&Message::Open { transaction_id: 1, max_control_transfer: 64 }.encode().unwrap());
    let request = OpenChannelRequest { app_id: h(ISD_R), select_p2: 0, channel_group: 1 };
    let replies = device.handle_fragment(&command(9, CID_OPEN_CHANNEL, request.encode().unwrap()));
    // 48 + 16 + 8 (five bytes padded) = 72 bytes: two fragments of transaction 9.
    assert_eq!(replies.iter().map(Vec::len).collect::<Vec<_>>(), [64, 28]);
    assert_eq!(replies[1][..20], h("03000080 1C000000 09000000 02000000 01000000"));
    let mut assembler = oxicard_transport::modem::mbim::fragment::Assembler::new();
    assert!(assembler.push(&replies[0]).unwrap().is_none());
    let whole = assembler.push(&replies[1]).unwrap().unwrap();
    let Message::CommandDone(done) = Message::decode(&whole).unwrap() else { panic!("not a COMMAND_DONE") };
    assert_eq!(OpenChannelInfo::decode(&done.information_buffer).unwrap().response, h("0102030405"));
    // A fragment out of sequence: FUNCTION_ERROR FRAGMENT_OUT_OF_SEQUENCE for its transaction.
    assert_eq!(
        one(device.handle_fragment(&replies[1])),
        Message::FunctionError { transaction_id: 9, error: ProtocolError::FRAGMENT_OUT_OF_SEQUENCE }
    );
}

#[test]
fn the_modem_builds_the_class_byte_and_chains_get_response() {
    for (channel, class_byte_type, sm, host, card) in [
        (1, ClassByteType::Extended, SecureMessaging::None, "80E2910000", "81E2910000"),
        (1, ClassByteType::Interindustry, SecureMessaging::None, "81E2910000", "01E2910000"),
        (5, ClassByteType::Extended, SecureMessaging::None, "83E2910000", "C1E2910000"),
        (
            5,
            ClassByteType::Interindustry,
            SecureMessaging::NoHeaderAuthentication,
            "00E2910000",
            "61E2910000",
        ),
        (2, ClassByteType::Extended, SecureMessaging::NoHeaderAuthentication, "84E2910000", "86E2910000"),
        (3, ClassByteType::Interindustry, SecureMessaging::None, "10E2910000", "13E2910000"),
    ] {
        let (mut device, seen) = recording_device(channel);
        let open = Message::Open { transaction_id: 1, max_control_transfer: 4096 }.encode().unwrap();
        device.handle_fragment(&open);
        let request = OpenChannelRequest { app_id: h(ISD_R), select_p2: 0, channel_group: 1 };
        device.handle_fragment(&command(2, CID_OPEN_CHANNEL, request.encode().unwrap()));
        seen.lock().unwrap().clear();
        let Message::CommandDone(done) = one(device.handle_fragment(&command(
            3,
            CID_APDU,
            apdu(u32::from(channel), class_byte_type, sm, host),
        ))) else {
            panic!("not a COMMAND_DONE")
        };
        let seen = seen.lock().unwrap().clone();
        let cla = h(card)[0];
        assert_eq!(seen, [h(card), vec![cla, 0xC0, 0x00, 0x00, 0x05]], "{host} on channel {channel}");
        assert_eq!(ApduInfo::decode(&done.information_buffer).unwrap().response_apdu(), h("01020304059000"));
    }
}

#[test]
fn apdus_on_channels_not_opened_by_the_modem_and_close_of_unknown_channels() {
    let (mut device, seen) = recording_device(1);
    device
        .handle_fragment(&Message::Open { transaction_id: 1, max_control_transfer: 4096 }.encode().unwrap());
    let Message::CommandDone(done) = one(device.handle_fragment(&command(
        2,
        CID_APDU,
        apdu(2, ClassByteType::Extended, SecureMessaging::None, "82E2910000"),
    ))) else {
        panic!("not a COMMAND_DONE")
    };
    assert_eq!(done.status, Status::MS_INVALID_LOGICAL_CHANNEL);
    assert!(done.information_buffer.is_empty());
    let Message::CommandDone(done) =
        one(device.handle_fragment(&command(3, CID_CLOSE_CHANNEL, h("0200000001000000"))))
    else {
        panic!("not a COMMAND_DONE")
    };
    assert_eq!(done.status, Status::MS_INVALID_LOGICAL_CHANNEL);
    // Close of a group with nothing open: 9000, nothing sent to the card.
    let Message::CommandDone(done) =
        one(device.handle_fragment(&command(4, CID_CLOSE_CHANNEL, h("0000000001000000"))))
    else {
        panic!("not a COMMAND_DONE")
    };
    assert_eq!((done.status, done.information_buffer), (Status::SUCCESS, h("90000000")));
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn the_transport_types_apdus_by_their_class_byte_unless_told_otherwise() {
    // FromCla: a GP class `81` reaches the card as `81`; Always(Interindustry), as lpac's main
    // branch sends it, makes a literal modem turn it into `01`.
    for (policy, card_cla) in [
        (ClassBytePolicy::FromCla, 0x81),
        (ClassBytePolicy::Always(ClassByteType::Interindustry), 0x01),
        (ClassBytePolicy::Always(ClassByteType::Extended), 0x81),
    ] {
        let (device, seen) = recording_device(1);
        let (host, server) = serve_on_socket_pair(device, SimulatedMbimModem::serve);
        let mut modem = MbimModem::open(host, config().with_class_byte_type(policy)).unwrap();
        modem.open_logical_channel(Some(&h(ISD_R))).unwrap();
        let mut response = [0u8; 64];
        let len = modem.exchange(&h("81E2910003BF2E00"), &mut response).unwrap();
        assert_eq!(response[..len], h("01020304059000"), "61xx never reaches the host");
        drop(modem);
        let device = server.join().unwrap();
        assert_eq!(device.closes_seen(), 1);
        let seen = seen.lock().unwrap();
        let store_data = seen.iter().find(|c| c.get(1) == Some(&0xE2)).unwrap();
        assert_eq!(store_data[0], card_cla, "{policy:?}");
    }
}

#[test]
fn close_closes_the_channels_then_the_function() {
    let (host, server, card) = start(MbimQuirks::default());
    let mut modem = MbimModem::open(host.try_clone().unwrap(), config()).unwrap();
    modem.open_logical_channel(Some(&h(ISD_R))).unwrap();
    assert_eq!(card.open_channels(), [0, 1]);
    modem.close().unwrap();
    drop(host);
    assert_clean_end(server, &card);
}

#[test]
fn reset_is_not_available_through_mbim() {
    let (host, server, card) = start(MbimQuirks::default());
    let mut modem = MbimModem::open(host, config()).unwrap();
    assert_eq!(modem.reset(ResetKind::Warm).unwrap_err().kind(), ErrorKind::Other);
    assert_eq!(modem.atr(), card.atr());
    drop(modem);
    assert_clean_end(server, &card);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_modem_answers_any_bytes_without_panicking(
        messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..8),
        open_first in any::<bool>(),
    ) {
        let (mut device, _) = recording_device(1);
        if open_first {
            device.handle_fragment(&Message::Open { transaction_id: 1, max_control_transfer: 64 }.encode().unwrap());
        }
        for message in &messages {
            let _ = device.handle_fragment(message);
        }
        // Well-framed UICC commands with any information buffer.
        for (index, message) in messages.iter().enumerate() {
            let cid = 1 + (index as u32 % 6);
            let _ = device.handle_fragment(&command(index as u32, cid, message.clone()));
        }
    }
}
