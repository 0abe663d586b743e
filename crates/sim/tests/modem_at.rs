//! The simulated AT modem with the software eUICC behind it, driven by the real LPA
//! (`oxicard_euicc::isdr::Isdr` on an `oxicard_apdu::card::Card` over
//! `oxicard_transport::modem::at::AtModem`), over a socket pair and over a pseudo-terminal
//! (a `DeviceLink` on the slave path), with each modem quirk; then the modem's own answers,
//! byte for byte.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io;
use std::os::unix::net::UnixStream;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::{ProfileInfo, ProfileState};
use oxicard_euicc::isdr::{Es10Error, ISD_R_AID, Isdr, IsdrOptions, VENDOR_ISD_R_AIDS};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_sim::modem::at::{AtQuirks, CchoReply, SimulatedAtModem, SimulatedAtModemHandle, TestCommands};
use oxicard_sim::modem::pty::Pty;
use oxicard_transport::ErrorChain;
use oxicard_transport::modem::at::{AtModem, AtOptions};
use oxicard_transport::modem::{DeviceLink, ModemLink};
use oxicard_transport::sim::SimulatorTransport;

mod modem_support;
use modem_support::SharedCard;

/// The EID of the software eUICC (`DEFAULT_EID`).
const EID: &str = "89882119900000000000000000000005";

/// An eUICC with `n` profiles, the first enabled: several profiles make the profile list longer
/// than 256 bytes, so the card answers `61xx` and the LPA sends GET RESPONSE through the modem.
fn euicc_with_profiles(n: usize) -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    for index in 0..n {
        let iccid = format!("89444786000045731{index:02}");
        let mut profile = ProfileInfo::new(iccid.parse().unwrap());
        profile.profile_name = Some(format!("Profile number {index} with a long name"));
        profile.service_provider_name = Some("OXI".into());
        profile.state = Some(if index == 0 { ProfileState::Enabled } else { ProfileState::Disabled });
        euicc.install_profile_for_tests(profile).unwrap();
    }
    euicc
}

/// A modem with `quirks` in front of `card`, served on `stream` by a thread.
fn serve<S: io::Read + io::Write + Send + 'static>(
    card: &SharedCard,
    quirks: AtQuirks,
    stream: S,
) -> (SimulatedAtModemHandle, JoinHandle<io::Result<()>>) {
    let mut modem = SimulatedAtModem::new(Box::new(card.clone())).with_quirks(quirks);
    let handle = modem.handle();
    (handle, thread::spawn(move || modem.serve(stream)))
}

/// Options that keep a misbehaving test short; STORE DATA keeps a timeout of its own.
fn options() -> AtOptions {
    AtOptions::default()
        .with_command_timeout(Duration::from_secs(2))
        .with_store_data_timeout(Duration::from_secs(5))
        .with_sync(3, Duration::from_millis(500))
}

/// What the LPA read through the modem.
#[derive(Debug, PartialEq)]
struct Seen {
    eid: String,
    profiles: Vec<(String, Option<ProfileState>)>,
    channel: u8,
    modem_channels_while_open: usize,
}

/// Opens the ISD-R through an AT transport on `link`, reads the EID and the profiles, closes.
fn run_lpa<L: ModemLink>(link: L, options: AtOptions, modem: &SimulatedAtModemHandle) -> Seen {
    let mut card = Card::new(AtModem::open(link, options).unwrap());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let eid = isdr.eid().unwrap().digits();
    let profiles =
        isdr.profiles().unwrap().into_iter().map(|p| (p.iccid.unwrap().digits(), p.state)).collect();
    let seen =
        Seen { eid, profiles, channel: isdr.channel(), modem_channels_while_open: modem.open_channels() };
    isdr.close().unwrap();
    drop(card);
    seen
}

fn expected_profiles(n: usize) -> Vec<(String, Option<ProfileState>)> {
    (0..n)
        .map(|index| {
            let state = if index == 0 { ProfileState::Enabled } else { ProfileState::Disabled };
            (format!("89444786000045731{index:02}"), Some(state))
        })
        .collect()
}

/// Every quirk, one at a time, and the combinations real modems show together.
fn quirk_cases() -> Vec<(&'static str, AtQuirks)> {
    let quirks = AtQuirks::default;
    vec![
        ("well-behaved", quirks()),
        ("echo stays on", quirks().with_stuck_echo()),
        ("garbled echo", quirks().with_stuck_echo().with_garbled_echo()),
        ("=? answered ERROR", quirks().with_test_commands(TestCommands::Error)),
        ("=? not answered", quirks().with_test_commands(TestCommands::Silent)),
        ("+CCHO:1", quirks().with_ccho_reply(CchoReply::Compact)),
        ("bare session id", quirks().with_ccho_reply(CchoReply::Bare)),
        ("opaque session id", quirks().with_opaque_session_ids()),
        ("bare opaque session id", quirks().with_opaque_session_ids().with_ccho_reply(CchoReply::Bare)),
        ("+CGLA:4,…", quirks().without_space_after_colon()),
        ("+CREG before answers", quirks().with_unsolicited("+CREG: 1,\"00C3\",\"0000B4E5\",7")),
        ("RING before answers", quirks().with_unsolicited("RING").with_ccho_reply(CchoReply::Bare)),
        ("+CSIM only", quirks().csim_only()),
        ("+CSIM only, no space", quirks().csim_only().without_space_after_colon().with_stuck_echo()),
        ("verbose CME errors", quirks().with_verbose_errors()),
        ("+CCHC line", quirks().with_cchc_line()),
        ("slow STORE DATA", quirks().with_store_data_delay(Duration::from_millis(150))),
    ]
}

/// The checks every quirk must pass, the modem at `modem` having served one LPA session.
fn check(name: &str, seen: &Seen, modem: &SimulatedAtModemHandle, card: &SharedCard, profiles: usize) {
    assert_eq!(seen.eid, EID, "{name}");
    assert_eq!(seen.profiles, expected_profiles(profiles), "{name}");
    assert_eq!(seen.channel, 1, "{name}");
    assert_eq!(seen.modem_channels_while_open, 1, "{name}: the ISD-R's channel, open through the modem");
    assert_eq!(modem.open_channels(), 0, "{name}: every channel closed after the transport is dropped");
    assert_eq!(card.open_channels(), [0], "{name}: the card has only its basic channel open");
    let commands = modem.commands();
    assert!(commands.iter().all(|c| !c.ends_with("=?")), "{name}: a test command was sent: {commands:?}");
    assert_eq!(commands[..3], ["AT", "ATE0", "AT+CMEE=1"], "{name}");
}

#[test]
fn lpa_over_a_socket_pair_with_each_quirk() {
    for (name, quirks) in quirk_cases() {
        let card = SharedCard::new(euicc_with_profiles(2));
        let (host, device) = UnixStream::pair().unwrap();
        let csim_only = quirks.csim_only;
        let (modem, server) = serve(&card, quirks, device);
        let seen = run_lpa(host, options(), &modem);
        server.join().unwrap().unwrap();
        check(name, &seen, &modem, &card, 2);
        let commands = modem.commands();
        let ccho = commands.iter().filter(|c| c.starts_with("AT+CCHO=")).count();
        assert_eq!(ccho, 1, "{name}: AT+CCHO tried once, as the probe when CSIM-only");
        let (cgla, csim) = (
            commands.iter().filter(|c| c.starts_with("AT+CGLA=")).count(),
            commands.iter().filter(|c| c.starts_with("AT+CSIM=")).count(),
        );
        if csim_only {
            assert_eq!(cgla, 0, "{name}");
            // MANAGE CHANNEL, SELECT, GetEID, the profile list, MANAGE CHANNEL close.
            assert_eq!(csim, 5, "{name}: {commands:?}");
        } else {
            assert_eq!((cgla, csim), (2, 0), "{name}: {commands:?}");
            assert_eq!(commands.last().map(|c| c.starts_with("AT+CCHC=")), Some(true), "{name}");
        }
    }
}

#[test]
fn lpa_over_a_pseudo_terminal_with_each_quirk() {
    for (name, quirks) in quirk_cases() {
        let card = SharedCard::new(euicc_with_profiles(2));
        let pty = Pty::open().unwrap();
        let (modem, server) = serve(&card, quirks, pty.master().unwrap());
        let link = DeviceLink::open(pty.slave_path()).unwrap();
        assert!(link.is_terminal(), "{name}");
        let seen = run_lpa(link, options(), &modem);
        check(name, &seen, &modem, &card, 2);
        // Dropping the pair ends the modem: the master reads EIO only once no descriptor of the
        // slave is open, so this also shows the DeviceLink released its own.
        drop(pty);
        server.join().unwrap().unwrap();
    }
}

#[test]
fn the_device_link_sets_up_the_pseudo_terminal_as_a_serial_port() {
    use rustix::termios::{ControlModes, LocalModes, tcgetattr};
    let pty = Pty::open().unwrap();
    let link = DeviceLink::open(pty.slave_path()).unwrap();
    assert_eq!(link.path(), pty.slave_path());
    // Close-on-exec: a child process does not inherit the modem.
    let flags = rustix::io::fcntl_getfd(&link).unwrap();
    assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
    // Raw (no echo, no line editing), 8N1, no flow control, modem lines ignored, 115 200 baud.
    let termios = tcgetattr(&link).unwrap();
    assert!(!termios.local_modes.intersects(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG));
    let control = termios.control_modes;
    assert!(control.contains(ControlModes::CS8 | ControlModes::CLOCAL | ControlModes::CREAD));
    assert!(!control.intersects(ControlModes::PARENB | ControlModes::CSTOPB | ControlModes::CRTSCTS));
    assert_eq!(termios.output_speed(), 115_200);
    drop(link);

    // Other settings: a pseudo-terminal keeps the speed and the stop bits (Linux forces CS8
    // without parity on it, `drivers/tty/pty.c` `pty_set_termios`).
    let settings = oxicard_transport::modem::SerialSettings::default()
        .with_baud_rate(9600)
        .with_stop_bits(oxicard_transport::modem::StopBits::Two);
    let link = DeviceLink::open_with(pty.slave_path(), &settings).unwrap();
    let termios = tcgetattr(&link).unwrap();
    assert!(termios.control_modes.contains(ControlModes::CSTOPB));
    assert_eq!(termios.output_speed(), 9600);
}

#[test]
fn sixty_one_xx_goes_through_cgla_and_get_response_follows_on_the_session() {
    // Six profiles: the profile list is longer than 256 bytes; the eUICC answers 61xx, the
    // modem passes it on, the card layer sends GET RESPONSE on the same channel.
    let card = SharedCard::new(euicc_with_profiles(6));
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, AtQuirks::default().with_opaque_session_ids(), device);
    let seen = run_lpa(host, options(), &modem);
    server.join().unwrap().unwrap();
    check("61xx", &seen, &modem, &card, 6);
    let commands = modem.commands();
    let get_responses: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("AT+CGLA=000000000385a7cf,10,\"") && c.contains("C00000"))
        .collect();
    assert!(!get_responses.is_empty(), "no GET RESPONSE through AT+CGLA: {commands:?}");
}

#[test]
fn slow_store_data_needs_the_store_data_timeout() {
    // The modem takes 300 ms per STORE DATA: beyond a 100 ms command timeout, within the
    // STORE DATA one.
    let quirks = || AtQuirks::default().with_store_data_delay(Duration::from_millis(300));
    let card = SharedCard::new(euicc_with_profiles(1));
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, quirks(), device);
    let fast = options().with_command_timeout(Duration::from_millis(100));
    let seen = run_lpa(host, fast.with_store_data_timeout(Duration::from_secs(5)), &modem);
    server.join().unwrap().unwrap();
    check("slow", &seen, &modem, &card, 1);

    // With STORE DATA held to 100 ms too, GetEID times out.
    let card = SharedCard::new(euicc_with_profiles(1));
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, quirks(), device);
    let mut at =
        Card::new(AtModem::open(host, fast.with_store_data_timeout(Duration::from_millis(100))).unwrap());
    let mut isdr = Isdr::open(&mut at, &IsdrOptions::default()).unwrap();
    let err = isdr.eid().unwrap_err();
    let chain = ErrorChain(&err).to_string();
    assert!(chain.contains("AT+CGLA: no final result code within 100ms"), "{chain}");
    drop(isdr);
    drop(at);
    server.join().unwrap().unwrap();
    // The late answer was dropped; the session was still closed.
    assert_eq!(modem.open_channels(), 0);
    assert_eq!(card.open_channels(), [0]);
}

#[test]
fn a_modem_without_cchc_gets_its_channels_closed_by_manage_channel() {
    // Sierra EM9191's documentation lists no +CCHC (lpac issue #187): AT+CCHC is answered ERROR.
    // The channel is closed by MANAGE CHANNEL close in AT+CGLA of the session (ISO/IEC 7816-4
    // §11.1.2), and the next session is closed that way straight away.
    let card = SharedCard::new(euicc_with_profiles(1));
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, AtQuirks::default().without_cchc(), device);
    let mut at = Card::new(AtModem::open(host, options()).unwrap());
    for _ in 0..25 {
        // More sessions than the card has channels: none is leaked.
        let mut isdr = Isdr::open(&mut at, &IsdrOptions::default()).unwrap();
        assert_eq!(isdr.eid().unwrap().digits(), EID);
        isdr.close().unwrap();
        assert_eq!(card.open_channels(), [0]);
    }
    assert_eq!(at.transport().open_sessions(), 0);
    drop(at);
    server.join().unwrap().unwrap();
    let commands = modem.commands();
    let closes: Vec<&str> = commands
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with("AT+CCHC") || c.contains(",\"017080"))
        .collect();
    // One AT+CCHC tried, then `01 70 80 01` on the session each time.
    assert_eq!(closes.first().copied(), Some("AT+CCHC=1"));
    assert_eq!(closes.iter().filter(|c| c.starts_with("AT+CCHC")).count(), 1, "{closes:?}");
    assert_eq!(closes.iter().filter(|c| **c == "AT+CGLA=1,8,\"01708001\"").count(), 25, "{closes:?}");
    assert_eq!(modem.open_sessions(), 0);
    assert_eq!(card.open_channels(), [0]);
}

#[test]
fn the_transport_closes_its_sessions_when_dropped() {
    // The ISD-R handle is leaked (kept open); dropping the transport closes the session.
    let card = SharedCard::new(euicc_with_profiles(1));
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, AtQuirks::default(), device);
    let mut at = Card::new(AtModem::open(host, options()).unwrap());
    let mut isdr = Isdr::open(&mut at, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.eid().unwrap().digits(), EID);
    std::mem::forget(isdr);
    assert_eq!(modem.open_channels(), 1);
    drop(at);
    server.join().unwrap().unwrap();
    assert_eq!(modem.open_channels(), 0);
    assert_eq!(card.open_channels(), [0]);
}

#[test]
fn an_isd_r_at_a_vendor_aid_is_found_through_ccho() {
    // The default AID is answered +CME ERROR: 13 (the card refused the SELECT): the LPA asks
    // for the next AID, another AT+CCHO.
    let aid = VENDOR_ISD_R_AIDS[1];
    let euicc = SoftEuicc::in_memory(EuiccConfig { isdr_aid: aid.to_vec(), ..EuiccConfig::default() });
    let card = SharedCard::new(euicc);
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, AtQuirks::default(), device);
    let mut at = Card::new(AtModem::open(host, options()).unwrap());
    let mut isdr = Isdr::open(&mut at, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.aid(), aid);
    assert_eq!(isdr.eid().unwrap().digits(), EID);
    isdr.close().unwrap();
    drop(at);
    server.join().unwrap().unwrap();
    let ccho: Vec<String> = modem.commands().into_iter().filter(|c| c.starts_with("AT+CCHO=")).collect();
    assert_eq!(
        ccho,
        [
            format!("AT+CCHO=\"{}\"", hex::encode_upper(ISD_R_AID)),
            format!("AT+CCHO=\"{}\"", hex::encode_upper(VENDOR_ISD_R_AIDS[0])),
            format!("AT+CCHO=\"{}\"", hex::encode_upper(aid)),
        ]
    );
    assert_eq!(modem.open_channels(), 0);
    assert_eq!(card.open_channels(), [0]);
}

#[test]
fn no_isd_r_behind_the_modem_is_isdr_not_found() {
    // A card whose ISD-R is at no AID the LPA knows: every AT+CCHO answers +CME ERROR: 13.
    let euicc = SoftEuicc::in_memory(EuiccConfig {
        isdr_aid: hex::decode("A000000559101000000000000000FFFF").unwrap(),
        ..EuiccConfig::default()
    });
    let card = SharedCard::new(euicc);
    let (host, device) = UnixStream::pair().unwrap();
    let (modem, server) = serve(&card, AtQuirks::default().with_verbose_errors(), device);
    let mut at = Card::new(AtModem::open(host, options()).unwrap());
    let err = Isdr::open(&mut at, &IsdrOptions::default()).unwrap_err();
    let Es10Error::IsdrNotFound { refused } = err else { panic!("{err:?}") };
    assert_eq!(refused.len(), 1 + VENDOR_ISD_R_AIDS.len());
    drop(at);
    server.join().unwrap().unwrap();
    assert_eq!(modem.open_channels(), 0);
    assert_eq!(card.open_channels(), [0]);
}

/// The modem's answer to `line`, as text.
fn answer(modem: &mut SimulatedAtModem, line: &str) -> String {
    String::from_utf8(modem.respond(line)).unwrap()
}

fn modem(quirks: AtQuirks) -> SimulatedAtModem {
    SimulatedAtModem::new(Box::new(SimulatorTransport::new(SoftEuicc::new()))).with_quirks(quirks)
}

#[test]
fn the_modem_answers_byte_for_byte() {
    let mut m = modem(AtQuirks::default());
    // Echo on until ATE0 (V.250 E1 by default).
    assert_eq!(answer(&mut m, "AT"), "AT\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "ATE0"), "ATE0\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CMEE=1"), "\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CMEE?"), "\r\n+CMEE: 1\r\n\r\nOK\r\n");
    // lpac issue #143's exchange: the ISD-R opened on session 1, GetEUICCChallenge sent as
    // lpac sends it (no Le). The software eUICC answers `6115` (the 21 bytes wait for GET
    // RESPONSE), passed on as is; the card in the issue's log answered the data at once.
    assert_eq!(answer(&mut m, "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\""), "\r\n+CCHO: 1\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CGLA=1,16,\"81E2910003BF2E00\""), "\r\n+CGLA: 4,\"6115\"\r\n\r\nOK\r\n");
    let challenge = answer(&mut m, "AT+CGLA=1,10,\"81C0000015\"");
    assert!(challenge.starts_with("\r\n+CGLA: 46,\"BF2E1280"), "{challenge}");
    assert!(challenge.ends_with("9000\"\r\n\r\nOK\r\n"), "{challenge}");
    // The §8.45 NOTE: a CLA with the channel bits at zero reaches the session's channel too.
    assert!(answer(&mut m, "AT+CGLA=1,18,\"80E2910003BF2E0000\"").starts_with("\r\n+CGLA: 46,\"BF2E1280"));
    // Lengths count hex characters; a mismatch, an unknown session, an unknown command: ERROR.
    assert_eq!(answer(&mut m, "AT+CGLA=1,8,\"80E2910003BF2E00\""), "\r\nERROR\r\n");
    assert_eq!(answer(&mut m, "AT+CGLA=2,16,\"80E2910003BF2E00\""), "\r\nERROR\r\n");
    assert_eq!(answer(&mut m, "AT+XYZ"), "\r\nERROR\r\n");
    // An application the card lacks: +CME ERROR: 13.
    assert_eq!(answer(&mut m, "AT+CCHO=\"A0000000871002\""), "\r\n+CME ERROR: 13\r\n");
    assert_eq!(answer(&mut m, "AT+CCHC=1"), "\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CCHC=1"), "\r\nERROR\r\n");
    // lpac at_etsi_csim.c's forms through +CSIM.
    assert_eq!(answer(&mut m, "AT+CSIM=10,\"0070000001\""), "\r\n+CSIM: 6,\"019000\"\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CSIM=10,\"0070800100\""), "\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n");
    assert_eq!(m.handle().open_channels(), 0);
    assert_eq!(answer(&mut m, "AT+CCHO=?"), "\r\nOK\r\n");
}

#[test]
fn the_quirks_byte_for_byte() {
    let ccho = "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"";
    let mut m = modem(AtQuirks::default().with_stuck_echo().with_garbled_echo());
    assert_eq!(answer(&mut m, "ATE0"), "TE0\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CCHC=1"), "T+CCHC=1\r\n\r\nERROR\r\n");

    let mut m = modem(AtQuirks::default().with_test_commands(TestCommands::Error));
    m.respond("ATE0");
    assert_eq!(answer(&mut m, "AT+CCHO=?"), "\r\nERROR\r\n");
    let mut m = modem(AtQuirks::default().with_test_commands(TestCommands::Silent));
    m.respond("ATE0");
    assert_eq!(answer(&mut m, "AT+CGLA=?"), "");

    let mut m = modem(AtQuirks::default().with_ccho_reply(CchoReply::Bare).with_opaque_session_ids());
    m.respond("ATE0");
    assert_eq!(answer(&mut m, ccho), "\r\n000000000385a7cf\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, ccho), "\r\n000000000385a7d0\r\n\r\nOK\r\n");
    let mut m = modem(AtQuirks::default().with_ccho_reply(CchoReply::Compact).without_space_after_colon());
    m.respond("ATE0");
    assert_eq!(answer(&mut m, ccho), "\r\n+CCHO:1\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CSIM=10,\"00C0000000\""), "\r\n+CSIM:4,\"6985\"\r\n\r\nOK\r\n");

    let mut m = modem(AtQuirks::default().with_unsolicited("RING").csim_only().with_verbose_errors());
    m.respond("ATE0");
    assert_eq!(answer(&mut m, ccho), "\r\nRING\r\n\r\nERROR\r\n");
    m.respond("AT+CMEE=1");
    assert_eq!(
        answer(&mut m, "AT+CSIM=42,\"01A4040010A0000005591010FFFFFFFF8900000100\""),
        "\r\nRING\r\n\r\n+CSIM: 4,\"6881\"\r\n\r\nOK\r\n"
    );

    let mut m = modem(AtQuirks::default().with_verbose_errors().with_cchc_line());
    m.respond("ATE0");
    m.respond("AT+CMEE=1");
    assert_eq!(answer(&mut m, "AT+CCHO=\"A0000000871002\""), "\r\n+CME ERROR: SIM failure\r\n");
    assert_eq!(answer(&mut m, ccho), "\r\n+CCHO: 1\r\n\r\nOK\r\n");
    assert_eq!(answer(&mut m, "AT+CCHC=1"), "\r\n+CCHC\r\n\r\nOK\r\n");
}

#[test]
fn any_bytes_to_the_modem_are_answered_without_a_panic() {
    use std::io::Write;
    // Random lines, including binary noise, through the serve loop.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = Vec::new();
    for _ in 0..4000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.push(state as u8);
    }
    noise.extend_from_slice(b"\rAT+CSIM=4,\"00\"\rAT+CGLA=x\rAT+CCHO=\"zz\"\rAT+CMEE=9\rAT\r");
    let (mut host, device) = UnixStream::pair().unwrap();
    let card = SharedCard::new(SoftEuicc::new());
    let (_modem, server) = serve(&card, AtQuirks::default(), device);
    host.write_all(&noise).unwrap();
    host.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answers = Vec::new();
    io::Read::read_to_end(&mut host, &mut answers).unwrap();
    server.join().unwrap().unwrap();
    assert!(answers.ends_with(b"AT\r\n\r\nOK\r\n"), "the last AT is answered");
}
