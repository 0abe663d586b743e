//! `readers` and `devices`: where cards are: the PC/SC readers, with card presence and ATR;
//! the modem devices, with their protocol.

use std::fmt::Write as _;

use oxicard_transport::pcsc::PcscContext;
use serde_json::{Value, json};

use crate::error::CliError;
use crate::output::Out;

/// `readers`: every PC/SC reader with card presence and ATR.
pub(crate) fn run(out: &Out) -> Result<(), CliError> {
    let context = PcscContext::establish()
        .map_err(|source| CliError::Transport { context: "PC/SC is not available".into(), source })?;
    let readers = context
        .readers()
        .map_err(|source| CliError::Transport { context: "cannot list PC/SC readers".into(), source })?;
    let data: Vec<Value> = readers
        .iter()
        .map(|r| json!({ "name": r.name, "cardPresent": r.card_present, "atr": r.atr.as_ref().map(hex::encode_upper) }))
        .collect();
    let mut text = String::new();
    if readers.is_empty() {
        text.push_str("no PC/SC readers");
    }
    for r in &readers {
        let card = match (&r.atr, r.card_present) {
            (Some(atr), true) => format!("card, ATR {}", hex::encode_upper(atr)),
            (None, true) => "card".into(),
            _ => "no card".into(),
        };
        let _ = writeln!(text, "{}\t{card}", r.name);
    }
    out.success(Value::Array(data), &text);
    Ok(())
}

/// `devices`: the modem devices of this machine ([`oxicard_transport::modem::list_devices`]):
/// path, protocol (the option to give it to) and kernel driver.
pub(crate) fn devices(out: &Out) -> Result<(), CliError> {
    let devices = oxicard_transport::modem::list_devices()
        .map_err(|e| CliError::Io(format!("cannot list /dev: {}", crate::error::chain(&e))))?;
    let data: Vec<Value> = devices
        .iter()
        .map(|d| {
            json!({
                "path": d.path.display().to_string(),
                "protocol": d.protocol.map(|p| p.as_str()),
                "driver": d.driver,
            })
        })
        .collect();
    let mut text = String::new();
    if devices.is_empty() {
        text.push_str("no modem devices (serial ports, cdc-wdm or WWAN ports)");
    }
    for d in &devices {
        let option = d.protocol.map_or_else(|| "--qmi or --mbim".to_owned(), |p| format!("--{}", p.as_str()));
        let driver = d.driver.as_deref().map(|name| format!(", driver {name}")).unwrap_or_default();
        let _ = writeln!(text, "{}\t{option}{driver}", d.path.display());
    }
    out.success(Value::Array(data), text.trim_end());
    Ok(())
}
