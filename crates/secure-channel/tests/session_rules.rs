//! Session rules on deterministic examples (hand-built, not published vectors): fail
//! closed, counter limit, pending responses, buffer sizes, channels, error status words,
//! handshake checks.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{AID, Setup, encode_command};
use oxicard_secure_channel::scp03::{
    CardChallenge, CardHandshake, Handshake, IParameter, Mode, SecurityLevel, StaticKeys,
};
use oxicard_secure_channel::{Error, ErrorKind};

const GET_DATA: [u8; 5] = [0x80, 0xCA, 0x00, 0x66, 0x00];

#[test]
fn counter_limit_terminates_both_sides() {
    let (mut host, mut card) = Setup::new(SecurityLevel::C_DEC_C_MAC, Mode::S8).open();
    host.set_counter_limit(2);
    card.set_counter_limit(2);
    let mut wire = [0u8; 64];
    let mut plain = [0u8; 64];
    for expected in 1..=2 {
        let w = host.wrap(&GET_DATA, &mut wire).unwrap();
        card.unwrap_command(&wire[..w], &mut plain).unwrap();
        assert_eq!(host.state().encryption_counter(), expected);
        let w = card.wrap_response(&[0x90, 0x00], &mut wire).unwrap();
        host.unwrap(&wire[..w], &mut plain).unwrap();
    }
    assert_eq!(host.wrap(&GET_DATA, &mut wire).unwrap_err().kind, ErrorKind::CounterExhausted);
    assert!(host.state().is_terminated());
    assert_eq!(host.wrap(&GET_DATA, &mut wire).unwrap_err().kind, ErrorKind::Terminated);

    // The card, fed a third command produced by a host without the limit.
    let (mut host, mut card) = Setup::new(SecurityLevel::C_DEC_C_MAC, Mode::S8).open();
    card.set_counter_limit(2);
    for _ in 0..2 {
        let w = host.wrap(&GET_DATA, &mut wire).unwrap();
        card.unwrap_command(&wire[..w], &mut plain).unwrap();
    }
    let w = host.wrap(&GET_DATA, &mut wire).unwrap();
    assert_eq!(card.unwrap_command(&wire[..w], &mut plain).unwrap_err().kind, ErrorKind::CounterExhausted);
    assert!(card.state().is_terminated());
}

#[test]
fn counter_runs_only_with_encryption() {
    for (level, counts) in [
        (SecurityLevel::NONE, false),
        (SecurityLevel::C_MAC, false),
        (SecurityLevel::C_MAC_R_MAC, false),
        (SecurityLevel::C_DEC_C_MAC, true),
        (SecurityLevel::C_MAC_R_MAC_R_ENC, true),
        (SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, true),
    ] {
        let (mut host, _) = Setup::new(level, Mode::S8).open();
        let mut wire = [0u8; 64];
        host.wrap(&[0x80, 0xF2, 0x20, 0x02], &mut wire).unwrap();
        host.wrap(&GET_DATA, &mut wire).unwrap();
        assert_eq!(host.state().encryption_counter(), if counts { 2 } else { 0 }, "{level:?}");
    }
}

#[test]
fn usage_errors_leave_the_session_alone() {
    let (mut host, mut card) = Setup::new(SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, Mode::S16).open();
    let mut wire = [0u8; 128];
    let mut plain = [0u8; 128];
    // Unwrap before any wrap.
    assert_eq!(host.unwrap(&[0x90, 0x00], &mut plain).unwrap_err().kind, ErrorKind::NoPendingCommand);
    assert_eq!(card.wrap_response(&[0x90, 0x00], &mut wire).unwrap_err().kind, ErrorKind::NoPendingCommand);
    // Output too small: the error says how much is needed.
    let command = encode_command([0x80, 0xE2, 0x91, 0x00], &[1, 2, 3], Some(256));
    let needed = host.wrapped_len(&command).unwrap();
    assert_eq!(needed, 5 + 16 + 16 + 1);
    assert_eq!(host.wrap(&command, &mut wire[..needed - 1]).unwrap_err(), Error::buffer_too_small(needed));
    // Already secure messaging, malformed, another channel.
    assert_eq!(
        host.wrap(&[0x84, 0xCA, 0x00, 0x66, 0x00], &mut wire).unwrap_err().kind,
        ErrorKind::InvalidClass
    );
    assert_eq!(host.wrap(&[0x80, 0xCA, 0x00], &mut wire).unwrap_err().kind, ErrorKind::Truncated);
    assert_eq!(
        host.wrap(&[0x81, 0xCA, 0x00, 0x66, 0x00], &mut wire).unwrap_err().kind,
        ErrorKind::InvalidChannel
    );
    assert!(!host.state().is_terminated());
    assert_eq!(host.state().encryption_counter(), 0);
    // The session still works, on both sides.
    let w = host.wrap(&command, &mut wire).unwrap();
    assert_eq!(card.unwrap_command(&wire[..w], &mut plain[..w - 1]).unwrap_err(), Error::buffer_too_small(w));
    let p = card.unwrap_command(&wire[..w], &mut plain).unwrap();
    assert_eq!(plain[..p], command);
    let w = card
        .wrap_response(&[0xAB; 20].iter().chain(&[0x90, 0x00]).copied().collect::<Vec<_>>(), &mut wire)
        .unwrap();
    assert_eq!(w, 32 + 16 + 2);
    assert_eq!(host.unwrap(&wire[..w], &mut plain[..10]).unwrap_err().kind, ErrorKind::BufferTooSmall);
    assert_eq!(host.unwrap(&wire[..w], &mut plain).unwrap(), 22);
}

#[test]
fn error_status_words_carry_no_r_mac() {
    let (mut host, mut card) = Setup::new(SecurityLevel::C_MAC_R_MAC, Mode::S8).open();
    let mut wire = [0u8; 64];
    let mut plain = [0u8; 64];
    let w = host.wrap(&GET_DATA, &mut wire).unwrap();
    card.unwrap_command(&wire[..w], &mut plain).unwrap();
    // The card drops data under an error SW and sends the SW alone.
    let w = card.wrap_response(&[0x01, 0x02, 0x6A, 0x88], &mut wire).unwrap();
    assert_eq!(wire[..w], [0x6A, 0x88]);
    assert_eq!(host.unwrap(&wire[..w], &mut plain).unwrap(), 2);
    assert_eq!(plain[..2], [0x6A, 0x88]);
    // A warning SW is protected like 9000.
    let w = host.wrap(&GET_DATA, &mut wire).unwrap();
    card.unwrap_command(&wire[..w], &mut plain).unwrap();
    let w = card.wrap_response(&[0x63, 0xC2], &mut wire).unwrap();
    assert_eq!(w, 8 + 2);
    assert_eq!(host.unwrap(&wire[..w], &mut plain).unwrap(), 2);
    // 9000 without its R-MAC, or an error SW with data, fails closed.
    host.wrap(&GET_DATA, &mut wire).unwrap();
    assert_eq!(host.unwrap(&[0x90, 0x00], &mut plain).unwrap_err().kind, ErrorKind::MissingMac);
    assert!(host.state().is_terminated());
    let (mut host, _) = Setup::new(SecurityLevel::C_MAC_R_MAC, Mode::S8).open();
    host.wrap(&GET_DATA, &mut wire).unwrap();
    assert_eq!(host.unwrap(&[0x01, 0x6A, 0x82], &mut plain).unwrap_err().kind, ErrorKind::MissingMac);
    assert!(host.state().is_terminated());
}

#[test]
fn card_rejects_commands_without_secure_messaging() {
    let (_, mut card) = Setup::new(SecurityLevel::C_MAC, Mode::S8).open();
    let mut plain = [0u8; 64];
    // A plain command where a C-MAC is required: security error, session over.
    assert_eq!(card.unwrap_command(&GET_DATA, &mut plain).unwrap_err().kind, ErrorKind::MissingMac);
    assert!(card.state().is_terminated());
    // Even a correctly wrapped command is refused afterwards.
    let (mut host, _) = Setup::new(SecurityLevel::C_MAC, Mode::S8).open();
    let mut wire = [0u8; 64];
    let w = host.wrap(&GET_DATA, &mut wire).unwrap();
    assert_eq!(card.unwrap_command(&wire[..w], &mut plain).unwrap_err().kind, ErrorKind::Terminated);
}

#[test]
fn explicit_termination_wipes_the_session() {
    let (mut host, mut card) = Setup::new(SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, Mode::S8).open();
    host.terminate();
    card.terminate();
    let mut wire = [0u8; 64];
    assert_eq!(host.wrap(&GET_DATA, &mut wire).unwrap_err().kind, ErrorKind::Terminated);
    assert_eq!(card.unwrap_command(&GET_DATA, &mut wire).unwrap_err().kind, ErrorKind::Terminated);
    assert!(format!("{host:?}").contains("terminated: true"));
}

#[test]
fn level_none_passes_commands_unchanged() {
    let (mut host, mut card) = Setup::new(SecurityLevel::NONE, Mode::S8).open();
    let mut wire = [0u8; 64];
    let mut plain = [0u8; 64];
    let w = host.wrap(&GET_DATA, &mut wire).unwrap();
    assert_eq!(wire[..w], GET_DATA);
    assert_eq!(card.unwrap_command(&wire[..w], &mut plain).unwrap(), 5);
    let w = card.wrap_response(&[1, 2, 0x90, 0x00], &mut wire).unwrap();
    assert_eq!(host.unwrap(&wire[..w], &mut plain).unwrap(), 4);
}

#[test]
fn further_channels_use_b6_for_secure_messaging() {
    let mut setup = Setup::new(SecurityLevel::C_MAC, Mode::S8);
    setup.channel = 5;
    let (mut host, mut card) = setup.open();
    let mut wire = [0u8; 64];
    let mut plain = [0u8; 64];
    let w = host.wrap(&[0xC1, 0xCA, 0x00, 0x66, 0x00], &mut wire).unwrap();
    assert_eq!(wire[0], 0xE1);
    let p = card.unwrap_command(&wire[..w], &mut plain).unwrap();
    assert_eq!(plain[..p], [0xC1, 0xCA, 0x00, 0x66, 0x00]);
    // The same command on channel 1 belongs to another session.
    assert_eq!(host.wrap(&GET_DATA, &mut wire).unwrap_err().kind, ErrorKind::InvalidChannel);
}

fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[1; 16], &[2; 16], &[3; 16]).unwrap()
}

#[test]
fn handshake_checks() {
    let mut cmd = [0u8; 64];
    let mut rsp = [0u8; 64];
    let i_no_r = IParameter::from_byte(0x10).unwrap();
    let challenge = CardChallenge::PseudoRandom { sequence_counter: [0, 0, 1], aid: &AID };

    // The card does not offer R-MAC: level 33 is refused before EXTERNAL AUTHENTICATE.
    let hs = Handshake::new(keys(), &[7; 8], SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC).unwrap();
    let n = hs.initialize_update_command(&mut cmd).unwrap();
    let (_, m) =
        CardHandshake::initialize_update(&keys(), i_no_r, [0; 10], challenge, &cmd[..n], &mut rsp).unwrap();
    assert_eq!(
        hs.process_initialize_update_response(&rsp[..m]).unwrap_err().kind,
        ErrorKind::SecurityLevelNotSupported
    );

    // Other static keys: the card cryptogram does not verify.
    let hs = Handshake::new(
        StaticKeys::new(0x30, &[1; 16], &[9; 16], &[3; 16]).unwrap(),
        &[7; 8],
        SecurityLevel::C_MAC,
    )
    .unwrap();
    assert_eq!(
        hs.process_initialize_update_response(&rsp[..m]).unwrap_err().kind,
        ErrorKind::CardCryptogramMismatch
    );

    // Another selected AID: the pseudo-random challenge does not verify.
    let hs = Handshake::new(keys(), &[7; 8], SecurityLevel::C_MAC)
        .unwrap()
        .with_aid(&[0xA0, 0, 0, 1, 0x51])
        .unwrap();
    assert_eq!(
        hs.process_initialize_update_response(&rsp[..m]).unwrap_err().kind,
        ErrorKind::CardChallengeMismatch
    );

    // KVN: asked 31, the card answers with 30.
    let hs = Handshake::new(
        StaticKeys::new(0x31, &[1; 16], &[2; 16], &[3; 16]).unwrap(),
        &[7; 8],
        SecurityLevel::C_MAC,
    )
    .unwrap();
    assert_eq!(
        hs.process_initialize_update_response(&rsp[..m]).unwrap_err().kind,
        ErrorKind::KeyVersionMismatch
    );

    // An S16 host challenge to an S8 card: the card refuses (it would answer 6700).
    let hs = Handshake::new(keys(), &[7; 16], SecurityLevel::C_MAC).unwrap();
    let n = hs.initialize_update_command(&mut cmd).unwrap();
    let err = CardHandshake::initialize_update(&keys(), i_no_r, [0; 10], challenge, &cmd[..n], &mut rsp)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidChallengeLength);

    // The card refuses EXTERNAL AUTHENTICATE at a level its i does not offer.
    let hs = Handshake::new(keys(), &[7; 8], SecurityLevel::C_MAC).unwrap();
    let n = hs.initialize_update_command(&mut cmd).unwrap();
    let (card, m) =
        CardHandshake::initialize_update(&keys(), i_no_r, [0; 10], challenge, &cmd[..n], &mut rsp).unwrap();
    let auth = hs.process_initialize_update_response(&rsp[..m]).unwrap();
    let n = auth.external_authenticate_command(&mut cmd).unwrap();
    let mut forged = cmd[..n].to_vec();
    forged[2] = 0x33;
    assert_eq!(card.external_authenticate(&forged).unwrap_err().kind, ErrorKind::SecurityLevelNotSupported);

    // The card rejecting the host cryptogram answers 6300; the host reports it.
    let err = auth.process_external_authenticate_response(&[0x63, 0x00]).unwrap_err();
    assert_eq!((err.kind, err.detail), (ErrorKind::UnexpectedStatus, 0x6300));
}

#[test]
fn card_accepts_first_available_key_version() {
    let mut cmd = [0u8; 64];
    let mut rsp = [0u8; 64];
    let hs = Handshake::new(
        StaticKeys::new(0x00, &[1; 16], &[2; 16], &[3; 16]).unwrap(),
        &[7; 8],
        SecurityLevel::C_MAC,
    )
    .unwrap();
    let n = hs.initialize_update_command(&mut cmd).unwrap();
    assert_eq!(cmd[2], 0x00);
    let i = IParameter::from_byte(0x00).unwrap();
    let (_, m) = CardHandshake::initialize_update(
        &keys(),
        i,
        [0; 10],
        CardChallenge::Random(&[5; 8]),
        &cmd[..n],
        &mut rsp,
    )
    .unwrap();
    assert_eq!(m, 29 + 2);
    let auth = hs.process_initialize_update_response(&rsp[..m]).unwrap();
    assert_eq!(auth.card_info().kvn(), 0x30);
    assert_eq!(auth.card_info().sequence_counter(), None);
}
