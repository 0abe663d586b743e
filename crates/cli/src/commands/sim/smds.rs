//! `sim smds`: a test SM-DS with events for the software eUICC's EID.

use oxicard_sim::smdp::{SmdpServer, TestSmds};
use serde_json::{Value, json};

use crate::cli::{Global, SmdsArgs};
use crate::error::CliError;
use crate::output::Out;
use crate::serving::{bind_address, wait_for_eof};
use crate::simstate::SimPaths;

/// One `--event ADDRESS=EVENTID`.
fn parse_event(text: &str) -> Result<(&str, &str), CliError> {
    match text.split_once('=') {
        Some((address, event_id)) if !address.is_empty() && !event_id.is_empty() => Ok((address, event_id)),
        _ => Err(CliError::Usage(format!("--event {text:?}: expected ADDRESS=EVENTID"))),
    }
}

/// `sim smds`.
pub(crate) fn smds(g: &Global, out: &Out, args: &SmdsArgs) -> Result<(), CliError> {
    let events = args.events.iter().map(|e| parse_event(e)).collect::<Result<Vec<_>, _>>()?;
    let paths = SimPaths::from_global(g)?;
    let (identity, pki) = paths.servers_pki()?;
    let eid = identity.eid();
    let address = bind_address(&args.listen)?;
    let identity = pki.smds_identity().map_err(|e| CliError::Sim(format!("SM-DS identity: {e}")))?;
    let mut smds = TestSmds::new(identity, &address);
    for (server, event_id) in &events {
        smds.add_event(&eid, event_id, server);
    }
    let tls = (!args.http).then(|| pki.dp_tls());
    let server = SmdpServer::start(smds, &address, tls)
        .map_err(|e| CliError::Sim(format!("cannot start the SM-DS on {address}: {e}")))?;
    let base_url = server.base_url();
    let ca = paths.ci.display().to_string();
    let listed: Vec<Value> = events
        .iter()
        .map(|(server, event_id)| json!({ "eventId": event_id, "rspServerAddress": server }))
        .collect();
    out.success(
        json!({ "address": address, "baseUrl": base_url, "ca": ca, "eidValue": eid, "events": listed }),
        &format!(
            "test SM-DS {address} serving at {base_url} ({} event(s) for EID {eid})\ntrust CA: {ca}\ntry: oxicard profile discover --ca {ca} --smds {address}\n(Ctrl-C or end of input to stop)",
            events.len()
        ),
    );
    wait_for_eof();
    drop(server);
    Ok(())
}
