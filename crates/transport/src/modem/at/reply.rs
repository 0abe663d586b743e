//! Reading the lines a modem answers a command with: final result codes, the awaited
//! information response, and what to skip (echo, unsolicited result codes).
//!
//! - Finals: `OK`, `ERROR` (ITU-T V.250), `+CME ERROR: <err>` (3GPP TS 27.007 §9.2),
//!   `+CMS ERROR: <err>` (3GPP TS 27.005 §3.2.5) — damonto/wwan-go `at/at.go` (`readResponse`)
//!   ends a command on the same four — and `COMMAND NOT SUPPORT`, which Huawei modems answer
//!   instead of `ERROR` (the E1752 log of gammu issue #138).
//! - The awaited response is the line with the command's prefix (`+CGLA:`), with or without a
//!   space after the colon (SIMCom A7908E answers `+CGLA:4,"611A"`, lpac PR #238).
//! - Echo: lines starting with `AT` (lpac `at_expect` skips them), and fragments of the echo of
//!   the command just sent (FM350-GL printed `T+CCHC=1`, lpac issue #179).
//! - Anything else starting with `+` is an unsolicited result code (`+CREG: …`, `+CPIN: …`)
//!   and is skipped; other lines are kept as "bare" lines, where a modem that answers `+CCHO`
//!   without its prefix puts the session id (FM350-GL: `1`, lpac issues #179, #209).

use super::error::CmeError;

/// A final result code: the command is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Final {
    /// `OK`.
    Ok,
    /// `ERROR`, or Huawei's `COMMAND NOT SUPPORT`.
    Error,
    /// `+CME ERROR: <err>`.
    Cme(CmeError),
    /// `+CMS ERROR: <err>`, the `<err>` as sent.
    Cms(String),
}

/// `line` as a final result code, if it is one.
pub fn final_result(line: &str) -> Option<Final> {
    let line = line.trim();
    match line {
        "OK" => return Some(Final::Ok),
        "ERROR" | "COMMAND NOT SUPPORT" => return Some(Final::Error),
        _ => {}
    }
    if let Some(err) = strip_prefix_ignore_case(line, "+CME ERROR:") {
        return Some(Final::Cme(CmeError::parse(err)));
    }
    strip_prefix_ignore_case(line, "+CMS ERROR:").map(|err| Final::Cms(err.trim().to_owned()))
}

/// What follows `prefix` (`"+CGLA:"`) in `line`, spaces trimmed; `None` for another line.
pub fn response_payload<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    strip_prefix_ignore_case(line.trim_start(), prefix).map(str::trim)
}

/// Whether `line` is the echo of `command` or a piece of it: it starts with `AT` (any case),
/// contains `AT+`, or is a part of `command` that has a `+`, `=` or `"` in it (a bare
/// session id such as `1` never has).
pub fn is_echo(line: &str, command: &str) -> bool {
    let line = line.trim();
    let starts_with_at = line.get(..2).is_some_and(|start| start.eq_ignore_ascii_case("AT"));
    starts_with_at
        || line.contains("AT+")
        || (line.len() >= 2 && line.contains(['+', '=', '"']) && command.contains(line))
}

/// Whether `line` is an unsolicited result code or other information text that is not the
/// answer awaited: a `+XXX` line other than the awaited prefix, or a word a modem reports
/// unasked (`RING`, `NO CARRIER`: ITU-T V.250 result codes).
pub fn is_unsolicited(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('+') || line.starts_with('^') || matches!(line, "RING" | "NO CARRIER")
}

/// A `<sessionid>` (§8.45): an integer (`1`), or the hexadecimal handle some modems give
/// (Sierra MC7455: `000000000385a7cf`, lpac issue #138), kept as a string; double quotes are
/// dropped. `None` unless it is 1 to 32 hexadecimal digits.
pub fn session_id(payload: &str) -> Option<&str> {
    let payload = payload.trim();
    let id = payload.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).unwrap_or(payload);
    (1..=32).contains(&id.len()).then_some(id).filter(|id| id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Why a `+CGLA:` / `+CSIM:` payload did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// No comma between `<length>` and `<response>`.
    #[error("no `<length>,<response>` in {0:?}")]
    NoComma(String),
    /// `<length>` is not a number.
    #[error("length {0:?} is not a number")]
    Length(String),
    /// `<response>` is not an even number of hexadecimal digits.
    #[error("response is not hexadecimal ({0} characters)")]
    NotHex(usize),
    /// `<length>` matches neither the character count nor the byte count of `<response>`.
    #[error("length {length} but {characters} hexadecimal characters")]
    LengthMismatch {
        /// `<length>` as sent.
        length: usize,
        /// The characters of `<response>`.
        characters: usize,
    },
}

/// The response APDU of a `+CGLA: <length>,"<response>"` or `+CSIM: …` payload (what
/// [`response_payload`] returned): `<response>` decoded, quotes optional, either case.
/// `<length>` counts hexadecimal characters (§8.17, §8.43); a modem giving the byte count
/// instead is accepted too, any other length is an error (a truncated response).
///
/// # Errors
///
/// [`PayloadError`] saying what is wrong.
pub fn apdu_response(payload: &str) -> Result<Vec<u8>, PayloadError> {
    let Some((length, response)) = payload.split_once(',') else {
        return Err(PayloadError::NoComma(payload.chars().take(40).collect()));
    };
    let length = length.trim();
    let length: usize =
        length.parse().map_err(|_| PayloadError::Length(length.chars().take(16).collect()))?;
    let response = response.trim();
    let response = response.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).unwrap_or(response);
    let characters = response.len();
    let bytes = hex::decode(response).map_err(|_| PayloadError::NotHex(characters))?;
    if length != characters && length != bytes.len() {
        return Err(PayloadError::LengthMismatch { length, characters });
    }
    Ok(bytes)
}

/// `line` without `prefix`, compared without case.
fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| line.get(prefix.len()..)).flatten()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lpac_issue_143_store_data_response() {
        // estkme-group/lpac issue #143: `+CGLA: 46,"BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000"`
        // answers `AT+CGLA=1,16,"81E2910003BF2E00"`: 23 bytes, SW 9000.
        let line = "+CGLA: 46,\"BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000\"";
        let payload = response_payload(line, "+CGLA:").unwrap();
        let apdu = apdu_response(payload).unwrap();
        assert_eq!(hex::encode_upper(&apdu), "BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000");
        assert_eq!(apdu.len(), 23);
        // The next exchange of the same log: 58 bytes answering GetEUICCInfo1 (`BF20`).
        let line = "+CGLA: 116,\"BF20358203020300A916041481370F5125D0B1D408D4C3B232E6D25E795BEBFBAA16041481370F5125D0B1D408D4C3B232E6D25E795BEBFB9000\"";
        let apdu = apdu_response(response_payload(line, "+CGLA:").unwrap()).unwrap();
        assert_eq!(apdu.len(), 58);
        assert_eq!(apdu[56..], [0x90, 0x00]);
    }

    #[test]
    fn lpac_pr_238_no_space_after_the_colon() {
        // estkme-group/lpac PR #238, SIMCom A7908E: `+CGLA:4,"611A"`. `61xx` is passed on as is.
        let apdu = apdu_response(response_payload("+CGLA:4,\"611A\"", "+CGLA:").unwrap()).unwrap();
        assert_eq!(apdu, [0x61, 0x1A]);
    }

    #[test]
    fn csim_response_of_manage_channel() {
        // `+CSIM: 6,"019000"`: channel 1 opened (the reply shape of atsign-foundation/at_client_sdk
        // issue #1568; the command that produced it is not shown there).
        let apdu = apdu_response(response_payload("+CSIM: 6,\"019000\"", "+CSIM:").unwrap()).unwrap();
        assert_eq!(apdu, [0x01, 0x90, 0x00]);
    }

    #[test]
    fn payload_errors_say_what_is_wrong() {
        assert_eq!(apdu_response("4"), Err(PayloadError::NoComma("4".into())));
        assert_eq!(apdu_response("x,\"9000\""), Err(PayloadError::Length("x".into())));
        assert_eq!(apdu_response("4,\"90G0\""), Err(PayloadError::NotHex(4)));
        assert_eq!(apdu_response("3,\"900\""), Err(PayloadError::NotHex(3)));
        assert_eq!(
            apdu_response("8,\"9000\""),
            Err(PayloadError::LengthMismatch { length: 8, characters: 4 })
        );
        // Lower case, no quotes, and a byte count instead of characters are accepted.
        assert_eq!(apdu_response("4,611a").unwrap(), [0x61, 0x1A]);
        assert_eq!(apdu_response("2,\"9000\"").unwrap(), [0x90, 0x00]);
    }

    #[test]
    fn session_ids_in_every_form() {
        // lpac issue #143 `+CCHO: 1`; PR #238's style `+CCHO:1`; FM350-GL's bare `1` (issue #209);
        // Sierra MC7455's handle `000000000385a7cf` (issue #138).
        assert_eq!(response_payload("+CCHO: 1", "+CCHO:").and_then(session_id), Some("1"));
        assert_eq!(response_payload("+CCHO:1", "+CCHO:").and_then(session_id), Some("1"));
        assert_eq!(session_id("1"), Some("1"));
        assert_eq!(
            response_payload("+CCHO: 000000000385a7cf", "+CCHO:").and_then(session_id),
            Some("000000000385a7cf")
        );
        assert_eq!(session_id("\"7\""), Some("7"));
        for not_an_id in ["", "RING", "1 2", "-1", "000000000000000000000000000000001"] {
            assert_eq!(session_id(not_an_id), None, "{not_an_id:?}");
        }
    }

    #[test]
    fn final_result_codes() {
        assert_eq!(final_result("OK"), Some(Final::Ok));
        assert_eq!(final_result("ERROR"), Some(Final::Error));
        assert_eq!(final_result("COMMAND NOT SUPPORT"), Some(Final::Error));
        assert_eq!(final_result("+CME ERROR: 4"), Some(Final::Cme(CmeError::from_code(4))));
        assert_eq!(final_result("+CME ERROR:13"), Some(Final::Cme(CmeError::from_code(13))));
        // Sierra EM9191 in verbose mode (lpac issue #187).
        let Some(Final::Cme(error)) = final_result("+CME ERROR: Parameters error") else { panic!() };
        assert_eq!(error.text(), Some("Parameters error"));
        assert_eq!(final_result("+CMS ERROR: 500"), Some(Final::Cms("500".into())));
        for other in ["+CCHO: 1", "1", "OKAY", "RING", "+CREG: 1"] {
            assert_eq!(final_result(other), None, "{other}");
        }
    }

    #[test]
    fn echo_and_its_fragments() {
        let command = "AT+CCHC=1";
        assert!(is_echo("AT+CCHC=1", command));
        assert!(is_echo("at+cchc=1", command));
        // FM350-GL (lpac issue #179): `T+CCHC=1`.
        assert!(is_echo("T+CCHC=1", command));
        // The shape EG25-G users reported (lpac issue #173, `=4,"9000">AT+CGLA=…`, the rest of
        // the line elided there; completed here): a reply fragment run into the next echo.
        assert!(is_echo("=4,\"9000\">AT+CGLA=1,10,\"81F2000000\"", "AT+CGLA=1,10,\"81F2000000\""));
        // A bare session id is not echo, though `1` is in the command.
        assert!(!is_echo("1", "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\""));
        assert!(!is_echo("+CGLA: 4,\"9000\"", "AT+CGLA=1,10,\"81F2000000\""));
    }

    #[test]
    fn unsolicited_result_codes() {
        for urc in ["RING", "+CREG: 1,\"00C3\",\"0000B4E5\",7", "+CPIN: READY", "^RSSI: 20"] {
            assert!(is_unsolicited(urc), "{urc}");
        }
        assert!(!is_unsolicited("1"));
    }

    proptest! {
        /// Any line: the readers answer, never panic.
        #[test]
        fn any_line_never_panics(line in "\\PC{0,80}", command in "\\PC{0,40}") {
            let _ = final_result(&line);
            let _ = response_payload(&line, "+CGLA:").map(apdu_response);
            let _ = session_id(&line);
            let _ = is_echo(&line, &command);
            let _ = is_unsolicited(&line);
        }

        /// A response written the way 27.007 §8.43 says reads back as the same bytes.
        #[test]
        fn apdu_responses_round_trip(apdu in proptest::collection::vec(any::<u8>(), 2..300), space in any::<bool>()) {
            let hex = hex::encode_upper(&apdu);
            let line = format!("+CGLA:{}{},\"{hex}\"", if space { " " } else { "" }, hex.len());
            let payload = response_payload(&line, "+CGLA:").unwrap();
            prop_assert_eq!(apdu_response(payload).unwrap(), apdu);
        }
    }
}
