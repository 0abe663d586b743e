//! The AT transport against a scripted modem on the other end of a socket pair: the exact
//! bytes it writes, the answers of real modems it must read (each from a published log, cited
//! per test), timeouts, the `+CSIM` fallback, the release of sessions, and arbitrary device
//! bytes.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use oxicard_transport::modem::at::{AtError, AtModem, AtOptions, ChannelAccess};
use oxicard_transport::{ChannelOpening, ErrorKind, Transport};
use proptest::prelude::*;

/// The ISD-R AID (SGP.22 §2.2.3).
const ISD_R: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];

const OK: &[u8] = b"\r\nOK\r\n";

/// One step of a scripted modem: the command line it expects (without CR LF), what it answers,
/// and how long it waits first.
struct Step {
    expect: &'static str,
    answer: Vec<u8>,
    delay: Duration,
}

fn step(expect: &'static str, answer: &[u8]) -> Step {
    Step { expect, answer: answer.to_vec(), delay: Duration::ZERO }
}

fn slow(expect: &'static str, answer: &[u8], delay: Duration) -> Step {
    Step { expect, answer: answer.to_vec(), delay }
}

/// The start every transport makes: `AT`, `ATE0`, `AT+CMEE=1`, all answered `OK`.
fn start() -> Vec<Step> {
    vec![step("AT", OK), step("ATE0", OK), step("AT+CMEE=1", OK)]
}

/// Reads one CR LF terminated line; `None` at end of file. Panics on a line not ended by CR LF.
fn read_line(stream: &mut UnixStream) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return None,
            Ok(_) => line.push(byte[0]),
        }
        if line.ends_with(b"\r\n") {
            line.truncate(line.len() - 2);
            return Some(String::from_utf8(line).unwrap());
        }
        assert!(!line.ends_with(b"\n"), "a line ending in LF without CR: {line:?}");
    }
}

/// A modem that plays `script`, then answers anything else `ERROR`, until the transport hangs
/// up; returns every line it received. A line other than the expected one fails the test.
fn scripted(script: Vec<Step>) -> (UnixStream, JoinHandle<Vec<String>>) {
    let (host, mut modem) = UnixStream::pair().unwrap();
    let thread = thread::spawn(move || {
        let mut received = Vec::new();
        let mut script = script.into_iter();
        while let Some(line) = read_line(&mut modem) {
            received.push(line.clone());
            match script.next() {
                Some(step) => {
                    assert_eq!(line, step.expect, "command {}", received.len());
                    thread::sleep(step.delay);
                    if modem.write_all(&step.answer).is_err() {
                        break;
                    }
                }
                None => {
                    let _ = modem.write_all(b"\r\nERROR\r\n");
                }
            }
        }
        received
    });
    (host, thread)
}

fn transport(host: UnixStream) -> AtModem<UnixStream> {
    AtModem::open(host, AtOptions::default()).unwrap()
}

fn exchange(transport: &mut impl Transport, apdu: &str) -> Result<String, oxicard_transport::TransportError> {
    let mut response = vec![0u8; 300];
    let len = transport.exchange(&hex::decode(apdu).unwrap(), &mut response)?;
    Ok(hex::encode_upper(&response[..len]))
}

#[test]
fn lpac_issue_143_session_byte_for_byte() {
    // estkme-group/lpac issue #143, the user's AT_DEBUG log of a working modem: the CCHO, the
    // first two STORE DATA (GetEUICCChallenge `BF2E`, GetEUICCInfo1 `BF20`), and the `+CCHC`
    // line its CCHC answers.
    let mut script = start();
    script.extend([
        step("AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", b"\r\n+CCHO: 1\r\n\r\nOK\r\n"),
        step(
            "AT+CGLA=1,16,\"81E2910003BF2E00\"",
            b"\r\n+CGLA: 46,\"BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000\"\r\n\r\nOK\r\n",
        ),
        step(
            "AT+CGLA=1,16,\"81E2910003BF2000\"",
            b"\r\n+CGLA: 116,\"BF20358203020300A916041481370F5125D0B1D408D4C3B232E6D25E795BEBFBAA16041481370F5125D0B1D408D4C3B232E6D25E795BEBFB9000\"\r\n\r\nOK\r\n",
        ),
        step("AT+CCHC=1", b"\r\n+CCHC\r\n\r\nOK\r\n"),
    ]);
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    assert_eq!(
        at.open_logical_channel(Some(&ISD_R)).unwrap(),
        ChannelOpening::Opened { number: 1, select_response: None }
    );
    assert_eq!(at.session_id(1), Some("1"));
    assert_eq!(
        exchange(&mut at, "81E2910003BF2E00").unwrap(),
        "BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000"
    );
    assert_eq!(
        exchange(&mut at, "81E2910003BF2000").unwrap(),
        "BF20358203020300A916041481370F5125D0B1D408D4C3B232E6D25E795BEBFBAA16041481370F5125D0B1D408D4C3B232E6D25E795BEBFB9000"
    );
    assert!(at.close_logical_channel(1).unwrap());
    assert!(!at.close_logical_channel(1).unwrap(), "closed already: not ours any more");
    drop(at);
    let received = modem.join().unwrap();
    assert_eq!(received.len(), 7, "nothing after the script: {received:?}");
}

#[test]
fn lpac_at_csim_fallback_when_ccho_is_missing() {
    // A modem without `+CCHO` (Dell DW5821e, lpac issue #164) answers `ERROR`; the card layer
    // then opens and closes the channel itself in `+CSIM` — the forms of lpac's
    // `driver/apdu/at_etsi_csim.c` (`0070000001`, `0070800100`).
    let mut script = start();
    script.extend([
        step("AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", b"\r\nERROR\r\n"),
        step("AT+CSIM=10,\"0070000001\"", b"\r\n+CSIM: 6,\"019000\"\r\n\r\nOK\r\n"),
        step(
            "AT+CSIM=42,\"01A4040010A0000005591010FFFFFFFF8900000100\"",
            b"\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n",
        ),
        step("AT+CSIM=16,\"81E2910003BF2E00\"", b"\r\n+CSIM: 4,\"6A88\"\r\n\r\nOK\r\n"),
        step("AT+CSIM=10,\"0070800100\"", b"\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n"),
    ]);
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    assert_eq!(at.open_logical_channel(Some(&ISD_R)).unwrap(), ChannelOpening::Unsupported);
    assert!(at.uses_csim_only());
    // Probed once: the next opening asks the modem nothing.
    assert_eq!(at.open_logical_channel(Some(&ISD_R)).unwrap(), ChannelOpening::Unsupported);
    assert_eq!(exchange(&mut at, "0070000001").unwrap(), "019000");
    assert_eq!(exchange(&mut at, "01A4040010A0000005591010FFFFFFFF8900000100").unwrap(), "9000");
    assert_eq!(exchange(&mut at, "81E2910003BF2E00").unwrap(), "6A88");
    assert!(!at.close_logical_channel(1).unwrap(), "the card layer's channel, not the transport's");
    assert_eq!(exchange(&mut at, "0070800100").unwrap(), "9000");
    drop(at);
    assert_eq!(modem.join().unwrap().len(), 8);
}

#[test]
fn sessions_never_take_the_number_of_a_channel_the_card_layer_opened() {
    // Channel 1 opened by MANAGE CHANNEL in +CSIM (no AID: no AT+CCHO); the session of the next
    // AT+CCHO is numbered 2, and CLA 81 still goes in +CSIM, CLA 82 in +CGLA.
    let mut script = start();
    script.extend([
        step("AT+CSIM=10,\"0070000001\"", b"\r\n+CSIM: 6,\"019000\"\r\n\r\nOK\r\n"),
        step("AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", b"\r\n+CCHO: 5\r\n\r\nOK\r\n"),
        step("AT+CSIM=10,\"81F2000000\"", b"\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n"),
        step("AT+CGLA=5,10,\"82F2000000\"", b"\r\n+CGLA: 4,\"9000\"\r\n\r\nOK\r\n"),
        step("AT+CSIM=10,\"0070800100\"", b"\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n"),
        step("AT+CCHC=5", OK),
    ]);
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    assert_eq!(at.open_logical_channel(None).unwrap(), ChannelOpening::Unsupported);
    assert_eq!(exchange(&mut at, "0070000001").unwrap(), "019000");
    assert_eq!(
        at.open_logical_channel(Some(&ISD_R)).unwrap(),
        ChannelOpening::Opened { number: 2, select_response: None }
    );
    assert_eq!(exchange(&mut at, "81F2000000").unwrap(), "9000");
    assert_eq!(exchange(&mut at, "82F2000000").unwrap(), "9000");
    assert_eq!(exchange(&mut at, "0070800100").unwrap(), "9000");
    drop(at);
    assert_eq!(modem.join().unwrap().len(), 9);
}

#[test]
fn ccho_refusals_by_cme_code() {
    let aid = "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"";
    let mut script = start();
    script.extend([
        // 13, SIM failure: the ISD-R AID on a SIM that is no eUICC (commaai/openpilot PR #37979).
        step(aid, b"\r\n+CME ERROR: 13\r\n"),
        // Verbose: the text of 27.007 §9.2.1 maps back to 4, operation not supported.
        step(aid, b"\r\n+CME ERROR: operation not supported\r\n"),
    ]);
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    assert_eq!(at.open_logical_channel(Some(&ISD_R)).unwrap(), ChannelOpening::Refused { sw: [0x6A, 0x82] });
    assert!(!at.uses_csim_only(), "a refusal by the card says nothing about +CCHO");
    assert_eq!(at.open_logical_channel(Some(&ISD_R)).unwrap(), ChannelOpening::Unsupported);
    assert!(at.uses_csim_only());
    drop(at);
    modem.join().unwrap();

    // 3, operation not allowed (lpac docs/backends/at.md: often a modem setting): an error that
    // names the command and the code, the AtError behind it.
    let mut script = start();
    script.push(step(aid, b"\r\n+CME ERROR: 3\r\n"));
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    let err = at.open_logical_channel(Some(&ISD_R)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(err.detail(), Some("AT+CCHO answered +CME ERROR: 3 (operation not allowed)"));
    let source = std::error::Error::source(&err).unwrap().downcast_ref::<AtError>().unwrap();
    assert_eq!(source.cme().and_then(|e| e.code()), Some(3));
    drop(at);
    modem.join().unwrap();
}

#[test]
fn real_modem_answer_styles() {
    // Echo on (ATE0 ignored), a URC before the answer, a bare 16-hex-digit session id (Sierra
    // MC7455's handle, lpac issue #138, in FM350-GL's bare style, issue #209), `+CGLA:` without
    // a space (SIMCom A7908E, lpac PR #238, `+CGLA:4,"611A"`: 61xx passed on as is), and the
    // truncated echo `T+CCHC=…` (FM350-GL, lpac issue #179).
    let ccho = "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"";
    let mut script = vec![
        step("AT", b"AT\r\r\nOK\r\n"),
        step("ATE0", b"ATE0\r\r\nOK\r\n"),
        step("AT+CMEE=1", b"AT+CMEE=1\r\r\nOK\r\n"),
    ];
    script.extend([
        step(
            ccho,
            b"AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"\r\r\n+CREG: 1,\"00C3\",\"0000B4E5\",7\r\n\r\nRING\r\n\r\n000000000385a7cf\r\n\r\nOK\r\n",
        ),
        step("AT+CGLA=000000000385a7cf,16,\"81E2910003BF3C00\"", b"\r\n+CPIN: READY\r\n\r\n+CGLA:4,\"611A\"\r\n\r\nOK\r\n"),
        step("AT+CCHC=000000000385a7cf", b"T+CCHC=000000000385a7cf\r\r\nOK\r\n"),
    ]);
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    assert_eq!(
        at.open_logical_channel(Some(&ISD_R)).unwrap(),
        ChannelOpening::Opened { number: 1, select_response: None }
    );
    assert_eq!(at.session_id(1), Some("000000000385a7cf"));
    assert_eq!(exchange(&mut at, "81E2910003BF3C00").unwrap(), "611A");
    assert_eq!(at.open_sessions(), 1);
    drop(at); // closes the session
    assert_eq!(modem.join().unwrap().last().map(String::as_str), Some("AT+CCHC=000000000385a7cf"));
}

#[test]
fn sync_retries_after_a_garbled_first_line() {
    // A modem holding half a command line answers the first `AT` with `ERROR`.
    let mut script = vec![step("AT", b"\r\nERROR\r\n")];
    script.extend(start());
    let (host, modem) = scripted(script);
    let at = transport(host);
    drop(at);
    assert_eq!(modem.join().unwrap(), ["AT", "AT", "ATE0", "AT+CMEE=1"]);
}

#[test]
fn a_silent_modem_is_a_timeout_after_every_try() {
    let (host, _modem) = UnixStream::pair().unwrap();
    let options = AtOptions::default().with_sync(2, Duration::from_millis(50));
    let err = AtModem::open(host, options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(
        err.detail(),
        Some("the modem did not answer AT with OK in 2 tries; last: AT: no final result code within 50ms")
    );
}

#[test]
fn ate0_and_cmee_refused_are_fine() {
    let script = vec![step("AT", OK), step("ATE0", b"\r\nERROR\r\n"), step("AT+CMEE=1", b"\r\nERROR\r\n")];
    let (host, modem) = scripted(script);
    drop(transport(host));
    assert_eq!(modem.join().unwrap().len(), 3);
}

#[test]
fn store_data_waits_longer_than_other_commands_and_late_answers_are_dropped() {
    let ccho = "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"";
    let late = Duration::from_millis(300);
    let mut script = start();
    script.extend([
        step(ccho, b"\r\n+CCHO: 1\r\n\r\nOK\r\n"),
        // STORE DATA answered after 300 ms: within its timeout.
        slow("AT+CGLA=1,16,\"81E2910003BF2E00\"", b"\r\n+CGLA: 4,\"9000\"\r\n\r\nOK\r\n", late),
        // GET RESPONSE answered after 300 ms: beyond the command timeout.
        slow("AT+CGLA=1,10,\"81C0000000\"", b"\r\n+CGLA: 4,\"9000\"\r\n\r\nOK\r\n", late),
        // The next command must get its own answer, not the late one: first `ATS3?`.
        step("ATS3?", b"\r\n013\r\n\r\nOK\r\n"),
        step("AT+CGLA=1,10,\"81C0000000\"", b"\r\n+CGLA: 4,\"6A82\"\r\n\r\nOK\r\n"),
        step("AT+CCHC=1", OK),
    ]);
    let (host, modem) = scripted(script);
    let options = AtOptions::default()
        .with_command_timeout(Duration::from_millis(100))
        .with_store_data_timeout(Duration::from_secs(5));
    let mut at = AtModem::open(host, options).unwrap();
    at.open_logical_channel(Some(&ISD_R)).unwrap();
    assert_eq!(exchange(&mut at, "81E2910003BF2E00").unwrap(), "9000");
    let err = exchange(&mut at, "81C0000000").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.detail(), Some("AT+CGLA: no final result code within 100ms"));
    thread::sleep(late * 2);
    assert_eq!(exchange(&mut at, "81C0000000").unwrap(), "6A82");
    drop(at);
    assert_eq!(modem.join().unwrap().len(), 9);
}

#[test]
fn a_late_answer_arriving_after_the_next_command_is_not_taken_for_its_answer() {
    // The modem answers in order, the timed-out STORE DATA first: the transport's `ATS3?` reads
    // the late `+CGLA`/`OK`, then `013`/`OK`; the next command gets its own answer.
    let mut script = start();
    script.extend([
        step("AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", b"\r\n+CCHO: 1\r\n\r\nOK\r\n"),
        slow(
            "AT+CGLA=1,16,\"81E2910003BF2E00\"",
            b"\r\n+CGLA: 4,\"9000\"\r\n\r\nOK\r\n",
            Duration::from_millis(300),
        ),
        step("ATS3?", b"\r\n013\r\n\r\nOK\r\n"),
        step("AT+CGLA=1,10,\"81C0000000\"", b"\r\n+CGLA: 4,\"6A82\"\r\n\r\nOK\r\n"),
        step("AT+CCHC=1", OK),
    ]);
    let (host, modem) = scripted(script);
    let options = AtOptions::default().with_store_data_timeout(Duration::from_millis(100));
    let mut at = AtModem::open(host, options).unwrap();
    at.open_logical_channel(Some(&ISD_R)).unwrap();
    assert_eq!(exchange(&mut at, "81E2910003BF2E00").unwrap_err().kind(), ErrorKind::Timeout);
    // At once: `ATS3?` goes while the modem is still busy, and waits up to the command timeout.
    assert_eq!(exchange(&mut at, "81C0000000").unwrap(), "6A82");
    drop(at);
    assert_eq!(modem.join().unwrap().len(), 8);
}

#[test]
fn a_modem_without_s3_read_costs_one_command_once() {
    let mut script = start();
    script.extend([
        slow("AT+CSIM=10,\"00C0000000\"", b"\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n", Duration::from_millis(150)),
        step("ATS3?", b"\r\nERROR\r\n"),
        step("AT+CSIM=10,\"00C0000000\"", b"\r\n+CSIM: 4,\"6A82\"\r\n\r\nOK\r\n"),
    ]);
    let (host, modem) = scripted(script);
    let options = AtOptions::default().with_command_timeout(Duration::from_millis(100));
    let mut at = AtModem::open(host, options).unwrap();
    assert_eq!(exchange(&mut at, "00C0000000").unwrap_err().kind(), ErrorKind::Timeout);
    // No `013`: the resynchronisation times out, the command is not sent.
    let err = exchange(&mut at, "00C0000000").unwrap_err();
    assert_eq!(err.detail(), Some("ATS3?: no final result code within 100ms"));
    // Given up: the next command goes at once.
    assert_eq!(exchange(&mut at, "00C0000000").unwrap(), "6A82");
    drop(at);
    assert_eq!(modem.join().unwrap().len(), 6);
}

#[test]
fn forced_csim_never_sends_ccho() {
    let mut script = start();
    script.push(step("AT+CSIM=10,\"0070000001\"", b"\r\n+CSIM: 6,\"019000\"\r\n\r\nOK\r\n"));
    let (host, modem) = scripted(script);
    let options = AtOptions::default().with_channel_access(ChannelAccess::Csim);
    let mut at = AtModem::open(host, options).unwrap();
    assert_eq!(at.open_logical_channel(Some(&ISD_R)).unwrap(), ChannelOpening::Unsupported);
    assert_eq!(exchange(&mut at, "0070000001").unwrap(), "019000");
    drop(at);
    assert_eq!(modem.join().unwrap().len(), 4);
}

#[test]
fn malformed_and_missing_responses_are_errors() {
    let mut script = start();
    script.extend([
        step("AT+CSIM=10,\"00A4040000\"", OK),
        step("AT+CSIM=10,\"00A4040000\"", b"\r\n+CSIM: 8,\"9000\"\r\n\r\nOK\r\n"),
        step("AT+CSIM=10,\"00A4040000\"", b"\r\n+CSIM: 2,\"90\"\r\n\r\nOK\r\n"),
        step("AT+CSIM=10,\"00A4040000\"", b"\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n"),
    ]);
    let (host, modem) = scripted(script);
    let mut at = transport(host);
    let err = exchange(&mut at, "00A4040000").unwrap_err();
    assert_eq!(err.detail(), Some("AT+CSIM answered OK without its +CSIM: response"));
    let err = exchange(&mut at, "00A4040000").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProtocolMismatch);
    assert_eq!(err.detail(), Some("AT+CSIM: malformed response: length 8 but 4 hexadecimal characters"));
    let err = exchange(&mut at, "00A4040000").unwrap_err();
    assert_eq!(err.detail(), Some("AT+CSIM: malformed response: 1 bytes, less than a status word"));
    // Room for one byte only: too long, not truncated.
    let mut small = [0u8; 1];
    let err = at.exchange(&hex::decode("00A4040000").unwrap(), &mut small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLong);
    drop(at);
    modem.join().unwrap();
}

#[test]
fn a_modem_gone_mid_command_is_card_removed() {
    let (host, modem) = scripted(start());
    let mut at = transport(host);
    // The script is over: the modem answers ERROR; then it hangs up.
    let err = exchange(&mut at, "00A4040000").unwrap_err();
    assert_eq!(err.detail(), Some("AT+CSIM answered ERROR"));
    drop(at);
    modem.join().unwrap();

    let (host, mut modem) = UnixStream::pair().unwrap();
    let thread = thread::spawn(move || {
        for _ in 0..3 {
            read_line(&mut modem).unwrap();
            modem.write_all(OK).unwrap();
        }
        read_line(&mut modem).unwrap();
        // Hang up without an answer.
    });
    let mut at = transport(host);
    let err = exchange(&mut at, "00A4040000").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CardRemoved);
    thread.join().unwrap();
}

/// A modem that answers the start, then answers every command with `noise` (a chunk per
/// command, in turn), each followed by `OK` when `ok` says.
fn noisy(noise: Vec<Vec<u8>>, ok: Vec<bool>) -> UnixStream {
    let (host, mut modem) = UnixStream::pair().unwrap();
    thread::spawn(move || {
        let mut chunks = noise.into_iter().zip(ok.into_iter().chain(std::iter::repeat(false)));
        let mut answered = 0;
        while read_line(&mut modem).is_some() {
            answered += 1;
            if answered <= 3 {
                let _ = modem.write_all(OK);
                continue;
            }
            let Some((chunk, ok)) = chunks.next() else { break };
            let _ = modem.write_all(&chunk);
            if ok {
                let _ = modem.write_all(OK);
            }
        }
    });
    host
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any bytes from the device: every operation returns, none panics.
    #[test]
    fn arbitrary_device_bytes_never_panic(
        noise in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..120), 1..5),
        ok in proptest::collection::vec(any::<bool>(), 0..5),
    ) {
        let options = AtOptions::default()
            .with_sync(1, Duration::from_millis(200))
            .with_command_timeout(Duration::from_millis(30))
            .with_store_data_timeout(Duration::from_millis(30))
            .with_close_timeout(Duration::from_millis(30));
        let mut at = AtModem::open(noisy(noise, ok), options).unwrap();
        let _ = at.open_logical_channel(Some(&ISD_R));
        let mut response = [0u8; 64];
        let _ = at.exchange(&[0x81, 0xE2, 0x91, 0x00, 0x03, 0xBF, 0x2E, 0x00], &mut response);
        let _ = at.exchange(&[0x00, 0x70, 0x00, 0x00, 0x01], &mut response);
        let _ = at.close_logical_channel(1);
    }

    /// Any bytes before the start: `new` returns, never panics.
    #[test]
    fn arbitrary_bytes_at_start_never_panic(noise in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (host, mut modem) = UnixStream::pair().unwrap();
        modem.write_all(&noise).unwrap();
        let options = AtOptions::default().with_sync(1, Duration::from_millis(20));
        let _ = AtModem::open(host, options);
    }
}

#[test]
fn dropping_the_transport_stops_closing_once_the_modem_is_silent() {
    // Two sessions; the modem stops answering at the first `AT+CCHC`: that close times out,
    // and the transport gives up there instead of waiting out a deadline per session left
    // (a resync, then the next `AT+CCHC`).
    let mut script = start();
    script.extend([
        step("AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", b"\r\n+CCHO: 1\r\n\r\nOK\r\n"),
        step("AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", b"\r\n+CCHO: 2\r\n\r\nOK\r\n"),
        slow("AT+CCHC=1", b"", Duration::from_millis(300)),
    ]);
    let (host, modem) = scripted(script);
    let options = AtOptions::default().with_close_timeout(Duration::from_millis(50));
    let mut at = AtModem::open(host, options).unwrap();
    assert!(matches!(
        at.open_logical_channel(Some(&ISD_R)).unwrap(),
        ChannelOpening::Opened { number: 1, .. }
    ));
    assert!(matches!(
        at.open_logical_channel(Some(&ISD_R)).unwrap(),
        ChannelOpening::Opened { number: 2, .. }
    ));
    drop(at);
    let received = modem.join().unwrap();
    assert_eq!(received.last().map(String::as_str), Some("AT+CCHC=1"), "{received:?}");
    assert_eq!(received.iter().filter(|l| l.starts_with("AT+CCHC")).count(), 1, "{received:?}");
}
