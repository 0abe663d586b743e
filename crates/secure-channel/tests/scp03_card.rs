//! The host session over the apdu card layer ([`Scp03Session`]) against the SCP03 card
//! simulator ([`Scp03TestCard`], built on the card side of this crate) and against
//! scripted transports replaying the pySim vectors, with injected faults.

#![cfg(feature = "std")]
// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::vectors::{self, Section};
use oxicard_apdu::card::{Card, CardChannel, CardError, LogicalChannel};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_secure_channel::scp03::{
    Handshake, IParameter, Mode, OpenOptions, Scp03Error, Scp03Session, SecurityLevel, StaticKeys, Step,
};
use oxicard_secure_channel::testcard::{ATR, INS_ECHO, Scp03TestCard, Scp03TestCardConfig};
use oxicard_secure_channel::{Error, ErrorKind};
use oxicard_transport::mock::{Corruption, MockTransport};
use oxicard_transport::sim::SimulatorTransport;

type SimCard = Card<SimulatorTransport<Scp03TestCard>>;

const AID: [u8; 16] = common::AID;

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn i_for(mode: Mode, pseudo_random: bool) -> IParameter {
    let mut i = 0x60;
    if mode == Mode::S16 {
        i |= 0x01;
    }
    if pseudo_random {
        i |= 0x10;
    }
    IParameter::from_byte(i).unwrap()
}

fn sim_card(config: Scp03TestCardConfig) -> SimCard {
    Card::new(SimulatorTransport::new(Scp03TestCard::new(config)))
}

fn sim(card: &SimCard) -> &Scp03TestCard {
    card.transport().simulator()
}

fn echo(data: &[u8], ne: u32) -> CommandView<'_> {
    CommandView::new(0x80, INS_ECHO, 0, 0).with_data(data).with_ne(ne)
}

/// Echoes payloads of several sizes (short, 255, extended) through `session`.
fn exercise<C: CardChannel>(session: &mut Scp03Session<C>) {
    for len in [0usize, 1, 15, 16, 100, 239, 255, 256, 1000, 4096] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
        for ne in [0u32, 256, 65_536] {
            let rsp = session.transmit(&echo(&data, ne)).unwrap();
            assert_eq!((rsp.data(), rsp.sw()), (data.as_slice(), StatusWord::SUCCESS), "len {len} ne {ne}");
        }
    }
    // An error SW comes back alone (no R-MAC, Amendment D §6.2.5); the session goes on.
    let rsp = session.transmit(&CommandView::new(0x80, INS_ECHO, 0x6A, 0x82).with_data(&[1, 2])).unwrap();
    assert_eq!((rsp.data(), rsp.sw()), (&[][..], StatusWord::new(0x6A, 0x82)));
    // A warning keeps its data and its R-MAC.
    let rsp = session.transmit(&CommandView::new(0x80, INS_ECHO, 0x63, 0x10).with_data(&[3, 4])).unwrap();
    assert_eq!((rsp.data(), rsp.sw()), (&[3u8, 4][..], StatusWord::new(0x63, 0x10)));
    // An unknown instruction: 6D00 from the application, after the C-MAC verified.
    let rsp = session.transmit(&CommandView::new(0x80, 0xCA, 0x00, 0x66).with_ne(256)).unwrap();
    assert_eq!(rsp.sw(), StatusWord::new(0x6D, 0x00));
    assert!(!session.is_terminated());
}

#[test]
fn every_level_mode_and_channel() {
    for level in SecurityLevel::ALL {
        for mode in [Mode::S8, Mode::S16] {
            for (channel, pseudo_random) in [(0u8, true), (5, false)] {
                let what = format!("level {:02X} {mode:?} channel {channel}", level.byte());
                let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(mode, pseudo_random)));
                // Channels 1-4 stay open, so that the logical channel handle gets number 5.
                for _ in 1..channel {
                    card.open_channel_number().unwrap();
                }
                let options = OpenOptions::new().with_mode(mode).with_aid(&AID).unwrap();
                if channel == 0 {
                    let mut session = Scp03Session::open(&mut card, &keys(), level, &options).unwrap();
                    assert_eq!(session.security_level(), level, "{what}");
                    assert_eq!(session.state().mode(), mode, "{what}");
                    exercise(&mut session);
                    session.close();
                    let expected_cla = if level.c_mac() { 0x84 } else { 0x80 };
                    assert_eq!(sim(&card).last_command()[0], expected_cla, "{what}");
                } else {
                    let mut logical = card.open_channel().unwrap();
                    assert_eq!(logical.number(), 5);
                    let mut session = Scp03Session::open(&mut logical, &keys(), level, &options).unwrap();
                    assert_eq!(session.state().channel(), 5, "{what}");
                    exercise(&mut session);
                    session.close();
                    logical.into_number();
                    // Channel 5 in the further form: C1, with secure messaging E1 (b6).
                    let expected_cla = if level.c_mac() { 0xE1 } else { 0xC1 };
                    assert_eq!(sim(&card).last_command()[0], expected_cla, "{what}");
                    assert!(!sim(&card).session(5).unwrap().state().is_terminated(), "{what}");
                }
                assert_eq!(sim(&card).count(0x82), 1, "{what}");
            }
        }
    }
}

/// The session is a channel of its own: it owns its logical channel (which owns the card
/// borrow), sends generic code's commands wrapped on that channel's number, and neither opens
/// nor addresses another channel — without sending anything. Closing it gives the channel
/// back, which closes on drop.
#[test]
fn a_session_is_one_channel_and_may_own_it() {
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S8, true)));
    let logical = LogicalChannel::open(&mut card).unwrap();
    let level = SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC;
    let options = OpenOptions::new().with_aid(&AID).unwrap();
    let mut session = Scp03Session::open(logical, &keys(), level, &options).unwrap();
    assert_eq!((session.channel_number(), session.channel().number()), (1, 1));
    assert_eq!(session.max_command_data(), 239);
    let echoed = CardChannel::transmit(&mut session, &echo(b"generic", 256)).unwrap();
    assert_eq!(echoed.data(), b"generic");
    let count = session.state().encryption_counter();
    let mut data = Vec::new();
    assert!(matches!(session.open_logical_channel(None), Err(CardError::NotSupported { .. })));
    assert!(matches!(session.close_logical_channel(1), Err(CardError::NotSupported { .. })));
    assert!(matches!(
        session.transmit_on(0, &echo(b"x", 256), &mut data),
        Err(CardError::NotSupported { .. })
    ));
    // On its own number, `transmit_on` is the wrapped exchange.
    assert_eq!(session.transmit_on(1, &echo(b"own", 256), &mut data).unwrap(), StatusWord::SUCCESS);
    assert_eq!((data.as_slice(), session.state().encryption_counter()), (&b"own"[..], count + 1));
    drop(session.close());
    assert_eq!(sim(&card).count(0x70), 2, "MANAGE CHANNEL open and close, nothing else");
    assert!(sim(&card).session(1).is_none());
}

/// The simulator's ATR is the apdu crate's extended-length test card ATR, written out there.
#[test]
fn the_atr_is_the_apdu_test_cards() {
    assert_eq!(ATR, oxicard_apdu::testcard::ATR_EXTENDED);
    assert_eq!(sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S8, false))).atr(), &ATR[..]);
}

#[test]
fn long_responses_use_get_response_and_long_commands_extended_length() {
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S8, true)));
    let options = OpenOptions::new().with_aid(&AID).unwrap();
    let mut session =
        Scp03Session::open(&mut card, &keys(), SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, &options).unwrap();
    // 255 bytes: 256 encrypted + 8 R-MAC = 264 > Ne 256, so 256 bytes, 6108, GET RESPONSE.
    let data = [0x5Au8; 255];
    let rsp = session.transmit(&echo(&data, 256)).unwrap();
    assert_eq!((rsp.data(), rsp.sw()), (&data[..], StatusWord::SUCCESS));
    session.close();
    assert_eq!(sim(&card).count(0xC0), 1);
    assert_eq!(sim(&card).last_command(), [0x00, 0xC0, 0x00, 0x00, 0x08]);
    let mut session =
        Scp03Session::open(&mut card, &keys(), SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, &options).unwrap();
    // 1000 bytes: 1008 encrypted + 8 C-MAC, extended Lc 00 03 F8.
    let data = [0xA5u8; 1000];
    let rsp = session.transmit(&CommandView::new(0x80, INS_ECHO, 0, 0).with_data(&data)).unwrap();
    assert_eq!(rsp.data(), &data[..]);
    session.close();
    assert_eq!(&sim(&card).last_command()[..7], &[0x84, INS_ECHO, 0, 0, 0x00, 0x03, 0xF8]);
    assert_eq!(sim(&card).last_command().len(), 7 + 1016);
}

#[test]
fn random_host_challenges_differ() {
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S16, true)));
    let options = OpenOptions::new().with_mode(Mode::S16);
    let mut challenges = Vec::new();
    for _ in 0..3 {
        let session = Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &options).unwrap();
        session.close();
        let hc = sim(&card).last_command().to_vec(); // EXTERNAL AUTHENTICATE: cryptogram differs
        challenges.push(hc);
    }
    assert_ne!(challenges[0], challenges[1]);
    assert_ne!(challenges[1], challenges[2]);
    assert_eq!(sim(&card).sequence_counter(), 3);
}

#[test]
fn wrong_keys_are_rejected_before_external_authenticate() {
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S8, true)));
    let wrong = StaticKeys::new(0x30, &[0x40; 16], &[0x4F; 16], &[0x42; 16]).unwrap();
    let err = Scp03Session::open(&mut card, &wrong, SecurityLevel::C_MAC, &OpenOptions::new()).unwrap_err();
    assert!(matches!(err, Scp03Error::Handshake(Error { kind: ErrorKind::CardCryptogramMismatch, .. })));
    assert_eq!(err.to_string(), "SCP03 handshake failed");
    assert_eq!(
        oxicard_transport::ErrorChain(&err).to_string(),
        "SCP03 handshake failed: card cryptogram invalid"
    );
    // With the AID, a wrong Key-ENC shows in the pseudo-random challenge first.
    let wrong = StaticKeys::new(0x30, &[0x4F; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let options = OpenOptions::new().with_aid(&AID).unwrap();
    let err = Scp03Session::open(&mut card, &wrong, SecurityLevel::C_MAC, &options).unwrap_err();
    assert!(matches!(err, Scp03Error::Handshake(Error { kind: ErrorKind::CardChallengeMismatch, .. })));
    assert_eq!((sim(&card).count(0x50), sim(&card).count(0x82)), (2, 0));
    // Unknown key version: 6A88.
    let other_kvn = StaticKeys::new(0x31, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let err =
        Scp03Session::open(&mut card, &other_kvn, SecurityLevel::C_MAC, &OpenOptions::new()).unwrap_err();
    assert_eq!(err.status(), Some(StatusWord::new(0x6A, 0x88)));
    assert_eq!(err.to_string(), "INITIALIZE UPDATE answered 6A88: no key set with the requested key version");
    // An S8 challenge to an S16 card: 6700.
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S16, false)));
    let err = Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()).unwrap_err();
    assert!(matches!(err, Scp03Error::Status { step: Step::InitializeUpdate, .. }));
    assert_eq!(err.status(), Some(StatusWord::new(0x67, 0x00)));
}

#[test]
fn levels_the_i_parameter_does_not_offer_are_rejected() {
    for (i, refused) in [
        (0x10u8, &[0x11u8, 0x13, 0x31, 0x33][..]),
        (0x30, &[0x31, 0x33][..]),
        (0x00, &[0x11, 0x13, 0x31, 0x33][..]),
    ] {
        let mut card = sim_card(Scp03TestCardConfig::new(keys(), IParameter::from_byte(i).unwrap()));
        for level in SecurityLevel::ALL {
            let result = Scp03Session::open(&mut card, &keys(), level, &OpenOptions::new());
            if refused.contains(&level.byte()) {
                let err = result.unwrap_err();
                assert!(
                    matches!(
                        err,
                        Scp03Error::Handshake(Error { kind: ErrorKind::SecurityLevelNotSupported, .. })
                    ),
                    "i {i:02X} level {:02X}: {err}",
                    level.byte()
                );
            } else {
                result.unwrap().close();
            }
        }
        // EXTERNAL AUTHENTICATE is only sent for the levels the card offers.
        assert_eq!(sim(&card).count(0x82), 7 - refused.len(), "i {i:02X}");
    }
}

#[test]
fn simulator_answers_bad_external_authenticate_with_6300_and_6982() {
    let keys = keys();
    for (flip, expected) in [(5usize, [0x63u8, 0x00]), (14, [0x69, 0x82])] {
        let mut card = sim_card(Scp03TestCardConfig::new(keys.clone(), i_for(Mode::S8, false)));
        let host = Handshake::new(keys.clone(), &[1, 2, 3, 4, 5, 6, 7, 8], SecurityLevel::C_MAC).unwrap();
        let mut buf = [0u8; 64];
        let n = host.initialize_update_command(&mut buf).unwrap();
        let rsp = card.transmit(&CommandView::parse(&buf[..n]).unwrap()).unwrap();
        let mut raw = rsp.data().to_vec();
        raw.extend_from_slice(&rsp.sw().to_bytes());
        let auth = host.process_initialize_update_response(&raw).unwrap();
        let n = auth.external_authenticate_command(&mut buf).unwrap();
        // Byte 5 is in the host cryptogram, byte 14 in the C-MAC.
        buf[flip] ^= 0x01;
        let rsp = card.transmit(&CommandView::parse(&buf[..n]).unwrap()).unwrap();
        assert_eq!(rsp.sw().to_bytes(), expected);
        // The handshake is over: the same (repaired) command is refused.
        buf[flip] ^= 0x01;
        let rsp = card.transmit(&CommandView::parse(&buf[..n]).unwrap()).unwrap();
        assert_eq!(rsp.sw(), StatusWord::new(0x69, 0x85));
    }
}

#[test]
fn simulator_fails_closed_on_a_bad_c_mac() {
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S8, true)));
    let session = Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()).unwrap();
    session.close();
    // A command with secure messaging but a made-up C-MAC: 6982, and the card's session ends.
    let forged = [0x84, INS_ECHO, 0, 0, 0x09, 0xAA, 1, 2, 3, 4, 5, 6, 7, 8];
    let rsp = card.transmit(&CommandView::parse(&forged).unwrap()).unwrap();
    assert_eq!(rsp.sw(), StatusWord::new(0x69, 0x82));
    assert!(sim(&card).session(0).unwrap().state().is_terminated());
    let rsp = card.transmit(&echo(&[1], 0)).unwrap();
    assert_eq!(rsp.sw(), StatusWord::new(0x69, 0x82));
    // A new session works again.
    let mut session =
        Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()).unwrap();
    assert_eq!(session.transmit(&echo(&[1], 0)).unwrap().data(), [1]);
}

// --- pySim vectors (tests/vectors/pysim_scp03.txt) -------------------------------------------------

fn pysim() -> Vec<Section> {
    vectors::parse(include_str!("vectors/pysim_scp03.txt"))
}

fn vector_keys(s: &Section) -> StaticKeys {
    StaticKeys::new(s.byte("kvn"), &s.hex("enc"), &s.hex("mac"), &s.hex("dek")).unwrap()
}

fn vector_options(s: &Section) -> OpenOptions {
    OpenOptions::new().with_host_challenge(&s.hex("host_challenge")).unwrap().with_aid(&s.hex("aid")).unwrap()
}

/// The first wrapped command of a vector and its response, as a mock script.
fn pysim_mock(s: &Section) -> MockTransport {
    let mut mock = MockTransport::new();
    mock.expect(s.hex("initialize_update")).respond(s.hex("initialize_update_response"));
    mock.expect(s.hex("external_authenticate")).respond([0x90, 0x00]);
    // Without R-MAC the vector's response is the plain one.
    let response = s.hex("response");
    mock.expect(s.hex("wrapped")).respond(response);
    mock
}

#[test]
fn pysim_vectors_through_the_card_layer() {
    for s in pysim() {
        let mut card = Card::new(pysim_mock(&s));
        let handle = card.transport().handle();
        let level = SecurityLevel::from_byte(s.byte("security_level")).unwrap();
        let mut session =
            Scp03Session::open(&mut card, &vector_keys(&s), level, &vector_options(&s)).unwrap();
        let command = s.hex("command");
        let rsp = session.transmit(&CommandView::parse(&command).unwrap()).unwrap();
        let mut plain = rsp.data().to_vec();
        plain.extend_from_slice(&rsp.sw().to_bytes());
        assert_eq!(hex::encode(plain), s.get("unwrapped"), "[{}]", s.name);
        session.close();
        handle.verify().unwrap();
    }
}

#[test]
fn pysim_vectors_against_the_simulator() {
    // The simulator with the vector's keys, counter and AID answers INITIALIZE UPDATE with
    // exactly the vector's bytes, and protects the canned response as the vector's card did.
    for s in pysim() {
        let [_, _, _, a, b, c, _, _] = <[u8; 8]>::try_from(
            &s.hex("initialize_update_response")[s.hex("initialize_update_response").len() - 8..],
        )
        .unwrap();
        let counter = u32::from_be_bytes([0, a, b, c]) - 1;
        let mut config = Scp03TestCardConfig::new(vector_keys(&s), IParameter::S8_PSEUDO_RANDOM_RMAC_RENC);
        config.aid = s.hex("aid");
        config.sequence_counter = counter;
        config.canned = vec![(s.hex("command"), s.hex("unwrapped"))];
        let mut card = sim_card(config);
        let level = SecurityLevel::from_byte(s.byte("security_level")).unwrap();
        let mut session =
            Scp03Session::open(&mut card, &vector_keys(&s), level, &vector_options(&s)).unwrap();
        let rsp = session.transmit(&CommandView::parse(&s.hex("command")).unwrap()).unwrap();
        assert_eq!(rsp.data(), &s.hex("unwrapped")[..s.hex("unwrapped").len() - 2], "[{}]", s.name);
        session.close();
        let sim = sim(&card);
        assert_eq!(hex::encode(sim.last_command()), s.get("wrapped"), "[{}]", s.name);
        let expected_response = if level.r_mac() { s.hex("response") } else { s.hex("unwrapped") };
        assert_eq!(hex::encode(sim.last_response()), hex::encode(expected_response), "[{}]", s.name);
    }
}

#[test]
fn corrupted_response_mac_terminates_the_session() {
    let s = pysim().into_iter().find(|s| s.name == "pysim_aes128_33").unwrap();
    let mut mock = pysim_mock(&s);
    // Exchange #2 is the wrapped command; flip a bit of its R-MAC (the byte before the SW).
    let len = s.hex("response").len();
    mock.corrupt_nth(2, Corruption::FlipBit { byte: len - 3, bit: 0 });
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let mut session = Scp03Session::open(
        &mut card,
        &vector_keys(&s),
        SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
        &vector_options(&s),
    )
    .unwrap();
    let command = s.hex("command");
    let mut data = vec![0xEE; 4];
    let err = session.transmit_into(&CommandView::parse(&command).unwrap(), &mut data).unwrap_err();
    assert!(matches!(err, Scp03Error::SecurityFailure(Error { kind: ErrorKind::MacMismatch, .. })), "{err}");
    assert!(err.is_security_failure());
    assert!(data.is_empty());
    assert!(session.is_terminated());
    // Every later call fails without reaching the card.
    for _ in 0..2 {
        let err = session.transmit(&CommandView::parse(&command).unwrap()).unwrap_err();
        assert!(matches!(err, Scp03Error::Terminated));
    }
    assert_eq!(handle.exchange_count(), 3);
}

#[test]
fn a_lost_exchange_terminates_the_session() {
    let s = pysim().into_iter().find(|s| s.name == "pysim_aes128_11").unwrap();
    let mut mock = pysim_mock(&s);
    mock.drop_nth(2);
    let mut card = Card::new(mock);
    let level = SecurityLevel::C_MAC_R_MAC;
    let mut session = Scp03Session::open(&mut card, &vector_keys(&s), level, &vector_options(&s)).unwrap();
    let command = s.hex("command");
    let err = session.transmit(&CommandView::parse(&command).unwrap()).unwrap_err();
    assert!(matches!(err, Scp03Error::Card(_)), "{err}");
    let err = session.transmit(&CommandView::parse(&command).unwrap()).unwrap_err();
    assert!(matches!(err, Scp03Error::Terminated));
}

#[test]
fn external_authenticate_status_words_have_their_meaning() {
    let s = pysim().into_iter().find(|s| s.name == "pysim_aes128_03").unwrap();
    for (sw, text) in [
        (
            [0x63u8, 0x00],
            "EXTERNAL AUTHENTICATE answered 6300: authentication of the host cryptogram failed: wrong keys; \
             do not retry, failures lock the key set",
        ),
        (
            [0x69, 0x82],
            "EXTERNAL AUTHENTICATE answered 6982: security status not satisfied: the card rejected the C-MAC \
             of EXTERNAL AUTHENTICATE",
        ),
    ] {
        let mut mock = MockTransport::new();
        mock.expect(s.hex("initialize_update")).respond(s.hex("initialize_update_response"));
        mock.expect(s.hex("external_authenticate")).respond(sw);
        let mut card = Card::new(mock);
        let err =
            Scp03Session::open(&mut card, &vector_keys(&s), SecurityLevel::C_DEC_C_MAC, &vector_options(&s))
                .unwrap_err();
        assert_eq!(err.status(), Some(StatusWord::from(sw)));
        assert_eq!(err.to_string(), text);
    }
}

#[test]
fn commands_that_cannot_be_wrapped_leave_the_session_intact() {
    let mut card = sim_card(Scp03TestCardConfig::new(keys(), i_for(Mode::S8, true)));
    let mut session =
        Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC_R_MAC, &OpenOptions::new()).unwrap();
    // Already marked as secure messaging.
    let err = session.transmit(&CommandView::new(0x84, INS_ECHO, 0, 0)).unwrap_err();
    assert!(matches!(err, Scp03Error::Command(Error { kind: ErrorKind::InvalidClass, .. })), "{err}");
    // 65 535 bytes + the C-MAC do not fit.
    let big = vec![0u8; 65_535];
    let err = session.transmit(&echo(&big, 0)).unwrap_err();
    assert!(matches!(err, Scp03Error::Command(Error { kind: ErrorKind::DataTooLong, .. })), "{err}");
    assert!(!session.is_terminated());
    assert_eq!(session.transmit(&echo(&[9], 0)).unwrap().data(), [9]);
}
