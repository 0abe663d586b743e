//! PC/SC through a real stack: this crate's PC/SC transport -> libpcsclite ->
//! pcscd -> vsmartcard-vpcd -> this crate's vpcd bridge -> a tiny echo card.
//!
//! Needs `scripts/pcsc-stack.sh start`. Without the stack the tests print a
//! skip note and pass, unless `CI=true`, where they fail. All tests play a card
//! on "Virtual PCD 00 00" (port 35963): nextest runs `pcsc_*` tests one at a
//! time (`.config/nextest.toml`), and under `cargo test` a static mutex
//! serialises them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use oxicard_transport::pcsc::{ConnectOptions, OnReset, PcscCard, PcscContext, Protocols};
use oxicard_transport::sim::CardSimulator;
use oxicard_transport::vpcd::{DEFAULT_PORT, VirtualCard};
use oxicard_transport::{ErrorKind, ResetKind, Transport};

const READER: &str = "Virtual PCD 00 00";
const OTHER_READER: &str = "Virtual PCD 00 01";
/// The vpcd example ATR (T=0/T=1, valid TCK; vsmartcard's virtual nPA card).
const ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];
/// Hand-made example command: SELECT by DF name with a 2-byte AID (ISO/IEC 7816-4 §11.2.2).
const SELECT: [u8; 7] = [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00];
const SELECT_ECHO: [u8; 9] = [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00, 0x90, 0x00];
const WAIT: Duration = Duration::from_secs(5);

static STACK: Mutex<()> = Mutex::new(());

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    PowerOff,
    Reset,
    Apdu(Vec<u8>),
}

/// A tiny hand-made test card: READ BINARY (`INS B0`) answers P3 bytes
/// `00 01 02 …` (P3 = 0 means 256) and `90 00`; anything else is echoed,
/// followed by `90 00`. Logs what it sees.
#[derive(Debug, Default, Clone)]
struct EchoCard {
    events: Arc<Mutex<Vec<Event>>>,
}

impl EchoCard {
    fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

impl CardSimulator for EchoCard {
    fn atr(&self) -> &[u8] {
        &ATR
    }
    fn reset(&mut self) {
        self.events.lock().unwrap().push(Event::Reset);
    }
    fn power_off(&mut self) {
        self.events.lock().unwrap().push(Event::PowerOff);
    }
    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.events.lock().unwrap().push(Event::Apdu(command.to_vec()));
        match command {
            [_, 0xB0, _, _, p3] => {
                let len = if *p3 == 0 { 256 } else { usize::from(*p3) };
                response.extend((0..len).map(|i| i as u8));
            }
            _ => response.extend_from_slice(command),
        }
        response.extend_from_slice(&[0x90, 0x00]);
    }
}

/// The stack, or `None` (skip) when it is missing and CI does not require it.
fn stack() -> Option<(MutexGuard<'static, ()>, PcscContext)> {
    let guard = STACK.lock().unwrap_or_else(PoisonError::into_inner);
    let missing = match PcscContext::establish() {
        Ok(ctx) => match ctx.list_readers() {
            Ok(readers) if readers.iter().any(|r| r == READER) => return Some((guard, ctx)),
            Ok(readers) => format!("no reader {READER:?} (readers: {readers:?})"),
            Err(err) => format!("listing readers failed: {err}"),
        },
        Err(err) => format!("no PC/SC service: {err}"),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("PC/SC stack required on CI: {missing}; run scripts/pcsc-stack.sh start");
    }
    eprintln!("SKIPPED: {missing}; run scripts/pcsc-stack.sh start");
    None
}

/// Inserts `card` into "Virtual PCD 00 00" once the slot is empty (see the
/// README trap: a card connecting while pcscd still holds the old one fails).
fn insert(ctx: &PcscContext, card: EchoCard) -> VirtualCard<EchoCard> {
    ctx.wait_for_empty(READER, WAIT).unwrap();
    VirtualCard::spawn(card, DEFAULT_PORT).unwrap()
}

fn connect(ctx: &PcscContext, options: ConnectOptions) -> PcscCard {
    ctx.connect(READER, &options.wait_for_card(WAIT)).unwrap()
}

fn transmit(card: &mut impl Transport, command: &[u8]) -> Result<Vec<u8>, oxicard_transport::TransportError> {
    let mut buf = vec![0u8; oxicard_transport::MAX_RESPONSE_LEN];
    let len = card.transmit(command, &mut buf)?;
    buf.truncate(len);
    Ok(buf)
}

#[test]
fn pcsc_reader_listing_shows_card_presence_and_atr() {
    let Some((_guard, ctx)) = stack() else { return };
    let readers = ctx.list_readers().unwrap();
    assert!(readers.iter().any(|r| r == READER), "{readers:?}");
    assert!(readers.iter().any(|r| r == OTHER_READER), "{readers:?}");

    let vcard = insert(&ctx, EchoCard::default());
    ctx.wait_for_card(READER, WAIT).unwrap();
    let statuses = ctx.readers().unwrap();
    let ours = statuses.iter().find(|s| s.name == READER).unwrap();
    assert!(ours.card_present);
    assert_eq!(ours.atr.as_deref(), Some(&ATR[..]));
    assert!(!ours.mute);
    let other = statuses.iter().find(|s| s.name == OTHER_READER).unwrap();
    assert!(!other.card_present);
    assert_eq!(other.atr, None);
    assert_eq!(ctx.reader_status(READER).unwrap(), *ours);

    vcard.remove().unwrap();
    ctx.wait_for_empty(READER, WAIT).unwrap();
    let status = ctx.reader_status(READER).unwrap();
    assert!(!status.card_present);
    assert_eq!(status.atr, None);
}

#[test]
fn pcsc_connect_and_transmit_exact_bytes() {
    let Some((_guard, ctx)) = stack() else { return };
    let sim = EchoCard::default();
    let vcard = insert(&ctx, sim.clone());
    let mut card = connect(&ctx, ConnectOptions::default());
    assert_eq!(card.atr(), ATR);
    assert_eq!(card.reader(), READER);
    assert!(card.protocol().is_some());

    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    let mut expected: Vec<u8> = (0..16).collect();
    expected.extend_from_slice(&[0x90, 0x00]);
    assert_eq!(transmit(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x10]).unwrap(), expected);
    // A full short response: 256 data bytes + SW.
    let rsp = transmit(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
    assert_eq!(rsp.len(), 258);
    assert_eq!(rsp[255..], [0xFF, 0x90, 0x00]);

    // Too small a buffer: an error, never a truncation.
    let mut small = [0u8; 5];
    let err = card.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x10], &mut small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLong);
    assert_eq!(err.pcsc_error(), Some(pcsc::Error::InsufficientBuffer));
    // No APDU at all.
    let err = card.transmit(&[0x00, 0xA4], &mut small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);

    assert_eq!(
        sim.take_events().into_iter().filter(|e| matches!(e, Event::Apdu(_))).collect::<Vec<_>>(),
        [
            Event::Apdu(SELECT.to_vec()),
            Event::Apdu(vec![0x00, 0xB0, 0x00, 0x00, 0x10]),
            Event::Apdu(vec![0x00, 0xB0, 0x00, 0x00, 0x00]),
            Event::Apdu(vec![0x00, 0xB0, 0x00, 0x00, 0x10]),
        ]
    );
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}

#[test]
fn pcsc_exclusive_and_shared_exclude_each_other() {
    let Some((_guard, ctx)) = stack() else { return };
    let vcard = insert(&ctx, EchoCard::default());
    let other = PcscContext::establish().unwrap();

    let mut exclusive = connect(&ctx, ConnectOptions::default().exclusive());
    let err = other.connect(READER, &ConnectOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SharingViolation);
    assert_eq!(err.pcsc_error(), Some(pcsc::Error::SharingViolation));
    assert!(ctx.reader_status(READER).unwrap().exclusive);
    assert_eq!(transmit(&mut exclusive, &SELECT).unwrap(), SELECT_ECHO);
    exclusive.disconnect().unwrap();

    let mut shared = connect(&ctx, ConnectOptions::default());
    let mut shared_too = other.connect(READER, &ConnectOptions::default()).unwrap();
    let err = other.connect(READER, &ConnectOptions::default().exclusive()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SharingViolation);
    assert_eq!(transmit(&mut shared, &SELECT).unwrap(), SELECT_ECHO);
    assert_eq!(transmit(&mut shared_too, &SELECT).unwrap(), SELECT_ECHO);
    shared.disconnect().unwrap();
    shared_too.disconnect().unwrap();
    vcard.remove().unwrap();
}

#[test]
fn pcsc_transaction_guard_holds_off_others_until_dropped() {
    let Some((_guard, ctx)) = stack() else { return };
    let vcard = insert(&ctx, EchoCard::default());
    let mut card = connect(&ctx, ConnectOptions::default());
    let mut other = PcscContext::establish().unwrap().connect(READER, &ConnectOptions::default()).unwrap();

    let mut tx = card.transaction().unwrap();
    assert_eq!(tx.reader(), READER);
    assert_eq!(tx.atr(), ATR);
    assert_eq!(transmit(&mut tx, &SELECT).unwrap(), SELECT_ECHO);

    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let result = transmit(&mut other, &[0x00, 0xB0, 0x00, 0x00, 0x01]);
        done_tx.send(()).unwrap();
        (result.map_err(|e| e.kind()), started.elapsed(), other)
    });
    // The other application waits while our transaction is open.
    assert!(
        done_rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "other transmit went through the transaction"
    );
    assert_eq!(transmit(&mut tx, &SELECT).unwrap(), SELECT_ECHO);
    drop(tx);
    let (result, waited, other) = waiter.join().unwrap();
    assert_eq!(result, Ok(vec![0x00, 0x90, 0x00]));
    assert!(waited >= Duration::from_millis(300), "waited only {waited:?}");

    // A transaction can be ended explicitly too.
    card.transaction().unwrap().end().unwrap();
    other.disconnect().unwrap();
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}

#[test]
fn pcsc_removal_mid_session_then_reinsertion_and_reconnect() {
    let Some((_guard, ctx)) = stack() else { return };
    let vcard = insert(&ctx, EchoCard::default());
    let mut card = connect(&ctx, ConnectOptions::default());
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);

    let sim = vcard.remove().unwrap();
    let err = transmit(&mut card, &SELECT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved, "{err}");
    assert!(err.pcsc_error().is_some(), "{err:?}");
    ctx.wait_for_empty(READER, WAIT).unwrap();
    let err = transmit(&mut card, &SELECT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved, "{err}");

    // Insert the same simulator again; the old handle reconnects.
    let vcard = insert(&ctx, sim);
    ctx.wait_for_card(READER, WAIT).unwrap();
    card.reconnect().unwrap();
    assert_eq!(card.atr(), ATR);
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}

/// Another application resets the card under `card`.
fn reset_by_other(other: &PcscContext) {
    let mut intruder = other.connect(READER, &ConnectOptions::default()).unwrap();
    intruder.reset(ResetKind::Warm).unwrap();
    intruder.disconnect().unwrap();
}

#[test]
fn pcsc_reset_by_another_application_per_on_reset() {
    let Some((_guard, ctx)) = stack() else { return };
    let sim = EchoCard::default();
    let vcard = insert(&ctx, sim.clone());
    let other = PcscContext::establish().unwrap();

    // Fail: the error stays until the caller reconnects.
    let mut card = connect(&ctx, ConnectOptions::default().on_reset(OnReset::Fail));
    reset_by_other(&other);
    let err = transmit(&mut card, &SELECT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardReset);
    assert_eq!(err.pcsc_error(), Some(pcsc::Error::ResetCard));
    assert_eq!(transmit(&mut card, &SELECT).unwrap_err().kind(), ErrorKind::CardReset);
    card.reconnect().unwrap();
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    card.disconnect().unwrap();

    // Reconnect (default): one CardReset so the caller re-selects, then it works.
    let mut card = connect(&ctx, ConnectOptions::default());
    reset_by_other(&other);
    let err = transmit(&mut card, &SELECT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardReset);
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    card.disconnect().unwrap();

    // ReconnectAndRetry: transparent; the card sees the command once, after the reset.
    let mut card = connect(&ctx, ConnectOptions::default().on_reset(OnReset::ReconnectAndRetry));
    reset_by_other(&other);
    sim.take_events();
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    assert_eq!(sim.take_events(), [Event::Apdu(SELECT.to_vec())]);
    // Same for starting a transaction.
    reset_by_other(&other);
    let mut tx = card.transaction().unwrap();
    assert_eq!(transmit(&mut tx, &SELECT).unwrap(), SELECT_ECHO);
    drop(tx);
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}

#[test]
fn pcsc_warm_and_cold_reset_reach_the_card() {
    let Some((_guard, ctx)) = stack() else { return };
    let sim = EchoCard::default();
    let vcard = insert(&ctx, sim.clone());
    let mut card = connect(&ctx, ConnectOptions::default().protocols(Protocols::Any));
    sim.take_events();
    card.reset(ResetKind::Warm).unwrap();
    assert_eq!(sim.take_events(), [Event::Reset]);
    card.reset(ResetKind::Cold).unwrap();
    assert_eq!(sim.take_events(), [Event::PowerOff, Event::Reset]);
    assert_eq!(card.atr(), ATR);
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}

#[test]
fn pcsc_waiting_for_a_card_times_out() {
    let Some((_guard, ctx)) = stack() else { return };
    ctx.wait_for_empty(READER, WAIT).unwrap();
    let started = Instant::now();
    let err = ctx.wait_for_card(READER, Duration::from_millis(300)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let err = ctx.connect(READER, &ConnectOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCard);
    assert_eq!(err.pcsc_error(), Some(pcsc::Error::NoSmartcard));
    let err = ctx
        .connect(READER, &ConnectOptions::default().wait_for_card(Duration::from_millis(200)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);

    let err = ctx.wait_for_card("No Such Reader 00 00", Duration::from_millis(100)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoReader);
    let err = ctx.connect("No Such Reader 00 00", &ConnectOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoReader);

    // And a card inserted while waiting is found.
    let vcard = VirtualCard::spawn(EchoCard::default(), DEFAULT_PORT).unwrap();
    ctx.wait_for_card(READER, WAIT).unwrap();
    vcard.remove().unwrap();
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Round-trip latency of one APDU through pcscd + vpcd (printed, not asserted).
#[test]
fn pcsc_round_trip_latency() {
    let Some((_guard, ctx)) = stack() else { return };
    let vcard = insert(&ctx, EchoCard::default());
    let mut card = connect(&ctx, ConnectOptions::default());
    // Hand-made 8-byte command (case 4 with 2 data bytes), echoed: 10-byte response.
    let command = [0x80, 0xCA, 0x00, 0x00, 0x02, 0x12, 0x34, 0x00];
    let mut buf = [0u8; 258];
    for _ in 0..100 {
        card.exchange(&command, &mut buf).unwrap();
    }
    let mut times: Vec<Duration> = (0..2000)
        .map(|_| {
            let started = Instant::now();
            let len = card.exchange(&command, &mut buf).unwrap();
            let elapsed = started.elapsed();
            assert_eq!(buf[..len], [0x80, 0xCA, 0x00, 0x00, 0x02, 0x12, 0x34, 0x00, 0x90, 0x00]);
            elapsed
        })
        .collect();
    times.sort();
    println!(
        "pcscd+vpcd round trip (8-byte C-APDU, 10-byte R-APDU, 2000 APDUs, TCP_QUICKACK): \
         median {:?}, p99 {:?}, max {:?}",
        percentile(&times, 50),
        percentile(&times, 99),
        times[times.len() - 1]
    );
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}

/// For comparison: a card that does not re-arm TCP_QUICKACK (std only), 20 APDUs.
#[test]
fn pcsc_round_trip_latency_without_quickack_for_comparison() {
    use std::io::{Read, Write};
    let Some((_guard, ctx)) = stack() else { return };
    ctx.wait_for_empty(READER, WAIT).unwrap();
    let stream = std::net::TcpStream::connect(("127.0.0.1", DEFAULT_PORT)).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut card_side = stream.try_clone().unwrap();
    let server = std::thread::spawn(move || {
        let mut s = stream;
        loop {
            let mut len = [0u8; 2];
            if s.read_exact(&mut len).is_err() {
                return;
            }
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if s.read_exact(&mut body).is_err() {
                return;
            }
            let reply: Vec<u8> = match body.as_slice() {
                [4] => ATR.to_vec(),
                [_] => continue,
                apdu => [apdu, &[0x90, 0x00]].concat(),
            };
            let mut frame = u16::try_from(reply.len()).unwrap().to_be_bytes().to_vec();
            frame.extend_from_slice(&reply);
            if s.write_all(&frame).is_err() {
                return;
            }
        }
    });
    let mut card = connect(&ctx, ConnectOptions::default());
    let command = [0x80, 0xCA, 0x00, 0x00, 0x02, 0x12, 0x34, 0x00];
    let mut buf = [0u8; 258];
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let len = card.exchange(&command, &mut buf).unwrap();
            assert_eq!(len, 10);
            started.elapsed()
        })
        .collect();
    times.sort();
    println!("pcscd+vpcd round trip WITHOUT TCP_QUICKACK (20 APDUs): median {:?}", percentile(&times, 50));
    card.disconnect().unwrap();
    card_side.shutdown(std::net::Shutdown::Both).unwrap();
    let _ = card_side.flush();
    server.join().unwrap();
}

/// Dropping a `PcscCard` (or a transaction and then the card) disconnects with
/// `SCARD_LEAVE_CARD`: no reset reaches the card, and another application's handle (connected
/// with [`OnReset::Fail`], so it would see a reset as an error) goes on undisturbed.
#[test]
fn pcsc_dropping_a_card_leaves_it_as_it_is() {
    let Some((_guard, ctx)) = stack() else { return };
    let sim = EchoCard::default();
    let vcard = insert(&ctx, sim.clone());
    // Held throughout: it also keeps pcscd from powering the idle card down.
    let mut watcher = connect(&ctx, ConnectOptions::default().on_reset(OnReset::Fail));

    let mut card = connect(&ctx, ConnectOptions::default());
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    sim.take_events();
    drop(card);
    // A round trip after the drop: whatever the drop made pcscd send the card is logged before it.
    assert_eq!(transmit(&mut watcher, &SELECT).unwrap(), SELECT_ECHO);
    assert_eq!(sim.take_events(), [Event::Apdu(SELECT.to_vec())]);

    // The same with a transaction dropped first.
    let mut card = connect(&ctx, ConnectOptions::default());
    let mut tx = card.transaction().unwrap();
    assert_eq!(transmit(&mut tx, &SELECT).unwrap(), SELECT_ECHO);
    drop(tx);
    drop(card);
    sim.take_events();
    assert_eq!(transmit(&mut watcher, &SELECT).unwrap(), SELECT_ECHO);
    assert_eq!(sim.take_events(), [Event::Apdu(SELECT.to_vec())]);

    // An explicit reset is still one.
    let mut card = connect(&ctx, ConnectOptions::default());
    card.reset(ResetKind::Warm).unwrap();
    drop(card);
    assert_eq!(sim.take_events(), [Event::Reset]);
    assert_eq!(transmit(&mut watcher, &SELECT).unwrap_err().kind(), ErrorKind::CardReset);
    watcher.disconnect().unwrap();
    vcard.remove().unwrap();
}

/// Inside a transaction no other application's reset comes between our commands: its
/// `SCardReconnect(SCARD_RESET_CARD)` waits until the transaction ends. After it, our handle
/// (with [`OnReset::Fail`]) gets the typed [`ErrorKind::CardReset`] from the next transaction
/// and the next command alike, and sends nothing to the card until the caller reconnects.
#[test]
fn pcsc_reset_by_another_application_waits_for_our_transaction() {
    let Some((_guard, ctx)) = stack() else { return };
    let sim = EchoCard::default();
    let vcard = insert(&ctx, sim.clone());
    let mut card = connect(&ctx, ConnectOptions::default().on_reset(OnReset::Fail));
    let mut intruder = PcscContext::establish().unwrap().connect(READER, &ConnectOptions::default()).unwrap();
    sim.take_events();

    let mut tx = card.transaction().unwrap();
    assert_eq!(transmit(&mut tx, &SELECT).unwrap(), SELECT_ECHO);
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let resetter = std::thread::spawn(move || {
        let result = intruder.reset(ResetKind::Warm).map_err(|e| e.kind());
        done_tx.send(()).unwrap();
        (result, intruder)
    });
    assert!(done_rx.recv_timeout(Duration::from_millis(300)).is_err(), "the reset did not wait");
    assert_eq!(transmit(&mut tx, &SELECT).unwrap(), SELECT_ECHO);
    drop(tx);
    let (result, intruder) = resetter.join().unwrap();
    assert_eq!(result, Ok(()));
    // Both commands of the transaction came before the reset.
    assert_eq!(sim.take_events(), [Event::Apdu(SELECT.to_vec()), Event::Apdu(SELECT.to_vec()), Event::Reset]);

    let err = card.transaction().unwrap_err();
    assert_eq!((err.kind(), err.pcsc_error()), (ErrorKind::CardReset, Some(pcsc::Error::ResetCard)));
    assert!(err.to_string().contains(READER), "{err}");
    let err = transmit(&mut card, &SELECT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardReset);
    assert_eq!(sim.take_events(), []);
    card.reconnect().unwrap();
    assert_eq!(transmit(&mut card, &SELECT).unwrap(), SELECT_ECHO);
    intruder.disconnect().unwrap();
    card.disconnect().unwrap();
    vcard.remove().unwrap();
}
