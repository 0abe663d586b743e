//! The SCP02 host session over the apdu card layer ([`Scp02Session`]) against a scripted
//! transport replaying the published pySim trace, and against the SCP02 card simulator
//! ([`Scp02TestCard`], built on the card side of this crate), with injected faults.

#![cfg(feature = "std")]
// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardChannel};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_secure_channel::scp02::{
    IParameter, OpenOptions, Scp02Error, Scp02Session, SecretKey, SecurityLevel, StaticKeys, Step,
    put_key_command,
};
use oxicard_secure_channel::testcard::{INS_ECHO, Scp02TestCard, Scp02TestCardConfig};
use oxicard_secure_channel::{Error, ErrorKind};
use oxicard_transport::mock::MockTransport;
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ResetKind, Transport, TransportError};

type SimCard = Card<SimulatorTransport<Scp02TestCard>>;

const AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x20, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn sim_card(i: u8) -> SimCard {
    let config = Scp02TestCardConfig::new(keys(), IParameter::from_byte(i).unwrap());
    Card::new(SimulatorTransport::new(Scp02TestCard::new(config)))
}

fn sim(card: &SimCard) -> &Scp02TestCard {
    card.transport().simulator()
}

fn echo(data: &[u8], ne: u32) -> CommandView<'_> {
    CommandView::new(0x80, INS_ECHO, 0x00, 0x00).with_data(data).with_ne(ne)
}

fn options() -> OpenOptions {
    OpenOptions::new().with_aid(&AID).unwrap()
}

// osmocom/pysim tests/unittests/test_globalplatform.py SCP02_Auth_Test / SCP02_Test: the
// published INITIALIZE UPDATE, its response, EXTERNAL AUTHENTICATE and wrapped commands,
// through the card layer. The card answers KVN 70 to a request for 20: the keys are taken
// under the KVN it used.
#[test]
fn pysim_trace_through_the_card_layer() {
    let mut mock = MockTransport::new();
    mock.expect(hex::decode("805020000840A62C37FA6304F800").unwrap())
        .respond(hex::decode("00000000000000000000700200016B4524ABEE7CF32EA3838BC148F39000").unwrap());
    mock.expect(hex::decode("8482010010BA6961667737C5BCEBECE14C7D6A4376").unwrap()).respond([0x90, 0x00]);
    let steps = [
        ("80F22002", "84F220020814DB34FA4341DCA8"),
        ("80CA006600", "84CA00660855ED7C5FF069512B00"),
        ("80F220020A4F0212345C054F9F70C5", "84F22002124F0212345C054F9F70C58FC1B380C4228AF8"),
        ("80F28002024F0000", "84F280020A4F003B95F09317DE6A4E00"),
    ];
    for (_, wrapped) in steps {
        mock.expect(hex::decode(wrapped).unwrap()).respond([0x90, 0x00]);
    }
    let handle = mock.handle();
    let mut card = Card::new(mock);
    let keys = StaticKeys::new(
        0x20,
        &hex::decode("100102030405060708090a0b0c0d0e0f").unwrap(),
        &hex::decode("101102030405060708090a0b0c0d0e0f").unwrap(),
        &hex::decode("102102030405060708090a0b0c0d0e0f").unwrap(),
    )
    .unwrap();
    let options = OpenOptions::new().with_host_challenge(&hex::decode("40A62C37FA6304F8").unwrap()).unwrap();
    let mut session =
        Scp02Session::open_with(&mut card, &keys, IParameter::I15, SecurityLevel::C_MAC, &options, |info| {
            Ok(Some(keys.clone().with_kvn(info.kvn())))
        })
        .unwrap();
    assert_eq!(session.card_info().unwrap().kvn(), 0x70);
    for (plain, _) in steps {
        let plain = hex::decode(plain).unwrap();
        let rsp = session.transmit(&CommandView::parse(&plain).unwrap()).unwrap();
        assert_eq!(rsp.sw(), StatusWord::SUCCESS);
    }
    session.close();
    handle.verify().unwrap();
}

#[test]
fn every_explicit_i_and_level_against_the_simulator() {
    for i in [0x04u8, 0x05, 0x14, 0x15, 0x44, 0x45, 0x54, 0x55, 0x35, 0x75] {
        let i = IParameter::from_byte(i).unwrap();
        for level in SecurityLevel::ALL.into_iter().filter(|l| i.allows(*l)) {
            let mut card = sim_card(i.byte());
            let mut session = Scp02Session::open(&mut card, &keys(), i, level, &options()).unwrap();
            for data in [&b""[..], b"hello", &[0x5A; 200]] {
                let rsp = session.transmit(&echo(data, 256)).unwrap();
                assert_eq!((rsp.data(), rsp.sw()), (data, StatusWord::SUCCESS), "i {i:?} level {level:?}");
            }
            // An error status from the application, and a warning with data.
            let rsp =
                session.transmit(&CommandView::new(0x80, INS_ECHO, 0x6A, 0x88).with_data(b"x")).unwrap();
            assert_eq!((rsp.data(), rsp.sw()), (&b""[..], StatusWord::new(0x6A, 0x88)));
            let rsp =
                session.transmit(&CommandView::new(0x80, INS_ECHO, 0x63, 0x10).with_data(b"w")).unwrap();
            assert_eq!((rsp.data(), rsp.sw()), (&b"w"[..], StatusWord::new(0x63, 0x10)));
            let max = match (level.c_mac(), level.c_dec()) {
                (false, _) => 255,
                (true, false) => 247,
                (true, true) => 239,
            };
            assert_eq!(session.max_command_data(), max);
            let data = vec![0x11; max];
            assert_eq!(session.transmit(&echo(&data, 256)).unwrap().data(), &data[..]);
            if level.c_mac() {
                let err = session.transmit(&echo(&vec![0; max + 1], 256)).unwrap_err();
                assert!(
                    matches!(err, Scp02Error::Command(Error { kind: ErrorKind::DataTooLong, .. })),
                    "{err}"
                );
                assert!(!session.is_terminated());
            }
            session.close();
            // The counter advanced once, with EXTERNAL AUTHENTICATE.
            assert_eq!(sim(&card).sequence_counter(), 1);
        }
    }
}

#[test]
fn a_logical_channel() {
    let mut card = sim_card(0x55);
    let mut channel = card.open_channel().unwrap();
    let number = channel.channel_number();
    assert!(number > 0);
    let mut session =
        Scp02Session::open(&mut channel, &keys(), IParameter::I55, SecurityLevel::C_DEC_C_MAC, &options())
            .unwrap();
    assert_eq!(session.transmit(&echo(b"on a channel", 256)).unwrap().data(), b"on a channel");
    assert_eq!(session.state().channel(), number);
    session.close();
    drop(channel);
    // The echo went through the channel's session; closing the channel ended it.
    assert_eq!(sim(&card).count(INS_ECHO), 1);
    assert!(sim(&card).session(number).is_none());
}

#[test]
fn implicit_initiation_against_the_simulator() {
    for i in [0x0Au8, 0x0B, 0x1A, 0x1B] {
        let mut card = sim_card(i);
        let i = IParameter::from_byte(i).unwrap();
        let mut session = Scp02Session::open_implicit(&mut card, &keys(), i, &options()).unwrap();
        assert!(session.card_info().is_none());
        for data in [&b"first"[..], b"second", b""] {
            assert_eq!(session.transmit(&echo(data, 256)).unwrap().data(), data);
        }
        session.close();
        assert_eq!(sim(&card).sequence_counter(), 1);
        // A new implicit session uses the incremented counter.
        let mut session = Scp02Session::open_implicit(&mut card, &keys(), i, &options()).unwrap();
        assert_eq!(session.transmit(&echo(b"again", 256)).unwrap().data(), b"again");
        session.close();
        assert_eq!(sim(&card).sequence_counter(), 2);
        // Without an AID there is no implicit session.
        let err = Scp02Session::open_implicit(&mut card, &keys(), i, &OpenOptions::new()).unwrap_err();
        assert!(matches!(err, Scp02Error::Handshake(Error { kind: ErrorKind::InvalidAid, .. })));
    }
}

#[test]
fn put_key_replaces_the_key_set() {
    let mut card = sim_card(0x15);
    let mut session =
        Scp02Session::open(&mut card, &keys(), IParameter::I15, SecurityLevel::C_DEC_C_MAC, &options())
            .unwrap();
    let new = StaticKeys::new(0x21, &[0x51; 16], &[0x52; 16], &[0x53; 16]).unwrap();
    // PUT KEY with the key data the session encrypts with its DEK session key.
    let mut fields = Vec::new();
    for key in [new.enc(), new.mac(), new.dek()] {
        let mut enc = [0u8; 16];
        session.encrypt_key_data(key.as_bytes(), &mut enc).unwrap();
        fields.extend_from_slice(&[0x80, 0x10]);
        fields.extend_from_slice(&enc);
        fields.push(0x03);
        fields.extend_from_slice(&key.check_value());
    }
    let mut data = vec![0x21];
    data.extend_from_slice(&fields);
    let put_key = CommandView::new(0x80, 0xD8, 0x20, 0x81).with_data(&data).with_ne(256);
    let rsp = session.transmit(&put_key).unwrap();
    assert_eq!(rsp.sw(), StatusWord::SUCCESS);
    let mut expected = vec![0x21];
    for key in [new.enc(), new.mac(), new.dek()] {
        expected.extend_from_slice(&key.check_value());
    }
    assert_eq!(rsp.data(), &expected[..]);
    session.close();
    assert_eq!(sim(&card).keys(), &new);
    assert_eq!(sim(&card).sequence_counter(), 0);
    // The old keys no longer open a session; the new ones do.
    let err = Scp02Session::open(&mut card, &keys(), IParameter::I15, SecurityLevel::C_MAC, &options())
        .unwrap_err();
    assert!(
        matches!(err, Scp02Error::Status { step: Step::InitializeUpdate, sw } if sw == StatusWord::new(0x6A, 0x88))
    );
    let mut session =
        Scp02Session::open(&mut card, &new, IParameter::I15, SecurityLevel::C_MAC, &options()).unwrap();
    assert_eq!(session.transmit(&echo(b"new keys", 256)).unwrap().data(), b"new keys");
    // put_key_command builds the same command.
    let mut cmd = [0u8; 80];
    let dek_key = SecretKey::new([0; 16]);
    let n = put_key_command(
        &dek_key,
        oxicard_secure_channel::scp02::Initiation::Explicit,
        0x20,
        0x21,
        1,
        &[new.enc()],
        &mut cmd,
    )
    .unwrap();
    assert_eq!(&cmd[..6], &[0x80, 0xD8, 0x20, 0x01, 0x17, 0x21]);
    assert_eq!(n, 29);
}

#[test]
fn wrong_keys_stop_before_external_authenticate() {
    let mut card = sim_card(0x15);
    let wrong = StaticKeys::new(0x20, &[0x4F; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let err =
        Scp02Session::open(&mut card, &wrong, IParameter::I15, SecurityLevel::C_MAC, &options()).unwrap_err();
    assert!(
        matches!(err, Scp02Error::Handshake(Error { kind: ErrorKind::CardCryptogramMismatch, .. })),
        "{err}"
    );
    assert_eq!(sim(&card).count(0x82), 0);
    assert_eq!(sim(&card).sequence_counter(), 0);
}

/// A transport that flips a bit of the `n`-th response or command (0-based count of
/// exchanges) of the card underneath.
struct Flaky<T> {
    inner: T,
    count: usize,
    response_at: Option<usize>,
    command_at: Option<usize>,
}

impl<T: Transport> Transport for Flaky<T> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let n = self.count;
        self.count += 1;
        let mut command = command.to_vec();
        if self.command_at == Some(n) {
            let at = command.len() - 2;
            command[at] ^= 0x01;
        }
        let len = self.inner.exchange(&command, response)?;
        if self.response_at == Some(n) {
            response[len - 3] ^= 0x01;
        }
        Ok(len)
    }

    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.inner.reset(kind)
    }
}

fn flaky(
    i: u8,
    response_at: Option<usize>,
    command_at: Option<usize>,
) -> Card<Flaky<SimulatorTransport<Scp02TestCard>>> {
    let config = Scp02TestCardConfig::new(keys(), IParameter::from_byte(i).unwrap());
    let inner = SimulatorTransport::new(Scp02TestCard::new(config));
    Card::new(Flaky { inner, count: 0, response_at, command_at })
}

#[test]
fn a_bad_r_mac_terminates_the_session_and_wipes_its_keys() {
    // Exchanges: 0 INITIALIZE UPDATE, 1 EXTERNAL AUTHENTICATE, 2 first command, 3 second.
    let mut card = flaky(0x35, Some(3), None);
    let mut session = Scp02Session::open(
        &mut card,
        &keys(),
        IParameter::from_byte(0x35).unwrap(),
        SecurityLevel::C_MAC_R_MAC,
        &options(),
    )
    .unwrap();
    assert_eq!(session.transmit(&echo(b"fine", 256)).unwrap().data(), b"fine");
    let mut data = vec![0xEE; 4];
    let err = session.transmit_into(&echo(b"tampered", 256), &mut data).unwrap_err();
    assert!(matches!(err, Scp02Error::SecurityFailure(Error { kind: ErrorKind::MacMismatch, .. })), "{err}");
    assert!(err.is_security_failure() && data.is_empty());
    assert!(session.is_terminated() && session.state().is_terminated());
    // Keys wiped: no key material left to use.
    assert_eq!(
        session.encrypt_key_data(&[0; 16], &mut [0; 16]).unwrap_err().to_string(),
        "secure channel session terminated"
    );
    for _ in 0..2 {
        assert!(matches!(session.transmit(&echo(b"x", 256)).unwrap_err(), Scp02Error::Terminated));
    }
    let card = session.close();
    assert_eq!(card.transport().count, 4);
}

#[test]
fn a_bad_c_mac_makes_the_card_abort() {
    // The second wrapped command reaches the card with a flipped bit in its C-MAC.
    let mut card = flaky(0x15, None, Some(3));
    let mut session =
        Scp02Session::open(&mut card, &keys(), IParameter::I15, SecurityLevel::C_MAC, &options()).unwrap();
    assert_eq!(session.transmit(&echo(b"fine", 256)).unwrap().sw(), StatusWord::SUCCESS);
    // The card refuses it (6982) and every later command of the session.
    for _ in 0..3 {
        assert_eq!(session.transmit(&echo(b"x", 256)).unwrap().sw(), StatusWord::new(0x69, 0x82));
    }
    let card = session.close();
    let session_on_card = card.transport().inner.simulator().session(0).unwrap();
    assert!(session_on_card.state().is_terminated());
}
