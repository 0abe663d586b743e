//! `profile discover`: SM-DS event retrieval (SGP.22 §3.6.1, ES11 §5.8), with the `profile
//! download` command of each event.

use oxicard_euicc::discovery::{DiscoveryStep, discover_with_progress};
use oxicard_euicc::es11::EventEntry;
use serde_json::{Value, json};

use crate::backend::with_isdr;
use crate::cli::{DiscoverArgs, Global, NetArgs};
use crate::error::CliError;
use crate::json::discovery_function;
use crate::net::{es9_client, parse_connect_to};
use crate::output::{Out, printable};
use crate::parse::device_info;

/// `word` as one shell word: bare when it is made of safe characters, else single-quoted.
fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-=:@,+".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The events as JSON data (lpac's discovery data, the SM-DS's `eventEntries`) and as text: a
/// table and how to download each.
fn events_output(smds: &str, events: &[EventEntry], net: &NetArgs) -> (Value, String) {
    let data = events
        .iter()
        .map(|e| json!({ "eventId": e.event_id, "rspServerAddress": e.rsp_server_address }))
        .collect();
    if events.is_empty() {
        return (Value::Array(data), format!("no pending event on SM-DS {smds}"));
    }
    let width = events.iter().map(|e| e.event_id.len()).max().unwrap_or(0).max("EVENT ID".len());
    let mut text = format!("{} pending event(s) on SM-DS {smds}:\n", events.len());
    text.push_str(&format!("{:<width$}  SERVER\n", "EVENT ID"));
    for e in events {
        text.push_str(&format!("{:<width$}  {}\n", e.event_id, e.rsp_server_address));
    }
    text.push_str("download with:\n");
    for e in events {
        // Only activation codes that pass the hard limits become commands to paste (the server
        // chose them), quoted as one shell word whatever characters the EventID has. The same
        // CAs and test-CI trust, and the `--connect-to` rules that apply to that server.
        let mut options = String::new();
        for item in net
            .connect_to
            .iter()
            .filter(|i| parse_connect_to(i).is_ok_and(|rule| rule.applies_to(&e.rsp_server_address)))
        {
            options.push_str(&format!(" --connect-to {}", shell_word(item)));
        }
        for ca in &net.ca {
            options.push_str(&format!(" --ca {}", shell_word(&ca.display().to_string())));
        }
        if net.test_ci {
            options.push_str(" --test-ci");
        }
        match e.to_activation_code() {
            Ok(code) => text.push_str(&format!(
                "  oxicard profile download{options} {}\n",
                shell_word(&code.to_qr_string())
            )),
            Err(error) => {
                text.push_str(&format!("  (event {:?}: not an activation code: {error})\n", e.event_id))
            }
        }
    }
    (Value::Array(data), text)
}

/// The warnings of the events' activation codes (a MatchingID, here the EventID, outside
/// SGP.22 §4.1.1's character set), one line each on stderr, also under `--json`.
fn warn_about(events: &[EventEntry]) {
    for e in events {
        if let Ok(code) = e.to_activation_code() {
            for warning in code.warnings() {
                eprintln!("oxicard: warning: {}", printable(&format!("event {:?}: {warning}", e.event_id)));
            }
        }
    }
}

/// `profile discover`.
pub(crate) fn run(g: &Global, out: &Out, args: &DiscoverArgs) -> Result<(), CliError> {
    let device = device_info(args.imei.as_deref())?;
    let mut es11 = es9_client(&args.net)?;
    let (smds, events) = with_isdr(g, |isdr| {
        let smds = match &args.smds {
            Some(smds) => smds.clone(),
            None => {
                let addresses = isdr
                    .configured_addresses()
                    .map_err(CliError::es10("es10a_get_euicc_configured_addresses"))?;
                addresses.root_ds_address
            }
        };
        if smds.is_empty() {
            return Err(CliError::Usage(
                "profile discover: the eUICC has no root SM-DS address; give --smds".into(),
            ));
        }
        // One progress line per lpac function: GetEUICCInfo1 and GetEUICCChallenge are one.
        let progress = |step: DiscoveryStep| {
            if step != DiscoveryStep::GetEuiccChallenge {
                out.progress(discovery_function(step), Value::from(smds.as_str()));
            }
        };
        let events =
            discover_with_progress(isdr, &mut es11, &smds, device, progress).map_err(CliError::Discovery)?;
        Ok((smds, events))
    })?;
    warn_about(&events);
    let (data, text) = events_output(&smds, &events, &args.net);
    out.success(data, &text);
    Ok(())
}
