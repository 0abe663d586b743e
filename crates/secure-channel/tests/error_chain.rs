//! The error chain of an SCP03 session, as printed with `ErrorChain`: an R-MAC that does not
//! verify (GP Card Spec Amendment D §6.2.5: the session ends), wrong static keys (the card
//! cryptogram, §6.2.2.2), the card refusing EXTERNAL AUTHENTICATE and the transport failing
//! during the handshake, against the SCP03 test card. Each message says what its own layer was
//! doing; none repeats its cause's.

#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::CommandView;
use oxicard_apdu::card::{Card, CardChannel, CardError};
use oxicard_secure_channel::scp03::{
    IParameter, OpenOptions, Scp03Error, Scp03Session, SecurityLevel, StaticKeys,
};
use oxicard_secure_channel::testcard::{INS_ECHO, Scp03TestCard, Scp03TestCardConfig};
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ErrorChain, ResetKind, Transport, TransportError};

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

/// What the wire does to one exchange, by number from 0.
enum Damage {
    /// Flips the lowest bit of the byte before the status word (the last byte of the R-MAC).
    FlipBeforeSw(usize),
    /// Answers this status word instead of the card.
    Answer(usize, [u8; 2]),
    /// Fails with the operating system's error.
    Unplug(usize),
}

/// The SCP03 test card behind a wire that damages one exchange.
struct Wire {
    card: SimulatorTransport<Scp03TestCard>,
    damage: Damage,
    count: usize,
}

impl Transport for Wire {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let index = self.count;
        self.count += 1;
        match self.damage {
            Damage::Unplug(n) if n == index => {
                let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader unplugged");
                Err(TransportError::io(pipe).with_detail("sending EXTERNAL AUTHENTICATE"))
            }
            Damage::Answer(n, sw) if n == index => {
                response[..2].copy_from_slice(&sw);
                Ok(2)
            }
            Damage::FlipBeforeSw(n) if n == index => {
                let len = self.card.exchange(command, response)?;
                response[len - 3] ^= 0x01;
                Ok(len)
            }
            _ => self.card.exchange(command, response),
        }
    }
    fn atr(&self) -> &[u8] {
        self.card.atr()
    }
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.card.reset(kind)
    }
}

fn card(damage: Damage) -> Card<Wire> {
    let config = Scp03TestCardConfig::new(keys(), IParameter::from_byte(0x70).unwrap());
    let card = SimulatorTransport::new(Scp03TestCard::new(config));
    Card::new(Wire { card, damage, count: 0 })
}

fn assert_reads_once(messages: &[String]) {
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its cause {:?}", pair[0], pair[1]);
    }
}

#[test]
fn an_r_mac_that_does_not_verify() {
    // Exchanges: INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, then the wrapped command.
    let mut card = card(Damage::FlipBeforeSw(2));
    let mut session =
        Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC_R_MAC, &OpenOptions::new()).unwrap();
    // Sent as any channel's command: the session's failure is the card layer's SecureChannel.
    let command = CommandView::new(0x80, INS_ECHO, 0, 0).with_data(&[1, 2, 3]).with_ne(256);
    let err = CardChannel::transmit(&mut session, &command).unwrap_err();
    assert!(matches!(&err, CardError::SecureChannel(_)), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(chain.messages(), ["secure channel", "security failure, session terminated", "MAC invalid"]);
    assert_eq!(chain.to_string(), "secure channel: security failure, session terminated: MAC invalid");
    assert_reads_once(&chain.messages());
}

#[test]
fn wrong_static_keys() {
    let mut card = card(Damage::Unplug(usize::MAX));
    let wrong = StaticKeys::new(0x30, &[0x40; 16], &[0x4F; 16], &[0x42; 16]).unwrap();
    let err = Scp03Session::open(&mut card, &wrong, SecurityLevel::C_MAC, &OpenOptions::new()).unwrap_err();
    assert!(matches!(err, Scp03Error::Handshake(_)), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(chain.messages(), ["SCP03 handshake failed", "card cryptogram invalid"]);
    assert_reads_once(&chain.messages());
}

#[test]
fn the_card_refuses_external_authenticate() {
    // GP Card Spec Amendment D §7.1.2: 6300, authentication of the host cryptogram failed.
    let mut card = card(Damage::Answer(1, [0x63, 0x00]));
    let err = Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()).unwrap_err();
    let chain = ErrorChain(&err);
    assert_eq!(
        chain.messages(),
        ["EXTERNAL AUTHENTICATE answered 6300: authentication of the host cryptogram failed: wrong keys; \
             do not retry, failures lock the key set"]
    );
}

#[test]
fn the_transport_fails_during_the_handshake() {
    let mut card = card(Damage::Unplug(1));
    let err = Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()).unwrap_err();
    assert!(matches!(err, Scp03Error::Card(CardError::Transport(_))), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(
        chain.to_string(),
        "transport failed: card removed: sending EXTERNAL AUTHENTICATE: reader unplugged"
    );
    assert_reads_once(&chain.messages());
}
