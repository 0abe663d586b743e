//! Replays an SCP03 session (GP Card Spec Amendment D) from a card trace: a debugging tool
//! for a card that says "cryptogram invalid", and a way to check this implementation
//! against your own traces.
//!
//! Reads one JSON object on stdin:
//!
//! ```json
//! {"enc": "hex", "mac": "hex", "dek": "hex (optional)", "kvn": 48,
//!  "host_challenge": "hex", "initialize_update_response": "hex, with the SW",
//!  "aid": "hex (optional: the selected security domain, to check a pseudo-random challenge)",
//!  "security_level": 33,
//!  "steps": [{"command": "plain C-APDU, hex"}, {"response": "R-APDU from the card, hex"}]}
//! ```
//!
//! and prints one JSON object:
//!
//! ```json
//! {"initialize_update": "hex", "external_authenticate": "hex",
//!  "steps": [{"wrapped": "hex"}, {"unwrapped": "data and SW, hex"}, {"error": "text"}]}
//! ```
//!
//! `kvn` is the byte value (`48` for key version `30`), or a hex string (`"30"`).
//! `security_level` is the level as the spec writes it (`33`), its byte value (`51`), or
//! a hex string (`"33"`): the two readings never collide. The EXTERNAL AUTHENTICATE is
//! taken as accepted by the card. When the card's INITIALIZE UPDATE response does not check
//! out, the output has an `"error"` member instead of `"external_authenticate"` and
//! `"steps"`. Malformed input is reported on stderr with exit status 2.
//!
//! Run: `echo '{…}' | cargo run --example scp03_transcript`.

use std::io::Read;
use std::process::ExitCode;

use oxicard::secure_channel::scp03::{Handshake, HostSession, SecurityLevel, StaticKeys};
use serde_json::Value;

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("scp03_transcript: cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    match transcript(&input) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scp03_transcript: {e}");
            ExitCode::from(2)
        }
    }
}

/// A hex member of the input (spaces allowed between digits).
fn hex_member(input: &Value, name: &str) -> Result<Option<Vec<u8>>, String> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            hex::decode(digits).map(Some).map_err(|e| format!("\"{name}\": {e}"))
        }
        Some(_) => Err(format!("\"{name}\" must be a hex string")),
    }
}

fn required_hex(input: &Value, name: &str) -> Result<Vec<u8>, String> {
    hex_member(input, name)?.ok_or_else(|| format!("\"{name}\" is missing"))
}

/// A byte given as a JSON number or as a hex string.
fn byte_member(input: &Value, name: &str) -> Result<Option<u8>, String> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| format!("\"{name}\": {n} is no byte")),
        Some(Value::String(s)) => {
            u8::from_str_radix(s.trim(), 16).map(Some).map_err(|e| format!("\"{name}\": {s:?}: {e}"))
        }
        Some(_) => Err(format!("\"{name}\" must be a number or a hex string")),
    }
}

/// The security level: its spec notation read as hex (`33`), its byte value (`51`), or a
/// hex string (`"33"`).
fn security_level(input: &Value) -> Result<SecurityLevel, String> {
    let invalid = || "\"security_level\" must be one of 00, 01, 03, 11, 13, 31, 33".to_owned();
    match input.get("security_level") {
        Some(Value::Number(n)) => {
            let n = n.as_u64().ok_or_else(invalid)?;
            let byte = u8::try_from(n).map_err(|_| invalid())?;
            if let Ok(level) = SecurityLevel::from_byte(byte) {
                return Ok(level);
            }
            let as_hex = u8::from_str_radix(&n.to_string(), 16).map_err(|_| invalid())?;
            SecurityLevel::from_byte(as_hex).map_err(|_| invalid())
        }
        Some(Value::String(_)) => {
            let byte = byte_member(input, "security_level")?.ok_or_else(invalid)?;
            SecurityLevel::from_byte(byte).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

/// A JSON string literal.
fn quote(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// The first `n` bytes of `buf`, which a call said it wrote.
fn written(buf: &[u8], n: usize) -> Result<&[u8], String> {
    buf.get(..n).ok_or_else(|| format!("{n} bytes reported written to a {}-byte buffer", buf.len()))
}

/// One step of the session, as its output object.
fn step(session: &mut HostSession, step: &Value) -> Result<String, String> {
    let mut out = vec![0u8; 65_600];
    let (name, result) = if let Some(command) = hex_member(step, "command")? {
        ("wrapped", session.wrap(&command, &mut out))
    } else if let Some(response) = hex_member(step, "response")? {
        ("unwrapped", session.unwrap(&response, &mut out))
    } else {
        return Err("a step needs \"command\" or \"response\"".to_owned());
    };
    Ok(match result {
        Ok(n) => format!("{{\"{name}\":\"{}\"}}", hex::encode(written(&out, n)?)),
        Err(e) => format!("{{\"error\":{}}}", quote(&e.to_string())),
    })
}

/// The whole replay: the input JSON text to the output JSON text. Errors are malformed
/// input; protocol failures are part of the output.
pub(crate) fn transcript(input: &str) -> Result<String, String> {
    let input: Value = serde_json::from_str(input).map_err(|e| format!("input is no JSON: {e}"))?;
    let enc = required_hex(&input, "enc")?;
    let mac = required_hex(&input, "mac")?;
    let kvn = byte_member(&input, "kvn")?.unwrap_or(0);
    let keys = match hex_member(&input, "dek")? {
        Some(dek) => StaticKeys::new(kvn, &enc, &mac, &dek),
        None => StaticKeys::without_dek(kvn, &enc, &mac),
    }
    .map_err(|e| format!("keys: {e}"))?;
    let host_challenge = required_hex(&input, "host_challenge")?;
    let level = security_level(&input)?;
    let mut handshake =
        Handshake::new(keys, &host_challenge, level).map_err(|e| format!("\"host_challenge\": {e}"))?;
    if let Some(aid) = hex_member(&input, "aid")? {
        handshake = handshake.with_aid(&aid).map_err(|e| format!("\"aid\": {e}"))?;
    }
    let response = required_hex(&input, "initialize_update_response")?;
    let steps = match input.get("steps") {
        None => Vec::new(),
        Some(Value::Array(steps)) => steps.clone(),
        Some(_) => return Err("\"steps\" must be an array".to_owned()),
    };

    let mut buf = [0u8; 64];
    let n = handshake.initialize_update_command(&mut buf).map_err(|e| e.to_string())?;
    let mut output = format!("{{\"initialize_update\":\"{}\"", hex::encode(written(&buf, n)?));
    let authenticating = match handshake.process_initialize_update_response(&response) {
        Ok(authenticating) => authenticating,
        Err(e) => {
            output.push_str(&format!(",\"error\":{}}}", quote(&e.to_string())));
            return Ok(output);
        }
    };
    let n = authenticating.external_authenticate_command(&mut buf).map_err(|e| e.to_string())?;
    output.push_str(&format!(",\"external_authenticate\":\"{}\"", hex::encode(written(&buf, n)?)));
    let mut session =
        authenticating.process_external_authenticate_response(&[0x90, 0x00]).map_err(|e| e.to_string())?;
    let steps: Vec<String> = steps.iter().map(|s| step(&mut session, s)).collect::<Result<_, _>>()?;
    output.push_str(&format!(",\"steps\":[{}]}}", steps.join(",")));
    Ok(output)
}
