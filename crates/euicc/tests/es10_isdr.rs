//! ISD-R access over the scripted mock: the exact APDUs of each ES10 exchange, counted.
//!
//! Golden APDU: GetEID `80 E2 91 00 06 BF3E035C015A 00` → `BF3E12 5A10 8988…05 9000`
//! (pySim `tests/unittests/test_globalplatform.py`). Other exchanges are hand-made from the
//! STORE DATA rules (GPC v2.3.1 §11.11, SGP.22 §5.7.1: P1 11/91, P2 block numbers, CLA 80 +
//! channel).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::{Card, CardChannel, CardConfig, GetResponseCla};
use oxicard_euicc::es10::bpp;
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{DEFAULT_TERMINAL_CAPABILITY, Es10Error, Isdr, IsdrOptions};
use oxicard_transport::ErrorChain;
use oxicard_transport::mock::{MockHandle, MockTransport};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

const SELECT_ISDR: &str = "00 A4 04 00 10 A0000005591010FFFFFFFF8900000100 00";
const EID_RESPONSE: &str = "BF3E125A1089882119900000000000000000000005";

fn iccid() -> Iccid {
    "8944478600004573128".parse().unwrap()
}

/// A mock whose MANAGE CHANNEL opens channel 1 and whose ISD-R SELECT succeeds.
fn on_channel_1() -> MockTransport {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("01 9000"));
    mock.expect(h("01 A4 04 00 10 A0000005591010FFFFFFFF8900000100 00")).respond(h("9000"));
    mock
}

/// A mock whose MANAGE CHANNEL is refused (`6881`, logical channel not supported): basic channel.
fn on_basic_channel() -> MockTransport {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("6881"));
    mock.expect(h(SELECT_ISDR)).respond(h("9000"));
    mock
}

fn commands(handle: &MockHandle) -> Vec<String> {
    handle.transcript().iter().map(|x| hex::encode_upper(&x.command)).collect()
}

#[test]
fn get_eid_golden_apdu_on_the_basic_channel_fallback() {
    let mut mock = on_basic_channel();
    mock.expect(h("80 E2 91 00 06 BF3E035C015A 00")).respond(h(&format!("{EID_RESPONSE}9000")));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.channel(), 0);
    assert!(!isdr.is_logical_channel());
    assert_eq!(isdr.eid().unwrap().to_string(), "89882119900000000000000000000005");
    isdr.close().unwrap();
    handle.verify().unwrap();
    // MANAGE CHANNEL, SELECT, one STORE DATA; nothing to close on the basic channel.
    assert_eq!(handle.exchange_count(), 3);
}

#[test]
fn logical_channel_carries_the_cla_and_is_closed_on_drop() {
    let mut mock = on_channel_1();
    mock.expect(h("81 E2 91 00 03 BF2D00 00")).respond(h(
        "BF2D2CA02AE3285A0A984474680000543721F84F10A0000005591010FFFFFFFF89000010009F7001019001789501029000",
    ));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    {
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        assert_eq!(isdr.channel(), 1);
        let profiles = isdr.profiles().unwrap();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].iccid, Some(iccid()));
        assert_eq!(profiles[0].state, Some(ProfileState::Enabled));
        // Dropped here: MANAGE CHANNEL close.
    }
    handle.verify().unwrap();
    // Profile list: exactly one APDU between SELECT and close.
    assert_eq!(handle.exchange_count(), 4);
}

/// An LPA service that keeps its eUICC open between requests: the `Isdr` owns its card.
struct Lpa {
    isdr: Isdr<Card<MockTransport>>,
}

impl Lpa {
    fn eid(&mut self) -> Result<String, Es10Error> {
        Ok(self.isdr.eid()?.to_string())
    }
}

#[test]
fn an_isdr_owning_its_card_lives_in_a_struct_and_closes_its_channel_when_dropped() {
    let mut mock = on_channel_1();
    for _ in 0..3 {
        mock.expect(h("81 E2 91 00 06 BF3E035C015A 00")).respond(h(&format!("{EID_RESPONSE}9000")));
    }
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut lpa = Lpa { isdr: Isdr::open(Card::new(mock), &IsdrOptions::default()).unwrap() };
    for _ in 0..3 {
        assert_eq!(lpa.eid().unwrap(), "89882119900000000000000000000005");
    }
    assert_eq!((lpa.isdr.channel(), lpa.isdr.is_logical_channel()), (1, true));
    assert_eq!(lpa.isdr.card().channel_number(), 0);
    assert_eq!(handle.remaining(), 1);
    drop(lpa);
    handle.verify().unwrap();
}

#[test]
fn an_isdr_on_a_logical_channel_of_the_caller() {
    let mut mock = on_channel_1();
    // On the caller's channel 1 (no channel of its own): SELECT and GetEID with CLA 81.
    mock.expect(h("81 E2 91 00 06 BF3E035C015A 00")).respond(h(&format!("{EID_RESPONSE}9000")));
    // With a channel of its own: a sibling, opened and closed through the card's basic channel.
    mock.expect(h("00 70 00 00 01")).respond(h("02 9000"));
    mock.expect(h("02 A4 04 00 10 A0000005591010FFFFFFFF8900000100 00")).respond(h("9000"));
    mock.expect(h("82 E2 91 00 06 BF3E035C015A 00")).respond(h(&format!("{EID_RESPONSE}9000")));
    mock.expect(h("00 70 80 02")).respond(h("9000"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut logical = card.open_channel().unwrap();
    let options = IsdrOptions::default().with_logical_channel(false);
    // The SELECT of `on_channel_1` goes on the caller's channel.
    let mut isdr = Isdr::open(&mut logical, &options).unwrap();
    assert_eq!((isdr.channel(), isdr.is_logical_channel()), (1, false));
    isdr.eid().unwrap();
    isdr.close().unwrap();
    let mut isdr = Isdr::open(&mut logical, &IsdrOptions::default()).unwrap();
    assert_eq!((isdr.channel(), isdr.is_logical_channel()), (2, true));
    isdr.eid().unwrap();
    isdr.close().unwrap();
    drop(logical);
    handle.verify().unwrap();
}

#[test]
fn terminal_capability_then_channel_then_select() {
    let mut mock = MockTransport::new();
    mock.expect(h("80 AA 00 00 0A A9088100820101830107")).respond(h("9000"));
    mock.expect(h("00 70 00 00 01")).respond(h("02 9000"));
    mock.expect(h("02 A4 04 00 10 A0000005591010FFFFFFFF8900000100 00")).respond(h("9000"));
    mock.expect(h("00 70 80 02")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let options = IsdrOptions::default().with_terminal_capability(Some(DEFAULT_TERMINAL_CAPABILITY.to_vec()));
    let isdr = Isdr::open(&mut card, &options).unwrap();
    assert_eq!(isdr.channel(), 2);
    isdr.close().unwrap();
    handle.verify().unwrap();
}

#[test]
fn overridden_aid_and_failed_select_closes_the_channel() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("01 9000"));
    mock.expect(h("01 A4 04 00 05 A000000559 00")).respond(h("6A82"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let options = IsdrOptions::default().with_isd_r_aid(h("A000000559"));
    let err = Isdr::open(&mut card, &options).unwrap_err();
    assert!(err.to_string().contains("6A82"), "{err}");
    handle.verify().unwrap();
}

#[test]
fn enable_by_iccid_one_apdu_and_result_codes() {
    let mut mock = on_basic_channel();
    // EnableProfile by ICCID (SGP.22 §5.7.16, asn1tools DER); `91 xx` (proactive command pending, ETSI TS 102 221 §10.2.1.1) is
    // a normal ending: REFRESH follows an enable.
    mock.expect(h("80 E2 91 00 14 BF3111A00C5A0A984474680000543721F88101FF 00"))
        .respond(h("BF3103800100 910F"));
    mock.expect(h("80 E2 91 00 14 BF3111A00C5A0A984474680000543721F88101FF 00"))
        .respond(h("BF3103800102 9000"));
    mock.expect(h("80 E2 91 00 14 BF3111A00C5A0A984474680000543721F88101FF 00"))
        .respond(h("BF3103800105 9000"));
    mock.expect(h("80 E2 91 00 14 BF3211A00C5A0A984474680000543721F8810100 00"))
        .respond(h("BF3203800100 9000"));
    mock.expect(h("80 E2 91 00 0F BF330C5A0A984474680000543721F8 00")).respond(h("BF3303800101 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let before = handle.exchange_count();
    isdr.enable_profile(iccid(), true).unwrap();
    assert_eq!(handle.exchange_count() - before, 1, "enable = one APDU");
    let err = isdr.enable_profile(iccid(), true).unwrap_err();
    assert!(
        matches!(
            err,
            Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::ProfileNotInDisabledState))
        ),
        "{err:?}"
    );
    let err = isdr.enable_profile(iccid(), true).unwrap_err();
    assert!(
        matches!(err, Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::CatBusy))),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "EnableProfile failed");
    assert_eq!(ErrorChain(&err).to_string(), "EnableProfile failed: catBusy (5)");
    isdr.disable_profile(iccid(), false).unwrap();
    let err = isdr.delete_profile(iccid()).unwrap_err();
    assert!(
        matches!(err, Es10Error::Rejected(Rejection::DeleteProfile(DeleteProfileError::IccidOrAidNotFound))),
        "{err:?}"
    );
    handle.verify().unwrap();
}

/// A hand-made opaque ES10 request of `len` bytes (one TLV with tag `BF7F`).
fn request_of(len: usize) -> Vec<u8> {
    let body = len - 5;
    let mut out = vec![0xBF, 0x7F, 0x82, (body >> 8) as u8, body as u8];
    out.extend((0..body).map(|i| i as u8));
    out
}

#[test]
fn segmentation_p1_p2_and_exact_count() {
    let request = request_of(600);
    let mut mock = on_basic_channel();
    mock.expect([&h("80 E2 11 00 FF")[..], &request[..255]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 11 01 FF")[..], &request[255..510]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 91 02 5A")[..], &request[510..], &[0x00]].concat()).respond(h("BF7F00 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.es10(&request).unwrap(), h("BF7F00"));
    handle.verify().unwrap();
    // ceil(600 / 255) = 3 STORE DATA, after MANAGE CHANNEL and SELECT.
    assert_eq!(handle.exchange_count(), 2 + 3);
}

#[test]
fn configured_segment_size() {
    let request = request_of(30);
    let mut mock = on_basic_channel();
    mock.expect([&h("80 E2 11 00 10")[..], &request[..16]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 91 01 0E")[..], &request[16..], &[0x00]].concat()).respond(h("BF7F00 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default().with_segment_size(16)).unwrap();
    isdr.es10(&request).unwrap();
    handle.verify().unwrap();
    assert!(isdr.set_segment_size(0).is_err());
    assert!(isdr.set_segment_size(256).is_err());
}

#[test]
fn segment_retry_on_6700_is_remembered() {
    let request = request_of(300);
    let mut mock = on_basic_channel();
    // 255-byte block refused: wrong length.
    mock.expect([&h("80 E2 11 00 FF")[..], &request[..255]].concat()).respond(h("6700"));
    // The whole request again from block 00 with 120-byte blocks.
    mock.expect([&h("80 E2 11 00 78")[..], &request[..120]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 11 01 78")[..], &request[120..240]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 91 02 3C")[..], &request[240..], &[0x00]].concat()).respond(h("BF7F00 9000"));
    // The next request starts at 120 directly.
    mock.expect([&h("80 E2 11 00 78")[..], &request[..120]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 11 01 78")[..], &request[120..240]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 91 02 3C")[..], &request[240..], &[0x00]].concat()).respond(h("BF7F00 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.es10(&request).unwrap();
    assert_eq!(isdr.segment_size(), 120);
    isdr.es10(&request).unwrap();
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 2 + 1 + 3 + 3);
}

#[test]
fn a_short_block_refused_is_an_error_not_a_retry() {
    let mut mock = on_basic_channel();
    mock.expect(h("80 E2 91 00 06 BF3E035C015A 00")).respond(h("6A80"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let err = isdr.eid().unwrap_err();
    assert!(matches!(err, Es10Error::Status { sw: StatusWord::WRONG_DATA, block: 0 }), "{err:?}");
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 3);
}

#[test]
fn get_response_reassembly_on_a_logical_channel() {
    let mut mock = on_channel_1();
    mock.expect(h("81 E2 91 00 06 BF3E035C015A 00")).respond(h("61 14"));
    mock.expect(h("81 C0 00 00 14")).respond(h(&format!("{EID_RESPONSE}9000")));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    // lpac / euicc-go send GET RESPONSE with the command's CLA (80 + channel).
    let config = CardConfig::default().with_get_response_cla(GetResponseCla::SameAsCommand);
    let mut card = Card::with_config(mock, config);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert!(isdr.eid().unwrap().check_digits_valid());
    isdr.close().unwrap();
    handle.verify().unwrap();
    assert_eq!(commands(&handle).len(), 5);
}

#[test]
fn list_and_remove_notifications() {
    let metadata = "BF2F25800105810207800C10736D64702E6578616D706C652E636F6D5A0A984474680000543721F8";
    let mut mock = on_basic_channel();
    mock.expect(h("80 E2 91 00 03 BF2800 00")).respond(h(&format!("BF282AA028{metadata}9000")));
    mock.expect(h("80 E2 91 00 06 BF3003800105 00")).respond(h("BF3003800100 9000"));
    mock.expect(h("80 E2 91 00 06 BF3003800105 00")).respond(h("BF3003800101 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let list = isdr.list_notifications(None).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].seq_number, 5);
    assert_eq!(list[0].address, "smdp.example.com");
    isdr.remove_notification(5).unwrap();
    let err = isdr.remove_notification(5).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::RemoveNotificationFromList(NotificationSentError::NothingToDelete))
    ));
    handle.verify().unwrap();
}

/// A BoundProfilePackage outline (SGP.22 §2.5.5) with hand-made BF23 contents.
fn outline_bpp() -> Vec<u8> {
    h("BF3636 BF2319 820101 800101 A609800188810110840101 5F490104 5F370105 \
       A0038701AA A1068801BB8801CC A2038701DD A3068601EE8601FF")
}

/// A PIR (ProfileInstallationResult of SGP.22 §5.7.6, hand-made signature): errorResult configureISDP / scp03tSecurityError.
fn error_pir() -> Vec<u8> {
    let mut der = h("BF3762 BF271C 800101 BF2F0C 800101 81020780 0C03612E62 A208 A106 800101 810108 5F3740");
    der.extend([0x5A; 64]);
    der
}

fn store_data_single(segment: &[u8]) -> Vec<u8> {
    [&[0x80, 0xE2, 0x91, 0x00, segment.len() as u8][..], segment, &[0x00]].concat()
}

#[test]
fn load_bpp_one_sequence_per_segment() {
    let bpp = outline_bpp();
    let segments = bpp::segments(&bpp).unwrap();
    let mut mock = on_basic_channel();
    for (index, segment) in segments.iter().enumerate() {
        let last = index + 1 == segments.len();
        let reply = if last { [error_pir(), h("9000")].concat() } else { h("9000") };
        mock.expect(store_data_single(segment.bytes)).respond(reply);
    }
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let mut progress = Vec::new();
    let pir = isdr.load_bound_profile_package(&bpp, |p| progress.push(p)).unwrap();
    assert_eq!(pir.as_der(), &error_pir()[..]);
    handle.verify().unwrap();
    // 9 segments = 9 STORE DATA sequences of one block each.
    assert_eq!(handle.exchange_count(), 2 + 9);
    assert_eq!(progress.len(), 9);
    assert_eq!(progress[8].bytes_sent, bpp.len());
    assert_eq!(progress[8].segments_total, 9);
}

#[test]
fn load_bpp_stops_at_the_first_answer() {
    let bpp = outline_bpp();
    let segments = bpp::segments(&bpp).unwrap();
    let mut mock = on_basic_channel();
    mock.expect(store_data_single(segments[0].bytes)).respond(h("9000"));
    // ConfigureISDP fails: the eUICC answers the second segment with the PIR.
    mock.expect(store_data_single(segments[1].bytes)).respond([error_pir(), h("9000")].concat());
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let pir = isdr.load_bound_profile_package(&bpp, |_| {}).unwrap();
    assert_eq!(pir.outcome().unwrap_err().reason, ErrorReason::Scp03tSecurityError);
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 2 + 2);
}

#[test]
fn load_bpp_without_an_answer_is_an_error() {
    let bpp = outline_bpp();
    let mut mock = on_basic_channel();
    for segment in bpp::segments(&bpp).unwrap() {
        mock.expect(store_data_single(segment.bytes)).respond(h("9000"));
    }
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert!(matches!(isdr.load_bound_profile_package(&bpp, |_| {}), Err(Es10Error::NoInstallationResult)));
}

#[test]
fn cancel_session_keeps_the_der() {
    let mut mock = on_basic_channel();
    mock.expect(h("80 E2 91 00 09 BF4106800101810100 00")).respond(h("BF4103810105 9000"));
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let answer = isdr.cancel_session(&[0x01], CancelSessionReason::EndUserRejection).unwrap();
    assert_eq!(answer.der, h("BF4103810105"));
    assert_eq!(answer.response.result, Err(CancelSessionError::InvalidTransactionId));
}

#[test]
fn empty_and_oversized_requests() {
    let mut card = Card::new(on_basic_channel());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default().with_segment_size(1)).unwrap();
    assert!(matches!(isdr.es10(&[]), Err(Es10Error::InvalidRequest(_))));
    assert!(matches!(isdr.es10(&[0u8; 257]), Err(Es10Error::RequestTooLong { len: 257, segment_size: 1 })));
    assert!(isdr.set_nickname(iccid(), &"x".repeat(65)).is_err());
}

#[test]
fn a_long_bpp_segment_is_its_own_multi_block_sequence() {
    // Hand-made BPP: BF23, A0 {87}, A1 {88}, A3 { 86 of 400 bytes }: the 86 segment (404 bytes)
    // takes two STORE DATA blocks, and its block numbers start again at 00.
    let mut e = oxicard_euicc::asn1::Encoder::new();
    use oxicard_euicc::asn1::{ctx, ctx_c};
    e.nested(ctx_c(54), |e| {
        e.tlv(ctx_c(35), &[0x11; 4]);
        e.nested(ctx_c(0), |e| e.tlv(ctx(7), &[0x22; 2]));
        e.nested(ctx_c(1), |e| e.tlv(ctx(8), &[0x33; 2]));
        e.nested(ctx_c(3), |e| e.tlv(ctx(6), &[0x55; 400]));
    });
    let bpp = e.finish();
    let segments = bpp::segments(&bpp).unwrap();
    assert_eq!(segments.len(), 6);
    let mut mock = on_basic_channel();
    for segment in &segments[..5] {
        mock.expect(store_data_single(segment.bytes)).respond(h("9000"));
    }
    let pe = segments[5].bytes;
    assert_eq!(pe.len(), 404);
    mock.expect([&h("80 E2 11 00 FF")[..], &pe[..255]].concat()).respond(h("9000"));
    mock.expect([&h("80 E2 91 01 95")[..], &pe[255..], &[0x00]].concat())
        .respond([error_pir(), h("9000")].concat());
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.load_bound_profile_package(&bpp, |_| {}).unwrap();
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 2 + 5 + 2);
}

#[test]
fn a_transport_failure_on_manage_channel_is_not_a_fallback() {
    let mut mock = MockTransport::new();
    mock.fail_nth(0, oxicard_transport::ErrorKind::Timeout);
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    assert!(matches!(err, Es10Error::Card(_)), "{err:?}");
    // No SELECT was attempted on the basic channel.
    assert_eq!(handle.exchange_count(), 1);
}

#[test]
fn basic_channel_by_choice() {
    let mut mock = MockTransport::new();
    mock.expect(h(SELECT_ISDR)).respond(h("9000"));
    mock.expect(h("80 E2 91 00 03 BF2E00 00"))
        .respond(h("BF2E12 8010 000102030405060708090A0B0C0D0E0F 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default().with_logical_channel(false)).unwrap();
    assert_eq!(isdr.euicc_challenge().unwrap(), core::array::from_fn::<u8, 16, _>(|i| i as u8));
    drop(isdr);
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 2);
}
