//! The MBIM codec against byte-exact vectors of published sources (each cited next to it), and
//! property tests: round trips (fragmentation included) and "any bytes: an error, never a
//! panic".
#![cfg(all(unix, feature = "modem"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_transport::modem::mbim::basic_connect::{ReadyState, SlotMappings, SubscriberReadyStatus};
use oxicard_transport::modem::mbim::fragment::{Assembler, split_fragments};
use oxicard_transport::modem::mbim::uicc::{
    ApduInfo, ApduRequest, AtrInfo, ClassByteType, CloseChannelInfo, CloseChannelRequest, OpenChannelInfo,
    OpenChannelRequest, SecureMessaging, TerminalCapability,
};
use oxicard_transport::modem::mbim::{
    Command, CommandDone, CommandType, FrameBuffer, Indication, MbimError, Message, ProtocolError, Status,
    Uuid,
};
use proptest::prelude::*;

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace([' ', '\n'], "")).unwrap()
}

/// Reassembles a byte stream into whole messages.
fn reassemble(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut frames = FrameBuffer::new(1 << 20);
    let mut assembler = Assembler::new();
    frames.extend(stream);
    let mut out = Vec::new();
    while let Some(frame) = frames.next_message().unwrap() {
        if let Some(whole) = assembler.push(&frame).unwrap() {
            out.push(whole);
        }
    }
    assert!(frames.is_empty());
    out
}

// ---------------------------------------------------------------------------------------------
// libmbim src/libmbim-glib/test/test-message.c
// ---------------------------------------------------------------------------------------------

#[test]
fn libmbim_open_done_and_close_done() {
    // test-message.c test_message_open_done / test_message_close_done.
    let open_done = h("01000080 10000000 01000000 00000000");
    assert_eq!(
        Message::decode(&open_done).unwrap(),
        Message::OpenDone { transaction_id: 1, status: Status::SUCCESS }
    );
    assert_eq!(Message::OpenDone { transaction_id: 1, status: Status::SUCCESS }.encode().unwrap(), open_done);
    let close_done = h("02000080 10000000 01000000 00000000");
    assert_eq!(
        Message::decode(&close_done).unwrap(),
        Message::CloseDone { transaction_id: 1, status: Status::SUCCESS }
    );
}

#[test]
fn libmbim_open_close_and_empty_command_lengths() {
    // test-message.c test_message_open: mbim_message_open_new (12345, 4096) is 16 bytes;
    // test_message_close: 12 bytes; test_message_command_empty: a Basic Connect DEVICE_CAPS
    // query with no information buffer is 48 bytes.
    let open = Message::Open { transaction_id: 12345, max_control_transfer: 4096 }.encode().unwrap();
    assert_eq!(open, h("01000000 10000000 39300000 00100000"));
    assert_eq!(Message::Close { transaction_id: 12345 }.encode().unwrap(), h("02000000 0C000000 39300000"));
    let query = Message::Command(Command {
        transaction_id: 12345,
        service: Uuid::BASIC_CONNECT,
        cid: 1,
        command_type: CommandType::Query,
        information_buffer: Vec::new(),
    });
    assert_eq!(query.encode().unwrap().len(), 48);
}

#[test]
fn libmbim_command_done() {
    // test-message.c test_message_command_done: Basic Connect PIN (CID 4), status 0, 12 zero bytes.
    let bytes = h("03000080 3c000000 01000000 01000000 00000000
                   a289cc33 bcbb8b4f b6b0133e c2aae6df 04000000 00000000 0c000000
                   00000000 00000000 00000000");
    let done = CommandDone {
        transaction_id: 1,
        service: Uuid::BASIC_CONNECT,
        cid: 4,
        status: Status::SUCCESS,
        information_buffer: vec![0; 12],
    };
    assert_eq!(Message::decode(&bytes).unwrap(), Message::CommandDone(done.clone()));
    assert_eq!(Message::CommandDone(done).encode().unwrap(), bytes);
}

// ---------------------------------------------------------------------------------------------
// libmbim src/libmbim-glib/test/test-message-builder.c, test-message-parser.c
// ---------------------------------------------------------------------------------------------

#[test]
fn libmbim_builder_pin_set_raw() {
    // test-message-builder.c test_message_builder_basic_connect_pin_set_raw: header, fragment
    // header, service id as written bytes, CID, command type, buffer length, buffer.
    let expected = h("03000000 50000000 01000000 01000000 00000000
                      a289cc33 bcbb8b4f b6b0133e c2aae6df 04000000 01000000 20000000
                      02000000 00000000 18000000 08000000 00000000 00000000 31003100 31003100");
    let information_buffer = expected[48..].to_vec();
    let command = Message::Command(Command {
        transaction_id: 1,
        service: Uuid::BASIC_CONNECT,
        cid: 4,
        command_type: CommandType::Set,
        information_buffer,
    });
    assert_eq!(command.encode().unwrap(), expected);
    assert_eq!(Message::decode(&expected).unwrap(), command);
}

#[test]
fn libmbim_parser_uicc_application_list_command_done() {
    // test-message-parser.c test_ms_uicc_low_level_access_application_list: a COMMAND_DONE of
    // the MS UICC Low Level Access service (UUID C2F6588E-… as written), CID 7, status 0, an
    // 84-byte information buffer.
    let bytes = h("03000080 84000000 03000000 01000000 00000000
                   C2F6588E F0374BC9 8665F4D4 4BD09367 07000000 00000000 54000000
                   01000000 01000000 00000000 3C000000 18000000 3C000000
                   04000000 20000000 10000000 30000000 08000000 02000000 38000000 02000000
                   A0000000 871002FF 34FF0789 312E30FF 4D6F7669 73746172 01810000");
    let Message::CommandDone(done) = Message::decode(&bytes).unwrap() else { panic!("not a COMMAND_DONE") };
    assert_eq!(done.transaction_id, 3);
    assert_eq!(done.service, Uuid::MS_UICC_LOW_LEVEL_ACCESS);
    assert_eq!(done.service.to_string(), "C2F6588E-F037-4BC9-8665-F4D44BD09367");
    assert_eq!(done.cid, 7);
    assert_eq!(done.status, Status::SUCCESS);
    assert_eq!(done.information_buffer, bytes[48..]);
    assert_eq!(Message::CommandDone(done).encode().unwrap(), bytes);
}

// ---------------------------------------------------------------------------------------------
// libmbim src/libmbim-glib/test/test-fragment.c
// ---------------------------------------------------------------------------------------------

/// test-fragment.c test_fragment_send_multiple_1: a 48-byte indication split at 28 bytes.
const FRAGMENT_WHOLE_1: &str = "07000080 30000000 01000000 01000000 00000000
    00010203 04050607 08090A0B 0C0D0E0F 10111213 14151617 18191A1B";
const FRAGMENT_SPLIT_1: &str = "
    07000080 1C000000 01000000 04000000 00000000 00010203 04050607
    07000080 1C000000 01000000 04000000 01000000 08090A0B 0C0D0E0F
    07000080 1C000000 01000000 04000000 02000000 10111213 14151617
    07000080 18000000 01000000 04000000 03000000 18191A1B";

#[test]
fn libmbim_fragment_send_multiple_1() {
    let fragments = split_fragments(&h(FRAGMENT_WHOLE_1), 28).unwrap();
    assert_eq!(fragments.concat(), h(FRAGMENT_SPLIT_1));
    assert_eq!(reassemble(&h(FRAGMENT_SPLIT_1)), vec![h(FRAGMENT_WHOLE_1)]);
}

#[test]
fn libmbim_fragment_send_multiple_2() {
    // test-fragment.c test_fragment_send_multiple_2: 44 bytes at 28 → 3 fragments.
    let whole = h("07000080 2C000000 01000000 01000000 00000000
                   00010203 04050607 08090A0B 0C0D0E0F 10111213 14151617");
    let split = h("07000080 1C000000 01000000 03000000 00000000 00010203 04050607
                   07000080 1C000000 01000000 03000000 01000000 08090A0B 0C0D0E0F
                   07000080 1C000000 01000000 03000000 02000000 10111213 14151617");
    assert_eq!(split_fragments(&whole, 28).unwrap().concat(), split);
    assert_eq!(reassemble(&split), vec![whole]);
}

#[test]
fn libmbim_fragment_receive_multiple() {
    // test-fragment.c test_fragment_receive_multiple: four fragments of transaction 1 whose
    // payloads make 28 bytes.
    let stream = h("07000080 1C000000 01000000 04000000 00000000 00010203 04050607
                    07000080 1C000000 01000000 04000000 01000000 08090A0B 0C0D0E0F
                    07000080 1C000000 01000000 04000000 02000000 10111213 04000000
                    07000080 18000000 01000000 04000000 03000000 18191A1B");
    let data = h("00010203 04050607 08090A0B 0C0D0E0F 10111213 04000000 18191A1B");
    let messages = reassemble(&stream);
    assert_eq!(messages.len(), 1);
    assert_eq!(&messages[0][..20], &h("07000080 30000000 01000000 01000000 00000000")[..]);
    assert_eq!(&messages[0][20..], &data[..]);
}

#[test]
fn libmbim_fragment_receive_single() {
    // test-fragment.c test_fragment_receive_single: one 44-byte indication, buffer length 0.
    let bytes = h("07000080 2C000000 01000000 01000000 00000000
                   01020304 05060708 090A0B0C 0D0E0F00 11121314 00000000");
    let Message::IndicateStatus(indication) = Message::decode(&bytes).unwrap() else {
        panic!("not an indication")
    };
    assert_eq!(indication.transaction_id, 1);
    assert_eq!(indication.service.0, h("0102030405060708090A0B0C0D0E0F00")[..]);
    assert_eq!(indication.cid, 0x1413_1211);
    assert!(indication.information_buffer.is_empty());
    assert_eq!(Message::IndicateStatus(indication).encode().unwrap(), bytes);
}

// ---------------------------------------------------------------------------------------------
// damonto/wwan-go mbim/protocol_test.go
// ---------------------------------------------------------------------------------------------

#[test]
fn wwan_go_open_and_subscriber_ready_status_query() {
    // TestRequestMarshalBinary "open" (TID 1, MaxControlTransfer 4096) and "subscriber ready
    // status" (TID 6, Basic Connect CID 2 query).
    let open = Message::Open { transaction_id: 1, max_control_transfer: 4096 };
    assert_eq!(open.encode().unwrap(), h("01000000 10000000 01000000 00100000"));
    let query = Message::Command(Command {
        transaction_id: 6,
        service: Uuid::BASIC_CONNECT,
        cid: 2,
        command_type: CommandType::Query,
        information_buffer: Vec::new(),
    });
    assert_eq!(
        query.encode().unwrap(),
        h("0300000030000000060000000100000000000000A289CC33BCBB8B4FB6B0133EC2AAE6DF020000000000000000000000")
    );
}

#[test]
fn wwan_go_uicc_request_buffers() {
    // TestVariableDataRequestsIncludeFinalPadding "open channel application ID" and "APDU
    // command": (size, offset) order, size first, the data padded to 4 bytes.
    let open = OpenChannelRequest { app_id: h("A0000000871004"), select_p2: 0, channel_group: 1 };
    assert_eq!(open.encode().unwrap(), h("07000000100000000000000001000000A000000087100400"));
    assert_eq!(OpenChannelRequest::decode(&open.encode().unwrap()).unwrap(), open);
    let apdu = ApduRequest {
        channel: 3,
        secure_messaging: SecureMessaging::None,
        class_byte_type: ClassByteType::Interindustry,
        command: h("0088008100"),
    };
    assert_eq!(apdu.encode().unwrap(), h("03000000000000000000000005000000140000000088008100000000"));
    assert_eq!(ApduRequest::decode(&apdu.encode().unwrap()).unwrap(), apdu);
    // TestUICCChannelRequestData "apdu" (a 4-byte command, no padding) and "close channel".
    let apdu = ApduRequest { command: h("00880081"), ..apdu };
    assert_eq!(apdu.encode().unwrap(), h("030000000000000000000000040000001400000000880081"));
    let close = CloseChannelRequest { channel: 3, channel_group: 1 };
    assert_eq!(close.encode().unwrap(), h("0300000001000000"));
    assert_eq!(CloseChannelRequest::decode(&h("0300000001000000")).unwrap(), close);
}

#[test]
fn wwan_go_uicc_response_buffers() {
    // TestUICCChannelResponseUnmarshalBinary: status bytes 90 00 (read as LE32: 0x90), the
    // response without SW.
    let open = OpenChannelInfo::decode(&h("900000000300000002000000100000009000")).unwrap();
    assert_eq!(open, OpenChannelInfo { status: [0x90, 0x00], channel: 3, response: h("9000") });
    let apdu = ApduInfo::decode(&h("90000000020000000C000000DB00")).unwrap();
    assert_eq!(apdu, ApduInfo { status: [0x90, 0x00], response: h("DB00") });
    assert_eq!(apdu.response_apdu(), h("DB009000"));
    assert_eq!(CloseChannelInfo::decode(&h("90000000")).unwrap(), CloseChannelInfo { status: [0x90, 0x00] });
    assert!(matches!(ApduInfo::decode(&[0x00]), Err(MbimError::Truncated { .. })));
    // TestUiccATRResponseUnmarshalBinary.
    assert_eq!(AtrInfo::decode(&h("03000000080000003B9F96")).unwrap().atr, h("3B9F96"));
    assert!(AtrInfo::decode(&h("03000000")).is_err(), "truncated reference");
    assert!(AtrInfo::decode(&h("03000000080000003B9F")).is_err(), "truncated value");
    assert!(AtrInfo::decode(&h("03000000000000003B9F96")).is_err(), "zero offset with nonzero size");
}

#[test]
fn wwan_go_terminal_capability() {
    // TestUiccTerminalCapabilityRequestData "set" and "set empty": (offset, length) pairs, each
    // object padded to 4 bytes.
    let capability = TerminalCapability { objects: vec![h("0A0B0C0D0A"), h("A0B0C0")] };
    let buffer = h("0200000014000000050000001C000000030000000A0B0C0D0A000000A0B0C000");
    assert_eq!(capability.encode().unwrap(), buffer);
    assert_eq!(TerminalCapability::decode(&buffer).unwrap(), capability);
    assert_eq!(TerminalCapability { objects: Vec::new() }.encode().unwrap(), h("00000000"));
    // TestUiccTerminalCapabilityResponseUnmarshalBinary "truncated table", "truncated capability".
    assert!(TerminalCapability::decode(&h("01000000")).is_err());
    assert!(TerminalCapability::decode(&h("010000000C00000002000000AA")).is_err());
}

#[test]
fn wwan_go_slot_mappings() {
    // protocol_test.go slotMappingsPayload(slot): MapCount 1, offset 12, length 4, the slot.
    let buffer = h("01000000 0C000000 04000000 01000000");
    assert_eq!(SlotMappings::decode(&buffer).unwrap(), SlotMappings { slots: vec![1] });
    assert_eq!(SlotMappings { slots: vec![1] }.encode().unwrap(), buffer);
    assert!(
        SlotMappings::decode(&h("02000000 0C000000 04000000 01000000")).is_err(),
        "two entries announced"
    );
    assert!(
        SlotMappings::decode(&h("01000000 04000000 04000000 01000000")).is_err(),
        "entry inside the pairs"
    );
}

// ---------------------------------------------------------------------------------------------
// Names of codes (libmbim mbim-errors.h; Microsoft "MB low level UICC access" for 0x8743xxxx)
// ---------------------------------------------------------------------------------------------

#[test]
fn status_and_protocol_error_names() {
    let named = [
        (0, "SUCCESS"),
        (1, "BUSY"),
        (2, "FAILURE"),
        (3, "SIM_NOT_INSERTED"),
        (4, "BAD_SIM"),
        (9, "NO_DEVICE_SUPPORT"),
        (14, "NOT_INITIALIZED"),
        (21, "INVALID_PARAMETERS"),
        (26, "PARAMETER_TOO_LONG"),
        (28, "OPERATION_NOT_ALLOWED"),
        (0x8743_0001, "MS_NO_LOGICAL_CHANNELS"),
        (0x8743_0002, "MS_SELECT_FAILED"),
        (0x8743_0003, "MS_INVALID_LOGICAL_CHANNEL"),
    ];
    for (value, name) in named {
        assert_eq!(Status(value).name(), Some(name));
    }
    assert_eq!(Status::MS_SELECT_FAILED.to_string(), "MS_SELECT_FAILED (0x87430002)");
    assert_eq!(Status(24).to_string(), "status 0x18");
    assert_eq!(ProtocolError::NOT_OPENED.to_string(), "NOT_OPENED (5)");
    assert_eq!(ProtocolError(8).name(), Some("MAX_TRANSFER"));
    assert_eq!(ProtocolError(99).to_string(), "protocol error 99");
}

#[test]
fn ready_state_and_minimal_subscriber_ready_info() {
    let info = SubscriberReadyStatus { ready_state: ReadyState::NO_ESIM_PROFILE }.encode();
    assert_eq!(info, h("07000000 00000000 00000000 00000000 00000000 00000000 00000000"));
    assert!(SubscriberReadyStatus::decode(&info).unwrap().ready_state.is_ready());
    assert!(!ReadyState::NOT_INITIALIZED.is_ready());
}

#[test]
fn decode_rejects_what_is_not_one_whole_message() {
    let open_done = h("01000080 10000000 01000000 00000000");
    assert!(matches!(
        Message::decode(&open_done[..15]),
        Err(MbimError::LengthMismatch { declared: 16, actual: 15 })
    ));
    let fragment = &h(FRAGMENT_SPLIT_1)[..28];
    assert!(matches!(Message::decode(fragment), Err(MbimError::NotReassembled { total: 4, current: 0 })));
    assert!(matches!(
        Message::decode(&h("05000000 0C000000 01000000")),
        Err(MbimError::UnknownMessageType(5))
    ));
    let mut out_of_order = Assembler::new();
    let split = h(FRAGMENT_SPLIT_1);
    assert!(matches!(out_of_order.push(&split[28..56]), Err(MbimError::FragmentOutOfSequence { .. })));
    let mut frames = FrameBuffer::new(4096);
    frames.extend(&h("07000080 08000000 01000000"));
    assert!(matches!(frames.next_message(), Err(MbimError::BadMessageLength { declared: 8, .. })));
    assert!(frames.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn uuid() -> impl Strategy<Value = Uuid> {
    prop_oneof![
        Just(Uuid::BASIC_CONNECT),
        Just(Uuid::MS_UICC_LOW_LEVEL_ACCESS),
        Just(Uuid::MS_BASIC_CONNECT_EXTENSIONS),
        any::<[u8; 16]>().prop_map(Uuid),
    ]
}

fn fragmentable() -> impl Strategy<Value = Message> {
    let buffer = proptest::collection::vec(any::<u8>(), 0..700);
    prop_oneof![
        (any::<u32>(), uuid(), any::<u32>(), any::<bool>(), buffer.clone()).prop_map(
            |(transaction_id, service, cid, set, information_buffer)| Message::Command(Command {
                transaction_id,
                service,
                cid,
                command_type: if set { CommandType::Set } else { CommandType::Query },
                information_buffer,
            })
        ),
        (any::<u32>(), uuid(), any::<u32>(), any::<u32>(), buffer.clone()).prop_map(
            |(transaction_id, service, cid, status, information_buffer)| Message::CommandDone(CommandDone {
                transaction_id,
                service,
                cid,
                status: Status(status),
                information_buffer,
            })
        ),
        (any::<u32>(), uuid(), any::<u32>(), buffer).prop_map(
            |(transaction_id, service, cid, information_buffer)| {
                Message::IndicateStatus(Indication { transaction_id, service, cid, information_buffer })
            }
        ),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        fragmentable(),
        (any::<u32>(), any::<u32>()).prop_map(|(transaction_id, max_control_transfer)| Message::Open {
            transaction_id,
            max_control_transfer
        }),
        any::<u32>().prop_map(|transaction_id| Message::Close { transaction_id }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(transaction_id, e)| Message::HostError { transaction_id, error: ProtocolError(e) }),
        (any::<u32>(), any::<u32>()).prop_map(|(transaction_id, e)| Message::FunctionError {
            transaction_id,
            error: ProtocolError(e)
        }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(transaction_id, s)| Message::OpenDone { transaction_id, status: Status(s) }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(transaction_id, s)| Message::CloseDone { transaction_id, status: Status(s) }),
    ]
}

proptest! {
    #[test]
    fn messages_round_trip(message in message()) {
        let bytes = message.encode().unwrap();
        prop_assert_eq!(Message::decode(&bytes).unwrap(), message);
    }

    #[test]
    fn fragments_round_trip_through_a_byte_stream(
        message in fragmentable(),
        max in 64u32..600,
        cuts in proptest::collection::vec(1usize..97, 1..40),
    ) {
        let fragments = message.encode_fragments(max).unwrap();
        let whole = message.encode().unwrap();
        prop_assert_eq!(fragments.len(), (whole.len() - 20).div_ceil(max as usize - 20).max(1));
        for (current, fragment) in fragments.iter().enumerate() {
            prop_assert!(fragment.len() <= max as usize);
            prop_assert_eq!(&fragment[8..12], &message.transaction_id().to_le_bytes()[..]);
            if fragments.len() > 1 {
                prop_assert_eq!(&fragment[16..20], &(current as u32).to_le_bytes()[..]);
            }
        }
        // The stream arrives in arbitrary pieces.
        let stream = fragments.concat();
        let mut frames = FrameBuffer::new(1 << 20);
        let mut assembler = Assembler::new();
        let mut received = Vec::new();
        let mut at = 0;
        for cut in cuts.iter().cycle() {
            if at >= stream.len() { break; }
            let end = (at + cut).min(stream.len());
            frames.extend(&stream[at..end]);
            at = end;
            while let Some(frame) = frames.next_message().unwrap() {
                if let Some(message) = assembler.push(&frame).unwrap() { received.push(message); }
            }
        }
        prop_assert_eq!(received, vec![whole]);
    }

    #[test]
    fn uicc_buffers_round_trip(
        app_id in proptest::collection::vec(any::<u8>(), 0..=32),
        p2 in 0u32..=255,
        group in any::<u32>(),
        channel in 1u32..=19,
        sw in any::<[u8; 2]>(),
        data in proptest::collection::vec(any::<u8>(), 0..=256),
        command in proptest::collection::vec(any::<u8>(), 0..=261),
        slots in proptest::collection::vec(any::<u32>(), 0..8),
    ) {
        let open = OpenChannelRequest { app_id: app_id.clone(), select_p2: p2, channel_group: group };
        prop_assert_eq!(OpenChannelRequest::decode(&open.encode().unwrap()).unwrap(), open);
        let info = OpenChannelInfo { status: sw, channel, response: data.clone() };
        prop_assert_eq!(OpenChannelInfo::decode(&info.encode().unwrap()).unwrap(), info);
        let close = CloseChannelRequest { channel, channel_group: group };
        prop_assert_eq!(CloseChannelRequest::decode(&close.encode().unwrap()).unwrap(), close);
        prop_assert_eq!(CloseChannelInfo::decode(&CloseChannelInfo { status: sw }.encode()).unwrap().status, sw);
        let apdu = ApduRequest {
            channel,
            secure_messaging: SecureMessaging::NoHeaderAuthentication,
            class_byte_type: ClassByteType::Extended,
            command,
        };
        let encoded = apdu.encode().unwrap();
        prop_assert_eq!(encoded.len() % 4, 0);
        prop_assert_eq!(ApduRequest::decode(&encoded).unwrap(), apdu);
        let answer = ApduInfo { status: sw, response: data };
        prop_assert_eq!(ApduInfo::decode(&answer.encode().unwrap()).unwrap(), answer);
        let atr = AtrInfo { atr: app_id.iter().copied().take(33).collect() };
        prop_assert_eq!(AtrInfo::decode(&atr.encode().unwrap()).unwrap(), atr);
        let mappings = SlotMappings { slots };
        prop_assert_eq!(SlotMappings::decode(&mappings.encode().unwrap()).unwrap(), mappings);
        let capability = TerminalCapability { objects: vec![app_id.clone(), Vec::new(), vec![0x80, 0x01, 0x01]] };
        prop_assert_eq!(TerminalCapability::decode(&capability.encode().unwrap()).unwrap(), capability);
    }

    #[test]
    fn any_bytes_are_an_error_or_a_value_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Message::decode(&bytes);
        let mut assembler = Assembler::new();
        let _ = assembler.push(&bytes);
        let _ = assembler.push(&bytes);
        let mut frames = FrameBuffer::new(256);
        frames.extend(&bytes);
        while let Ok(Some(frame)) = frames.next_message() {
            let _ = assembler.push(&frame);
        }
        let _ = split_fragments(&bytes, 64);
        let _ = AtrInfo::decode(&bytes);
        let _ = OpenChannelRequest::decode(&bytes);
        let _ = OpenChannelInfo::decode(&bytes);
        let _ = CloseChannelRequest::decode(&bytes);
        let _ = CloseChannelInfo::decode(&bytes);
        let _ = ApduRequest::decode(&bytes);
        let _ = ApduInfo::decode(&bytes);
        let _ = SlotMappings::decode(&bytes);
        let _ = SubscriberReadyStatus::decode(&bytes);
        let _ = TerminalCapability::decode(&bytes);
    }

    #[test]
    fn corrupted_messages_are_errors_not_panics(message in message(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = message.encode().unwrap();
        let index = at.index(bytes.len());
        bytes[index] = byte;
        let _ = Message::decode(&bytes);
        bytes.truncate(index);
        prop_assert!(Message::decode(&bytes).is_err());
    }
}
