//! The two fallbacks of [`Isdr`] over the scripted mock, APDU by APDU:
//!
//! - the ISD-R AID: the SGP.22 §2.2.3 AID first, then the vendor AIDs of removable eUICCs
//!   ([`VENDOR_ISD_R_AIDS`]) while the card answers "not here" (`6A82`, `6999`), on the same
//!   channel; any other answer stops; an explicit AID is the only one tried; a standard card
//!   sees exactly the APDUs it saw before;
//! - the same search through a transport that opens logical channels to an application itself
//!   (a modem's `AT+CCHO`, 3GPP TS 27.007 §8.45): asked again for each AID it refuses, no MANAGE
//!   CHANNEL and no SELECT on the wire, the channel closed by it;
//! - profiles by ICCID: EnableProfile, DisableProfile, DeleteProfile sent again by ISD-P AID
//!   (found with GetProfilesInfo) when the card refuses the ICCID form, and not otherwise.
//!
//! Requests and responses are the crate's own DER (SGP.22 §5.7.15–18); the APDU framing is that
//! of STORE DATA (GPC v2.3.1 §11.11: `80 E2 91 00 Lc data 00`, CLA `81` on channel 1).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::{Card, CardError};
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{
    Es10Error, ISD_R_AID, ISD_R_AID_5BER, ISD_R_AID_ESIM_ME, ISD_R_AID_ESTKME, ISD_R_AID_ESTKME_SE0,
    ISD_R_AID_ESTKME_SE1, ISD_R_AID_XESIM, Isdr, IsdrOptions, VENDOR_ISD_R_AIDS, is_not_found,
    refuses_iccid_form,
};
use oxicard_transport::ErrorChain;
use oxicard_transport::mock::{ChannelRequest, MockHandle, MockTransport};
use oxicard_transport::{ChannelOpening, ErrorKind};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// SELECT by AID, first occurrence, FCI wanted, on `channel` (0..=3).
fn select(channel: u8, aid: &[u8]) -> Vec<u8> {
    let mut apdu = vec![channel, 0xA4, 0x04, 0x00, aid.len() as u8];
    apdu.extend_from_slice(aid);
    apdu.push(0x00);
    apdu
}

/// One STORE DATA block with Le on channel 1 carrying `request`.
fn store_data(request: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x81, 0xE2, 0x91, 0x00, request.len() as u8];
    apdu.extend_from_slice(request);
    apdu.push(0x00);
    apdu
}

/// `der` followed by `9000`.
fn ok(der: &[u8]) -> Vec<u8> {
    let mut response = der.to_vec();
    response.extend_from_slice(&[0x90, 0x00]);
    response
}

fn commands(handle: &MockHandle) -> Vec<String> {
    handle.transcript().iter().map(|x| hex::encode_upper(&x.command)).collect()
}

/// A mock whose MANAGE CHANNEL opens channel 1.
fn channel_1() -> MockTransport {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("01 9000"));
    mock
}

#[test]
fn a_standard_card_gets_exactly_the_apdus_it_got_before() {
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("9000"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID);
    isdr.close().unwrap();
    handle.verify().unwrap();
    assert_eq!(handle.exchange_count(), 3, "MANAGE CHANNEL, one SELECT, close");
}

#[test]
fn a_5ber_card_is_found_on_the_same_channel_with_one_more_select() {
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(select(1, &ISD_R_AID_5BER)).respond(h("9000"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID_5BER);
    assert_eq!(isdr.channel(), 1);
    drop(isdr);
    handle.verify().unwrap();
    assert_eq!(
        commands(&handle),
        [
            "0070000001",
            "01A4040010A0000005591010FFFFFFFF890000010000",
            "01A4040010A0000005591010FFFFFFFF890005050000",
            "00708001"
        ]
    );
}

#[test]
fn the_list_is_tried_in_order_through_6a82_and_6999() {
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(select(1, &ISD_R_AID_5BER)).respond(h("6A82"));
    mock.expect(select(1, &ISD_R_AID_ESIM_ME)).respond(h("6999"));
    mock.expect(select(1, &ISD_R_AID_XESIM)).respond(h("6A82"));
    mock.expect(select(1, &ISD_R_AID_ESTKME_SE0)).respond(h("9000"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID_ESTKME_SE0);
    isdr.close().unwrap();
    handle.verify().unwrap();
}

#[test]
fn no_isdr_anywhere_lists_every_refusal_and_closes_the_channel() {
    let mut mock = channel_1();
    let all: Vec<[u8; 16]> = std::iter::once(ISD_R_AID).chain(VENDOR_ISD_R_AIDS).collect();
    assert_eq!(all.len(), 7);
    for aid in &all {
        mock.expect(select(1, aid)).respond(h("6A82"));
    }
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    let Es10Error::IsdrNotFound { refused } = &err else { panic!("{err:?}") };
    assert_eq!(refused.len(), 7);
    assert!(refused.iter().all(|(_, sw)| *sw == StatusWord::FILE_NOT_FOUND));
    assert_eq!(
        refused.iter().map(|(aid, _)| aid.as_slice()).collect::<Vec<_>>(),
        all.iter().collect::<Vec<_>>()
    );
    let message = err.to_string();
    assert!(
        message.starts_with("no ISD-R on the card: SELECT refused A0000005591010FFFFFFFF8900000100: 6A82"),
        "{message}"
    );
    assert!(
        message.ends_with("A06573746B6D65FFFFFFFF4953442D52: 6A82 (file or application not found)"),
        "{message}"
    );
    handle.verify().unwrap();
}

#[test]
fn another_refusal_stops_the_search() {
    // 6A81 (card locked, GPC v2.3.1 §11.9.3) on the first SELECT.
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A81"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    assert!(
        matches!(err, Es10Error::Card(CardError::Status { sw, .. }) if sw == StatusWord::FUNCTION_NOT_SUPPORTED),
        "{err:?}"
    );
    handle.verify().unwrap();

    // 6D00 on a fallback SELECT.
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(select(1, &ISD_R_AID_5BER)).respond(h("6D00"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    assert!(matches!(err, Es10Error::Card(CardError::Status { .. })), "{err:?}");
    handle.verify().unwrap();

    // A transport failure on a fallback SELECT.
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(select(1, &ISD_R_AID_5BER)).fail(ErrorKind::Timeout);
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    assert!(matches!(err, Es10Error::Card(CardError::Transport(_))), "{err:?}");
    assert_eq!(handle.exchange_count(), 4, "nothing after the failure but the channel close");
}

#[test]
fn an_explicit_aid_is_the_only_one_tried() {
    // `--isd-r` with the standard AID: no fallback.
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::with_aid(ISD_R_AID)).unwrap_err();
    assert!(matches!(&err, Es10Error::IsdrNotFound { refused } if refused.len() == 1), "{err:?}");
    handle.verify().unwrap();

    // A vendor AID set in the options: only it, even with the default fallback list.
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID_XESIM)).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let options = IsdrOptions::default().with_isd_r_aid(ISD_R_AID_XESIM.to_vec());
    assert_eq!(options.candidate_aids(), [ISD_R_AID_XESIM.as_slice()]);
    let isdr = Isdr::open(&mut card, &options).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID_XESIM);
    drop(isdr);
    assert_eq!(handle.exchange_count(), 3);

    // An empty fallback list.
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let options = IsdrOptions::default().with_fallback_aids(Vec::new());
    assert!(Isdr::open(&mut card, &options).is_err());
    handle.verify().unwrap();
}

#[test]
fn the_fallback_works_on_the_basic_channel_too() {
    let mut mock = MockTransport::new();
    mock.expect(h("00 70 00 00 01")).respond(h("6881"));
    mock.expect(select(0, &ISD_R_AID)).respond(h("6A82"));
    mock.expect(select(0, &ISD_R_AID_5BER)).respond(h("6A82"));
    mock.expect(select(0, &ISD_R_AID_ESIM_ME)).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!((isdr.channel(), isdr.aid()), (0, ISD_R_AID_ESIM_ME.as_slice()));
    isdr.close().unwrap();
    handle.verify().unwrap();
}

/// A mock that opens logical channels to an application itself, as a modem does: the ISD-R
/// at `isdr_aid` gets channel 3 (SELECT response `9000`), other AIDs are refused with `refusal`.
fn modem(isdr_aid: &[u8], refusal: [u8; 2]) -> MockTransport {
    let isdr_aid = isdr_aid.to_vec();
    let mut mock = MockTransport::new();
    mock.open_channels_with(move |aid| match aid {
        Some(aid) if aid == isdr_aid => {
            ChannelOpening::Opened { number: 3, select_response: Some(h("9000")) }
        }
        Some(_) => ChannelOpening::Refused { sw: refusal },
        None => ChannelOpening::Unsupported,
    });
    mock
}

#[test]
fn a_modem_opens_the_isdr_channel_itself_and_is_asked_for_each_vendor_aid() {
    let mut mock = modem(&ISD_R_AID_5BER, [0x6A, 0x82]);
    // The only APDU on the wire: GetEID on channel 3 (CLA 83). No MANAGE CHANNEL, no SELECT.
    mock.expect(h("83 E2 91 00 06 BF3E035C015A 00"))
        .respond(h("BF3E125A1089882119900000000000000000000005 9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.aid(), ISD_R_AID_5BER);
    assert_eq!((isdr.channel(), isdr.is_logical_channel()), (3, true));
    assert_eq!(isdr.eid().unwrap().to_string(), "89882119900000000000000000000005");
    isdr.close().unwrap();
    handle.verify().unwrap();
    let open = |aid: &[u8]| ChannelRequest::Open(Some(aid.to_vec()));
    assert_eq!(
        handle.channel_requests(),
        [open(&ISD_R_AID), open(&ISD_R_AID_5BER), ChannelRequest::Close(3)]
    );
}

#[test]
fn a_modem_without_the_isdr_reports_every_aid_it_refused() {
    let mock = modem(&h("A000000099"), [0x6A, 0x82]);
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    let Es10Error::IsdrNotFound { refused } = err else { panic!("{err:?}") };
    let expected: Vec<_> = IsdrOptions::default()
        .candidate_aids()
        .iter()
        .map(|aid| (aid.to_vec(), StatusWord::FILE_NOT_FOUND))
        .collect();
    assert_eq!(refused, expected);
    assert_eq!(handle.exchange_count(), 0);
}

#[test]
fn a_modem_refusing_otherwise_stops_the_search() {
    // 6A81, function not supported (card locked): not a "not here".
    let mock = modem(&ISD_R_AID_5BER, [0x6A, 0x81]);
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let err = Isdr::open(&mut card, &IsdrOptions::default()).unwrap_err();
    assert!(
        matches!(err, Es10Error::Card(CardError::Status { operation: "SELECT", sw }) if sw.to_u16() == 0x6A81),
        "{err:?}"
    );
    assert_eq!(handle.channel_requests(), [ChannelRequest::Open(Some(ISD_R_AID.to_vec()))]);
    assert_eq!(handle.exchange_count(), 0);
}

#[test]
fn candidate_list_and_aid_lengths() {
    let options = IsdrOptions::default();
    assert_eq!(
        options.candidate_aids(),
        [
            ISD_R_AID.as_slice(),
            ISD_R_AID_5BER.as_slice(),
            ISD_R_AID_ESIM_ME.as_slice(),
            ISD_R_AID_XESIM.as_slice(),
            ISD_R_AID_ESTKME_SE0.as_slice(),
            ISD_R_AID_ESTKME_SE1.as_slice(),
            ISD_R_AID_ESTKME.as_slice()
        ]
    );
    // The standard AID in the list is not tried twice.
    let options = IsdrOptions::default().with_fallback_aids(vec![ISD_R_AID.to_vec(), h("A000000559")]);
    assert_eq!(options.candidate_aids(), [ISD_R_AID.as_slice(), h("A000000559").as_slice()]);
    // AIDs of 4 or 17 bytes: refused before any APDU.
    for options in [
        IsdrOptions::with_aid(h("A0000005")),
        IsdrOptions::default().with_fallback_aids(vec![vec![0xA0; 17]]),
    ] {
        let mock = MockTransport::new();
        let handle = mock.handle();
        let mut card = Card::new(mock);
        assert!(matches!(Isdr::open(&mut card, &options), Err(Es10Error::InvalidRequest(_))));
        assert_eq!(handle.exchange_count(), 0);
    }
    assert!(is_not_found(StatusWord::FILE_NOT_FOUND) && is_not_found(StatusWord::APPLET_SELECT_FAILED));
    assert!(
        !is_not_found(StatusWord::FUNCTION_NOT_SUPPORTED) && !is_not_found(StatusWord::INS_NOT_SUPPORTED)
    );
}

// --- Profiles by ICCID -----------------------------------------------------------------------

fn iccid() -> Iccid {
    "8944478600004573128".parse().unwrap()
}

/// The profile's ISD-P AID (the first one in published examples, lpac `docs/USAGE.md`).
const ISDP_AID: &str = "A0000005591010FFFFFFFF8900001000";

fn list_response() -> Vec<u8> {
    let other: Iccid = "8944478600004573136".parse().unwrap();
    ProfileInfoListResponse::new(Ok(vec![
        {
            let mut profile_info = ProfileInfo::new(other);
            profile_info.isdp_aid = Some(h("A0000005591010FFFFFFFF8900001100"));
            profile_info
        },
        {
            let mut profile_info = ProfileInfo::new(iccid());
            profile_info.isdp_aid = Some(h(ISDP_AID));
            profile_info
        },
    ]))
    .to_der()
}

/// A mock with the ISD-R open on channel 1.
fn isdr_mock() -> MockTransport {
    let mut mock = channel_1();
    mock.expect(select(1, &ISD_R_AID)).respond(h("9000"));
    mock
}

fn enable(profile: ProfileIdentifier) -> Vec<u8> {
    store_data(&EnableProfileRequest::new(profile, true).to_der())
}

fn enable_answer(result: Result<(), EnableProfileError>) -> Vec<u8> {
    ok(&EnableProfileResponse::new(result).to_der())
}

fn by_iccid() -> ProfileIdentifier {
    ProfileIdentifier::Iccid(iccid())
}

fn by_aid() -> ProfileIdentifier {
    ProfileIdentifier::IsdpAid(h(ISDP_AID))
}

/// Runs `f` on the ISD-R of `mock` (opened with `options`), closes it and checks that every
/// expected APDU came, in order. The transcript is returned without the channel close.
fn run_with(
    mut mock: MockTransport,
    options: &IsdrOptions,
    f: impl FnOnce(&mut Isdr<&mut Card<MockTransport>>) -> Result<(), Es10Error>,
) -> (Result<(), Es10Error>, Vec<String>) {
    mock.expect(h("00 70 80 01")).respond(h("9000"));
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut isdr = Isdr::open(&mut card, options).unwrap();
    let result = f(&mut isdr);
    isdr.close().unwrap();
    handle.verify().unwrap();
    let mut sent = commands(&handle);
    assert_eq!(sent.pop().as_deref(), Some("00708001"));
    (result, sent)
}

fn run(
    mock: MockTransport,
    f: impl FnOnce(&mut Isdr<&mut Card<MockTransport>>) -> Result<(), Es10Error>,
) -> (Result<(), Es10Error>, Vec<String>) {
    run_with(mock, &IsdrOptions::default(), f)
}

#[test]
fn a_card_that_accepts_the_iccid_gets_one_request() {
    let mut mock = isdr_mock();
    mock.expect(enable(by_iccid())).respond(enable_answer(Ok(())));
    let (result, sent) = run(mock, |isdr| isdr.enable_profile(iccid(), true));
    result.unwrap();
    assert_eq!(sent.len(), 3, "MANAGE CHANNEL, SELECT, one STORE DATA");
}

#[test]
fn enable_refused_by_iccid_is_sent_again_by_isdp_aid() {
    let mut mock = isdr_mock();
    mock.expect(enable(by_iccid())).respond(enable_answer(Err(EnableProfileError::IccidOrAidNotFound)));
    mock.expect(store_data(&h("BF2D00"))).respond(ok(&list_response()));
    mock.expect(enable(by_aid())).respond(enable_answer(Ok(())));
    let (result, sent) = run(mock, |isdr| isdr.enable_profile(iccid(), true));
    result.unwrap();
    // The exact requests: BF31 { A0 { 5A iccid }, 81 FF }, BF2D 00, BF31 { A0 { 4F aid }, 81 FF }.
    assert_eq!(
        &sent[2..],
        [
            "81E2910014BF3111A00C5A0A984474680000543721F88101FF00",
            "81E2910003BF2D0000",
            "81E291001ABF3117A0124F10A0000005591010FFFFFFFF89000010008101FF00",
        ]
    );
}

#[test]
fn disable_refused_with_undefined_error_is_sent_again_by_isdp_aid() {
    let mut mock = isdr_mock();
    let disable = |profile| store_data(&DisableProfileRequest::new(profile, false).to_der());
    mock.expect(disable(by_iccid()))
        .respond(ok(&DisableProfileResponse::new(Err(DisableProfileError::UndefinedError)).to_der()));
    mock.expect(store_data(&h("BF2D00"))).respond(ok(&list_response()));
    mock.expect(disable(by_aid())).respond(ok(&DisableProfileResponse::new(Ok(())).to_der()));
    let (result, _) = run(mock, |isdr| isdr.disable_profile(iccid(), false));
    result.unwrap();
}

#[test]
fn delete_refused_with_6a80_is_sent_again_by_isdp_aid() {
    let mut mock = isdr_mock();
    let delete = |profile| store_data(&DeleteProfileRequest::new(profile).to_der());
    mock.expect(delete(by_iccid())).respond(h("6A80"));
    mock.expect(store_data(&h("BF2D00"))).respond(ok(&list_response()));
    mock.expect(delete(by_aid())).respond(ok(&DeleteProfileResponse::new(Ok(())).to_der()));
    let (result, _) = run(mock, |isdr| isdr.delete_profile(iccid()));
    result.unwrap();
}

#[test]
fn the_second_answer_is_the_result() {
    let mut mock = isdr_mock();
    mock.expect(enable(by_iccid())).respond(enable_answer(Err(EnableProfileError::UndefinedError)));
    mock.expect(store_data(&h("BF2D00"))).respond(ok(&list_response()));
    mock.expect(enable(by_aid())).respond(enable_answer(Err(EnableProfileError::ProfileNotInDisabledState)));
    let (result, _) = run(mock, |isdr| isdr.enable_profile(iccid(), true));
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::ProfileNotInDisabledState))
        ),
        "{err:?}"
    );
}

#[test]
fn a_profile_the_card_does_not_list_keeps_the_first_answer() {
    let mut mock = isdr_mock();
    let missing: Iccid = "8944478600004573144".parse().unwrap();
    mock.expect(enable(ProfileIdentifier::Iccid(missing)))
        .respond(enable_answer(Err(EnableProfileError::IccidOrAidNotFound)));
    mock.expect(store_data(&h("BF2D00"))).respond(ok(&list_response()));
    let (result, sent) = run(mock, |isdr| isdr.enable_profile(missing, true));
    let err = result.unwrap_err();
    assert!(refuses_iccid_form(&err));
    assert_eq!(ErrorChain(&err).to_string(), "EnableProfile failed: iccidOrAidNotFound (1)");
    assert_eq!(sent.len(), 4, "no third request");

    // The listing itself refused: the first answer too.
    let mut mock = isdr_mock();
    mock.expect(enable(by_iccid())).respond(enable_answer(Err(EnableProfileError::IccidOrAidNotFound)));
    mock.expect(store_data(&h("BF2D00"))).respond(h("6A88"));
    let (result, _) = run(mock, |isdr| isdr.enable_profile(iccid(), true));
    assert!(matches!(
        result,
        Err(Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::IccidOrAidNotFound)))
    ));
}

#[test]
fn other_answers_are_not_a_refusal_of_the_iccid_form() {
    for result in [
        EnableProfileError::ProfileNotInDisabledState,
        EnableProfileError::DisallowedByPolicy,
        EnableProfileError::CatBusy,
    ] {
        let mut mock = isdr_mock();
        mock.expect(enable(by_iccid())).respond(enable_answer(Err(result)));
        let (outcome, sent) = run(mock, |isdr| isdr.enable_profile(iccid(), true));
        assert!(outcome.is_err());
        assert_eq!(sent.len(), 3, "{result}: no listing, no retry");
    }
    // A request by ISD-P AID is never retried.
    let mut mock = isdr_mock();
    mock.expect(enable(by_aid())).respond(enable_answer(Err(EnableProfileError::IccidOrAidNotFound)));
    let (outcome, sent) = run(mock, |isdr| isdr.enable_profile(by_aid(), true));
    assert!(outcome.is_err());
    assert_eq!(sent.len(), 3);
}

#[test]
fn the_iccid_fallback_can_be_turned_off() {
    let mut mock = isdr_mock();
    mock.expect(enable(by_iccid())).respond(enable_answer(Err(EnableProfileError::IccidOrAidNotFound)));
    let options = IsdrOptions::default().with_isdp_aid_fallback(false);
    let (outcome, sent) = run_with(mock, &options, |isdr| isdr.enable_profile(iccid(), true));
    assert!(outcome.is_err());
    assert_eq!(sent.len(), 3);
}
