//! `readers`: the PC/SC readers, with card presence and ATR.

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
